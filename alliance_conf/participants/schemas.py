from __future__ import annotations

from datetime import datetime

from pydantic import Field

from alliance_conf.api.framework import ApiModel, PageQuery
from alliance_conf.core.inputs import Line
from alliance_conf.registrations.models import DelegateFunction, RegistrationStatus


class RegistrationQuery(PageQuery):
    status: RegistrationStatus | None = None
    group: Line | None = Field(None, max_length=40)
    delegation_id: int | None = Field(None, ge=1)
    function: DelegateFunction | None = None
    q: Line | None = Field(None, max_length=200, description="Search in names and e-mails")
    sort: str = Field("name", pattern="^(name|delegation|status|registered)$")
    direction: str = Field("asc", pattern="^(asc|desc)$")
    after: Line | None = Field(
        None, max_length=2000, description="A `next_cursor`: the page after it (keyset)"
    )
    before: Line | None = Field(
        None, max_length=2000, description="A `prev_cursor`: the page before it (keyset)"
    )


class RegistrationListItem(ApiModel):
    id: int
    full_name: str
    email: str
    delegation_id: int
    delegation_name: str
    delegation_group: str
    position: str
    organisation: str
    function: str
    status: str
    is_signatory: bool
    consent_participant_list: bool
    created_at: datetime
    accessibility_needs: str | None = Field(None, description="Organisers only; absent otherwise")
    dietary_needs: str | None = Field(None, description="Organisers only; absent otherwise")


class RegistrationPage(ApiModel):
    items: list[RegistrationListItem]
    page: int
    per_page: int
    total: int = Field(description="Exact when `total_exact`; otherwise a lower bound (10,000)")
    pages: int = Field(description="When the total is not exact, a lower bound")
    total_exact: bool = True
    next_cursor: str | None = Field(None, description="Pass as `after` for the next page")
    prev_cursor: str | None = Field(None, description="Pass as `before` for the previous page")


class GroupCounts(ApiModel):
    group: str
    label: str
    by_status: dict[str, int]


class DelegationBrief(ApiModel):
    id: int
    name: str
    group: str


class DashboardOut(ApiModel):
    total: int
    delegations: int
    by_status: dict[str, int]
    by_group: list[GroupCounts]
    without_approved_delegate: list[DelegationBrief]
    without_signatory: list[DelegationBrief]
