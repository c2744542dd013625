"""Signing and withdrawing a signature, and loading one with its access check. Callers commit.

Who may do what (the rules themselves are in ``access``):

* sign: the approved registration of the actor holds full powers (``is_signatory``) in an active
  delegation whose group may sign (``SIGNATURES_SIGNING_GROUPS``; state delegations by default)
  or support (``SIGNATURES_SUPPORT_GROUPS``; organisations by default); the declaration is open;
  the actor re-authenticates (password, plus an e-mailed code when
  ``SIGNATURES_REQUIRE_EMAIL_CODE`` is on) and types their full name;
* withdraw: a signatory of the same delegation, while the declaration is open, with a reason,
  after the same re-authentication as signing;
* see a signature's details and receipt: organisers, staff and members of its delegation;
* send reminders: organisers (``board``).

Both acts re-authenticate first (``reauth``), append to the hash chain (``chain``) and answer
with a server-signed receipt (``receipts``). The client's address and user agent come in as a
``RequestMeta`` from the view or API endpoint; nothing here reads ``flask.request``.
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from alliance_conf.audit.operations import log_event
from alliance_conf.auth.models import User
from alliance_conf.auth.passkeys import PasskeyRefused
from alliance_conf.core.aftercommit import after_commit
from alliance_conf.core.db import utcnow
from alliance_conf.core.errors import (
    AllianceError,
    Conflict,
    FieldErrors,
    InvalidState,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from alliance_conf.core.request_meta import MAX_USER_AGENT, RequestMeta
from alliance_conf.declarations import canonical
from alliance_conf.declarations.models import Declaration, DeclarationState
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.formatting import format_date, format_datetime
from alliance_conf.i18n import _, ngettext
from alliance_conf.plugins import hook
from plugins.signatures import checkpoints, crypto, passkey_signing, policy
from plugins.signatures.access import (
    can_see_signature,
    require_can_withdraw,
    require_open,
    signatory_registration,
    signing_kind,
)
from plugins.signatures.chain import (
    append_event,
    chain_head,
    next_event,
    signature_data,
    withdrawal_data,
)
from plugins.signatures.models import AuthMethod, EventKind, Signature, SignatureKind
from plugins.signatures.reauth import check_password_only, reauthenticate
from plugins.signatures.receipts import new_verification_code, receipt_for_event

MAX_STATEMENTS = 20
MAX_STATEMENT = 2000
MAX_REASON = 2000
STATEMENT_KINDS = ("statement", "reservation")


def normalise_name(value: str) -> str:
    """The typed name as compared (never as stored): spaces, case and accents do not matter,
    so "Helene Dubois" typed on a keyboard without accents confirms "Hélène Dubois"."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split()).casefold()


def get_signature(signature_id: int, user) -> Signature:
    signature = db.session.get(Signature, signature_id)
    if signature is None or not can_see_signature(signature, user):
        raise NotFound(_("There is no signature %(id)s that you can see.", id=signature_id))
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
            _("Not a commitment of the text being signed: %(keys)s.", keys=", ".join(unknown)),
            {"endorsed_keys": _("Unknown commitment.")},
        )
    if known and not chosen:
        raise ValidationFailed(
            _("Endorse at least one commitment."), {"endorsed_keys": _("Choose at least one.")}
        )
    ordered = [k for k in known if k in chosen]
    return ordered, len(ordered) == len(known)


def clean_statements(declaration: Declaration, raw) -> list[dict]:
    known = {c["key"] for c in frozen_commitments(declaration)}
    items = list(raw or [])
    if len(items) > MAX_STATEMENTS:
        raise ValidationFailed(_("At most %(max)s statements or reservations.", max=MAX_STATEMENTS))
    cleaned = []
    for n, item in enumerate(items, start=1):
        kind = str(item.get("kind") or "statement")
        text = canonical.normalise_string(str(item.get("text") or ""))
        key = item.get("commitment_key") or None
        if kind not in STATEMENT_KINDS:
            raise ValidationFailed(
                _("Statement %(n)s: the kind must be statement or reservation.", n=n),
                {"statements": _("Unknown kind.")},
            )
        if not text:
            continue
        if len(text) > MAX_STATEMENT:
            raise ValidationFailed(
                _("Statement %(n)s is longer than %(max)s characters.", n=n, max=MAX_STATEMENT),
                {"statements": _("Too long.")},
            )
        if key is not None and key not in known:
            raise ValidationFailed(
                _(
                    "Statement %(n)s refers to “%(key)s”, which is not a commitment of the text.",
                    n=n,
                    key=key,
                ),
                {"statements": _("Unknown commitment.")},
            )
        cleaned.append({"kind": kind, "text": text, "commitment_key": key})
    return cleaned


# --- signing and withdrawing -----------------------------------------------------------------


def lock_declaration(declaration: Declaration) -> None:
    db.session.refresh(declaration, with_for_update=True)


SUBMISSION_LOCK = 0x5167  # the first key of the signing submissions' PostgreSQL advisory locks


