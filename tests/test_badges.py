"""Accreditation badges and check-in at the door: the PDF and its signed QR code, revocation,
one arrival per badge (also when two doors scan it at once), the roles, the API and the CLI."""

from __future__ import annotations

import io
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
import zxingcpp
from pypdf import PdfReader

from alliance_conf.badges import operations, signing
from alliance_conf.badges.models import Badge, CheckIn
from alliance_conf.extensions import db
from alliance_conf.registrations.operations import change_status
from tests.test_untranslated import pseudo_app  # noqa: F401 - the fixture

SLUG = "badges-2030"


@pytest.fixture
def world(make_conference, make_delegation, make_user, make_registration):
    conference = make_conference(slug=SLUG, title="Brussels Ministerial Conference")
    belgium = make_delegation(conference, "BE", group="eu_member")
    japan = make_delegation(conference, "JP", group="partner")
    people = {
        "organiser": make_user(role="organiser"),
        "staff": make_user(role="staff"),
        "minister": make_user(full_name="Annelies Verlinden"),
        "adviser": make_user(full_name="Łukasz Żółć"),
        "japan": make_user(full_name="Sato Hiroshi"),
        "pending": make_user(full_name="Pat Pending"),
    }
    registrations = {
        "minister": make_registration(
            belgium, people["minister"], function="minister", position="Minister of Justice"
        ),
        "adviser": make_registration(
            belgium, people["adviser"], position="Adviser to the Minister"
        ),
        "japan": make_registration(japan, people["japan"], position="Ambassador"),
        "pending": make_registration(belgium, people["pending"], status="pending"),
    }
    return conference, belgium, japan, people, registrations


def issue_all(conference, organiser) -> dict[int, Badge]:
    operations.issue_missing(conference, actor=organiser)
    db.session.commit()
    return {b.registration_id: b for b in db.session.scalars(sa.select(Badge))}


def qr_codes(data: bytes) -> list[str]:
    """Decode every QR code drawn in the PDF (zxing-cpp on the embedded images)."""
    found = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for image in page.images:
            found += [r.text for r in zxingcpp.read_barcodes(image.image)]
    return found


def arrivals() -> int:
    return db.session.scalar(sa.select(sa.func.count(CheckIn.id)))


# --- the badge -------------------------------------------------------------------------------


