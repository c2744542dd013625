"""Brute force: sign-in and API token creation are rate-limited, per address and per e-mail."""

import uuid

import pytest
import sqlalchemy as sa
from flask import Blueprint

from alliance_conf.auth.access import public
from alliance_conf.auth.models import ApiToken
from alliance_conf.extensions import db
from alliance_conf.security import by_ip, limit
from alliance_conf.testing.fixtures import TEST_PASSWORD
from alliance_conf.testing.services import ensure_redis

SMALL = {"RATELIMIT_ENABLED": True, "RATELIMIT_SIGN_IN": "3 per minute"}


def attempt(client, email, password="wrong password!", ip="198.51.100.7"):  # noqa: S107
    return client.post(
        "/auth/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": ip},
    )


def test_limits_are_off_in_the_default_test_app(client, make_user):
    user = make_user()
    for _ in range(15):
        assert attempt(client, user.email).status_code == 422


def test_sign_in_is_limited_per_address_with_a_friendly_page(make_app, make_user):
    limited = make_app(**SMALL, RATELIMIT_STORAGE_URI="memory://")
    client = limited.test_client()
    user = make_user()
    for n in range(3):
        assert attempt(client, f"someone{n}@example.org").status_code == 422
    refused = attempt(client, user.email, password=TEST_PASSWORD)  # even the right password
    assert refused.status_code == 429
    assert b"Too many attempts" in refused.data
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.headers["Content-Security-Policy"]
    with client.session_transaction() as session:
        assert "_user_id" not in session
    assert client.get("/auth/login").status_code == 200  # looking at the form does not count
    other_address = attempt(client, user.email, password=TEST_PASSWORD, ip="203.0.113.9")
    assert other_address.status_code == 302


def test_sign_in_is_limited_per_email_across_addresses(make_app, make_user):
    limited = make_app(**SMALL, RATELIMIT_STORAGE_URI="memory://")
    client = limited.test_client()
    user = make_user()
    for n in range(3):
        assert attempt(client, user.email.upper(), ip=f"192.0.2.{n + 1}").status_code == 422
    assert attempt(client, user.email, ip="192.0.2.99").status_code == 429


def test_api_token_creation_is_limited_with_the_json_error_shape(make_app, make_user):
    limited = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_API_TOKEN="2 per minute",
        RATELIMIT_STORAGE_URI="memory://",
    )
    client = limited.test_client()
    user = make_user()
    body = {"email": user.email, "password": "wrong password!"}
    for _ in range(2):
        assert client.post("/api/v1/auth/tokens", json=body).status_code == 401
    response = client.post(
        "/api/v1/auth/tokens", json={"email": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 429
    error = response.get_json()["error"]
    assert error["code"] == "too_many_requests"
    assert "Too many attempts" in error["message"]
    assert error["fields"] == {}
    assert int(response.headers["Retry-After"]) > 0
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


def test_openapi_documents_429_on_rate_limited_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "429" in paths["/api/v1/auth/tokens"]["post"]["responses"]
    assert "429" not in paths["/api/v1/auth/tokens"]["get"]["responses"]
    assert "503" in paths["/api/v1/conferences"]["get"]["responses"]


def test_limit_decorator_is_reusable_by_any_view(make_app):
    """What the signing re-authentication will do: its own rate on its own view."""
    bp = Blueprint("limited_demo", __name__)

    @public
    @limit("2 per minute", keys=(by_ip,), methods=("POST",))
    def confirm():
        return "confirmed"

    bp.add_url_rule("/limited-demo", "confirm", confirm, methods=["GET", "POST"])
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    limited.register_blueprint(bp)
    client = limited.test_client()
    assert [client.post("/limited-demo").status_code for _ in range(3)] == [200, 200, 429]
    assert client.get("/limited-demo").status_code == 200
    assert limited.view_functions["limited_demo.confirm"].access.public


def test_an_unreachable_limit_store_fails_closed_unless_told_otherwise(make_app, make_user):
    user = make_user()
    down = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"}
    refused = attempt(make_app(**down).test_client(), user.email, password=TEST_PASSWORD)
    assert refused.status_code == 503
    assert b"temporarily unavailable" in refused.data
    api = (
        make_app(**down)
        .test_client()
        .post("/api/v1/auth/tokens", json={"email": user.email, "password": TEST_PASSWORD})
    )
    assert api.status_code == 503 and api.get_json()["error"]["code"] == "service_unavailable"
    lenient = make_app(**down, RATELIMIT_SWALLOW_ERRORS=True).test_client()
    assert attempt(lenient, user.email, password=TEST_PASSWORD).status_code == 302


@pytest.fixture
def redis_url():
    return ensure_redis()


def test_limits_are_shared_between_hosts_through_redis(make_app, make_user, redis_url):
    import redis

    prefix = f"alliance-test-{uuid.uuid4().hex}"
    config = {**SMALL, "RATELIMIT_STORAGE_URI": redis_url, "RATELIMIT_KEY_PREFIX": prefix}
    host_one = make_app(**config).test_client()
    host_two = make_app(**config).test_client()
    user = make_user()
    try:
        assert attempt(host_one, user.email).status_code == 422
        assert attempt(host_two, user.email).status_code == 422
        assert attempt(host_one, user.email).status_code == 422
        assert attempt(host_two, user.email, password=TEST_PASSWORD).status_code == 429
        store = redis.Redis.from_url(redis_url)
        assert any(prefix in key.decode() for key in store.scan_iter(match=f"*{prefix}*"))
    finally:
        store = redis.Redis.from_url(redis_url)
        for key in store.scan_iter(match=f"*{prefix}*"):
            store.delete(key)
        store.close()
