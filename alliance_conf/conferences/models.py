from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance_conf.core.db import UTCDateTime, enum_column, utcnow
from alliance_conf.extensions import db

DEFAULT_GROUPS = {
    "eu_member": "EU member state",
    "partner": "Partner country",
    "observer": "Observer",
}
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class ConferenceStatus(enum.StrEnum):
    preparation = "preparation"
    registration_open = "registration_open"
    in_session = "in_session"
    concluded = "concluded"

    @property
    def title(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Conference(db.Model):
    __tablename__ = "conferences"
    __table_args__ = (
        sa.CheckConstraint("end_date >= start_date", name="dates_ordered"),
        sa.CheckConstraint("length(slug) >= 3", name="slug_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    city: Mapped[str] = mapped_column(sa.String(120))
    venue: Mapped[str] = mapped_column(sa.String(200), default="")
    start_date: Mapped[date] = mapped_column(sa.Date)
    end_date: Mapped[date] = mapped_column(sa.Date)
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    # [{"name": ..., "title": ...}]: the co-chairs or hosts, in the order they are announced
    co_chairs: Mapped[list] = mapped_column(sa.JSON, default=list)
    # {"key": "Label"}: delegation groups of this conference
    groups: Mapped[dict] = mapped_column(sa.JSON, default=lambda: dict(DEFAULT_GROUPS))
    # The authentic languages of its declarations, the drafting language first; each one of the
    # installation's LANGUAGES.
    languages: Mapped[list] = mapped_column(
        sa.JSON, default=lambda: ["en"], server_default=sa.text("'[\"en\"]'")
    )
    status: Mapped[ConferenceStatus] = mapped_column(
        enum_column(ConferenceStatus, "status"), default=ConferenceStatus.preparation
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    delegations = relationship(
        "Delegation", back_populates="conference", lazy="dynamic", cascade="all, delete-orphan"
    )

    def group_label(self, key: str) -> str:
        return (self.groups or DEFAULT_GROUPS).get(key, key)

    def __repr__(self):
        return f"<Conference {self.slug}>"