def test_a_badge_is_an_a6_pdf_with_the_facts_and_a_signed_qr_code(client, world, login):
    conference, _belgium, _japan, people, registrations = world
    badges = issue_all(conference, people["organiser"])
    assert set(badges) == {registrations[k].id for k in ("minister", "adviser", "japan")}
    badge = badges[registrations["minister"].id]
    login(people["organiser"])
    response = client.get(f"/conferences/{SLUG}/badges/{badge.id}/badge.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (105, 148)  # A6
    text = page.extract_text()
    for expected in ("H.E.", "Annelies Verlinden", "Minister of Justice", "BELGIUM"):
        assert expected in text, expected
    assert "EU MEMBER STATE" in text
    [code] = qr_codes(response.data)
    assert signing.verify(code) == badge.public_id
    # It carries the random public id, not the database id.
    assert code.split(".")[1] == badge.public_id and len(badge.public_id) == 16


def test_names_print_as_typed_and_a_french_badge_speaks_french(app, world):
    from alliance_conf.badges import pdf

    conference, _belgium, _japan, people, registrations = world
    people["adviser"].language = "fr"
    db.session.commit()
    badges = issue_all(conference, people["organiser"])
    adviser = badges[registrations["adviser"].id]
    assert adviser.excellency is False  # an adviser to the minister is not an Excellency
    text = PdfReader(io.BytesIO(pdf.render([adviser]))).pages[0].extract_text()
    assert "Łukasz Żółć" in text
    assert "BELGIQUE" in text and "ÉTAT MEMBRE" in text.upper()
    minister = badges[registrations["minister"].id]
    french = PdfReader(io.BytesIO(pdf.render([minister], "fr"))).pages[0].extract_text()
    assert "S.E." in french and "H.E." not in french


@pytest.mark.parametrize(
    ("function", "position", "expected"),
    [
        ("minister", "", True),
        ("adviser", "Minister of Justice", True),
        ("head_of_delegation", "Ambassador to the EU", True),
        ("head_of_delegation", "Ambassadrice, Représentante permanente", True),
        ("senior_official", "Secretary of State for Digital Affairs", True),
        ("adviser", "Adviser to the Minister", False),
        ("senior_official", "Minister-Counsellor", False),
        ("adviser", "Chief of Staff of the Minister", False),
        ("senior_official", "Director-General", False),
        ("adviser", "", False),
    ],
)
def test_the_excellency_rule(function, position, expected):
    from alliance_conf.registrations.models import DelegateFunction, Registration

    registration = Registration(function=DelegateFunction(function), position=position)
    assert operations.excellency_by_protocol(registration) is expected


def test_a_forged_or_altered_code_is_not_a_badge(app, world):
    conference, _b, _j, people, _r = world
    badge = next(iter(issue_all(conference, people["organiser"]).values()))
    code = operations.qr_text(badge)
    assert signing.verify(code) == badge.public_id
    other_id = signing.new_public_id()
    forged = f"AC1.{other_id}.{code.split('.')[2]}"
    for wrong in (forged, code[:-1] + ("A" if code[-1] != "A" else "B"), str(badge.id), ""):
        assert signing.verify(wrong) is None
        scan = operations.check_in(conference, wrong, actor=people["staff"])
        assert scan.outcome == operations.Outcome.unknown
    assert arrivals() == 0


# --- check-in --------------------------------------------------------------------------------


def test_staff_check_in_once_and_a_second_scan_says_when(client, world, login):
    conference, _b, _j, people, registrations = world
    badge = issue_all(conference, people["organiser"])[registrations["japan"].id]
    code = operations.qr_text(badge)
    login(people["staff"])
    page = client.get(f"/conferences/{SLUG}/check-in")
    assert page.status_code == 200 and "checkin.js" in page.get_data(as_text=True)
    first = client.post(f"/conferences/{SLUG}/check-in", data={"code": code})
    html = first.get_data(as_text=True)
    assert first.status_code == 200
    assert "Checked in" in html and "Sato Hiroshi" in html and "Ambassador" in html
    assert "Partner country" in html and 'role="status"' in html
    second = client.post(f"/conferences/{SLUG}/check-in", data={"code": code + "\n"})
    html = second.get_data(as_text=True)
    assert second.status_code == 409
    arrived = db.session.scalar(sa.select(CheckIn))
    local = operations.Scan("x", conference, checked_in_at=arrived.checked_in_at).local_time
    assert f"Already checked in at {local}." in html and 'role="alert"' in html
    assert arrivals() == 1


def test_revoked_badges_are_refused_loudly_and_a_new_one_works(client, world, login):
    conference, belgium, _j, people, registrations = world
    badge = issue_all(conference, people["organiser"])[registrations["adviser"].id]
    old_code = operations.qr_text(badge)
    login(people["organiser"])
    revoked = client.post(
        f"/conferences/{SLUG}/badges/{badge.id}/revoke", data={"reason": "Lost at the hotel"}
    )
    assert revoked.status_code == 302
    db.session.refresh(badge)
    assert badge.revoked and badge.revocation_reason == "Lost at the hotel"
    refused = client.post(f"/conferences/{SLUG}/check-in", data={"code": old_code})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert 'role="alert"' in html and "scan-refused" in html
    assert "Badge revoked: refuse entry" in html and "Do not let the bearer in" in html
    assert arrivals() == 0
    # Re-issuing gives a new id: the old printed badge stays refused, the new one works.
    reissued = client.post(
        f"/conferences/{SLUG}/registrations/{registrations['adviser'].id}/badge",
        data={"excellency": "auto"},
    )
    assert reissued.status_code == 302
    new = operations.active_badge(registrations["adviser"])
    assert new.public_id != badge.public_id
    assert client.post(f"/conferences/{SLUG}/check-in", data={"code": old_code}).status_code == 409
    ok = client.post(f"/conferences/{SLUG}/check-in", data={"code": operations.qr_text(new)})
    assert ok.status_code == 200 and arrivals() == 1
    page = client.get(f"/conferences/{SLUG}/badges/delegations/{belgium.id}")
    assert page.status_code == 200 and "Łukasz Żółć" in page.get_data(as_text=True)


@pytest.mark.parametrize(("status", "by"), [("cancelled", "organiser"), ("withdrawn", "japan")])
def test_a_registration_no_longer_approved_loses_its_badge(app, world, status, by):
    conference, _b, _j, people, registrations = world
    badge = issue_all(conference, people["organiser"])[registrations["japan"].id]
    change_status(registrations["japan"], status, actor=people[by])
    db.session.commit()
    db.session.refresh(badge)
    assert badge.revoked and badge.revocation_reason == f"registration {status}"
    scan = operations.check_in(conference, operations.qr_text(badge), actor=people["staff"])
    assert scan.outcome == operations.Outcome.revoked and arrivals() == 0


def test_a_badge_of_another_conference_is_unknown_here(app, world, make_conference):
    conference, _b, _j, people, _r = world
    badge = next(iter(issue_all(conference, people["organiser"]).values()))
    other = make_conference(slug="other-2030")
    scan = operations.check_in(other, operations.qr_text(badge), actor=people["staff"])
    assert scan.outcome == operations.Outcome.unknown


def _scan_in_own_context(app, slug, code, token, barrier):
    client = app.test_client()
    with app.app_context():
        barrier.wait()
        response = client.post(
            f"/api/v1/conferences/{slug}/check-ins",
            json={"code": code, "door": "North"},
            headers={"Authorization": f"Bearer {token}"},
        )
        return response.status_code, response.get_json()


def test_two_doors_scanning_one_badge_at_once_record_one_arrival(
    app, world, api_headers, is_postgresql
):
    conference, _b, _j, people, _registrations = world
    badges = issue_all(conference, people["organiser"])
    token = api_headers(people["staff"])["Authorization"].removeprefix("Bearer ")
    for badge in badges.values():
        code = operations.qr_text(badge)
        if is_postgresql:
            barrier = threading.Barrier(2)
            with ThreadPoolExecutor(max_workers=2) as pool:
                results = list(
                    pool.map(
                        lambda _, c=code, b=barrier: _scan_in_own_context(app, SLUG, c, token, b),
                        range(2),
                    )
                )
        else:
            no_wait = threading.Barrier(1)
            results = [_scan_in_own_context(app, SLUG, code, token, no_wait) for _ in range(2)]
        statuses = sorted(status for status, _body in results)
        assert statuses == [201, 409], results
        refused = next(body for status, body in results if status == 409)
        assert refused["error"]["code"] == "already_checked_in"
        assert refused["error"]["message"].startswith("Already checked in at ")
    db.session.expire_all()
    assert arrivals() == len(badges)


def test_the_check_in_page_speaks_french(client, world, login):
    conference, _b, _j, people, registrations = world
    badge = issue_all(conference, people["organiser"])[registrations["minister"].id]
    login(people["staff"])
    headers = {"Accept-Language": "fr"}
    page = client.get(f"/conferences/{SLUG}/check-in", headers=headers).get_data(as_text=True)
    assert 'lang="fr"' in page and "Enregistrement à l\u2019entrée" in page
    code = operations.qr_text(badge)
    done = client.post(f"/conferences/{SLUG}/check-in", data={"code": code}, headers=headers)
    html = done.get_data(as_text=True)
    assert "Enregistré" in html and "S.E." in html and "Délégation" in html
    again = client.post(f"/conferences/{SLUG}/check-in", data={"code": code}, headers=headers)
    assert "Déjà enregistré à " in again.get_data(as_text=True)


def test_the_dashboard_counts_arrivals(client, world, login):
    conference, _b, _j, people, registrations = world
    badges = issue_all(conference, people["organiser"])
    operations.check_in(
        conference, operations.qr_text(badges[registrations["japan"].id]), actor=people["staff"]
    )
    db.session.commit()
    login(people["organiser"])
    html = client.get(f"/conferences/{SLUG}/dashboard").get_data(as_text=True)
    assert "Arrived: 1 of 3 badge holders." in html
    # The bars draw the table's figures: per group, the valid badges' holders who arrived.
    chart = html.split('class="bar-chart checkin-bars"')[1].split("</ul>")[0]
    counts = operations.checkin_counts(conference)
    assert sum(b for b, _a in counts.by_group.values()) == 3
    for group, (held, arrived) in counts.by_group.items():
        label = conference.group_label(group)
        row = chart.split(f'<span class="bar-label">{label}</span>')[1].split("</li>")[0]
        assert f">{arrived} of {held} arrived<" in row
        if arrived:
            assert f'width="{round(100 * arrived / held, 2)}"' in row
    overview = client.get(f"/conferences/{SLUG}").get_data(as_text=True)
    assert f"/conferences/{SLUG}/check-in" in overview and f"/conferences/{SLUG}/badges" in overview


# --- roles, API, CLI -------------------------------------------------------------------------


def test_who_may_do_what(client, world, api_headers, login):
    _conference, belgium, _j, people, registrations = world
    organiser, staff = api_headers(people["organiser"]), api_headers(people["staff"])
    minister, adviser = api_headers(people["minister"]), api_headers(people["adviser"])
    api = "/api/v1"
    body = {"registration_id": registrations["minister"].id}
    # Staff and delegates may not issue; organisers may (pending registrations: never).
    assert (
        client.post(f"{api}/conferences/{SLUG}/badges", json=body, headers=staff).status_code == 403
    )
    assert (
        client.post(f"{api}/conferences/{SLUG}/badges", json=body, headers=minister).status_code
        == 403
    )
    pending = {"registration_id": registrations["pending"].id}
    refused = client.post(f"{api}/conferences/{SLUG}/badges", json=pending, headers=organiser)
    assert refused.status_code == 409
    issued = client.post(f"{api}/conferences/{SLUG}/badges", json=body, headers=organiser)
    assert issued.status_code == 201
    badge = issued.get_json()
    assert badge["excellency"] is True and signing.verify(badge["qr"])
    # A delegate downloads their own badge only; staff do not download badges.
    own = client.get(f"{api}/badges/{badge['id']}/pdf", headers=minister)
    assert own.status_code == 200 and own.data.startswith(b"%PDF")
    assert client.get(f"{api}/badges/{badge['id']}/pdf", headers=adviser).status_code == 404
    assert client.get(f"{api}/badges/{badge['id']}", headers=staff).status_code == 404
    # Staff check in; delegates may not.
    scan = {"code": badge["qr"]}
    assert (
        client.post(f"{api}/conferences/{SLUG}/check-ins", json=scan, headers=minister).status_code
        == 403
    )
    done = client.post(f"{api}/conferences/{SLUG}/check-ins", json=scan, headers=staff)
    assert done.status_code == 201 and done.get_json()["full_name"] == "Annelies Verlinden"
    counts = client.get(f"{api}/conferences/{SLUG}/check-ins/counts", headers=staff).get_json()
    assert counts == {
        "badges": 1,
        "checked_in": 1,
        "by_group": {"eu_member": {"badges": 1, "checked_in": 1}},
    }
    # Revoking: organisers only; the badge then shows no QR text and its PDF is gone.
    reason = {"reason": "Replaced"}
    assert (
        client.post(f"{api}/badges/{badge['id']}/revoke", json=reason, headers=staff).status_code
        == 403
    )
    revoked = client.post(f"{api}/badges/{badge['id']}/revoke", json=reason, headers=organiser)
    assert revoked.status_code == 200 and revoked.get_json()["qr"] is None
    assert (
        client.post(
            f"{api}/badges/{badge['id']}/revoke", json=reason, headers=organiser
        ).status_code
        == 409
    )
    assert client.get(f"{api}/badges/{badge['id']}/pdf", headers=minister).status_code == 404
    # Web: the delegate's own link, the organiser's pages; staff see the door only.
    login(people["minister"])
    assert client.get(f"/conferences/{SLUG}/my-badge.pdf").status_code == 404  # revoked
    assert client.get(f"/conferences/{SLUG}/check-in").status_code == 403
    assert client.get(f"/conferences/{SLUG}/badges").status_code == 403
    login(people["staff"])
    assert client.get(f"/conferences/{SLUG}/badges").status_code == 403
    assert client.get(f"/conferences/{SLUG}/badges/delegations/{belgium.id}").status_code == 403


def test_batch_printing_a_delegation_is_a_job_with_one_page_per_badge(
    client, world, api_headers, login
):
    conference, belgium, _j, people, _r = world
    issue_all(conference, people["organiser"])
    login(people["organiser"])
    started = client.post(f"/conferences/{SLUG}/badges/delegations/{belgium.id}/print")
    assert started.status_code == 302 and "/jobs/" in started.headers["Location"]
    job_id = int(started.headers["Location"].rstrip("/").split("/")[-1])
    download = client.get(f"/jobs/{job_id}/download")
    assert download.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(download.data))
    assert len(reader.pages) == 2  # the minister and the adviser; not the pending registration
    assert len(qr_codes(download.data)) == 2
    # The same through the API.
    headers = api_headers(people["organiser"])
    job = client.post(
        f"/api/v1/conferences/{SLUG}/badges/print-jobs",
        json={"delegation_id": belgium.id, "language": "fr"},
        headers=headers,
    )
    assert job.status_code == 202
    state = client.get(f"/api/v1/jobs/{job.get_json()['id']}", headers=headers).get_json()
    assert state["state"] == "done" and state["download_url"]
    data = client.get(state["download_url"], headers=headers).data
    assert "BELGIQUE" in PdfReader(io.BytesIO(data)).pages[0].extract_text()


