from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from alliance_conf.api.framework import ApiModel
from alliance_conf.registrations.models import DelegateFunction


class RegistrationCreate(ApiModel):
    """With ``token`` (from an invitation e-mail) anyone may register; with ``delegation_id``
    an organiser registers someone on the delegation's behalf."""

    token: str | None = Field(None, max_length=1000)
    delegation_id: int | None = None
    email: str | None = Field(None, max_length=320)
    full_name: str | None = Field(None, max_length=200)
    password: str | None = Field(None, max_length=1000, description="For a new account")
    function: DelegateFunction = DelegateFunction.other
    position: str = Field("", max_length=200)
    organisation: str = Field("", max_length=200)
    accessibility_needs: str = Field("", max_length=2000)
    dietary_needs: str = Field("", max_length=2000)
    consent_participant_list: bool = False
    privacy_accepted: bool = False


class RegistrationStatusChange(ApiModel):
    status: Literal["approved", "rejected", "cancelled", "withdrawn"] = Field(
        description="Organisers approve, reject (with a reason) or cancel; the delegate withdraws"
    )
    reason: str = Field("", max_length=2000)


class RegistrationDetail(ApiModel):
    """``accessibility_needs``, ``dietary_needs`` and ``rejection_reason`` are null unless the
    caller is an organiser or the person themself."""

    id: int
    conference_id: int
    delegation_id: int
    delegation_name: str
    user_id: int
    full_name: str
    email: str
    status: str
    function: str
    position: str
    organisation: str
    consent_participant_list: bool
    privacy_accepted_at: datetime | None
    rejection_reason: str | None = None
    accessibility_needs: str | None = None
    dietary_needs: str | None = None
    decided_at: datetime | None
    is_signatory: bool
    signatory_designated_at: datetime | None
    signatory_designated_by_id: int | None
    created_at: datetime
