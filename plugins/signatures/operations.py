"""Signing, withdrawing, the hash chain and its verification. Callers commit.

Who may do what:

* sign: the approved registration of the actor holds full powers (``is_signatory``) in an active
  delegation whose group may sign (``SIGNATURES_SIGNING_GROUPS``; state delegations by default)
  or support (``SIGNATURES_SUPPORT_GROUPS``; organisations by default); the declaration is open;
  the actor re-authenticates (password, plus an e-mailed code when
  ``SIGNATURES_REQUIRE_EMAIL_CODE`` is on) and types their full name;
* withdraw: a signatory of the same delegation, while the declaration is open, with a reason,
  after the same re-authentication as signing;
* see a signature's details and receipt: organisers, staff and members of its delegation;
* send reminders: organisers.

The one exception to "callers commit": ``reauthenticate`` counts every attempt as a failure
before checking the secret and commits that count on the request's own connection (and commits
again to forget it when the secret was right), so the refusal's rollback cannot erase the count
and parallel guesses cannot slip past the limit. Call it before writing anything.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from alliance_conf.audit.operations import client_ip, log_event
from alliance_conf.auth.access import is_organiser, is_team, membership, signed_in
from alliance_conf.auth.models import User
from alliance_conf.core.aftercommit import after_commit
from alliance_conf.core.db import utcnow
from alliance_conf.core.errors import (
    AllianceError,
    Conflict,
    InvalidState,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from alliance_conf.declarations import canonical
from alliance_conf.declarations.models import Declaration, DeclarationRevision, DeclarationState
from alliance_conf.delegations.models import Delegation, DelegationKind
from alliance_conf.extensions import db
from alliance_conf.hooks import SignatureRow, SignatureStatement
from alliance_conf.plugins import hook
from alliance_conf.registrations.models import Registration, RegistrationStatus
from plugins.signatures import checkpoints, crypto, mail, passkey_signing, policy
from plugins.signatures.models import (
    AuthMethod,
    EventKind,
    ReauthFailure,
    Signature,
    SignatureEvent,
    SignatureKind,
    SignatureReminder,
    SigningCode,
)

MAX_STATEMENTS = 20
MAX_STATEMENT = 2000
MAX_REASON = 2000
STATEMENT_KINDS = ("statement", "reservation")
CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # RFC 4648 base32: 5 bits a character
CODE_LENGTH = 10
RECEIPT_TYPE = "alliance-conf/signature-receipt"


class ReauthFailed(AllianceError):
    status = 403
    code = "reauthentication_failed"


class TooManyAttempts(AllianceError):
    status = 429
    code = "too_many_attempts"


# --- helpers ---------------------------------------------------------------------------------


def iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _config(name: str):
    return current_app.config[name]


def normalise_name(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value or "").split()).casefold()


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def normalise_code(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "").upper()


def _request_meta() -> tuple[str | None, str]:
    if not has_request_context():
        return None, ""
    ip = client_ip() if _config("SIGNATURES_STORE_IP") else None
    return ip, (request.user_agent.string or "")[:400]


# --- who may sign ----------------------------------------------------------------------------


def signing_kind(delegation: Delegation) -> SignatureKind | None:
    """Whether the delegation's group signs, supports, or does neither."""
    signing = _config("SIGNATURES_SIGNING_GROUPS")
    support = _config("SIGNATURES_SUPPORT_GROUPS")
    if (delegation.group in signing) if signing is not None else delegation.is_state:
        return SignatureKind.signature
    if (
        (delegation.group in support)
        if support is not None
        else delegation.kind == DelegationKind.organisation
    ):
        return SignatureKind.support
    return None


def signatory_registration(actor, declaration: Declaration) -> Registration:
    """The actor's registration that entitles them to sign, or PermissionDenied saying why."""
    if signed_in(actor) is None:
        raise PermissionDenied("Sign in as your delegation's signatory to sign.")
    registration = membership(actor, declaration.conference_id)
    if registration is None:
        raise PermissionDenied(
            "Only accredited members of a delegation to this conference can sign."
        )
    if not registration.is_signatory:
        raise PermissionDenied(
            f"You do not hold full powers for {registration.delegation.name}: only its "
            "designated signatory can sign."
        )
    delegation = registration.delegation
    if not delegation.active:
        raise PermissionDenied(f"{delegation.name} is not an active delegation.")
    if signing_kind(delegation) is None:
        raise PermissionDenied(
            f"Delegations of the group “{declaration.conference.group_label(delegation.group)}” "
            "neither sign nor support this declaration."
        )
    return registration


