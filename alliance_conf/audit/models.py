from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from alliance_conf.core.db import UTCDateTime, utcnow
from alliance_conf.extensions import db


class AuditEvent(db.Model):
    """Append-only record of who did what to which object, when and from where."""

    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_events_object", "object_type", "object_id"),
        sa.Index("ix_audit_events_conference_created", "conference_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor_label: Mapped[str] = mapped_column(sa.String(320), default="system")
    action: Mapped[str] = mapped_column(sa.String(80), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(60))
    object_id: Mapped[str] = mapped_column(sa.String(60))
    conference_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("conferences.id", ondelete="SET NULL")
    )
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    def __repr__(self):
        return f"<AuditEvent {self.action} {self.object_type}:{self.object_id}>"
