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
        click.echo("Demo accounts (passwords are shown only this once):")
        for key, (user, password) in result.new_passwords.items():
            click.echo(f"  {key:<10} {user.email:<36} {password}")
    else:
        click.echo("Demo accounts already exist; their passwords were printed on the first load.")