def can_sign(actor, declaration: Declaration) -> bool:
    if declaration.state != DeclarationState.open:
        return False
    try:
        signatory_registration(actor, declaration)
    except PermissionDenied:
        return False
    return True


def require_open(declaration: Declaration) -> None:
    if declaration.state != DeclarationState.open:
        raise InvalidState(
            f"“{declaration.title}” is not open for signature; it is "
            f"{declaration.state.title.lower()}."
        )


def can_see_signature(signature: Signature, user) -> bool:
    if signed_in(user) is None:
        return False
    if is_team(user):
        return True
    registration = membership(user, signature.conference_id)
    return registration is not None and registration.delegation_id == signature.delegation_id


def get_signature(signature_id: int, user) -> Signature:
    signature = db.session.get(Signature, signature_id)
    if signature is None or not can_see_signature(signature, user):
        raise NotFound(f"There is no signature {signature_id} that you can see.")
    return signature


def active_signature(declaration: Declaration, delegation_id: int) -> Signature | None:
    return db.session.scalar(
        sa.select(Signature).where(
            Signature.declaration_id == declaration.id,
            Signature.delegation_id == delegation_id,
            Signature.withdrawn_at.is_(None),
        )
    )


def frozen_commitments(declaration: Declaration) -> list[dict]:
    revision = declaration.frozen_revision
    return list(revision.content.get("commitments", [])) if revision is not None else []


# --- re-authentication and its lock ----------------------------------------------------------


def locked_until(user) -> datetime | None:
    """When ``SIGNATURES_MAX_FAILURES`` failures fall within the window, signing is locked."""
    limit = _config("SIGNATURES_MAX_FAILURES")
    window = timedelta(minutes=_config("SIGNATURES_FAILURE_WINDOW_MINUTES"))
    lock = timedelta(minutes=_config("SIGNATURES_LOCK_MINUTES"))
    now = utcnow()
    recent = db.session.scalars(
        sa.select(ReauthFailure.created_at)
        .where(ReauthFailure.user_id == user.id, ReauthFailure.created_at >= now - window - lock)
        .order_by(ReauthFailure.created_at.desc())
        .limit(limit)
    ).all()
    if len(recent) < limit or recent[0] - recent[-1] > window:
        return None
    until = recent[0] + lock
    return until if until > now else None


def check_not_locked(user) -> None:
    until = locked_until(user)
    if until is not None:
        minutes = max(1, round((until - utcnow()).total_seconds() / 60))
        raise TooManyAttempts(
            f"Too many failed attempts to confirm your identity: signing is locked for "
            f"{minutes} more minute(s) (until {until:%H:%M} UTC)."
        )


def _lock_user(user) -> None:
    """Serialise re-authentication attempts of one person until the transaction ends.

    PostgreSQL: SELECT ... FOR UPDATE on the user's row. SQLite ignores FOR UPDATE but
    serialises writers, so a no-op UPDATE takes the database write lock first.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(
            sa.update(User)
            .where(User.id == user.id)
            .values(session_version=User.session_version)
            .execution_options(synchronize_session=False)
        )
    else:
        # FOR NO KEY UPDATE: attempts queue on each other, but rows that merely point at the
        # user (a signature being inserted by a parallel request, which holds the declaration's
        # lock) do not wait for it: with FOR UPDATE those two requests deadlocked.
        db.session.execute(
            sa.select(User.id).where(User.id == user.id).with_for_update(key_share=True)
        )


def _count_attempt(user, declaration: Declaration | None, reason: str) -> int:
    """Record the attempt as a failure *before* any secret is checked, atomically with the
    lock check, and commit it on the request's own connection: parallel guesses queue on the
    user's row, so exactly ``SIGNATURES_MAX_FAILURES`` of them are ever counted."""
    _lock_user(user)
    check_not_locked(user)
    ip = client_ip() if _config("SIGNATURES_STORE_IP") else None
    attempt = ReauthFailure(
        user_id=user.id,
        declaration_id=declaration.id if declaration is not None else None,
        reason=reason,
        ip_address=ip,
        created_at=utcnow(),
    )
    db.session.add(attempt)
    db.session.commit()  # releases the row lock; the count survives any later rollback
    return attempt.id


def _forget_attempt(attempt_id: int) -> None:
    """The secret was right: the attempt was no failure after all."""
    db.session.execute(sa.delete(ReauthFailure).where(ReauthFailure.id == attempt_id))
    db.session.commit()


