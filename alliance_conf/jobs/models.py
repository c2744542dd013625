from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from alliance_conf.core.db import UTCDateTime, enum_column, utcnow
from alliance_conf.extensions import db
from alliance_conf.i18n import _l


class JobState(enum.StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"

    @property
    def title(self) -> str:
        return str(STATE_TITLES[self])


STATE_TITLES = {
    JobState.queued: _l("Queued"),
    JobState.running: _l("Running"),
    JobState.done: _l("Done"),
    JobState.failed: _l("Failed"),
}


class Job(db.Model):
    """A background job someone started, with its progress and (for exports) its file.

    The row lives in the database, not in Redis, so the person who started it sees the same
    progress on every host, and in-process runs (no Redis) look the same as queued ones.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        sa.CheckConstraint("done >= 0 AND total >= 0", name="progress_positive"),
        sa.Index("ix_jobs_owner_created", "owner_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(200))  # "package.module:function"
    title: Mapped[str] = mapped_column(sa.String(300))
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    conference_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("conferences.id", ondelete="CASCADE")
    )
    state: Mapped[JobState] = mapped_column(enum_column(JobState, "state"), default=JobState.queued)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(sa.String(500), default="")
    result_name: Mapped[str | None] = mapped_column(sa.String(300))
    result_type: Mapped[str | None] = mapped_column(sa.String(200))
    result: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def percent(self) -> int:
        if self.state == JobState.done:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0

    def __repr__(self):
        return f"<Job {self.id} {self.kind} {self.state}>"
