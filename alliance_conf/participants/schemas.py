from __future__ import annotations

from datetime import datetime

from pydantic import Field

from alliance_conf.api.framework import ApiModel, PageQuery
from alliance_conf.registrations.models import DelegateFunction, RegistrationStatus


class RegistrationQuery(PageQuery):
    status: RegistrationStatus | None = None
    group: str | None = Field(None, max_length=40)
    delegation_id: int | None = Field(None, ge=1)
    function: DelegateFunction | None = None
    q: str | None = Field(None, max_length=200, description="Search in names and e-mails")
    sort: str = Field("name", pattern="^(name|delegation|status|registered)$")
    direction: str = Field("asc", pattern="^(asc|desc)$")


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
    total: int
    pages: int


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
