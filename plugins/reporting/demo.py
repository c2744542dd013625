"""The first reporting round of the seed conference, played as the last part of its week.

A round covers the commitments the signatories endorsed (``operations.coverage``), so it is
opened only once the declaration has signatures: never on the day-one draft. In the week
(``alliance_demo_week``) the organiser opens it on 15 January 2013 (period 5 December 2012 to
31 December 2013, deadline 31 March 2014), one report per signatory; France and the Netherlands
report and are reviewed, the United States report on the deadline, Romania late (May 2014),
Japan on the three commitments it endorsed; the others' reports are still drafts. Each
delegation's national action, report and submission are made by its own signatory, the review
by the organiser, all at the story's dates.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from alliance_conf.declarations.models import Declaration
from alliance_conf.extensions import db
from alliance_conf.i18n import _
from plugins.reporting import actions, operations, reports, rounds
from plugins.reporting.models import ActionStatus, Report, ReportingRound, ReportState

ROUND_TITLE = "First progress report (2013)"
OPENED = (2013, 1, 15)
# delegation: (state, submitted on, status of commitment 1, victims identified, prosecuted)
EXAMPLES = {
    "FR": ("reviewed", date(2014, 3, 20), "achieved", 214, 96),
    "NL": ("reviewed", date(2014, 2, 28), "in_progress", 131, 54),
    "US": ("submitted", date(2014, 3, 31), "in_progress", 1203, 512),
    "RO": ("submitted", date(2014, 5, 6), "not_started", None, None),
}


def _declaration(conference) -> Declaration | None:
    return db.session.scalar(
        sa.select(Declaration)
        .where(Declaration.conference_id == conference.id)
        .order_by(Declaration.id)
        .limit(1)
    )


def _existing_round(declaration: Declaration) -> int | None:
    return db.session.scalar(
        sa.select(ReportingRound.id).where(
            ReportingRound.declaration_id == declaration.id, ReportingRound.title == ROUND_TITLE
        )
    )


def load_demo_reporting(conference, accounts, week=None) -> ReportingRound | None:
    """Open the demo round and play its reports (idempotent), at the story's dates when
    ``week`` gives its clock. Nothing while no delegation has signed: a round asks the
    signatories to report on what they endorsed (the day-one seed has none, and no round)."""
    declaration = _declaration(conference)
    if declaration is None or _existing_round(declaration) is not None:
        return None
    if operations.coverage(declaration)[0] != "signatures":
        return None
    organiser = accounts.get("organiser")
    _at(week, date(*OPENED), 10)
    round_ = rounds.open_round(
        declaration,
        title=ROUND_TITLE,
        period_start=conference.start_date,
        period_end=date(2013, 12, 31),
        deadline=date(2014, 3, 31),
        actor=organiser,
    )
    _commit(week)
    by_code = {r.delegation.country_code: r for r in round_.reports}
    for code, example in EXAMPLES.items():
        report = by_code.get(code)
        if report is not None:
            _play_report(week, declaration, report, example, organiser)
    return round_


def _at(week, day: date, hour: int) -> None:
    if week is not None:
        from alliance_conf.demo.week import brussels

        week.at(brussels(day.day, hour, month=day.month, year=day.year))


def _commit(week) -> None:
    if week is not None:
        week.commit()
    else:
        db.session.flush()


def _signatory(report: Report):
    """The person who acts for the report's delegation: its signatory."""
    from alliance_conf.registrations.models import Registration, RegistrationStatus

    registration = db.session.scalar(
        sa.select(Registration).where(
            Registration.delegation_id == report.delegation_id,
            Registration.status == RegistrationStatus.approved,
            Registration.is_signatory.is_(True),
        )
    )
    return registration.user if registration is not None else None


def _play_report(week, declaration, report: Report, example, organiser) -> None:
    state, day, status, victims, prosecuted = example
    actor = _signatory(report)
    if actor is None:
        return
    delegation = report.delegation
    keys = report.commitment_keys
    first = keys[0]
    _at(week, date(2013, 2, 4), 11)
    action = actions.create_action(
        declaration,
        delegation,
        actions.ActionData(
            commitment_key=first,
            title="National victim identification unit",
            description="A dedicated team comparing seized material with the international "
            "database.",
            lead_agency="National police",
            target_date=date(2014, 6, 30),
            status=ActionStatus.completed.value
            if status == "achieved"
            else ActionStatus.in_progress.value,
        ),
        actor=actor,
    )
    _commit(week)
    entries = {
        first: reports.EntryData(
            status=status,
            narrative=f"{delegation.name} set up its victim identification work in the period.",
            figures={"victims_identified": victims, "offenders_prosecuted": prosecuted},
            evidence_links=["https://www.europol.europa.eu/"],
            action_progress={
                str(action.id): "Team staffed; connected to the international database."
            },
        ),
    }
    for key in keys[1:]:
        entries[key] = reports.EntryData(
            status="in_progress" if status != "not_started" else "not_started"
        )
    _at(week, day, 9)
    reports.save_report(report, entries, actor=actor)
    _at(week, day, 10)
    reports.submit_report(report, actor=actor)
    _commit(week)
    if state == "reviewed":
        reviewed = date.fromordinal(day.toordinal() + 7)
        _at(week, reviewed, 15)
        reports.review_report(report, actor=organiser, comment="Thank you: clear and complete.")
        _commit(week)


def play_week(week) -> list[str]:
    load_demo_reporting(week.conference, week.accounts, week)
    return summary(week.declaration)


def summary(declaration: Declaration) -> list[str]:
    round_ = db.session.scalar(
        sa.select(ReportingRound).where(
            ReportingRound.declaration_id == declaration.id, ReportingRound.title == ROUND_TITLE
        )
    )
    if round_ is None:
        return [_("Reporting: no round (nothing is signed).")]
    states = [r.state for r in round_.reports]
    return [
        _(
            "Reporting round “%(title)s”: %(reports)s reports (one per signatory), "
            "%(submitted)s submitted, %(reviewed)s reviewed.",
            title=round_.title,
            reports=len(states),
            submitted=sum(1 for s in states if s == ReportState.submitted),
            reviewed=sum(1 for s in states if s == ReportState.reviewed),
        )
    ]
