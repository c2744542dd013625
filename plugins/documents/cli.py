"""``flask documents``: write documents to files, manage the conference's Word template."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import format_number

from alliance_conf.conferences.operations import get_conference
from alliance_conf.core.cli import domain_errors
from alliance_conf.core.errors import NotFound, ValidationFailed
from alliance_conf.declarations.models import Declaration
from alliance_conf.extensions import db
from alliance_conf.i18n import _, ngettext
from plugins.documents import operations, seal, word_templates


@click.group("documents", help="Word documents: declarations, redlines, participant lists.")
def documents_cli():
    pass


def write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``target`` and rename it into place, so a
    failure never leaves a half-written file."""
    directory = target.resolve().parent
    if not directory.is_dir():
        raise ValidationFailed(
            _("The directory %(directory)s does not exist.", directory=directory),
            {"out": _("No such directory.")},
        )
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def _declaration(slug: str, declaration_id: int | None) -> Declaration:
    conference = get_conference(slug)
    statement = sa.select(Declaration).where(Declaration.conference_id == conference.id)
    if declaration_id is not None:
        statement = statement.where(Declaration.id == declaration_id)
    found = db.session.scalars(statement.order_by(Declaration.id)).all()
    if not found:
        if declaration_id is not None:
            raise NotFound(
                _(
                    "Conference '%(slug)s' has no declaration with id %(id)s.",
                    slug=slug,
                    id=declaration_id,
                )
            )
        raise NotFound(_("Conference '%(slug)s' has no declaration.", slug=slug))
    if len(found) > 1:
        ids = ", ".join(str(d.id) for d in found)
        raise ValidationFailed(
            _(
                "Conference '%(slug)s' has several declarations (%(ids)s); choose one with --id.",
                slug=slug,
                ids=ids,
            ),
            {"id": _("Choose a declaration.")},
        )
    return found[0]


def _compare_numbers(value: str) -> tuple[int, int]:
    try:
        old, new = (int(part) for part in value.split(":"))
    except ValueError:
        raise ValidationFailed(
            _(
                "--compare takes FROM:TO revision numbers such as 2:3, not '%(value)s'.",
                value=value,
            ),
            {"compare": "FROM:TO"},
        ) from None
    return old, new


@documents_cli.command("declaration")
@click.argument("slug")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--id", "declaration_id", type=int, help="The declaration, when there are several.")
@click.option("--revision", type=int, help="A draft of this revision instead of the final text.")
@click.option("--compare", "compare", help="A redline between two revisions, as FROM:TO.")
@click.option(
    "--language",
    help="One of the conference's authentic languages (default: its first); with --bilingual, "
    "the left column.",
)
@click.option(
    "--bilingual",
    is_flag=True,
    help="The bilingual edition: two languages side by side (the final text, or --revision N).",
)
@with_appcontext
@domain_errors
def declaration_command(slug, out, declaration_id, revision, compare, language, bilingual):
    """Write the final declaration (or --revision N, or --compare FROM:TO) to FILE."""
    if revision is not None and compare:
        raise ValidationFailed(
            _("Give --revision or --compare, not both."), {"revision": _("One only.")}
        )
    if bilingual and compare:
        raise ValidationFailed(
            _("Give --bilingual or --compare, not both."), {"bilingual": _("One only.")}
        )
    declaration = _declaration(slug, declaration_id)
    chosen = {"language": language} if language else {}
    if bilingual:
        kwargs = {"left": language} if language else {}
        if revision is not None:
            kwargs["number"] = revision
        data, _name = operations.generate(
            "bilingual", actor=None, declaration=declaration, **kwargs
        )
        message = _(
            "Wrote the bilingual edition to %(out)s (%(size)s bytes).",
            out=out,
            size=format_number(len(data)),
        )
    elif compare:
        old, new = _compare_numbers(compare)
        data, _name = operations.generate(
            "compare",
            actor=None,
            declaration=declaration,
            from_number=old,
            to_number=new,
            **chosen,
        )
        message = _(
            "Wrote the redline of revisions %(old)s and %(new)s to %(out)s (%(size)s bytes).",
            old=old,
            new=new,
            out=out,
            size=format_number(len(data)),
        )
    elif revision is not None:
        data, _name = operations.generate(
            "revision", actor=None, declaration=declaration, number=revision, **chosen
        )
        message = _(
            "Wrote revision %(number)s to %(out)s (%(size)s bytes).",
            number=revision,
            out=out,
            size=format_number(len(data)),
        )
    else:
        data, _name = operations.generate("final", actor=None, declaration=declaration, **chosen)
        message = _(
            "Wrote the final declaration to %(out)s (%(size)s bytes).",
            out=out,
            size=format_number(len(data)),
        )
    write_atomically(out, data)
    db.session.commit()  # the download's audit event
    click.echo(message)


