"""Overview matrix and chart, exports, the exporter hook, reminders, CLI, demo and switch-off."""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from docx import Document
from openpyxl import load_workbook

from alliance_conf.audit.models import AuditEvent
from alliance_conf.core.csvfile import safe_cell
from alliance_conf.extensions import db
from alliance_conf.plugins import PluginInfo, PluginState, flatten, get_registry, hook
from plugins.reporting import exports, reports, rounds
from plugins.reporting.models import Report, ReportingRound
from plugins.reporting.tests.support import report_of


def _fill_and_submit(report, actor, **entries):
    reports.save_report(report, entries, actor=actor)
    reports.submit_report(report, actor=actor)
    db.session.commit()


def _belgium_submits(world, round_, narrative="Belgium did it."):
    _fill_and_submit(
        report_of(round_, world.be),
        world.be_head,
        victims=reports.EntryData(
            status="achieved",
            narrative=narrative,
            figures={"victims_identified": 42},
            evidence_links=["https://example.org/evidence"],
        ),
        offenders=reports.EntryData(status="in_progress"),
    )


def test_matrix_shows_status_as_text_and_filters_by_group(client, world, round_, as_user):
    _belgium_submits(world, round_)
    as_user(world.staff)
    page = client.get(f"/reporting/rounds/{round_.id}").get_data(as_text=True)
    belgium = page.split('<th scope="row">Belgium</th>', 1)[1].split("</tr>", 1)[0]
    assert (
        "status-achieved" in belgium
        and ('<span aria-hidden="true">●</span><span class="visually-hidden">Achieved</span>')
        in belgium
    )
    assert "In progress" in belgium and "Not endorsed" in belgium
    us = page.split('<th scope="row">United States</th>', 1)[1].split("</tr>", 1)[0]
    assert us.count(">Not reported<") == 3
    partners = client.get(f"/reporting/rounds/{round_.id}?group=partner").get_data(as_text=True)
    assert "United States" in partners and '<th scope="row">Belgium</th>' not in partners
    assert "Send reminders now" not in page  # staff read, organisers act


def test_matrix_is_a_heat_map_whose_cells_say_their_status(client, world, round_, as_user):
    """Colour, a symbol and a word (hidden, read aloud and shown on hover) per cell; short
    column heads with the commitment's title in <abbr> and in a key above the table."""
    _belgium_submits(world, round_)
    as_user(world.staff)
    page = client.get(f"/reporting/rounds/{round_.id}").get_data(as_text=True)
    table = page.split('<table class="matrix heatmap">', 1)[1].split("</table>", 1)[0]
    head = table.split("</thead>", 1)[0]
    for number, title in ((1, "Victims"), (2, "Offenders"), (3, "Awareness")):
        assert (
            f'<th scope="col" class="heat-col"><abbr title="{title}">{number}</abbr>'
            f'<span class="visually-hidden"> {title}</span></th>'
        ) in head
    key = page.split('<ol class="commitment-key"', 1)[1].split("</ol>", 1)[0]
    assert (
        "<li><strong>1</strong> Victims</li>" in key
        and "<li><strong>3</strong> Awareness</li>" in key
    )

    def cells(name):
        row = table.split(f'<th scope="row">{name}</th>', 1)[1].split("</tr>", 1)[0]
        return re.findall(
            r'<td class="heat-cell status-([a-z-]+)" title="([^"]+)"><span aria-hidden="true">'
            r'(.)</span><span class="visually-hidden">([^<]+)</span></td>',
            row,
        )

    # Belgium endorsed 1 and 2 and reported on them; the US endorsed all and has not reported.
    assert cells("Belgium") == [
        ("achieved", "Achieved", "●", "Achieved"),
        ("in-progress", "In progress", "◐", "In progress"),
        ("not-endorsed", "Not endorsed", "\u2013", "Not endorsed"),
    ]
    assert cells("United States") == [("not-reported", "Not reported", "?", "Not reported")] * 3
    # The report's state comes after the cells (a phone shows the cells first).
    belgium = table.split('<th scope="row">Belgium</th>', 1)[1].split("</tr>", 1)[0]
    assert belgium.index("heat-cell") < belgium.index('class="heat-report"')


