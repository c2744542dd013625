"""Participant list, dashboard and exports: who sees what, filters, no N+1, safe exports."""

import csv
import io
import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from sqlalchemy import event

from alliance_conf.core.csvfile import safe_cell
from alliance_conf.core.db import utcnow
from alliance_conf.extensions import db
from tests.test_api import assert_error

SLUG = "list-2030"


@pytest.fixture
def world(make_conference, make_delegation, make_user, make_registration):
    """Belgium (A) and France (B) with delegates; Europol without an approved delegate."""
    conference = make_conference(slug=SLUG)
    belgium = make_delegation(conference, "BE", group="eu_member")
    france = make_delegation(conference, "FR", group="eu_member")
    norway = make_delegation(conference, "NO", group="partner")
    europol = make_delegation(conference, organisation_name="Europol", group="observer")
    a = make_user(full_name="Anne Belgian", email="anne@be.example")
    b = make_user(full_name="Bernard French", email="bernard@fr.example")
    reg_a = make_registration(
        belgium,
        a,
        status="approved",
        function="head_of_delegation",
        position="Minister of Justice",
        consent_participant_list=True,
        dietary_needs="Vegetarian",
        accessibility_needs="Wheelchair access",
        is_signatory=True,
        signatory_designated_at=utcnow(),
    )
    make_registration(
        belgium,
        make_user(full_name="Albert Pending", email="albert@be.example"),
        status="pending",
        function="adviser",
        dietary_needs="No nuts",
    )
    make_registration(
        france,
        b,
        status="approved",
        function="minister",
        position='=HYPERLINK("http://evil.example")',
        consent_participant_list=True,
        dietary_needs="Halal",
    )
    make_registration(
        france,
        make_user(full_name="Claire Private", email="claire@fr.example"),
        status="approved",
        function="adviser",
        consent_participant_list=False,
    )
    make_registration(
        norway,
        make_user(full_name="Nils Norse", email="nils@no.example"),
        status="approved",
        function="senior_official",
        consent_participant_list=True,
    )
    make_registration(
        europol,
        make_user(full_name="Eva Observer", email="eva@europol.example"),
        status="pending",
        function="other",
    )
    return SimpleNamespace(
        conference=conference,
        belgium=belgium,
        france=france,
        norway=norway,
        europol=europol,
        delegate_a=a,
        delegate_b=b,
        reg_a=reg_a,
    )


ALL_NAMES = {
    "Anne Belgian",
    "Albert Pending",
    "Bernard French",
    "Claire Private",
    "Nils Norse",
    "Eva Observer",
}


def viewer(world, make_user, role):
    if role is None:
        return None
    if role == "delegate_a":
        return world.delegate_a
    if role == "delegate_b":
        return world.delegate_b
    return make_user(role=role)


def names_in(text: str) -> set[str]:
    """Names in the table of the page (the header also shows who is signed in)."""
    if "<tbody>" in text:
        text = text[text.index("<tbody>") : text.index("</tbody>")]
    elif "<html" in text:
        text = ""
    return {name for name in ALL_NAMES if name in text}


# --- the list page ----------------------------------------------------------------------------

PAGE_CASES = [
    (None, 302, set()),
    ("delegate_a", 200, {"Anne Belgian", "Albert Pending"}),
    ("delegate_b", 200, {"Bernard French", "Claire Private"}),
    ("staff", 200, ALL_NAMES),
    ("organiser", 200, ALL_NAMES),
    ("admin", 200, ALL_NAMES),
]


@pytest.mark.parametrize(("role", "status", "visible"), PAGE_CASES)
def test_participant_page_by_role(client, world, make_user, login, role, status, visible):
    user = viewer(world, make_user, role)
    if user:
        login(user)
    response = client.get(f"/conferences/{SLUG}/participants")
    assert response.status_code == status
    text = response.get_data(as_text=True)
    assert names_in(text) == visible
    needs_visible = role in ("organiser", "admin")
    assert ("Vegetarian" in text) is needs_visible
    assert ("Wheelchair access" in text) is needs_visible
    assert ("Accessibility needs" in text) is needs_visible


def test_delegate_without_an_approved_registration_is_refused(
    client, world, make_user, make_registration, login
):
    pending = make_user()
    make_registration(world.norway, pending, status="pending")
    login(pending)
    assert client.get(f"/conferences/{SLUG}/participants").status_code == 403
    client.post("/auth/logout")
    login(make_user())  # no registration at all
    assert client.get(f"/conferences/{SLUG}/participants").status_code == 403


