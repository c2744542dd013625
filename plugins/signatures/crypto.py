"""The server's Ed25519 key, canonical JSON and hashes of the signing chain.

The key comes from ``SIGNATURES_SIGNING_KEY`` (a PEM private key; ``flask signatures
generate-key`` prints one). When it is unset outside production, a random key is generated into
the instance folder (``signatures-key.pem``) on first start and read afterwards; it is never
derived from ``SECRET_KEY`` or any other published value. In production the explicit key is
required (the app refuses to start without it).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import Flask, current_app

from alliance_conf.config import ConfigError, instance_secret

EXTENSION_KEY = "signatures_key"
GENESIS_HASH = "0" * 64
INSTANCE_KEY_FILE = "signatures-key.pem"


def load_key(app: Flask) -> Ed25519PrivateKey:
    """Read or derive the key once per app; raises ConfigError when production has none."""
    pem = app.config.get("SIGNATURES_SIGNING_KEY")
    if not pem and app.config.get("ALLIANCE_ENV") != "production":
        pem = instance_secret(app.instance_path, INSTANCE_KEY_FILE, make=generate_pem)
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
    raise ConfigError("SIGNATURES_SIGNING_KEY is empty.")


@dataclass(frozen=True)
class SigningKey:
    """The app's key and what is derived from it, derived once (every public verification
    checks two signatures and names the key)."""

    private: Ed25519PrivateKey
    public: Ed25519PublicKey
    public_pem: str
    key_id: str

    @classmethod
    def of(cls, key: Ed25519PrivateKey) -> SigningKey:
        public = key.public_key()
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        pem = public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")
        return cls(key, public, pem, hashlib.sha256(raw).hexdigest()[:16])


def install_key(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = SigningKey.of(load_key(app))


def _key() -> SigningKey:
    return current_app.extensions[EXTENSION_KEY]


def private_key() -> Ed25519PrivateKey:
    return _key().private


def public_key() -> Ed25519PublicKey:
    return _key().public


def public_key_pem() -> str:
    return _key().public_pem


def public_key_id() -> str:
    return _key().key_id


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
