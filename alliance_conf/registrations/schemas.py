from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from alliance_conf.api.framework import ApiModel, IsoDate
from alliance_conf.auth.operations import MAX_FULL_NAME
from alliance_conf.core.inputs import Line, Text
from alliance_conf.registrations.models import DelegateFunction


class RegistrationCreate(ApiModel):
    """With ``token`` (from an invitation e-mail) anyone may register; with ``delegation_id``
    an organiser registers someone on the delegation's behalf."""

    token: str | None = Field(None, max_length=1000)
    delegation_id: int | None = None
    email: Line | None = Field(None, max_length=320)
    full_name: Line | None = Field(None, max_length=MAX_FULL_NAME)
    password: str | None = Field(None, max_length=1000, description="For a new account")
    email_code: str | None = Field(
        None,
        max_length=12,
        description="A new account for an address other than the invited one: the code e-mailed "
        "to that address (send without it first: 422 email_proof_required sends the code)",
    )
    function: DelegateFunction = DelegateFunction.other
    position: Line = Field("", max_length=200)
    organisation: Line = Field("", max_length=200)
    accessibility_needs: Text = Field("", max_length=2000)
    dietary_needs: Text = Field("", max_length=2000)
    consent_participant_list: bool = False
    privacy_accepted: bool = False


class RegistrationStatusChange(ApiModel):
    status: Literal["approved", "rejected", "cancelled", "withdrawn"] = Field(
        description="Organisers approve, reject (with a reason) or cancel; the delegate withdraws"
    )
    reason: Text = Field("", max_length=2000)
    function: DelegateFunction | None = Field(
        None,
        description="With approval (organisers): confirm or change the function; a requested "
        "function that carries powers is established only this way",
    )


class InstrumentIn(ApiModel):
    """An instrument of full powers, or of their revocation, as organisers read it."""

    instrument_reference: Line = Field(max_length=200)
    issuing_authority: Literal["head_of_state", "head_of_government", "foreign_minister", "other"]
    issuing_authority_text: Line = Field("", max_length=200, description="Required for 'other'")
    instrument_date: IsoDate


class FullPowersGrant(InstrumentIn):
    document_base64: str | None = Field(
        None, description="The scanned letter (PDF), base64; size-limited"
    )
    document_filename: Line | None = Field(None, max_length=200)


class FullPowersRevocation(InstrumentIn):
    reason: Text = Field("", max_length=2000)


class FullPowersOut(ApiModel):
    id: int
    registration_id: int
    delegation_id: int
    delegation_name: str
    signatory_name: str
    instrument_reference: str
    issuing_authority: str
    issuing_authority_text: str
    instrument_date: date
    has_document: bool
    granted_at: datetime
    granted_by_id: int | None
    revoked_at: datetime | None
    revoked_by_id: int | None
    revocation_reference: str | None
    revocation_authority: str | None
    revocation_authority_text: str | None
    revocation_date: date | None
    revocation_reason: str | None


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
    requested_function: str | None = None
    position: str
    organisation: str
    consent_participant_list: bool
    privacy_accepted_at: datetime | None
    rejection_reason: str | None = None
    accessibility_needs: str | None = None
    dietary_needs: str | None = None
    decided_at: datetime | None
    is_signatory: bool
    signatory_nominated_at: datetime | None = None
    signatory_designated_at: datetime | None
    signatory_designated_by_id: int | None
    created_at: datetime
