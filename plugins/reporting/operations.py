"""Reporting: what is reported on (indicators, commitments, coverage), loading with access
checks, and input cleaning shared by the rooms beside it. Callers commit; every change is
audited.

Rooms: ``access`` (who may see or act), ``actions`` (national actions), ``rounds`` (opening a
round, its reports, reminders), ``reports`` (filling in, submitting, reviewing), ``overview``
(the matrix and progress series).

Who may do what:

* organisers (and admins) open rounds, see every report, review a submitted report or send it
  back with a comment, and send reminders; staff see every report and the overview;
* an *authorised member* of a delegation (approved registration in it as head of delegation,
  minister or senior official, or holding full powers) records the delegation's national actions
  and fills in and submits its reports; other approved members of the delegation may read them;
* the CLI and the demo act as the system (``actor=None``).

Coverage: the commitments a delegation reports on are the ones it endorsed when signing, as
the ``alliance_signature_rows`` hook reports them. When no signature is recorded for the
declaration (the signatures plugin is off, or nobody has signed yet, as in the demo), every
active delegation of the conference is asked to report on every commitment; such a round is
marked ``coverage="assumed"`` and says so on its page.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from alliance_conf.auth.access import is_team, membership
from alliance_conf.core.errors import (
    InvalidState,
    NotFound,
)
from alliance_conf.declarations.models import Declaration
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.i18n import _, _l, ngettext
from alliance_conf.plugins import flatten, hook
from plugins.reporting.access import require_read_delegation
from plugins.reporting.models import (
    NationalAction,
    Report,
    ReportingRound,
)

DEFAULT_INDICATORS = {
    "victims_identified": "Victims identified",
    "offenders_prosecuted": "Offenders prosecuted",
    "awareness_actions": "Awareness actions run",
    "material_taken_down": "Reports of material taken down",
}
# The default labels in the reader's language; labels an installation configures are its own.
DEFAULT_INDICATOR_LABELS = {
    "Victims identified": _l("Victims identified"),
    "Offenders prosecuted": _l("Offenders prosecuted"),
    "Awareness actions run": _l("Awareness actions run"),
    "Reports of material taken down": _l("Reports of material taken down"),
}
MAX_TITLE = 300
MAX_ROUND_TITLE = 200
MAX_TEXT = 10_000
MAX_AGENCY = 200
MAX_LINKS = 20
MAX_URL = 2000
MAX_FIGURE = 10**12


# --- configuration, commitments, coverage ----------------------------------------------------


def indicators() -> dict[str, str]:
    """The configured indicator list: key to label (``REPORTING_INDICATORS``); the default
    labels come in the current language."""
    configured = current_app.config.get("REPORTING_INDICATORS") or DEFAULT_INDICATORS
    pairs = configured.items() if isinstance(configured, dict) else configured
    return {str(key): str(DEFAULT_INDICATOR_LABELS.get(label, label)) for key, label in pairs}


def commitments(declaration: Declaration) -> list[dict]:
    """The commitments of the signed text (the frozen revision), else of the current one."""
    revision = declaration.frozen_revision or declaration.current_revision
    if revision is None:
        return []
    return [
        {"key": item["key"], "title": item.get("title", ""), "text": item["text"], "number": n}
        for n, item in enumerate(revision.content.get("commitments", []), 1)
    ]


def signature_rows(declaration: Declaration) -> list:
    return flatten(hook().alliance_signature_rows(declaration=declaration))


def coverage(declaration: Declaration) -> tuple[str, dict[int, list[str]]]:
    """Which delegations report on which commitments: ``(kind, {delegation_id: [keys]})``."""
    all_keys = [c["key"] for c in commitments(declaration)]
    rows = signature_rows(declaration)
    if rows:
        covered: dict[int, list[str]] = {}
        for row in rows:
            endorsed = set(row.endorsed_commitment_keys)
            keys = all_keys if row.endorses_all else [k for k in all_keys if k in endorsed]
            covered[row.delegation_id] = keys
        return "signatures", covered
    delegation_ids = db.session.scalars(
        sa.select(Delegation.id).where(
            Delegation.conference_id == declaration.conference_id, Delegation.active.is_(True)
        )
    )
    return "assumed", {delegation_id: list(all_keys) for delegation_id in delegation_ids}


def endorsed_keys(declaration: Declaration, delegation_id: int) -> list[str]:
    return coverage(declaration)[1].get(delegation_id, [])


# --- loading ---------------------------------------------------------------------------------


def get_round(round_id: int) -> ReportingRound:
    found = db.session.get(ReportingRound, round_id)
    if found is None:
        raise NotFound(_("There is no reporting round %(id)s.", id=round_id))
    return found


def get_report(report_id: int, user) -> Report:
    report = db.session.get(Report, report_id)
    if report is None:
        raise NotFound(_("There is no report %(id)s.", id=report_id))
    if user is not None:
        require_read_delegation(user, report.delegation)
    return report


def get_action(action_id: int, user) -> NationalAction:
    action = db.session.get(NationalAction, action_id)
    if action is None:
        raise NotFound(_("There is no national action %(id)s.", id=action_id))
    if user is not None:
        require_read_delegation(user, action.delegation)
    return action


def get_delegation(declaration: Declaration, delegation_id: int) -> Delegation:
    delegation = db.session.get(Delegation, delegation_id)
    if delegation is None or delegation.conference_id != declaration.conference_id:
        raise NotFound(_("There is no delegation %(id)s at this conference.", id=delegation_id))
    return delegation


def latest_round(conference) -> ReportingRound:
    """The conference's most recent round (by period, then creation); 409 when there is none."""
    found = db.session.scalar(
        sa.select(ReportingRound)
        .where(ReportingRound.conference_id == conference.id)
        .order_by(ReportingRound.period_start.desc(), ReportingRound.id.desc())
        .limit(1)
    )
    if found is None:
        raise InvalidState(
            _(
                "%(conference)s has no reporting round yet, so there is no progress report.",
                conference=conference.title,
            )
        )
    return found


