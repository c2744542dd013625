"""Declarations, their immutable revisions and the amendments delegations propose.

The structured text of a revision (``DeclarationRevision.content``) is one JSON object::

    {
      "title": "Declaration on ...",
      "preamble": [{"key": "p-1a2b3c", "text": "..."}, ...],
      "commitments": [{"key": "victims", "title": "...", "text": "..."}, ...],
      "closing": [{"key": "c-4d5e6f", "text": "..."}, ...]
    }

Order is list order; a commitment's number is its position (1-based) and is never stored. Every
paragraph and commitment has a ``key`` that is unique in the document and never changes when
others are added, removed or moved, so revisions can be compared and amendments can target it.

Language versions. A conference lists its authentic languages (``Conference.languages``, first =
the drafting language). A revision holds one text per language: ``content`` in its first
language, ``translations`` ({language: text of the same shape}) for the others, every language
with the same item keys in the same order. ``out_of_step_marks`` ({language: [keys]}) names the
items whose text in that language still has to follow a change made in another language
("translation needed"); the key ``"title"`` stands for the title. Revisions saved before
migration core_0010 have none of these columns set: they hold one English text.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance_conf.core.db import UTCDateTime, enum_column, utcnow
from alliance_conf.extensions import db
from alliance_conf.i18n import _l

SECTIONS = ("preamble", "commitments", "closing")
# The key that stands for the title in ``out_of_step`` (item keys may never be "title").
TITLE_KEY = "title"
# The language of revisions saved before language versions existed.
LEGACY_LANGUAGE = "en"
SECTION_LABELS = {
    "preamble": _l("Preamble paragraph"),
    "commitments": _l("Commitment"),
    "closing": _l("Closing paragraph"),
}


class DeclarationState(enum.StrEnum):
    draft = "draft"
    consultation = "consultation"
    open = "open"
    closed = "closed"

    @property
    def title(self) -> str:
        return str(
            {
                "draft": _l("Draft"),
                "consultation": _l("In consultation"),
                "open": _l("Open for signature"),
                "closed": _l("Closed"),
            }[self.value]
        )


class AmendmentState(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"
    accepted = "accepted"
    rejected = "rejected"
    withdrawn = "withdrawn"

    @property
    def title(self) -> str:
        return str(
            {
                "draft": _l("Draft"),
                "submitted": _l("Submitted"),
                "accepted": _l("Accepted"),
                "rejected": _l("Rejected"),
                "withdrawn": _l("Withdrawn"),
            }[self.value]
        )


class AmendmentKind(enum.StrEnum):
    replace = "replace"
    insert_after = "insert_after"
    delete = "delete"

    @property
    def title(self) -> str:
        return str(KIND_TITLES[self.value])


# Lazily translated: evaluated in the language of whoever reads them.
KIND_TITLES = {
    "replace": _l("Replace the text"),
    "insert_after": _l("Insert a new one after it"),
    "delete": _l("Delete it"),
}


class Declaration(db.Model):
    """A declaration of one conference. Its text lives in its revisions; the latest is current.

    When it is opened for signature, ``frozen_revision_id`` names the revision being signed,
    ``language_hashes`` holds the SHA-256 of each language's canonical text and ``text_hash`` is
    the SHA-256 of the canonical manifest of those hashes (``canonical.manifest_hash``), so a
    signature, which binds ``text_hash``, binds every language. Declarations frozen before
    migration core_0010 have no ``language_hashes`` and their ``text_hash`` is the SHA-256 of the
    (English) text itself.
    """

    __tablename__ = "declarations"
    __table_args__ = (
        sa.CheckConstraint(
            "state IN ('draft', 'consultation') OR text_hash IS NOT NULL",
            name="open_or_closed_is_frozen",
        ),
        sa.CheckConstraint(
            "text_hash IS NULL OR length(text_hash) = 64", name="text_hash_is_sha256"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(300))
    state: Mapped[DeclarationState] = mapped_column(
        enum_column(DeclarationState, "state"), default=DeclarationState.draft
    )
    current_revision_number: Mapped[int] = mapped_column(default=0)
    frozen_revision_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey(
            "declaration_revisions.id",
            ondelete="SET NULL",
            use_alter=True,
            name="fk_declarations_frozen_revision_id",
        )
    )
    text_hash: Mapped[str | None] = mapped_column(sa.String(64))
    # {language: SHA-256 of that language's canonical text}, set when frozen.
    language_hashes: Mapped[dict | None] = mapped_column(sa.JSON)
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    conference = relationship("Conference")

    @property
    def is_frozen(self) -> bool:
        return self.frozen_revision_id is not None

    @property
    def is_editable(self) -> bool:
        return self.state in (DeclarationState.draft, DeclarationState.consultation)

    @property
    def current_revision(self) -> DeclarationRevision | None:
        return self.revision(self.current_revision_number)

    @property
    def frozen_revision(self) -> DeclarationRevision | None:
        if self.frozen_revision_id is None:
            return None
        return db.session.get(DeclarationRevision, self.frozen_revision_id)

    def title_in(self, language: str) -> str:
        """The title in ``language`` when the current revision has it in step, else the
        drafting language's (``title``); remembered on the object per revision."""
        known = self.__dict__.setdefault("_titles", {})
        key = (language, self.current_revision_number, self.title)
        if key not in known:
            revision = self.current_revision
            title = None
            if (
                revision is not None
                and revision.has_language(language)
                and TITLE_KEY not in revision.out_of_step.get(language, [])
            ):
                title = (revision.text_in(language) or {}).get("title")
            known[key] = title or self.title
        return known[key]

    def revision(self, number: int) -> DeclarationRevision | None:
        return db.session.scalar(
            sa.select(DeclarationRevision).where(
                DeclarationRevision.declaration_id == self.id,
                DeclarationRevision.number == number,
            )
        )

    def __repr__(self):
        return f"<Declaration {self.id} {self.state}>"


