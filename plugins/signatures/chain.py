"""The hash chain of signature events: what each event covers, how it is hashed and
appended, and ``verify_chain``, which re-reads a declaration's chain from one snapshot and
reports every break."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from alliance_conf.core.db import utcnow
from alliance_conf.declarations import canonical
from alliance_conf.declarations.models import Declaration, DeclarationRevision, DeclarationState
from alliance_conf.extensions import db
from alliance_conf.i18n import _
from plugins.signatures import checkpoints, crypto
from plugins.signatures.models import EventKind, Signature, SignatureEvent
from plugins.signatures.receipts import receipt_for_event

# --- helpers ---------------------------------------------------------------------------------


def iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- the hash chain --------------------------------------------------------------------------


def event_fields(event: SignatureEvent) -> dict:
    return {
        "declaration_id": event.declaration_id,
        "sequence": event.sequence,
        "kind": event.kind.value,
        "created_at": iso(event.created_at),
        "data": event.data,
        "previous_hash": event.previous_hash,
    }


def compute_event_hash(event: SignatureEvent) -> str:
    return crypto.sha256_hex(crypto.canonical_json(event_fields(event)))


def last_event(declaration_id: int) -> SignatureEvent | None:
    return db.session.scalar(
        sa.select(SignatureEvent)
        .where(SignatureEvent.declaration_id == declaration_id)
        .order_by(SignatureEvent.sequence.desc())
        .limit(1)
    )


def next_event(
    declaration: Declaration,
    kind: EventKind,
    data: dict,
    previous: SignatureEvent | None,
    signature: Signature | None = None,
) -> SignatureEvent:
    event = SignatureEvent(
        declaration_id=declaration.id,
        sequence=(previous.sequence + 1) if previous is not None else 1,
        kind=kind,
        signature=signature,
        created_at=utcnow(),
        data=data,
        previous_hash=previous.event_hash if previous is not None else crypto.GENESIS_HASH,
    )
    event.event_hash = compute_event_hash(event)
    event.server_signature = crypto.sign(event.event_hash.encode("ascii"))
    return event


def append_event(
    declaration: Declaration, kind: EventKind, data: dict, signature: Signature | None = None
) -> SignatureEvent:
    """Add the next link; the caller holds the declaration's row lock (PostgreSQL)."""
    event = next_event(declaration, kind, data, last_event(declaration.id), signature)
    db.session.add_all([event, checkpoints.for_event(event)])
    db.session.flush()
    return event


def declaration_event_data(declaration: Declaration) -> dict:
    frozen = declaration.frozen_revision
    return {
        "title": declaration.title,
        "revision_number": frozen.number if frozen is not None else None,
        "frozen_revision_id": declaration.frozen_revision_id,
        "text_hash": declaration.text_hash,
    } | (
        {"language_hashes": dict(declaration.language_hashes)}
        if declaration.language_hashes
        else {}
    )


def chain_head(declaration: Declaration) -> SignatureEvent:
    """The last link; a declaration opened while the plugin was off gets its opening link."""
    previous = last_event(declaration.id)
    if previous is None:
        previous = append_event(declaration, EventKind.opened, declaration_event_data(declaration))
    return previous


def record_state_change(declaration: Declaration, old_state, new_state) -> None:
    kinds = {
        DeclarationState.open: EventKind.opened,
        DeclarationState.closed: EventKind.closed,
    }
    kind = kinds.get(new_state)
    if old_state == DeclarationState.open and new_state == DeclarationState.consultation:
        kind = EventKind.returned
    if kind is None:
        return
    data = declaration_event_data(declaration)
    if kind == EventKind.closed:
        data["active_signatures"] = db.session.scalar(
            sa.select(sa.func.count(Signature.id)).where(
                Signature.declaration_id == declaration.id, Signature.withdrawn_at.is_(None)
            )
        )
    append_event(declaration, kind, data)


