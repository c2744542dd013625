from __future__ import annotations

import sqlalchemy as sa
from flask import request

from alliance_conf.api.framework import ApiBlueprint, Unauthorised, api_user
from alliance_conf.auth import operations, passkeys
from alliance_conf.auth.models import ApiToken
from alliance_conf.auth.schemas import (
    IssuedToken,
    PasskeyIn,
    PasskeyOut,
    PasswordIn,
    TokenOut,
    TokenRequest,
    TranslatorIn,
    UserOut,
)
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


# --- passkeys -----------------------------------------------------------------------------------


def _rp() -> passkeys.RelyingParty:
    return passkeys.relying_party(request.host_url)


@api.endpoint(
    "/auth/passkeys/registration-options",
    "POST",
    body=PasswordIn,
    status=200,
    summary="Start registering a passkey: your password, then options for "
    "navigator.credentials.create",
)
@limit("RATELIMIT_SIGN_IN", keys=(by_ip,))
def passkey_registration_options(body: PasswordIn):
    options = passkeys.registration_options(api_user(), body.password, _rp())
    db.session.commit()
    return options


@api.endpoint(
    "/auth/passkeys",
    "POST",
    body=PasskeyIn,
    response=PasskeyOut,
    status=201,
    summary="Finish registering a passkey with the browser's answer (user verification required)",
)
def register_passkey(body: PasskeyIn):
    passkey = passkeys.register(api_user(), body.credential, body.name, _rp())
    db.session.commit()
    return passkey


@api.endpoint("/auth/passkeys", "GET", response=list[PasskeyOut], summary="Your passkeys")
def list_passkeys():
    return passkeys.passkeys_of(api_user())


@api.endpoint(
    "/auth/passkeys/<int:passkey_id>",
    "DELETE",
    body=PasswordIn,
    status=204,
    authorise=lambda passkey_id: passkeys.get_passkey(api_user(), passkey_id),
    summary="Remove one of your passkeys (your password again)",
)
@limit("RATELIMIT_SIGN_IN", keys=(by_ip,))
def remove_passkey(passkey_id: int, body: PasswordIn):
    passkeys.remove(api_user(), passkey_id, body.password)
    db.session.commit()


@api.endpoint(
    "/users/<int:user_id>/translator",
    "PUT",
    roles=["organiser"],
    body=TranslatorIn,
    response=UserOut,
    status=200,
    summary="Grant or revoke a staff member the translator permission",
)
def put_translator(user_id: int, body: TranslatorIn):
    """Translators update the language versions of declarations (the items marked
    "translation needed"). Organisers and admins grant it, to staff."""
    from alliance_conf.auth.models import User
    from alliance_conf.core.errors import NotFound
    from alliance_conf.i18n import _

    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("There is no user %(id)s.", id=user_id))
    operations.set_translator(user, body.translator, actor=api_user())
    db.session.commit()
    return user
