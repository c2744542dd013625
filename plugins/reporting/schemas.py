from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from alliance_conf.api.framework import ApiModel, IsoDate
from alliance_conf.core.inputs import Line, Text
from plugins.reporting.models import ActionStatus, CommitmentStatus


class RoundIn(ApiModel):
    title: Line = Field(min_length=1, max_length=200)
    period_start: IsoDate
    period_end: IsoDate
    deadline: IsoDate


class RoundOut(ApiModel):
    id: int
    declaration_id: int
    title: str
    period_start: date
    period_end: date
    deadline: date
    coverage: str
    reports: int
    submitted: int
    reviewed: int
    late: int
    created_at: datetime


class ActionIn(ApiModel):
    commitment_key: Line = Field(max_length=40)
    title: Line = Field(min_length=1, max_length=300)
    description: Text = Field("", max_length=10_000)
    lead_agency: Line = Field("", max_length=200)
    target_date: IsoDate | None = None
    status: ActionStatus = ActionStatus.planned


class ActionPatchIn(ApiModel):
    commitment_key: Line | None = Field(None, max_length=40)
    title: Line | None = Field(None, min_length=1, max_length=300)
    description: Text | None = Field(None, max_length=10_000)
    lead_agency: Line | None = Field(None, max_length=200)
    target_date: IsoDate | None = None
    status: ActionStatus | None = None


class ActionOut(ApiModel):
    id: int
    declaration_id: int
    delegation_id: int
    commitment_key: str
    title: str
    description: str
    lead_agency: str
    target_date: date | None
    status: str
    created_at: datetime
    updated_at: datetime


class ActionQuery(ApiModel):
    delegation_id: int | None = Field(None, description="Organisers and staff: whose actions")


class EntryIn(ApiModel):
    status: CommitmentStatus = CommitmentStatus.not_started
    narrative: Text = Field("", max_length=10_000)
    figures: dict[Line, int | float | Line | None] = Field(
        default_factory=dict, description="Indicator key to a whole number from 0 up"
    )
    evidence_links: list[Line] = Field(default_factory=list, description="http(s) URLs only")
    action_progress: dict[Line, Text] = Field(
        default_factory=dict, description="National action id to its progress in the period"
    )


class ReportIn(ApiModel):
    entries: dict[Line, EntryIn] = Field(description="Commitment key to what the report says")


class ReportCreateIn(ApiModel):
    delegation_id: int | None = Field(None, description="Organisers only; else your delegation")


class ReviewIn(ApiModel):
    comment: Text = Field("", max_length=10_000)


class ReturnIn(ApiModel):
    comment: Text = Field(min_length=1, max_length=10_000)


class ActionSnapshot(ApiModel):
    model_config = {"extra": "ignore"}
    id: int
    title: str
    lead_agency: str = ""
    status: str
    target_date: str | None = None
    progress: str = ""


class EntryOut(ApiModel):
    commitment_key: str
    commitment_number: int | None
    commitment_title: str
    status: str
    narrative: str
    figures: dict[str, int]
    evidence_links: list[str]
    action_progress: dict[str, str]
    actions: list[ActionSnapshot]


class ReportOut(ApiModel):
    id: int
    round_id: int
    delegation_id: int
    delegation_name: str
    state: str
    late: bool
    commitment_keys: list[str]
    submitted_at: datetime | None
    reviewed_at: datetime | None
    review_comment: str
    entries: list[EntryOut]


class MatrixCell(ApiModel):
    commitment_key: str
    status: str
    label: str


class MatrixRow(ApiModel):
    delegation_id: int
    delegation_name: str
    group: str
    report_id: int
    report_state: str
    late: bool
    cells: list[MatrixCell]


class MatrixCommitment(ApiModel):
    key: str
    number: int
    title: str


class MatrixOut(ApiModel):
    round_id: int
    group: str | None
    commitments: list[MatrixCommitment]
    rows: list[MatrixRow]


class MatrixQuery(ApiModel):
    group: Line | None = Field(None, max_length=40)


class RoundReminderOut(ApiModel):
    sent: int
    skipped_recent: int
    skipped_no_address: int
