"""Choosing, changing and recovering a password. Callers commit.

A link to choose a password (``reset_password`` after "forgot my password", ``set_password``
for an account created on someone's behalf or by import) is single-use and expires; only its
SHA-256 is stored. Choosing a password through a link, or changing it, ends every session of
the account (``session_version``) and revokes every API token.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from alliance_conf.audit.operations import log_event
from alliance_conf.auth.models import (
    AccountToken,
    AccountTokenPurpose,
    ApiToken,
    User,
    hash_token,
)
from alliance_conf.auth.operations import (
    _dummy_user,
    check_password_strength,
    find_user_by_email,
)
from alliance_conf.core.db import utcnow
from alliance_conf.core.errors import PermissionDenied, ValidationFailed
from alliance_conf.extensions import db
from alliance_conf.i18n import _, _l
from alliance_conf.mail.operations import queue_mail

LINK_GONE = _l(
    "This link does not work any more: it was used already, has expired or was replaced by a "
    "newer one. Ask for a new link on the sign-in page (“Forgot your password?”)."
)


def _lifetime(purpose: AccountTokenPurpose) -> timedelta:
    if purpose == AccountTokenPurpose.set_password:
        return timedelta(days=current_app.config["SET_PASSWORD_LINK_DAYS"])
    return timedelta(minutes=current_app.config["PASSWORD_RESET_MINUTES"])


def issue_link(user: User, purpose: AccountTokenPurpose, *, actor=None) -> str:
    """A new link for ``user`` (older unused links stop working); mails it; returns the URL."""
    from alliance_conf.invitations.operations import public_url

    now = utcnow()
    db.session.execute(
        sa.update(AccountToken)
        .where(AccountToken.user_id == user.id, AccountToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    secret = secrets.token_urlsafe(32)
    token = AccountToken(
        user_id=user.id,
        purpose=purpose,
        token_hash=hash_token(secret),
        created_at=now,
        expires_at=now + _lifetime(purpose),
    )
    db.session.add(token)
    db.session.flush()
    url = public_url("auth.choose_password", token=secret)
    if purpose == AccountTokenPurpose.set_password:
        subject = _l("Set the password of your alliance-conf account")
        text = _l(
            "Dear %(name)s,\n\nAn account was created for you (%(email)s). Choose your "
            "password here:\n\n%(url)s\n\nThe link works once, for %(days)s days.",
            name=user.full_name,
            email=user.email,
            url=url,
            days=current_app.config["SET_PASSWORD_LINK_DAYS"],
        )
    else:
        subject = _l("Choose a new password")
        text = _l(
            "Dear %(name)s,\n\nSomeone (probably you) asked to choose a new password for "
            "%(email)s. Choose it here:\n\n%(url)s\n\nThe link works once, for %(minutes)s "
            "minutes. If you did not ask, ignore this e-mail: your password stays as it is.",
            name=user.full_name,
            email=user.email,
            url=url,
            minutes=current_app.config["PASSWORD_RESET_MINUTES"],
        )
    queue_mail(user.email, subject, text, confidential=True)  # a password link
    log_event(f"user.{purpose}_link_sent", user, actor=actor or user)
    return url


def request_password_reset(email: str) -> None:
    """Send a link when the address has an active account; do the same work and say the same
    thing either way, so the answer never reveals whether an account exists."""
    user = find_user_by_email(email or "")
    if user is None or not user.is_active:
        _dummy_user().check_password(secrets.token_urlsafe(8))  # comparable time
        return
    issue_link(user, AccountTokenPurpose.reset_password)


def _live_token(secret: str) -> AccountToken:
    token = db.session.scalar(
        sa.select(AccountToken).where(AccountToken.token_hash == hash_token(secret or ""))
    )
    if (
        token is None
        or token.used_at is not None
        or token.expires_at <= utcnow()
        or not token.user.is_active
    ):
        raise ValidationFailed(str(LINK_GONE), {"token": _("Used, expired or replaced.")})
    return token


def check_link(secret: str) -> User:
    return _live_token(secret).user


def end_sessions_and_tokens(user: User) -> None:
    """Every session (cookies carry the session version) and every API token stops working."""
    user.session_version += 1
    db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def choose_password(secret: str, password: str) -> User:
    """Set the password through a link: once, before it expires; ends sessions and tokens."""
    token = _live_token(secret)
    user = token.user
    check_password_strength(password, user_inputs=(user.email, user.full_name))
    # Claim the link with a conditional update: a second use at the same moment finds it spent.
    claimed = db.session.execute(
        sa.update(AccountToken)
        .where(AccountToken.id == token.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise ValidationFailed(str(LINK_GONE), {"token": _("Used already.")})
    user.set_password(password)
    end_sessions_and_tokens(user)
    db.session.flush()
    log_event(f"user.password_{token.purpose}", user, actor=user)
    return user


def change_password(user: User, current: str, new: str) -> User:
    """Change a known password: asks the current one; ends other sessions and API tokens."""
    if not user.check_password(current or ""):
        raise PermissionDenied(
            _("The current password is not correct."), {"current_password": _("Not correct.")}
        )
    check_password_strength(new, field="new_password", user_inputs=(user.email, user.full_name))
    user.set_password(new)
    end_sessions_and_tokens(user)
    db.session.flush()
    log_event("user.password_changed", user, actor=user)
    return user


def change_email(user: User, new_email: str, password: str, code: str | None) -> User:
    """Move the account to another address: the password, then the code sent to the new
    address (without a code: sent, and EmailProofRequired raised); the old address is told."""
    from alliance_conf.auth.models import EmailProofPurpose
    from alliance_conf.auth.operations import check_email
    from alliance_conf.auth.proofs import require_proof
    from alliance_conf.core.errors import Conflict

    if not user.check_password(password or ""):
        raise PermissionDenied(_("The password is not correct."), {"password": _("Not correct.")})
    new_email = check_email(new_email, "new_email")
    if new_email == user.email:
        raise ValidationFailed(_("This is already your address."), {"new_email": _("Unchanged.")})
    if find_user_by_email(new_email) is not None:
        raise Conflict(
            _("Another account uses this address."),
            {"new_email": _("Used by another account.")},
        )
    require_proof(
        new_email,
        code,
        EmailProofPurpose.change_email,
        user_id=user.id,
        what=_l("your alliance-conf account"),
    )
    old_email = user.email
    user.email = new_email
    db.session.flush()
    queue_mail(
        old_email,
        _l("The e-mail address of your account was changed"),
        _l(
            "Dear %(name)s,\n\nThe e-mail address of your alliance-conf account was changed "
            "from %(old)s to %(new)s. If you did not do this, tell the organisers at once: "
            "someone may have your password.",
            name=user.full_name,
            old=old_email,
            new=new_email,
        ),
    )
    log_event("user.email_changed", user, actor=user, data={"old": old_email, "new": new_email})
    return user