def _code_digest(code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def request_signing_code(declaration: Declaration, *, actor) -> None:
    """E-mail a one-time code to the signatory (valid ``SIGNATURES_CODE_MINUTES``)."""
    require_open(declaration)
    signatory_registration(actor, declaration)
    check_not_locked(actor)
    latest = db.session.scalar(
        sa.select(sa.func.max(SigningCode.created_at)).where(
            SigningCode.user_id == actor.id, SigningCode.declaration_id == declaration.id
        )
    )
    if latest is not None and utcnow() - latest < timedelta(seconds=30):
        raise TooManyAttempts("A code was sent less than 30 seconds ago; check your mailbox.")
    code = f"{secrets.randbelow(10**6):06d}"
    minutes = _config("SIGNATURES_CODE_MINUTES")
    db.session.add(
        SigningCode(
            user_id=actor.id,
            declaration_id=declaration.id,
            code_hash=_code_digest(code),
            expires_at=utcnow() + timedelta(minutes=minutes),
        )
    )
    db.session.flush()
    log_event("signature.code_sent", declaration, actor=actor)
    mail.send_mail(
        actor.email,
        "Your one-time signing code",  # not in the subject: organisers see subjects
        f"Your one-time code to sign “{declaration.title}” is {code}.\n\n"
        f"It is valid for {minutes} minutes. If you did not ask for it, tell the organisers.",
    )


def _check_code(declaration: Declaration, actor, code: str | None) -> SigningCode | None:
    code = (code or "").strip()
    if not code:
        return None
    candidate = db.session.scalar(
        sa.select(SigningCode)
        .where(
            SigningCode.user_id == actor.id,
            SigningCode.declaration_id == declaration.id,
            SigningCode.used_at.is_(None),
            SigningCode.expires_at > utcnow(),
        )
        .order_by(SigningCode.created_at.desc())
        .limit(1)
    )
    if candidate is None or not hmac.compare_digest(candidate.code_hash, _code_digest(code)):
        return None
    return candidate


def reauthenticate(
    declaration: Declaration,
    actor,
    password: str | None,
    code: str | None,
    *,
    method: str = "password",
) -> AuthMethod:
    """Step-up before an act that changes a signature (signing, withdrawing).

    ``method`` names how the person proves it is them; each method checks its own secret
    after the attempt is counted. Commits (see ``_count_attempt``): call it before writing.
    """
    check_not_locked(actor)
    checker = REAUTH_METHODS.get(method)
    if checker is None:
        raise ValidationFailed(f"Unknown re-authentication method {method!r}.")
    attempt_id = _count_attempt(actor, declaration, method)
    result = checker(declaration, actor, password, code)
    _forget_attempt(attempt_id)
    return result


def _password_method(declaration: Declaration, actor, password, code) -> AuthMethod:
    if not actor.check_password(password or ""):
        raise ReauthFailed(
            "The password is not correct; this step needs your password again.",
            {"password": "Wrong password."},
        )
    if not policy.require_email_code(declaration):
        return AuthMethod.password
    found = _check_code(declaration, actor, code)
    if found is None:
        raise ReauthFailed(
            "The one-time code is wrong or expired; ask for a new code by e-mail.",
            {"code": "Wrong or expired code."},
        )
    found.used_at = utcnow()
    return AuthMethod.password_email_code


# How a person re-authenticates, by name; another method (a passkey...) registers here.
REAUTH_METHODS = {"password": _password_method}


# --- input -----------------------------------------------------------------------------------


def clean_endorsements(declaration: Declaration, keys) -> tuple[list[str], bool]:
    """``None`` means all commitments; otherwise a subset, kept in the text's order."""
    known = [c["key"] for c in frozen_commitments(declaration)]
    if keys is None:
        return known, True
    chosen = {str(k) for k in keys}
    unknown = sorted(chosen - set(known))
    if unknown:
        raise ValidationFailed(
            f"Not a commitment of the text being signed: {', '.join(unknown)}.",
            {"endorsed_keys": "Unknown commitment."},
        )
    if known and not chosen:
        raise ValidationFailed(
            "Endorse at least one commitment.", {"endorsed_keys": "Choose at least one."}
        )
    ordered = [k for k in known if k in chosen]
    return ordered, len(ordered) == len(known)


def clean_statements(declaration: Declaration, raw) -> list[dict]:
    known = {c["key"] for c in frozen_commitments(declaration)}
    items = list(raw or [])
    if len(items) > MAX_STATEMENTS:
        raise ValidationFailed(f"At most {MAX_STATEMENTS} statements or reservations.")
    cleaned = []
    for n, item in enumerate(items, start=1):
        kind = str(item.get("kind") or "statement")
        text = canonical.normalise_string(str(item.get("text") or ""))
        key = item.get("commitment_key") or None
        if kind not in STATEMENT_KINDS:
            raise ValidationFailed(
                f"Statement {n}: the kind must be statement or reservation.",
                {"statements": "Unknown kind."},
            )
        if not text:
            continue
        if len(text) > MAX_STATEMENT:
            raise ValidationFailed(
                f"Statement {n} is longer than {MAX_STATEMENT} characters.",
                {"statements": "Too long."},
            )
        if key is not None and key not in known:
            raise ValidationFailed(
                f"Statement {n} refers to {key!r}, which is not a commitment of the text.",
                {"statements": "Unknown commitment."},
            )
        cleaned.append({"kind": kind, "text": text, "commitment_key": key})
    return cleaned


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


def _next_event(
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
    event = _next_event(declaration, kind, data, last_event(declaration.id), signature)
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
    }


def _chain_head(declaration: Declaration) -> SignatureEvent:
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


def signature_data(signature: Signature, delegation_name: str) -> dict:
    """What the ``signed`` link records about a signature (and its receipt carries)."""
    return {
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
    } | ({"passkey": signature.passkey_evidence} if signature.passkey_evidence else {})


def withdrawal_data(signature: Signature) -> dict:
    return {
        "verification_code": signature.verification_code,
        "withdrawn_at": iso(signature.withdrawn_at),
        "withdrawn_by_id": signature.withdrawn_by_id,
        "reason": signature.withdrawal_reason,
    }


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
        raise NotFound("This signature has no receipt: it is missing from the chain.")
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
        return ReceiptCheck(False, "This is not a receipt: it has no “receipt” object.")
    receipt = document["receipt"]
    if not crypto.verify(crypto.canonical_json(receipt), str(document.get("signature") or "")):
        return ReceiptCheck(
            False,
            "The receipt's signature does not match its content: it was altered or forged "
            "(or signed by another server's key).",
        )
    code = normalise_code(str(receipt.get("verification_code") or ""))
    signature = db.session.scalar(sa.select(Signature).where(Signature.verification_code == code))
    event = signed_event(signature) if signature is not None else None
    if event is None or event.event_hash != receipt.get("chain_event_hash"):
        return ReceiptCheck(False, "The receipt is signed but matches no recorded signature.")
    if receipt != receipt_for_event(event):
        return ReceiptCheck(False, "The receipt differs from the recorded signature.")
    if signature.withdrawn_at is not None:
        return ReceiptCheck(
            True,
            f"Genuine receipt; the signature was withdrawn on {signature.withdrawn_at:%-d %B %Y}.",
            active=False,
            signature=signature,
        )
    return ReceiptCheck(True, "Genuine receipt of an active signature.", True, signature)


# --- signing and withdrawing -----------------------------------------------------------------


def _lock(declaration: Declaration) -> None:
    db.session.refresh(declaration, with_for_update=True)


def sign_declaration(
    declaration: Declaration,
    *,
    actor,
    password: str,
    typed_name: str,
    code: str | None = None,
    endorsed_keys=None,
    statements=(),
    delegation_id: int | None = None,
    method: str = "password",
    passkey: dict | None = None,
    relying_party=None,
) -> Signature:
    """Record the actor's delegation's signature (or support). Raises, storing nothing, when
    the text is not open, the actor may not sign, re-authentication fails or it already signed.

    With ``passkey`` (the browser's WebAuthn assertion, answering ``passkey_signing``'s
    options) the passkey replaces the password: it must have signed exactly these choices.
    """
    require_open(declaration)
    registration = signatory_registration(actor, declaration)
    delegation = registration.delegation
    if delegation_id is not None and int(delegation_id) != delegation.id:
        raise PermissionDenied(f"You can sign only for your own delegation, {delegation.name}.")
    keys, endorses_all = clean_endorsements(declaration, endorsed_keys)
    cleaned_statements = clean_statements(declaration, statements)
    if not normalise_name(typed_name) or normalise_name(typed_name) != normalise_name(
        actor.full_name
    ):
        raise ValidationFailed(
            "Type your full name exactly as it appears on your account "
            f"(“{actor.full_name}”) to confirm.",
            {"typed_name": "Does not match your name."},
        )
    # A second submission is turned away before paying for the password hash or the passkey
    # check (the check is repeated under the lock below, where it is authoritative).
    existing = active_signature(declaration, delegation.id)
    if existing is not None:
        raise Conflict(_already_message(delegation, existing))
    evidence = None
    if passkey is not None:
        method = AuthMethod.passkey
        evidence = passkey_signing.check_passkey_signature(
            declaration,
            actor=actor,
            credential=passkey,
            rp=relying_party,
            registration=registration,
            kind=signing_kind(delegation).value,
            endorsed_keys=keys,
            endorses_all=endorses_all,
            statements=cleaned_statements,
        )
    else:
        policy.require_password_allowed(declaration)
        method = reauthenticate(declaration, actor, password, code, method=method)

    _lock(declaration)
    require_open(declaration)
    existing = active_signature(declaration, delegation.id)
    if existing is not None:
        raise Conflict(_already_message(delegation, existing))
    previous = _chain_head(declaration)
    frozen = declaration.frozen_revision
    ip, agent = _request_meta()
    signature = Signature(
        declaration_id=declaration.id,
        conference_id=declaration.conference_id,
        delegation_id=delegation.id,
        kind=signing_kind(delegation),
        signatory_id=actor.id,
        signatory_name=actor.full_name,
        signatory_title=registration.position or registration.function.title,
        frozen_revision_id=frozen.id,
        revision_number=frozen.number,
        text_hash=declaration.text_hash,
        endorsed_keys=keys,
        endorses_all=endorses_all,
        statements=cleaned_statements,
        signed_at=utcnow(),
        ip_address=ip,
        user_agent=agent,
        auth_method=method,
        verification_code=new_verification_code(),
        passkey_evidence=evidence,
    )
    # The link and the receipt are computed before the insert: one round trip under the lock.
    event = _next_event(
        declaration,
        EventKind.signed,
        signature_data(signature, delegation.name),
        previous,
        signature,
    )
    signature.receipt_signature = crypto.sign(crypto.canonical_json(receipt_for_event(event)))
    db.session.add_all([signature, event, checkpoints.for_event(event)])
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            f"{delegation.name} has already signed this declaration (another submission "
            "arrived at the same moment)."
        ) from None
    log_event(
        f"signature.{'supported' if signature.kind == SignatureKind.support else 'signed'}",
        signature,
        actor=actor,
        data={
            "declaration_id": declaration.id,
            "delegation_id": delegation.id,
            "verification_code": signature.verification_code,
            "event_hash": event.event_hash,
        },
    )
    after_commit(_fire_signature_hook, "recorded", signature.id, getattr(actor, "id", None))
    return signature


