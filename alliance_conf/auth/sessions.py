"""How long a sign-in lasts, and what happens to a form when it ran out.

* A session ends after ``SESSION_IDLE_MINUTES`` without a request and ``SESSION_MAX_HOURS``
  after signing in. "Keep me signed in" replaces both with ``REMEMBER_COOKIE_DURATION`` (at
  most 30 days) from signing in. Signing out, a password change or reset end them all.
* Every page shown to a signed-in person carries ``Cache-Control: no-store``.
* A form posted after the session ended (the CSRF token is gone with it, or the timeout is met
  on this very request) is kept, without its passwords and files, in the new anonymous session;
  the person signs in again and comes back to the form with what they typed.
"""

from __future__ import annotations

import time
from datetime import timedelta

from flask import (
    Flask,
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import MultiDict

from alliance_conf.i18n import _

SIGNED_IN_AT = "_signed_in_at"
SEEN_AT = "_seen_at"
REMEMBERED = "_remembered"
RESUME_KEY = "_resume_form"
TOUCH_SECONDS = 60  # refresh the "last seen" stamp at most once a minute
MAX_RESUME_BYTES = 20_000  # a session cookie holds about 4 KB after compression; be modest
SECRET_FIELDS = ("password", "code", "csrf_token", "token")


def start_session(*, remember: bool) -> None:
    now = int(time.time())
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now
    session[REMEMBERED] = bool(remember)


def _limits() -> tuple[timedelta | None, timedelta]:
    config = current_app.config
    if session.get(REMEMBERED):
        return None, min(config["REMEMBER_COOKIE_DURATION"], timedelta(days=30))
    return (
        timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
        timedelta(hours=config["SESSION_MAX_HOURS"]),
    )


def _expired(now: int) -> bool:
    signed_in = session.get(SIGNED_IN_AT)
    if signed_in is None:  # restored from the remember-me cookie: a new remembered session
        start_session(remember=True)
        return False
    idle, absolute = _limits()
    if now - signed_in > absolute.total_seconds():
        return True
    return idle is not None and now - session.get(SEEN_AT, signed_in) > idle.total_seconds()


def _keep_form() -> None:
    """Put what was typed (no secrets, no files) aside for after the next sign-in."""
    fields = [
        (name, value)
        for name, value in request.form.items(multi=True)
        if not any(secret in name for secret in SECRET_FIELDS)
    ]
    if sum(len(n) + len(v) for n, v in fields) <= MAX_RESUME_BYTES:
        session[RESUME_KEY] = {"path": request.path, "fields": fields}


def _ended_mid_form():
    _keep_form()
    flash(
        _(
            "Your session ended, so the form was not sent. Sign in again: the form comes back "
            "with what you typed (passwords excepted)."
        ),
        "info",
    )
    return redirect(url_for("auth.login", next=request.path))


def _check_session():
    if request.path.startswith(("/api/", "/static/")) or not current_user.is_authenticated:
        return None
    now = int(time.time())
    if _expired(now):
        posting = request.method == "POST"
        logout_user()
        session.clear()
        if posting:
            return _ended_mid_form()
        flash(_("Your session ended. Please sign in again."), "info")
        return None  # the page's own access rule sends the person to sign in if needed
    if now - session.get(SEEN_AT, 0) >= TOUCH_SECONDS:
        session[SEEN_AT] = now
    return None


def _resume_form():
    """On the page the form came from, give the kept fields back to the next form built."""
    kept = session.get(RESUME_KEY)
    same_page = kept and request.method == "GET" and kept.get("path") == request.path
    if same_page and current_user.is_authenticated:
        session.pop(RESUME_KEY)
        g.resumed_form = MultiDict(kept["fields"])


def _no_store(response):
    # From the session alone: never a database query here (the response may be a 503 sent
    # because the database is gone).
    if has_request_context() and session.get("_user_id"):
        response.headers["Cache-Control"] = "no-store"
    return response


def _same_site_post_of_an_ended_session() -> bool:
    """The browser still sent our session cookie (a cross-site POST carries none: SameSite=Lax),
    the page needs a signed-in person, and the request does not say it came from elsewhere."""
    if request.method != "POST" or request.path.startswith("/api/"):
        return False
    if current_user.is_authenticated or "csrf_token" in session:
        return False
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return False
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return False
    view = current_app.view_functions.get(request.endpoint)
    access = getattr(view, "access", None)
    return access is not None and not access.public


def _csrf_error(exc: CSRFError):
    """The CSRF token was missing because the session had ended: sign in again, keep the form."""
    if _same_site_post_of_an_ended_session():
        return _ended_mid_form()
    return render_template(
        "errors/error.html",
        status=400,
        title=_("Bad request"),
        message=_(
            "The form expired or was sent from elsewhere (the CSRF check failed). Please try again."
        ),
    ), 400


class _ResumingMeta(FlaskForm.Meta):
    def wrap_formdata(self, form, formdata):
        resumed = g.get("resumed_form") if has_request_context() else None
        if resumed is not None and request.method == "GET":
            return resumed
        return super().wrap_formdata(form, formdata)


def init_sessions(app: Flask) -> None:
    app.before_request(_check_session)
    app.before_request(_resume_form)
    app.after_request(_no_store)
    app.register_error_handler(CSRFError, _csrf_error)
    # Forms built on the page a kept form came from read the kept fields (FlaskForm's own
    # formdata hook, see ``_ResumingMeta``); every other request is unchanged.
    FlaskForm.Meta = _ResumingMeta
