from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from alliance_conf.conferences.attention import attention
from alliance_conf.conferences.operations import get_conference
from alliance_conf.core.cli import domain_errors
from alliance_conf.i18n import _


@click.group("conferences", help="Conferences.")
def conferences_cli():
    pass


@conferences_cli.command("attention")
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@with_appcontext
@domain_errors
def attention_command(slug, as_json):
    """What needs the organisers now at the conference SLUG (the conference page's panel)."""
    found = attention(get_conference(slug))
    if as_json:
        click.echo(json.dumps(found.as_dict(), indent=2))
        return
    rows = [
        (_("Pending registrations"), found.pending_registrations),
        (_("Delegations without a signatory"), found.delegations_without_signatory),
        (_("Amendments awaiting a decision"), found.amendments_awaiting_decision),
        (_("Declarations ready to open for signature"), len(found.declarations_ready_to_open)),
    ]
    for label, count in rows:
        click.echo(f"{count}\t{label}")
    if not found.total:
        click.echo(_("Nothing needs you now."))
