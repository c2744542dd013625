from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from alliance_conf.core.cli import domain_errors
from alliance_conf.extensions import db
from alliance_conf.i18n import _, ngettext
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
        click.echo(_("No reporting round."))
    for round_ in found:
        reports = round_.reports
        submitted = sum(1 for r in reports if r.state != ReportState.draft)
        late = sum(1 for r in reports if r.is_late)
        click.echo(
            "\t".join(
                [
                    str(round_.id),
                    round_.title,
                    _(
                        "%(start)s to %(end)s",
                        start=round_.period_start.isoformat(),
                        end=round_.period_end.isoformat(),
                    ),
                    _("deadline %(deadline)s", deadline=round_.deadline.isoformat()),
                    _("%(submitted)s/%(total)s submitted", submitted=submitted, total=len(reports)),
                    _("%(late)s late", late=late),
                ]
            )
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
            ngettext(
                "%(kind)s: %(delegation)s (%(round)s) -> %(num)d address",
                "%(kind)s: %(delegation)s (%(round)s) -> %(num)d addresses",
                len(recipients),
                kind=kind,
                delegation=report.delegation.name,
                round=report.round.title,
            )
        )
    click.echo(
        "; ".join(
            [
                ngettext("%(num)d reminder sent", "%(num)d reminders sent", len(result.sent)),
                ngettext(
                    "%(num)d already reminded in the last 24 hours",
                    "%(num)d already reminded in the last 24 hours",
                    result.skipped_recent,
                ),
                ngettext(
                    "%(num)d without an address.",
                    "%(num)d without an address.",
                    result.skipped_no_address,
                ),
            ]
        )
    )


@reporting_cli.command("report", help="Write the consolidated progress report of ROUND (.docx).")
@click.argument("round_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
@domain_errors
def report(round_id: int, out: Path):
    from plugins.reporting import exports

    if not plugin_enabled("documents"):
        raise click.ClickException(_("The documents plugin is disabled: no Word report."))
    round_ = operations.get_round(round_id)
    data = exports.round_docx(round=round_)
    from plugins.documents.cli import write_atomically

    write_atomically(out, data)
    size = f"{len(data):,}"
    click.echo(
        ngettext(
            "Wrote the progress report of %(round)s to %(path)s (%(size)s byte).",
            "Wrote the progress report of %(round)s to %(path)s (%(size)s bytes).",
            len(data),
            round=repr(round_.title),
            path=str(out),
            size=size,
        )
    )
