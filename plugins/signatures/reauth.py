"""Re-authentication before signing or withdrawing: the per-user lock after repeated
failures, attempt counting, and the one-time codes sent by e-mail.

The one exception to "callers commit": ``reauthenticate`` counts every attempt as a failure
before checking the secret and commits that count on the request's own connection (and commits
again to forget it when the secret was right), so the refusal's rollback cannot erase the count
and parallel guesses cannot slip past the limit. Call it before writing anything.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from alliance_conf.audit.operations import log_event
from alliance_conf.auth.models import User
from alliance_conf.core.db import utcnow
from alliance_conf.core.errors import AllianceError, ValidationFailed
from alliance_conf.core.request_meta import RequestMeta
from alliance_conf.declarations.models import Declaration
from alliance_conf.extensions import db
from alliance_conf.formatting import format_datetime
from alliance_conf.i18n import _, force_locale, ngettext
from plugins.signatures import mail, policy
from plugins.signatures.access import require_open, signatory_registration
from plugins.signatures.models import AuthMethod, ReauthFailure, SigningCode


class ReauthFailed(AllianceError):
    status = 403
    code = "reauthentication_failed"


class TooManyAttempts(AllianceError):
    status = 429
    code = "too_many_attempts"


# --- re-authentication and its lock ----------------------------------------------------------


def locked_until(user) -> datetime | None:
    """When ``SIGNATURES_MAX_FAILURES`` failures fall within the window, signing is locked."""
    limit = current_app.config["SIGNATURES_MAX_FAILURES"]
    window = timedelta(minutes=current_app.config["SIGNATURES_FAILURE_WINDOW_MINUTES"])
    lock = timedelta(minutes=current_app.config["SIGNATURES_LOCK_MINUTES"])
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


def check_not_locked(user, declaration: Declaration | None = None) -> None:
    until = locked_until(user)
    if until is not None:
        minutes = max(1, round((until - utcnow()).total_seconds() / 60))
        raise TooManyAttempts(
            ngettext(
                "Too many failed attempts to confirm your identity: signing is locked for "
                "%(num)d more minute (until %(time)s).",
                "Too many failed attempts to confirm your identity: signing is locked for "
                "%(num)d more minutes (until %(time)s).",
                minutes,
                time=format_datetime(
                    until, declaration.conference if declaration is not None else None
                ),
            )
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


def _count_attempt(user, declaration: Declaration | None, reason: str, meta: RequestMeta) -> int:
    """Record the attempt as a failure *before* any secret is checked, atomically with the
    lock check, and commit it on the request's own connection: parallel guesses queue on the
    user's row, so exactly ``SIGNATURES_MAX_FAILURES`` of them are ever counted."""
    _lock_user(user)
    check_not_locked(user, declaration)
    ip = meta.ip if current_app.config["SIGNATURES_STORE_IP"] else None
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


def _forget_attempt(attempt_id: int, *, commit: bool = True) -> None:
    """The secret was right: the attempt was no failure after all."""
    db.session.execute(sa.delete(ReauthFailure).where(ReauthFailure.id == attempt_id))
    if commit:
        db.session.commit()


def _code_digest(code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def request_signing_code(declaration: Declaration, *, actor) -> None:
    """E-mail a one-time code to the signatory (valid ``SIGNATURES_CODE_MINUTES``)."""
    require_open(declaration)
    signatory_registration(actor, declaration)
    check_not_locked(actor, declaration)
    latest = db.session.scalar(
        sa.select(sa.func.max(SigningCode.created_at)).where(
            SigningCode.user_id == actor.id, SigningCode.declaration_id == declaration.id
        )
    )
    if latest is not None and utcnow() - latest < timedelta(seconds=30):
        raise TooManyAttempts(_("A code was sent less than 30 seconds ago; check your mailbox."))
    code = f"{secrets.randbelow(10**6):06d}"
    minutes = current_app.config["SIGNATURES_CODE_MINUTES"]
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
    with force_locale(mail.language_of(actor)):
        mail.send_secret(
            actor.email,
            _("Your one-time signing code"),  # not in the subject: organisers see subjects
            _(
                "Your one-time code to sign “%(title)s” is %(code)s.",
                title=declaration.title,
                code=code,
            )
            + "\n\n"
            + ngettext(
                "It is valid for %(num)d minute. If you did not ask for it, tell the organisers.",
                "It is valid for %(num)d minutes. If you did not ask for it, tell the organisers.",
                minutes,
            ),
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
    meta: RequestMeta = RequestMeta(),
    hold: Callable[[], None] | None = None,
) -> AuthMethod:
    """Step-up before an act that changes a signature (signing, withdrawing).

    ``method`` names how the person proves it is them; each method checks its own secret
    after the attempt is counted. Commits (see ``_count_attempt``): call it before writing.

    ``hold`` runs once the attempt is counted and before the secret is checked. It may take a
    transaction lock that must last until the caller commits (signing: one submission per
    delegation at a time), so a right secret is then forgotten in the caller's transaction
    rather than committed here; or it may refuse (a domain error), and the attempt, which was
    no failure, is forgotten.
    """
    check_not_locked(actor, declaration)
    checker = REAUTH_METHODS.get(method)
    if checker is None:
        raise ValidationFailed(_("Unknown re-authentication method “%(method)s”.", method=method))
    attempt_id = _count_attempt(actor, declaration, method, meta)
    if hold is not None:
        try:
            hold()
        except AllianceError:
            _forget_attempt(attempt_id)
            raise
    result = checker(declaration, actor, password, code)
    _forget_attempt(attempt_id, commit=hold is None)
    return result


def check_password_only(
    declaration: Declaration, actor, password: str | None, *, meta: RequestMeta = RequestMeta()
) -> None:
    """The password alone, for a submission refused anyway for another reason (a name that
    does not match), so that the person reads every error at once. Counted and locked like any
    attempt (``reauthenticate``); the e-mailed code is neither checked nor used up."""
    attempt_id = _count_attempt(actor, declaration, "password", meta)
    _check_password(actor, password)
    _forget_attempt(attempt_id)


def _check_password(actor, password) -> None:
    if not actor.check_password(password or ""):
        raise ReauthFailed(
            _("The password is not correct; this step needs your password again."),
            {"password": _("Wrong password.")},
        )


def _password_method(declaration: Declaration, actor, password, code) -> AuthMethod:
    _check_password(actor, password)
    if not policy.require_email_code(declaration):
        return AuthMethod.password
    found = _check_code(declaration, actor, code)
    if found is None:
        raise ReauthFailed(
            _("The one-time code is wrong or expired; ask for a new code by e-mail."),
            {"code": _("Wrong or expired code.")},
        )
    found.used_at = utcnow()
    return AuthMethod.password_email_code


# How a person re-authenticates, by name; another method (a passkey...) registers here.
REAUTH_METHODS = {"password": _password_method}
