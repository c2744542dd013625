from __future__ import annotations

import sqlalchemy as sa

from alliance_conf.api.framework import ApiBlueprint, api_user
from alliance_conf.auth.models import UserRole
from alliance_conf.conferences.operations import get_conference
from alliance_conf.core.errors import NotFound
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.i18n import _
from alliance_conf.invitations import operations
from alliance_conf.invitations.models import Invitation
from alliance_conf.invitations.schemas import InvitationCreate, InvitationOut, InvitationQuery

api = ApiBlueprint("invitations_api", __name__)


@api.endpoint(
    "/conferences/<slug>/invitations",
    "GET",
    roles=[UserRole.organiser],
    paginated=True,
    query=InvitationQuery,
    response=list[InvitationOut],
    summary="Invitations of a conference, newest first",
)
def list_invitations(slug: str, query: InvitationQuery):
    """Overdue pending invitations are stored as expired before the list is read."""
    conference = get_conference(slug)
    if operations.expire_due(conference):
        db.session.commit()
    statement = sa.select(Invitation).where(Invitation.conference_id == conference.id)
    if query.status:
        statement = statement.where(Invitation.status == query.status)
    if query.delegation_id:
        statement = statement.where(Invitation.delegation_id == query.delegation_id)
    return statement.order_by(Invitation.id.desc())


@api.endpoint(
    "/conferences/<slug>/invitations",
    "POST",
    roles=[UserRole.organiser],
    body=InvitationCreate,
    response=InvitationOut,
    summary="Invite someone to register for a delegation (the link goes by e-mail)",
)
def create_invitation(slug: str, body: InvitationCreate):
    conference = get_conference(slug)
    if body.delegation_id is not None:
        delegation = db.session.get(Delegation, body.delegation_id)
        if delegation is not None and delegation.conference_id != conference.id:
            delegation = None
    else:
        delegation = operations.find_delegation(conference, body.delegation)
    if delegation is None:
        raise NotFound(
            _("There is no such delegation in this conference."),
            {"delegation": _("Unknown delegation.")},
        )
    invitation, _token = operations.create_invitation(
        delegation, body.email, full_name=body.full_name, actor=api_user()
    )
    db.session.commit()
    return invitation


@api.endpoint(
    "/conferences/<slug>/invitations/<int:invitation_id>/resend",
    "POST",
    roles=[UserRole.organiser],
    response=InvitationOut,
    status=200,
    summary="Send a new link; the old one stops working",
)
def resend_invitation(slug: str, invitation_id: int):
    invitation = operations.get_invitation(get_conference(slug), invitation_id)
    operations.resend_invitation(invitation, actor=api_user())
    db.session.commit()
    return invitation


@api.endpoint(
    "/conferences/<slug>/invitations/<int:invitation_id>/revoke",
    "POST",
    roles=[UserRole.organiser],
    response=InvitationOut,
    status=200,
    summary="Revoke an invitation; its link stops working",
)
def revoke_invitation(slug: str, invitation_id: int):
    invitation = operations.get_invitation(get_conference(slug), invitation_id)
    operations.revoke_invitation(invitation, actor=api_user())
    db.session.commit()
    return invitation
