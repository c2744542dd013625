"""Moving a declaration between states (draft, consultation, open, closed), with the vetoes
plugins may raise. Callers commit."""

from __future__ import annotations

import sqlalchemy as sa

from alliance_conf.audit.operations import log_event
from alliance_conf.auth.access import (
    require_organiser,
)
from alliance_conf.core.db import utcnow
from alliance_conf.core.errors import (
    InvalidState,
    ValidationFailed,
)
from alliance_conf.declarations import canonical, versions
from alliance_conf.declarations.models import (
    Amendment,
    AmendmentState,
    Declaration,
    DeclarationState,
)
from alliance_conf.declarations.operations import lock_declaration
from alliance_conf.extensions import db
from alliance_conf.i18n import _, ngettext
from alliance_conf.plugins import flatten, hook

TRANSITIONS: dict[DeclarationState, tuple[DeclarationState, ...]] = {
    DeclarationState.draft: (DeclarationState.consultation,),
    DeclarationState.consultation: (DeclarationState.draft, DeclarationState.open),
    DeclarationState.open: (DeclarationState.consultation, DeclarationState.closed),
    DeclarationState.closed: (),
}


def allowed_transitions(declaration: Declaration) -> tuple[DeclarationState, ...]:
    return TRANSITIONS[declaration.state]


def reopen_vetoes(declaration: Declaration) -> list[str]:
    """Reasons plugins give (e.g. someone has signed) why it cannot go back to consultation."""
    results = hook().alliance_declaration_can_reopen(declaration=declaration)
    return [str(reason) for reason in flatten(results) if reason]


def check_transition(declaration: Declaration, to: DeclarationState) -> None:
    old = declaration.state
    if to not in TRANSITIONS[old]:
        allowed = _(" or ").join(s.title.lower() for s in TRANSITIONS[old]) or _(
            "nothing (it is final)"
        )
        raise InvalidState(
            _(
                "A declaration cannot move from %(old)s to %(new)s; from %(old)s it can move to "
                "%(allowed)s.",
                old=old.title.lower(),
                new=to.title.lower(),
                allowed=allowed,
            )
        )


def parse_state(value) -> DeclarationState:
    try:
        return DeclarationState(value)
    except ValueError:
        known = ", ".join(s.value for s in DeclarationState)
        raise ValidationFailed(
            _(
                "“%(value)s” is not a declaration state; use one of %(known)s.",
                value=str(value),
                known=known,
            ),
            {"to": _("Unknown state.")},
        ) from None


def transition(declaration: Declaration, to, *, actor) -> Declaration:
    """Move the declaration; opening freezes the current revision and records its hash."""
    require_organiser(actor)
    to = parse_state(to)
    lock_declaration(declaration)
    old = declaration.state
    check_transition(declaration, to)
    data = {"from": old.value, "to": to.value}
    if to == DeclarationState.open:
        undecided = db.session.scalar(
            sa.select(sa.func.count(Amendment.id)).where(
                Amendment.declaration_id == declaration.id,
                Amendment.state == AmendmentState.submitted,
            )
        )
        if undecided:
            raise InvalidState(
                ngettext(
                    "%(num)d submitted amendment is not decided yet; accept or reject it before "
                    "opening the declaration for signature.",
                    "%(num)d submitted amendments are not decided yet; accept or reject them "
                    "before opening the declaration for signature.",
                    undecided,
                )
            )
        revision = declaration.current_revision
        problems = versions.out_of_step_problems(declaration, revision)
        if problems:
            raise InvalidState(
                _(
                    "The text cannot be frozen while a language version is out of step; a "
                    "translator must update it first. %(problems)s.",
                    problems="; ".join(problems),
                )
            )
        hashes = revision.language_hashes()
        declaration.frozen_revision_id = revision.id
        declaration.language_hashes = hashes
        declaration.text_hash = canonical.manifest_hash(hashes)
        declaration.frozen_at = utcnow()
        data.update(
            revision=revision.number, text_hash=declaration.text_hash, language_hashes=hashes
        )
    elif old == DeclarationState.open and to == DeclarationState.consultation:
        vetoes = reopen_vetoes(declaration)
        if vetoes:
            raise InvalidState(
                _(
                    "The declaration cannot go back to consultation: %(reasons)s",
                    reasons="; ".join(vetoes),
                )
            )
        data.update(unfrozen_hash=declaration.text_hash)
        declaration.frozen_revision_id = None
        declaration.text_hash = None
        declaration.language_hashes = None
        declaration.frozen_at = None
    declaration.state = to
    db.session.flush()
    log_event("declaration.state_changed", declaration, actor=actor, data=data)
    hook().alliance_declaration_state_changed(
        declaration=declaration, old_state=old, new_state=to, actor=actor
    )
    return declaration
