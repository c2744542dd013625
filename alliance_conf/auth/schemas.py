from __future__ import annotations

from datetime import datetime

from pydantic import Field

from alliance_conf.api.framework import ApiModel
from alliance_conf.auth.passkeys import MAX_NAME
from alliance_conf.core.inputs import Line


class TokenRequest(ApiModel):
    email: Line = Field(max_length=320)
    password: str = Field(max_length=1000)
    name: Line = Field("api", max_length=100)


class TokenOut(ApiModel):
    id: int
    name: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class IssuedToken(TokenOut):
    token: str = Field(description="The bearer secret. Shown once; store it safely.")


class UserOut(ApiModel):
    id: int
    email: str
    full_name: str
    role: str
    is_translator: bool = Field(
        False, description="May update the language versions of declarations (staff)"
    )


class TranslatorIn(ApiModel):
    translator: bool = Field(description="Grant (true) or revoke (false) the permission")


class PasswordIn(ApiModel):
    password: str = Field(max_length=1000, description="Your password, again")


class PasskeyIn(ApiModel):
    name: Line = Field(
        max_length=MAX_NAME, description="A name to recognise it, e.g. “work laptop”"
    )
    credential: dict = Field(
        description="The JSON of the PublicKeyCredential from navigator.credentials.create"
    )


class AssertionIn(ApiModel):
    credential: dict = Field(
        description="The JSON of the PublicKeyCredential from navigator.credentials.get"
    )


class PasskeyOut(ApiModel):
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    backed_up: bool
