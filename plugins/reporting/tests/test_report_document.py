"""The consolidated progress report as a document: every download link on the conference's
documents page answers, the API and `flask reporting report` give the same report."""

from __future__ import annotations

import re

from plugins.documents.tests.helpers import open_docx
from plugins.reporting.tests.test_overview_exports import _belgium_submits

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _text(data: bytes) -> str:
    return "\n".join(p.text for p in open_docx(data).paragraphs)


def test_every_link_on_the_documents_page_downloads(client, world, round_, as_user):
    _belgium_submits(world, round_)
    as_user(world.organiser)
    page = client.get(f"/conferences/{world.conference.slug}/documents")
    assert page.status_code == 200
    links = re.findall(r'href="([^"]+\.docx[^"]*)"', page.get_data(as_text=True))
    assert any("reporting-round.docx" in link for link in links)
    for link in links:
        response = client.get(link.replace("&amp;", "&"))
        assert response.status_code == 200, link
        assert response.mimetype == DOCX, link
    report = client.get(f"/conferences/{world.conference.slug}/documents/reporting-round.docx")
    assert "Belgium did it." in _text(report.data)


def test_report_through_the_api(client, world, round_, api_headers):
    _belgium_submits(world, round_)
    response = client.get(
        f"/api/v1/conferences/{world.conference.slug}/documents/reporting-round.docx",
        headers=api_headers(world.organiser),
    )
    assert response.status_code == 200 and response.mimetype == DOCX
    assert "First round" in _text(response.data)


def test_report_without_a_round_is_a_conflict(client, world, api_headers):
    response = client.get(
        f"/api/v1/conferences/{world.conference.slug}/documents/reporting-round.docx",
        headers=api_headers(world.organiser),
    )
    assert response.status_code == 409
    assert "no reporting round" in response.get_json()["error"]["message"].lower()


def test_cli_writes_the_report(app, world, round_, tmp_path):
    _belgium_submits(world, round_)
    out = tmp_path / "report.docx"
    result = app.test_cli_runner().invoke(
        args=["reporting", "report", str(round_.id), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Belgium did it." in _text(out.read_bytes())
    missing = app.test_cli_runner().invoke(
        args=["reporting", "report", "999999", "--out", str(tmp_path / "x.docx")]
    )
    assert missing.exit_code != 0 and "no reporting round 999999" in missing.output
    assert not (tmp_path / "x.docx").exists()


def test_report_is_a_valid_document_on_the_conference_template(world, round_):
    from plugins.documents.tests.helpers import field_instructions
    from plugins.documents.tests.test_documents_package import assert_native
    from plugins.reporting import exports

    _belgium_submits(world, round_)
    data = exports.round_docx(round=round_)
    assert_native(data)
    document = open_docx(data)
    section = document.sections[0]
    assert round(section.page_width.mm) == 210  # A4 from the template, not US Letter
    assert world.conference.title in "\n".join(p.text for p in section.header.paragraphs)
    footer_fields = field_instructions(section.footer._element)
    footer_fields += field_instructions(section.first_page_footer._element)
    names = {instruction.split()[0] for instruction in footer_fields}
    assert {"PAGE", "NUMPAGES"} <= names
    props = document.core_properties
    assert props.author != "python-docx" and props.created.year >= 2026
    assert props.title.startswith("Consolidated progress report")