def test_delegate_cannot_widen_the_list_with_filters(client, world, login):
    login(world.delegate_a)
    url = f"/conferences/{SLUG}/participants?delegation_id={world.france.id}&q=bernard"
    assert names_in(client.get(url).get_data(as_text=True)) == set()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=pending", {"Albert Pending", "Eva Observer"}),
        ("group=partner", {"Nils Norse"}),
        ("function=adviser", {"Albert Pending", "Claire Private"}),
        ("q=BERNARD", {"Bernard French"}),
        ("q=fr.example", {"Bernard French", "Claire Private"}),
        ("q=100%25", set()),
        ("status=approved&group=eu_member&function=minister", {"Bernard French"}),
    ],
)
def test_list_filters_and_search(client, world, make_user, login, query, expected):
    login(make_user(role="organiser"))
    response = client.get(f"/conferences/{SLUG}/participants?{query}")
    assert response.status_code == 200
    assert names_in(response.get_data(as_text=True)) == expected


def test_list_filter_by_delegation(client, world, make_user, login):
    login(make_user(role="staff"))
    url = f"/conferences/{SLUG}/participants?delegation_id={world.france.id}"
    assert names_in(client.get(url).get_data(as_text=True)) == {"Bernard French", "Claire Private"}


def test_the_delegation_filter_is_a_select_only_while_it_stays_short(
    client, world, make_user, login, monkeypatch
):
    """A conference of a few delegations offers them in a select; one with more than
    ``MAX_DELEGATIONS_IN_SELECT`` does not (nor does it sort and name them all to find out):
    the delegation links of the table filter instead."""
    from alliance_conf.participants import queries, views

    login(make_user(role="staff"))
    url = f"/conferences/{SLUG}/participants"
    page = client.get(url).get_data(as_text=True)
    select = page[
        page.index('id="delegation_id"') : page.index("</select>", page.index('id="delegation_id"'))
    ]
    assert {"Belgium", "France", "Norway"} <= set(re.findall(r">([^<]+)</option>", select))
    monkeypatch.setattr(views, "MAX_DELEGATIONS_IN_SELECT", 2)
    named = []
    monkeypatch.setattr(queries, "delegation_name", lambda *args: named.append(args))
    page = client.get(url).get_data(as_text=True)
    assert 'id="delegation_id"' not in page
    assert named == []
    assert f'delegation_id={world.france.id}"' in page  # the table's link still filters


def test_list_bad_filters_are_a_clear_error(client, world, make_user, login):
    login(make_user(role="organiser"))
    assert client.get(f"/conferences/{SLUG}/participants?status=lost").status_code == 422
    assert client.get(f"/conferences/{SLUG}/participants?sort=height").status_code == 422
    assert client.get(f"/conferences/{SLUG}/participants?page=two").status_code == 422


def test_list_sorting_and_pagination(client, world, make_user, login):
    login(make_user(role="organiser"))
    text = client.get(f"/conferences/{SLUG}/participants?per_page=2").get_data(as_text=True)
    assert names_in(text) == {"Albert Pending", "Anne Belgian"}
    assert "Page 1 of 3" in text
    text = client.get(f"/conferences/{SLUG}/participants?per_page=2&page=3").get_data(as_text=True)
    assert names_in(text) == {"Eva Observer", "Nils Norse"}
    text = client.get(
        f"/conferences/{SLUG}/participants?sort=delegation&direction=desc&per_page=1"
    ).get_data(as_text=True)
    assert names_in(text) == {"Nils Norse"}  # Norway comes last by delegation name
    text = client.get(f"/conferences/{SLUG}/participants?page=99").get_data(as_text=True)
    assert "Page 1 of 1" not in text and names_in(text)  # out of range shows the last page


def test_list_escapes_names(client, world, make_user, make_registration, login):
    make_registration(world.norway, make_user(full_name="<b>Bold</b> Person"), status="pending")
    login(make_user(role="organiser"))
    text = client.get(f"/conferences/{SLUG}/participants").get_data(as_text=True)
    assert "<b>Bold</b>" not in text and "&lt;b&gt;Bold&lt;/b&gt; Person" in text


# --- the API ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status", "visible"), PAGE_CASES)
def test_registrations_api_by_role(client, world, make_user, api_headers, role, status, visible):
    user = viewer(world, make_user, role)
    headers = api_headers(user) if user else {}
    response = client.get(f"/api/v1/conferences/{SLUG}/registrations", headers=headers)
    if role is None:
        assert_error(response, 401, "unauthorised")
        return
    assert response.status_code == status
    body = response.get_json()
    assert {item["full_name"] for item in body["items"]} == visible
    assert body["total"] == len(visible)
    for item in body["items"]:
        has_needs = "dietary_needs" in item and "accessibility_needs" in item
        assert has_needs is (role in ("organiser", "admin"))


