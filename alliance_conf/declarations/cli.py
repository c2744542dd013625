from __future__ import annotations

import json

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from alliance_conf.conferences.operations import get_conference
from alliance_conf.core.cli import domain_errors
from alliance_conf.core.errors import NotFound, ValidationFailed
from alliance_conf.declarations import operations, transitions, versions
from alliance_conf.declarations.models import Declaration, DeclarationState
from alliance_conf.extensions import db
from alliance_conf.i18n import _


@click.group(
    "declarations",
    help="Declarations of a conference: show the text in each language, edit, translate, move "
    "states.",
)
def declarations_cli():
    pass


def _declarations(slug: str, declaration_id: int | None) -> list[Declaration]:
    conference = get_conference(slug)
    statement = sa.select(Declaration).where(Declaration.conference_id == conference.id)
    if declaration_id is not None:
        statement = statement.where(Declaration.id == declaration_id)
    found = db.session.scalars(statement.order_by(Declaration.id)).all()
    if not found:
        if declaration_id is not None:
            raise NotFound(
                _(
                    "Conference “%(slug)s” has no declaration with id %(id)s.",
                    slug=slug,
                    id=declaration_id,
                )
            )
        raise NotFound(_("Conference “%(slug)s” has no declaration.", slug=slug))
    return found


def _one(slug: str, declaration_id: int | None) -> Declaration:
    found = _declarations(slug, declaration_id)
    if len(found) > 1:
        ids = ", ".join(str(d.id) for d in found)
        raise ValidationFailed(
            _(
                "Conference “%(slug)s” has several declarations (%(ids)s); pass --id.",
                slug=slug,
                ids=ids,
            )
        )
    return found[0]


def _echo_hashes(declaration: Declaration) -> None:
    if not declaration.text_hash:
        return
    click.echo(
        _(
            "Frozen revision %(number)s; SHA-256 %(hash)s",
            number=declaration.frozen_revision.number,
            hash=declaration.text_hash,
        )
    )
    for language, value in (declaration.language_hashes or {}).items():
        click.echo(_("  %(language)s text: SHA-256 %(hash)s", language=language, hash=value))


def _echo_text(declaration: Declaration, language: str | None = None) -> None:
    revision = declaration.current_revision
    language = versions.check_language(declaration, language)
    if not revision.has_language(language):
        raise ValidationFailed(
            _("The text has no %(language)s version yet.", language=versions.name(language))
        )
    content = revision.text_in(language)
    click.echo(f"# {content['title']}")
    click.echo(
        _(
            "Declaration %(id)s · %(state)s · revision %(number)s · %(language)s",
            id=declaration.id,
            state=declaration.state.title,
            number=revision.number,
            language=language,
        )
    )
    _echo_hashes(declaration)
    marks = revision.out_of_step
    for other in revision.languages:
        if marks.get(other):
            click.echo(
                _(
                    "Translation needed in %(language)s: %(keys)s",
                    language=other,
                    keys=", ".join(marks[other]),
                )
            )
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
@click.option("--language", help="One of the conference's languages (default: the first).")
@click.option("--json", "as_json", is_flag=True, help="The text as JSON, to edit or translate.")
@with_appcontext
@domain_errors
def show(slug: str, declaration_id: int | None, language: str | None, as_json: bool):
    """Print the current text of the conference's declarations and, when frozen, its hashes."""
    for n, declaration in enumerate(_declarations(slug, declaration_id)):
        if as_json:
            revision = declaration.current_revision
            code = versions.check_language(declaration, language)
            if not revision.has_language(code):
                raise ValidationFailed(
                    _("The text has no %(language)s version yet.", language=versions.name(code))
                )
            click.echo(json.dumps(revision.text_in(code), ensure_ascii=False, indent=2))
            continue
        if n:
            click.echo("-" * 72)
        _echo_text(declaration, language)


def _read_text(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as problem:
        raise ValidationFailed(
            _("Cannot read the text from %(path)s: %(problem)s", path=path, problem=str(problem))
        ) from None


@declarations_cli.command("edit")
@click.argument("slug")
@click.option("--file", "path", required=True, help="The whole text as JSON (see show --json).")
@click.option("--language", help="The language of the text (default: the first).")
@click.option("--message", default="", help="What changed.")
@click.option("--id", "declaration_id", type=int, help="Needed when there are several.")
@with_appcontext
@domain_errors
def edit(slug, path, language, message, declaration_id):
    """Save an edit of the whole text in one language (as the system; audited). Changed items
    are marked "translation needed" in the other languages."""
    declaration = _one(slug, declaration_id)
    revision = operations.save_revision(
        declaration, content=_read_text(path), language=language, message=message, actor=None
    )
    db.session.commit()
    click.echo(_("Saved as revision %(number)s.", number=revision.number))
    _echo_marks(revision)


@declarations_cli.command("translate")
@click.argument("slug")
@click.option("--language", required=True, help="The language version to update.")
@click.option("--file", "path", required=True, help="That language's whole text as JSON.")
@click.option("--message", default="", help="A note for the history.")
@click.option("--id", "declaration_id", type=int, help="Needed when there are several.")
@with_appcontext
@domain_errors
def translate(slug, language, path, message, declaration_id):
    """Bring one language version back in step: same item keys in the same order; only the
    items marked "translation needed" may change. Clears that language's marks."""
    declaration = _one(slug, declaration_id)
    revision = operations.save_translation(
        declaration, language=language, content=_read_text(path), message=message, actor=None
    )
    db.session.commit()
    click.echo(_("Saved as revision %(number)s.", number=revision.number))
    _echo_marks(revision)


def _echo_marks(revision) -> None:
    marks = revision.out_of_step
    if not any(marks.values()):
        click.echo(_("Every language is in step."))
    for language, keys in marks.items():
        if keys:
            click.echo(
                _(
                    "Translation needed in %(language)s: %(keys)s",
                    language=language,
                    keys=", ".join(keys),
                )
            )


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
    declaration = _one(slug, declaration_id)
    old = declaration.state
    transitions.transition(declaration, to, actor=None)
    db.session.commit()
    click.echo(
        _(
            "Declaration %(id)s: %(old)s → %(new)s.",
            id=declaration.id,
            old=old.title,
            new=declaration.state.title,
        )
    )
    _echo_hashes(declaration)