def _already_message(delegation: Delegation, existing: Signature) -> str:
    return (
        f"{delegation.name} has already signed this declaration "
        f"({existing.signed_at:%-d %B %Y %H:%M} UTC, by {existing.signatory_name}); withdraw "
        "that signature first to sign again."
    )


def can_withdraw(signature: Signature, actor) -> bool:
    if signed_in(actor) is None:
        return False
    registration = membership(actor, signature.conference_id)
    return (
        registration is not None
        and registration.delegation_id == signature.delegation_id
        and registration.is_signatory
    )


def require_can_withdraw(signature: Signature, actor) -> None:
    if not can_withdraw(signature, actor):
        raise PermissionDenied(
            f"Only a signatory of {signature.delegation.name} can withdraw its signature."
        )


def withdraw_signature(
    signature: Signature,
    *,
    actor,
    reason: str,
    password: str | None,
    code: str | None = None,
    method: str = "password",
) -> Signature:
    """Withdraw with a reason, after the same re-authentication as signing."""
    declaration = signature.declaration
    require_can_withdraw(signature, actor)
    reason = canonical.normalise_string(reason or "")
    if not reason:
        raise ValidationFailed("Give the reason for withdrawing.", {"reason": "Required."})
    if len(reason) > MAX_REASON:
        raise ValidationFailed(
            f"The reason is longer than {MAX_REASON} characters.", {"reason": "Too long."}
        )
    require_open(declaration)
    if signature.withdrawn_at is not None:
        raise InvalidState(
            f"This signature was already withdrawn on {signature.withdrawn_at:%-d %B %Y}."
        )
    reauthenticate(declaration, actor, password, code, method=method)
    _lock(declaration)
    if declaration.state != DeclarationState.open:
        raise InvalidState(
            "A signature can be withdrawn only while the declaration is open for signature; "
            f"it is {declaration.state.title.lower()}."
        )
    db.session.refresh(signature)
    if signature.withdrawn_at is not None:
        raise InvalidState(
            f"This signature was already withdrawn on {signature.withdrawn_at:%-d %B %Y}."
        )
    signature.withdrawn_at = utcnow()
    signature.withdrawal_reason = reason
    signature.withdrawn_by_id = actor.id
    db.session.flush()
    event = append_event(declaration, EventKind.withdrawn, withdrawal_data(signature), signature)
    log_event(
        "signature.withdrawn",
        signature,
        actor=actor,
        data={"declaration_id": declaration.id, "reason": reason, "event_hash": event.event_hash},
    )
    after_commit(_fire_signature_hook, "withdrawn", signature.id, getattr(actor, "id", None))
    return signature