def test_matrix_json_and_group_filter(client, world, round_, api_headers):
    _belgium_submits(world, round_)
    data = client.get(
        f"/api/v1/reporting/rounds/{round_.id}/matrix?group=eu_member",
        headers=api_headers(world.organiser),
    ).get_json()
    assert [c["key"] for c in data["commitments"]] == ["victims", "offenders", "awareness"]
    (row,) = data["rows"]
    assert row["delegation_name"] == "Belgium"
    assert [c["status"] for c in row["cells"]] == ["achieved", "in_progress", "not_endorsed"]
    assert row["cells"][0]["label"] == "Achieved"


def test_progress_chart_is_accessible_svg_with_a_data_table(client, world, round_, as_user):
    _belgium_submits(world, round_)
    second = rounds.open_round(
        world.declaration,
        title="Second round",
        period_start=date(2031, 3, 2),
        period_end=date(2032, 3, 1),
        deadline=date(2032, 3, 1),
        actor=world.organiser,
    )
    db.session.commit()
    _fill_and_submit(
        report_of(second, world.us),
        world.us_head,
        victims=reports.EntryData(status="achieved"),
    )
    as_user(world.organiser)
    svg = client.get(f"/declarations/{world.declaration.id}/reporting/progress.svg")
    assert svg.mimetype == "image/svg+xml"
    text = svg.get_data(as_text=True)
    assert 'role="img"' in text and "<title" in text and "<desc" in text
    assert "First round: 1 of 2 achieved" in text and "Second round: 1 of 2 achieved" in text
    page = client.get(f"/declarations/{world.declaration.id}/reporting").get_data(as_text=True)
    # On the page the chart is HTML bars: round names and counts are page text.
    victims = page.split('<h3 id="progress-1">1. Victims</h3>', 1)[1].split("</ul>", 1)[0]
    assert '<span class="bar-label">First round</span>' in victims
    assert '<span class="bar-label">Second round</span>' in victims
    assert ">1 achieved, 0 in progress, 0 not started, 1 not reported</span>" in victims
    assert victims.count('class="bar-achieved" x="0.0" width="50.0"') == 2  # 1 of 2, twice
    assert 'aria-labelledby="progress-1"' in victims
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "the chart needs no inline script"
    assert "<caption>Progress per commitment and round (number of delegations)</caption>" in page


def test_round_exports_neutralise_formulas(client, world, round_, as_user):
    _belgium_submits(world, round_, narrative='=HYPERLINK("http://evil","x")')
    as_user(world.organiser)
    exported = client.get(f"/reporting/rounds/{round_.id}/report.csv")
    assert exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    belgian = next(r for r in rows if r["Delegation"] == "Belgium" and r["Commitment"] == "1")
    assert belgian["Narrative"].startswith("'=HYPERLINK")
    assert safe_cell("+1") == "'+1" and safe_cell(5) == 5
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)" and safe_cell("-2") == "'-2"


def test_figures_csv_and_xlsx_hold_every_submitted_figure(client, world, round_, as_user):
    _belgium_submits(world, round_)
    reports.save_report(
        report_of(round_, world.us),
        {"victims": reports.EntryData(figures={"victims_identified": 7})},
        actor=world.us_head,
    )  # a draft: not exported
    db.session.commit()
    as_user(world.staff)
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(f"/declarations/{world.declaration.id}/reporting/figures.csv").get_data(
                    as_text=True
                )
            )
        )
    )
    assert [(r["Delegation"], r["Indicator"], r["Value"]) for r in rows] == [
        ("Belgium", "victims_identified", "42")
    ]
    response = client.get(f"/declarations/{world.declaration.id}/reporting/figures.xlsx")
    assert response.mimetype == exports.XLSX_TYPE
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Round" and values[1][3] == "Belgium" and values[1][-1] == 42


