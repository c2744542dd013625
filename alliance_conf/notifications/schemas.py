from __future__ import annotations

from datetime import datetime

from pydantic import Field

from alliance_conf.api.framework import ApiModel, PageQuery
from alliance_conf.notifications.models import NotificationKind


class NotificationQuery(PageQuery):
    unread: bool = Field(False, description="Only the notifications not read yet")


class NotificationOut(ApiModel):
    id: int
    kind: NotificationKind
    title: str = Field(description="In the language of the request (Accept-Language)")
    detail: str = Field(description="The reason, comment or code that goes with it, or empty")
    url: str = Field(description="The page concerned (absolute)")
    conference_id: int | None
    created_at: datetime
    read_at: datetime | None
