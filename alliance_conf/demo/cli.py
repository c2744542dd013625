from __future__ import annotations

import click
from flask.cli import with_appcontext

from alliance_conf.core.cli import domain_errors
from alliance_conf.demo.operations import load_demo
from alliance_conf.extensions import db


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
    verb = "Created" if result.created_conference else "Found"
    total = conference.delegations.count()
    click.echo(
        f"{verb} conference {conference.slug!r} with {total} delegations "
        f"({result.delegations_added} added now)."
    )
    if result.new_passwords:
        rows = [
            f"{key:<10} {user.email:<36} {password}"
            for key, (user, password) in result.new_passwords.items()
        ]
        click.echo(_boxed("Demo accounts (passwords are shown only this once)", rows))
    else:
        click.echo("Demo accounts already exist; their passwords were printed on the first load.")


def _boxed(title: str, rows: list[str]) -> str:
    """Frame the demo accounts so a newcomer finds them among the install and server output."""
    width = max(len(title), *(len(row) for row in rows))
    edge = "+" + "-" * (width + 2) + "+"
    body = [f"| {title:<{width}} |", edge, *(f"| {row:<{width}} |" for row in rows)]
    return "\n".join(["", edge, *body, edge, ""])
