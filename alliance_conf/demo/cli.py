from __future__ import annotations

import click
from flask.cli import with_appcontext

from alliance_conf.core.cli import domain_errors
from alliance_conf.demo.operations import load_demo
from alliance_conf.extensions import db
from alliance_conf.i18n import _, ngettext


@click.group("demo", help="The seed conference for trying alliance-conf out.")
def demo_cli():
    pass


@demo_cli.command("load")
@with_appcontext
@domain_errors
def load():
    """Create the 2012 Global Alliance launch conference (safe to run again)."""
    result = load_demo()
    db.session.commit()
    conference = result.conference
    total = conference.delegations.count()
    delegations = ngettext("%(num)d delegation", "%(num)d delegations", total)
    added = ngettext("%(num)d added now", "%(num)d added now", result.delegations_added)
    if result.created_conference:
        message = _(
            "Created conference '%(slug)s' with %(delegations)s (%(added)s).",
            slug=conference.slug,
            delegations=delegations,
            added=added,
        )
    else:
        message = _(
            "Found conference '%(slug)s' with %(delegations)s (%(added)s).",
            slug=conference.slug,
            delegations=delegations,
            added=added,
        )
    click.echo(message)
    if result.new_passwords:
        rows = [
            f"{key:<10} {user.email:<36} {password}"
            for key, (user, password) in result.new_passwords.items()
        ]
        click.echo(_boxed(_("Demo accounts (passwords are shown only this once)"), rows))
    else:
        click.echo(
            _("Demo accounts already exist; their passwords were printed on the first load.")
        )


def _boxed(title: str, rows: list[str]) -> str:
    """Frame the demo accounts so a newcomer finds them among the install and server output."""
    width = max(len(title), *(len(row) for row in rows))
    edge = "+" + "-" * (width + 2) + "+"
    body = [f"| {title:<{width}} |", edge, *(f"| {row:<{width}} |" for row in rows)]
    return "\n".join(["", edge, *body, edge, ""])
