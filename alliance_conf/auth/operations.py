"""State changes for accounts and API tokens; each writes its audit event."""

from __future__ import annotations

import secrets
import unicodedata
from functools import lru_cache

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from zxcvbn import zxcvbn

from alliance_conf.audit.operations import log_event
from alliance_conf.auth.models import (
    MIN_PASSWORD_LENGTH,
    ApiToken,
    User,
    UserRole,
    normalise_email,
)
from alliance_conf.auth.password_advice import translated
from alliance_conf.core.db import utcnow
from alliance_conf.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from alliance_conf.core.inputs import (  # noqa: F401 (re-exported: the one plain-text check)
    ALLOWED_FORMAT_CHARACTERS,
    CONTROL_CHARACTERS_MESSAGE,
    first_format_character,
    has_control_characters,
    has_format_characters,
    plain_text_error,
)
from alliance_conf.extensions import db
from alliance_conf.formatting import format_number
from alliance_conf.i18n import _


def check_email(email: str, field: str = "email") -> str:
    try:
        return normalise_email(validate_email(email, check_deliverability=False).normalized)
    except EmailNotValidError as exc:
        raise ValidationFailed(
            _(
                "%(email)s is not a valid e-mail address: %(problem)s",
                email=repr(email),
                problem=exc,
            ),
            {field: str(exc)},
        ) from None


MIN_PASSWORD_SCORE = 3  # zxcvbn: 0 (guessed at once) .. 4 (very unguessable)


def check_password_strength(
    password: str, field: str = "password", user_inputs: tuple[str, ...] = ()
) -> None:
    """At least MIN_PASSWORD_LENGTH characters, and not guessable by the zxcvbn estimator
    (dictionary words, names, dates, keyboard patterns, the person's own name or address)."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        message = _("The password must have at least %(num)d characters.", num=MIN_PASSWORD_LENGTH)
        raise ValidationFailed(message, {field: message})
    result = zxcvbn(password[:100], user_inputs=[u for u in user_inputs if u])
    if result["score"] < MIN_PASSWORD_SCORE:
        advice = " ".join(
            translated(sentence)
            for sentence in [result["feedback"].get("warning")] + result["feedback"]["suggestions"]
            if sentence
        )
        message = _("This password is too easy to guess.") + (f" {advice}" if advice else "")
        raise ValidationFailed(message, {field: message})


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


MAX_FULL_NAME = 200


def check_plain_text(value: str, field: str, label: str) -> str:
    """Identity fields (names, positions, delegation names) are plain text: no control
    characters and no invisible Unicode format characters such as a right-to-left override."""
    problem = plain_text_error(value)
    if problem and has_control_characters(value):
        message = _("%(label)s contains control characters; use plain text.", label=label)
        raise ValidationFailed(message, {field: problem})
    if problem:
        bad = first_format_character(value)
        character = f"U+{ord(bad):04X} {unicodedata.name(bad, 'format character')}"
        message = _(
            "%(label)s contains an invisible formatting character (%(character)s) that can "
            "change how it reads; type it as plain text.",
            label=label,
            character=character,
        )
        raise ValidationFailed(message, {field: problem})
    return value


def check_full_name(full_name: str, field: str = "full_name") -> str:
    full_name = (full_name or "").strip()
    if not full_name:
        raise ValidationFailed(_("A full name is required."), {field: _("Required.")})
    if len(full_name) > MAX_FULL_NAME:
        raise ValidationFailed(
            _(
                "The full name is %(length)s characters long; the limit is %(limit)s.",
                length=format_number(len(full_name)),
                limit=MAX_FULL_NAME,
            ),
            {field: _("Too long.")},
        )
    return check_plain_text(full_name, field, _("The full name"))


def create_user(
    *,
    email: str,
    full_name: str,
    password: str | None,
    role: UserRole,
    actor=None,
    language: str | None = None,
) -> User:
    """A new account; ``language`` (a configured code, or None) is the interface language the
    person will be answered and written to in."""
    from alliance_conf.i18n import validate_language

    email = check_email(email)
    language = validate_language(language) if language else None
    full_name = check_full_name(full_name)
    if password is not None:
        check_password_strength(password, user_inputs=(email, full_name))
    if find_user_by_email(email) is not None:
        raise Conflict(
            _("A user with the e-mail %(email)s already exists.", email=email),
            {"email": _("Already used.")},
        )
    user = User(email=email, full_name=full_name, role=UserRole(role), language=language)
    if password is not None:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    log_event("user.created", user, actor=actor or user, data={"role": str(user.role)})
    return user


def set_translator(user: User, granted: bool, *, actor=None) -> User:
    """Grant or revoke the translator permission (updating a declaration's language versions).
    Organisers and admins grant it (the CLI acts as the system, ``actor=None``), to staff."""
    from alliance_conf.auth.access import is_organiser
    from alliance_conf.core.errors import PermissionDenied
    from alliance_conf.i18n import _

    if actor is not None and not is_organiser(actor):
        raise PermissionDenied(_("Only organisers and administrators can grant or revoke it."))
    if granted and not user.has_role(UserRole.staff, UserRole.organiser):
        message = _(
            "%(name)s is a delegate; the translator permission is for the secretariat (staff).",
            name=user.full_name,
        )
        raise ValidationFailed(message, {"translator": message})
    if bool(user.is_translator) != granted:
        user.is_translator = granted
        db.session.flush()
        log_event(
            "user.translator_granted" if granted else "user.translator_revoked",
            user,
            actor=actor,
        )
    return user


@lru_cache(maxsize=1)
def _dummy_user() -> User:
    user = User()
    user.set_password(secrets.token_urlsafe(16))
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user, or None whatever the reason (unknown address, no password yet, deactivated,
    wrong password): every path verifies one hash, so none answers faster than another."""
    user = find_user_by_email(email or "")
    if user is None or not user.password_hash:
        _dummy_user().check_password(password or "")
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


def record_sign_in(user: User) -> None:
    user.last_login_at = utcnow()
    log_event("user.signed_in", user, actor=user)


def record_sign_out(user: User) -> None:
    user.session_version += 1
    log_event("user.signed_out", user, actor=user)


def issue_api_token(user: User, name: str = "api") -> tuple[ApiToken, str]:
    lifetime = current_app.config["API_TOKEN_LIFETIME_DAYS"]
    token, secret = ApiToken.issue(user, lifetime_days=lifetime, name=name or "api")
    db.session.add(token)
    db.session.flush()
    log_event("api_token.created", token, actor=user, data={"name": token.name})
    return token, secret


def revoke_api_token(user: User, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(_("No such token."))
    if token.user_id != user.id and not user.has_role(UserRole.admin):
        raise PermissionDenied(_("You can only revoke your own tokens."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        log_event("api_token.revoked", token, actor=user)
    return token