def rounds_of(declaration: Declaration) -> list[ReportingRound]:
    return list(
        db.session.scalars(
            sa.select(ReportingRound)
            .where(ReportingRound.declaration_id == declaration.id)
            .order_by(ReportingRound.period_start, ReportingRound.id)
        )
    )


def visible_reports(round_: ReportingRound, user) -> sa.Select:
    statement = (
        sa.select(Report)
        .join(Delegation, Delegation.id == Report.delegation_id)
        .where(Report.round_id == round_.id)
        .order_by(Delegation.name, Report.id)
    )
    if is_team(user):
        return statement
    registration = membership(user, round_.conference_id)
    if registration is None:
        return statement.where(sa.false())
    return statement.where(Report.delegation_id == registration.delegation_id)


def actions_of(declaration: Declaration, delegation_id: int) -> list[NationalAction]:
    return list(
        db.session.scalars(
            sa.select(NationalAction)
            .where(
                NationalAction.declaration_id == declaration.id,
                NationalAction.delegation_id == delegation_id,
            )
            .order_by(NationalAction.commitment_key, NationalAction.id)
        )
    )


# --- cleaning --------------------------------------------------------------------------------


def clean_text(value, *, field: str, label: str, limit: int, errors: dict, required=False) -> str:
    text = (value or "").strip() if isinstance(value, str | type(None)) else None
    if text is None:
        errors[field] = _("%(label)s must be text.", label=label)
        return ""
    if required and not text:
        errors[field] = _("%(label)s is required.", label=label)
    elif len(text) > limit:
        errors[field] = ngettext(
            "%(label)s must be at most %(num)d character.",
            "%(label)s must be at most %(num)d characters.",
            limit,
            label=label,
        )
    return text


def clean_enum(enum_cls, value, *, field: str, label: str, errors: dict):
    try:
        return enum_cls(value)
    except ValueError:
        choices = ", ".join(m.value for m in enum_cls)
        errors[field] = _("%(label)s must be one of: %(choices)s.", label=label, choices=choices)
        return None


def parse_figure(value, *, field: str, label: str, errors: dict) -> int | None:
    """A figure is empty (not given) or a whole number from 0 up."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value.strip())
    else:
        number = None
    if number is None:
        errors[field] = _(
            "%(label)s must be a whole number (for example 12), not %(value)s.",
            label=label,
            value=repr(value),
        )
        return None
    if number < 0:
        errors[field] = _("%(label)s cannot be negative.", label=label)
        return None
    if number > MAX_FIGURE:
        errors[field] = _("%(label)s is too large.", label=label)
        return None
    return number


def clean_link(value, *, field: str, errors: dict) -> str | None:
    url = (value or "").strip() if isinstance(value, str) else ""
    parts = urlsplit(url)
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.netloc
        or any(c.isspace() for c in url)
    ):
        errors[field] = _(
            "Evidence links must be web addresses starting with http:// or https:// "
            "(%(url)s is not).",
            url=repr(url),
        )
        return None
    if len(url) > MAX_URL:
        errors[field] = _("An evidence link must be at most %(num)d characters.", num=MAX_URL)
        return None
    return url
