from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance_conf.core.db import UTCDateTime, utcnow
from alliance_conf.extensions import db


class Badge(db.Model):
    """An accreditation badge issued to an approved registration.

    ``public_id`` is random and is what the QR code carries (with its HMAC, see
    ``badges/signing.py``); the database id never leaves the staff side. Rows are never
    deleted: revoking records who, when and why, and re-issuing makes a new row with a new
    ``public_id``, so the old printed badge stays refused.
    """

    __tablename__ = "badges"
    __table_args__ = (
        sa.UniqueConstraint("public_id", name="uq_badges_public_id"),
        # At most one valid badge per registration.
        sa.Index(
            "uq_badges_one_active_per_registration",
            "registration_id",
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        ),
        sa.Index("ix_badges_delegation_revoked", "delegation_id", "revoked_at"),
        sa.Index("ix_badges_conference_revoked", "conference_id", "revoked_at"),
        sa.CheckConstraint(
            "(revoked_at IS NULL) = (revocation_reason IS NULL)", name="revocation_has_reason"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(32))
    conference_id: Mapped[int] = mapped_column(sa.ForeignKey("conferences.id", ondelete="CASCADE"))
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegations.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    # "H.E." before the name: decided at issue (see operations.excellency_by_protocol).
    excellency: Mapped[bool] = mapped_column(default=False)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    revocation_reason: Mapped[str | None] = mapped_column(sa.String(200))

    registration = relationship("Registration")
    delegation = relationship("Delegation")
    conference = relationship("Conference")

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def __repr__(self):
        return f"<Badge {self.public_id} reg={self.registration_id}>"


class CheckIn(db.Model):
    """A badge's arrival at the door: one per badge, enforced by the database."""

    __tablename__ = "badge_checkins"
    __table_args__ = (
        sa.UniqueConstraint("badge_id", name="uq_badge_checkins_badge_id"),
        sa.Index("ix_badge_checkins_conference", "conference_id", "checked_in_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    badge_id: Mapped[int] = mapped_column(sa.ForeignKey("badges.id", ondelete="CASCADE"))
    conference_id: Mapped[int] = mapped_column(sa.ForeignKey("conferences.id", ondelete="CASCADE"))
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    checked_in_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    door: Mapped[str] = mapped_column(sa.String(80), default="")
