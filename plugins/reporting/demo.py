"""A first reporting round on the seed conference, with a few example reports (idempotent).

Nothing is signed in the demo, so the round covers every active delegation on every commitment
(``coverage="assumed"``, see ``operations.coverage``). Four delegations have reported (two
reviewed, one submitted, one submitted late); Belgium's report is left as a draft so the demo
head of delegation can fill it in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from alliance_conf.declarations.models import Declaration
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from plugins.reporting import actions, operations, reports, rounds
from plugins.reporting.models import ActionStatus, ReportingRound

ROUND_TITLE = "First progress report (2013)"
EXAMPLES = {
    "FR": ("reviewed", date(2014, 3, 20), "achieved", 214, 96),
    "NL": ("reviewed", date(2014, 2, 28), "in_progress", 131, 54),
    "US": ("submitted", date(2014, 3, 31), "in_progress", 1203, 512),
    "RO": ("submitted", date(2014, 5, 6), "not_started", None, None),
}


def load_demo_reporting(conference, accounts) -> ReportingRound | None:
    declaration = db.session.scalar(
        sa.select(Declaration)
        .where(Declaration.conference_id == conference.id)
        .order_by(Declaration.id)
        .limit(1)
    )
    if declaration is None:
        return None
    exists = db.session.scalar(
        sa.select(ReportingRound.id).where(
            ReportingRound.declaration_id == declaration.id, ReportingRound.title == ROUND_TITLE
        )
    )
    if exists is not None:
        return None
    round_ = rounds.open_round(
        declaration,
        title=ROUND_TITLE,
        period_start=conference.start_date,
        period_end=date(2013, 12, 31),
        deadline=date(2014, 3, 31),
        actor=None,
    )
    by_code = {r.delegation.country_code: r for r in round_.reports}
    keys = [c["key"] for c in operations.commitments(declaration)]
    for code, (state, day, status, victims, prosecuted) in EXAMPLES.items():
        report = by_code.get(code)
        if report is None:
            continue
        delegation: Delegation = report.delegation
        action = actions.create_action(
            declaration,
            delegation,
            actions.ActionData(
                commitment_key=keys[0],
                title="National victim identification unit",
                description="A dedicated team comparing seized material with the international database.",
                lead_agency="National police",
                target_date=date(2014, 6, 30),
                status=ActionStatus.in_progress.value
                if status != "achieved"
                else ActionStatus.completed.value,
            ),
            actor=None,
        )
        entries = {
            keys[0]: reports.EntryData(
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
        reports.save_report(report, entries, actor=None)
        reports.submit_report(report, actor=None)
        report.submitted_at = datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)
        if state == "reviewed":
            reports.review_report(report, actor=None, comment="Thank you: clear and complete.")
            report.reviewed_at = report.submitted_at + timedelta(days=7)
    db.session.flush()
    return round_