def test_registrations_api_filters_sort_and_pages(client, world, make_user, api_headers):
    headers = api_headers(make_user(role="organiser"))
    url = f"/api/v1/conferences/{SLUG}/registrations"
    body = client.get(
        url + "?status=approved&sort=name&direction=desc&per_page=2", headers=headers
    ).get_json()
    assert [i["full_name"] for i in body["items"]] == ["Nils Norse", "Claire Private"]
    assert (body["page"], body["pages"], body["total"]) == (1, 2, 4)
    body = client.get(url + "?q=belgian", headers=headers).get_json()
    assert body["items"][0]["delegation_name"] == "Belgium"
    assert body["items"][0]["is_signatory"] is True
    assert body["items"][0]["dietary_needs"] == "Vegetarian"
    assert_error(client.get(url + "?status=gone", headers=headers), 422, "validation_failed")
    assert_error(client.get(url + "?sort=x", headers=headers), 422, "validation_failed")
    assert_error(client.get(url + "?per_page=5000", headers=headers), 422, "validation_failed")
    assert_error(
        client.get("/api/v1/conferences/nowhere/registrations", headers=headers), 404, "not_found"
    )


def test_delegate_api_never_sees_another_delegation(client, world, api_headers):
    headers = api_headers(world.delegate_b)
    body = client.get(
        f"/api/v1/conferences/{SLUG}/registrations?delegation_id={world.belgium.id}",
        headers=headers,
    ).get_json()
    assert body["items"] == [] and body["total"] == 0


# --- dashboard --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (None, 302),
        ("delegate_a", 403),
        ("delegate_b", 403),
        ("staff", 403),
        ("organiser", 200),
        ("admin", 200),
    ],
)
def test_dashboard_page_by_role(client, world, make_user, login, role, status):
    user = viewer(world, make_user, role)
    if user:
        login(user)
    response = client.get(f"/conferences/{SLUG}/dashboard")
    assert response.status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (None, 401),
        ("delegate_a", 403),
        ("delegate_b", 403),
        ("staff", 403),
        ("organiser", 200),
        ("admin", 200),
    ],
)
def test_dashboard_api_by_role(client, world, make_user, api_headers, role, status):
    user = viewer(world, make_user, role)
    headers = api_headers(user) if user else {}
    response = client.get(f"/api/v1/conferences/{SLUG}/dashboard", headers=headers)
    assert response.status_code == status


def test_dashboard_counts_and_missing_delegates(client, world, make_user, api_headers, login):
    headers = api_headers(make_user(role="organiser"))
    body = client.get(f"/api/v1/conferences/{SLUG}/dashboard", headers=headers).get_json()
    assert body["total"] == 6 and body["delegations"] == 4
    assert body["by_status"] == {
        "pending": 2,
        "approved": 4,
        "rejected": 0,
        "withdrawn": 0,
        "cancelled": 0,
    }
    groups = {g["group"]: g["by_status"] for g in body["by_group"]}
    assert groups["eu_member"]["approved"] == 3 and groups["eu_member"]["pending"] == 1
    assert groups["observer"]["pending"] == 1
    assert [d["name"] for d in body["without_approved_delegate"]] == ["Europol"]
    # states only: Belgium has a signatory, Europol is an organisation
    assert [d["name"] for d in body["without_signatory"]] == ["France", "Norway"]
    world.norway.active = False
    db.session.commit()
    body = client.get(f"/api/v1/conferences/{SLUG}/dashboard", headers=headers).get_json()
    assert [d["name"] for d in body["without_signatory"]] == ["France"]
    login(make_user(role="organiser"))
    text = client.get(f"/conferences/{SLUG}/dashboard").get_data(as_text=True)
    assert "States without a signatory" in text and "France" in text