def _fire_signature_hook(what: str, signature_id: int, actor_id: int | None) -> None:
    """Other plugins react after the commit, once the declaration's row lock is released
    (``alliance_conf.core.aftercommit``): their work never lengthens the queue of signers."""
    from alliance_conf.auth.models import User

    signature = db.session.get(Signature, signature_id)
    if signature is None:
        return
    actor = db.session.get(User, actor_id) if actor_id is not None else None
    getattr(hook(), f"alliance_signature_{what}")(signature=signature, actor=actor)


def reopen_veto(declaration: Declaration) -> str | None:
    count = db.session.scalar(
        sa.select(sa.func.count(Signature.id)).where(Signature.declaration_id == declaration.id)
    )
    if count:
        return (
            f"{count} signature(s) or support record(s) were made on the frozen text (withdrawn "
            "ones included); it can no longer change"
        )
    return None


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
    return f"event #{event.sequence} ({event.kind.value}{', ' + who if who else ''})"


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
            problems.append(f"{label}: expected position {position}; a link is missing.")
        if event.previous_hash != previous_hash:
            problems.append(f"{label}: does not point to the hash of the link before it.")
        if compute_event_hash(event) != event.event_hash:
            problems.append(f"{label}: its content no longer matches its hash (altered).")
        if not crypto.verify(event.event_hash.encode("ascii"), event.server_signature):
            problems.append(f"{label}: the server's signature of its hash is not valid.")
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
        who = f"signature {signature.id} ({signature.delegation.name})"
        if signature.id not in signed_seen:
            problems.append(f"{who}: is not in the chain (added behind the app's back).")
        if signature.withdrawn_at is not None and signature.id not in withdrawn_seen:
            problems.append(f"{who}: marked withdrawn but the chain has no withdrawal.")
        if signature.withdrawn_at is None and signature.id in withdrawn_seen:
            problems.append(f"{who}: the chain says withdrawn but the row is active again.")
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
            f"declaration: its state is “{declaration.state.value}” but the chain's last state "
            f"link, {_event_label(last)}, leaves it "
            f"“{STATE_AFTER[last.kind][0].value}” (state changed behind the app's back)."
        )
    if declaration.state not in (DeclarationState.open, DeclarationState.closed):
        return problems
    opened = next((e for e in reversed(state_events) if e.kind == EventKind.opened), None)
    recorded = opened.data if opened is not None and isinstance(opened.data, dict) else {}
    if "text_hash" in recorded and recorded["text_hash"] != declaration.text_hash:
        problems.append(
            f"declaration: its text hash {declaration.text_hash} is not the "
            f"{recorded['text_hash']} recorded when it was opened ({_event_label(opened)})."
        )
    revision = _revision_hash(session, declaration.frozen_revision_id, cache)
    if revision is None or revision[0] != declaration_id:
        problems.append("declaration: its frozen revision is missing or another declaration's.")
        return problems
    if (
        recorded.get("frozen_revision_id", declaration.frozen_revision_id)
        != (declaration.frozen_revision_id)
        or recorded.get("revision_number", revision[1]) != revision[1]
    ):
        problems.append(
            f"declaration: it points to revision {revision[1]} (id "
            f"{declaration.frozen_revision_id}), not to the revision "
            f"{recorded.get('revision_number')} frozen when it was opened."
        )
    if revision[2] != declaration.text_hash:
        problems.append(
            f"declaration: its frozen revision {revision[1]} no longer hashes to its text hash."
        )
    return problems


