from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from alliance_conf.core.cli import domain_errors
from alliance_conf.extensions import db
from alliance_conf.plugins import plugin_enabled
from plugins.reporting import operations
from plugins.reporting.models import ReportingRound, ReportState
from plugins.reporting.rounds import send_reminders


@click.group("reporting", help="Follow-up reporting: rounds, reports, reminders.")
def reporting_cli():
    pass


@reporting_cli.command("rounds", help="List the reporting rounds with their progress.")
@with_appcontext
@domain_errors
def rounds():
    found = db.session.scalars(sa.select(ReportingRound).order_by(ReportingRound.id)).all()
    if not found:
        click.echo("No reporting round.")
    for round_ in found:
        reports = round_.reports
        submitted = sum(1 for r in reports if r.state != ReportState.draft)
        late = sum(1 for r in reports if r.is_late)
        click.echo(
            f"{round_.id}\t{round_.title}\t{round_.period_start} to {round_.period_end}\t"
            f"deadline {round_.deadline}\t{submitted}/{len(reports)} submitted\t{late} late"
        )


@reporting_cli.command(
    "remind",
    help="E-mail the delegations whose report is due soon or overdue (at most once a day each).",
)
@click.option("--round", "round_id", type=int, help="Only this round (default: every round).")
@with_appcontext
@domain_errors
def remind(round_id: int | None):
    if round_id is not None:
        targets = [operations.get_round(round_id)]
    else:
        targets = list(db.session.scalars(sa.select(ReportingRound).order_by(ReportingRound.id)))
    result = send_reminders(targets, actor=None)
    db.session.commit()
    for report, kind, recipients in result.sent:
        click.echo(
            f"{kind}: {report.delegation.name} ({report.round.title}) -> {len(recipients)} address(es)"
        )
    click.echo(
        f"{len(result.sent)} reminder(s) sent; {result.skipped_recent} already reminded in the "
        f"last 24 hours; {result.skipped_no_address} without an address."
    )


@reporting_cli.command("report", help="Write the consolidated progress report of ROUND (.docx).")
@click.argument("round_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
@domain_errors
def report(round_id: int, out: Path):
    from plugins.reporting import exports

    if not plugin_enabled("documents"):
        raise click.ClickException("The documents plugin is disabled: no Word report.")
    round_ = operations.get_round(round_id)
    data = exports.round_docx(round=round_)
    from plugins.documents.cli import write_atomically

    write_atomically(out, data)
    click.echo(f"Wrote the progress report of {round_.title!r} to {out} ({len(data):,} bytes).")
