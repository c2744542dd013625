"""Request logging with a request id, and the health check."""

import json
import logging

import pytest

from alliance_conf.testing.fixtures import TEST_PASSWORD

REQUEST_LOGGER = "alliance_conf.requests"


def request_lines(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == REQUEST_LOGGER]


@pytest.fixture
def request_log(caplog):
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    return caplog


def test_one_json_line_per_request_without_secrets(client, make_user, request_log):
    user = make_user()
    client.post("/auth/login", data={"email": user.email, "password": TEST_PASSWORD})
    token = client.post(
        "/api/v1/auth/tokens", json={"email": user.email, "password": TEST_PASSWORD}
    ).get_json()["token"]
    client.get("/api/v1/auth/me?secret=hidden", headers={"Authorization": f"Bearer {token}"})
    lines = request_lines(request_log)
    assert [(e["method"], e["path"], e["status"]) for e in lines] == [
        ("POST", "/auth/login", 302),
        ("POST", "/api/v1/auth/tokens", 201),
        ("GET", "/api/v1/auth/me", 200),
    ]
    for entry in lines:
        assert set(entry) >= {"request_id", "method", "path", "status", "duration_ms", "user_id"}
        assert entry["duration_ms"] >= 0
    assert lines[2]["user_id"] == user.id
    everything = "\n".join(r.getMessage() for r in request_log.records)
    for secret in (TEST_PASSWORD, token, "hidden"):
        assert secret not in everything


def test_signed_in_page_requests_log_the_user(client, make_user, login, request_log):
    user = make_user(role="organiser")
    login(user)
    client.get("/conferences/new")
    assert request_lines(request_log)[-1]["user_id"] == user.id


def test_request_id_is_generated_and_returned(client, request_log):
    first = client.get("/")
    second = client.get("/")
    ids = [first.headers["X-Request-ID"], second.headers["X-Request-ID"]]
    assert all(len(i) == 32 for i in ids) and ids[0] != ids[1]
    assert [e["request_id"] for e in request_lines(request_log)] == ids


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("lb-2f1e9c0a-77d4-4a8e", True),
        ("abc", False),  # too short
        ("x" * 200, False),  # too long
        ("id with spaces and ; semicolons", False),
        ("<script>alert(1)</script>", False),
    ],
)
def test_incoming_request_id_is_kept_only_when_sane(client, incoming, kept):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    returned = response.headers["X-Request-ID"]
    assert (returned == incoming) is kept
    if not kept:
        assert len(returned) == 32


def test_refused_api_calls_are_logged_with_an_id(client, request_log):
    response = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    (entry,) = request_lines(request_log)
    assert entry["status"] == 401 and entry["user_id"] is None
    assert entry["request_id"] == response.headers["X-Request-ID"]


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_answers_503_when_the_database_is_unreachable(make_app):
    broken = make_app(
        SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2"
    )
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "checks": {"database": "unreachable"}}
    page = broken.test_client().get("/")
    assert page.status_code == 503
    assert b"Temporarily unavailable" in page.data
    api = broken.test_client().get("/api/v1/conferences")
    assert api.status_code == 503
    assert api.get_json()["error"]["code"] == "service_unavailable"
