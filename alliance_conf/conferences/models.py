from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance_conf.core.db import UTCDateTime, enum_column, utcnow
from alliance_conf.extensions import db
from alliance_conf.i18n import _l

DEFAULT_GROUPS = {
    "eu_member": "EU member state",
    "partner": "Partner country",
    "observer": "Observer",
}
# The default labels as pages show them, in the interface's language (stored: English above)
DEFAULT_GROUP_TITLES = {
    "eu_member": _l("EU member state"),
    "partner": _l("Partner country"),
    "observer": _l("Observer"),
}
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class ConferenceStatus(enum.StrEnum):
    preparation = "preparation"
    registration_open = "registration_open"
    in_session = "in_session"
    concluded = "concluded"

    @property
    def title(self) -> str:
        return str(STATUS_TITLES[self])


STATUS_TITLES = {
    ConferenceStatus.preparation: _l("Preparation"),
    ConferenceStatus.registration_open: _l("Registration open"),
    ConferenceStatus.in_session: _l("In session"),
    ConferenceStatus.concluded: _l("Concluded"),
}


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
        """The group's label; a default label left as it was is shown translated."""
        label = (self.groups or DEFAULT_GROUPS).get(key, key)
        if key in DEFAULT_GROUP_TITLES and label == DEFAULT_GROUPS[key]:
            return str(DEFAULT_GROUP_TITLES[key])
        return label

    def __repr__(self):
        return f"<Conference {self.slug}>"
