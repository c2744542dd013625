"""Passkeys (WebAuthn credentials) of an account: register, list, remove, sign in, and the
assertion check other areas (signing a declaration) build on. Callers commit.

Every ceremony is two steps, as WebAuthn needs: *options* (the server stores a one-time challenge
in ``webauthn_challenges``) then *result* (the browser's response; the challenge is consumed
with a conditional UPDATE, so a replayed response finds it used). User verification (PIN or
biometrics on the device) is always required. Registering or removing a passkey needs the
password again: a stolen session alone cannot add a key that signs.

The relying party: ``WEBAUTHN_RP_ID`` and ``WEBAUTHN_ORIGINS`` when set; otherwise the host of
``PUBLIC_BASE_URL``, or of the request (views pass ``request.host_url``).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    decode_credential_public_key,
    decoded_public_key_to_cryptography,
)
from webauthn.helpers.exceptions import (
    InvalidAuthenticationResponse,
    InvalidCBORData,
    InvalidJSONStructure,
    InvalidRegistrationResponse,
)
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from alliance_conf.audit.operations import log_event
from alliance_conf.auth.models import PasskeyCredential, User, WebAuthnChallenge
from alliance_conf.core.db import utcnow
from alliance_conf.core.errors import AllianceError, NotFound, ValidationFailed
from alliance_conf.extensions import db
from alliance_conf.i18n import _

MAX_PASSKEYS = 10
MAX_NAME = 100
WEBAUTHN_ERRORS = (
    InvalidAuthenticationResponse,
    InvalidRegistrationResponse,
    InvalidJSONStructure,
    InvalidCBORData,
    ValueError,
    TypeError,
    KeyError,
)


class PasskeyRefused(AllianceError):
    """The browser's answer does not prove what it must; nothing was stored."""

    status = 400
    code = "passkey_refused"


class PasswordRequired(AllianceError):
    status = 403
    code = "reauthentication_failed"


@dataclass(frozen=True)
class RelyingParty:
    rp_id: str
    origins: tuple[str, ...]
    name: str


def relying_party(host_url: str | None = None) -> RelyingParty:
    config = current_app.config
    base = config.get("PUBLIC_BASE_URL") or host_url or "http://localhost/"
    parts = urlsplit(base)
    origin = f"{parts.scheme}://{parts.netloc}"
    origins = tuple(config.get("WEBAUTHN_ORIGINS") or (origin,))
    return RelyingParty(
        rp_id=config.get("WEBAUTHN_RP_ID") or parts.hostname or "localhost",
        origins=origins,
        name=config.get("WEBAUTHN_RP_NAME") or "alliance-conf",
    )


def b64url(data: bytes) -> str:
    return bytes_to_base64url(data)


def from_b64url(text: str) -> bytes:
    return base64url_to_bytes(text)


# --- challenges -------------------------------------------------------------------------------


def new_challenge(purpose: str, user: User | None, data: dict, challenge: bytes | None = None):
    seconds = current_app.config.get("WEBAUTHN_CHALLENGE_SECONDS", 300)
    db.session.execute(  # ceremonies long over are of no use to anyone
        sa.delete(WebAuthnChallenge).where(
            WebAuthnChallenge.expires_at < utcnow() - timedelta(hours=1)
        )
    )
    row = WebAuthnChallenge(
        challenge=b64url(challenge or secrets.token_bytes(32)),
        purpose=purpose,
        user_id=user.id if user is not None else None,
        data=data,
        expires_at=utcnow() + timedelta(seconds=seconds),
    )
    db.session.add(row)
    db.session.flush()
    return row


def parse_credential(text: str | None) -> dict:
    """The browser's answer posted by a form as JSON text."""
    try:
        value = json.loads(text or "")
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise PasskeyRefused(
            _("No passkey answer arrived: your browser needs JavaScript and passkey support.")
        )
    return value


def client_data(credential: dict) -> dict:
    """The parsed clientDataJSON of a browser response, or PasskeyRefused."""
    try:
        raw = from_b64url(credential["response"]["clientDataJSON"])
        parsed = json.loads(raw)
        if not isinstance(parsed, dict) or not isinstance(parsed.get("challenge"), str):
            raise ValueError
        return parsed
    except (*WEBAUTHN_ERRORS, AttributeError):
        raise PasskeyRefused(
            _("The passkey response is malformed (no readable client data).")
        ) from None


