"""Headers, CSRF on every form (from the URL map), cookies and sessions, API cookie refusal."""

import re

import pytest
import sqlalchemy as sa

from alliance_conf.conferences.models import Conference
from alliance_conf.extensions import db
from alliance_conf.security import CONTENT_SECURITY_POLICY
from alliance_conf.testing.fixtures import TEST_PASSWORD
from alliance_conf.testing.routes import STATE_CHANGING, iter_route_calls, sign_in_session
from tests.test_authorisation_matrix import PARAMS, build_world


def _signing_key_pem() -> str:
    """A fresh Ed25519 key: production refuses to start without one (signatures plugin)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


PRODUCTION = {
    "ALLIANCE_ENV": "production",
    "SECRET_KEY": "p" * 48,
    "SIGNATURES_SIGNING_KEY": _signing_key_pem(),
}
EXPECTED_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def row_counts() -> dict[str, int]:
    with db.engine.connect() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in db.metadata.sorted_tables
        }


# --- headers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/auth/login", "/no/such/page", "/healthz"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    for name, value in EXPECTED_HEADERS.items():
        assert response.headers[name] == value, name
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # development: no HSTS


def test_content_security_policy_allows_no_inline_script_and_no_framing(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_api_json_is_never_cached_and_pages_may_be(client):
    api = client.get("/api/v1/conferences")
    assert api.headers["Cache-Control"] == "no-store"
    assert api.headers["X-Content-Type-Options"] == "nosniff"
    error = client.get("/api/v1/auth/me")
    assert error.status_code == 401 and error.headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")


def test_hsts_only_in_production(make_app):
    production = make_app(**PRODUCTION)
    response = production.test_client().get("/auth/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


INLINE_PATTERNS = {
    "inline <script>": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "<style> element": re.compile(r"<style\b", re.IGNORECASE),
    "style= attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "on*= event handler": re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def test_no_template_needs_what_the_policy_forbids(app):
    """Inline scripts, styles and handlers would be blocked by the CSP: none may exist."""
    names = app.jinja_env.list_templates(extensions=["html"])
    assert "base.html" in names
    problems = []
    for name in names:
        source, _, _ = app.jinja_env.loader.get_source(app.jinja_env, name)
        for what, pattern in INLINE_PATTERNS.items():
            if pattern.search(source):
                problems.append(f"{name}: {what}")
    assert not problems, "\n".join(problems)


# --- CSRF ----------------------------------------------------------------------------------------


@pytest.fixture
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def csrf_token_from(page) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    assert match, "no csrf_token field on the page"
    return match.group(1)


def test_every_state_changing_form_refuses_a_request_without_token(
    csrf_app, make_conference, make_delegation, make_user, make_registration
):
    world = build_world(make_conference, make_delegation, make_user, make_registration)
    organiser = world.users["organiser"]
    params = {name: (lambda f=f: f(world)) for name, f in PARAMS.items()}
    calls = [c for c in iter_route_calls(csrf_app, params, methods=STATE_CHANGING) if not c.is_api]
    assert any(c.endpoint == "auth.login" for c in calls)
    before = row_counts()
    version = organiser.session_version
    for call in calls:
        client = csrf_app.test_client()
        sign_in_session(client, organiser)
        with csrf_app.app_context():
            response = client.open(call.path, method=call.method, data={"email": organiser.email})
        assert response.status_code == 400, f"{call}: {response.status_code}"
        assert b"CSRF" in response.data
    assert row_counts() == before
    db.session.refresh(organiser)
    assert organiser.session_version == version  # the sign-out without a token did nothing


def test_a_form_with_its_token_passes_the_csrf_check(csrf_app, make_user):
    user = make_user(role="organiser")
    client = csrf_app.test_client()
    with csrf_app.app_context():
        token = csrf_token_from(client.get("/auth/login"))
        response = client.post(
            "/auth/login",
            data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token},
        )
    assert response.status_code == 302


def test_api_refuses_cookie_authentication(csrf_app, make_user):
    """The API ignores the session cookie: a forged cross-site POST carries no bearer token."""
    user = make_user(role="organiser")
    client = csrf_app.test_client()
    sign_in_session(client, user)
    with csrf_app.app_context():
        assert client.get("/conferences/new").status_code == 200  # the cookie works for pages
        body = {
            "slug": "forged",
            "title": "Forged",
            "city": "Nowhere",
            "start_date": "2031-01-01",
            "end_date": "2031-01-02",
            "timezone": "UTC",
        }
        response = client.post("/api/v1/conferences", json=body)
        me = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorised"
    assert me.status_code == 401
    assert db.session.scalar(sa.select(sa.func.count(Conference.id))) == 0


# --- cookies and sessions ------------------------------------------------------------------------


def cookie_attributes(response, name: str) -> set[str]:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(name + "="):
            return {part.strip().lower() for part in header.split(";")[1:]}
    raise AssertionError(f"no {name} cookie set")


def test_production_cookies_are_secure_httponly_and_samesite_lax(make_app, make_user):
    production = make_app(**PRODUCTION)
    user = make_user()
    client = production.test_client()
    response = client.post(
        "/auth/login",
        data={"email": user.email, "password": TEST_PASSWORD, "remember": "y"},
        base_url="https://localhost",
    )
    assert response.status_code == 302
    for name in ("session", "remember_token"):
        attributes = cookie_attributes(response, name)
        assert {"secure", "httponly", "samesite=lax"} <= attributes, (name, attributes)


def test_development_session_cookie_is_httponly_and_lax(client, make_user):
    user = make_user()
    response = client.post("/auth/login", data={"email": user.email, "password": TEST_PASSWORD})
    attributes = cookie_attributes(response, "session")
    assert {"httponly", "samesite=lax"} <= attributes
    assert "secure" not in attributes


def test_sign_out_also_invalidates_the_remember_me_cookie(app, make_user):
    user = make_user(role="organiser")
    client = app.test_client()
    with app.app_context():
        client.post(
            "/auth/login", data={"email": user.email, "password": TEST_PASSWORD, "remember": "y"}
        )
    remember = client.get_cookie("remember_token").value
    with app.app_context():
        client.post("/auth/logout")
    thief = app.test_client()
    thief.set_cookie("remember_token", remember)
    with app.app_context():
        response = thief.get("/conferences/new")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
