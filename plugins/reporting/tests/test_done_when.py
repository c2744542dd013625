"""The issue's "Done when", on the seed conference after its week: Belgium signs late, the
organiser adds its report to the first round, the delegation records actions, fills in and
submits the report, an organiser reviews it, and the overview, chart and exports show it; once
in the browser and once through the API."""

import csv
import io

import sqlalchemy as sa
from docx import Document
from flask import g
from openpyxl import load_workbook

from alliance_conf.declarations.models import Declaration
from alliance_conf.extensions import db
from alliance_conf.plugins import flatten, hook
from plugins.reporting.models import NationalAction, Report, ReportingRound, ReportState


def _seed_round(seed):
    """The week's round; Belgium (the demo head) signs now, after its deadline, so the
    organiser adds Belgium's report (``POST .../rounds/<id>/reports`` does the same)."""
    from plugins.reporting.rounds import create_report
    from plugins.signatures.operations import sign_declaration

    declaration = db.session.scalar(sa.select(Declaration))
    round_ = db.session.scalar(sa.select(ReportingRound))
    assert all(r.delegation.country_code != "BE" for r in round_.reports)
    head, password = seed.new_passwords["head"]
    signature = sign_declaration(
        declaration, actor=head, password=password, typed_name=head.full_name
    )
    db.session.commit()
    belgium = create_report(round_, signature.delegation, actor=seed.accounts["organiser"])
    db.session.commit()
    return declaration, round_, belgium


def _login(client, user, password):
    client.post("/auth/logout")
    g.pop("_login_user", None)
    response = client.post("/auth/login", data={"email": user.email, "password": password})
    assert response.status_code == 302