def test_dashboard_chart_draws_the_counts_of_its_table(client, world, make_user, login):
    login(make_user(role="organiser"))
    html = client.get(f"/conferences/{SLUG}/dashboard").get_data(as_text=True)
    chart = html.split('class="bar-chart registration-bars"')[1].split("</ul>")[0]
    rows = {
        label: row
        for label, row in re.findall(
            r'<span class="bar-label">([^<]+)</span>(.*?)</li>', chart, re.S
        )
    }
    assert set(rows) == {"EU member state", "Partner country", "Observer"}
    assert (
        ">3 approved, 1 pending, 0 rejected, 0 withdrawn or cancelled<" in rows["EU member state"]
    )
    assert (
        ">1 approved, 0 pending, 0 rejected, 0 withdrawn or cancelled<" in rows["Partner country"]
    )
    assert ">0 approved, 1 pending, 0 rejected, 0 withdrawn or cancelled<" in rows["Observer"]
    # Bars against the largest group (4 registrations): 3 approved then 1 pending.
    assert 'class="bar-approved" x="0.0" width="75.0"' in rows["EU member state"]
    assert 'class="bar-pending" x="75.0" width="25.0"' in rows["EU member state"]
    assert 'class="bar-approved" x="0.0" width="25.0"' in rows["Partner country"]
    assert 'class="bar-pending" x="0.0" width="25.0"' in rows["Observer"]
    assert 'aria-hidden="true"' in chart  # the bar is decoration: the words say it
    legend = html.split('class="chart-legend"')[1].split("</ul>")[0]
    for label in ("Approved", "Pending", "Rejected", "Withdrawn or cancelled"):
        assert f"</svg> {label}</li>" in legend
    assert 'id="by-group-table"' in html  # the same figures as a table

    french = client.get(
        f"/conferences/{SLUG}/dashboard", headers={"Accept-Language": "fr"}
    ).get_data(as_text=True)
    assert (
        "approuvées\u00a0: 3, en attente\u00a0: 1, refusées\u00a0: 0, retirées ou annulées\u00a0: 0"
    ) in french


# --- exports ----------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_published_csv_lists_only_approved_consenting_delegates(client, world, make_user, login):
    login(make_user(role="staff"))
    response = client.get(f"/conferences/{SLUG}/participants/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == ["Delegation", "Name", "Title/position", "Organisation", "Function"]
    assert [r[:2] for r in rows[1:]] == [
        ["Belgium", "Anne Belgian"],
        ["France", "Bernard French"],
        ["Norway", "Nils Norse"],
    ]
    assert rows[1][4] == "Head of delegation"
    assert rows[2][2] == '\'=HYPERLINK("http://evil.example")'  # formula neutralised
    text = response.get_data(as_text=True)
    assert "Vegetarian" not in text and "anne@be.example" not in text


def test_full_export_is_for_organisers_and_has_statuses(client, world, make_user, login):
    login(make_user(role="staff"))
    assert client.get(f"/conferences/{SLUG}/participants/export.csv?list=full").status_code == 403
    client.post("/auth/logout")
    login(make_user(role="organiser"))
    rows = read_csv(client.get(f"/conferences/{SLUG}/participants/export.csv?list=full"))
    assert len(rows) == 7
    header = rows[0]
    by_name = {r[1]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert by_name["Albert Pending"]["Status"] == "pending"
    assert by_name["Claire Private"]["Listed publicly"] == "no"
    assert by_name["Anne Belgian"]["Signatory"] == "yes"
    assert by_name["Anne Belgian"]["Dietary needs"] == "Vegetarian"
    assert client.get(f"/conferences/{SLUG}/participants/export.csv?list=x").status_code == 400


def test_xlsx_export(client, world, make_user, login):
    login(make_user(role="organiser"))
    with client.get(f"/conferences/{SLUG}/participants/export.xlsx") as response:
        assert response.status_code == 200
        data = response.get_data()  # the app streams a spooled file; closing frees it
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0] == ("Delegation", "Name", "Title/position", "Organisation", "Function")
    assert {r[1] for r in rows[1:]} == {"Anne Belgian", "Bernard French", "Nils Norse"}
    position = next(r[2] for r in rows if r[1] == "Bernard French")
    assert position.startswith("'=")
    workbook.close()
    with client.get(f"/conferences/{SLUG}/participants/export.xlsx?list=full") as full:
        data = full.get_data()
    assert len(list(load_workbook(io.BytesIO(data)).active.iter_rows())) == 7


@pytest.mark.parametrize(
    ("role", "status"), [(None, 302), ("delegate_a", 403), ("staff", 200), ("admin", 200)]
)
def test_export_by_role(client, world, make_user, login, role, status):
    user = viewer(world, make_user, role)
    if user:
        login(user)
    assert client.get(f"/conferences/{SLUG}/participants/export.csv").status_code == status


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+32 2 123", "'+32 2 123"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\nx", "'\nx"),
        ("Minister", "Minister"),
        (None, None),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_cli_export(cli, world, tmp_path):
    target = tmp_path / "published.csv"
    result = cli("participants", "export", "--conference", SLUG, "--output", str(target))
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(target.read_text("utf-8-sig"))))
    assert len(rows) == 4