def _revision_hash(session, revision_id, cache) -> tuple[int, int, str] | None:
    """(declaration id, number, recomputed text hash) of a revision, computed once per run."""
    if revision_id not in cache:
        revision = session.get(DeclarationRevision, revision_id or -1)
        cache[revision_id] = (
            (revision.declaration_id, revision.number, canonical.text_hash(revision.content))
            if revision is not None
            else None
        )
    return cache[revision_id]


def _check_signed(session, event, signatures, label, declaration_id, cache) -> list[str]:
    signature = signatures.get(event.signature_id)
    if signature is None:
        return [f"{label}: its signature row is missing (deleted)."]
    problems = []
    recorded = dict(event.data)
    actual = signature_data(signature, recorded.get("delegation_name", ""))
    changed = sorted(k for k in set(recorded) | set(actual) if recorded.get(k) != actual.get(k))
    if changed:
        problems.append(
            f"{label}: signature {signature.id} was changed after signing ({', '.join(changed)})."
        )
    revision = _revision_hash(session, signature.frozen_revision_id, cache)
    if revision is None or revision[0] != declaration_id:
        problems.append(f"{label}: the signed revision is missing.")
    elif revision[2] != signature.text_hash:
        problems.append(f"{label}: the signed text no longer hashes to {signature.text_hash}.")
    elif revision[1] != signature.revision_number:
        problems.append(f"{label}: the signed revision number does not match.")
    if not crypto.verify(
        crypto.canonical_json(receipt_for_event(event)), signature.receipt_signature
    ):
        problems.append(f"{label}: the receipt signature of signature {signature.id} is not valid.")
    return problems


