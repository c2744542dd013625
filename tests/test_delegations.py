import re

import pytest
import sqlalchemy as sa

from alliance_conf.audit.models import AuditEvent
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from tests.test_api import assert_error


def delegation_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Delegation.id)))


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.fixture
def conference(make_conference):
    return make_conference(slug="brussels-2030")


@pytest.fixture
def organiser(make_user, login):
    user = make_user(role="organiser")
    login(user)
    return user


# --- web pages --------------------------------------------------------------------------------


def test_organiser_adds_a_state_and_an_organisation_in_the_browser(client, conference, organiser):
    response = client.post(
        "/conferences/brussels-2030/delegations/new",
        data={
            "kind": "state",
            "country_code": "be",
            "group": "eu_member",
            "contact_email": "Protocol@Diplobel.example",
            "delegate_quota": "6",
        },
    )
    assert response.status_code == 302
    response = client.post(
        "/conferences/brussels-2030/delegations/new",
        data={"kind": "organisation", "organisation_name": "Europol", "group": "observer"},
    )
    assert response.status_code == 302
    belgium = db.session.scalar(sa.select(Delegation).where(Delegation.country_code == "BE"))
    assert belgium.name == "Belgium"
    assert belgium.contact_email == "protocol@diplobel.example"
    assert belgium.delegate_quota == 6
    page = client.get("/conferences/brussels-2030/delegations").get_data(as_text=True)
    assert "Belgium" in page and "Europol" in page
    assert "protocol@diplobel.example" in page
    assert actions().count("delegation.created") == 2


def test_new_delegation_form_offers_countries_by_name(client, conference, organiser):
    page = client.get("/conferences/brussels-2030/delegations/new").get_data(as_text=True)
    assert '<option value="BE">Belgium</option>' in page
    names = re.findall(r'<option value="[A-Z]{2}">([^<]+)</option>', page)
    assert len(names) > 240 and names.index("Côte d&#39;Ivoire") < names.index("Croatia")
    response = client.post(
        "/conferences/brussels-2030/delegations/new",
        data={"kind": "state", "country_code": "EE", "group": "eu_member"},
    )
    assert response.status_code == 302
    assert "Estonia" in client.get("/conferences/brussels-2030/delegations").get_data(as_text=True)


def test_new_delegation_form_errors_store_nothing(client, conference, organiser, make_delegation):
    response = client.post(
        "/conferences/brussels-2030/delegations/new",
        data={"kind": "state", "country_code": "XX", "group": "partner"},
    )
    assert response.status_code == 422
    assert "Unknown country code." in response.get_data(as_text=True)
    make_delegation(conference, "BE", group="eu_member")
    response = client.post(
        "/conferences/brussels-2030/delegations/new",
        data={"kind": "state", "country_code": "BE", "group": "eu_member"},
    )
    assert response.status_code == 422
    assert "Belgium already has a delegation" in response.get_data(as_text=True)
    response = client.post(
        "/conferences/brussels-2030/delegations/new",
        data={"kind": "state", "country_code": "FR", "group": "eu_member", "contact_email": "x@"},
    )
    assert response.status_code == 422
    assert delegation_count() == 1


def test_edit_changes_group_contact_and_quota_with_an_audit_event(
    client, conference, organiser, make_delegation
):
    delegation = make_delegation(conference, "NO", group="partner")
    url = f"/conferences/brussels-2030/delegations/{delegation.id}/edit"
    assert "Norway" in client.get(url).get_data(as_text=True)
    response = client.post(
        url,
        data={"group": "observer", "contact_email": "oslo@example.org", "delegate_quota": "3"},
    )
    assert response.status_code == 302
    db.session.refresh(delegation)
    assert (delegation.group, delegation.contact_email, delegation.delegate_quota) == (
        "observer",
        "oslo@example.org",
        3,
    )
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "delegation.updated")
    )
    assert event.data["before"]["group"] == "partner"
    assert event.data["after"]["delegate_quota"] == 3


def test_quota_cannot_go_below_approved_delegates(
    client, conference, organiser, make_delegation, make_registration, make_user
):
    delegation = make_delegation(conference, "NO", group="partner", delegate_quota=5)
    for _ in range(2):
        make_registration(delegation, make_user(), status="approved")
    url = f"/conferences/brussels-2030/delegations/{delegation.id}/edit"
    response = client.post(url, data={"group": "partner", "delegate_quota": "1"})
    assert response.status_code == 422
    assert "already has 2 approved delegates" in response.get_data(as_text=True)
    db.session.refresh(delegation)
    assert delegation.delegate_quota == 5


