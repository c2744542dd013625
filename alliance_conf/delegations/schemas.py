from __future__ import annotations

from pydantic import Field

from alliance_conf.api.framework import ApiModel, PageQuery


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
    group: str | None = Field(None, max_length=40)
    kind: str | None = Field(None, pattern="^(state|organisation)$")
