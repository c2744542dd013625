"""Issue 19: every form shows every error at once, each by its field; organisation names are
editable, with the limits of creation, on the web, the API and the CLI."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from alliance_conf.conferences.models import Conference
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db

SLUG = "errors-2030"


def field_error(html: str, field_id: str) -> str:
    """The error shown by the field (``<p class="error" id="<field>-error">``), or ''."""
    match = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>', html, flags=re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip() if match else ""


@pytest.fixture
def conference(make_conference):
    return make_conference(slug=SLUG)


@pytest.fixture
def organiser(make_user, login):
    user = make_user(role="organiser")
    login(user)
    return user


def test_new_delegation_shows_the_code_the_email_and_the_quota_errors_at_once(
    client, conference, organiser
):
    response = client.post(
        f"/conferences/{SLUG}/delegations/new",
        data={
            "kind": "state",
            "country_code": "XX",
            "group": "partner",
            "contact_email": "not an address",
            "delegate_quota": "-5",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Unknown country code." in field_error(html, "country_code")
    assert field_error(html, "contact_email")
    assert field_error(html, "delegate_quota")
    assert db.session.scalar(sa.select(sa.func.count(Delegation.id))) == 0


def test_new_conference_shows_the_slug_the_dates_and_the_zone_errors_at_once(client, organiser):
    response = client.post(
        "/conferences/new",
        data={
            "title": "A conference",
            "slug": "Bad Slug!",
            "city": "Brussels",
            "start_date": "2030-03-10",
            "end_date": "2030-03-01",
            "timezone": "CET+1",
            "languages": "en",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Invalid input." not in html
    assert "lower-case letters, digits and single hyphens" in field_error(html, "slug")
    assert "cannot end before it starts" in field_error(html, "end_date")
    assert "not a known time zone" in field_error(html, "timezone")
    assert db.session.scalar(sa.select(sa.func.count(Conference.id))) == 0


def test_new_conference_in_french_shows_every_error_translated(client, organiser):
    response = client.post(
        "/conferences/new",
        data={
            "title": "Une conférence",
            "slug": "x",
            "city": "Bruxelles",
            "start_date": "2030-03-10",
            "end_date": "2030-03-01",
            "timezone": "CET+1",
            "languages": "en",
        },
        headers={"Accept-Language": "fr"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(html, "slug") and field_error(html, "end_date")
    assert field_error(html, "timezone")
    assert "Use 3 to 80" not in html and "cannot end" not in html


# --- organisation names (B) --------------------------------------------------------------------

LONG = "Organisation " + "x" * 187  # 200 characters
HUGE = "O" * 20_000


@pytest.fixture
def europol(conference, make_delegation):
    return make_delegation(conference, organisation_name="Europol")


def test_an_organisation_is_renamed_on_its_edit_page(client, organiser, europol):
    url = f"/conferences/{SLUG}/delegations/{europol.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'name="organisation_name"' in page and 'value="Europol"' in page
    assert len(LONG) == 200
    response = client.post(url, data={"organisation_name": LONG, "group": "observer"})
    assert response.status_code == 302
    db.session.refresh(europol)
    assert europol.organisation_name == LONG and europol.name == LONG
    listing = client.get(f"/conferences/{SLUG}/delegations").get_data(as_text=True)
    # The long name wraps in its own column (alliance.css: .name-cell, overflow-wrap: anywhere).
    assert f'<th scope="row" class="name-cell">{LONG}' in listing


def test_a_huge_name_is_refused_everywhere_with_a_clear_message(
    client, organiser, europol, conference, api_headers, cli
):
    url = f"/conferences/{SLUG}/delegations/{europol.id}/edit"
    response = client.post(url, data={"organisation_name": HUGE, "group": "observer"})
    assert response.status_code == 422
    assert "200" in field_error(response.get_data(as_text=True), "organisation_name")
    created = client.post(
        f"/conferences/{SLUG}/delegations/new",
        data={"kind": "organisation", "organisation_name": HUGE, "group": "observer"},
    )
    assert created.status_code == 422
    assert "200" in field_error(created.get_data(as_text=True), "organisation_name")
    # API
    headers = api_headers(organiser)
    patch = client.patch(
        f"/api/v1/conferences/{SLUG}/delegations/{europol.id}",
        json={"organisation_name": HUGE},
        headers=headers,
    )
    assert patch.status_code == 422
    assert "200" in patch.get_json()["error"]["fields"]["organisation_name"]
    post = client.post(
        f"/api/v1/conferences/{SLUG}/delegations",
        json={"organisation_name": HUGE, "group": "observer"},
        headers=headers,
    )
    assert post.status_code == 422
    # CLI
    result = cli(
        "delegations", "update", "--conference", SLUG, str(europol.id), "--organisation-name", HUGE
    )
    assert result.exit_code == 1 and "at most 200 characters" in result.output
    result = cli(
        "delegations", "create", "--conference", SLUG, "--organisation", HUGE, "--group", "observer"
    )
    assert result.exit_code == 1 and "at most 200 characters" in result.output
    db.session.refresh(europol)
    assert europol.organisation_name == "Europol"
    assert db.session.scalar(sa.select(sa.func.count(Delegation.id))) == 1


def test_renaming_through_the_api_and_the_cli(client, organiser, europol, api_headers, cli):
    headers = api_headers(organiser)
    url = f"/api/v1/conferences/{SLUG}/delegations/{europol.id}"
    response = client.patch(url, json={"organisation_name": "Europol (EU agency)"}, headers=headers)
    assert response.status_code == 200
    assert response.get_json()["name"] == "Europol (EU agency)"
    assert client.patch(url, json={"organisation_name": None}, headers=headers).status_code == 422
    result = cli(
        "delegations", "update", "--conference", SLUG, str(europol.id), "--organisation-name", LONG
    )
    assert result.exit_code == 0, result.output
    db.session.refresh(europol)
    assert europol.name == LONG


def test_a_name_another_organisation_has_is_refused(
    client, organiser, europol, conference, make_delegation
):
    make_delegation(conference, organisation_name="Interpol")
    response = client.post(
        f"/conferences/{SLUG}/delegations/{europol.id}/edit",
        data={"organisation_name": "INTERPOL", "group": "observer"},
    )
    assert response.status_code == 422
    assert "already has a delegation" in field_error(
        response.get_data(as_text=True), "organisation_name"
    )


def test_a_state_keeps_its_country_name(
    client, organiser, conference, make_delegation, api_headers
):
    belgium = make_delegation(conference, "BE", group="eu_member")
    page = client.get(f"/conferences/{SLUG}/delegations/{belgium.id}/edit").get_data(as_text=True)
    assert 'name="organisation_name"' not in page
    response = client.patch(
        f"/api/v1/conferences/{SLUG}/delegations/{belgium.id}",
        json={"organisation_name": "Kingdom"},
        headers=api_headers(organiser),
    )
    assert response.status_code == 422
    assert "organisation_name" in response.get_json()["error"]["fields"]


def test_edit_shows_every_error_at_once(client, organiser, europol):
    response = client.post(
        f"/conferences/{SLUG}/delegations/{europol.id}/edit",
        data={
            "organisation_name": HUGE,
            "group": "observer",
            "contact_email": "not an address",
            "delegate_quota": "-5",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for field in ("organisation_name", "contact_email", "delegate_quota"):
        assert field_error(html, field), field
