"""Server-signed receipts of signatures, their offline check, and the public
verification of a signature by its code."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from alliance_conf.core.errors import NotFound
from alliance_conf.extensions import db
from alliance_conf.formatting import format_date
from alliance_conf.i18n import _
from plugins.signatures import crypto
from plugins.signatures.models import EventKind, Signature, SignatureEvent

CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # RFC 4648 base32: 5 bits a character
CODE_LENGTH = 10
RECEIPT_TYPE = "alliance-conf/signature-receipt"


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def normalise_code(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "").upper()


# --- receipts --------------------------------------------------------------------------------


def signed_event(signature: Signature) -> SignatureEvent | None:
    return db.session.scalar(
        sa.select(SignatureEvent).where(
            SignatureEvent.signature_id == signature.id,
            SignatureEvent.kind == EventKind.signed,
        )
    )


def receipt_for_event(event: SignatureEvent) -> dict:
    data = {k: v for k, v in event.data.items() if k not in ("ip_address", "user_agent")}
    return {
        "type": RECEIPT_TYPE,
        "version": 1,
        "key_id": crypto.public_key_id(),
        "declaration_id": event.declaration_id,
        "chain_sequence": event.sequence,
        "chain_event_hash": event.event_hash,
        **data,
    }


def signed_receipt(signature: Signature) -> dict:
    """``{"receipt": {...}, "signature": base64 Ed25519 over its canonical JSON}``."""
    event = signed_event(signature)
    if event is None:
        raise NotFound(_("This signature has no receipt: it is missing from the chain."))
    return {
        "receipt": receipt_for_event(event),
        "signature": signature.receipt_signature,
        "algorithm": "Ed25519",
        "canonicalisation": "JSON, keys sorted, no whitespace, UTF-8",
        # For offline checks; compare with the key the conference publishes.
        "public_key_pem": crypto.public_key_pem(),
    }


@dataclass
class ReceiptCheck:
    valid: bool
    message: str
    active: bool = False
    signature: Signature | None = None


def check_receipt(document) -> ReceiptCheck:
    """Is this receipt signed by this server and does it match the record it names?"""
    if not isinstance(document, dict) or not isinstance(document.get("receipt"), dict):
        return ReceiptCheck(False, _("This is not a receipt: it has no “receipt” object."))
    receipt = document["receipt"]
    if not crypto.verify(crypto.canonical_json(receipt), str(document.get("signature") or "")):
        return ReceiptCheck(
            False,
            _(
                "The receipt's signature does not match its content: it was altered or forged "
                "(or signed by another server's key)."
            ),
        )
    code = normalise_code(str(receipt.get("verification_code") or ""))
    signature = db.session.scalar(sa.select(Signature).where(Signature.verification_code == code))
    event = signed_event(signature) if signature is not None else None
    if event is None or event.event_hash != receipt.get("chain_event_hash"):
        return ReceiptCheck(False, _("The receipt is signed but matches no recorded signature."))
    if receipt != receipt_for_event(event):
        return ReceiptCheck(False, _("The receipt differs from the recorded signature."))
    if signature.withdrawn_at is not None:
        return ReceiptCheck(
            True,
            _(
                "Genuine receipt; the signature was withdrawn on %(date)s.",
                date=format_date(signature.withdrawn_at, signature.declaration.conference),
            ),
            active=False,
            signature=signature,
        )
    return ReceiptCheck(True, _("Genuine receipt of an active signature."), True, signature)


def signed_language_hashes(signature: Signature) -> dict[str, str]:
    """Each language version's SHA-256 as recorded in the signature's ``signed`` link (what
    the signature binds); empty for a text frozen in one language before language versions."""
    event = signed_event(signature)
    recorded = event.data.get("language_hashes") if event is not None else None
    return dict(recorded) if isinstance(recorded, dict) else {}


def verification_url(code: str) -> str:
    """Never from the request's Host header: from ``PUBLIC_BASE_URL`` (always set)."""
    base = current_app.config.get("PUBLIC_BASE_URL") or ""
    return base.rstrip("/") + f"/verify/{format_code(code)}"


def find_by_code(code: str) -> Signature:
    normalised = normalise_code(code)
    signature = None
    if re.fullmatch(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}", normalised):
        signature = db.session.scalar(
            sa.select(Signature)
            .where(Signature.verification_code == normalised)
            .options(joinedload(Signature.delegation), joinedload(Signature.declaration))
        )
    if signature is None:
        raise NotFound(
            _(
                "No signature has this verification code. Check the code on the receipt "
                "(ten letters and digits, e.g. ABCDE-FGH23)."
            )
        )
    return signature


def public_verification(signature: Signature) -> dict:
    """Only what the public may know about a signature; checked in constant time
    (``plugins.signatures.verification``), never by re-reading the whole chain."""
    from plugins.signatures.verification import check_signature

    check = check_signature(signature)
    return {
        "verification_code": format_code(signature.verification_code),
        "kind": signature.kind.value,
        "delegation": signature.delegation.name,
        "signatory_name": signature.signatory_name,
        "signatory_title": signature.signatory_title,
        "signed_at": signature.signed_at,
        "declaration_title": signature.declaration.title,
        "text_hash": signature.text_hash,
        "language_hashes": check.language_hashes,
        "valid": check.valid,
        "active": signature.withdrawn_at is None,
        "withdrawn_at": signature.withdrawn_at,
    }
