from __future__ import annotations

import sqlalchemy as sa
from flask import request

from alliance_conf.api.framework import ApiBlueprint, api_user
from alliance_conf.auth.models import UserRole
from alliance_conf.conferences.operations import get_conference
from alliance_conf.core.errors import ValidationFailed
from alliance_conf.delegations import operations
from alliance_conf.delegations.imports import import_delegations
from alliance_conf.delegations.models import Delegation
from alliance_conf.delegations.schemas import (
    DelegationAdminOut,
    DelegationIn,
    DelegationOut,
    DelegationPatch,
    DelegationQuery,
    ImportReportOut,
)
from alliance_conf.extensions import db
from alliance_conf.i18n import _

api = ApiBlueprint("delegations_api", __name__)


@api.endpoint(
    "/conferences/<slug>/delegations",
    "GET",
    public=True,
    paginated=True,
    query=DelegationQuery,
    response=list[DelegationOut],
    summary="Delegations of a conference, by name",
)
def list_delegations(slug: str, query: DelegationQuery):
    """Names, groups and quotas only: who takes part is public; contacts are not."""
    conference = get_conference(slug)
    statement = sa.select(Delegation).where(Delegation.conference_id == conference.id)
    if query.group:
        statement = statement.where(Delegation.group == query.group)
    if query.kind:
        statement = statement.where(Delegation.kind == query.kind)
    return statement.order_by(Delegation.name)


@api.endpoint(
    "/conferences/<slug>/delegations",
    "POST",
    roles=[UserRole.organiser],
    body=DelegationIn,
    response=DelegationAdminOut,
    summary="Add a delegation (organisers)",
)
def create_delegation(slug: str, body: DelegationIn):
    delegation = operations.create_delegation(
        get_conference(slug), **body.model_dump(), actor=api_user()
    )
    db.session.commit()
    return delegation


@api.endpoint(
    "/conferences/<slug>/delegations/<int:delegation_id>",
    "PATCH",
    roles=[UserRole.organiser],
    body=DelegationPatch,
    response=DelegationAdminOut,
    authorise=lambda slug, delegation_id: operations.get_delegation(
        get_conference(slug), delegation_id
    ),
    summary="Change a delegation's group, contact, quota, name or active state (organisers)",
)
def update_delegation(slug: str, delegation_id: int, body: DelegationPatch):
    delegation = operations.get_delegation(get_conference(slug), delegation_id)
    sent = body.model_dump(include=body.model_fields_set)
    active = sent.pop("active", None)
    if "group" in sent and sent["group"] is None:
        raise ValidationFailed("A delegation needs a group.", {"group": "Required."})
    if "organisation_name" in sent and sent["organisation_name"] is None:
        message = _("Give the organisation's name.")
        raise ValidationFailed(message, {"organisation_name": message})
    operations.update_delegation(delegation, **sent, actor=api_user())
    if active is False and delegation.active:
        operations.deactivate_delegation(delegation, actor=api_user())
    elif active is True and not delegation.active:
        operations.reactivate_delegation(delegation, actor=api_user())
    db.session.commit()
    return delegation


@api.endpoint(
    "/conferences/<slug>/delegations/import",
    "POST",
    roles=[UserRole.organiser],
    response=ImportReportOut,
    status=200,
    summary="Import delegations from a CSV request body (text/csv; organisers)",
)
def import_delegations_csv(slug: str):
    """The body is the CSV file itself (see the README for its columns). All rows or none."""
    report = import_delegations(
        get_conference(slug), request.get_data(cache=False), actor=api_user()
    )
    db.session.commit()
    return report.as_dict()
