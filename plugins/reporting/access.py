"""Who may see a delegation's reporting, the reporting of a declaration, or act for a
delegation: predicates and checks that raise ``PermissionDenied`` saying why."""

from __future__ import annotations

import sqlalchemy as sa

from alliance_conf.auth.access import is_team, membership
from alliance_conf.core.errors import (
    PermissionDenied,
)
from alliance_conf.declarations.models import Declaration
from alliance_conf.declarations.operations import can_view, is_authorised
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.i18n import _
from plugins.reporting.models import (
    Report,
    ReportingRound,
)

# --- who is who ------------------------------------------------------------------------------


def can_read_delegation(user, delegation: Delegation) -> bool:
    """Organisers and staff read everything; approved members read their own delegation's."""
    if is_team(user):
        return True
    registration = membership(user, delegation.conference_id)
    return registration is not None and registration.delegation_id == delegation.id


def require_read_delegation(user, delegation: Delegation) -> None:
    if not can_read_delegation(user, delegation):
        raise PermissionDenied(_("Only that delegation and the organisers can see this."))


def can_see_reporting(declaration: Declaration, user) -> bool:
    """Organisers and staff; members of the conference's delegations once the declaration is
    visible to them, or once a round asks their delegation for a report on it."""
    if is_team(user):
        return True
    registration = membership(user, declaration.conference_id)
    if registration is None:
        return False
    if can_view(declaration, user):
        return True
    asked = db.session.scalar(
        sa.select(Report.id)
        .join(ReportingRound, ReportingRound.id == Report.round_id)
        .where(
            ReportingRound.declaration_id == declaration.id,
            Report.delegation_id == registration.delegation_id,
        )
        .limit(1)
    )
    return asked is not None


def require_see_reporting(declaration: Declaration, user) -> None:
    if not can_see_reporting(declaration, user):
        raise PermissionDenied(
            _("Only the organisers and the delegations of this conference can see its reporting.")
        )


def can_act_for(user, delegation: Delegation) -> bool:
    registration = membership(user, delegation.conference_id)
    return (
        registration is not None
        and registration.delegation_id == delegation.id
        and is_authorised(registration)
    )


def require_act_for(actor, delegation: Delegation) -> None:
    """Authorised members of the delegation, and the system (``actor=None``)."""
    if actor is None:
        return
    if not can_act_for(actor, delegation):
        raise PermissionDenied(
            _(
                "Only the head of delegation, a minister, a senior official or a signatory of "
                "%(delegation)s can do this.",
                delegation=delegation.name,
            )
        )