def signature_data(
    signature: Signature, delegation_name: str, language_hashes: dict | None = None
) -> dict:
    """What the ``signed`` link records about a signature (and its receipt carries).

    ``language_hashes``: each language version's SHA-256 of a text frozen in language versions
    (``Declaration.language_hashes``); ``text_hash`` is their manifest's hash, so the receipt
    names every language the signature binds."""
    languages = {"language_hashes": dict(language_hashes)} if language_hashes else {}
    return (
        languages
        | {
            "kind": signature.kind.value,
            "delegation_id": signature.delegation_id,
            "delegation_name": delegation_name,
            "signatory_id": signature.signatory_id,
            "signatory_name": signature.signatory_name,
            "signatory_title": signature.signatory_title,
            "revision_number": signature.revision_number,
            "text_hash": signature.text_hash,
            "endorsed_keys": list(signature.endorsed_keys),
            "endorses_all": signature.endorses_all,
            "statements": list(signature.statements),
            "signed_at": iso(signature.signed_at),
            "auth_method": signature.auth_method.value,
            "ip_address": signature.ip_address,
            "user_agent": signature.user_agent,
            "verification_code": signature.verification_code,
        }
        | ({"passkey": signature.passkey_evidence} if signature.passkey_evidence else {})
    )


def withdrawal_data(signature: Signature) -> dict:
    return {
        "verification_code": signature.verification_code,
        "withdrawn_at": iso(signature.withdrawn_at),
        "withdrawn_by_id": signature.withdrawn_by_id,
        "reason": signature.withdrawal_reason,
    }


# --- verification ----------------------------------------------------------------------------


@dataclass
class ChainReport:
    declaration: Declaration
    events: int = 0
    signatures: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _event_label(event: SignatureEvent) -> str:
    who = event.data.get("delegation_name") if isinstance(event.data, dict) else None
    if who:
        return _(
            "event #%(n)s (%(kind)s, %(who)s)", n=event.sequence, kind=event.kind.value, who=who
        )
    return _("event #%(n)s (%(kind)s)", n=event.sequence, kind=event.kind.value)


@contextmanager
def _snapshot():
    """A session of its own on one consistent view of the database (REPEATABLE READ on
    PostgreSQL), so signatures committed while the chain is being read cause no false alarm."""
    options = (
        {"isolation_level": "REPEATABLE READ"} if db.engine.dialect.name == "postgresql" else {}
    )
    with db.engine.connect() as conn:
        conn = conn.execution_options(**options)
        with Session(bind=conn) as session:
            yield session


def verify_chain(declaration: Declaration, anchors=()) -> ChainReport:
    """Check every link, its server signature, every signature row and the declaration row
    against the chain and the frozen text, and that the chain still extends its published
    checkpoints and the ``anchors`` given (``checkpoints.Anchor``: from a checkpoint or receipt
    file). Problems are listed in chain order: the first one names the first break."""
    report = ChainReport(declaration)
    with _snapshot() as session:
        _verify(session, declaration.id, report, anchors)
    return report


def _verify(session: Session, declaration_id: int, report: ChainReport, anchors=()) -> None:
    events = session.scalars(
        sa.select(SignatureEvent)
        .where(SignatureEvent.declaration_id == declaration_id)
        .order_by(SignatureEvent.sequence)
    ).all()
    signatures = {
        s.id: s
        for s in session.scalars(
            sa.select(Signature).where(Signature.declaration_id == declaration_id)
        )
    }
    report.events, report.signatures = len(events), len(signatures)
    problems = report.problems
    previous_hash = crypto.GENESIS_HASH
    signed_seen: set[int] = set()
    withdrawn_seen: set[int] = set()
    text_hashes: dict[int, tuple[int, int, str]] = {}
    for position, event in enumerate(events, start=1):
        label = _event_label(event)
        if event.sequence != position:
            problems.append(
                _(
                    "%(label)s: expected position %(n)s; a link is missing.",
                    label=label,
                    n=position,
                )
            )
        if event.previous_hash != previous_hash:
            problems.append(
                _("%(label)s: does not point to the hash of the link before it.", label=label)
            )
        if compute_event_hash(event) != event.event_hash:
            problems.append(
                _("%(label)s: its content no longer matches its hash (altered).", label=label)
            )
        if not crypto.verify(event.event_hash.encode("ascii"), event.server_signature):
            problems.append(
                _("%(label)s: the server's signature of its hash is not valid.", label=label)
            )
        previous_hash = event.event_hash
        if event.kind == EventKind.signed:
            problems.extend(
                _check_signed(session, event, signatures, label, declaration_id, text_hashes)
            )
            signed_seen.add(event.signature_id)
        elif event.kind == EventKind.withdrawn:
            problems.extend(_check_withdrawn(event, signatures, label))
            withdrawn_seen.add(event.signature_id)
    for signature in signatures.values():
        who = _(
            "signature %(id)s (%(delegation)s)",
            id=signature.id,
            delegation=signature.delegation.name,
        )
        if signature.id not in signed_seen:
            problems.append(
                _("%(label)s: is not in the chain (added behind the app's back).", label=who)
            )
        if signature.withdrawn_at is not None and signature.id not in withdrawn_seen:
            problems.append(
                _("%(label)s: marked withdrawn but the chain has no withdrawal.", label=who)
            )
        if signature.withdrawn_at is None and signature.id in withdrawn_seen:
            problems.append(
                _("%(label)s: the chain says withdrawn but the row is active again.", label=who)
            )
    problems.extend(_check_declaration_row(session, declaration_id, events, text_hashes))
    problems.extend(checkpoints.stored_anchor_problems(session, declaration_id, events))
    for anchor in anchors:
        problems.extend(checkpoints.anchor_problems(anchor, events))


