"""How a request finds its user: the session cookie for pages, a bearer token for the API."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import g, request
from sqlalchemy.orm import joinedload

from alliance_conf.auth.models import ApiToken, User, hash_token
from alliance_conf.core.db import utcnow
from alliance_conf.extensions import db, login_manager
from alliance_conf.i18n import _, _l

TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to see this page.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    try:
        raw_id, raw_version = user_id.split(":", 1)
        user = db.session.get(User, int(raw_id))
    except (ValueError, TypeError):
        return None
    if user is None or str(user.session_version) != raw_version:
        return None
    return user


def load_api_user() -> None:
    """Before each API request: resolve the bearer token, if any, into ``g.api_user``."""
    from alliance_conf.api.framework import Unauthorised

    g.api_user = None
    if not request.path.startswith("/api/"):
        return
    header = request.headers.get("Authorization", "")
    if not header:
        return
    scheme, _sep, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorised(_("Use 'Authorization: Bearer <token>'."))
    token = db.session.scalar(
        sa.select(ApiToken)
        .where(ApiToken.token_hash == hash_token(secret.strip()))
        .options(joinedload(ApiToken.user))  # one round trip: every API request pays it
    )
    if token is None or not token.is_valid or not token.user.is_active:
        raise Unauthorised(_("The bearer token is unknown, expired or revoked."))
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        token.last_used_at = now
        db.session.commit()
    g.api_user = token.user
    if token.user.language:  # the account's saved language answers, as on the web pages
        g.alliance_language = token.user.language