def test_the_cli_issues_prints_checks_in_and_revokes(app, world, cli, tmp_path):
    _conference, _b, _j, _people, registrations = world
    result = cli("badges", "issue", "--conference", SLUG)
    assert result.exit_code == 0 and "3 badges issued." in result.output
    output = tmp_path / "be.pdf"
    result = cli("badges", "print", "--conference", SLUG, "--delegation", "be", "-o", str(output))
    assert result.exit_code == 0 and len(PdfReader(str(output)).pages) == 2
    badge = operations.active_badge(registrations["japan"])
    code = operations.qr_text(badge)
    result = cli("badges", "check-in", "--conference", SLUG, "--door", "East", code)
    assert result.exit_code == 0 and "Sato Hiroshi checked in at" in result.output
    runner = app.test_cli_runner()
    again = runner.invoke(args=["badges", "check-in", "--conference", SLUG, code])
    assert again.exit_code == 1 and "Already checked in at" in again.output
    result = cli("badges", "revoke", "--conference", SLUG, "--reason", "Lost", str(badge.id))
    assert result.exit_code == 0
    refused = runner.invoke(args=["badges", "check-in", "--conference", SLUG, code])
    assert refused.exit_code == 1 and "revoked" in refused.output
    assert arrivals() == 1


# --- the pseudo-locale: no English escapes translation on these pages -------------------------