def take_challenge(credential: dict, purpose: str, user: User | None) -> WebAuthnChallenge:
    """Find the ceremony the response answers and mark it used; a second use is refused."""
    challenge = client_data(credential)["challenge"]
    row = db.session.scalar(
        sa.select(WebAuthnChallenge).where(
            WebAuthnChallenge.challenge == challenge, WebAuthnChallenge.purpose == purpose
        )
    )
    if row is None or (user is not None and row.user_id != user.id):
        raise PasskeyRefused(
            _("This passkey response answers no challenge we issued to you: start again.")
        )
    used = db.session.execute(
        sa.update(WebAuthnChallenge)
        .where(WebAuthnChallenge.id == row.id, WebAuthnChallenge.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not used:
        raise PasskeyRefused(
            _("This passkey response was already used (a replay): nothing was stored. Start again.")
        )
    if row.expires_at < utcnow():
        raise PasskeyRefused(_("The passkey request expired: start again."))
    return row


# --- registering, listing, removing ----------------------------------------------------------


def passkeys_of(user: User) -> list[PasskeyCredential]:
    return db.session.scalars(
        sa.select(PasskeyCredential)
        .where(PasskeyCredential.user_id == user.id)
        .order_by(PasskeyCredential.created_at, PasskeyCredential.id)
    ).all()


def _descriptors(credentials: list[PasskeyCredential]) -> list[PublicKeyCredentialDescriptor]:
    descriptors = []
    for credential in credentials:
        transports = []
        for name in credential.transports or []:
            try:
                transports.append(AuthenticatorTransport(name))
            except ValueError:
                continue
        descriptors.append(
            PublicKeyCredentialDescriptor(
                id=from_b64url(credential.credential_id), transports=transports or None
            )
        )
    return descriptors


def require_password(user: User, password: str | None) -> None:
    if not user.check_password(password or ""):
        raise PasswordRequired(
            _("The password is not correct; changing your passkeys needs your password again."),
            {"password": _("Wrong password.")},
        )


def registration_options(user: User, password: str | None, rp: RelyingParty) -> dict:
    """Check the password, then issue the options for ``navigator.credentials.create``."""
    require_password(user, password)
    existing = passkeys_of(user)
    if len(existing) >= MAX_PASSKEYS:
        raise ValidationFailed(_("You have %(num)d passkeys: remove one first.", num=MAX_PASSKEYS))
    options = generate_registration_options(
        rp_id=rp.rp_id,
        rp_name=rp.name,
        user_id=f"alliance-conf-user-{user.id}".encode(),
        user_name=user.email,
        user_display_name=user.full_name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=_descriptors(existing),
    )
    new_challenge("register", user, {}, options.challenge)
    return json.loads(options_to_json(options))


def _clean_name(name: str | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed(
            _("Name the passkey (e.g. “work laptop”)."), {"name": _("Required.")}
        )
    if len(name) > MAX_NAME:
        raise ValidationFailed(
            _("The name is longer than %(num)d characters.", num=MAX_NAME),
            {"name": _("Too long.")},
        )
    return name


def register(user: User, credential: dict, name: str, rp: RelyingParty) -> PasskeyCredential:
    """Verify the browser's ``create`` response (user verification required) and keep the
    public key under ``name``. Refuses, storing nothing, a replay or a key already known."""
    name = _clean_name(name)
    row = take_challenge(credential, "register", user)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=from_b64url(row.challenge),
            expected_rp_id=rp.rp_id,
            expected_origin=list(rp.origins),
            require_user_verification=True,
        )
    except WEBAUTHN_ERRORS as exc:
        raise PasskeyRefused(
            _("The passkey could not be registered: %(problem)s", problem=exc)
        ) from None
    credential_id = b64url(verified.credential_id)
    if db.session.scalar(
        sa.select(PasskeyCredential.id).where(PasskeyCredential.credential_id == credential_id)
    ):
        raise PasskeyRefused(_("This passkey is already registered."))
    transports = credential.get("response", {}).get("transports") or []
    passkey = PasskeyCredential(
        user_id=user.id,
        credential_id=credential_id,
        public_key=b64url(verified.credential_public_key),
        sign_count=verified.sign_count,
        name=name,
        transports=[str(t) for t in transports][:10],
        backed_up=bool(verified.credential_backed_up),
    )
    db.session.add(passkey)
    db.session.flush()
    log_event("auth.passkey_registered", passkey, actor=user, data={"name": name})
    return passkey


def get_passkey(user: User, passkey_id: int) -> PasskeyCredential:
    passkey = db.session.get(PasskeyCredential, passkey_id)
    if passkey is None or passkey.user_id != user.id:
        raise NotFound(_("You have no passkey %(id)s.", id=passkey_id))
    return passkey


def remove(user: User, passkey_id: int, password: str | None) -> None:
    passkey = get_passkey(user, passkey_id)
    require_password(user, password)
    log_event("auth.passkey_removed", passkey, actor=user, data={"name": passkey.name})
    db.session.delete(passkey)
    db.session.flush()


# --- assertions: signing in, and any ceremony built on one -----------------------------------


def assertion_options(
    purpose: str, user: User | None, rp: RelyingParty, *, challenge: bytes | None = None, data=None
) -> dict:
    """Options for ``navigator.credentials.get``; with a user, only their passkeys."""
    allowed = _descriptors(passkeys_of(user)) if user is not None else []
    options = generate_authentication_options(
        rp_id=rp.rp_id,
        challenge=challenge,
        allow_credentials=allowed,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    new_challenge(purpose, user, data or {}, options.challenge)
    return json.loads(options_to_json(options))


@dataclass
class CheckedAssertion:
    passkey: PasskeyCredential
    challenge: WebAuthnChallenge
    authenticator_data: bytes
    client_data_json: bytes
    signature: bytes


def check_assertion(
    credential: dict, purpose: str, user: User | None, rp: RelyingParty
) -> CheckedAssertion:
    """Verify a ``get`` response: a challenge we issued for ``purpose`` (to ``user``), used
    once; a known passkey (of ``user`` when given); user verified; a counter that moved on."""
    if not isinstance(credential, dict):
        raise PasskeyRefused(_("The passkey response is malformed."))
    row = take_challenge(credential, purpose, user)
    raw_id = str(credential.get("rawId") or credential.get("id") or "")
    passkey = db.session.scalar(
        sa.select(PasskeyCredential).where(PasskeyCredential.credential_id == raw_id)
    )
    if passkey is None:
        raise PasskeyRefused(_("This passkey is not registered here (unknown credential)."))
    if row.user_id is not None and passkey.user_id != row.user_id:
        raise PasskeyRefused(_("This passkey belongs to another person's account."))
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=from_b64url(row.challenge),
            expected_rp_id=rp.rp_id,
            expected_origin=list(rp.origins),
            credential_public_key=from_b64url(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except WEBAUTHN_ERRORS as exc:
        message = str(exc)
        if "sign count" in message:
            message = _(
                "the passkey's signature counter went backwards: it may have been cloned "
                "(%(problem)s)",
                problem=message,
            )
        raise PasskeyRefused(_("The passkey check failed: %(problem)s.", problem=message)) from None
    # Conditional update: of two answers racing with the same passkey, the one whose counter
    # is not above the stored one (any more) is refused, as a clone's would be.
    moved = db.session.execute(
        sa.update(PasskeyCredential)
        .where(
            PasskeyCredential.id == passkey.id,
            sa.or_(
                PasskeyCredential.sign_count < verified.new_sign_count,
                sa.and_(PasskeyCredential.sign_count == 0, verified.new_sign_count == 0),
            ),
        )
        .values(sign_count=verified.new_sign_count, last_used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not moved:
        raise PasskeyRefused(
            _(
                "The passkey check failed: the passkey's signature counter went backwards (another "
                "answer of the same passkey arrived first, or it was cloned)."
            )
        )
    db.session.expire(passkey, ["sign_count", "last_used_at"])
    response = credential["response"]
    return CheckedAssertion(
        passkey=passkey,
        challenge=row,
        authenticator_data=from_b64url(response["authenticatorData"]),
        client_data_json=from_b64url(response["clientDataJSON"]),
        signature=from_b64url(response["signature"]),
    )


def sign_in(credential: dict, rp: RelyingParty) -> User:
    """The account whose passkey answered a sign-in challenge; the caller logs it in."""
    checked = check_assertion(credential, "login", None, rp)
    user = checked.passkey.user
    if not user.is_active:
        raise PasskeyRefused(_("This account is deactivated."))
    return user


def public_key_spki(passkey: PasskeyCredential) -> bytes:
    """The passkey's public key as DER SubjectPublicKeyInfo (what ``cryptography`` loads)."""
    from cryptography.hazmat.primitives import serialization

    key = decoded_public_key_to_cryptography(
        decode_credential_public_key(from_b64url(passkey.public_key))
    )
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def cose_algorithm(passkey: PasskeyCredential) -> int:
    return int(decode_credential_public_key(from_b64url(passkey.public_key)).alg)