STATE_AFTER = {
    EventKind.opened: (DeclarationState.open,),
    EventKind.closed: (DeclarationState.closed,),
    EventKind.returned: (DeclarationState.consultation, DeclarationState.draft),
}


def _check_declaration_row(session, declaration_id, events, cache) -> list[str]:
    """The declaration's state, frozen revision and text hash against the chain's last state
    link and the frozen text itself."""
    declaration = session.get(Declaration, declaration_id)
    state_events = [e for e in events if e.kind in STATE_AFTER]
    if declaration is None or not state_events:
        return []
    problems = []
    last = state_events[-1]
    if declaration.state not in STATE_AFTER[last.kind]:
        problems.append(
            _(
                "declaration: its state is “%(state)s” but the chain's last state link, "
                "%(label)s, leaves it “%(expected)s” (state changed behind the app's back).",
                state=declaration.state.value,
                label=_event_label(last),
                expected=STATE_AFTER[last.kind][0].value,
            )
        )
    if declaration.state not in (DeclarationState.open, DeclarationState.closed):
        return problems
    opened = next((e for e in reversed(state_events) if e.kind == EventKind.opened), None)
    recorded = opened.data if opened is not None and isinstance(opened.data, dict) else {}
    if "text_hash" in recorded and recorded["text_hash"] != declaration.text_hash:
        problems.append(
            _(
                "declaration: its text hash %(hash)s is not the %(recorded)s recorded when it "
                "was opened (%(label)s).",
                hash=declaration.text_hash,
                recorded=recorded["text_hash"],
                label=_event_label(opened),
            )
        )
    revision = _revision_hash(session, declaration.frozen_revision_id, cache)
    if revision is None or revision[0] != declaration_id:
        problems.append(_("declaration: its frozen revision is missing or another declaration's."))
        return problems
    if (
        recorded.get("frozen_revision_id", declaration.frozen_revision_id)
        != (declaration.frozen_revision_id)
        or recorded.get("revision_number", revision[1]) != revision[1]
    ):
        problems.append(
            _(
                "declaration: it points to revision %(number)s (id %(id)s), not to the revision "
                "%(recorded)s frozen when it was opened.",
                number=revision[1],
                id=declaration.frozen_revision_id,
                recorded=recorded.get("revision_number"),
            )
        )
    if declaration.language_hashes and declaration.language_hashes != revision[3]:
        changed = sorted(
            code
            for code in set(declaration.language_hashes) | set(revision[3])
            if declaration.language_hashes.get(code) != revision[3].get(code)
        )
        problems.append(
            _(
                "declaration: the language versions frozen no longer hash to the hashes "
                "recorded (%(languages)s).",
                languages=", ".join(changed),
            )
        )
    elif declaration.text_hash not in revision[2]:
        problems.append(
            _(
                "declaration: its frozen revision %(number)s no longer hashes to its text hash.",
                number=revision[1],
            )
        )
    elif (
        declaration.language_hashes
        and canonical.manifest_hash(declaration.language_hashes) != declaration.text_hash
    ):
        problems.append(
            _("declaration: its language hashes do not make up its text hash (manifest).")
        )
    return problems