def test_done_when_in_the_browser(client, seed_week):
    seed = seed_week
    head, head_password = seed.new_passwords["head"]
    organiser, organiser_password = seed.new_passwords["organiser"]
    declaration, round_, belgium = _seed_round(seed)
    assert belgium.state == ReportState.draft

    _login(client, head, head_password)
    page = client.get(f"/declarations/{declaration.id}/reporting").get_data(as_text=True)
    assert "Reports of Belgium" in page and "First progress report (2013)" in page

    response = client.post(
        f"/declarations/{declaration.id}/reporting/actions/new",
        data={
            "commitment_key": "victims",
            "title": "Victim identification taskforce",
            "description": "Specialised unit in the federal police.",
            "lead_agency": "Federal Police",
            "target_date": "2013-09-30",
            "status": "in_progress",
        },
    )
    assert response.status_code == 302
    action = db.session.scalar(
        sa.select(NationalAction).where(NationalAction.delegation_id == belgium.delegation_id)
    )
    actions_page = client.get(f"/declarations/{declaration.id}/reporting/actions")
    assert "Victim identification taskforce" in actions_page.get_data(as_text=True)

    edit = client.get(f"/reporting/reports/{belgium.id}/edit").get_data(as_text=True)
    assert "Victims identified" in edit and f"c0_action_{action.id}" in edit
    response = client.post(
        f"/reporting/reports/{belgium.id}/edit",
        data={
            "c0_status": "achieved",
            "c0_narrative": "Belgium identified 42 victims with the new taskforce.",
            "c0_figure_victims_identified": "42",
            "c0_figure_offenders_prosecuted": "",
            f"c0_action_{action.id}": "Taskforce fully staffed in June.",
            "c0_evidence": "https://justice.belgium.be/report-2013",
            "c1_status": "in_progress",
            "c2_status": "not_started",
            "c3_status": "in_progress",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    response = client.post(f"/reporting/reports/{belgium.id}/submit", follow_redirects=True)
    assert "Tick the box to confirm that the report is complete" in response.get_data(as_text=True)
    db.session.expire_all()
    assert belgium.state.value == "draft"
    response = client.post(f"/reporting/reports/{belgium.id}/submit", data={"confirm": "y"})
    assert response.status_code == 302
    report_page = client.get(f"/reporting/reports/{belgium.id}").get_data(as_text=True)
    assert "Submitted" in report_page and "Late" in report_page  # the 2014 deadline has passed
    assert "read-only" in report_page and "Taskforce fully staffed in June." in report_page

    _login(client, organiser, organiser_password)
    response = client.post(
        f"/reporting/reports/{belgium.id}/review", data={"comment": "Clear, thank you."}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Report, belgium.id).state == ReportState.reviewed

    matrix = client.get(f"/reporting/rounds/{round_.id}").get_data(as_text=True)
    row = matrix.split('<th scope="row">Belgium</th>', 1)[1].split("</tr>", 1)[0]
    assert "Reviewed" in row and "Achieved" in row and "●" in row

    overview = client.get(f"/declarations/{declaration.id}/reporting").get_data(as_text=True)
    # Belgium joins France: 2 of the 9 signatories report commitment 1 achieved (the chart's
    # bar for the round says it in words; the bar is 2/9 of its width).
    first = overview.split('<h3 id="progress-1">', 1)[1].split("</li>", 1)[0]
    assert '<span class="bar-label">First progress report (2013)</span>' in first
    assert '<span class="bar-text">2 achieved, ' in first
    assert f'class="bar-achieved" x="0.0" width="{round(200 / 9, 2)}"' in first

    exported = client.get(f"/reporting/rounds/{round_.id}/report.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(exported)))
    belgian = next(r for r in rows if r["Delegation"] == "Belgium" and r["Commitment"] == "1")
    assert belgian["Status"] == "Achieved" and belgian["Victims identified"] == "42"
    assert "Taskforce fully staffed in June." in belgian["National actions"]

    figures = client.get(f"/declarations/{declaration.id}/reporting/figures.csv")
    assert "Belgium" in figures.get_data(as_text=True)
    workbook = load_workbook(
        io.BytesIO(client.get(f"/declarations/{declaration.id}/reporting/figures.xlsx").data)
    )
    values = [row for row in workbook.active.iter_rows(values_only=True) if row[3] == "Belgium"]
    assert values and values[0][-1] == 42

    (exporter,) = [
        e for e in flatten(hook().alliance_document_exporters()) if e.kind == "reporting_round"
    ]
    document = Document(
        io.BytesIO(exporter.generate(round=db.session.get(ReportingRound, round_.id)))
    )
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Belgium identified 42 victims with the new taskforce." in text


def test_done_when_through_the_api(client, seed_week, api_headers):
    seed = seed_week
    head, _ = seed.new_passwords["head"]
    organiser, _ = seed.new_passwords["organiser"]
    declaration, round_, belgium = _seed_round(seed)
    delegate = api_headers(head)
    team = api_headers(organiser)

    response = client.post(
        f"/api/v1/declarations/{declaration.id}/reporting/actions",
        json={
            "commitment_key": "offenders",
            "title": "Joint investigation teams",
            "lead_agency": "Federal Prosecutor",
            "target_date": "2013-12-31",
            "status": "planned",
        },
        headers=delegate,
    )
    assert response.status_code == 201, response.get_json()
    action_id = response.get_json()["id"]
    response = client.patch(
        f"/api/v1/reporting/actions/{action_id}", json={"status": "in_progress"}, headers=delegate
    )
    assert response.get_json()["status"] == "in_progress"
    listed = client.get(
        f"/api/v1/declarations/{declaration.id}/reporting/actions", headers=delegate
    ).get_json()
    assert [a["title"] for a in listed] == ["Joint investigation teams"]

    mine = client.get(f"/api/v1/reporting/rounds/{round_.id}/reports", headers=delegate)
    assert [r["delegation_name"] for r in mine.get_json()] == ["Belgium"]
    response = client.put(
        f"/api/v1/reporting/reports/{belgium.id}",
        json={
            "entries": {
                "offenders": {
                    "status": "in_progress",
                    "narrative": "Two joint teams with the Netherlands.",
                    "figures": {"offenders_prosecuted": 17},
                    "evidence_links": ["https://www.om-mp.be/"],
                    "action_progress": {str(action_id): "First team running."},
                }
            }
        },
        headers=delegate,
    )
    assert response.status_code == 200, response.get_json()
    response = client.post(f"/api/v1/reporting/reports/{belgium.id}/submit", headers=delegate)
    assert response.status_code == 200 and response.get_json()["state"] == "submitted"

    response = client.post(f"/api/v1/reporting/reports/{belgium.id}/review", json={}, headers=team)
    assert response.get_json()["state"] == "reviewed"
    matrix = client.get(f"/api/v1/reporting/rounds/{round_.id}/matrix", headers=team).get_json()
    row = next(r for r in matrix["rows"] if r["delegation_name"] == "Belgium")
    cells = {c["commitment_key"]: c["status"] for c in row["cells"]}
    assert cells["offenders"] == "in_progress" and row["report_state"] == "reviewed"
    rounds = client.get(
        f"/api/v1/declarations/{declaration.id}/reporting/rounds", headers=team
    ).get_json()
    assert rounds[0]["reviewed"] == 3 and rounds[0]["submitted"] == 5
    report = client.get(f"/api/v1/reporting/reports/{belgium.id}", headers=delegate).get_json()
    entry = next(e for e in report["entries"] if e["commitment_key"] == "offenders")
    assert entry["figures"] == {"offenders_prosecuted": 17}
    assert entry["actions"][0]["progress"] == "First team running."
    chart = client.get(f"/declarations/{declaration.id}/reporting/progress.svg")
    assert chart.status_code == 302  # pages need the session, not a token


def test_organiser_opens_a_round_and_sends_a_report_back_in_the_browser(
    client, world, round_, as_user
):
    from plugins.reporting import reports
    from plugins.reporting.tests.support import report_of

    as_user(world.organiser)
    response = client.post(
        f"/declarations/{world.declaration.id}/reporting/rounds/new",
        data={
            "title": "Second round",
            "period_start": "2031-03-02",
            "period_end": "2032-03-01",
            "deadline": "2032-04-30",
        },
    )
    assert response.status_code == 302
    second = db.session.scalar(
        sa.select(ReportingRound).where(ReportingRound.title == "Second round")
    )
    assert {r.delegation_id for r in second.reports} == {world.be.id, world.us.id}

    report = report_of(round_, world.be)
    reports.submit_report(report, actor=world.be_head)
    db.session.commit()
    response = client.post(f"/reporting/reports/{report.id}/return", data={"comment": ""})
    assert response.status_code == 422
    assert "Comment is required." in response.get_data(as_text=True)
    response = client.post(
        f"/reporting/reports/{report.id}/return", data={"comment": "Add your figures, please."}
    )
    assert response.status_code == 302
    as_user(world.be_head)
    page = client.get(f"/reporting/reports/{report.id}").get_data(as_text=True)
    assert "Add your figures, please." in page and "Fill in the report" in page