def one_submission_at_a_time(declaration: Declaration, delegation: Delegation) -> None:
    """Before the password is checked: on PostgreSQL a second submission for the delegation
    (a double click sends both at the same moment) waits here until the first one's transaction
    ends, then finds its signature and is turned away without paying for the hash. The lock is
    the delegation's alone (other signatories never wait) and is taken before the declaration's
    row lock, always in that order. SQLite serialises writers anyway."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            sa.text("SELECT pg_advisory_xact_lock(:space, :delegation)"),
            {"space": SUBMISSION_LOCK, "delegation": delegation.id},
        )
    existing = active_signature(declaration, delegation.id)
    if existing is not None:
        raise Conflict(_already_message(delegation, existing))


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
    meta: RequestMeta = RequestMeta(),
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
        raise PermissionDenied(
            _("You can sign only for your own delegation, %(name)s.", name=delegation.name)
        )
    # Every refusal of the form at once, each by its field (the password's included, below).
    errors = FieldErrors()
    keys, endorses_all = errors.check(clean_endorsements, declaration, endorsed_keys) or (
        None,
        None,
    )
    cleaned_statements = errors.check(clean_statements, declaration, statements)
    if not normalise_name(typed_name) or normalise_name(typed_name) != normalise_name(
        actor.full_name
    ):
        errors.add(
            _(
                "Type your full name as it appears on your account (“%(name)s”) to confirm; "
                "accents, capitals and spaces do not matter.",
                name=actor.full_name,
            ),
            {"typed_name": _("Does not match your name, “%(name)s”.", name=actor.full_name)},
        )
    if errors:
        if passkey is None:
            # The password is checked too (counted, and refused while locked, as any attempt),
            # so a wrong one is reported with the rest rather than on the next submission.
            policy.require_password_allowed(declaration)
            try:
                check_password_only(declaration, actor, password, meta=meta)
            except AllianceError as exc:
                raise type(exc)(
                    " ".join([exc.message, *errors.messages]), {**errors.fields, **exc.fields}
                ) from None
        errors.raise_any()
    # A second submission is turned away before paying for the password hash or the passkey
    # check (the check is repeated under the lock below, where it is authoritative).
    existing = active_signature(declaration, delegation.id)
    if existing is not None:
        raise Conflict(_already_message(delegation, existing))
    evidence = None
    if passkey is not None:
        method = AuthMethod.passkey
        try:
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
        except PasskeyRefused:
            # The same submission sent twice at once: the first one signed and moved the
            # passkey's counter on while this one waited, so the device looks replayed. It is
            # a second submission, and is answered as one.
            signed_meanwhile = active_signature(declaration, delegation.id)
            if signed_meanwhile is not None:
                raise Conflict(_already_message(delegation, signed_meanwhile)) from None
            raise
    else:
        policy.require_password_allowed(declaration)
        method = reauthenticate(
            declaration,
            actor,
            password,
            code,
            method=method,
            meta=meta,
            hold=lambda: one_submission_at_a_time(declaration, delegation),
        )

    lock_declaration(declaration)
    require_open(declaration)
    existing = active_signature(declaration, delegation.id)
    if existing is not None:
        raise Conflict(_already_message(delegation, existing))
    previous = chain_head(declaration)
    frozen = declaration.frozen_revision
    ip = meta.ip if current_app.config["SIGNATURES_STORE_IP"] else None
    agent = meta.user_agent[:MAX_USER_AGENT]
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
    event = next_event(
        declaration,
        EventKind.signed,
        signature_data(signature, delegation.name, declaration.language_hashes),
        previous,
        signature,
    )
    signature.receipt_signature = crypto.sign(crypto.canonical_json(receipt_for_event(event)))
    db.session.add_all([signature, event, checkpoints.for_event(event)])
    name = delegation.name
    try:
        db.session.flush()
    except IntegrityError:
        # The caller's transaction rolls back on the error, as on any other refusal.
        raise Conflict(
            _(
                "%(name)s has already signed this declaration (another submission arrived at "
                "the same moment).",
                name=name,
            )
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
    return _(
        "%(name)s has already signed this declaration (%(date)s, by %(signatory)s); withdraw "
        "that signature first to sign again.",
        name=delegation.name,
        date=format_datetime(existing.signed_at, existing.declaration.conference),
        signatory=existing.signatory_name,
    )


def withdraw_signature(
    signature: Signature,
    *,
    actor,
    reason: str,
    password: str | None,
    code: str | None = None,
    method: str = "password",
    meta: RequestMeta = RequestMeta(),
) -> Signature:
    """Withdraw with a reason, after the same re-authentication as signing."""
    declaration = signature.declaration
    require_can_withdraw(signature, actor)
    reason = canonical.normalise_string(reason or "")
    if not reason:
        raise ValidationFailed(_("Give the reason for withdrawing."), {"reason": _("Required.")})
    if len(reason) > MAX_REASON:
        raise ValidationFailed(
            _("The reason is longer than %(max)s characters.", max=MAX_REASON),
            {"reason": _("Too long.")},
        )
    require_open(declaration)
    if signature.withdrawn_at is not None:
        raise InvalidState(_already_withdrawn(signature))
    reauthenticate(declaration, actor, password, code, method=method, meta=meta)
    lock_declaration(declaration)
    if declaration.state != DeclarationState.open:
        raise InvalidState(
            _(
                "A signature can be withdrawn only while the declaration is open for signature; "
                "it is %(state)s.",
                state=declaration.state.title.lower(),
            )
        )
    db.session.refresh(signature)
    if signature.withdrawn_at is not None:
        raise InvalidState(_already_withdrawn(signature))
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


def _already_withdrawn(signature: Signature) -> str:
    return _(
        "This signature was already withdrawn on %(date)s.",
        date=format_date(signature.withdrawn_at, signature.declaration.conference),
    )


def _fire_signature_hook(what: str, signature_id: int, actor_id: int | None) -> None:
    """Other plugins react after the commit, once the declaration's row lock is released
    (``alliance_conf.core.aftercommit``): their work never lengthens the queue of signers."""

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
        return ngettext(
            "%(num)d signature or support record was made on the frozen text (withdrawn ones "
            "included); it can no longer change",
            "%(num)d signatures or support records were made on the frozen text (withdrawn ones "
            "included); it can no longer change",
            count,
        )
    return None
