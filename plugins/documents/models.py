"""The Word templates staff upload, one per conference, kept in the database (never on disk)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance_conf.core.db import UTCDateTime, utcnow
from alliance_conf.extensions import db


class DocumentTemplate(db.Model):
    __tablename__ = "document_templates"
    __table_args__ = (
        sa.UniqueConstraint("conference_id"),
        sa.CheckConstraint("size > 0", name="size_positive"),
        sa.CheckConstraint("length(sha256) = 64", name="sha256_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(sa.ForeignKey("conferences.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(sa.String(255))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    conference = relationship("Conference")
    uploaded_by = relationship("User")

    def __repr__(self):
        return f"<DocumentTemplate {self.conference_id} {self.filename!r}>"


class SealedDocument(db.Model):
    """A sealed PDF/A of a final declaration: a snapshot of its signatures, never changed.

    The newest one per declaration is the one offered for download; earlier ones stay so
    that a hash once published (audit log, status board, receipts) can still be matched.
    """

    __tablename__ = "sealed_documents"
    __table_args__ = (
        sa.CheckConstraint("size > 0", name="size_positive"),
        sa.CheckConstraint("length(sha256) = 64", name="sha256_length"),
        sa.CheckConstraint("signature_count >= 0", name="signature_count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("declarations.id", ondelete="CASCADE"), index=True
    )
    revision_number: Mapped[int] = mapped_column()
    signature_count: Mapped[int] = mapped_column()
    content: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(sa.String(64))
    certificate_subject: Mapped[str] = mapped_column(sa.String(500))
    certificate_sha256: Mapped[str] = mapped_column(sa.String(64))
    sealed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    declaration = relationship("Declaration")
    sealed_by = relationship("User")

    def __repr__(self):
        return f"<SealedDocument {self.declaration_id} {self.sha256[:12]}>"
