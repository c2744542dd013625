"""Bad input from the issue: clear error, nothing stored, each tested."""

import sqlalchemy as sa

from alliance_conf.core.errors import ValidationFailed
from alliance_conf.extensions import db
from plugins.reporting import actions, reports
from plugins.reporting.models import (
    NationalAction,
    ReportEntry,
    ReportFigure,
    ReportingRound,
    ReportState,
)
from plugins.reporting.tests.support import report_of


def _count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- reporting on a commitment not endorsed ----------------------------------------------------


def test_report_on_a_commitment_not_endorsed_is_refused_by_the_api(
    client, world, round_, api_headers
):
    report = report_of(round_, world.be)
    assert report.commitment_keys == ["victims", "offenders"]
    response = client.put(
        f"/api/v1/reporting/reports/{report.id}",
        json={
            "entries": {
                "victims": {"status": "achieved", "narrative": "Fine"},
                "awareness": {"status": "achieved", "narrative": "Not ours"},
            }
        },
        headers=api_headers(world.be_head),
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert "did not endorse commitment 'awareness'" in error["fields"]["awareness.status"]
    assert _count(ReportEntry) == 0


def test_national_action_on_a_commitment_not_endorsed_is_refused(
    client, world, signatures, api_headers, as_user
):
    response = client.post(
        f"/api/v1/declarations/{world.declaration.id}/reporting/actions",
        json={"commitment_key": "awareness", "title": "Campaign"},
        headers=api_headers(world.be_head),
    )
    assert response.status_code == 422
    assert "did not endorse" in response.get_json()["error"]["fields"]["commitment_key"]
    as_user(world.be_head)
    page = client.get(f"/declarations/{world.declaration.id}/reporting/actions/new")
    assert 'value="awareness"' not in page.get_data(as_text=True)
    response = client.post(
        f"/declarations/{world.declaration.id}/reporting/actions/new",
        data={"commitment_key": "awareness", "title": "Campaign", "status": "planned"},
    )
    assert response.status_code == 422
    assert _count(NationalAction) == 0


def test_france_did_not_sign_so_it_has_no_report(world, round_):
    assert {r.delegation_id for r in round_.reports} == {world.be.id, world.us.id}
    assert report_of(round_, world.us).commitment_keys == ["victims", "offenders", "awareness"]


# --- editing a submitted report ----------------------------------------------------------------


def test_a_submitted_report_is_locked(client, world, round_, api_headers, as_user):
    report = report_of(round_, world.be)
    headers = api_headers(world.be_head)
    client.put(
        f"/api/v1/reporting/reports/{report.id}",
        json={"entries": {"victims": {"status": "in_progress", "narrative": "Before"}}},
        headers=headers,
    )
    assert (
        client.post(f"/api/v1/reporting/reports/{report.id}/submit", headers=headers).status_code
        == 200
    )
    response = client.put(
        f"/api/v1/reporting/reports/{report.id}",
        json={"entries": {"victims": {"status": "achieved", "narrative": "After"}}},
        headers=headers,
    )
    assert response.status_code == 409
    assert "locked" in response.get_json()["error"]["message"]
    again = client.post(f"/api/v1/reporting/reports/{report.id}/submit", headers=headers)
    assert again.status_code == 409
    as_user(world.be_head)
    assert client.get(f"/reporting/reports/{report.id}/edit").status_code == 409
    response = client.post(
        f"/reporting/reports/{report.id}/edit", data={"c0_status": "achieved", "c0_narrative": "X"}
    )
    assert response.status_code == 409
    db.session.expire_all()
    entry = db.session.scalar(
        sa.select(ReportEntry).where(
            ReportEntry.report_id == report.id, ReportEntry.commitment_key == "victims"
        )
    )
    assert entry.narrative == "Before" and entry.status.value == "in_progress"


# --- a delegation editing another's report -------------------------------------------------------


def test_a_delegation_cannot_touch_another_delegations_report(
    client, world, round_, api_headers, as_user
):
    report = report_of(round_, world.be)
    headers = api_headers(world.us_head)
    response = client.put(
        f"/api/v1/reporting/reports/{report.id}",
        json={"entries": {"victims": {"status": "achieved"}}},
        headers=headers,
    )
    assert response.status_code == 403
    assert client.get(f"/api/v1/reporting/reports/{report.id}", headers=headers).status_code == 403
    assert (
        client.post(f"/api/v1/reporting/reports/{report.id}/submit", headers=headers).status_code
        == 403
    )
    as_user(world.us_head)
    assert client.get(f"/reporting/reports/{report.id}").status_code == 403
    assert client.get(f"/reporting/reports/{report.id}/edit").status_code == 403
    response = client.post(f"/reporting/reports/{report.id}/edit", data={"c0_status": "achieved"})
    assert response.status_code == 403
    assert client.post(f"/reporting/reports/{report.id}/submit").status_code == 403
    db.session.expire_all()
    assert _count(ReportEntry) == 0
    assert report_of(round_, world.be).state == ReportState.draft


def test_a_delegation_cannot_edit_another_delegations_action(
    client, world, signatures, api_headers
):
    action = actions.create_action(
        world.declaration,
        world.be,
        actions.ActionData(commitment_key="victims", title="Belgian action"),
        actor=world.be_head,
    )
    db.session.commit()
    response = client.patch(
        f"/api/v1/reporting/actions/{action.id}",
        json={"title": "Hijacked"},
        headers=api_headers(world.us_head),
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(NationalAction, action.id).title == "Belgian action"


# --- figures -------------------------------------------------------------------------------------


def test_a_figure_that_is_not_a_number_is_refused(client, world, round_, api_headers, as_user):
    report = report_of(round_, world.be)
    response = client.put(
        f"/api/v1/reporting/reports/{report.id}",
        json={
            "entries": {
                "victims": {"status": "achieved", "figures": {"victims_identified": "lots"}}
            }
        },
        headers=api_headers(world.be_head),
    )
    assert response.status_code == 422
    message = response.get_json()["error"]["fields"]["victims.figures.victims_identified"]
    assert "must be a whole number" in message
    as_user(world.be_head)
    response = client.post(
        f"/reporting/reports/{report.id}/edit",
        data={
            "c0_status": "achieved",
            "c0_figure_victims_identified": "12.5",
            "c1_status": "achieved",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Victims identified must be a whole number" in page and 'aria-invalid="true"' in page
    assert _count(ReportEntry) == 0 and _count(ReportFigure) == 0


def test_a_negative_figure_is_refused(client, world, round_, api_headers, as_user):
    report = report_of(round_, world.be)
    response = client.put(
        f"/api/v1/reporting/reports/{report.id}",
        json={
            "entries": {
                "victims": {"status": "achieved", "figures": {"offenders_prosecuted": -3}},
            }
        },
        headers=api_headers(world.be_head),
    )
    assert response.status_code == 422
    assert (
        "cannot be negative"
        in response.get_json()["error"]["fields"]["victims.figures.offenders_prosecuted"]
    )
    as_user(world.be_head)
    response = client.post(
        f"/reporting/reports/{report.id}/edit",
        data={
            "c0_status": "achieved",
            "c0_figure_offenders_prosecuted": "-1",
            "c1_status": "achieved",
        },
    )
    assert response.status_code == 422
    assert "Offenders prosecuted cannot be negative." in response.get_data(as_text=True)
    assert _count(ReportEntry) == 0 and _count(ReportFigure) == 0


def test_unknown_indicator_and_bad_evidence_links_are_refused(world, round_):
    report = report_of(round_, world.be)
    try:
        reports.save_report(
            report,
            {
                "victims": reports.EntryData(
                    figures={"happiness": 3},
                    evidence_links=["javascript:alert(1)", "ftp://example.org/x"],
                )
            },
            actor=world.be_head,
        )
    except ValidationFailed as exc:
        assert "is not one of the indicators" in exc.fields["victims.figures.happiness"]
        assert "http:// or https://" in exc.fields["victims.evidence_links"]
    else:
        raise AssertionError("bad input was accepted")
    db.session.rollback()
    assert _count(ReportEntry) == 0


def test_the_indicator_list_is_configurable(app, world, round_, monkeypatch):
    monkeypatch.setitem(app.config, "REPORTING_INDICATORS", {"hotlines": "Hotlines opened"})
    report = report_of(round_, world.be)
    reports.save_report(
        report, {"victims": reports.EntryData(figures={"hotlines": "2"})}, actor=world.be_head
    )
    db.session.commit()
    assert report.entry("victims").figure("hotlines") == 2


# --- a deadline before the period ------------------------------------------------------------------


def test_a_deadline_before_the_end_of_the_period_is_refused(client, world, api_headers, as_user):
    response = client.post(
        f"/api/v1/declarations/{world.declaration.id}/reporting/rounds",
        json={
            "title": "Round",
            "period_start": "2031-01-01",
            "period_end": "2031-12-31",
            "deadline": "2031-06-30",
        },
        headers=api_headers(world.organiser),
    )
    assert response.status_code == 422
    assert "before the end of the period" in response.get_json()["error"]["fields"]["deadline"]
    as_user(world.organiser)
    response = client.post(
        f"/declarations/{world.declaration.id}/reporting/rounds/new",
        data={
            "title": "Round",
            "period_start": "2031-01-01",
            "period_end": "2031-12-31",
            "deadline": "2031-06-30",
        },
    )
    assert response.status_code == 422
    assert "is before the end of the period covered" in response.get_data(as_text=True)
    response = client.post(
        f"/declarations/{world.declaration.id}/reporting/rounds/new",
        data={
            "title": "Round",
            "period_start": "2031-12-31",
            "period_end": "2031-01-01",
            "deadline": "2032-01-01",
        },
    )
    assert response.status_code == 422
    assert "The period cannot end before it starts." in response.get_data(as_text=True)
    assert _count(ReportingRound) == 0


# --- review ----------------------------------------------------------------------------------------


def test_sending_back_needs_a_comment_and_only_a_submitted_report(
    client, world, round_, api_headers
):
    report = report_of(round_, world.be)
    team = api_headers(world.organiser)
    early = client.post(f"/api/v1/reporting/reports/{report.id}/review", json={}, headers=team)
    assert early.status_code == 409
    client.post(f"/api/v1/reporting/reports/{report.id}/submit", headers=api_headers(world.be_head))
    missing = client.post(
        f"/api/v1/reporting/reports/{report.id}/return", json={"comment": "  "}, headers=team
    )
    assert missing.status_code == 422
    response = client.post(
        f"/api/v1/reporting/reports/{report.id}/return",
        json={"comment": "Please add figures for commitment 1."},
        headers=team,
    )
    body = response.get_json()
    assert body["state"] == "draft" and body["review_comment"].startswith("Please add figures")
    assert body["submitted_at"] is None
