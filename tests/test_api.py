from datetime import timedelta

import pytest

from alliance_conf.auth.models import ApiToken
from alliance_conf.core.db import utcnow
from alliance_conf.extensions import db
from alliance_conf.testing.fixtures import TEST_PASSWORD

CONFERENCE = {
    "slug": "cop-test",
    "title": "Test ministerial",
    "city": "Dubai",
    "start_date": "2030-11-30",
    "end_date": "2030-12-12",
    "timezone": "Asia/Dubai",
    "co_chairs": [{"name": "A. Chair", "title": "President"}],
}


def assert_error(response, status, code):
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["fields"], dict)
    return body["error"]


def test_token_creation_and_use(client, make_user):
    user = make_user(role="organiser")
    response = client.post(
        "/api/v1/auth/tokens", json={"email": user.email, "password": TEST_PASSWORD, "name": "ci"}
    )
    assert response.status_code == 201
    token = response.get_json()["token"]
    stored = db.session.query(ApiToken).one()
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.get_json()["email"] == user.email


def test_token_creation_with_wrong_password(client, make_user):
    user = make_user()
    response = client.post("/api/v1/auth/tokens", json={"email": user.email, "password": "bad"})
    assert_error(response, 401, "unauthorised")
    assert db.session.query(ApiToken).count() == 0


def test_revoked_and_expired_tokens_are_refused(client, make_user, api_headers):
    user = make_user()
    headers = api_headers(user)
    token = db.session.query(ApiToken).one()
    assert client.delete(f"/api/v1/auth/tokens/{token.id}", headers=headers).status_code == 204
    assert_error(client.get("/api/v1/auth/me", headers=headers), 401, "unauthorised")
    headers = api_headers(user)
    token = db.session.query(ApiToken).order_by(ApiToken.id.desc()).first()
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert_error(client.get("/api/v1/auth/me", headers=headers), 401, "unauthorised")


def test_cannot_revoke_someone_elses_token(client, make_user, api_headers):
    alice_headers = api_headers(make_user())
    api_headers(make_user())
    bob_token = db.session.query(ApiToken).order_by(ApiToken.id.desc()).first()
    response = client.delete(f"/api/v1/auth/tokens/{bob_token.id}", headers=alice_headers)
    assert_error(response, 403, "forbidden")
    assert bob_token.revoked_at is None


def test_malformed_authorization_header(client):
    assert_error(
        client.get("/api/v1/auth/me", headers={"Authorization": "Basic x"}), 401, "unauthorised"
    )
    assert_error(client.get("/api/v1/auth/me"), 401, "unauthorised")


@pytest.mark.parametrize(
    ("role", "status"), [("delegate", 403), ("staff", 403), ("organiser", 201), ("admin", 201)]
)
def test_create_conference_by_role(client, make_user, api_headers, role, status):
    response = client.post(
        "/api/v1/conferences", json=CONFERENCE, headers=api_headers(make_user(role=role))
    )
    assert response.status_code == status
    if status == 201:
        body = response.get_json()
        assert body["slug"] == "cop-test"
        assert body["co_chairs"] == [{"name": "A. Chair", "title": "President"}]
        assert client.get("/api/v1/conferences/cop-test").get_json()["city"] == "Dubai"


def test_create_conference_anonymous_is_401(client):
    assert_error(client.post("/api/v1/conferences", json=CONFERENCE), 401, "unauthorised")


def test_create_conference_validation_errors_name_the_fields(client, make_user, api_headers):
    headers = api_headers(make_user(role="organiser"))
    bad = {**CONFERENCE, "slug": "Not A Slug", "end_date": "yesterday"}
    error = assert_error(
        client.post("/api/v1/conferences", json=bad, headers=headers), 422, "validation_failed"
    )
    assert set(error["fields"]) == {"slug", "end_date"}
    reversed_dates = {**CONFERENCE, "start_date": "2030-12-12", "end_date": "2030-11-30"}
    error = assert_error(
        client.post("/api/v1/conferences", json=reversed_dates, headers=headers),
        422,
        "validation_failed",
    )
    assert "end_date" in error["fields"]
    bad_zone = {**CONFERENCE, "timezone": "Mars/Olympus"}
    assert_error(
        client.post("/api/v1/conferences", json=bad_zone, headers=headers), 422, "validation_failed"
    )
    assert client.get("/api/v1/conferences").get_json()["total"] == 0


def test_duplicate_slug_is_a_conflict(client, make_user, api_headers):
    headers = api_headers(make_user(role="organiser"))
    assert client.post("/api/v1/conferences", json=CONFERENCE, headers=headers).status_code == 201
    assert_error(
        client.post("/api/v1/conferences", json=CONFERENCE, headers=headers), 409, "conflict"
    )


def test_body_must_be_json(client, make_user, api_headers):
    headers = api_headers(make_user(role="organiser"))
    response = client.post(
        "/api/v1/conferences",
        data="{not json",
        headers={**headers, "Content-Type": "application/json"},
    )
    assert_error(response, 400, "bad_request")
    response = client.post(
        "/api/v1/conferences", data="slug=x", headers={**headers, "Content-Type": "text/plain"}
    )
    assert_error(response, 400, "bad_request")


def test_unknown_fields_are_refused(client, make_user, api_headers):
    headers = api_headers(make_user(role="organiser"))
    error = assert_error(
        client.post("/api/v1/conferences", json={**CONFERENCE, "colour": "red"}, headers=headers),
        422,
        "validation_failed",
    )
    assert "colour" in error["fields"]


def test_unknown_route_and_conference_are_json_404(client):
    assert_error(client.get("/api/v1/nothing-here"), 404, "not_found")
    assert_error(client.get("/api/v1/conferences/nope"), 404, "not_found")


def test_wrong_method_is_json_405(client):
    response = client.put("/api/v1/conferences")
    assert_error(response, 405, "method_not_allowed")


def test_pagination(client, make_conference):
    for n in range(7):
        make_conference(slug=f"conf-{n}")
    page = client.get("/api/v1/conferences?per_page=3&page=3").get_json()
    assert page["total"] == 7 and page["pages"] == 3 and page["page"] == 3
    assert len(page["items"]) == 1
    assert_error(client.get("/api/v1/conferences?page=0"), 422, "validation_failed")
    assert_error(client.get("/api/v1/conferences?per_page=lots"), 422, "validation_failed")


def test_seed_delegations_through_the_api(client, seed):
    body = client.get(
        "/api/v1/conferences/global-alliance-2012/delegations?per_page=100"
    ).get_json()
    assert body["total"] == 49
    groups = [d["group"] for d in body["items"]]
    assert groups.count("eu_member") == 27 and groups.count("partner") == 22
    croatia = next(d for d in body["items"] if d["country_code"] == "HR")
    assert croatia["group"] == "partner"
    assert "contact_email" not in croatia
    eu = client.get(
        "/api/v1/conferences/global-alliance-2012/delegations?group=eu_member"
    ).get_json()
    assert eu["total"] == 27
