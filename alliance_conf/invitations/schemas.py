from __future__ import annotations

from datetime import datetime

from pydantic import Field, model_validator

from alliance_conf.api.framework import ApiModel, PageQuery
from alliance_conf.auth.operations import MAX_FULL_NAME
from alliance_conf.core.inputs import Line, plain_text_pattern

BLANK = {"type": "null"}, {"type": "string", "pattern": r"^\s*$"}


def _one_delegation_schema(schema: dict) -> None:
    """Either a delegation id or its name/code (plain text, not blank), not both."""
    schema["oneOf"] = [
        {
            "required": ["delegation_id"],
            "properties": {"delegation_id": {"type": "integer"}, "delegation": {"anyOf": BLANK}},
        },
        {
            "required": ["delegation"],
            "properties": {
                "delegation": {"type": "string", "pattern": plain_text_pattern(not_blank=True)},
                "delegation_id": {"type": "null"},
            },
        },
    ]


class InvitationCreate(ApiModel):
    model_config = ApiModel.model_config | {"json_schema_extra": _one_delegation_schema}

    delegation_id: int | None = Field(None, description="The delegation's id")
    delegation: Line | None = Field(
        None, max_length=200, description="Or its country code (BE) or organisation name"
    )
    email: Line = Field(min_length=3, max_length=320)
    full_name: Line = Field("", max_length=MAX_FULL_NAME)

    @model_validator(mode="after")
    def _one_delegation(self):
        if (self.delegation_id is None) == (not self.delegation):
            raise ValueError("Give delegation_id or delegation (code or name), not both.")
        return self


class InvitationOut(ApiModel):
    id: int
    conference_id: int
    delegation_id: int
    email: str
    full_name: str
    status: str
    expires_at: datetime
    sent_count: int
    last_sent_at: datetime
    responded_at: datetime | None
    registration_id: int | None
    created_at: datetime


class InvitationQuery(PageQuery):
    status: str | None = Field(None, pattern="^(pending|accepted|declined|expired|revoked)$")
    delegation_id: int | None = None
