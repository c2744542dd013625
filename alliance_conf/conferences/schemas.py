from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from alliance_conf.api.framework import ApiModel, IsoDate
from alliance_conf.core.inputs import Line


class CoChair(ApiModel):
    name: Line = Field(min_length=1, max_length=200)
    title: Line = Field("", max_length=300)


class ConferenceIn(ApiModel):
    slug: str = Field(min_length=3, max_length=80, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    title: Line = Field(min_length=1, max_length=300)
    city: Line = Field(min_length=1, max_length=120)
    venue: Line = Field("", max_length=200)
    start_date: IsoDate
    end_date: IsoDate
    timezone: Line = Field("UTC", max_length=64)
    co_chairs: list[CoChair] = Field(default_factory=list, max_length=20)
    groups: dict[Line, Line] | None = Field(None, description="Delegation groups: key to label")
    languages: list[Line] | None = Field(
        None,
        min_length=1,
        max_length=30,
        description="The authentic languages of its declarations, drafting language first; "
        "each one of the installation's languages (default: the installation's default)",
        examples=[["en", "fr"]],
    )


class ConferenceOut(ApiModel):
    id: int
    slug: str
    title: str
    city: str
    venue: str
    start_date: date
    end_date: date
    timezone: str
    co_chairs: list[CoChair]
    groups: dict[str, str]
    languages: list[str]
    status: str
    created_at: datetime


class AmendmentsWaitingOut(ApiModel):
    declaration_id: int
    count: int


class AttentionOut(ApiModel):
    """What needs an organiser now (each count from one query)."""

    pending_registrations: int = Field(description="Registrations waiting for a decision")
    delegations_without_signatory: int = Field(
        description="Active state delegations where no approved registration holds full powers"
    )
    amendments_awaiting_decision: int = Field(description="Submitted amendments not yet decided")
    declarations_ready_to_open: int = Field(
        description="Declarations in consultation that could be opened for signature now: no "
        "amendment undecided, every language present and in step"
    )
    ready_declaration_ids: list[int]
    amendments_by_declaration: list[AmendmentsWaitingOut]
    total: int