def _revision_hash(session, revision_id, cache) -> tuple | None:
    """(declaration id, number, every text hash that binds its text as it is now, {language:
    recomputed hash}) of a revision, computed once per run."""
    if revision_id not in cache:
        revision = session.get(DeclarationRevision, revision_id or -1)
        cache[revision_id] = (
            (
                revision.declaration_id,
                revision.number,
                revision.accepted_text_hashes(),
                revision.language_hashes(),
            )
            if revision is not None
            else None
        )
    return cache[revision_id]


def _language_problems(label, recorded: dict, signature: Signature, revision) -> list[str]:
    """A signature that names its language versions: their manifest must be the hash signed,
    and each language's text as stored now must still hash to what was signed."""
    problems = []
    try:
        manifest = canonical.manifest_hash(recorded) if isinstance(recorded, dict) else None
    except (TypeError, ValueError):
        manifest = None
    if manifest != signature.text_hash:
        problems.append(
            _(
                "%(label)s: the language hashes recorded do not make up the text hash signed, "
                "%(hash)s.",
                label=label,
                hash=signature.text_hash,
            )
        )
        return problems
    current = revision[3]
    for language in sorted(set(recorded) | set(current)):
        if language not in current:
            problems.append(
                _(
                    "%(label)s: the %(language)s text signed is missing from the revision.",
                    label=label,
                    language=language,
                )
            )
        elif current[language] != recorded.get(language):
            problems.append(
                _(
                    "%(label)s: the %(language)s text signed no longer hashes to %(hash)s (it "
                    "was changed after freezing).",
                    label=label,
                    language=language,
                    hash=recorded.get(language) or "—",
                )
            )
    return problems


def _check_signed(session, event, signatures, label, declaration_id, cache) -> list[str]:
    signature = signatures.get(event.signature_id)
    if signature is None:
        return [_("%(label)s: its signature row is missing (deleted).", label=label)]
    problems = []
    recorded = dict(event.data)
    actual = signature_data(
        signature, recorded.get("delegation_name", ""), recorded.get("language_hashes")
    )
    changed = sorted(k for k in set(recorded) | set(actual) if recorded.get(k) != actual.get(k))
    if changed:
        problems.append(
            _(
                "%(label)s: signature %(id)s was changed after signing (%(fields)s).",
                label=label,
                id=signature.id,
                fields=", ".join(changed),
            )
        )
    revision = _revision_hash(session, signature.frozen_revision_id, cache)
    if revision is None or revision[0] != declaration_id:
        problems.append(_("%(label)s: the signed revision is missing.", label=label))
    elif recorded.get("language_hashes") is not None and (
        language_problems := _language_problems(
            label, recorded["language_hashes"], signature, revision
        )
    ):
        problems.extend(language_problems)
    elif signature.text_hash not in revision[2]:
        problems.append(
            _(
                "%(label)s: the signed text no longer hashes to %(hash)s.",
                label=label,
                hash=signature.text_hash,
            )
        )
    elif revision[1] != signature.revision_number:
        problems.append(_("%(label)s: the signed revision number does not match.", label=label))
    if not crypto.verify(
        crypto.canonical_json(receipt_for_event(event)), signature.receipt_signature
    ):
        problems.append(
            _(
                "%(label)s: the receipt signature of signature %(id)s is not valid.",
                label=label,
                id=signature.id,
            )
        )
    return problems


def _check_withdrawn(event, signatures, label) -> list[str]:
    signature = signatures.get(event.signature_id)
    if signature is None:
        return [_("%(label)s: its signature row is missing (deleted).", label=label)]
    if signature.withdrawn_at is None:
        return []  # reported once, with the row
    if withdrawal_data(signature) != event.data:
        return [
            _(
                "%(label)s: the withdrawal of signature %(id)s was changed afterwards.",
                label=label,
                id=signature.id,
            )
        ]
    return []
