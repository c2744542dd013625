from __future__ import annotations

import click
from flask.cli import with_appcontext

from alliance_conf.conferences.operations import get_conference
from alliance_conf.core.cli import domain_errors
from alliance_conf.core.errors import NotFound
from alliance_conf.extensions import db
from alliance_conf.i18n import _, ngettext
from alliance_conf.invitations import operations


@click.group("invitations", help="Invite people to register for a delegation.")
def invitations_cli():
    pass


@invitations_cli.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--conference", "slug", required=True, help="The conference's slug.")
@with_appcontext
@domain_errors
def import_command(file, slug):
    """Invite every row of a CSV (delegation,email,name); all rows or none."""
    conference = get_conference(slug)
    report = operations.import_invitations(conference, file.read())
    db.session.commit()
    click.echo(
        ngettext(
            "%(num)d invitation sent, %(skipped)s skipped.",
            "%(num)d invitations sent, %(skipped)s skipped.",
            len(report.created),
            skipped=len(report.skipped),
        )
    )
    for line in report.skipped:
        click.echo("  " + _("skipped %(line)s", line=line))


@invitations_cli.command("send")
@click.option("--conference", "slug", required=True, help="The conference's slug.")
@click.option("--delegation", "key", required=True, help="Country code or organisation name.")
@click.option("--email", required=True)
@click.option("--name", default="", help="The person's name (optional).")
@with_appcontext
@domain_errors
def send_command(slug, key, email, name):
    """Invite one person to register for a delegation."""
    conference = get_conference(slug)
    delegation = operations.find_delegation(conference, key)
    if delegation is None:
        raise NotFound(_("There is no delegation %(key)s in %(slug)s.", key=repr(key), slug=slug))
    invitation, _token = operations.create_invitation(delegation, email, full_name=name)
    db.session.commit()
    click.echo(
        _(
            "Invitation %(id)s sent to %(email)s for %(delegation)s.",
            id=invitation.id,
            email=invitation.email,
            delegation=delegation.name,
        )
    )