def test_edit_page_shows_head_of_delegation(
    client, conference, organiser, make_delegation, make_registration, make_user
):
    delegation = make_delegation(conference, "NO", group="partner")
    head = make_user(full_name="Ingrid Head")
    make_registration(delegation, head, status="approved", function="head_of_delegation")
    make_registration(delegation, make_user(), status="pending")
    page = client.get(f"/conferences/brussels-2030/delegations/{delegation.id}/edit")
    text = page.get_data(as_text=True)
    assert "Ingrid Head" in text
    assert "1 approved, 1 pending" in text
    listing = client.get("/conferences/brussels-2030/delegations").get_data(as_text=True)
    assert "Ingrid Head" in listing


def test_deactivate_asks_then_deactivates_and_reactivates(
    client, conference, organiser, make_delegation
):
    delegation = make_delegation(conference, "NO", group="partner")
    url = f"/conferences/brussels-2030/delegations/{delegation.id}/deactivate"
    page = client.get(url)
    assert page.status_code == 200 and "Deactivate Norway?" in page.get_data(as_text=True)
    db.session.refresh(delegation)
    assert delegation.active
    assert client.post(url).status_code == 302
    db.session.refresh(delegation)
    assert not delegation.active
    client.get("/conferences/brussels-2030/delegations")  # shows the flash message
    assert "<li>Norway</li>" not in client.get("/conferences/brussels-2030").get_data(as_text=True)
    assert client.post(url).status_code == 409  # already deactivated
    response = client.post(f"/conferences/brussels-2030/delegations/{delegation.id}/reactivate")
    assert response.status_code == 302
    db.session.refresh(delegation)
    assert delegation.active
    assert actions()[-2:] == ["delegation.deactivated", "delegation.reactivated"]


def test_deactivate_needs_the_csrf_token(make_app, conference, make_delegation, make_user):
    delegation = make_delegation(conference, "NO", group="partner")
    organiser = make_user(role="organiser")
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = organiser.get_id()
        session["_fresh"] = True
    response = client.post(f"/conferences/brussels-2030/delegations/{delegation.id}/deactivate")
    assert response.status_code == 400
    db.session.refresh(delegation)
    assert delegation.active


def test_delegation_of_another_conference_is_not_found(
    client, conference, organiser, make_conference, make_delegation
):
    other = make_delegation(make_conference(slug="other-2030"), "NO", group="partner")
    response = client.get(f"/conferences/brussels-2030/delegations/{other.id}/edit")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [(None, 302), ("delegate", 403), ("staff", 403), ("organiser", 200), ("admin", 200)],
)
@pytest.mark.parametrize("path", ["", "/new", "/import", "/{id}/edit", "/{id}/deactivate"])
def test_delegation_pages_are_for_organisers(
    client, conference, make_delegation, make_user, login, role, status, path
):
    delegation = make_delegation(conference, "NO", group="partner")
    if role:
        login(make_user(role=role))
    response = client.get("/conferences/brussels-2030/delegations" + path.format(id=delegation.id))
    assert response.status_code == status
    if role is None:
        assert "/auth/login" in response.headers["Location"]


# --- API --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [(None, 401), ("delegate", 403), ("staff", 403), ("organiser", 201), ("admin", 201)],
)
def test_api_create_delegation_by_role(client, conference, make_user, api_headers, role, status):
    headers = api_headers(make_user(role=role)) if role else {}
    response = client.post(
        "/api/v1/conferences/brussels-2030/delegations",
        json={"country_code": "de", "group": "eu_member", "contact_email": "a@b.example"},
        headers=headers,
    )
    assert response.status_code == status, response.get_json()
    if status == 201:
        body = response.get_json()
        assert body["name"] == "Germany" and body["contact_email"] == "a@b.example"
        assert delegation_count() == 1
    else:
        assert delegation_count() == 0


def test_api_create_delegation_bad_input(client, conference, make_user, api_headers):
    headers = api_headers(make_user(role="organiser"))
    url = "/api/v1/conferences/brussels-2030/delegations"
    error = assert_error(
        client.post(url, json={"country_code": "QQ", "group": "partner"}, headers=headers),
        422,
        "validation_failed",
    )
    assert "country_code" in error["fields"]
    assert_error(
        client.post(url, json={"country_code": "NO", "group": "galaxy"}, headers=headers),
        422,
        "validation_failed",
    )
    assert_error(
        client.post(
            url,
            json={"country_code": "NO", "group": "partner", "contact_email": "nope"},
            headers=headers,
        ),
        422,
        "validation_failed",
    )
    assert_error(
        client.post(
            url,
            json={"country_code": "NO", "group": "partner", "delegate_quota": -1},
            headers=headers,
        ),
        422,
        "validation_failed",
    )
    assert delegation_count() == 0
    assert client.post(url, json={"country_code": "NO", "group": "partner"}, headers=headers)
    assert_error(
        client.post(url, json={"country_code": "no", "group": "partner"}, headers=headers),
        409,
        "conflict",
    )
    client.post(url, json={"organisation_name": "Interpol", "group": "observer"}, headers=headers)
    assert_error(
        client.post(
            url, json={"organisation_name": "INTERPOL", "group": "observer"}, headers=headers
        ),
        409,
        "conflict",
    )
    assert delegation_count() == 2