class DeclarationRevision(db.Model):
    """One saved state of the whole text. Never updated: every edit adds a new revision.

    The ORM listener below refuses updates; migration core_0004 adds a trigger that refuses
    them in the database too.
    """

    __tablename__ = "declaration_revisions"
    __table_args__ = (
        sa.UniqueConstraint(
            "declaration_id", "number", name="uq_declaration_revisions_one_number_per_declaration"
        ),
        sa.CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("declarations.id", ondelete="CASCADE")
    )
    number: Mapped[int] = mapped_column()
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    message: Mapped[str] = mapped_column(sa.String(500), default="")
    content: Mapped[dict] = mapped_column(sa.JSON)
    # The amendment whose acceptance produced this revision, if any.
    amendment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("amendments.id", ondelete="SET NULL")
    )

    # The languages of this revision in order (first = the language of ``content``); None on
    # revisions saved before core_0010 (English only).
    language_codes: Mapped[list | None] = mapped_column("languages", sa.JSON)
    # {language: text} for every language but the first.
    translations: Mapped[dict | None] = mapped_column(sa.JSON)
    # {language: [item keys]} marked "translation needed" in that language.
    out_of_step_marks: Mapped[dict | None] = mapped_column(sa.JSON)

    declaration = relationship("Declaration", foreign_keys=[declaration_id])
    author = relationship("User")

    @property
    def languages(self) -> list[str]:
        """The languages this revision has a text in, the drafting language first."""
        return list(self.language_codes or [LEGACY_LANGUAGE])

    @property
    def language(self) -> str:
        """The language of ``content``."""
        return self.languages[0]

    def has_language(self, language: str) -> bool:
        return language in self.languages

    def text_in(self, language: str) -> dict:
        """The whole text in ``language`` (same shape and item keys as ``content``).

        KeyError when the revision has no text in that language (see ``languages``)."""
        if language == self.language:
            return self.content
        if language in (self.translations or {}) and language in self.languages:
            return self.translations[language]
        raise KeyError(f"revision {self.number} has no text in {language!r}")

    def texts(self) -> dict[str, dict]:
        """{language: text} in the revision's language order."""
        return {language: self.text_in(language) for language in self.languages}

    @property
    def out_of_step(self) -> dict[str, list[str]]:
        """Per language, the item keys (``"title"`` for the title) marked "translation needed";
        every language of the revision is present, with [] when it is in step."""
        marks = self.out_of_step_marks or {}
        return {language: list(marks.get(language) or []) for language in self.languages}

    @property
    def is_in_step(self) -> bool:
        return not any(self.out_of_step.values())

    @property
    def is_legacy(self) -> bool:
        """Saved before language versions existed (one English text, hashed on its own)."""
        return self.language_codes is None

    def language_hashes(self) -> dict[str, str]:
        """{language: SHA-256 of that language's canonical text}."""
        from alliance_conf.declarations import canonical

        return {language: canonical.text_hash(text) for language, text in self.texts().items()}

    def manifest_hash(self) -> str:
        """The ``text_hash`` this revision gets when frozen: the manifest of its language hashes."""
        from alliance_conf.declarations import canonical

        return canonical.manifest_hash(self.language_hashes())

    def accepted_text_hashes(self, language_hashes: dict[str, str] | None = None) -> frozenset[str]:
        """Every ``text_hash`` that binds exactly this revision's text: the manifest hash, and for
        a revision saved before core_0010 (one English text) also the hash of that text alone,
        which is what declarations frozen before then recorded and their signatures bind.
        ``language_hashes``: this revision's, when the caller has already computed them."""
        from alliance_conf.declarations import canonical

        hashes = {canonical.manifest_hash(language_hashes or self.language_hashes())}
        if self.is_legacy:
            hashes.add(canonical.text_hash(self.content))
        return frozenset(hashes)

    def __repr__(self):
        return f"<DeclarationRevision {self.declaration_id}#{self.number}>"


