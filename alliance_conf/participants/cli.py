from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from alliance_conf.conferences.operations import get_conference
from alliance_conf.core.cli import domain_errors
from alliance_conf.extensions import db
from alliance_conf.participants import exports
from alliance_conf.participants.imports import import_participants


@click.group("participants", help="Register participants in bulk and export the lists.")
def participants_cli():
    pass


@participants_cli.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--conference", "slug", required=True, help="The conference's slug.")
@with_appcontext
@domain_errors
def import_command(file, slug):
    """Register the people of a CSV FILE on their delegations' behalf (all rows or none)."""
    report = import_participants(get_conference(slug), file.read())
    db.session.commit()
    click.echo(report.summary())


@participants_cli.command("export")
@click.option("--conference", "slug", required=True, help="The conference's slug.")
@click.option("--list", "which", type=click.Choice(exports.LISTS), default="published")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Default: standard output.")
@with_appcontext
@domain_errors
def export_command(slug, which, output):
    """Write the participant list as CSV (published: approved and consenting only)."""
    rows = exports.export_rows(get_conference(slug), which)
    if output is None:
        for chunk in exports.stream_csv(rows):
            sys.stdout.write(chunk)
        return
    with open(output, "w", encoding="utf-8", newline="") as target:
        for chunk in exports.stream_csv(rows):
            target.write(chunk)
