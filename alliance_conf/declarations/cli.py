from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from alliance_conf.conferences.operations import get_conference
from alliance_conf.core.cli import domain_errors
from alliance_conf.core.errors import NotFound, ValidationFailed
from alliance_conf.declarations import transitions
from alliance_conf.declarations.models import Declaration, DeclarationState
from alliance_conf.extensions import db


@click.group("declarations", help="Declarations of a conference: show the text, move states.")
def declarations_cli():
    pass


def _declarations(slug: str, declaration_id: int | None) -> list[Declaration]:
    conference = get_conference(slug)
    statement = sa.select(Declaration).where(Declaration.conference_id == conference.id)
    if declaration_id is not None:
        statement = statement.where(Declaration.id == declaration_id)
    found = db.session.scalars(statement.order_by(Declaration.id)).all()
    if not found:
        which = f" with id {declaration_id}" if declaration_id is not None else ""
        raise NotFound(f"Conference {slug!r} has no declaration{which}.")
    return found


def _echo_text(declaration: Declaration) -> None:
    revision = declaration.current_revision
    content = revision.content
    click.echo(f"# {content['title']}")
    click.echo(
        f"Declaration {declaration.id} · {declaration.state.title} · revision {revision.number}"
    )
    if declaration.text_hash:
        frozen = declaration.frozen_revision
        click.echo(f"Frozen revision {frozen.number}; SHA-256 {declaration.text_hash}")
    click.echo("")
    for item in content["preamble"]:
        click.echo(item["text"])
        click.echo("")
    for number, item in enumerate(content["commitments"], 1):
        click.echo(f"{number}. {item['title']}")
        click.echo(f"   {item['text']}")
        click.echo("")
    for item in content["closing"]:
        click.echo(item["text"])
        click.echo("")


@declarations_cli.command("show")
@click.argument("slug")
@click.option("--id", "declaration_id", type=int, help="Only this declaration of the conference.")
@with_appcontext
@domain_errors
def show(slug: str, declaration_id: int | None):
    """Print the current text of the conference's declarations and, when frozen, its hash."""
    for n, declaration in enumerate(_declarations(slug, declaration_id)):
        if n:
            click.echo("-" * 72)
        _echo_text(declaration)


@declarations_cli.command("transition")
@click.argument("slug")
@click.option(
    "--to",
    "to",
    required=True,
    type=click.Choice([s.value for s in DeclarationState]),
    help="The state to move to.",
)
@click.option("--id", "declaration_id", type=int, help="Needed when there are several.")
@with_appcontext
@domain_errors
def transition(slug: str, to: str, declaration_id: int | None):
    """Move a declaration (as the system; audited). ``--to open`` freezes the text."""
    found = _declarations(slug, declaration_id)
    if len(found) > 1:
        ids = ", ".join(str(d.id) for d in found)
        raise ValidationFailed(f"Conference {slug!r} has several declarations ({ids}); pass --id.")
    declaration = found[0]
    old = declaration.state
    transitions.transition(declaration, to, actor=None)
    db.session.commit()
    click.echo(f"Declaration {declaration.id}: {old.title} → {declaration.state.title}.")
    if declaration.text_hash:
        click.echo(
            f"Frozen revision {declaration.frozen_revision.number}; SHA-256 {declaration.text_hash}"
        )
