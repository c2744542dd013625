from __future__ import annotations

import sqlalchemy as sa

from alliance_conf.api.framework import ApiBlueprint, Unauthorised, api_user
from alliance_conf.auth import operations
from alliance_conf.auth.models import ApiToken
from alliance_conf.auth.schemas import IssuedToken, TokenOut, TokenRequest, UserOut
from alliance_conf.extensions import db
from alliance_conf.security import by_email, by_ip, limit

api = ApiBlueprint("auth_api", __name__)


@api.endpoint(
    "/auth/tokens",
    "POST",
    public=True,
    body=TokenRequest,
    response=IssuedToken,
    summary="Create a bearer token from an e-mail and password",
)
@limit("RATELIMIT_API_TOKEN", keys=(by_ip, by_email))
def create_token(body: TokenRequest):
    user = operations.authenticate(body.email, body.password)
    if user is None:
        raise Unauthorised("The e-mail or the password is wrong.")
    token, secret = operations.issue_api_token(user, body.name)
    db.session.commit()
    return IssuedToken(**TokenOut.model_validate(token).model_dump(), token=secret)


@api.endpoint("/auth/tokens", "GET", response=list[TokenOut], summary="Your API tokens")
def list_tokens():
    user = api_user()
    return db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    ).all()


@api.endpoint("/auth/tokens/<int:token_id>", "DELETE", status=204, summary="Revoke a token")
def revoke_token(token_id: int):
    operations.revoke_api_token(api_user(), token_id)
    db.session.commit()


@api.endpoint("/auth/me", "GET", response=UserOut, summary="The user behind the token")
def me():
    return api_user()