def test_docx_exporter_hook_and_csv_fallback(app, client, world, round_, as_user):
    _belgium_submits(world, round_)
    exporters = [
        e for e in flatten(hook().alliance_document_exporters()) if e.kind == "reporting_round"
    ]
    assert len(exporters) == 1 and exporters[0].extension == "docx"
    document = Document(io.BytesIO(exporters[0].generate(round=round_)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "First round" in text and "Belgium did it." in text
    assert document.tables[0].rows[1].cells[1].text == "1"  # one delegation achieved 1

    as_user(world.organiser)
    registry = get_registry(app)
    documents = registry.plugins.get("documents") or PluginInfo(
        "documents", "plugins.documents", "alliance-conf", "0", PluginState.enabled
    )
    registry.plugins["documents"] = documents
    saved = documents.state
    try:
        documents.state = PluginState.enabled
        page = client.get(f"/reporting/rounds/{round_.id}").get_data(as_text=True)
        assert "report.docx" in page
        response = client.get(f"/reporting/rounds/{round_.id}/report.docx")
        assert response.status_code == 200 and response.mimetype == exports.DOCX_TYPE

        documents.state = PluginState.disabled
        page = client.get(f"/reporting/rounds/{round_.id}").get_data(as_text=True)
        assert "report.csv" in page and "report.docx" not in page
        assert client.get(f"/reporting/rounds/{round_.id}/report.docx").status_code == 404
    finally:
        documents.state = saved


# --- reminders -----------------------------------------------------------------------------------


def test_reminders_before_the_deadline_and_when_overdue_at_most_once_a_day(world, round_):
    sent = []
    due_day = datetime(2031, 6, 25, 9, 0, tzinfo=UTC)  # five days before the deadline
    result = rounds.send_reminders(
        [round_], actor=None, now=due_day, send=lambda *a: sent.append(a)
    )
    db.session.commit()
    assert sorted(kind for _, kind, _ in result.sent) == ["due", "due"]
    be_mail = next(m for m in sent if "Belgium" in m[1])
    assert be_mail[0] == [world.be_head.email]  # the adviser is not an authorised member
    assert "is due on 30 June 2031" in be_mail[1]

    again = rounds.send_reminders(
        [round_], actor=None, now=due_day + timedelta(hours=23), send=lambda *a: sent.append(a)
    )
    assert again.sent == [] and again.skipped_recent == 2
    late = rounds.send_reminders(
        [round_],
        actor=None,
        now=datetime(2031, 7, 2, 9, 0, tzinfo=UTC),
        send=lambda *a: sent.append(a),
    )
    db.session.commit()
    assert {kind for _, kind, _ in late.sent} == {"overdue"}
    assert "Overdue" in sent[-1][1]
    report = report_of(round_, world.be)
    assert report.reminders_sent == 2 and report.last_reminder_at is not None
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "reporting.reminder_sent")
    ).all()
    assert len(events) == 4 and {e.data["kind"] for e in events} == {"due", "overdue"}


def test_no_reminder_for_a_submitted_report_or_far_from_the_deadline(world, round_):
    _belgium_submits(world, round_)
    result = rounds.send_reminders(
        [round_], actor=None, now=datetime(2031, 6, 29, tzinfo=UTC), send=lambda *a: None
    )
    assert [r.delegation.name for r, _, _ in result.sent] == ["United States"]
    early = rounds.send_reminders(
        [round_], actor=None, now=datetime(2031, 4, 1, tzinfo=UTC), send=lambda *a: None
    )
    assert early.sent == []


def test_remind_cli_and_button(client, world, round_, cli, as_user, monkeypatch):
    monkeypatch.setattr("plugins.reporting.rounds.reminder_kind", lambda report, today: "overdue")
    result = cli("reporting", "remind", "--round", str(round_.id))
    assert result.exit_code == 0, result.output
    assert "2 reminders sent" in result.output
    assert "Subject: Overdue: Belgium's report for First round" in result.output  # console mail
    db.session.expire_all()
    again = cli("reporting", "remind")
    assert "0 reminders sent; 2 already reminded in the last 24 hours" in again.output
    assert cli("reporting", "remind", "--round", "999").exit_code == 1
    as_user(world.organiser)
    response = client.post(f"/reporting/rounds/{round_.id}/remind", follow_redirects=True)
    assert "2 reports were already reminded in the last 24 hours." in response.get_data(
        as_text=True
    )
    listing = cli("reporting", "rounds")
    assert "First round" in listing.output and "0/2 submitted" in listing.output


