from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance_conf.core.db import UTCDateTime, enum_column, utcnow
from alliance_conf.extensions import db


class RegistrationStatus(enum.StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    withdrawn = "withdrawn"
    cancelled = "cancelled"

    @property
    def title(self) -> str:
        return self.value.capitalize()


class DelegateFunction(enum.StrEnum):
    head_of_delegation = "head_of_delegation"
    minister = "minister"
    senior_official = "senior_official"
    adviser = "adviser"
    interpreter = "interpreter"
    press = "press"
    security = "security"
    other = "other"

    @property
    def title(self) -> str:
        return self.value.replace("_", " ").capitalize()


HEAD_OF_DELEGATION_ACTIVE = "function = 'head_of_delegation' AND status IN ('pending', 'approved')"


class Registration(db.Model):
    """A person's registration in one delegation of one conference."""

    __tablename__ = "registrations"
    __table_args__ = (
        sa.UniqueConstraint("conference_id", "user_id"),
        sa.Index("ix_registrations_delegation_status", "delegation_id", "status"),
        sa.Index("ix_registrations_conference_status", "conference_id", "status"),
        sa.CheckConstraint(
            "status != 'rejected' OR rejection_reason IS NOT NULL", name="rejection_has_reason"
        ),
        sa.CheckConstraint(
            "NOT is_signatory OR (signatory_designated_at IS NOT NULL AND status = 'approved')",
            name="signatory_is_approved",
        ),
        # At most one active head per delegation (the operations check first, with a message).
        sa.Index(
            "uq_registrations_one_head_per_delegation",
            "delegation_id",
            unique=True,
            sqlite_where=sa.text(HEAD_OF_DELEGATION_ACTIVE),
            postgresql_where=sa.text(HEAD_OF_DELEGATION_ACTIVE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(sa.ForeignKey("conferences.id", ondelete="CASCADE"))
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(
        enum_column(RegistrationStatus, "status"), default=RegistrationStatus.pending
    )
    function: Mapped[DelegateFunction] = mapped_column(
        enum_column(DelegateFunction, "function"), default=DelegateFunction.other
    )
    position: Mapped[str] = mapped_column(sa.String(200), default="")
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    # Organisers-only fields: never shown to other delegates or exported in public lists.
    accessibility_needs: Mapped[str] = mapped_column(sa.Text, default="")
    dietary_needs: Mapped[str] = mapped_column(sa.Text, default="")
    consent_participant_list: Mapped[bool] = mapped_column(default=False)
    privacy_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    # "Full powers": authorised to sign on the delegation's behalf.
    is_signatory: Mapped[bool] = mapped_column(default=False)
    signatory_designated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signatory_designated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    conference = relationship("Conference")
    delegation = relationship("Delegation")
    user = relationship("User", foreign_keys=[user_id])

    def __repr__(self):
        return f"<Registration {self.user_id}@{self.delegation_id} {self.status}>"
