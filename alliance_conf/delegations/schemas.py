from __future__ import annotations

from datetime import datetime

from pydantic import Field

from alliance_conf.api.framework import ApiModel, PageQuery
from alliance_conf.core.inputs import Line
from alliance_conf.delegations.operations import MAX_ORGANISATION_NAME, MAX_QUOTA


class DelegationOut(ApiModel):
    id: int
    kind: str
    country_code: str | None
    organisation_name: str | None
    name: str
    group: str
    delegate_quota: int | None
    active: bool


class DelegationQuery(PageQuery):
    group: Line | None = Field(None, max_length=40)
    kind: str | None = Field(None, pattern="^(state|organisation)$")


class DelegationIn(ApiModel):
    country_code: str | None = Field(
        None, min_length=2, max_length=2, pattern=r"^[A-Za-z]{2}$", description="For a state"
    )
    organisation_name: Line | None = Field(
        None, min_length=1, max_length=MAX_ORGANISATION_NAME, description="For an organisation"
    )
    group: Line = Field(min_length=1, max_length=40)
    contact_email: Line | None = Field(None, max_length=320)
    delegate_quota: int | None = Field(None, ge=0, le=MAX_QUOTA)


class DelegationPatch(ApiModel):
    """Only the fields sent are changed (at least one); ``null`` clears the contact or the
    quota."""

    group: Line = Field(None, min_length=1, max_length=40)  # type: ignore[assignment]
    organisation_name: Line = Field(  # type: ignore[assignment]
        None,
        min_length=1,
        max_length=MAX_ORGANISATION_NAME,
        description="An organisation's new name (a state is named after its country)",
    )
    contact_email: Line | None = Field(None, max_length=320)
    delegate_quota: int | None = Field(None, ge=0, le=MAX_QUOTA)
    active: bool | None = Field(None, description="false deactivates, true reactivates")


class DelegationAdminOut(DelegationOut):
    """What organisers see: the contact e-mail too."""

    contact_email: str | None
    created_at: datetime


class ImportReportOut(ApiModel):
    created: int
    updated: int
    unchanged: int
    total: int