def _check_withdrawn(event, signatures, label) -> list[str]:
    signature = signatures.get(event.signature_id)
    if signature is None:
        return [f"{label}: its signature row is missing (deleted)."]
    if signature.withdrawn_at is None:
        return []  # reported once, with the row
    if withdrawal_data(signature) != event.data:
        return [f"{label}: the withdrawal of signature {signature.id} was changed afterwards."]
    return []


# --- status board, reminders, rows for other plugins -----------------------------------------


def eligible_delegations(declaration: Declaration) -> list[Delegation]:
    delegations = db.session.scalars(
        sa.select(Delegation)
        .where(Delegation.conference_id == declaration.conference_id, Delegation.active)
        .order_by(Delegation.name)
    ).all()
    return [d for d in delegations if signing_kind(d) is not None]


def all_signatures(declaration: Declaration) -> list[Signature]:
    return db.session.scalars(
        sa.select(Signature)
        .options(selectinload(Signature.delegation))
        .where(Signature.declaration_id == declaration.id)
        .order_by(Signature.signed_at, Signature.id)
    ).all()


@dataclass
class BoardRow:
    delegation: Delegation
    kind: SignatureKind
    active: Signature | None
    withdrawn: list[Signature]

    @property
    def status(self) -> str:
        if self.active is not None:
            return self.active.status_title
        return "Withdrawn" if self.withdrawn else "Not yet signed"


def status_board(declaration: Declaration) -> dict:
    signatures = all_signatures(declaration)
    rows = []
    for delegation in eligible_delegations(declaration):
        own = [s for s in signatures if s.delegation_id == delegation.id]
        active = next((s for s in own if s.withdrawn_at is None), None)
        rows.append(
            BoardRow(
                delegation,
                signing_kind(delegation),
                active,
                [s for s in own if s.withdrawn_at is not None],
            )
        )
    totals: dict[str, dict] = {}
    for row in rows:
        group = totals.setdefault(
            row.delegation.group,
            {
                "label": declaration.conference.group_label(row.delegation.group),
                "eligible": 0,
                "signed": 0,
                "withdrawn": 0,
            },
        )
        group["eligible"] += 1
        group["signed"] += row.active is not None
        group["withdrawn"] += bool(row.withdrawn) and row.active is None
    signed_rows = [r for r in rows if r.active is not None]
    return {
        "rows": rows,
        "totals": totals,
        "signed": sum(1 for r in signed_rows if r.kind == SignatureKind.signature),
        "supported": sum(1 for r in signed_rows if r.kind == SignatureKind.support),
        "eligible": sum(1 for r in rows if r.kind == SignatureKind.signature),
        "commitments": frozen_commitments(declaration),
        "matrix_rows": signed_rows,
    }


@dataclass
class ReminderResult:
    reminded: list[str] = field(default_factory=list)
    recently_reminded: list[str] = field(default_factory=list)
    no_signatory: list[str] = field(default_factory=list)
    mails: int = 0


