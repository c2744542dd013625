"""What needs an organiser now at a conference: the counts of the "what needs you now" panel.

Each count is one query, whatever the size of the conference (no query per delegation or per
declaration):

* pending registrations (waiting for an organiser's decision);
* active state delegations without a signatory: no approved registration holds full powers
  (``Registration.is_signatory``, set only by ``registrations.powers``);
* submitted amendments, not yet accepted or rejected;
* declarations ready to open for signature: in consultation (the state just before opening),
  no amendment undecided, and every language of the conference present and in step in the
  current revision, i.e. what ``transitions.transition(..., "open")`` would accept.

The web panel, ``GET /api/v1/conferences/<slug>/attention`` and ``flask conferences attention``
all read :func:`attention`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from alliance_conf.conferences.models import Conference
from alliance_conf.declarations.models import (
    LEGACY_LANGUAGE,
    Amendment,
    AmendmentState,
    Declaration,
    DeclarationRevision,
    DeclarationState,
)
from alliance_conf.delegations.models import Delegation, DelegationKind
from alliance_conf.extensions import db
from alliance_conf.registrations.models import Registration, RegistrationStatus


@dataclass
class Attention:
    """The counts, and the declarations concerned (to link to the right page)."""

    pending_registrations: int = 0
    delegations_without_signatory: int = 0
    amendments_awaiting_decision: int = 0
    # {declaration id: submitted amendments}
    amendments_by_declaration: dict[int, int] = field(default_factory=dict)
    # ids of the declarations ready to open, in id order
    declarations_ready_to_open: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return (
            self.pending_registrations
            + self.delegations_without_signatory
            + self.amendments_awaiting_decision
            + len(self.declarations_ready_to_open)
        )

    def as_dict(self) -> dict:
        return {
            "pending_registrations": self.pending_registrations,
            "delegations_without_signatory": self.delegations_without_signatory,
            "amendments_awaiting_decision": self.amendments_awaiting_decision,
            "declarations_ready_to_open": len(self.declarations_ready_to_open),
            "ready_declaration_ids": list(self.declarations_ready_to_open),
            "amendments_by_declaration": [
                {"declaration_id": key, "count": count}
                for key, count in sorted(self.amendments_by_declaration.items())
            ],
            "total": self.total,
        }


def pending_registrations(conference: Conference) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Registration.id)).where(
            Registration.conference_id == conference.id,
            Registration.status == RegistrationStatus.pending,
        )
    )


def delegations_without_signatory(conference: Conference) -> int:
    with_signatory = sa.exists().where(
        Registration.delegation_id == Delegation.id,
        Registration.is_signatory.is_(True),
        Registration.status == RegistrationStatus.approved,
    )
    return db.session.scalar(
        sa.select(sa.func.count(Delegation.id)).where(
            Delegation.conference_id == conference.id,
            Delegation.active.is_(True),
            Delegation.kind == DelegationKind.state,
            ~with_signatory,
        )
    )


def amendments_awaiting_decision(conference: Conference) -> dict[int, int]:
    """{declaration id: submitted amendments}, declarations without any left out."""
    rows = db.session.execute(
        sa.select(Amendment.declaration_id, sa.func.count(Amendment.id))
        .join(Declaration, Declaration.id == Amendment.declaration_id)
        .where(
            Declaration.conference_id == conference.id,
            Amendment.state == AmendmentState.submitted,
        )
        .group_by(Amendment.declaration_id)
    ).all()
    return {declaration_id: count for declaration_id, count in rows}


def declarations_ready_to_open(conference: Conference) -> list[int]:
    """Declarations in consultation that opening would accept now (see the module's note).

    One query reads each candidate's current revision's languages and "translation needed"
    marks (not its text); whether every language is there and in step is decided here, as
    ``versions.out_of_step_problems`` decides it."""
    undecided = sa.exists().where(
        Amendment.declaration_id == Declaration.id,
        Amendment.state == AmendmentState.submitted,
    )
    rows = db.session.execute(
        sa.select(
            Declaration.id,
            DeclarationRevision.language_codes,
            DeclarationRevision.out_of_step_marks,
        )
        .join(
            DeclarationRevision,
            sa.and_(
                DeclarationRevision.declaration_id == Declaration.id,
                DeclarationRevision.number == Declaration.current_revision_number,
            ),
        )
        .where(
            Declaration.conference_id == conference.id,
            Declaration.state == DeclarationState.consultation,
            ~undecided,
        )
        .order_by(Declaration.id)
    ).all()
    wanted = list(conference.languages or [LEGACY_LANGUAGE])
    ready = []
    for declaration_id, language_codes, marks in rows:
        languages = list(language_codes or [LEGACY_LANGUAGE])
        if any(language not in languages for language in wanted):
            continue
        if any((marks or {}).get(language) for language in wanted):
            continue
        ready.append(declaration_id)
    return ready


def attention(conference: Conference) -> Attention:
    """Everything of the panel, in four queries."""
    by_declaration = amendments_awaiting_decision(conference)
    return Attention(
        pending_registrations=pending_registrations(conference),
        delegations_without_signatory=delegations_without_signatory(conference),
        amendments_awaiting_decision=sum(by_declaration.values()),
        amendments_by_declaration=by_declaration,
        declarations_ready_to_open=declarations_ready_to_open(conference),
    )
