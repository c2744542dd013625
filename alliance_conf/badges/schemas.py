from __future__ import annotations

from datetime import datetime

from pydantic import Field

from alliance_conf.api.framework import ApiModel
from alliance_conf.badges.forms import MAX_CODE
from alliance_conf.badges.operations import MAX_DOOR, MAX_REASON
from alliance_conf.core.inputs import Line


class BadgeOut(ApiModel):
    id: int
    registration_id: int
    delegation_id: int
    full_name: str
    position: str
    excellency: bool
    issued_at: datetime
    revoked_at: datetime | None
    revocation_reason: str | None
    checked_in_at: datetime | None
    qr: str | None = Field(description="The text of the QR code (null once revoked)")


class BadgePage(ApiModel):
    items: list[BadgeOut]
    page: int
    per_page: int
    total: int
    pages: int


class BadgeQuery(ApiModel):
    delegation_id: int | None = Field(None, ge=1, le=2147483647)
    include_revoked: bool = False
    page: int = Field(1, ge=1, le=2147483647)
    per_page: int = Field(50, ge=1, le=500)


class IssueIn(ApiModel):
    registration_id: int = Field(ge=1, le=2147483647)
    excellency: bool | None = Field(
        None, description="Print “H.E.” before the name; null: the protocol rule decides"
    )


class IssueMissingIn(ApiModel):
    delegation_id: int | None = Field(None, ge=1, le=2147483647)


class IssuedOut(ApiModel):
    issued: int


class RevokeIn(ApiModel):
    reason: Line = Field(min_length=1, max_length=MAX_REASON)


class PrintJobIn(ApiModel):
    delegation_id: int = Field(ge=1, le=2147483647)
    language: Line | None = Field(None, max_length=16)


class CheckInIn(ApiModel):
    code: str = Field(min_length=1, max_length=MAX_CODE)
    door: Line = Field("", max_length=MAX_DOOR)


class CheckInOut(ApiModel):
    outcome: str
    message: str
    badge_id: int
    full_name: str
    position: str
    excellency: bool
    delegation: str
    group: str
    checked_in_at: datetime


class CheckInCountsOut(ApiModel):
    badges: int
    checked_in: int
    by_group: dict[str, dict[str, int]]
