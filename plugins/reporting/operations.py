"""Reporting state changes and the rules behind them. Callers commit; every change is audited.

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

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from alliance_conf.audit.operations import log_event
from alliance_conf.core.changes import has_pending_changes
from alliance_conf.core.db import utcnow
from alliance_conf.core.errors import (
    Conflict,
    InvalidState,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from alliance_conf.declarations.models import Declaration
from alliance_conf.declarations.operations import (
    can_view,
    is_authorised,
    is_organiser,
    is_team,
    membership,
    require_organiser,
)
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.plugins import flatten, hook
from alliance_conf.registrations.models import Registration, RegistrationStatus
from plugins.reporting.models import (
    ActionStatus,
    CommitmentStatus,
    NationalAction,
    Report,
    ReportEntry,
    ReportFigure,
    ReportingRound,
    ReportState,
)

DEFAULT_INDICATORS = {
    "victims_identified": "Victims identified",
    "offenders_prosecuted": "Offenders prosecuted",
    "awareness_actions": "Awareness actions run",
    "material_taken_down": "Reports of material taken down",
}
MAX_TITLE = 300
MAX_ROUND_TITLE = 200
MAX_TEXT = 10_000
MAX_AGENCY = 200
MAX_LINKS = 20
MAX_URL = 2000
MAX_FIGURE = 10**12
REMINDER_INTERVAL = timedelta(days=1)


# --- configuration, commitments, coverage ----------------------------------------------------


def indicators() -> dict[str, str]:
    """The configured indicator list: key to label (``REPORTING_INDICATORS``)."""
    configured = current_app.config.get("REPORTING_INDICATORS") or DEFAULT_INDICATORS
    if isinstance(configured, dict):
        return dict(configured)
    return {str(key): str(label) for key, label in configured}


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


# --- who is who ------------------------------------------------------------------------------


def own_registration(user, conference_id: int) -> Registration | None:
    return membership(user, conference_id)


def can_read_delegation(user, delegation: Delegation) -> bool:
    """Organisers and staff read everything; approved members read their own delegation's."""
    if is_team(user):
        return True
    registration = membership(user, delegation.conference_id)
    return registration is not None and registration.delegation_id == delegation.id


def require_read_delegation(user, delegation: Delegation) -> None:
    if not can_read_delegation(user, delegation):
        raise PermissionDenied("Only that delegation and the organisers can see this.")


def can_see_reporting(declaration: Declaration, user) -> bool:
    """Organisers and staff; members of the conference's delegations once the declaration is
    visible to them, or once a round asks their delegation for a report on it."""
    if is_team(user):
        return True
    registration = membership(user, declaration.conference_id)
    if registration is None:
        return False
    if can_view(declaration, user):
        return True
    asked = db.session.scalar(
        sa.select(Report.id)
        .join(ReportingRound, ReportingRound.id == Report.round_id)
        .where(
            ReportingRound.declaration_id == declaration.id,
            Report.delegation_id == registration.delegation_id,
        )
        .limit(1)
    )
    return asked is not None


def require_see_reporting(declaration: Declaration, user) -> None:
    if not can_see_reporting(declaration, user):
        raise PermissionDenied(
            "Only the organisers and the delegations of this conference can see its reporting."
        )


def can_act_for(user, delegation: Delegation) -> bool:
    registration = membership(user, delegation.conference_id)
    return (
        registration is not None
        and registration.delegation_id == delegation.id
        and is_authorised(registration)
    )


def require_act_for(actor, delegation: Delegation) -> None:
    """Authorised members of the delegation, and the system (``actor=None``)."""
    if actor is None:
        return
    if not can_act_for(actor, delegation):
        raise PermissionDenied(
            f"Only the head of delegation, a minister, a senior official or a signatory of "
            f"{delegation.name} can do this."
        )


# --- loading ---------------------------------------------------------------------------------


def get_round(round_id: int) -> ReportingRound:
    found = db.session.get(ReportingRound, round_id)
    if found is None:
        raise NotFound(f"There is no reporting round {round_id}.")
    return found


def get_report(report_id: int, user) -> Report:
    report = db.session.get(Report, report_id)
    if report is None:
        raise NotFound(f"There is no report {report_id}.")
    if user is not None:
        require_read_delegation(user, report.delegation)
    return report


def get_action(action_id: int, user) -> NationalAction:
    action = db.session.get(NationalAction, action_id)
    if action is None:
        raise NotFound(f"There is no national action {action_id}.")
    if user is not None:
        require_read_delegation(user, action.delegation)
    return action


