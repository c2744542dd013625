from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance_conf.core.db import UTCDateTime, enum_column, utcnow
from alliance_conf.extensions import db


class DelegationKind(enum.StrEnum):
    state = "state"
    organisation = "organisation"


class Delegation(db.Model):
    """A country's or an organisation's delegation to one conference."""

    __tablename__ = "delegations"
    __table_args__ = (
        sa.UniqueConstraint("conference_id", "country_code"),
        sa.UniqueConstraint("conference_id", "organisation_name"),
        sa.CheckConstraint(
            "(kind = 'state' AND country_code IS NOT NULL AND organisation_name IS NULL)"
            " OR (kind = 'organisation' AND organisation_name IS NOT NULL"
            " AND country_code IS NULL)",
            name="state_or_organisation",
        ),
        sa.CheckConstraint("delegate_quota IS NULL OR delegate_quota >= 0", name="quota_positive"),
        sa.Index("ix_delegations_conference_group", "conference_id", "group"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[DelegationKind] = mapped_column(enum_column(DelegationKind, "kind"))
    country_code: Mapped[str | None] = mapped_column(sa.String(2))
    organisation_name: Mapped[str | None] = mapped_column(sa.String(200))
    name: Mapped[str] = mapped_column(sa.String(200))
    group: Mapped[str] = mapped_column(sa.String(40))
    contact_email: Mapped[str | None] = mapped_column(sa.String(320))
    delegate_quota: Mapped[int | None] = mapped_column()
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    conference = relationship("Conference", back_populates="delegations")

    @property
    def is_state(self) -> bool:
        return self.kind == DelegationKind.state

    @property
    def display_name(self) -> str:
        """The name pages show: a state's in the interface's language (``name`` keeps the
        English one), an organisation's as typed."""
        from alliance_conf.delegations.countries import delegation_name

        return delegation_name(self.name, self.country_code)

    def __repr__(self):
        return f"<Delegation {self.country_code or self.organisation_name}>"
