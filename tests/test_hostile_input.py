"""Hostile input is refused before it reaches the database, on SQLite and PostgreSQL alike: a NUL
byte in a path, query string, form or JSON body, a whole number beyond the database's ``integer``
in a JSON body (also written as a float, ``1e20``) and JSON nested deeper than any real request.
Each one is a 4xx with the error shape (a page for the web), never a 500, and nothing is stored.
"""

import json

import pytest
import sqlalchemy as sa

from alliance_conf.declarations.models import Declaration
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db

BIG = 2**31


def assert_error_shape(response, *statuses):
    assert response.status_code in statuses, (response.status_code, response.get_data()[:300])
    error = response.get_json()["error"]
    assert error["code"] and error["message"]
    return error


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/conferences/a%00b",
        "/api/v1/conferences/{slug}/delegations?group=%00",
        "/api/v1/conferences/{slug}/registrations?q=%00",
        "/api/v1/conferences/{slug}/registrations?group=x%00y",
        "/api/v1/reporting/rounds/{round_id}/matrix?group=%00",
    ],
)
def test_nul_in_api_path_or_query_string_is_a_4xx(client, seed, api_headers, url):
    from plugins.reporting.models import ReportingRound

    round_id = db.session.scalar(sa.select(ReportingRound.id).limit(1)) or 1
    url = url.format(slug=seed.conference.slug, round_id=round_id)
    response = client.get(url, headers=api_headers(seed.accounts["organiser"]))
    assert_error_shape(response, 400, 404, 422)


def test_nul_in_web_path_query_or_form_is_a_4xx_page(client, seed, make_user, login):
    assert client.get("/conferences/a%00b").status_code in (400, 404)
    login(make_user(role="organiser"))
    slug = seed.conference.slug
    response = client.get(f"/conferences/{slug}/participants?q=%00")
    assert response.status_code == 400
    assert b"Traceback" not in response.data
    response = client.post("/auth/login", data={"email": "a\x00@example.org", "password": "x"})
    assert response.status_code == 400


def test_nul_in_a_json_body_names_the_field(client, seed, api_headers):
    headers = api_headers(seed.accounts["organiser"])
    url = f"/api/v1/conferences/{seed.conference.slug}/delegations"
    before = db.session.scalar(sa.select(sa.func.count(Delegation.id)))
    response = client.post(
        url, json={"organisation_name": "Bad\x00Org", "group": "partner"}, headers=headers
    )
    error = assert_error_shape(response, 422)
    assert "organisation_name" in error["fields"]
    response = client.post(
        url, json={"organisation_name": "Org", "group": "partner", "x\x00": 1}, headers=headers
    )
    assert_error_shape(response, 422)
    assert db.session.scalar(sa.select(sa.func.count(Delegation.id))) == before


@pytest.mark.parametrize("number", [BIG, -(2**31) - 1, 10**30, 1e20])
def test_integers_beyond_the_database_are_refused_in_bodies(client, seed, api_headers, number):
    headers = api_headers(seed.accounts["organiser"])
    slug = seed.conference.slug
    delegation = db.session.scalar(
        sa.select(Delegation).where(Delegation.conference_id == seed.conference.id).limit(1)
    )
    calls = [
        ("post", f"/api/v1/conferences/{slug}/delegations",
         {"organisation_name": "Big Org", "group": "partner", "delegate_quota": number}),
        ("patch", f"/api/v1/conferences/{slug}/delegations/{delegation.id}",
         {"delegate_quota": number}),
        ("post", f"/api/v1/conferences/{slug}/invitations",
         {"delegation_id": number, "email": "x@example.org"}),
        ("post", f"/api/v1/conferences/{slug}/registrations",
         {"delegation_id": number, "full_name": "A B", "email": "ab@example.org"}),
    ]  # fmt: skip
    for method, url, body in calls:
        response = getattr(client, method)(url, json=body, headers=headers)
        assert_error_shape(response, 422)
    db.session.refresh(delegation)
    assert delegation.delegate_quota != number


@pytest.mark.parametrize("url", ["/api/v1/auth/tokens", "/api/v1/signatures/receipts/check"])
def test_json_nested_beyond_a_sane_depth_is_a_400(client, app, url):
    deep = "[" * 100_000 + "]" * 100_000
    response = client.post(url, data=deep, content_type="application/json")
    assert_error_shape(response, 400)
    shallow_enough = {"email": "a@example.org", "password": json.loads("[" * 40 + "]" * 40)}
    response = client.post(url, json=shallow_enough)
    assert response.status_code in (400, 401, 422)
    too_deep = json.dumps({"email": "a@example.org", "x": json.loads("[" * 80 + "]" * 80)})
    response = client.post(url, data=too_deep, content_type="application/json")
    error = assert_error_shape(response, 400)
    assert "deep" in error["message"]


def test_huge_numbers_in_web_query_strings_are_not_a_500(client, seed, make_user, login):
    login(make_user(role="organiser"))
    slug = seed.conference.slug
    declaration_id = db.session.scalar(sa.select(Declaration.id).limit(1))
    huge = "9" * 25
    for url in [
        f"/conferences/{slug}/delegations?page={huge}",
        f"/conferences/{slug}/participants?page={huge}",
        f"/declarations/{declaration_id}/compare?from={huge}&to={huge}",
        f"/conferences/{slug}/invitations/new?delegation_id={huge}",
    ]:
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)


def test_control_characters_no_document_can_hold_are_refused_in_conferences(
    client, seed, api_headers
):
    """Found by the stateful fuzzer: a conference titled with a control character made its Word
    participant list a 500 (XML cannot hold the character)."""
    headers = api_headers(seed.accounts["organiser"])
    body = {"slug": "bell-conf", "title": "Bell", "city": "Brussels", "start_date": "2030-01-01",
            "end_date": "2030-01-02"}  # fmt: skip
    for field, value in [("title", "Bell\x07"), ("city", "\x1bCity"), ("venue", "a\x0cb")]:
        response = client.post("/api/v1/conferences", json={**body, field: value}, headers=headers)
        error = assert_error_shape(response, 422)
        assert field in error["fields"]
    chairs = [{"name": "A\x01B", "title": "Co-chair"}]
    response = client.post(
        "/api/v1/conferences", json={**body, "co_chairs": chairs}, headers=headers
    )
    assert "co_chairs.0.name" in assert_error_shape(response, 422)["fields"]
    response = client.post("/api/v1/conferences", json=body, headers=headers)
    assert response.status_code == 201
    slug = body["slug"]
    response = client.get(
        f"/api/v1/conferences/{slug}/documents/participants.docx", headers=headers
    )
    assert response.status_code == 200
