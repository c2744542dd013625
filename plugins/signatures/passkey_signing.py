"""Signing a declaration with a passkey: the authenticator signs the text, not just a login.

Step 1, *options*: the signing payload is built from exactly what the signatory endorses (the
frozen text's SHA-256, the delegation, the endorsed commitments, the statements and
reservations) plus a server nonce; the WebAuthn challenge is SHA-256 of its canonical JSON.
Step 2, *result*: the same choices are submitted with the assertion; the payload is rebuilt from
them and the nonce kept with the challenge, and must hash to the challenge the authenticator
signed. So choices changed after the challenge, a replay, another declaration's challenge, an
unknown passkey, another person's passkey or a counter gone backwards are refused, nothing
stored. The evidence (payload, assertion, public key) is stored with the signature, enters the
chain link and the receipt, and can be checked offline (``offline.py``).
"""

from __future__ import annotations

import hashlib
import secrets

from alliance_conf.auth import passkeys
from alliance_conf.core.errors import PermissionDenied, ValidationFailed
from alliance_conf.declarations.models import Declaration
from alliance_conf.i18n import _
from alliance_conf.registrations.models import Registration
from plugins.signatures import crypto

PAYLOAD_TYPE = "alliance-conf/signing-payload"


def signing_payload(
    declaration: Declaration,
    registration: Registration,
    kind: str,
    endorsed_keys: list[str],
    endorses_all: bool,
    statements: list[dict],
    nonce: str,
) -> dict:
    delegation = registration.delegation
    frozen = declaration.frozen_revision
    return {
        "type": PAYLOAD_TYPE,
        "version": 1,
        "declaration_id": declaration.id,
        "declaration_title": declaration.title,
        "revision_number": frozen.number if frozen is not None else None,
        "text_hash": declaration.text_hash,
        "delegation_id": delegation.id,
        "delegation_name": delegation.name,
        "kind": kind,
        "signatory_id": registration.user_id,
        "signatory_name": registration.user.full_name,
        "endorsed_keys": list(endorsed_keys),
        "endorses_all": endorses_all,
        "statements": list(statements),
        "nonce": nonce,
    }


def challenge_for(payload: dict) -> bytes:
    return hashlib.sha256(crypto.canonical_json(payload)).digest()


def _prepare(declaration, actor, endorsed_keys, statements, delegation_id):
    from plugins.signatures import access, operations

    access.require_open(declaration)
    registration = access.signatory_registration(actor, declaration)
    if delegation_id is not None and int(delegation_id) != registration.delegation_id:
        raise PermissionDenied(
            _(
                "You can sign only for your own delegation, %(name)s.",
                name=registration.delegation.name,
            )
        )
    keys, endorses_all = operations.clean_endorsements(declaration, endorsed_keys)
    cleaned = operations.clean_statements(declaration, statements)
    kind = access.signing_kind(registration.delegation).value
    return registration, kind, keys, endorses_all, cleaned


def signing_options(
    declaration: Declaration,
    *,
    actor,
    rp: passkeys.RelyingParty,
    endorsed_keys=None,
    statements=(),
    delegation_id: int | None = None,
) -> dict:
    """``{"options": <for navigator.credentials.get>, "payload": <what the passkey signs>}``."""
    registration, kind, keys, endorses_all, cleaned = _prepare(
        declaration, actor, endorsed_keys, statements, delegation_id
    )
    if not passkeys.passkeys_of(actor):
        raise ValidationFailed(
            _(
                "You have no passkey yet: register one on your account's passkeys page first, "
                "then sign with it."
            ),
            {"passkey": _("No passkey registered.")},
        )
    nonce = secrets.token_urlsafe(24)
    payload = signing_payload(declaration, registration, kind, keys, endorses_all, cleaned, nonce)
    options = passkeys.assertion_options(
        "sign",
        actor,
        rp,
        challenge=challenge_for(payload),
        data={"declaration_id": declaration.id, "nonce": nonce},
    )
    return {"options": options, "payload": payload}


def check_passkey_signature(
    declaration: Declaration,
    *,
    actor,
    credential: dict,
    rp: passkeys.RelyingParty,
    registration: Registration,
    kind: str,
    endorsed_keys: list[str],
    endorses_all: bool,
    statements: list[dict],
) -> dict:
    """Verify the assertion against the payload rebuilt from the submitted choices; return the
    evidence to store. Raises ``PasskeyRefused`` (nothing stored) otherwise."""
    checked = passkeys.check_assertion(credential, "sign", actor, rp)
    data = checked.challenge.data or {}
    if data.get("declaration_id") != declaration.id:
        raise passkeys.PasskeyRefused(
            _("This passkey signature was made for another declaration: nothing was stored.")
        )
    payload = signing_payload(
        declaration,
        registration,
        kind,
        endorsed_keys,
        endorses_all,
        statements,
        str(data.get("nonce") or ""),
    )
    if passkeys.b64url(challenge_for(payload)) != checked.challenge.challenge:
        raise passkeys.PasskeyRefused(
            _(
                "Your passkey signed other choices than those submitted (the endorsed "
                "commitments or statements changed after your device was asked): nothing was "
                "stored. Sign again to have your device sign what you now endorse."
            )
        )
    return {
        "payload": payload,
        "credential_id": checked.passkey.credential_id,
        "public_key": passkeys.b64url(passkeys.public_key_spki(checked.passkey)),
        "public_key_format": "DER SubjectPublicKeyInfo, base64url",
        "cose_algorithm": passkeys.cose_algorithm(checked.passkey),
        "rp_id": rp.rp_id,
        "authenticator_data": passkeys.b64url(checked.authenticator_data),
        "client_data_json": passkeys.b64url(checked.client_data_json),
        "signature": passkeys.b64url(checked.signature),
    }
