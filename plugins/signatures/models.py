"""Signatures of a declaration, the hash chain of signing events, and what protects them.

A ``Signature`` row is never deleted: withdrawing sets ``withdrawn_at`` and the reason, and the
delegation may sign again (a new row). At most one *active* row per delegation and declaration,
enforced by a partial unique index. Every signing event (signed, withdrawn, the declaration
opened or closed) is one ``SignatureEvent``, a link of a hash chain per declaration.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance_conf.core.db import UTCDateTime, enum_column, utcnow
from alliance_conf.extensions import db
from alliance_conf.i18n import _


class SignatureKind(enum.StrEnum):
    signature = "signature"
    support = "support"  # an observer organisation supports the text; it does not sign it

    @property
    def title(self) -> str:
        return {"signature": _("Signature"), "support": _("Support")}[self.value]


class AuthMethod(enum.StrEnum):
    """How the signatory re-authenticated (names of methods, not secrets)."""

    password = "password"  # noqa: S105
    password_email_code = "password+email_code"  # noqa: S105
    passkey = "passkey"

    @property
    def title(self) -> str:
        return {
            "password": _("Password re-entered"),
            "password+email_code": _("Password re-entered and e-mailed one-time code"),
            "passkey": _("Passkey on the signatory's own device (WebAuthn, user verified)"),
        }[self.value]


class PolicyMode(enum.StrEnum):
    """How the signatories of a declaration confirm that it is them."""

    password = "password"  # noqa: S105
    passkey_preferred = "passkey_preferred"
    passkey_required = "passkey_required"

    @property
    def title(self) -> str:
        return {
            "password": _("Password (and the e-mailed code when required)"),
            "passkey_preferred": _("Passkey preferred (password still accepted)"),
            "passkey_required": _("Passkey required"),
        }[self.value]


class EventKind(enum.StrEnum):
    opened = "opened"
    returned = "returned_to_consultation"
    closed = "closed"
    signed = "signed"
    withdrawn = "withdrawn"

    @property
    def title(self) -> str:
        return {
            "opened": _("Opened for signature"),
            "returned_to_consultation": _("Returned to consultation"),
            "closed": _("Closed"),
            "signed": _("Signed"),
            "withdrawn": _("Withdrawn"),
        }[self.value]


class Signature(db.Model):
    __tablename__ = "signatures"
    __table_args__ = (
        sa.Index(
            "uq_signatures_one_active_per_delegation",
            "declaration_id",
            "delegation_id",
            unique=True,
            sqlite_where=sa.text("withdrawn_at IS NULL"),
            postgresql_where=sa.text("withdrawn_at IS NULL"),
        ),
        sa.Index("ix_signatures_declaration_signed", "declaration_id", "signed_at"),
        sa.CheckConstraint("length(text_hash) = 64", name="text_hash_is_sha256"),
        sa.CheckConstraint(
            "withdrawn_at IS NULL OR withdrawal_reason IS NOT NULL", name="withdrawal_has_reason"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("declarations.id", ondelete="CASCADE")
    )
    conference_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    delegation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("delegations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[SignatureKind] = mapped_column(
        enum_column(SignatureKind, "kind"), default=SignatureKind.signature
    )
    signatory_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # Copied at signing time: the record says who signed even if the account changes later.
    signatory_name: Mapped[str] = mapped_column(sa.String(200))
    signatory_title: Mapped[str] = mapped_column(sa.String(200), default="")
    frozen_revision_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("declaration_revisions.id", ondelete="SET NULL")
    )
    revision_number: Mapped[int] = mapped_column()
    text_hash: Mapped[str] = mapped_column(sa.String(64))
    endorsed_keys: Mapped[list] = mapped_column(sa.JSON, default=list)
    endorses_all: Mapped[bool] = mapped_column(default=True)
    # [{"kind": "statement"|"reservation", "text": ..., "commitment_key": None|key}]
    statements: Mapped[list] = mapped_column(sa.JSON, default=list)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str] = mapped_column(sa.String(400), default="")
    auth_method: Mapped[AuthMethod] = mapped_column(enum_column(AuthMethod, "auth_method"))
    verification_code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    # Base64 Ed25519 signature of the receipt (see receipts.py), made when it was signed.
    receipt_signature: Mapped[str] = mapped_column(sa.String(100))
    # Signed with a passkey: the signing payload, the WebAuthn assertion (authenticator data,
    # client data JSON, signature) and the credential's public key (see passkey_signing.py).
    passkey_evidence: Mapped[dict | None] = mapped_column(sa.JSON)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawal_reason: Mapped[str | None] = mapped_column(sa.Text)
    withdrawn_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    declaration = relationship("Declaration")
    delegation = relationship("Delegation")
    signatory = relationship("User", foreign_keys=[signatory_id])

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None

    @property
    def status_title(self) -> str:
        if self.withdrawn_at is not None:
            return _("Withdrawn")
        return _("Supported") if self.kind == SignatureKind.support else _("Signed")

    def __repr__(self):
        return f"<Signature {self.id} d{self.declaration_id} del{self.delegation_id}>"


class SignatureEvent(db.Model):
    """One link of the hash chain of a declaration; never updated.

    ``event_hash`` = SHA-256 of the canonical JSON of ``{declaration_id, sequence, kind,
    created_at, data, previous_hash}`` (see ``chain.py``); ``server_signature`` is the server's
    Ed25519 signature of ``event_hash``.
    """

    __tablename__ = "signature_events"
    __table_args__ = (
        sa.UniqueConstraint(
            "declaration_id", "sequence", name="uq_signature_events_one_per_position"
        ),
        sa.CheckConstraint("sequence >= 1", name="sequence_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("declarations.id", ondelete="CASCADE")
    )
    sequence: Mapped[int] = mapped_column()
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind, "kind"))
    signature_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("signatures.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    previous_hash: Mapped[str] = mapped_column(sa.String(64))
    event_hash: Mapped[str] = mapped_column(sa.String(64))
    server_signature: Mapped[str] = mapped_column(sa.String(100))

    signature = relationship("Signature")

    def __repr__(self):
        return f"<SignatureEvent {self.declaration_id}#{self.sequence} {self.kind}>"


class ReauthFailure(db.Model):
    """A failed re-authentication on the signing page or API, counted to lock out guessing.

    Kept in the database (not in process memory) so every host of a deployment counts the same.
    """

    __tablename__ = "signature_reauth_failures"
    __table_args__ = (sa.Index("ix_signature_reauth_failures_user_time", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    declaration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("declarations.id", ondelete="CASCADE")
    )
    reason: Mapped[str] = mapped_column(sa.String(40))
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SigningCode(db.Model):
    """A one-time code e-mailed to a signatory; only its SHA-256 is stored."""

    __tablename__ = "signature_codes"
    __table_args__ = (sa.Index("ix_signature_codes_user_declaration", "user_id", "declaration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    declaration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("declarations.id", ondelete="CASCADE")
    )
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SignatureReminder(db.Model):
    """A reminder sent to a delegation's signatories; at most one per delegation per 24 hours."""

    __tablename__ = "signature_reminders"
    __table_args__ = (
        sa.Index("ix_signature_reminders_delegation_sent", "delegation_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("declarations.id", ondelete="CASCADE")
    )
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegations.id", ondelete="CASCADE"))
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recipients: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SignatureCheckpoint(db.Model):
    """A signed statement of the chain's head: "declaration D had N links ending in H at T".

    Like a signed tree head of Certificate Transparency: anyone holding one (from the API, the
    status board or a receipt) can later prove that the chain still extends it, so removing or
    rewriting links is caught even if the rows and their own signatures were edited together.
    One is written with every link (see ``checkpoints.py``).
    """

    __tablename__ = "signature_checkpoints"
    __table_args__ = (
        sa.UniqueConstraint(
            "declaration_id", "sequence", name="uq_signature_checkpoints_one_per_position"
        ),
        sa.CheckConstraint("sequence >= 1", name="sequence_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("declarations.id", ondelete="CASCADE")
    )
    sequence: Mapped[int] = mapped_column()
    head_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Base64 Ed25519 signature of the checkpoint's canonical JSON (``checkpoints.body``).
    server_signature: Mapped[str] = mapped_column(sa.String(100))


class SigningPolicy(db.Model):
    """The organisers' choice for one declaration; without a row: password, and the e-mailed
    code when ``SIGNATURES_REQUIRE_EMAIL_CODE`` is on."""

    __tablename__ = "signature_policies"

    declaration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("declarations.id", ondelete="CASCADE"), primary_key=True
    )
    mode: Mapped[PolicyMode] = mapped_column(
        enum_column(PolicyMode, "mode"), default=PolicyMode.password
    )
    email_code: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
