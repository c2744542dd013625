from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from alliance_conf.conferences.operations import get_conference
from alliance_conf.core.cli import domain_errors
from alliance_conf.delegations import operations
from alliance_conf.delegations.imports import import_delegations
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.i18n import _

conference_option = click.option(
    "--conference", "slug", required=True, help="The conference's slug, e.g. global-alliance-2012."
)


@click.group("delegations", help="Manage the delegations of a conference.")
def delegations_cli():
    pass


@delegations_cli.command("import")
@click.argument("file", type=click.File("rb"))
@conference_option
@with_appcontext
@domain_errors
def import_command(file, slug):
    """Create or update delegations from a CSV FILE (all rows or none)."""
    conference = get_conference(slug)
    report = import_delegations(conference, file.read())
    db.session.commit()
    click.echo(report.summary())


@delegations_cli.command("list")
@conference_option
@with_appcontext
@domain_errors
def list_command(slug):
    """Print the delegations: id, code or organisation, group, quota, status."""
    conference = get_conference(slug)
    rows = db.session.scalars(
        sa.select(Delegation)
        .where(Delegation.conference_id == conference.id)
        .order_by(Delegation.name)
    )
    for d in rows:
        quota = "-" if d.delegate_quota is None else d.delegate_quota
        state = "active" if d.active else "deactivated"
        click.echo(f"{d.id}\t{d.country_code or ''}\t{d.name}\t{d.group}\t{quota}\t{state}")


@delegations_cli.command("create")
@conference_option
@click.option("--country", "country_code", help="ISO 3166-1 alpha-2 code, for a state.")
@click.option("--organisation", "organisation_name", help="Name, for an organisation.")
@click.option("--group", required=True)
@click.option("--contact-email")
@click.option("--quota", "delegate_quota", type=int)
@with_appcontext
@domain_errors
def create_command(slug, **fields):
    """Add one delegation."""
    delegation = operations.create_delegation(get_conference(slug), **fields)
    db.session.commit()
    click.echo(_("Created %(name)s (id %(id)s).", name=delegation.display_name, id=delegation.id))


@delegations_cli.command("update")
@conference_option
@click.argument("delegation_id", type=int)
@click.option("--group")
@click.option("--contact-email", help="An empty string removes the contact.")
@click.option("--quota", "delegate_quota", help="A number, or 'none' for no limit.")
@click.option("--organisation-name", help="An organisation's new name (not for a state).")
@with_appcontext
@domain_errors
def update_command(slug, delegation_id, group, contact_email, delegate_quota, organisation_name):
    """Change a delegation's group, contact e-mail, quota or organisation name."""
    delegation = operations.get_delegation(get_conference(slug), delegation_id)
    changes = {}
    if organisation_name is not None:
        changes["organisation_name"] = organisation_name
    if group is not None:
        changes["group"] = group
    if contact_email is not None:
        changes["contact_email"] = contact_email or None
    if delegate_quota is not None:
        if delegate_quota.lower() == "none":
            changes["delegate_quota"] = None
        elif delegate_quota.isdigit():
            changes["delegate_quota"] = int(delegate_quota)
        else:
            raise click.BadParameter(_("a whole number or 'none'"), param_hint="--quota")
    operations.update_delegation(delegation, **changes)
    db.session.commit()
    click.echo(_("Saved %(name)s.", name=delegation.display_name))


@delegations_cli.command("deactivate")
@conference_option
@click.argument("delegation_id", type=int)
@with_appcontext
@domain_errors
def deactivate_command(slug, delegation_id):
    delegation = operations.get_delegation(get_conference(slug), delegation_id)
    operations.deactivate_delegation(delegation)
    db.session.commit()
    click.echo(_("Deactivated %(name)s.", name=delegation.display_name))


@delegations_cli.command("reactivate")
@conference_option
@click.argument("delegation_id", type=int)
@with_appcontext
@domain_errors
def reactivate_command(slug, delegation_id):
    delegation = operations.get_delegation(get_conference(slug), delegation_id)
    operations.reactivate_delegation(delegation)
    db.session.commit()
    click.echo(_("Reactivated %(name)s.", name=delegation.display_name))
