"""Reporting rounds: opening one with a report per delegation asked, adding reports for
later signatories, and the reminders before and after the deadline. Callers commit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from alliance_conf.audit.operations import log_event
from alliance_conf.auth.access import is_organiser, require_organiser
from alliance_conf.core.db import utcnow
from alliance_conf.core.errors import (
    Conflict,
    InvalidState,
    NotFound,
    ValidationFailed,
)
from alliance_conf.declarations.models import Declaration
from alliance_conf.declarations.operations import is_authorised
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.formatting import format_date
from alliance_conf.i18n import _, force_locale
from alliance_conf.plugins import hook
from alliance_conf.registrations.models import Registration, RegistrationStatus
from plugins.reporting.access import require_act_for
from plugins.reporting.models import (
    Report,
    ReportingRound,
    ReportState,
)
from plugins.reporting.operations import (
    MAX_ROUND_TITLE,
    clean_text,
    commitments,
    coverage,
    endorsed_keys,
)

REMINDER_INTERVAL = timedelta(days=1)


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
    title = clean_text(
        title,
        field="title",
        label=_("Title"),
        limit=MAX_ROUND_TITLE,
        errors=errors,
        required=True,
    )
    title = " ".join(title.split())
    for name, value, label in (
        ("period_start", period_start, _("Start of the period")),
        ("period_end", period_end, _("End of the period")),
        ("deadline", deadline, _("Deadline")),
    ):
        if not isinstance(value, date):
            errors[name] = _("%(label)s is required (a date, YYYY-MM-DD).", label=label)
    if not errors:
        if period_end < period_start:
            errors["period_end"] = _("The period cannot end before it starts.")
        elif deadline < period_end:
            errors["deadline"] = _(
                "The deadline (%(deadline)s) is before the end of the period covered "
                "(%(period_end)s): delegations cannot report on a period before it ends.",
                deadline=deadline.isoformat(),
                period_end=period_end.isoformat(),
            )
    if errors:
        raise ValidationFailed(_("The reporting round has invalid fields."), errors)
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
        raise NotFound(_("That delegation is not at this conference."))
    existing = db.session.scalar(
        sa.select(Report).where(Report.round_id == round_.id, Report.delegation_id == delegation.id)
    )
    if existing is not None:
        raise Conflict(
            _(
                "%(delegation)s already has a report for this round (report %(id)s).",
                delegation=delegation.name,
                id=existing.id,
            )
        )
    keys = endorsed_keys(round_.declaration, delegation.id)
    if not keys:
        raise InvalidState(
            _(
                "%(delegation)s endorsed no commitment of this declaration.",
                delegation=delegation.name,
            )
        )
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


def recipient_language(email: str) -> str:
    """The language a reminder to ``email`` is written in: the account's chosen language, else
    the installation's default (a delegation's contact address may have no account)."""
    from alliance_conf.auth.models import User
    from alliance_conf.i18n import configured_languages

    language = db.session.scalar(
        sa.select(User.language).where(sa.func.lower(User.email) == email.lower()).limit(1)
    )
    if language in configured_languages():
        return language
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def by_language(recipients: list[str]) -> list[tuple[str, list[str]]]:
    """The recipients grouped by the language they read, in the order first met."""
    groups: dict[str, list[str]] = {}
    for email in recipients:
        groups.setdefault(recipient_language(email), []).append(email)
    return list(groups.items())


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
            for language, group in by_language(recipients):
                with force_locale(language):
                    subject, body = reminder_message(report, kind)
                send(group, subject, body)
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
            if kind == "overdue":
                hook().alliance_report_overdue(report=report, actor=actor)
    return result


def reminder_message(report: Report, kind: str) -> tuple[str, str]:
    """Subject and text of a reminder, in the current language (callers force the
    recipient's)."""
    round_ = report.round
    conference = round_.conference
    names = {
        "delegation": report.delegation.name,
        "round": round_.title,
        "deadline": format_date(round_.deadline, conference),
    }
    if kind == "overdue":
        subject = _("Overdue: %(delegation)s's report for %(round)s", **names)
        opening = _(
            "The report of %(delegation)s for %(round)s was due on %(deadline)s and has not been "
            "submitted yet.",
            **names,
        )
    else:
        subject = _(
            "Reminder: %(delegation)s's report for %(round)s is due on %(deadline)s", **names
        )
        opening = _("The report of %(delegation)s for %(round)s is due on %(deadline)s.", **names)
    base = current_app.config.get("PUBLIC_BASE_URL") or ""
    link = (
        f"{base.rstrip('/')}/reporting/reports/{report.id}"
        if base
        else f"/reporting/reports/{report.id}"
    )
    period = _(
        "Period covered: %(start)s to %(end)s.",
        start=format_date(round_.period_start, conference),
        end=format_date(round_.period_end, conference),
    )
    fill_in = _("Fill it in and submit it here: %(link)s", link=link)
    why = _("You receive this message as an authorised member of the delegation.")
    body = f"{opening}\n\n{period}\n{fill_in}\n\n{why}"
    return re.sub(r"[ \t\r\n]+", " ", subject).strip(), body  # keeps no-break spaces
