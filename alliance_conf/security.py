"""Cross-cutting protection for every route: security headers, rate limits, database faults.

``init_security(app)`` is called from ``create_app``. Views opt into brute-force protection with
:func:`limit`; everything else applies to every response automatically.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable, Iterable
from functools import wraps

from flask import Flask, current_app, render_template, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse_many
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import ServiceUnavailable, TooManyRequests
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from alliance_conf.i18n import _, force_locale, ngettext

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
HSTS = "max-age=31536000; includeSubDomains"
STATIC_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
}
LIMITER_KEY = "alliance_limiter"


def _is_api_request() -> bool:
    return request.path.startswith("/api/")


# --- headers -------------------------------------------------------------------------------------


def _set_security_headers(response):
    for name, value in STATIC_HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config.get("ALLIANCE_ENV") == "production":
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if _is_api_request() and response.mimetype == "application/json":
        # No caching of API answers, unless the endpoint says otherwise (public verification).
        response.headers.setdefault("Cache-Control", "no-store")
    return response


# --- rate limits ---------------------------------------------------------------------------------


def by_ip() -> str | None:
    """The client's address (behind a proxy, set ``TRUSTED_PROXIES`` so this is the real one)."""
    return get_remote_address()


def by_email() -> str | None:
    """The e-mail address being tried, from a sign-in form or a JSON body."""
    email = request.form.get("email")
    if email is None and request.is_json:
        body = request.get_json(silent=True)
        if isinstance(body, dict) and isinstance(body.get("email"), str):
            email = body["email"]
    email = (email or "").strip().lower()
    return f"email:{email}" if email else None


def limiter_for(app: Flask) -> Limiter | None:
    return app.extensions.get(LIMITER_KEY)


def check_limit(
    limit_value: str,
    *,
    scope: str,
    keys: Iterable[Callable[[], str | None]] = (by_ip,),
) -> None:
    """Count one attempt against ``limit_value`` for each key; raise 429 when one is spent.

    ``limit_value`` is a rate (``"10 per minute"``, several separated by ``;``) or the name of a
    config setting holding one. Use it directly inside a view when only some requests count.
    """
    app = current_app._get_current_object()
    limiter = limiter_for(app)
    if limiter is None or not app.config.get("RATELIMIT_ENABLED", True):
        return
    value = (
        app.config[limit_value] if re.fullmatch(r"[A-Z][A-Z0-9_]*", limit_value) else limit_value
    )
    prefix = app.config.get("RATELIMIT_KEY_PREFIX") or "alliance"
    for key_func in keys:
        key = key_func()
        if not key:
            continue
        for item in parse_many(value):
            identifiers = (prefix, scope, key)
            try:
                allowed = limiter.limiter.hit(item, *identifiers)
            except Exception as exc:
                if app.config.get("RATELIMIT_SWALLOW_ERRORS"):
                    log.exception("rate-limit storage failed; letting the request through")
                    return
                log.exception("rate-limit storage failed; refusing the request")
                raise ServiceUnavailable(
                    _("Sign-in is temporarily unavailable. Please try again in a minute.")
                ) from exc
            if not allowed:
                reset = limiter.limiter.get_window_stats(item, *identifiers).reset_time
                retry_after = max(1, math.ceil(reset - time.time()))
                log.warning("rate limit %s reached for %s on %s", item, key_func.__name__, scope)
                raise TooManyRequests(
                    ngettext(
                        "Too many attempts. Please wait %(num)d second and try again.",
                        "Too many attempts. Please wait %(num)d seconds and try again.",
                        retry_after,
                    ),
                    retry_after=retry_after,
                )


def limit(
    limit_value: str,
    *,
    keys: Iterable[Callable[[], str | None]] = (by_ip,),
    methods: Iterable[str] = ("POST",),
    scope: str | None = None,
):
    """Rate-limit a view (web or API: put it below the access decorator / ``api.endpoint``).

    Each key function gives one bucket (``by_ip``, ``by_email`` or your own); only ``methods``
    count. Limits are shared by every host when ``RATELIMIT_STORAGE_URI`` points at Redis.
    """
    keys = tuple(keys)
    methods = frozenset(m.upper() for m in methods)

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if request.method in methods:
                check_limit(
                    limit_value, scope=scope or request.endpoint or view.__name__, keys=keys
                )
            return view(*args, **kwargs)

        wrapper.rate_limit = limit_value
        return wrapper

    return decorator


def _too_many_requests(exc: TooManyRequests):
    from alliance_conf.api.framework import error_response

    message = exc.description or _("Too many attempts. Please wait a minute and try again.")
    if _is_api_request():
        response = error_response(429, "too_many_requests", message)
    else:
        response = current_app.make_response(
            (render_template("errors/error.html", status=429, message=message), 429)
        )
    for name, value in exc.get_headers():
        if name.lower() == "retry-after":
            response.headers[name] = value
    return response


# --- database faults -----------------------------------------------------------------------------


def is_database_unavailable(exc: BaseException) -> bool:
    """A lost or refused connection (the database is down or restarting), not a bad query."""
    return isinstance(exc, OperationalError) or (
        isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)
    )


def _language_without_database() -> str:
    """The request's language from the browser alone (the saved one needs the database)."""
    from flask import session

    from alliance_conf.i18n.languages import SESSION_KEY, configured_languages, default_language

    choices = configured_languages()
    chosen = session.get(SESSION_KEY) if not _is_api_request() else None
    if chosen in choices:
        return chosen
    return request.accept_languages.best_match(choices) or default_language()


def database_unavailable_response():
    """503 without touching the database again: no user lookup, no plugin slots."""
    from alliance_conf.api.framework import error_response
    from alliance_conf.extensions import db

    try:
        db.session.rollback()
    except Exception:  # the connection is gone; the pool discards it
        log.debug("rollback after a lost connection failed", exc_info=True)
    with force_locale(_language_without_database()):
        message = _("The service is temporarily unavailable. Please try again in a minute.")
        if _is_api_request():
            response = error_response(503, "service_unavailable", message)
        else:
            response = current_app.make_response(
                (render_template("errors/unavailable.html", message=message), 503)
            )
    response.headers["Retry-After"] = "30"
    return response


# --- wiring --------------------------------------------------------------------------------------


MAX_ID = 10**9 - 1


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` in every URL matches at most nine digits: a number no database id reaches
    (PostgreSQL's ``integer`` ends at 2**31 - 1) does not match the route, so it is a plain 404
    rather than an overflow deep in the database driver. (A bound checked after matching would
    make Werkzeug answer 405 instead.)"""

    regex = r"\d{1,9}"


def init_security(app: Flask) -> None:
    from alliance_conf import requestlog
    from alliance_conf.core.request_meta import init_request_origin

    app.url_map.converters["int"] = DatabaseIdConverter

    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "alliance")
    limiter = Limiter(key_func=get_remote_address, app=app)
    if limiter.initialized:
        app.extensions[LIMITER_KEY] = limiter
    app.register_error_handler(429, _too_many_requests)
    app.after_request(_set_security_headers)
    requestlog.init_request_log(app)
    init_request_origin(app)
