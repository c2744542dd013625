from __future__ import annotations

from pydantic import Field

from alliance_conf.api.framework import ApiModel


class CompareDocumentQuery(ApiModel):
    from_: int = Field(alias="from", ge=1, description="The older revision number")
    to: int = Field(ge=1, description="The newer revision number")


class ExporterOut(ApiModel):
    name: str
    label: str
    kind: str
    extension: str
    content_type: str