@pytest.mark.parametrize(
    ("role", "status"),
    [(None, 401), ("delegate", 403), ("staff", 403), ("organiser", 200), ("admin", 200)],
)
def test_api_patch_delegation_by_role(
    client, conference, make_delegation, make_user, api_headers, role, status
):
    delegation = make_delegation(conference, "NO", group="partner", delegate_quota=4)
    headers = api_headers(make_user(role=role)) if role else {}
    response = client.patch(
        f"/api/v1/conferences/brussels-2030/delegations/{delegation.id}",
        json={"delegate_quota": 10},
        headers=headers,
    )
    assert response.status_code == status
    db.session.refresh(delegation)
    assert delegation.delegate_quota == (10 if status == 200 else 4)


def test_api_patch_changes_only_what_is_sent(
    client, conference, make_delegation, make_user, api_headers
):
    delegation = make_delegation(
        conference, "NO", group="partner", delegate_quota=4, contact_email="a@example.org"
    )
    headers = api_headers(make_user(role="organiser"))
    url = f"/api/v1/conferences/brussels-2030/delegations/{delegation.id}"
    body = client.patch(url, json={"contact_email": None}, headers=headers).get_json()
    assert body["contact_email"] is None and body["delegate_quota"] == 4
    body = client.patch(url, json={"active": False, "group": "observer"}, headers=headers)
    assert body.get_json()["active"] is False and body.get_json()["group"] == "observer"
    assert_error(
        client.patch(url, json={"group": "moon"}, headers=headers), 422, "validation_failed"
    )
    assert_error(
        client.patch(url, json={"colour": "red"}, headers=headers), 422, "validation_failed"
    )
    assert_error(
        client.patch(
            "/api/v1/conferences/brussels-2030/delegations/999999", json={}, headers=headers
        ),
        404,
        "not_found",
    )
    db.session.refresh(delegation)
    assert delegation.group == "observer" and not delegation.active


def test_public_delegation_list_hides_contacts(client, conference, make_delegation):
    make_delegation(conference, "NO", group="partner", contact_email="secret@example.org")
    body = client.get("/api/v1/conferences/brussels-2030/delegations").get_json()
    assert body["items"][0]["name"] == "Norway"
    assert "contact_email" not in body["items"][0]


# --- CLI --------------------------------------------------------------------------------------


def test_cli_create_update_deactivate_and_list(cli, conference):
    result = cli(
        "delegations", "create", "--conference", "brussels-2030", "--country", "IS",
        "--group", "partner", "--quota", "3",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    delegation = db.session.scalar(sa.select(Delegation))
    assert delegation.name == "Iceland"
    args = ("--conference", "brussels-2030", str(delegation.id))
    result = cli("delegations", "update", *args, "--quota", "none", "--contact-email", "a@b.is")
    assert result.exit_code == 0, result.output
    db.session.refresh(delegation)
    assert delegation.delegate_quota is None and delegation.contact_email == "a@b.is"
    assert cli("delegations", "deactivate", *args).exit_code == 0
    assert cli("delegations", "deactivate", *args).exit_code == 1
    listing = cli("delegations", "list", "--conference", "brussels-2030").output
    assert "Iceland" in listing and "deactivated" in listing
    assert cli("delegations", "reactivate", *args).exit_code == 0
    result = cli(
        "delegations", "create", "--conference", "brussels-2030", "--country", "ZZ",
        "--group", "partner",
    )  # fmt: skip
    assert result.exit_code == 1 and "country code" in result.output


def test_the_audit_log_records_the_address_the_web_layer_declared(
    client, cli, conference, organiser
):
    """Audit events of a request carry its client address (declared by the web layer, never
    read by the audit code from the request); those of a command carry none."""
    from alliance_conf.audit.operations import log_event
    from alliance_conf.core.request_meta import RequestMeta, acting_from, current_origin

    response = client.post(
        "/conferences/brussels-2030/delegations/new",
        data={"group": "eu_member", "country_code": "BE"},
        environ_base={"REMOTE_ADDR": "203.0.113.7"},
    )
    assert response.status_code == 302
    created = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "delegation.created")
    )
    assert created.ip_address == "203.0.113.7"
    assert current_origin() == RequestMeta()  # forgotten when the request ended
    result = cli(
        "delegations",
        "create",
        "--conference",
        "brussels-2030",
        "--group",
        "eu_member",
        "--country",
        "FR",
    )
    assert result.exit_code == 0, result.output
    from_cli = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "delegation.created")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert from_cli.id != created.id
    assert from_cli.ip_address is None
    with acting_from(RequestMeta("198.51.100.2")):
        event = log_event("test.declared", created)
    assert event.ip_address == "198.51.100.2"
