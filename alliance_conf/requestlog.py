"""One JSON line per request, tied together by a request id that the client also sees.

The line holds the request id, method, path (never the query string, which may carry secrets),
status, duration and user id; never a body, a password, a cookie or a token.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid

import sqlalchemy as sa
from flask import Flask, g, request

REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
log = logging.getLogger("alliance_conf.requests")


def _start_request() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def current_request_id() -> str:
    if "request_id" not in g:
        _start_request()
    return g.request_id


def _user_id() -> int | None:
    """The user already resolved by this request; never loads one (the database may be down)."""
    user = g.get("api_user") or g.get("_login_user")
    if user is None:
        return None
    try:  # the identity key, not an attribute: after a rollback those would reload
        identity = sa.inspect(user).identity
    except sa.exc.NoInspectionAvailable:
        return None
    return identity[0] if identity else None


def _finish_request(response):
    request_id = current_request_id()
    response.headers[REQUEST_ID_HEADER] = request_id
    started = g.get("request_started", time.perf_counter())
    entry = {
        "event": "request",
        "request_id": request_id,
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        "user_id": _user_id(),
        "remote_addr": request.remote_addr,
    }
    log.info(json.dumps(entry, separators=(",", ":")))
    return response


def init_request_log(app: Flask) -> None:
    # First of all before-request functions, so even a refused bearer token is logged with an id.
    app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    app.after_request(_finish_request)
    if not app.testing and not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
