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


class Registration(db.Model):
    """A person's registration in one delegation of one conference."""

    __tablename__ = "registrations"
    __table_args__ = (
        sa.UniqueConstraint("conference_id", "user_id"),
        sa.Index("ix_registrations_delegation_status", "delegation_id", "status"),
        sa.Index("ix_registrations_conference_status", "conference_id", "status"),
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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    conference = relationship("Conference")
    delegation = relationship("Delegation")
    user = relationship("User")

    def __repr__(self):
        return f"<Registration {self.user_id}@{self.delegation_id} {self.status}>"