def get_delegation(declaration: Declaration, delegation_id: int) -> Delegation:
    delegation = db.session.get(Delegation, delegation_id)
    if delegation is None or delegation.conference_id != declaration.conference_id:
        raise NotFound(f"There is no delegation {delegation_id} at this conference.")
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
            f"{conference.title} has no reporting round yet, so there is no progress report."
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


def _text(value, *, field: str, label: str, limit: int, errors: dict, required=False) -> str:
    text = (value or "").strip() if isinstance(value, str | type(None)) else None
    if text is None:
        errors[field] = f"{label} must be text."
        return ""
    if required and not text:
        errors[field] = f"{label} is required."
    elif len(text) > limit:
        errors[field] = f"{label} must be at most {limit} characters."
    return text


def _enum(enum_cls, value, *, field: str, label: str, errors: dict):
    try:
        return enum_cls(value)
    except ValueError:
        choices = ", ".join(m.value for m in enum_cls)
        errors[field] = f"{label} must be one of: {choices}."
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
        errors[field] = f"{label} must be a whole number (for example 12), not {value!r}."
        return None
    if number < 0:
        errors[field] = f"{label} cannot be negative."
        return None
    if number > MAX_FIGURE:
        errors[field] = f"{label} is too large."
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
        errors[field] = (
            f"Evidence links must be web addresses starting with http:// or https:// ({url!r} is not)."
        )
        return None
    if len(url) > MAX_URL:
        errors[field] = f"An evidence link must be at most {MAX_URL} characters."
        return None
    return url


# --- national actions ------------------------------------------------------------------------


@dataclass
class ActionData:
    commitment_key: str
    title: str
    description: str = ""
    lead_agency: str = ""
    target_date: date | None = None
    status: str = ActionStatus.planned.value


def _clean_action(declaration: Declaration, delegation: Delegation, data: ActionData) -> dict:
    errors: dict[str, str] = {}
    values = {
        "title": _text(
            data.title, field="title", label="Title", limit=MAX_TITLE, errors=errors, required=True
        ),
        "description": _text(
            data.description,
            field="description",
            label="Description",
            limit=MAX_TEXT,
            errors=errors,
        ),
        "lead_agency": _text(
            data.lead_agency,
            field="lead_agency",
            label="Lead agency",
            limit=MAX_AGENCY,
            errors=errors,
        ),
        "status": _enum(ActionStatus, data.status, field="status", label="Status", errors=errors),
        "target_date": data.target_date,
        "commitment_key": data.commitment_key,
    }
    if data.target_date is not None and not isinstance(data.target_date, date):
        errors["target_date"] = "Target date must be a date (YYYY-MM-DD)."
    if data.commitment_key not in endorsed_keys(declaration, delegation.id):
        errors["commitment_key"] = (
            f"{delegation.name} did not endorse commitment {data.commitment_key!r}: national "
            f"actions can only be recorded for the commitments it endorsed."
        )
    if errors:
        raise ValidationFailed("The national action has invalid fields.", errors)
    return values


def create_action(
    declaration: Declaration, delegation: Delegation, data: ActionData, *, actor
) -> NationalAction:
    require_act_for(actor, delegation)
    values = _clean_action(declaration, delegation, data)
    action = NationalAction(
        declaration_id=declaration.id,
        delegation_id=delegation.id,
        created_by_id=getattr(actor, "id", None),
        **values,
    )
    db.session.add(action)
    db.session.flush()
    log_event(
        "reporting.action_created",
        action,
        actor=actor,
        conference_id=delegation.conference_id,
        data={"commitment_key": action.commitment_key, "title": action.title},
    )
    return action


def update_action(action: NationalAction, data: ActionData, *, actor) -> NationalAction:
    require_act_for(actor, action.delegation)
    values = _clean_action(action.declaration, action.delegation, data)
    changed = {k: str(v) for k, v in values.items() if getattr(action, k) != v}
    for key, value in values.items():
        setattr(action, key, value)
    db.session.flush()
    log_event(
        "reporting.action_updated",
        action,
        actor=actor,
        conference_id=action.delegation.conference_id,
        data={"changed": sorted(changed)},
    )
    return action


# --- rounds ----------------------------------------------------------------------------------


