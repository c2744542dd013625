from __future__ import annotations

import sqlalchemy as sa

from alliance_conf.api.framework import ApiBlueprint
from alliance_conf.conferences.operations import get_conference
from alliance_conf.delegations.models import Delegation
from alliance_conf.delegations.schemas import DelegationOut, DelegationQuery

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
