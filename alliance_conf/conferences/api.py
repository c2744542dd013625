from __future__ import annotations

import sqlalchemy as sa

from alliance_conf.api.framework import ApiBlueprint, api_user
from alliance_conf.auth.models import UserRole
from alliance_conf.conferences import operations
from alliance_conf.conferences.models import Conference
from alliance_conf.conferences.schemas import ConferenceIn, ConferenceOut
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
