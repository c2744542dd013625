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
        which = f" with id {declaration_id}" if declaration_id is not None else ""
        raise NotFound(f"Conference {slug!r} has no declaration{which}.")
    return found


def read_json_file(path: str) -> object:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as exc:
        raise ValidationFailed(f"Cannot read {path}: {exc.strerror}.") from None
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed(f"{path} is not a JSON file.") from None


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
                f"{path} belongs to declaration {anchor.declaration_id}, which is not one of "
                f"the declarations checked ({', '.join(map(str, sorted(ids)))})."
            )
    for declaration in found:
        mine = [a for a in anchors if a.declaration_id == declaration.id]
        report = chain.verify_chain(declaration, mine)
        if report.ok:
            click.echo(
                f"Declaration {declaration.id} “{declaration.title}”: chain intact — "
                f"{report.events} event(s), {report.signatures} signature record(s) verified"
                + (f"; it extends the {len(mine)} file(s) given." if mine else ".")
            )
            continue
        broken = True
        click.echo(
            f"Declaration {declaration.id} “{declaration.title}”: BROKEN at {report.problems[0]}",
            err=True,
        )
        for problem in report.problems[1:]:
            click.echo(f"  also: {problem}", err=True)
    if broken:
        sys.exit(1)


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
            raise ValidationFailed(f"Cannot read {key_path}: {exc.strerror}.") from None
    else:
        pem = crypto.public_key_pem()
    problems = offline.verify_receipt(document, pem)
    if problems:
        click.echo(f"{path}: NOT VALID — {problems[0]}.", err=True)
        for problem in problems[1:]:
            click.echo(f"  also: {problem}.", err=True)
        sys.exit(1)
    receipt = document["receipt"]
    how = (
        "passkey signature valid over the signing payload"
        if isinstance(receipt.get("passkey"), dict)
        else "signed with a password (no passkey evidence: the server's word only)"
    )
    click.echo(
        f"{path}: valid — server counter-signature valid (key {receipt.get('key_id')}); {how}. "
        f"{receipt.get('delegation_name')}, {receipt.get('signatory_name')}, text "
        f"{receipt.get('text_hash')}, chain link #{receipt.get('chain_sequence')}."
    )


@signatures_cli.command("status")
@click.argument("slug")
@domain_errors
def status_command(slug: str):
    """Signed, withdrawn and not yet signed, per declaration."""
    for declaration in _declarations(slug, None):
        board = status_board(declaration)
        click.echo(
            f"Declaration {declaration.id} ({declaration.state.title}): {board['signed']} of "
            f"{board['eligible']} signed, {board['supported']} supporting"
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