@documents_cli.command("participants")
@click.argument("slug")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--language", help="One of the conference's languages (default: its first).")
@with_appcontext
@domain_errors
def participants_command(slug, out, language):
    """Write the list of participants to FILE."""
    conference = get_conference(slug)
    chosen = {"language": language} if language else {}
    data, _name = operations.generate("participants", actor=None, conference=conference, **chosen)
    write_atomically(out, data)
    db.session.commit()
    click.echo(
        _(
            "Wrote the list of participants to %(out)s (%(size)s bytes).",
            out=out,
            size=format_number(len(data)),
        )
    )


@documents_cli.command("seal")
@click.argument("slug")
@click.option("--id", "declaration_id", type=int, help="The declaration, when there are several.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
@domain_errors
def seal_command(slug, declaration_id, out):
    """Seal the final declaration as PDF/A-2b (PAdES) and store it; --out also writes it."""
    declaration = _declaration(slug, declaration_id)
    record = operations.seal_final_declaration(declaration, actor=None)
    if out is not None:
        write_atomically(out, record.content)
    db.session.commit()
    values = {
        "out": out,
        "size": f"{record.size:,}",
        "sha256": record.sha256,
    }
    if out is not None:
        message = ngettext(
            "Sealed the final declaration to %(out)s (%(size)s bytes, %(num)d signature); "
            "SHA-256 %(sha256)s.",
            "Sealed the final declaration to %(out)s (%(size)s bytes, %(num)d signatures); "
            "SHA-256 %(sha256)s.",
            record.signature_count,
            **values,
        )
    else:
        message = ngettext(
            "Sealed the final declaration (%(size)s bytes, %(num)d signature); SHA-256 %(sha256)s.",
            "Sealed the final declaration (%(size)s bytes, %(num)d signatures); SHA-256 "
            "%(sha256)s.",
            record.signature_count,
            **values,
        )
    click.echo(message)


@documents_cli.command("seal-key")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--name", default="alliance-conf demonstration seal", help="Common name.")
@click.option("--days", default=365, type=click.IntRange(1, 3650))
@click.option("--password", envvar="DOCUMENTS_SEAL_PASSWORD", default="", help="PKCS#12 password.")
@with_appcontext
@domain_errors
def seal_key_command(file, name, days, password):
    """Make a self-signed sealing certificate with its key (PKCS#12) for a demonstration."""
    if file.exists():
        raise ValidationFailed(
            _("%(file)s exists; choose a new file.", file=file), {"file": _("Exists.")}
        )
    if not file.resolve().parent.is_dir():
        raise ValidationFailed(
            _("The directory of %(file)s does not exist.", file=file),
            {"file": _("No such directory.")},
        )
    pem = seal.make_demo_key(file, name, password or None, days=days)
    pem_file = file.with_suffix(".pem")
    if not pem_file.exists():
        pem_file.write_bytes(pem)
    click.echo(
        _(
            "Wrote %(file)s (mode 0600) and its certificate %(pem)s. Configure:",
            file=file,
            pem=pem_file,
        )
    )
    click.echo(f"  DOCUMENTS_SEAL_PKCS12={file.resolve()}")
    if password:
        click.echo("  DOCUMENTS_SEAL_PASSWORD=" + _("<the password you gave>"))
    click.echo(
        _(
            "A self-signed seal proves integrity only; production uses a certificate from a "
            "trusted issuer."
        )
    )


@documents_cli.group("template", help="The conference's Word template.")
def template_cli():
    pass


@template_cli.command("upload")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
@domain_errors
def template_upload(slug, file):
    """Check FILE and store it as the conference's template."""
    conference = get_conference(slug)
    word_templates.check_size(
        file.name, file.stat().st_size, current_app.config["DOCUMENTS_TEMPLATE_MAX_BYTES"]
    )
    stored = operations.upload_template(conference, file.name, file.read_bytes(), actor=None)
    db.session.commit()
    click.echo(
        _(
            "Stored %(file)s (%(size)s bytes) as the template of %(slug)s.",
            file=stored.filename,
            size=format_number(stored.size),
            slug=slug,
        )
    )


@template_cli.command("remove")
@click.argument("slug")
@with_appcontext
@domain_errors
def template_remove(slug):
    """Go back to the default template."""
    conference = get_conference(slug)
    operations.remove_template(conference, actor=None)
    db.session.commit()
    click.echo(
        _("Removed the template of %(slug)s; documents use the default template.", slug=slug)
    )


@template_cli.command("show")
@click.argument("slug")
@with_appcontext
@domain_errors
def template_show(slug):
    """Say which template the conference's documents use."""
    conference = get_conference(slug)
    stored = operations.get_template(conference)
    if stored is None:
        click.echo(_("%(slug)s uses the default template.", slug=slug))
    else:
        click.echo(
            _(
                "%(slug)s uses %(file)s (%(size)s bytes, SHA-256 %(sha256)s), uploaded "
                "%(when)s UTC.",
                slug=slug,
                file=stored.filename,
                size=format_number(stored.size),
                sha256=stored.sha256,
                when=format(stored.uploaded_at, "%Y-%m-%d %H:%M"),
            )
        )
