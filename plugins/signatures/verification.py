"""Public verification of one signature in constant time.

The full check of a declaration's chain (``chain.verify_chain``: every link, every row,
the frozen text) reads everything and stays with ``flask signatures verify`` and the organisers'
page. Checking one signature by its code needs only:

* the verified head of the chain: the links already checked (position, hash, the server's
  signature, the link to the one before) are remembered per worker process; a request checks
  only the links added since (usually none, or the one just signed), once per new link;
* the signature's own links (``signed``, and ``withdrawn`` if any): each still hashes to its
  stored hash, carries the server's signature, and *is* the link verified at its position;
* its row against its ``signed`` link, its receipt signature, and the frozen text's hash.

A fixed number of queries and Ed25519 checks, whatever the number of signatures. A link that
fails stops the verified head there: signatures recorded after the break are not valid until the
chain is repaired (``flask signatures verify`` names the break).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import sqlalchemy as sa

from alliance_conf.declarations import canonical
from alliance_conf.declarations.models import DeclarationRevision
from alliance_conf.extensions import db
from plugins.signatures import crypto
from plugins.signatures.models import EventKind, Signature, SignatureEvent


@dataclass(frozen=True)
class VerifiedHead:
    """The links of one chain verified so far: ``hashes[n - 1]`` is the hash of link n."""

    hashes: tuple[str, ...] = ()
    broken: tuple[int, str] | None = None  # (position, hash) of the first link that failed
    key_id: str = ""

    @property
    def sequence(self) -> int:
        return len(self.hashes)

    @property
    def hash(self) -> str:
        return self.hashes[-1] if self.hashes else crypto.GENESIS_HASH


_heads: dict[tuple[str, int], VerifiedHead] = {}
_heads_lock = threading.Lock()


def _link_ok(event: SignatureEvent, position: int, previous_hash: str) -> bool:
    from plugins.signatures.chain import compute_event_hash

    return (
        event.sequence == position
        and event.previous_hash == previous_hash
        and compute_event_hash(event) == event.event_hash
        and crypto.verify(event.event_hash.encode("ascii"), event.server_signature)
    )


def verified_head(declaration_id: int) -> VerifiedHead:
    """The verified head of the declaration's chain, after checking the links added since."""
    key = (db.engine.url.render_as_string(hide_password=True), declaration_id)
    head = _heads.get(key)
    key_id = crypto.public_key_id()
    if head is not None and head.key_id != key_id:
        head = None  # another signing key: check again under it
    if head is not None:
        # Still the same chain (its head in place) and anything new after it?
        rows = db.session.execute(
            sa.select(SignatureEvent.sequence, SignatureEvent.event_hash)
            .where(
                SignatureEvent.declaration_id == declaration_id,
                SignatureEvent.sequence >= max(head.sequence, 1),
            )
            .order_by(SignatureEvent.sequence)
            .limit(2)
        ).all()
        if head.sequence:
            if not rows or tuple(rows[0]) != (head.sequence, head.hash):
                head = None  # the chain changed under the verified head: start again
            else:
                rows = rows[1:]
        if head is not None and (not rows or tuple(rows[0]) == head.broken):
            return head  # up to date (or still broken at the same link)
    if head is None:
        head = VerifiedHead(key_id=key_id)
    hashes = list(head.hashes)
    broken = None
    for event in db.session.scalars(
        sa.select(SignatureEvent)
        .where(
            SignatureEvent.declaration_id == declaration_id,
            SignatureEvent.sequence > len(hashes),
        )
        .order_by(SignatureEvent.sequence)
    ):
        if not _link_ok(event, len(hashes) + 1, hashes[-1] if hashes else crypto.GENESIS_HASH):
            broken = (event.sequence, event.event_hash)
            break
        hashes.append(event.event_hash)
    head = VerifiedHead(tuple(hashes), broken, key_id)
    with _heads_lock:
        _heads[key] = head
    return head


def forget_verified_heads() -> None:
    """Drop what this process verified (tests that rebuild the database use it)."""
    with _heads_lock:
        _heads.clear()


@dataclass
class SignatureCheck:
    valid: bool
    problems: list[str] = field(default_factory=list)
    recorded: dict = field(default_factory=dict)  # what its ``signed`` link holds

    @property
    def language_hashes(self) -> dict[str, str]:
        """Each language version's hash as the signature's link recorded it (what it binds)."""
        hashes = self.recorded.get("language_hashes")
        return dict(hashes) if isinstance(hashes, dict) else {}


def check_signature(signature: Signature) -> SignatureCheck:
    """Is this one signature intact and part of the verified chain? (See the module doc.)"""
    from plugins.signatures.chain import signature_data, withdrawal_data
    from plugins.signatures.receipts import receipt_for_event

    problems: list[str] = []
    events = db.session.scalars(
        sa.select(SignatureEvent)
        .where(SignatureEvent.signature_id == signature.id)
        .order_by(SignatureEvent.sequence)
    ).all()
    signed = [e for e in events if e.kind == EventKind.signed]
    withdrawn = [e for e in events if e.kind == EventKind.withdrawn]
    if len(signed) != 1:
        return SignatureCheck(False, ["the signature is not in the chain"])
    event = signed[0]
    head = verified_head(signature.declaration_id)
    for own in events:
        if own.declaration_id != signature.declaration_id:
            problems.append(f"link #{own.sequence} belongs to another declaration")
        elif own.sequence > head.sequence or head.hashes[own.sequence - 1] != own.event_hash:
            problems.append(f"link #{own.sequence} is not part of the verified chain")
        elif not _link_ok(
            own,
            own.sequence,
            head.hashes[own.sequence - 2] if own.sequence > 1 else crypto.GENESIS_HASH,
        ):
            problems.append(f"link #{own.sequence} was altered")
    recorded = dict(event.data)
    language_hashes = recorded.get("language_hashes")
    if signature_data(signature, recorded.get("delegation_name", ""), language_hashes) != recorded:
        problems.append("the signature was changed after signing")
    if not crypto.verify(
        crypto.canonical_json(receipt_for_event(event)), signature.receipt_signature
    ):
        problems.append("the receipt signature is not valid")
    revision = db.session.get(DeclarationRevision, signature.frozen_revision_id or -1)
    revision_hashes = revision.language_hashes() if revision is not None else {}
    if (
        revision is None
        or revision.declaration_id != signature.declaration_id
        or revision.number != signature.revision_number
        or signature.text_hash not in revision.accepted_text_hashes(revision_hashes)
    ):
        problems.append("the signed text no longer matches its hash")
    elif language_hashes is not None and (
        not isinstance(language_hashes, dict)
        or canonical.manifest_hash(language_hashes) != signature.text_hash
        or revision_hashes != language_hashes
    ):
        problems.append("a language version signed no longer matches its hash")
    if signature.withdrawn_at is None and withdrawn:
        problems.append("the chain says withdrawn but the row is active again")
    if signature.withdrawn_at is not None and (
        len(withdrawn) != 1 or withdrawal_data(signature) != withdrawn[0].data
    ):
        problems.append("the withdrawal does not match the chain")
    return SignatureCheck(not problems, problems, recorded)
