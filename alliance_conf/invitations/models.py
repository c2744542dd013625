from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance_conf.core.db import UTCDateTime, enum_column, utcnow
from alliance_conf.extensions import db
from alliance_conf.i18n import _l


class InvitationStatus(enum.StrEnum):
    pending = "pending"
    accepted = "accepted"
    declined = "declined"
    expired = "expired"
    revoked = "revoked"

    @property
    def title(self) -> str:
        return str(
            {
                "pending": _l("Pending"),
                "accepted": _l("Accepted"),
                "declined": _l("Declined"),
                "expired": _l("Expired"),
                "revoked": _l("Revoked"),
            }[self.value]
        )


class Invitation(db.Model):
    """An invitation to register for one delegation.

    The link carries a signed, timed token naming the row and a random nonce; only the nonce's
    SHA-256 is stored, so resending (a new nonce) or revoking kills every older link.
    """

    __tablename__ = "invitations"
    __table_args__ = (
        sa.Index("ix_invitations_conference_status", "conference_id", "status"),
        sa.Index("ix_invitations_conference_email", "conference_id", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(sa.ForeignKey("conferences.id", ondelete="CASCADE"))
    delegation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("delegations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(sa.String(320))
    full_name: Mapped[str] = mapped_column(sa.String(200), default="")
    status: Mapped[InvitationStatus] = mapped_column(
        enum_column(InvitationStatus, "status"), default=InvitationStatus.pending
    )
    nonce_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_count: Mapped[int] = mapped_column(default=1)
    last_sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="SET NULL")
    )

    conference = relationship("Conference")
    delegation = relationship("Delegation")

    @property
    def is_past_expiry(self) -> bool:
        return self.expires_at <= utcnow()

    @property
    def effective_status(self) -> InvitationStatus:
        if self.status == InvitationStatus.pending and self.is_past_expiry:
            return InvitationStatus.expired
        return self.status

    def __repr__(self):
        return f"<Invitation {self.id} {self.status}>"
