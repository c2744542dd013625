from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from alliance_conf.core.cli import domain_errors
from alliance_conf.extensions import db
from alliance_conf.i18n import _
from alliance_conf.mail.models import MailMessage, MailStatus
from alliance_conf.mail.operations import deliver


@click.group("mail", help="The outbox: list messages and resend the ones that failed.")
def mail_cli():
    pass


@mail_cli.command("retry")
@with_appcontext
@domain_errors
def retry():
    """Send every failed or still queued message again."""
    report = deliver(retry_failed=True)
    click.echo(_("Sent %(sent)s, failed %(failed)s.", sent=report.sent, failed=report.failed))
    if report.failed:
        raise SystemExit(1)


@mail_cli.command("list")
@click.option("--status", type=click.Choice([s.value for s in MailStatus]), default=None)
@with_appcontext
def list_messages(status):
    """Show the outbox, newest first."""
    statement = sa.select(MailMessage).order_by(MailMessage.id.desc()).limit(200)
    if status:
        statement = statement.where(MailMessage.status == status)
    for message in db.session.scalars(statement):
        error = f"  ({message.last_error})" if message.last_error else ""
        click.echo(
            f"{message.id:>6} {message.status:<7} {message.to_address:<40} {message.subject}{error}"
        )
