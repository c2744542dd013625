"""The server's Ed25519 key, canonical JSON and hashes of the signing chain.

The key comes from ``SIGNATURES_SIGNING_KEY`` (a PEM private key; ``flask signatures
generate-key`` prints one). When it is unset outside production, the key is derived from
``SECRET_KEY`` with HKDF-SHA256 (salt ``alliance-conf signatures``, info ``ed25519 receipt key
v1``): nothing is written to local disk and every host sharing the ``SECRET_KEY`` derives the
same key. In production the explicit key is required (the app refuses to start without it), so
that rotating the session secret never changes the key receipts are signed with.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, current_app

from alliance_conf.config import ConfigError

EXTENSION_KEY = "signatures_key"
GENESIS_HASH = "0" * 64
HKDF_SALT = b"alliance-conf signatures"
HKDF_INFO = b"ed25519 receipt key v1"


def derive_key(secret_key: str) -> Ed25519PrivateKey:
    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=HKDF_SALT, info=HKDF_INFO).derive(
        secret_key.encode("utf-8")
    )
    return Ed25519PrivateKey.from_private_bytes(seed)


def load_key(app: Flask) -> Ed25519PrivateKey:
    """Read or derive the key once per app; raises ConfigError when production has none."""
    pem = app.config.get("SIGNATURES_SIGNING_KEY")
    if pem:
        data = pem.encode() if isinstance(pem, str) else pem
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"SIGNATURES_SIGNING_KEY is not a readable PEM key: {exc}") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise ConfigError("SIGNATURES_SIGNING_KEY must be an Ed25519 private key.")
        return key
    if app.config.get("ALLIANCE_ENV") == "production":
        raise ConfigError(
            "Refusing to start in production without SIGNATURES_SIGNING_KEY: the signatures "
            "plugin signs receipts with it. Generate one with `flask signatures generate-key` "
            "and set it (PEM), or disable the plugin (ALLIANCE_DISABLED_PLUGINS=signatures)."
        )
    return derive_key(app.config["SECRET_KEY"])


def install_key(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = load_key(app)


def private_key() -> Ed25519PrivateKey:
    return current_app.extensions[EXTENSION_KEY]


def public_key() -> Ed25519PublicKey:
    return private_key().public_key()


def public_key_pem() -> str:
    return (
        public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


def public_key_id() -> str:
    raw = public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def generate_pem() -> str:
    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode("ascii")
    )


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8: the bytes that are hashed and signed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sign(data: bytes) -> str:
    return base64.b64encode(private_key().sign(data)).decode("ascii")


def verify(data: bytes, signature_b64: str) -> bool:
    try:
        raw = base64.b64decode(signature_b64 or "", validate=True)
        public_key().verify(raw, data)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