# --- no N+1 -----------------------------------------------------------------------------------


class StatementCounter:
    def __init__(self, engine):
        self.engine = engine
        self.count = 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, *args, **kwargs):
        self.count += 1


def _add_registrations(conference, delegation, how_many, make_user, make_registration):
    for n in range(how_many):
        make_registration(
            delegation,
            make_user(),
            status="approved" if n % 2 else "pending",
            function="adviser",
        )


def test_participant_list_query_count_does_not_grow_with_rows(
    app, client, make_conference, make_delegation, make_user, make_registration, login,
    api_headers,
):  # fmt: skip
    conference = make_conference(slug=SLUG)
    delegations = [
        make_delegation(conference, code, group="eu_member") for code in ("BE", "FR", "DE")
    ]
    organiser = make_user(role="organiser")
    login(organiser)
    headers = api_headers(organiser)
    counts = {}
    for target in (5, 50):
        existing = db.session.scalar(sa.text("SELECT count(*) FROM registrations"))
        for n in range(target - existing):
            _add_registrations(conference, delegations[n % 3], 1, make_user, make_registration)
        db.session.expire_all()
        measured = []
        for url, kwargs in [
            (f"/conferences/{SLUG}/participants?per_page=100", {}),
            (f"/conferences/{SLUG}/participants?per_page=100&q=number", {}),
            (f"/api/v1/conferences/{SLUG}/registrations?per_page=100", {"headers": headers}),
            (f"/conferences/{SLUG}/dashboard", {}),
            (f"/conferences/{SLUG}/delegations", {}),
        ]:
            client.get(url, **kwargs)  # first use of a token records it; measure the next
            with StatementCounter(db.engine) as counter:
                response = client.get(url, **kwargs)
            assert response.status_code == 200
            measured.append(counter.count)
        counts[target] = measured
        body = client.get(
            f"/api/v1/conferences/{SLUG}/registrations?per_page=100", headers=headers
        ).get_json()
        assert body["total"] == target and len(body["items"]) == target
    assert counts[5] == counts[50], counts


def test_conference_page_links_to_the_tools(client, world, make_user, login):
    page = client.get(f"/conferences/{SLUG}").get_data(as_text=True)
    assert f"/conferences/{SLUG}/participants" not in page  # anonymous: no links
    login(make_user(role="organiser"))
    page = client.get(f"/conferences/{SLUG}").get_data(as_text=True)
    for path in ("delegations", "participants", "dashboard"):
        assert f'href="/conferences/{SLUG}/{path}"' in page
    client.post("/auth/logout")
    login(world.delegate_a)
    page = client.get(f"/conferences/{SLUG}").get_data(as_text=True)
    assert f'href="/conferences/{SLUG}/participants"' in page
    assert f'href="/conferences/{SLUG}/dashboard"' not in page


# --- keyset pages and capped counts -----------------------------------------------------------


def _walk(client, headers, args, key, start=None):
    """Follow ``next_cursor`` (or ``prev_cursor``) from ``start`` to the end; the ids seen."""
    url = f"/api/v1/conferences/{SLUG}/registrations"
    seen, cursor, pages = [], start, 0
    while True:
        params = {"per_page": 2, **args}
        if cursor:
            params["after" if key == "next_cursor" else "before"] = cursor
        body = client.get(url, query_string=params, headers=headers).get_json()
        ids = [item["id"] for item in body["items"]]
        seen += ids if key == "next_cursor" else list(reversed(ids))
        pages += 1
        cursor = body[key]
        if cursor is None or pages > 20:
            return seen, body


@pytest.mark.parametrize("sort", ["name", "delegation", "status", "registered"])
def test_cursors_walk_every_sort_forwards_and_backwards(
    client, world, make_user, make_registration, api_headers, sort
):
    """Every registration once, in the order of the whole list, whichever way it is walked;
    ties on the sort key (two people of the same name) are broken by the id."""
    for _ in range(2):
        make_registration(world.norway, make_user(full_name="Nils Norse"), status="approved")
    headers = api_headers(make_user(role="organiser"))
    url = f"/api/v1/conferences/{SLUG}/registrations"
    for direction in ("asc", "desc"):
        args = {"sort": sort, "direction": direction}
        whole = client.get(url, query_string={**args, "per_page": 200}, headers=headers)
        expected = [item["id"] for item in whole.get_json()["items"]]
        assert len(expected) == 8
        forward, last = _walk(client, headers, args, "next_cursor")
        assert forward == expected
        backward, first = _walk(client, headers, args, "prev_cursor", last["prev_cursor"])
        assert [item["id"] for item in last["items"]][::-1] + backward == expected[::-1]
        assert first["prev_cursor"] is None


