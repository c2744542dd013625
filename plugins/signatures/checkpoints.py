"""Signed checkpoints of a declaration's chain, and proofs that the chain still extends them.

A checkpoint says "declaration D's chain had N links, the last one hashing to H, at time T",
signed with the server's Ed25519 key (the same key as receipts). One is written with every link
and published at ``/api/v1/declarations/<id>/signatures/checkpoints`` and on the status board.
Whoever keeps a checkpoint, or a receipt (which names the link it created), can later run
``flask signatures verify SLUG --against FILE``: a chain that was cut short or rewritten no
longer contains link N with hash H, and ``verify`` says so. Inspired by the signed tree heads of
Certificate Transparency (RFC 9162), simplified: a hash chain needs no Merkle proof, because
link N's hash already covers every link before it.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from alliance_conf.core.errors import ValidationFailed
from alliance_conf.extensions import db
from alliance_conf.i18n import _, ngettext
from plugins.signatures import crypto
from plugins.signatures.models import SignatureCheckpoint, SignatureEvent

CHECKPOINT_TYPE = "alliance-conf/signature-checkpoint"
RECEIPT_TYPE = "alliance-conf/signature-receipt"


def _iso(value) -> str:
    from plugins.signatures.chain import iso

    return iso(value)


def body(checkpoint: SignatureCheckpoint) -> dict:
    """What is signed: canonical JSON of this dictionary."""
    return {
        "type": CHECKPOINT_TYPE,
        "version": 1,
        "key_id": crypto.public_key_id(),
        "declaration_id": checkpoint.declaration_id,
        "sequence": checkpoint.sequence,
        "head_hash": checkpoint.head_hash,
        "time": _iso(checkpoint.created_at),
    }


def for_event(event: SignatureEvent) -> SignatureCheckpoint:
    """The checkpoint of the chain whose head is ``event`` (to be added with it)."""
    checkpoint = SignatureCheckpoint(
        declaration_id=event.declaration_id,
        sequence=event.sequence,
        head_hash=event.event_hash,
        created_at=event.created_at,
    )
    checkpoint.server_signature = crypto.sign(crypto.canonical_json(body(checkpoint)))
    return checkpoint


def document(checkpoint: SignatureCheckpoint) -> dict:
    return {
        "checkpoint": body(checkpoint),
        "signature": checkpoint.server_signature,
        "algorithm": "Ed25519",
        "canonicalisation": "JSON, keys sorted, no whitespace, UTF-8",
    }


def published(declaration_id: int, limit: int = 20) -> list[SignatureCheckpoint]:
    """The latest checkpoints first."""
    return db.session.scalars(
        sa.select(SignatureCheckpoint)
        .where(SignatureCheckpoint.declaration_id == declaration_id)
        .order_by(SignatureCheckpoint.sequence.desc())
        .limit(limit)
    ).all()


# --- anchors: what a checkpoint or a receipt proves about the chain ---------------------------


KIND_NAMES = {"checkpoint": lambda: _("checkpoint"), "receipt": lambda: _("receipt")}


@dataclass(frozen=True)
class Anchor:
    declaration_id: int
    sequence: int
    head_hash: str
    label: str


def anchor_from_document(document_: object, declaration_id: int | None = None) -> Anchor:
    """Read a checkpoint or receipt file (parsed JSON); ValidationFailed saying why it is
    unusable: not one of ours, its server signature invalid, or another declaration's."""
    if not isinstance(document_, dict):
        raise ValidationFailed(_("The file is neither a checkpoint nor a receipt (not an object)."))
    signature = str(document_.get("signature") or "")
    if isinstance(document_.get("checkpoint"), dict):
        content = document_["checkpoint"]
        if content.get("type") != CHECKPOINT_TYPE:
            raise ValidationFailed(_("The file's “checkpoint” is not an alliance-conf checkpoint."))
        fields = ("sequence", "head_hash")
        kind = "checkpoint"
        label = _("checkpoint of link #%(n)s", n=content.get("sequence"))
    elif isinstance(document_.get("receipt"), dict):
        content = document_["receipt"]
        if content.get("type") != RECEIPT_TYPE:
            raise ValidationFailed(_("The file's “receipt” is not an alliance-conf receipt."))
        fields = ("chain_sequence", "chain_event_hash")
        kind = "receipt"
        label = _("receipt of link #%(n)s", n=content.get("chain_sequence"))
    else:
        raise ValidationFailed(_("The file is neither a checkpoint nor a receipt."))
    if not crypto.verify(crypto.canonical_json(content), signature):
        raise ValidationFailed(
            _(
                "The %(kind)s's server signature does not match its content: it was altered, "
                "forged or signed by another server's key. It proves nothing about this chain.",
                kind=KIND_NAMES[kind](),
            )
        )
    sequence, head_hash = content.get(fields[0]), content.get(fields[1])
    found_declaration = content.get("declaration_id")
    if not isinstance(sequence, int) or not isinstance(head_hash, str) or sequence < 1:
        raise ValidationFailed(_("The %(kind)s names no chain position.", kind=KIND_NAMES[kind]()))
    if declaration_id is not None and found_declaration != declaration_id:
        raise ValidationFailed(
            _(
                "The %(kind)s belongs to declaration %(found)s, not to declaration %(wanted)s.",
                kind=KIND_NAMES[kind](),
                found=found_declaration,
                wanted=declaration_id,
            )
        )
    return Anchor(found_declaration, sequence, head_hash, label)


def anchor_problems(anchor: Anchor, events: list[SignatureEvent]) -> list[str]:
    """Does the chain (links in order) still contain the anchored link unchanged?"""
    if anchor.sequence > len(events):
        return [
            ngettext(
                "the chain was cut short: it has %(num)d link but a signed %(label)s proves "
                "link #%(n)s existed (links were deleted).",
                "the chain was cut short: it has %(num)d links but a signed %(label)s proves "
                "link #%(n)s existed (links were deleted).",
                len(events),
                label=anchor.label,
                n=anchor.sequence,
            )
        ]
    if events[anchor.sequence - 1].event_hash != anchor.head_hash:
        return [
            _(
                "the chain was rewritten: link #%(n)s no longer has the hash that a signed "
                "%(label)s recorded.",
                n=anchor.sequence,
                label=anchor.label,
            )
        ]
    return []


def stored_anchor_problems(session, declaration_id: int, events) -> list[str]:
    """Check the declaration's own published checkpoints (latest first, one problem at most)."""
    stored = session.scalars(
        sa.select(SignatureCheckpoint)
        .where(SignatureCheckpoint.declaration_id == declaration_id)
        .order_by(SignatureCheckpoint.sequence.desc())
    ).all()
    for checkpoint in stored:
        if not crypto.verify(crypto.canonical_json(body(checkpoint)), checkpoint.server_signature):
            return [
                _(
                    "checkpoint #%(n)s: its server signature is not valid.",
                    n=checkpoint.sequence,
                )
            ]
        anchor = Anchor(declaration_id, checkpoint.sequence, checkpoint.head_hash, "checkpoint")
        # The newest checkpoint the chain still matches covers every link before it.
        return anchor_problems(anchor, events)
    return []
