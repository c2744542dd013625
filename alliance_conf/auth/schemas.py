from __future__ import annotations

from datetime import datetime

from pydantic import Field

from alliance_conf.api.framework import ApiModel


class TokenRequest(ApiModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1000)
    name: str = Field("api", max_length=100)


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