def test_badge_pages_show_no_untranslated_english(pseudo_app):  # noqa: F811
    """tests/test_untranslated.py's check on every badge page, the check-in answers included
    (the crawl there reaches the index and the door page only while no badge exists)."""
    from alliance_conf.badges.models import Badge as BadgeModel
    from alliance_conf.conferences.models import Conference
    from tests.test_untranslated import (
        PASSWORD,
        calendar_words,
        data_strings,
        escaped_words,
        interface_vocabulary,
    )

    with pseudo_app.app_context():
        conference = db.session.scalar(sa.select(Conference))
        if not db.session.scalar(sa.select(sa.func.count(BadgeModel.id))):
            operations.issue_missing(conference, actor=None)
            db.session.commit()
        badge = db.session.scalar(sa.select(BadgeModel).order_by(BadgeModel.id))
        code, slug, delegation_id = operations.qr_text(badge), conference.slug, badge.delegation_id
    pages = {}
    client = pseudo_app.test_client()
    email = pseudo_app.config["PSEUDO_ACCOUNTS"]["organiser"]
    client.post("/auth/login", data={"email": email, "password": PASSWORD})
    for path in (
        f"/conferences/{slug}",
        f"/conferences/{slug}/badges",
        f"/conferences/{slug}/badges/delegations/{delegation_id}",
        f"/conferences/{slug}/dashboard",
        f"/conferences/{slug}/check-in",
    ):
        pages[path] = client.get(path).get_data(as_text=True)
    for n in range(2):  # checked in, then already checked in
        pages[f"check-in {n}"] = client.post(
            f"/conferences/{slug}/check-in", data={"code": code}
        ).get_data(as_text=True)
    pages["check-in unknown"] = client.post(
        f"/conferences/{slug}/check-in", data={"code": "AC1.nothing.here"}
    ).get_data(as_text=True)
    data = data_strings(pseudo_app)
    vocabulary, allowed = interface_vocabulary(), calendar_words()
    problems = []
    for path, html in pages.items():
        # Only what this area adds: the badge sections and pages.
        if path in (f"/conferences/{slug}", f"/conferences/{slug}/dashboard"):
            found = re.findall(
                r'<nav class="link-group" aria-labelledby="links-registration">.*?</nav>'
                r'|<section aria-labelledby="check-in">.*?</section>',
                html,
                flags=re.S | re.I,
            )
            assert found, f"{path}: the badge section is missing"
            html = "".join(found)
        else:
            html = re.sub(r"^.*?<main\b", "<main", html, flags=re.S)
            html = re.sub(r"</main>.*$", "</main>", html, flags=re.S)
        problems += [f"{path}: {item}" for item in escaped_words(html, data, vocabulary, allowed)]
    assert not problems, "\n".join(sorted(problems))
