from __future__ import annotations

import json
import sys

import click
import sqlalchemy as sa

from alliance_conf.conferences.operations import get_conference
from alliance_conf.core.cli import domain_errors
from alliance_conf.core.errors import NotFound, ValidationFailed
from alliance_conf.declarations.models import Declaration
from alliance_conf.extensions import db
from alliance_conf.i18n import _, current_language, language_name, ngettext
from plugins.signatures import chain, checkpoints, crypto, offline
from plugins.signatures.board import status_board


@click.group("signatures", help="Signatures of declarations: verify the chain, keys, status.")
def signatures_cli():
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


def read_json_file(path: str) -> object:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as exc:
        raise ValidationFailed(
            _("Cannot read %(path)s: %(error)s.", path=path, error=exc.strerror)
        ) from None
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed(_("%(path)s is not a JSON file.", path=path)) from None


@signatures_cli.command("verify")
@click.argument("slug")
@click.option("--declaration", "declaration_id", type=int, help="Only this declaration.")
@click.option(
    "--against",
    "anchor_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="A checkpoint or receipt file kept earlier: prove the chain still extends it.",
)
@domain_errors
def verify_command(slug: str, declaration_id: int | None, anchor_files: tuple[str, ...]):
    """Check the hash chain, every signature and the declaration row of the conference's
    declarations, and that each chain extends its published checkpoints and the files given.

    Exits 1 naming the first broken event when anything was altered."""
    broken = False
    anchors = [
        checkpoints.anchor_from_document(read_json_file(path), declaration_id)
        for path in anchor_files
    ]
    found = _declarations(slug, declaration_id)
    ids = {d.id for d in found}
    for anchor, path in zip(anchors, anchor_files, strict=True):
        if anchor.declaration_id not in ids:
            raise ValidationFailed(
                _(
                    "%(path)s belongs to declaration %(id)s, which is not one of the "
                    "declarations checked (%(ids)s).",
                    path=path,
                    id=anchor.declaration_id,
                    ids=", ".join(map(str, sorted(ids))),
                )
            )
    for declaration in found:
        mine = [a for a in anchors if a.declaration_id == declaration.id]
        report = chain.verify_chain(declaration, mine)
        if report.ok:
            events = ngettext("%(num)d event", "%(num)d events", report.events)
            records = ngettext(
                "%(num)d signature record", "%(num)d signature records", report.signatures
            )
            click.echo(
                ngettext(
                    "Declaration %(id)s “%(title)s”: chain intact — %(events)s, %(records)s "
                    "verified; it extends the %(num)d file given.",
                    "Declaration %(id)s “%(title)s”: chain intact — %(events)s, %(records)s "
                    "verified; it extends the %(num)d files given.",
                    len(mine),
                    id=declaration.id,
                    title=declaration.title,
                    events=events,
                    records=records,
                )
                if mine
                else _(
                    "Declaration %(id)s “%(title)s”: chain intact — %(events)s, %(records)s "
                    "verified.",
                    id=declaration.id,
                    title=declaration.title,
                    events=events,
                    records=records,
                )
            )
            _echo_text_hashes(declaration)
            continue
        broken = True
        click.echo(
            _(
                "Declaration %(id)s “%(title)s”: BROKEN at %(problem)s",
                id=declaration.id,
                title=declaration.title,
                problem=report.problems[0],
            ),
            err=True,
        )
        for problem in report.problems[1:]:
            click.echo(_("  also: %(problem)s", problem=problem), err=True)
    if broken:
        sys.exit(1)


def _echo_text_hashes(declaration: Declaration) -> None:
    """The hash the signatures bind and, for a text frozen in language versions, each
    language's hash (the manifest of which ``text_hash`` is the hash)."""
    if not declaration.text_hash:
        return
    click.echo(_("  text signed: SHA-256 %(hash)s", hash=declaration.text_hash))
    _echo_language_hashes(declaration.language_hashes or {})


def _echo_language_hashes(language_hashes: dict) -> None:
    for language, digest in language_hashes.items():
        click.echo(
            _(
                "  %(language)s (%(code)s): SHA-256 %(hash)s",
                language=language_name(language, current_language()),
                code=language,
                hash=digest,
            )
        )


@signatures_cli.command("verify-receipt")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option(
    "--public-key",
    "key_path",
    type=click.Path(dir_okay=False),
    help="The server's public key (PEM) to check against; default: this server's key.",
)
@domain_errors
def verify_receipt_command(path: str, key_path: str | None):
    """Check a receipt file on its own: the server's counter-signature and, for a passkey
    signature, the passkey's signature over the signing payload. Exits 1 saying what is wrong."""
    document = read_json_file(path)
    if key_path:
        try:
            with open(key_path, encoding="utf-8") as handle:
                pem = handle.read()
        except OSError as exc:
            raise ValidationFailed(
                _("Cannot read %(path)s: %(error)s.", path=key_path, error=exc.strerror)
            ) from None
    else:
        pem = crypto.public_key_pem()
    problems = offline.verify_receipt(document, pem)
    if problems:
        click.echo(
            _("%(path)s: NOT VALID — %(problem)s.", path=path, problem=problems[0]), err=True
        )
        for problem in problems[1:]:
            click.echo(_("  also: %(problem)s.", problem=problem), err=True)
        sys.exit(1)
    receipt = document["receipt"]
    how = (
        _("passkey signature valid over the signing payload")
        if isinstance(receipt.get("passkey"), dict)
        else _("signed with a password (no passkey evidence: the server's word only)")
    )
    click.echo(
        _(
            "%(path)s: valid — server counter-signature valid (key %(key)s); %(how)s. "
            "%(delegation)s, %(signatory)s, text %(hash)s, chain link #%(n)s.",
            path=path,
            key=receipt.get("key_id"),
            how=how,
            delegation=receipt.get("delegation_name"),
            signatory=receipt.get("signatory_name"),
            hash=receipt.get("text_hash"),
            n=receipt.get("chain_sequence"),
        )
    )
    language_hashes = receipt.get("language_hashes")
    if isinstance(language_hashes, dict):
        _echo_language_hashes(language_hashes)


@signatures_cli.command("status")
@click.argument("slug")
@domain_errors
def status_command(slug: str):
    """Signed, withdrawn and not yet signed, per declaration."""
    for declaration in _declarations(slug, None):
        board = status_board(declaration)
        click.echo(
            _(
                "Declaration %(id)s (%(state)s): %(signed)s of %(eligible)s signed, "
                "%(supported)s supporting",
                id=declaration.id,
                state=declaration.state.title,
                signed=board["signed"],
                eligible=board["eligible"],
                supported=board["supported"],
            )
        )
        for row in board["rows"]:
            click.echo(f"  {row.delegation.name}: {row.status}")


@signatures_cli.command("public-key")
def public_key_command():
    """Print the public key receipts are signed with (PEM)."""
    click.echo(crypto.public_key_pem(), nl=False)


@signatures_cli.command("generate-key")
def generate_key_command():
    """Print a new Ed25519 private key to put in SIGNATURES_SIGNING_KEY (keep it secret)."""
    click.echo(crypto.generate_pem(), nl=False)
