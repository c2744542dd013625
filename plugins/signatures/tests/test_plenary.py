"""The plenary screen: who may open it, what it shows, and its cheap conditional polling."""

from __future__ import annotations

import re

import pytest

from alliance_conf.extensions import db
from alliance_conf.testing.fixtures import TEST_PASSWORD
from plugins.signatures import operations

NBSP = "\u00a0"


@pytest.fixture
def signed(app, declaration, head, make_signatory):
    """Belgium signed; France signed then withdrew; Germany signed last."""
    belgium = operations.sign_declaration(
        declaration, actor=head, password=TEST_PASSWORD, typed_name=head.full_name
    )
    france_user = make_signatory("FR")
    france = operations.sign_declaration(
        declaration, actor=france_user, password=TEST_PASSWORD, typed_name=france_user.full_name
    )
    operations.withdraw_signature(france, actor=france_user, reason="Text", password=TEST_PASSWORD)
    germany_user = make_signatory("DE", name="Greta Berger")
    germany = operations.sign_declaration(
        declaration, actor=germany_user, password=TEST_PASSWORD, typed_name="Greta Berger"
    )
    db.session.commit()
    return {"belgium": belgium, "france": france, "germany": germany}


@pytest.fixture
def roles(make_user, head, make_signatory):
    return {
        "delegate_be": head,
        "delegate_fr": make_signatory("FR"),
        "staff": make_user("staff"),
        "organiser": make_user("organiser"),
        "admin": make_user("admin"),
    }


WEB_EXPECTED = {
    "anonymous": 302,  # to the sign-in page
    "delegate_be": 403,
    "delegate_fr": 403,
    "staff": 200,
    "organiser": 200,
    "admin": 200,
}


def test_web_page_and_its_poll_per_role(app, client, login, roles, declaration, signed):
    for role, status in WEB_EXPECTED.items():
        client.post("/auth/logout")
        if role != "anonymous":
            login(roles[role])
        for url in (
            f"/declarations/{declaration.id}/plenary",
            f"/declarations/{declaration.id}/plenary.json",
        ):
            response = client.get(url)
            assert response.status_code == status, (role, url, response.status_code)
            if status == 302:
                assert "/auth/login" in response.headers["Location"]


def test_api_per_role(app, client, roles, api_headers, declaration, signed):
    url = f"/api/v1/declarations/{declaration.id}/plenary"
    expected = WEB_EXPECTED | {"anonymous": 401}
    for role, status in expected.items():
        headers = api_headers(roles[role]) if role != "anonymous" else {}
        response = client.get(url, headers=headers)
        assert response.status_code == status, (role, response.status_code)
        if status != 200:
            assert response.get_json()["error"]["code"]  # the API's one error shape


def test_page_renders_everything_without_javascript(
    app, client, login, make_user, declaration, signed
):
    login(make_user("staff"))
    html = client.get(f"/declarations/{declaration.id}/plenary").get_data(as_text=True)
    # The board's own count: observers and organisations are not delegations that sign.
    assert "2 of 49 delegations have signed" in html
    grid = html.split('id="plenary-grid"')[1].split("</ul>")[0]
    assert grid.count("<li") == 49
    belgium = re.search(r'<li class="[^"]*is-signed[^"]*"[^>]*>.*?Belgium.*?</li>', grid, re.S)
    assert belgium and "✓" in belgium.group(0) and "Signed" in belgium.group(0)
    france = re.search(r'<li class="plenary-delegation is-withdrawn"[^>]*>.*?</li>', grid, re.S)
    assert "France" in france.group(0) and "Withdrawn" in france.group(0)
    assert grid.count("Not yet signed") == 46
    # Germany signed last: highlighted in the grid and announced in the live region.
    latest = re.search(r'<li class="[^"]*is-latest[^"]*"[^>]*>.*?</li>', grid, re.S)
    assert "Germany" in latest.group(0)
    live = re.search(r'id="plenary-announcement" role="status" aria-live="polite">([^<]*)<', html)
    assert live.group(1).startswith("Latest: Germany signed at ")
    assert "CET (Europe/Brussels)" in live.group(1)
    recent = html.split('id="plenary-recent"')[1].split("</ol>")[0]
    assert recent.index("Germany") < recent.index("Belgium")
    assert "France" not in recent  # withdrawn: no longer among the signatures
    assert "Times in CET (Europe/Brussels)." in html
    # No script inline; the script and the stylesheet come from the plugin's static folder;
    # without JavaScript the page reloads itself and offers a link to do it by hand.
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None
    assert "/signatures/static/plenary.js" in html
    assert '<noscript><meta http-equiv="refresh" content="30"></noscript>' in html
    assert ">Refresh</a>" in html
    script = client.get("/signatures/static/plenary.js")
    assert script.status_code == 200 and "requestFullscreen" in script.get_data(as_text=True)
    script.close()


def test_board_links_to_the_plenary_screen_for_the_team_only(
    app, client, login, make_user, head, declaration, signed
):
    board = f"/declarations/{declaration.id}/signatures"
    login(make_user("organiser"))
    assert f"/declarations/{declaration.id}/plenary" in client.get(board).get_data(as_text=True)
    client.post("/auth/logout")
    login(head)
    assert "/plenary" not in client.get(board).get_data(as_text=True)


