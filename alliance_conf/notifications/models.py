from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from alliance_conf.core.db import UTCDateTime, enum_column, utcnow
from alliance_conf.extensions import db


class NotificationKind(enum.StrEnum):
    full_powers_granted = "full_powers_granted"
    full_powers_revoked = "full_powers_revoked"
    declaration_opened = "declaration_opened"
    signature_recorded = "signature_recorded"
    signature_withdrawn = "signature_withdrawn"
    amendment_accepted = "amendment_accepted"
    amendment_rejected = "amendment_rejected"
    report_returned = "report_returned"
    report_reviewed = "report_reviewed"
    report_overdue = "report_overdue"


class Notification(db.Model):
    """One thing that happened, told to one person.

    The words are not stored: ``kind`` and ``data`` (names, codes, reasons as typed) are
    rendered in the reader's language each time (``texts.py``), so the list follows the
    person's language; the e-mail was rendered once, in their language when it was written.
    ``link`` is the path of the page concerned.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        # The header's unread count and the list are both "this person's rows" by index.
        sa.Index("ix_notifications_user_unread", "user_id", "read_at"),
        sa.Index("ix_notifications_user_id_desc", "user_id", "id"),
        sa.Index("ix_notifications_subject", "kind", "subject_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    conference_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[NotificationKind] = mapped_column(enum_column(NotificationKind, "kind"))
    # What it is about, e.g. "report:12": lets a reaction write a notice once per subject.
    subject_key: Mapped[str] = mapped_column(sa.String(100), default="")
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    link: Mapped[str] = mapped_column(sa.String(500))
    mail_message_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("mail_messages.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def read(self) -> bool:
        return self.read_at is not None

    @property
    def url(self) -> str:
        from alliance_conf.notifications.operations import absolute

        return absolute(self.link)

    @property
    def title(self) -> str:
        from alliance_conf.notifications.texts import title

        return title(self)

    @property
    def detail(self) -> str:
        from alliance_conf.notifications.texts import detail

        return detail(self)

    def __repr__(self):
        return f"<Notification {self.id} {self.kind} user={self.user_id}>"
