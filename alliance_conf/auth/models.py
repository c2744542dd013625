from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from alliance_conf.core.db import UTCDateTime, enum_column, utcnow
from alliance_conf.extensions import db

DEFAULT_HASHER = PasswordHasher()
# Tests hash hundreds of passwords; the cheapest profile keeps them fast. Never in production.
CHEAP_HASHER = PasswordHasher.from_parameters(profiles.CHEAPEST)


def password_hasher() -> PasswordHasher:
    if has_app_context() and current_app.config.get("PASSWORD_HASH_CHEAP"):
        return CHEAP_HASHER
    return DEFAULT_HASHER


MIN_PASSWORD_LENGTH = 12


class UserRole(enum.StrEnum):
    admin = "admin"
    organiser = "organiser"
    staff = "staff"
    delegate = "delegate"

    @property
    def title(self) -> str:
        return self.value.capitalize()


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(320), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    role: Mapped[UserRole] = mapped_column(
        enum_column(UserRole, "role"), default=UserRole.delegate, index=True
    )
    is_active_account: Mapped[bool] = mapped_column("active", default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Bumped at sign-out and password change: sessions carrying an older value are refused.
    session_version: Mapped[int] = mapped_column(default=1)
    # The interface language the person chose (None: the browser's, then the site's default).
    language: Mapped[str | None] = mapped_column(sa.String(16))
    # Staff permission: may bring a declaration's language versions back in step (see
    # ``auth.access.is_translator``). Granted by organisers and admins.
    is_translator: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    api_tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @validates("email")
    def _normalise_email(self, key, value: str) -> str:
        return normalise_email(value)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.is_active_account

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        self.password_hash = password_hasher().hash(password)

    def check_password(self, password: str) -> bool:
        if not self.password_hash or not password:
            return False
        try:
            return password_hasher().verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def has_role(self, *roles: UserRole | str) -> bool:
        return self.role == UserRole.admin or self.role in roles

    def __repr__(self):
        return f"<User {self.email} {self.role}>"


# The participant list, dashboard and exports at COP scale (participants/queries.py) rely on
# these. Sorting the list by name walks this index and stops after one page.
sa.Index("ix_users_full_name_id", User.__table__.c.full_name, User.__table__.c.id)


def search_text(full_name, email):
    """The text the participant search looks in on PostgreSQL, as indexed below."""
    return sa.func.lower(full_name).op("||")(sa.literal_column("' '")).op("||")(email)


# Name/e-mail search: a trigram index answers ``LIKE '%term%'`` on PostgreSQL (extension
# pg_trgm, created by the migration). SQLite has no such index and scans the users table.
sa.Index(
    "ix_users_search_trgm",
    search_text(User.__table__.c.full_name, User.__table__.c.email).label("search"),
    postgresql_using="gin",
    postgresql_ops={"search": "gin_trgm_ops"},
).ddl_if(dialect="postgresql")


def normalise_email(value: str) -> str:
    return (value or "").strip().lower()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100), default="api")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="api_tokens")

    @classmethod
    def issue(cls, user: User, *, lifetime_days: int, name: str = "api") -> tuple[ApiToken, str]:
        secret = "ac_" + secrets.token_urlsafe(32)
        token = cls(
            user=user,
            token_hash=hash_token(secret),
            name=name,
            expires_at=utcnow() + timedelta(days=lifetime_days),
        )
        return token, secret

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None and self.expires_at > utcnow()


class AccountTokenPurpose(enum.StrEnum):
    reset_password = "reset_password"  # noqa: S105 - a purpose, not a secret
    set_password = "set_password"  # noqa: S105


class AccountToken(db.Model):
    """A single-use, expiring link to choose a password; only its SHA-256 is stored."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[AccountTokenPurpose] = mapped_column(
        enum_column(AccountTokenPurpose, "purpose")
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class EmailProofPurpose(enum.StrEnum):
    register = "register"
    change_email = "change_email"


class EmailProof(db.Model):
    """A one-time code e-mailed to an address to prove that the person reads it.

    For ``register`` the account does not exist yet (``invitation_id`` says which invitation);
    for ``change_email`` ``user_id`` is the account whose address changes.
    """

    __tablename__ = "email_proofs"
    __table_args__ = (sa.Index("ix_email_proofs_email", "email", "purpose", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(320))
    purpose: Mapped[EmailProofPurpose] = mapped_column(enum_column(EmailProofPurpose, "purpose"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    invitation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("invitations.id", ondelete="CASCADE")
    )
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PasskeyCredential(db.Model):
    """A passkey (WebAuthn credential) of an account: the private key stays on the person's
    device; the server keeps only the public key (COSE) and the last signature counter."""

    __tablename__ = "passkey_credentials"
    __table_args__ = (sa.CheckConstraint("sign_count >= 0", name="sign_count_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # base64url of the raw credential id, as the browser reports it
    credential_id: Mapped[str] = mapped_column(sa.String(1400), unique=True)
    public_key: Mapped[str] = mapped_column(sa.Text)  # base64url of the COSE key
    sign_count: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(100))
    transports: Mapped[list] = mapped_column(sa.JSON, default=list)
    backed_up: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    def __repr__(self):
        return f"<PasskeyCredential {self.id} u{self.user_id} {self.name!r}>"


class WebAuthnChallenge(db.Model):
    """A WebAuthn ceremony in progress: its challenge, what it is for, used at most once."""

    __tablename__ = "webauthn_challenges"
    __table_args__ = (
        sa.CheckConstraint("purpose IN ('register', 'login', 'sign')", name="purpose_is_known"),
        sa.Index("ix_webauthn_challenges_expires", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge: Mapped[str] = mapped_column(sa.String(100), unique=True)  # base64url
    purpose: Mapped[str] = mapped_column(sa.String(20))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