def test_json_content_etag_and_304(app, client, make_user, api_headers, declaration, signed):
    headers = api_headers(make_user("organiser"))
    url = f"/api/v1/declarations/{declaration.id}/plenary"
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    data = response.get_json()
    assert (data["signed"], data["eligible"]) == (2, 49)
    assert data["headline"] == "2 of 49 delegations have signed"
    by_name = {d["name"]: d for d in data["delegations"]}
    assert by_name["Belgium"]["status"] == "signed"
    assert by_name["Belgium"]["status_label"] == "Signed"
    assert re.fullmatch(r"\d\d:\d\d", by_name["Belgium"]["time"])
    assert by_name["France"]["status"] == "withdrawn"
    assert by_name["Austria"] == by_name["Austria"] | {"status": "pending", "time": None}
    assert [r["delegation"] for r in data["recent"]] == ["Germany", "Belgium"]
    assert data["recent"][0]["signatory_name"] == "Greta Berger"
    assert data["time_zone"] == "CET (Europe/Brussels)"
    etag = response.headers["ETag"]
    assert etag == f'"{data["version"]}"'
    assert response.headers["Cache-Control"] == "private, no-cache"
    # Nothing changed: 304, no body.
    again = client.get(url, headers=headers | {"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag
    # A stale ETag gets the whole answer.
    stale = client.get(url, headers=headers | {"If-None-Match": '"stale"'})
    assert stale.status_code == 200 and stale.get_json() == data


def test_signature_and_withdrawal_change_the_etag(
    app, client, make_user, api_headers, make_signatory, declaration, signed
):
    headers = api_headers(make_user("staff"))
    url = f"/api/v1/declarations/{declaration.id}/plenary"
    etag = client.get(url, headers=headers).headers["ETag"]
    italy = make_signatory("IT")
    operations.sign_declaration(
        declaration, actor=italy, password=TEST_PASSWORD, typed_name=italy.full_name
    )
    db.session.commit()
    response = client.get(url, headers=headers | {"If-None-Match": etag})
    assert response.status_code == 200
    data = response.get_json()
    assert data["signed"] == 3 and data["recent"][0]["delegation"] == "Italy"
    assert data["recent"][0]["announcement"].startswith("Italy signed at ")
    # Germany withdraws: the count drops, its cell says so, it leaves the recent list.
    etag = response.headers["ETag"]
    germany = signed["germany"]
    operations.withdraw_signature(
        germany,
        actor=db.session.get(type(germany.signatory), germany.signatory_id),
        reason="Instructions",
        password=TEST_PASSWORD,
    )
    db.session.commit()
    response = client.get(url, headers=headers | {"If-None-Match": etag})
    assert response.status_code == 200
    data = response.get_json()
    assert data["signed"] == 2 and data["headline"] == "2 of 49 delegations have signed"
    assert {d["name"]: d["status"] for d in data["delegations"]}["Germany"] == "withdrawn"
    assert "Germany" not in [r["delegation"] for r in data["recent"]]


def test_the_page_poll_answers_like_the_api(app, client, login, make_user, declaration, signed):
    login(make_user("organiser"))
    url = f"/declarations/{declaration.id}/plenary.json"
    response = client.get(url)
    assert response.status_code == 200 and response.get_json()["signed"] == 2
    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_french(app, client, login, make_user, api_headers, declaration, signed):
    organiser = make_user("organiser")
    organiser.language = "fr"
    db.session.commit()
    login(organiser)
    html = client.get(f"/declarations/{declaration.id}/plenary").get_data(as_text=True)
    assert f"Délégations ayant signé{NBSP}: 2 sur 49" in html  # the board's translation
    assert "Allemagne" in html and "Belgique" in html
    assert f"Dernière nouvelle{NBSP}: Allemagne a signé à " in html
    assert "Signatures les plus récentes" in html
    assert "Heures indiquées en CET (Europe/Brussels)." in html
    assert "Actualiser" in html and "Plein écran" in html
    assert "Not yet signed" not in html and "Latest:" not in html
    # The API speaks the token owner's language; the language is part of the ETag.
    url = f"/api/v1/declarations/{declaration.id}/plenary"
    french_headers = api_headers(organiser)
    english_headers = api_headers(make_user("organiser"))
    client.post("/auth/logout")  # the API reads the token, not the browser's session
    french = client.get(url, headers=french_headers)
    english = client.get(url, headers=english_headers)
    assert english.get_json()["headline"] == "2 of 49 delegations have signed"
    assert french.headers["ETag"] != english.headers["ETag"]
    names = {d["id"]: d["name"] for d in french.get_json()["delegations"]}
    assert "Allemagne" in names.values()
    assert french.get_json()["recent"][0]["announcement"].startswith("Allemagne a signé à ")


def test_openapi_documents_the_conditional_get(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/declarations/{declaration_id}/plenary"]["get"]
    assert operation["operationId"] == "get_plenary_screen"
    assert "304" in operation["responses"]
    assert "ETag" in operation["responses"]["200"]["headers"]
    assert any(p["name"] == "If-None-Match" for p in operation["parameters"])
