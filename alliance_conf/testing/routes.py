"""Walk an app's URL map so security tests cover every route, including future and plugin ones."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from werkzeug.routing import Rule

from alliance_conf.auth.access import Access

SKIPPED_METHODS = {"HEAD", "OPTIONS"}
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
SIGN_IN_PATH = "/auth/login"


class RouteCoverageError(AssertionError):
    """A route the security tests cannot handle yet; the message says what to add."""


@dataclass(frozen=True)
class RouteCall:
    rule: Rule
    method: str
    path: str
    access: Access

    @property
    def endpoint(self) -> str:
        return self.rule.endpoint

    @property
    def is_api(self) -> bool:
        return self.rule.rule.startswith("/api/")

    def __str__(self) -> str:
        return f"{self.method} {self.rule.rule} ({self.endpoint})"


def is_static(endpoint: str) -> bool:
    """Flask's own static-file endpoints (the app's and each blueprint's): public by design."""
    return endpoint == "static" or endpoint.endswith(".static")


def iter_route_calls(
    app: Flask,
    params: Mapping[str, Callable[[], object]],
    *,
    methods: set[str] | None = None,
) -> Iterator[RouteCall]:
    """Every (rule, method) of the app with its URL filled from ``params`` (by parameter name).

    Fails with a message saying what to add when a view declares no access rule or a rule has
    a parameter name ``params`` does not know.
    """
    problems = []
    calls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if is_static(rule.endpoint):
            continue
        view = app.view_functions[rule.endpoint]
        access = getattr(view, "access", None)
        if not isinstance(access, Access):
            problems.append(
                f"{rule.rule} ({rule.endpoint}) declares no access rule: decorate the view with "
                "@public, @login_required or @roles_required(...) from alliance_conf.auth.access "
                "(API: roles=... or public=True on api.endpoint)."
            )
            continue
        unknown = sorted(set(rule.arguments) - set(params))
        if unknown:
            problems.append(
                f"{rule.rule} ({rule.endpoint}) has URL parameter(s) {', '.join(unknown)} that "
                "the security tests cannot fill: add them to PARAMS (and the object to the "
                "world builder) in tests/test_authorisation_matrix.py."
            )
            continue
        values = {name: params[name]() for name in rule.arguments}
        path = rule.build(values, append_unknown=False)[1]
        for method in sorted((rule.methods or set()) - SKIPPED_METHODS):
            if methods is None or method in methods:
                calls.append(RouteCall(rule, method, path, access))
    if problems:
        raise RouteCoverageError("\n".join(problems))
    yield from calls


def sign_in_session(client, user) -> None:
    """Sign ``user`` in through the session cookie alone (no form post, no CSRF token needed)."""
    from alliance_conf.extensions import db

    db.session.expire(user)  # pick up a session version bumped by an earlier sign-out
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def is_sign_in_redirect(response) -> bool:
    """The redirect Flask-Login sends to sign in first (it carries ``next``); a page that sends a
    signed-out user to the sign-in page on purpose (sign-out) is not a refusal."""
    if response.status_code not in (301, 302, 303, 307, 308):
        return False
    location = urlsplit(response.headers.get("Location", ""))
    return location.path == SIGN_IN_PATH and "next" in parse_qs(location.query)
