"""Check a signature receipt without the server: Python's standard library and ``cryptography``.

``verify_receipt(document, server_public_key_pem)`` returns the problems found (empty: valid):

1. the server's Ed25519 counter-signature over the receipt's canonical JSON (sorted keys, no
   whitespace, UTF-8), and that ``key_id`` names that key;
2. for a passkey signature: the signing payload says what the receipt says (text hash,
   delegation, signatory, endorsed commitments, statements); the WebAuthn client data is a
   ``webauthn.get`` whose challenge is SHA-256 of the payload's canonical JSON; the
   authenticator data names the relying party and has user presence and user verification;
   the passkey's signature over ``authenticator data || SHA-256(client data)`` verifies with the
   credential public key the receipt carries.

Deliberately free of the application's imports: copy it anywhere (README shows a short form).
"""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

PAYLOAD_FIELDS = (
    "declaration_id",
    "revision_number",
    "text_hash",
    "delegation_id",
    "delegation_name",
    "kind",
    "signatory_id",
    "signatory_name",
    "endorsed_keys",
    "endorses_all",
    "statements",
)


def canonical_json(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _verify_with(key, signature: bytes, data: bytes) -> None:
    if isinstance(key, ec.EllipticCurvePublicKey):
        key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    elif isinstance(key, ed25519.Ed25519PublicKey):
        key.verify(signature, data)
    elif isinstance(key, rsa.RSAPublicKey):
        key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    else:
        raise InvalidSignature("unsupported key type")


def _server_checks(document: dict, server_public_key_pem: str) -> list[str]:
    receipt = document.get("receipt")
    if not isinstance(receipt, dict):
        return ["not a receipt: no “receipt” object"]
    try:
        key = serialization.load_pem_public_key(server_public_key_pem.encode())
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        key.verify(base64.b64decode(document.get("signature") or ""), canonical_json(receipt))
    except (InvalidSignature, ValueError, TypeError, AttributeError):
        return ["the server's counter-signature does not match the receipt (altered or forged)"]
    if hashlib.sha256(raw).hexdigest()[:16] != receipt.get("key_id"):
        return ["the receipt's key_id does not name the server key used to check it"]
    return []


def _passkey_checks(receipt: dict) -> list[str]:
    evidence = receipt["passkey"]
    problems = []
    payload = evidence.get("payload") or {}
    for name in PAYLOAD_FIELDS:
        if payload.get(name) != receipt.get(name):
            problems.append(f"the passkey signed another {name} than the receipt states")
    try:
        client_json = unb64url(evidence["client_data_json"])
        client = json.loads(client_json)
        auth_data = unb64url(evidence["authenticator_data"])
        signature = unb64url(evidence["signature"])
        key = serialization.load_der_public_key(unb64url(evidence["public_key"]))
    except (KeyError, ValueError, TypeError):
        return [*problems, "the passkey evidence is incomplete or unreadable"]
    challenge = b64url(hashlib.sha256(canonical_json(payload)).digest())
    if not isinstance(client, dict) or client.get("type") != "webauthn.get":
        problems.append("the client data is not a WebAuthn assertion")
    elif client.get("challenge") != challenge:
        problems.append("the passkey's challenge is not the hash of the signing payload")
    if auth_data[:32] != hashlib.sha256(str(evidence.get("rp_id")).encode()).digest():
        problems.append("the authenticator data names another relying party")
    if len(auth_data) < 37 or auth_data[32] & 0x05 != 0x05:
        problems.append("the authenticator did not verify the user (presence and PIN/biometric)")
    try:
        _verify_with(key, signature, auth_data + hashlib.sha256(client_json).digest())
    except InvalidSignature:
        problems.append("the passkey's signature does not verify with its public key")
    return problems


def verify_receipt(document: dict, server_public_key_pem: str) -> list[str]:
    """The problems of a receipt (empty list: the receipt is genuine)."""
    if not isinstance(document, dict):
        return ["not a receipt: not a JSON object"]
    problems = _server_checks(document, server_public_key_pem)
    receipt = document.get("receipt")
    if isinstance(receipt, dict) and "passkey" in receipt:
        try:
            problems += _passkey_checks(receipt)
        except (AttributeError, KeyError, TypeError, ValueError, IndexError):
            problems.append("the passkey evidence is incomplete or unreadable")
    return problems
