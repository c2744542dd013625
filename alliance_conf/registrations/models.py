from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance_conf.core.db import UTCDateTime, enum_column, utcnow
from alliance_conf.extensions import db
from alliance_conf.i18n import _l


class RegistrationStatus(enum.StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    withdrawn = "withdrawn"
    cancelled = "cancelled"

    @property
    def title(self) -> str:
        return str(
            {
                "pending": _l("Pending"),
                "approved": _l("Approved"),
                "rejected": _l("Rejected"),
                "withdrawn": _l("Withdrawn"),
                "cancelled": _l("Cancelled"),
            }[self.value]
        )


class DelegateFunction(enum.StrEnum):
    head_of_delegation = "head_of_delegation"
    minister = "minister"
    senior_official = "senior_official"
    adviser = "adviser"
    interpreter = "interpreter"
    press = "press"
    security = "security"
    other = "other"

    @property
    def title(self) -> str:
        return str(
            {
                "head_of_delegation": _l("Head of delegation"),
                "minister": _l("Minister"),
                "senior_official": _l("Senior official"),
                "adviser": _l("Adviser"),
                "interpreter": _l("Interpreter"),
                "press": _l("Press"),
                "security": _l("Security"),
                "other": _l("Other"),
            }[self.value]
        )

    @property
    def carries_powers(self) -> bool:
        """May amend or sign for the delegation: confirmed by organisers, never self-asserted."""
        return self in POWERED_FUNCTIONS


POWERED_FUNCTIONS = frozenset(
    {
        DelegateFunction.head_of_delegation,
        DelegateFunction.minister,
        DelegateFunction.senior_official,
    }
)


class IssuingAuthority(enum.StrEnum):
    """Who issued an instrument of full powers (Vienna Convention, art. 7)."""

    head_of_state = "head_of_state"
    head_of_government = "head_of_government"
    foreign_minister = "foreign_minister"
    other = "other"

    @property
    def title(self) -> str:
        return str(
            {
                "head_of_state": _l("Head of State"),
                "head_of_government": _l("Head of Government"),
                "foreign_minister": _l("Minister for Foreign Affairs"),
                "other": _l("Other"),
            }[self.value]
        )


HEAD_OF_DELEGATION_ACTIVE = "function = 'head_of_delegation' AND status IN ('pending', 'approved')"


class Registration(db.Model):
    """A person's registration in one delegation of one conference."""

    __tablename__ = "registrations"
    __table_args__ = (
        sa.UniqueConstraint("conference_id", "user_id"),
        sa.Index("ix_registrations_delegation_status", "delegation_id", "status"),
        sa.Index("ix_registrations_conference_status", "conference_id", "status"),
        sa.CheckConstraint(
            "status != 'rejected' OR rejection_reason IS NOT NULL", name="rejection_has_reason"
        ),
        sa.CheckConstraint(
            "NOT is_signatory OR (signatory_designated_at IS NOT NULL AND status = 'approved')",
            name="signatory_is_approved",
        ),
        # At most one active head per delegation (the operations check first, with a message).
        sa.Index(
            "uq_registrations_one_head_per_delegation",
            "delegation_id",
            unique=True,
            sqlite_where=sa.text(HEAD_OF_DELEGATION_ACTIVE),
            postgresql_where=sa.text(HEAD_OF_DELEGATION_ACTIVE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(sa.ForeignKey("conferences.id", ondelete="CASCADE"))
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(
        enum_column(RegistrationStatus, "status"), default=RegistrationStatus.pending
    )
    function: Mapped[DelegateFunction] = mapped_column(
        enum_column(DelegateFunction, "function"), default=DelegateFunction.other
    )
    # A function carrying powers that the person asked for at registration; ``function`` holds
    # what organisers confirmed (an ordinary delegate's until then).
    requested_function: Mapped[DelegateFunction | None] = mapped_column(
        enum_column(DelegateFunction, "requested_function")
    )
    position: Mapped[str] = mapped_column(sa.String(200), default="")
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    # Organisers-only fields: never shown to other delegates or exported in public lists.
    accessibility_needs: Mapped[str] = mapped_column(sa.Text, default="")
    dietary_needs: Mapped[str] = mapped_column(sa.Text, default="")
    consent_participant_list: Mapped[bool] = mapped_column(default=False)
    privacy_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    # Nominated by the head of delegation (or organisers) to sign; powers come from organisers.
    signatory_nominated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signatory_nominated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    # "Full powers": granted by organisers with an instrument (a ``FullPowers`` row).
    is_signatory: Mapped[bool] = mapped_column(default=False)
    signatory_designated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signatory_designated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    conference = relationship("Conference")
    delegation = relationship("Delegation")
    user = relationship("User", foreign_keys=[user_id])

    def __repr__(self):
        return f"<Registration {self.user_id}@{self.delegation_id} {self.status}>"


# The participant list, dashboard and exports at COP scale (participants/queries.py) rely on
# these. Sorting by registration date, and counting a conference's registrations from the index
# only.
_registrations = Registration.__table__
sa.Index(
    "ix_registrations_conference_created",
    _registrations.c.conference_id,
    _registrations.c.created_at,
    _registrations.c.id,
)
# The dashboard groups a conference's registrations by delegation and status from this index.
sa.Index(
    "ix_registrations_conference_delegation_status",
    _registrations.c.conference_id,
    _registrations.c.delegation_id,
    _registrations.c.status,
)
# ...and finds the delegations that have a signatory from this one.
sa.Index(
    "ix_registrations_conference_signatory",
    _registrations.c.conference_id,
    _registrations.c.is_signatory,
    _registrations.c.delegation_id,
)
# The head of each delegation (and the list filtered by delegation and function).
sa.Index(
    "ix_registrations_delegation_function",
    _registrations.c.delegation_id,
    _registrations.c.function,
    _registrations.c.status,
)


class FullPowers(db.Model):
    """An instrument of full powers checked by organisers: the only source of ``is_signatory``.

    Rows are never deleted: revoking records who, when and on what instrument.
    """

    __tablename__ = "full_powers"
    __table_args__ = (
        sa.Index("ix_full_powers_conference", "conference_id", "granted_at"),
        sa.CheckConstraint(
            "issuing_authority != 'other' OR issuing_authority_text != ''",
            name="other_authority_named",
        ),
        # At most one active grant per registration.
        sa.Index(
            "uq_full_powers_active",
            "registration_id",
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(sa.ForeignKey("conferences.id", ondelete="CASCADE"))
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegations.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    instrument_reference: Mapped[str] = mapped_column(sa.String(200))
    issuing_authority: Mapped[IssuingAuthority] = mapped_column(
        enum_column(IssuingAuthority, "issuing_authority")
    )
    issuing_authority_text: Mapped[str] = mapped_column(sa.String(200), default="")
    instrument_date: Mapped[date] = mapped_column(sa.Date())
    document: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    document_filename: Mapped[str | None] = mapped_column(sa.String(200))
    document_size: Mapped[int | None] = mapped_column()
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    revocation_reference: Mapped[str | None] = mapped_column(sa.String(200))
    revocation_authority: Mapped[IssuingAuthority | None] = mapped_column(
        enum_column(IssuingAuthority, "revocation_authority")
    )
    revocation_authority_text: Mapped[str | None] = mapped_column(sa.String(200))
    revocation_date: Mapped[date | None] = mapped_column(sa.Date())
    revocation_reason: Mapped[str | None] = mapped_column(sa.Text)

    registration = relationship("Registration")
    delegation = relationship("Delegation")
    granted_by = relationship("User", foreign_keys=[granted_by_id])
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])

    @property
    def authority_label(self) -> str:
        if self.issuing_authority == IssuingAuthority.other:
            return self.issuing_authority_text
        return self.issuing_authority.title