def test_smtp_is_used_when_mail_server_is_set(app, monkeypatch):
    """Reporting mail goes through the core outbox: queued, then sent over SMTP on commit."""
    import alliance_conf.mail.operations as outbox
    from alliance_conf.mail.models import MailMessage, MailStatus
    from plugins.reporting import mail

    delivered = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            delivered.append((host, port))

        def send_message(self, message):
            delivered.append(message["To"])

        def quit(self):
            pass

    monkeypatch.setattr(outbox.smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.org")
    monkeypatch.setitem(app.config, "MAIL_PORT", 25)
    mail.send_mail(["a@example.org"], "Subject", "Body")
    assert delivered == []  # nothing leaves before the action commits
    db.session.commit()
    assert delivered == [("smtp.example.org", 25), "a@example.org"]
    assert db.session.scalar(sa.select(MailMessage.status)) == MailStatus.sent


# --- coverage, demo, slots, switch-off ----------------------------------------------------------


def test_without_signatures_every_active_delegation_reports_on_everything(world):
    round_ = rounds.open_round(
        world.declaration,
        title="Assumed",
        period_start=date(2030, 1, 1),
        period_end=date(2030, 12, 31),
        deadline=date(2031, 1, 31),
        actor=world.organiser,
    )
    db.session.commit()
    assert round_.coverage == "assumed"
    assert len(round_.reports) == 3
    assert all(r.commitment_keys == ["victims", "offenders", "awareness"] for r in round_.reports)


def test_day_one_demo_has_no_round_nothing_being_signed(seed):
    from alliance_conf.demo.operations import load_demo

    load_demo()
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(ReportingRound.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Report.id))) == 0


def test_demo_week_opens_one_round_for_the_signatories_idempotently(seed_week):
    from alliance_conf.demo.operations import load_demo_story

    load_demo_story()
    rounds = db.session.scalars(sa.select(ReportingRound)).all()
    assert len(rounds) == 1 and rounds[0].coverage == "signatures"
    assert len(rounds[0].reports) == 8  # one per signatory, not one per delegation
    states = sorted(r.state.value for r in rounds[0].reports if r.state.value != "draft")
    assert states == ["reviewed", "reviewed", "submitted", "submitted"]
    late = [
        r.delegation.country_code
        for r in rounds[0].reports
        if r.state.value != "draft" and r.is_late
    ]
    assert late == ["RO"]
    assert db.session.scalar(sa.select(sa.func.count(Report.id))) == 8


def test_conference_and_declaration_pages_link_to_reporting(client, world, as_user, app):
    from flask import render_template_string

    as_user(world.be_head)
    page = client.get(f"/conferences/{world.conference.slug}").get_data(as_text=True)
    assert f"/declarations/{world.declaration.id}/reporting" in page
    as_user(None)
    anonymous = client.get(f"/conferences/{world.conference.slug}").get_data(as_text=True)
    assert "Follow-up reporting" not in anonymous
    with app.test_request_context():
        from flask_login import login_user

        login_user(world.organiser)
        html = render_template_string(
            "{{ render_slot('declaration-page', declaration=d, conference=d.conference) }}",
            d=world.declaration,
        )
    assert "Follow-up reporting on this declaration" in html


def test_core_runs_with_the_plugin_disabled(make_app, world):
    app = make_app(DISABLED_PLUGINS=["reporting"])
    assert get_registry(app).plugins["reporting"].state is PluginState.disabled
    client = app.test_client()
    page = client.get(f"/conferences/{world.conference.slug}")
    assert page.status_code == 200 and "Follow-up reporting" not in page.get_data(as_text=True)
    assert client.get("/reporting").status_code == 404
    api = client.get(f"/api/v1/declarations/{world.declaration.id}/reporting/rounds")
    assert api.status_code == 404
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert not any("reporting" in path for path in paths)


def test_openapi_documents_the_reporting_api(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "put" in paths["/api/v1/reporting/reports/{report_id}"]
    assert "post" in paths["/api/v1/declarations/{declaration_id}/reporting/rounds"]
    assert "get" in paths["/api/v1/reporting/rounds/{round_id}/matrix"]