def test_the_page_links_follow_cursors(client, world, make_user, login):
    login(make_user(role="organiser"))
    page = client.get(f"/conferences/{SLUG}/participants?per_page=2").get_data(as_text=True)
    assert "Page 1 of 3" in page and "after=" in page
    next_url = page.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = client.get(next_url).get_data(as_text=True)
    assert "Page 2 of 3" in second and "before=" in second
    assert names_in(second) and not names_in(second) & names_in(page)


def test_the_count_stops_at_the_cap(client, world, make_user, login, api_headers, monkeypatch):
    from alliance_conf.participants import queries

    monkeypatch.setattr(queries, "COUNT_CAP", 4)
    headers = api_headers(make_user(role="organiser"))
    url = f"/api/v1/conferences/{SLUG}/registrations"
    body = client.get(url, query_string={"per_page": 2}, headers=headers).get_json()
    assert body["total"] == 4 and body["total_exact"] is False and body["next_cursor"]
    exact = client.get(url, query_string={"status": "approved"}, headers=headers).get_json()
    assert exact["total"] == 4 and exact["total_exact"] is True
    login(make_user(role="organiser"))
    page = client.get(f"/conferences/{SLUG}/participants").get_data(as_text=True)
    assert "(more than 4)" in page


def test_a_forged_cursor_is_refused(client, world, make_user, api_headers):
    headers = api_headers(make_user(role="organiser"))
    url = f"/api/v1/conferences/{SLUG}/registrations"
    first = client.get(url, query_string={"per_page": 2}, headers=headers).get_json()
    for params in (
        {"after": "not-a-cursor"},
        {"after": first["next_cursor"], "sort": "registered"},  # a cursor of another order
        {"after": first["next_cursor"], "before": first["next_cursor"]},
    ):
        error = assert_error(
            client.get(url, query_string=params, headers=headers), 422, "validation_failed"
        )
        assert set(error["fields"]) & {"after", "before"}


def test_sorting_by_delegation_walks_delegations_in_name_order(
    client, make_conference, make_delegation, make_user, make_registration, api_headers
):
    """Sorted by delegation, the list reads the delegations a few at a time; across those
    steps (and two delegations of the same name) the order is the whole list's order."""
    conference = make_conference(slug=SLUG)
    codes = ["BE", "FR", "DE", "NL", "LU", "PT", "ES", "IT", "AT", "DK", "SE", "FI", "IE"]
    delegations = [make_delegation(conference, code) for code in codes]
    delegations.append(make_delegation(conference, organisation_name="Belgium", group="observer"))
    expected = []
    for n, delegation in enumerate(delegations):
        for person in ("Zoe", "Adam")[: 1 + n % 2]:
            user = make_user(full_name=f"{person} {n:02d}")
            registration = make_registration(delegation, user)
            expected.append((delegation.name, user.full_name, user.id, registration.id))
    headers = api_headers(make_user(role="organiser"))
    for direction in ("asc", "desc"):
        order = [row[3] for row in sorted(expected, reverse=direction == "desc")]
        args = {"sort": "delegation", "direction": direction}
        forward, last = _walk(client, headers, {**args, "per_page": 3}, "next_cursor")
        assert forward == order
        backward, _ = _walk(client, headers, args, "prev_cursor", last["prev_cursor"])
        assert [item["id"] for item in last["items"]][::-1] + backward == order[::-1]


def test_sort_by_delegation_takes_as_many_delegations_as_the_page_needs():
    """The walk's next step: doubling while no delegation had anyone, then as many
    delegations as the missing rows need at the size seen so far (with a margin)."""
    from alliance_conf.participants.queries import _next_chunk

    assert _next_chunk(1, 1, 0, 51) == 2
    assert _next_chunk(256, 511, 0, 51) == 512
    assert _next_chunk(1, 1, 1, 50) == 75  # one-person delegations: the page in one more step
    assert _next_chunk(1, 1, 30, 21) == 2  # a delegation of 30: one or two more
    assert _next_chunk(1, 2, 1, 50_000) == 512
