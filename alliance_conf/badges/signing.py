"""What a badge's QR code carries: ``AC1.<public id>.<HMAC>``.

The public id is random (16 URL-safe characters, 96 bits), never the database id; the HMAC
(SHA-256, first 120 bits, URL-safe base64) is keyed with a key derived from the app's
``SECRET_KEY`` for this purpose only, so a code cannot be forged or guessed, and a typing slip
is told apart from a revoked badge without touching the database. Revocation lives in the
database (``Badge.revoked_at``): a valid signature is necessary, never sufficient.

Changing ``SECRET_KEY`` invalidates every printed badge (re-print them).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from flask import current_app

PREFIX = "AC1"
PUBLIC_ID = re.compile(r"^[A-Za-z0-9_-]{16}$")
SIGNATURE_LENGTH = 20  # characters: 15 bytes in URL-safe base64


def new_public_id() -> str:
    return secrets.token_urlsafe(12)


def _key() -> bytes:
    secret = current_app.config["SECRET_KEY"]
    if isinstance(secret, str):
        secret = secret.encode()
    return hashlib.sha256(b"alliance-conf badge id v1\x00" + secret).digest()


def _mac(public_id: str) -> str:
    digest = hmac.new(_key(), public_id.encode("ascii"), hashlib.sha256).digest()[:15]
    return base64.urlsafe_b64encode(digest).decode("ascii")


def sign(public_id: str) -> str:
    """The text of the QR code for ``public_id``."""
    return f"{PREFIX}.{public_id}.{_mac(public_id)}"


def verify(code: str) -> str | None:
    """The public id that ``code`` carries when its signature holds, else None."""
    parts = (code or "").strip().split(".")
    if len(parts) != 3 or parts[0].upper() != PREFIX:
        return None
    public_id, mac = parts[1], parts[2]
    if not PUBLIC_ID.match(public_id) or len(mac) != SIGNATURE_LENGTH:
        return None
    if not hmac.compare_digest(_mac(public_id).encode(), mac.encode("ascii", "replace")):
        return None
    return public_id