def open_round(
    declaration: Declaration,
    *,
    title: str,
    period_start: date | None,
    period_end: date | None,
    deadline: date | None,
    actor,
) -> ReportingRound:
    """Open a round and give each covered delegation a draft report."""
    require_organiser(actor)
    errors: dict[str, str] = {}
    title = _text(
        title, field="title", label="Title", limit=MAX_ROUND_TITLE, errors=errors, required=True
    )
    title = " ".join(title.split())
    for name, value, label in (
        ("period_start", period_start, "Start of the period"),
        ("period_end", period_end, "End of the period"),
        ("deadline", deadline, "Deadline"),
    ):
        if not isinstance(value, date):
            errors[name] = f"{label} is required (a date, YYYY-MM-DD)."
    if not errors:
        if period_end < period_start:
            errors["period_end"] = "The period cannot end before it starts."
        elif deadline < period_end:
            errors["deadline"] = (
                f"The deadline ({deadline.isoformat()}) is before the end of the period covered "
                f"({period_end.isoformat()}): delegations cannot report on a period before it ends."
            )
    if errors:
        raise ValidationFailed("The reporting round has invalid fields.", errors)
    kind, covered = coverage(declaration)
    round_ = ReportingRound(
        declaration_id=declaration.id,
        conference_id=declaration.conference_id,
        title=title,
        period_start=period_start,
        period_end=period_end,
        deadline=deadline,
        coverage=kind,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(round_)
    db.session.flush()
    for delegation_id, keys in sorted(covered.items()):
        db.session.add(
            Report(round_id=round_.id, delegation_id=delegation_id, commitment_keys=keys)
        )
    db.session.flush()
    log_event(
        "reporting.round_opened",
        round_,
        actor=actor,
        data={
            "title": title,
            "period": [period_start.isoformat(), period_end.isoformat()],
            "deadline": deadline.isoformat(),
            "coverage": kind,
            "reports": len(covered),
        },
    )
    return round_


def create_report(round_: ReportingRound, delegation: Delegation, *, actor) -> Report:
    """Add the report of a delegation that signed after the round was opened."""
    if actor is not None and not is_organiser(actor):
        require_act_for(actor, delegation)
    if delegation.conference_id != round_.conference_id:
        raise NotFound("That delegation is not at this conference.")
    existing = db.session.scalar(
        sa.select(Report).where(Report.round_id == round_.id, Report.delegation_id == delegation.id)
    )
    if existing is not None:
        raise Conflict(
            f"{delegation.name} already has a report for this round (report {existing.id})."
        )
    keys = endorsed_keys(round_.declaration, delegation.id)
    if not keys:
        raise InvalidState(f"{delegation.name} endorsed no commitment of this declaration.")
    report = Report(round_id=round_.id, delegation_id=delegation.id, commitment_keys=keys)
    db.session.add(report)
    db.session.flush()
    log_event("reporting.report_created", report, actor=actor, conference_id=round_.conference_id)
    return report


def add_signatory_reports(
    declaration: Declaration, delegation_id: int, signature=None
) -> list[Report]:
    """A delegation signed: give it a report in every round of the declaration still open
    (deadline not passed) that lacks one. Never raises for a delegation with nothing endorsed.

    A handful of queries whatever the number of signatures: nothing is read when no round is
    open, and the endorsed commitments come from ``signature`` itself when it carries them."""
    today = utcnow().date()
    open_rounds = list(
        db.session.scalars(
            sa.select(ReportingRound)
            .where(
                ReportingRound.declaration_id == declaration.id, ReportingRound.deadline >= today
            )
            .order_by(ReportingRound.period_start, ReportingRound.id)
        )
    )
    if not open_rounds:
        return []
    keys = _signature_keys(declaration, signature)
    if keys is None:
        keys = endorsed_keys(declaration, delegation_id)
    if not keys:
        return []
    has_report = set(
        db.session.scalars(
            sa.select(Report.round_id).where(
                Report.round_id.in_([r.id for r in open_rounds]),
                Report.delegation_id == delegation_id,
            )
        )
    )
    added = []
    for round_ in open_rounds:
        if round_.id in has_report:
            continue
        report = Report(round_id=round_.id, delegation_id=delegation_id, commitment_keys=keys)
        db.session.add(report)
        db.session.flush()
        log_event(
            "reporting.report_created",
            report,
            actor=None,
            conference_id=round_.conference_id,
            data={"reason": "signed after the round was opened"},
        )
        added.append(report)
    return added


def _signature_keys(declaration: Declaration, signature) -> list[str] | None:
    """The commitments an active signature (not a support record) endorsed, read from the
    signature object; ``None`` when it does not say (then the coverage rule decides)."""
    kind = getattr(getattr(signature, "kind", None), "value", None)
    if (
        kind != "signature"
        or getattr(signature, "withdrawn_at", None) is not None
        or not hasattr(signature, "endorses_all")
    ):
        return None
    all_keys = [c["key"] for c in commitments(declaration)]
    if signature.endorses_all:
        return all_keys
    endorsed = set(signature.endorsed_keys or ())
    return [k for k in all_keys if k in endorsed]


# --- reports ---------------------------------------------------------------------------------


@dataclass
class EntryData:
    status: str = CommitmentStatus.not_started.value
    narrative: str = ""
    figures: dict | None = None
    evidence_links: list | None = None
    action_progress: dict | None = None


def require_draft(report: Report) -> None:
    if report.state != ReportState.draft:
        raise InvalidState(
            f"This report is {report.state.title.lower()} and locked: it can no longer be edited."
            + (
                " An organiser can send it back to draft."
                if report.state == ReportState.submitted
                else ""
            )
        )


def _clean_entry(report: Report, key: str, data: EntryData, action_ids: set[int], errors: dict):
    prefix = f"{key}."
    status = _enum(
        CommitmentStatus, data.status, field=prefix + "status", label="Status", errors=errors
    )
    narrative = _text(
        data.narrative, field=prefix + "narrative", label="Narrative", limit=MAX_TEXT, errors=errors
    )
    known = indicators()
    figures: dict[str, int] = {}
    for indicator, raw in (data.figures or {}).items():
        field = f"{prefix}figures.{indicator}"
        if indicator not in known:
            errors[field] = f"{indicator!r} is not one of the indicators: {', '.join(known)}."
            continue
        value = parse_figure(raw, field=field, label=known[indicator], errors=errors)
        if value is not None:
            figures[indicator] = value
    links: list[str] = []
    raw_links = data.evidence_links or []
    if len(raw_links) > MAX_LINKS:
        errors[prefix + "evidence_links"] = f"At most {MAX_LINKS} evidence links per commitment."
    for raw in raw_links[:MAX_LINKS]:
        url = clean_link(raw, field=prefix + "evidence_links", errors=errors)
        if url is not None and url not in links:
            links.append(url)
    progress: dict[str, str] = {}
    for action_id, text in (data.action_progress or {}).items():
        field = f"{prefix}action_progress.{action_id}"
        try:
            number = int(action_id)
        except (TypeError, ValueError):
            number = None
        if number not in action_ids:
            errors[field] = (
                f"National action {action_id} is not one of this delegation's for this commitment."
            )
            continue
        cleaned = _text(text, field=field, label="Progress", limit=MAX_TEXT, errors=errors)
        if cleaned:
            progress[str(number)] = cleaned
    return status, narrative, figures, links, progress


def save_report(report: Report, entries: dict[str, EntryData], *, actor) -> Report:
    """Write the entries given (others are left as they are). All or nothing."""
    require_act_for(actor, report.delegation)
    require_draft(report)
    errors: dict[str, str] = {}
    actions = actions_of(report.round.declaration, report.delegation_id)
    cleaned = {}
    for key, data in entries.items():
        if key not in report.commitment_keys:
            errors[f"{key}.status"] = (
                f"{report.delegation.name} did not endorse commitment {key!r}: a report covers "
                f"only the commitments the delegation endorsed."
            )
            continue
        ids = {a.id for a in actions if a.commitment_key == key}
        cleaned[key] = _clean_entry(report, key, data, ids, errors)
    if errors:
        raise ValidationFailed("The report has invalid fields; nothing was saved.", errors)
    for key, (status, narrative, figures, links, progress) in cleaned.items():
        entry = report.entry(key)
        if entry is None:
            entry = ReportEntry(report=report, commitment_key=key)
            db.session.add(entry)
        entry.status = status
        entry.narrative = narrative
        entry.evidence_links = links
        entry.action_progress = progress
        existing = {figure.indicator: figure for figure in entry.figures}
        for indicator, figure in existing.items():
            if indicator not in figures:
                entry.figures.remove(figure)
        for indicator, value in figures.items():
            if indicator in existing:
                existing[indicator].value = value
            else:
                entry.figures.append(ReportFigure(indicator=indicator, value=value))
    if not has_pending_changes():
        return report  # the same entries again change nothing (the API answers 422)
    report.updated_at = utcnow()
    db.session.flush()
    log_event(
        "reporting.report_saved",
        report,
        actor=actor,
        conference_id=report.round.conference_id,
        data={"commitments": sorted(cleaned)},
    )
    return report


def _snapshot(report: Report) -> None:
    actions = actions_of(report.round.declaration, report.delegation_id)
    for key in report.commitment_keys:
        entry = report.entry(key)
        if entry is None:
            entry = ReportEntry(report=report, commitment_key=key)
            db.session.add(entry)
        entry.actions_snapshot = [
            {
                "id": a.id,
                "title": a.title,
                "lead_agency": a.lead_agency,
                "status": a.status.value,
                "target_date": a.target_date.isoformat() if a.target_date else None,
                "progress": (entry.action_progress or {}).get(str(a.id), ""),
            }
            for a in actions
            if a.commitment_key == key
        ]


def submit_report(report: Report, *, actor) -> Report:
    require_act_for(actor, report.delegation)
    require_draft(report)
    _snapshot(report)
    now = utcnow()
    report.state = ReportState.submitted
    report.submitted_at = now
    report.submitted_by_id = getattr(actor, "id", None)
    db.session.flush()
    log_event(
        "reporting.report_submitted",
        report,
        actor=actor,
        conference_id=report.round.conference_id,
        data={"late": report.is_late},
    )
    return report


def _require_submitted(report: Report, what: str) -> None:
    if report.state != ReportState.submitted:
        raise InvalidState(
            f"Only a submitted report can be {what}; this one is {report.state.title.lower()}."
        )


def review_report(report: Report, *, actor, comment: str = "") -> Report:
    require_organiser(actor)
    _require_submitted(report, "reviewed")
    errors: dict[str, str] = {}
    comment = _text(comment, field="comment", label="Comment", limit=MAX_TEXT, errors=errors)
    if errors:
        raise ValidationFailed("The review has invalid fields.", errors)
    report.state = ReportState.reviewed
    report.reviewed_at = utcnow()
    report.reviewed_by_id = getattr(actor, "id", None)
    if comment:
        report.review_comment = comment
    db.session.flush()
    log_event(
        "reporting.report_reviewed", report, actor=actor, conference_id=report.round.conference_id
    )
    return report


def return_report(report: Report, *, comment: str, actor) -> Report:
    """Send a submitted report back to its delegation, saying what to change."""
    require_organiser(actor)
    _require_submitted(report, "sent back")
    errors: dict[str, str] = {}
    comment = _text(
        comment, field="comment", label="Comment", limit=MAX_TEXT, errors=errors, required=True
    )
    if errors:
        raise ValidationFailed("Say what the delegation should change.", errors)
    report.state = ReportState.draft
    report.submitted_at = None
    report.submitted_by_id = None
    report.returned_at = utcnow()
    report.review_comment = comment
    db.session.flush()
    log_event(
        "reporting.report_returned",
        report,
        actor=actor,
        conference_id=report.round.conference_id,
        data={"comment": comment},
    )
    return report


# --- overview --------------------------------------------------------------------------------


def cell_status(report: Report | None, key: str) -> str:
    """What the matrix shows for one delegation and commitment."""
    if report is None or key not in report.commitment_keys:
        return "not_endorsed"
    if report.state == ReportState.draft:
        return "not_reported"
    entry = report.entry(key)
    return entry.status.value if entry is not None else CommitmentStatus.not_started.value


CELL_LABELS = {
    "achieved": ("Achieved", "●"),
    "in_progress": ("In progress", "◐"),
    "not_started": ("Not started", "○"),
    "not_reported": ("Not reported", "?"),
    "not_endorsed": ("Not endorsed", "\u2013"),
}


def matrix(round_: ReportingRound, group: str | None = None) -> dict:
    items = commitments(round_.declaration)
    statement = (
        sa.select(Report)
        .join(Delegation, Delegation.id == Report.delegation_id)
        .where(Report.round_id == round_.id)
        .order_by(Delegation.name)
    )
    if group:
        statement = statement.where(Delegation.group == group)
    rows = []
    for report in db.session.scalars(statement):
        rows.append(
            {
                "report": report,
                "delegation": report.delegation,
                "cells": [cell_status(report, c["key"]) for c in items],
            }
        )
    return {"commitments": items, "rows": rows}


def progress_series(declaration: Declaration) -> dict:
    """Per commitment and round, how many covered delegations report each status."""
    rounds = rounds_of(declaration)
    items = commitments(declaration)
    series = []
    for item in items:
        points = []
        for round_ in rounds:
            counts = dict.fromkeys(("achieved", "in_progress", "not_started", "not_reported"), 0)
            for report in round_.reports:
                status = cell_status(report, item["key"])
                if status in counts:
                    counts[status] += 1
            points.append({"round": round_, "counts": counts, "total": sum(counts.values())})
        series.append({"commitment": item, "points": points})
    return {"rounds": rounds, "series": series}


# --- reminders -------------------------------------------------------------------------------


def reminder_recipients(delegation: Delegation) -> list[str]:
    from alliance_conf.auth.models import User

    emails = db.session.scalars(
        sa.select(User.email)
        .join(Registration, Registration.user_id == User.id)
        .where(
            Registration.delegation_id == delegation.id,
            Registration.status == RegistrationStatus.approved,
        )
        .order_by(User.email)
    ).all()
    registrations = db.session.scalars(
        sa.select(Registration).where(
            Registration.delegation_id == delegation.id,
            Registration.status == RegistrationStatus.approved,
        )
    ).all()
    authorised = {r.user.email for r in registrations if is_authorised(r)}
    recipients = [e for e in emails if e in authorised]
    if delegation.contact_email and delegation.contact_email not in recipients:
        recipients.append(delegation.contact_email)
    return recipients


def reminder_kind(report: Report, today: date) -> str | None:
    """``"due"`` in the days before the deadline, ``"overdue"`` after it, else None."""
    if report.state != ReportState.draft:
        return None
    days_before = int(current_app.config.get("REPORTING_REMINDER_DAYS_BEFORE", 14))
    deadline = report.round.deadline
    if today > deadline:
        return "overdue"
    if (deadline - today).days <= days_before and today >= report.round.period_end:
        return "due"
    return None


@dataclass
class ReminderResult:
    sent: list[tuple[Report, str, list[str]]]
    skipped_recent: int = 0
    skipped_no_address: int = 0


def send_reminders(
    rounds: list[ReportingRound], *, actor, now: datetime | None = None, send=None
) -> ReminderResult:
    """Remind every draft report due soon or overdue, at most once a day per report."""
    from plugins.reporting.mail import send_mail

    if actor is not None:
        require_organiser(actor)
    send = send or send_mail
    now = now or utcnow()
    result = ReminderResult(sent=[])
    for round_ in rounds:
        for report in round_.reports:
            kind = reminder_kind(report, now.date())
            if kind is None:
                continue
            if (
                report.last_reminder_at is not None
                and now - report.last_reminder_at < REMINDER_INTERVAL
            ):
                result.skipped_recent += 1
                continue
            recipients = reminder_recipients(report.delegation)
            if not recipients:
                result.skipped_no_address += 1
                continue
            subject, body = reminder_message(report, kind)
            send(recipients, subject, body)
            report.last_reminder_at = now
            report.reminders_sent = (report.reminders_sent or 0) + 1
            db.session.flush()
            log_event(
                "reporting.reminder_sent",
                report,
                actor=actor,
                conference_id=round_.conference_id,
                data={"kind": kind, "recipients": len(recipients)},
            )
            result.sent.append((report, kind, recipients))
    return result


def reminder_message(report: Report, kind: str) -> tuple[str, str]:
    round_ = report.round
    deadline = round_.deadline.strftime("%-d %B %Y")
    if kind == "overdue":
        subject = f"Overdue: {report.delegation.name}'s report for {round_.title}"
        opening = f"The report of {report.delegation.name} for {round_.title} was due on {deadline} and has not been submitted yet."
    else:
        subject = (
            f"Reminder: {report.delegation.name}'s report for {round_.title} is due on {deadline}"
        )
        opening = f"The report of {report.delegation.name} for {round_.title} is due on {deadline}."
    base = current_app.config.get("PUBLIC_BASE_URL") or ""
    link = (
        f"{base.rstrip('/')}/reporting/reports/{report.id}"
        if base
        else f"/reporting/reports/{report.id}"
    )
    body = (
        f"{opening}\n\nPeriod covered: {round_.period_start.isoformat()} to "
        f"{round_.period_end.isoformat()}.\nFill it in and submit it here: {link}\n\n"
        "You receive this message as an authorised member of the delegation."
    )
    return " ".join(subject.split()), body