@event.listens_for(DeclarationRevision, "before_update")
def _revisions_are_immutable(mapper, connection, target):
    raise RuntimeError("declaration revisions are immutable; save a new revision instead")


class Amendment(db.Model):
    """A delegation's proposal to change one paragraph or commitment of a declaration.

    ``base_revision_number`` is the revision it was written (or last updated) against; when the
    target's text in the current revision differs from that one, the amendment is stale.
    """

    __tablename__ = "amendments"
    __table_args__ = (
        sa.CheckConstraint(
            "state != 'rejected' OR rejection_reason IS NOT NULL", name="rejected_has_reason"
        ),
        sa.CheckConstraint(
            "kind = 'delete' OR proposed_text IS NOT NULL", name="replace_or_insert_has_text"
        ),
        sa.CheckConstraint(
            "state != 'accepted' OR accepted_revision_number IS NOT NULL",
            name="accepted_has_revision",
        ),
        sa.Index("ix_amendments_declaration_state", "declaration_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("declarations.id", ondelete="CASCADE")
    )
    delegation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("delegations.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    state: Mapped[AmendmentState] = mapped_column(
        enum_column(AmendmentState, "state"), default=AmendmentState.draft
    )
    kind: Mapped[AmendmentKind] = mapped_column(enum_column(AmendmentKind, "kind"))
    target_key: Mapped[str] = mapped_column(sa.String(40))
    # The language the amendment is written in; None on amendments from before core_0010, which
    # are in the declaration's drafting language.
    language: Mapped[str | None] = mapped_column(sa.String(16))
    base_revision_number: Mapped[int] = mapped_column()
    proposed_title: Mapped[str | None] = mapped_column(sa.String(200))
    proposed_text: Mapped[str | None] = mapped_column(sa.Text)
    justification: Mapped[str] = mapped_column(sa.Text)
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)
    accepted_revision_number: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    declaration = relationship("Declaration")
    delegation = relationship("Delegation")
    author = relationship("User", foreign_keys=[author_id])
    comments = relationship(
        "AmendmentComment",
        back_populates="amendment",
        order_by="AmendmentComment.id",
        cascade="all, delete-orphan",
    )
    supports = relationship(
        "AmendmentSupport",
        back_populates="amendment",
        order_by="AmendmentSupport.id",
        cascade="all, delete-orphan",
    )

    @property
    def is_open(self) -> bool:
        return self.state in (AmendmentState.draft, AmendmentState.submitted)

    def __repr__(self):
        return f"<Amendment {self.id} {self.kind} {self.target_key} {self.state}>"


class AmendmentComment(db.Model):
    __tablename__ = "amendment_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    amendment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("amendments.id", ondelete="CASCADE"), index=True
    )
    # None when an organiser comments for the conference rather than for a delegation.
    delegation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("delegations.id", ondelete="CASCADE")
    )
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    amendment = relationship("Amendment", back_populates="comments")
    delegation = relationship("Delegation")
    author = relationship("User")


class AmendmentSupport(db.Model):
    """A delegation declares support for another delegation's amendment, once."""

    __tablename__ = "amendment_supports"
    __table_args__ = (
        sa.UniqueConstraint(
            "amendment_id", "delegation_id", name="uq_amendment_supports_one_per_delegation"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    amendment_id: Mapped[int] = mapped_column(sa.ForeignKey("amendments.id", ondelete="CASCADE"))
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegations.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    amendment = relationship("Amendment", back_populates="supports")
    delegation = relationship("Delegation")
