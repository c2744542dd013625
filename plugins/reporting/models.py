"""National actions, reporting rounds and the reports delegations fill in for each round.

A report has one entry per endorsed commitment it says something about (``ReportEntry``);
the indicator figures of an entry are rows of ``ReportFigure`` so they can be exported and
checked (non-negative) by the database. ``Report.commitment_keys`` is the list of commitments
the delegation endorsed when the report was created: it is what the delegation reports on.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance_conf.core.db import UTCDateTime, enum_column, utcnow
from alliance_conf.extensions import db
from alliance_conf.i18n import _l


class ActionStatus(enum.StrEnum):
    planned = "planned"
    in_progress = "in_progress"
    completed = "completed"
    cancelled = "cancelled"

    @property
    def label(self):
        """The title, lazily (form choices built at import)."""
        return ACTION_STATUS_TITLES[self.value]

    @property
    def title(self) -> str:
        return str(self.label)


class CommitmentStatus(enum.StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    achieved = "achieved"

    @property
    def label(self):
        return COMMITMENT_STATUS_TITLES[self.value]

    @property
    def title(self) -> str:
        return str(self.label)

    @property
    def symbol(self) -> str:
        return {"not_started": "○", "in_progress": "◐", "achieved": "●"}[self.value]


class ReportState(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"
    reviewed = "reviewed"

    @property
    def title(self) -> str:
        return str(REPORT_STATE_TITLES[self.value])


ACTION_STATUS_TITLES = {
    "planned": _l("Planned"),
    "in_progress": _l("In progress"),
    "completed": _l("Completed"),
    "cancelled": _l("Cancelled"),
}
COMMITMENT_STATUS_TITLES = {
    "not_started": _l("Not started"),
    "in_progress": _l("In progress"),
    "achieved": _l("Achieved"),
}
REPORT_STATE_TITLES = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "reviewed": _l("Reviewed"),
}


class NationalAction(db.Model):
    """An action a delegation chose at national level to achieve one commitment it endorsed."""

    __tablename__ = "reporting_national_actions"
    __table_args__ = (
        sa.Index(
            "ix_reporting_national_actions_declaration_delegation",
            "declaration_id",
            "delegation_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("declarations.id", ondelete="CASCADE")
    )
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegations.id", ondelete="CASCADE"))
    commitment_key: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    lead_agency: Mapped[str] = mapped_column(sa.String(200), default="")
    target_date: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[ActionStatus] = mapped_column(
        enum_column(ActionStatus, "status"), default=ActionStatus.planned
    )
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    declaration = relationship("Declaration")
    delegation = relationship("Delegation")

    @property
    def conference_id(self) -> int:
        return self.delegation.conference_id


class ReportingRound(db.Model):
    """A call to report on a declaration for a period, with a deadline."""

    __tablename__ = "reporting_rounds"
    __table_args__ = (
        sa.CheckConstraint("period_end >= period_start", name="period_ordered"),
        sa.CheckConstraint("deadline >= period_end", name="deadline_after_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("declarations.id", ondelete="CASCADE"), index=True
    )
    conference_id: Mapped[int] = mapped_column(sa.ForeignKey("conferences.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(200))
    period_start: Mapped[date] = mapped_column(sa.Date)
    period_end: Mapped[date] = mapped_column(sa.Date)
    deadline: Mapped[date] = mapped_column(sa.Date)
    # "signatures": who signed and what they endorsed; "assumed": no signature was recorded, so
    # every active delegation reports on every commitment (see operations.coverage).
    coverage: Mapped[str] = mapped_column(sa.String(20), default="signatures")
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    declaration = relationship("Declaration")
    conference = relationship("Conference")
    reports = relationship(
        "Report", back_populates="round", order_by="Report.id", cascade="all, delete-orphan"
    )


class Report(db.Model):
    """One delegation's report for one round: draft, then submitted (locked), then reviewed."""

    __tablename__ = "reporting_reports"
    __table_args__ = (
        sa.UniqueConstraint(
            "round_id", "delegation_id", name="uq_reporting_reports_one_per_delegation"
        ),
        sa.CheckConstraint(
            "state = 'draft' OR submitted_at IS NOT NULL", name="submitted_has_time"
        ),
        sa.CheckConstraint(
            "state != 'reviewed' OR reviewed_at IS NOT NULL", name="reviewed_has_time"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("reporting_rounds.id", ondelete="CASCADE"))
    delegation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("delegations.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[ReportState] = mapped_column(
        enum_column(ReportState, "state"), default=ReportState.draft
    )
    commitment_keys: Mapped[list] = mapped_column(sa.JSON, default=list)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    review_comment: Mapped[str] = mapped_column(sa.Text, default="")
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminders_sent: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    round = relationship("ReportingRound", back_populates="reports")
    delegation = relationship("Delegation")
    entries = relationship(
        "ReportEntry",
        back_populates="report",
        order_by="ReportEntry.id",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def conference_id(self) -> int:
        return self.round.conference_id

    @property
    def is_late(self) -> bool:
        deadline = self.round.deadline
        if self.submitted_at is not None and self.state != ReportState.draft:
            return self.submitted_at.date() > deadline
        return utcnow().date() > deadline

    def entry(self, key: str) -> ReportEntry | None:
        for entry in self.entries:
            if entry.commitment_key == key:
                return entry
        return None


class ReportEntry(db.Model):
    """What a report says about one endorsed commitment."""

    __tablename__ = "reporting_entries"
    __table_args__ = (
        sa.UniqueConstraint(
            "report_id", "commitment_key", name="uq_reporting_entries_one_per_commitment"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("reporting_reports.id", ondelete="CASCADE")
    )
    commitment_key: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[CommitmentStatus] = mapped_column(
        enum_column(CommitmentStatus, "status"), default=CommitmentStatus.not_started
    )
    narrative: Mapped[str] = mapped_column(sa.Text, default="")
    # {"<national action id>": "progress in the period"}
    action_progress: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # The national actions as they stood when the report was submitted (title, status...).
    actions_snapshot: Mapped[list] = mapped_column(sa.JSON, default=list)
    evidence_links: Mapped[list] = mapped_column(sa.JSON, default=list)

    report = relationship("Report", back_populates="entries")
    figures = relationship(
        "ReportFigure",
        back_populates="entry",
        order_by="ReportFigure.id",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    def figure(self, indicator: str) -> int | None:
        for figure in self.figures:
            if figure.indicator == indicator:
                return figure.value
        return None


class ReportFigure(db.Model):
    __tablename__ = "reporting_figures"
    __table_args__ = (
        sa.UniqueConstraint("entry_id", "indicator", name="uq_reporting_figures_one_per_indicator"),
        sa.CheckConstraint("value >= 0", name="value_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("reporting_entries.id", ondelete="CASCADE"))
    indicator: Mapped[str] = mapped_column(sa.String(60))
    value: Mapped[int] = mapped_column(sa.BigInteger)

    entry = relationship("ReportEntry", back_populates="figures")


def action_status_title(value: str) -> str:
    """The title of an action status stored as its value (the snapshot of a submitted report)."""
    title = ACTION_STATUS_TITLES.get(value)
    return str(title) if title is not None else value.replace("_", " ").capitalize()
