from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from alliance_conf.api.framework import ApiModel
from alliance_conf.core.inputs import Line, Text
from plugins.signatures.operations import MAX_REASON, MAX_STATEMENT


class StatementIn(ApiModel):
    kind: Literal["statement", "reservation"] = "statement"
    text: Text = Field(max_length=MAX_STATEMENT)
    commitment_key: Line | None = Field(
        None, max_length=40, description="A commitment's key; omit for the whole text"
    )


class SignIn(ApiModel):
    password: str = Field(max_length=1000, description="Your password, again")
    code: str | None = Field(
        None, max_length=20, description="The e-mailed one-time code, when it is required"
    )
    typed_name: Line = Field(max_length=500, description="Your full name, typed to confirm")
    endorsed_keys: list[Line] | None = Field(
        None, max_length=1000, description="Commitments endorsed; omit to endorse all"
    )
    statements: list[StatementIn] = Field(default_factory=list, max_length=100)
    delegation_id: int | None = Field(
        None, description="Optional; must be your own delegation when given"
    )


class WithdrawIn(ApiModel):
    reason: Text = Field(max_length=MAX_REASON)
    password: str = Field(max_length=1000, description="Your password, again (as for signing)")
    code: str | None = Field(
        None, max_length=20, description="The e-mailed one-time code, when it is required"
    )


class StatementOut(BaseModel):
    kind: str
    text: str
    commitment_key: str | None


class SignatureOut(BaseModel):
    id: int
    declaration_id: int
    kind: str
    delegation_id: int
    delegation: str
    signatory_name: str
    signatory_title: str
    revision_number: int
    text_hash: str
    endorsed_keys: list[str]
    endorses_all: bool
    statements: list[StatementOut]
    signed_at: datetime
    auth_method: str
    verification_code: str
    verification_url: str
    active: bool
    withdrawn_at: datetime | None
    withdrawal_reason: str | None


class SignatureCreatedOut(SignatureOut):
    receipt: dict[str, Any]


class VerificationOut(BaseModel):
    verification_code: str
    kind: str
    delegation: str
    signatory_name: str
    signatory_title: str
    signed_at: datetime
    declaration_title: str
    text_hash: str
    language_hashes: dict[str, str] = Field(
        description="SHA-256 of each language version signed (language code -> hash); "
        "``text_hash`` is the hash of their manifest. Empty for a text in one language frozen "
        "before language versions."
    )
    valid: bool
    active: bool
    withdrawn_at: datetime | None


class PublicKeyOut(BaseModel):
    algorithm: str
    key_id: str
    pem: str


class ReceiptCheckIn(BaseModel):
    receipt: dict[str, Any]
    signature: str = Field(max_length=200)
    algorithm: str | None = None
    canonicalisation: str | None = None


class ReceiptCheckOut(BaseModel):
    valid: bool
    active: bool
    message: str
    verification_code: str | None


class ReminderOut(BaseModel):
    reminded: list[str]
    recently_reminded: list[str]
    no_signatory: list[str]
    mails: int


class MessageOut(BaseModel):
    message: str


class CheckpointBody(BaseModel):
    type: str
    version: int
    key_id: str
    declaration_id: int
    sequence: int
    head_hash: str
    time: str


class CheckpointOut(BaseModel):
    checkpoint: CheckpointBody
    signature: str = Field(
        description="Base64 Ed25519 signature of the checkpoint's canonical JSON"
    )
    algorithm: str
    canonicalisation: str


class PasskeyOptionsIn(ApiModel):
    endorsed_keys: list[Line] | None = Field(
        None, max_length=1000, description="Commitments endorsed; omit to endorse all"
    )
    statements: list[StatementIn] = Field(default_factory=list, max_length=100)
    delegation_id: int | None = Field(
        None, description="Optional; must be your own delegation when given"
    )


class PasskeyOptionsOut(BaseModel):
    options: dict[str, Any] = Field(description="For navigator.credentials.get (JSON form)")
    payload: dict[str, Any] = Field(
        description="What your passkey signs: the challenge is SHA-256 of its canonical JSON"
    )


class PasskeySignIn(PasskeyOptionsIn):
    typed_name: Line = Field(max_length=500, description="Your full name, typed to confirm")
    credential: dict[str, Any] = Field(
        description="The JSON of the PublicKeyCredential from navigator.credentials.get"
    )


class PolicyIn(ApiModel):
    mode: Literal["password", "passkey_preferred", "passkey_required"]
    email_code: bool = Field(False, description="With a password, also an e-mailed code")


class PolicyOut(BaseModel):
    mode: str
    email_code: bool
    explanation: str


class PlenaryDelegationOut(BaseModel):
    id: int
    name: str = Field(description="In the reader's language")
    kind: Literal["signature", "support"]
    status: Literal["signed", "supported", "withdrawn", "pending"]
    status_label: str = Field(description="The status in words, in the reader's language")
    signed_at: datetime | None
    time: str | None = Field(description="Time of the signature in the conference's zone")


class PlenaryRecentOut(BaseModel):
    signature_id: int
    delegation_id: int
    delegation: str
    kind: Literal["signature", "support"]
    signatory_name: str
    signatory_title: str
    signed_at: datetime
    when: str = Field(description="Date and time in the conference's zone, zone named")
    announcement: str = Field(description="One sentence for the screen and screen readers")


class PlenaryOut(BaseModel):
    declaration_id: int
    title: str
    state: Literal["draft", "consultation", "open", "closed"]
    state_label: str
    open: bool
    signed: int = Field(description="Delegations that have signed (as on the status board)")
    eligible: int = Field(description="Delegations that sign; observers are not counted")
    supported: int
    supporters: int
    headline: str = Field(description="“N of M delegations have signed”, translated")
    supporters_line: str | None
    time_zone: str
    delegations: list[PlenaryDelegationOut]
    recent: list[PlenaryRecentOut] = Field(description="The latest signatures, newest first")
    version: str = Field(description="Changes whenever anything shown changes; also the ETag")
    poll_seconds: int = Field(description="How often a screen should ask again")
