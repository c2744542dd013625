from __future__ import annotations

import click
from flask.cli import with_appcontext

from alliance_conf.core.cli import domain_errors
from alliance_conf.demo.operations import load_demo_story
from alliance_conf.i18n import _, ngettext


@click.group("demo", help="The seed conference for trying alliance-conf out.")
def demo_cli():
    pass


@demo_cli.command("load")
@click.option(
    "--day-one",
    is_flag=True,
    help="Only the state before the conference week: a draft declaration, nothing signed.",
)
@with_appcontext
@domain_errors
def load(day_one: bool):
    """Create the 2012 Global Alliance launch conference and play its week: accreditation,
    amendments, the text opened and signed on 5 December 2012, the first reporting round
    (safe to run again)."""
    result = load_demo_story(week=not day_one)
    week = result.week
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
    if week is not None:
        click.echo(_("The week of 5 December 2012 in Brussels:"))
        for line in week.summary:
            click.echo(f"  {line}")
    new_passwords = {**result.new_passwords, **(week.new_passwords if week else {})}
    if new_passwords:
        rows = [
            f"{key:<12} {user.email:<40} {password}"
            for key, (user, password) in new_passwords.items()
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