def send_reminders(declaration: Declaration, *, actor) -> ReminderResult:
    """E-mail the signatories of every delegation that has not signed; never the same
    delegation twice within ``SIGNATURES_REMINDER_HOURS``."""
    if actor is not None and not is_organiser(actor):
        raise PermissionDenied("Only organisers can send reminders.")
    require_open(declaration)
    _lock(declaration)
    since = utcnow() - timedelta(hours=_config("SIGNATURES_REMINDER_HOURS"))
    recent = set(
        db.session.scalars(
            sa.select(SignatureReminder.delegation_id).where(
                SignatureReminder.declaration_id == declaration.id,
                SignatureReminder.sent_at > since,
            )
        )
    )
    result = ReminderResult()
    for row in status_board(declaration)["rows"]:
        if row.active is not None:
            continue
        delegation = row.delegation
        if delegation.id in recent:
            result.recently_reminded.append(delegation.name)
            continue
        signatories = db.session.scalars(
            sa.select(Registration).where(
                Registration.delegation_id == delegation.id,
                Registration.status == RegistrationStatus.approved,
                Registration.is_signatory,
            )
        ).all()
        if not signatories:
            result.no_signatory.append(delegation.name)
            continue
        for registration in signatories:
            mail.send_mail(
                registration.user.email,
                f"Reminder: “{declaration.title}” is open for signature",
                f"Dear {registration.user.full_name},\n\n“{declaration.title}” is open for "
                f"signature and {delegation.name} has not signed it yet. As your delegation's "
                "signatory you can sign it online after signing in.\n\nThe organisers",
            )
            result.mails += 1
        db.session.add(
            SignatureReminder(
                declaration_id=declaration.id,
                delegation_id=delegation.id,
                sent_by_id=getattr(actor, "id", None),
                recipients=len(signatories),
            )
        )
        result.reminded.append(delegation.name)
    db.session.flush()
    log_event(
        "signature.reminders_sent",
        declaration,
        actor=actor,
        data={
            "reminded": result.reminded,
            "recently_reminded": result.recently_reminded,
            "no_signatory": result.no_signatory,
            "mails": result.mails,
        },
    )
    return result


def verification_url(code: str) -> str:
    """Never from the request's Host header: from ``PUBLIC_BASE_URL`` (always set)."""
    base = current_app.config.get("PUBLIC_BASE_URL") or ""
    return base.rstrip("/") + f"/verify/{format_code(code)}"


def signature_rows(declaration: Declaration) -> list[SignatureRow]:
    rows = []
    for signature in all_signatures(declaration):
        if signature.withdrawn_at is not None or signature.kind != SignatureKind.signature:
            continue
        delegation = signature.delegation
        rows.append(
            SignatureRow(
                delegation_id=delegation.id,
                delegation_name=delegation.name,
                country_code=delegation.country_code,
                group=delegation.group,
                signatory_name=signature.signatory_name,
                signatory_title=signature.signatory_title,
                signed_at=signature.signed_at,
                endorsed_commitment_keys=tuple(signature.endorsed_keys),
                endorses_all=signature.endorses_all,
                statements=tuple(
                    SignatureStatement(s["kind"], s["text"], s.get("commitment_key"))
                    for s in signature.statements
                ),
                verification_code=format_code(signature.verification_code),
                verification_url=verification_url(signature.verification_code),
            )
        )
    return rows


def find_by_code(code: str) -> Signature:
    normalised = normalise_code(code)
    signature = None
    if re.fullmatch(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}", normalised):
        signature = db.session.scalar(
            sa.select(Signature).where(Signature.verification_code == normalised)
        )
    if signature is None:
        raise NotFound(
            "No signature has this verification code. Check the code on the receipt "
            "(ten letters and digits, e.g. ABCDE-FGH23)."
        )
    return signature


def public_verification(signature: Signature) -> dict:
    """Only what the public may know about a signature; checked in constant time
    (``plugins.signatures.verification``), never by re-reading the whole chain."""
    from plugins.signatures.verification import check_signature

    return {
        "verification_code": format_code(signature.verification_code),
        "kind": signature.kind.value,
        "delegation": signature.delegation.name,
        "signatory_name": signature.signatory_name,
        "signatory_title": signature.signatory_title,
        "signed_at": signature.signed_at,
        "declaration_title": signature.declaration.title,
        "text_hash": signature.text_hash,
        "valid": check_signature(signature).valid,
        "active": signature.withdrawn_at is None,
        "withdrawn_at": signature.withdrawn_at,
    }
