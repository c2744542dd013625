"""Reporting rounds: opening one with a report per delegation asked, adding reports for
later signatories, and the reminders before and after the deadline. Callers commit."""

from __future__ import annotations

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
            if kind == "overdue":
                hook().alliance_report_overdue(report=report, actor=actor)
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
