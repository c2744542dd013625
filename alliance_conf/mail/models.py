from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from alliance_conf.core.db import UTCDateTime, enum_column, utcnow
from alliance_conf.extensions import db
from alliance_conf.i18n import _l


class MailStatus(enum.StrEnum):
    queued = "queued"
    sent = "sent"
    failed = "failed"
    printed = "printed"  # MAIL_SERVER unset: written to the console, never sent

    @property
    def title(self) -> str:
        return str(STATUS_TITLES[self])


STATUS_TITLES = {
    MailStatus.queued: _l("Queued"),
    MailStatus.sent: _l("Sent"),
    MailStatus.failed: _l("Failed"),
    MailStatus.printed: _l("Printed"),
}


class MailMessage(db.Model):
    """One e-mail in the outbox: written with the action that causes it, sent after commit."""

    __tablename__ = "mail_messages"
    __table_args__ = (
        sa.Index("ix_mail_messages_status_created", "status", "created_at"),
        sa.CheckConstraint("attempts >= 0", name="attempts_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("conferences.id", ondelete="SET NULL"), index=True
    )
    to_address: Mapped[str] = mapped_column(sa.String(320), index=True)
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[MailStatus] = mapped_column(
        enum_column(MailStatus, "status"), default=MailStatus.queued
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    # Carries a secret for its recipient only (signing code, password link, e-mail proof code):
    # the outbox never shows its body to organisers.
    confidential: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self):
        return f"<MailMessage {self.id} {self.status}>"
