from __future__ import annotations

import sqlalchemy as sa

from alliance_conf.api.framework import ApiBlueprint, api_user
from alliance_conf.auth.models import UserRole
from alliance_conf.conferences import operations
from alliance_conf.conferences.attention import attention
from alliance_conf.conferences.models import Conference
from alliance_conf.conferences.schemas import AttentionOut, ConferenceIn, ConferenceOut
from alliance_conf.extensions import db

api = ApiBlueprint("conferences_api", __name__)


@api.endpoint(
    "/conferences",
    "GET",
    public=True,
    paginated=True,
    response=list[ConferenceOut],
    summary="List conferences, newest first",
)
def list_conferences(query):
    return sa.select(Conference).order_by(Conference.start_date.desc(), Conference.id.desc())


@api.endpoint(
    "/conferences",
    "POST",
    roles=[UserRole.organiser],
    body=ConferenceIn,
    response=ConferenceOut,
    summary="Create a conference",
)
def create_conference(body: ConferenceIn):
    conference = operations.create_conference(
        **body.model_dump(exclude={"co_chairs"}),
        co_chairs=[c.model_dump() for c in body.co_chairs],
        actor=api_user(),
    )
    db.session.commit()
    return conference


@api.endpoint(
    "/conferences/<slug>", "GET", public=True, response=ConferenceOut, summary="One conference"
)
def get_conference(slug: str):
    return operations.get_conference(slug)


@api.endpoint(
    "/conferences/<slug>/attention",
    "GET",
    roles=[UserRole.organiser],
    response=AttentionOut,
    authorise=lambda slug: operations.get_conference(slug),
    summary="What needs the organisers now at a conference (organisers)",
)
def get_conference_attention(slug: str):
    """Pending registrations, state delegations without a signatory, amendments awaiting a
    decision and declarations ready to open for signature, as the conference page's panel
    counts them."""
    return attention(operations.get_conference(slug)).as_dict()
