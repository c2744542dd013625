"""Conference documents of a large conference are prepared as background jobs: a button (not a
link) on the documents page, a job page with the file for the person who started it, the same
role checks as a download, and the same audit event."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from docx import Document

from alliance_conf.audit.models import AuditEvent
from alliance_conf.extensions import db
from alliance_conf.jobs.models import Job, JobState

SLUG = "large-2031"


@pytest.fixture
def large(app, monkeypatch, make_conference, make_delegates):
    """A conference just above the (lowered) background threshold."""
    monkeypatch.setitem(app.config, "DOCUMENTS_BACKGROUND_ABOVE", 3)
    conference = make_conference(slug=SLUG)
    make_delegates(conference, 4)
    return conference


def test_a_large_conference_prepares_its_documents_in_the_background(
    client, large, make_user, login
):
    staff = make_user(role="staff")
    login(staff)
    page = client.get(f"/conferences/{SLUG}/documents").get_data(as_text=True)
    assert "prepared in the background" in page
    assert f'action="/conferences/{SLUG}/documents/participants.docx/prepare"' in page
    assert f'href="/conferences/{SLUG}/documents/participants.docx' not in page

    started = client.post(f"/conferences/{SLUG}/documents/participants.docx/prepare")
    assert started.status_code == 302 and "/jobs/" in started.headers["Location"]
    job = db.session.scalar(sa.select(Job))
    assert (job.state, job.done, job.total) == (JobState.done, 1, 1)
    download = client.get(f"/jobs/{job.id}/download")
    assert download.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(download.data)).paragraphs)
    tables = " ".join(
        c.text for t in Document(io.BytesIO(download.data)).tables for r in t.rows for c in r.cells
    )
    assert "Delegate 3" in text + tables
    audited = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "documents.downloaded")
    ).all()
    assert [e.data["document"] for e in audited] == ["participants"]


def test_a_small_conference_keeps_direct_downloads(client, app, make_conference, make_user, login):
    make_conference(slug="small-2031")
    login(make_user(role="staff"))
    page = client.get("/conferences/small-2031/documents").get_data(as_text=True)
    assert "prepared in the background" not in page
    assert 'href="/conferences/small-2031/documents/participants.docx"' in page


def test_document_jobs_through_the_api_and_who_may_start_them(
    client, large, make_user, api_headers, login
):
    url = f"/api/v1/conferences/{SLUG}/documents/participants.docx/jobs"
    organiser = make_user(role="organiser")
    started = client.post(url, json={"language": "en"}, headers=api_headers(organiser))
    assert started.status_code == 202
    body = started.get_json()
    assert body["state"] == "done" and body["download_url"]
    assert client.get(body["download_url"], headers=api_headers(organiser)).status_code == 200
    # someone else's job is not theirs to see
    other = api_headers(make_user(role="staff"))
    assert client.get(f"/api/v1/jobs/{body['id']}", headers=other).status_code == 404
    # delegates and visitors may not start one; bad names and languages are refused
    assert client.post(url, json={}, headers=api_headers(make_user())).status_code == 403
    assert client.post(url, json={}).status_code == 401
    assert client.post(url, json={"language": "xx"}, headers=other).status_code == 422
    missing = f"/api/v1/conferences/{SLUG}/documents/nothing.docx/jobs"
    assert client.post(missing, json={}, headers=other).status_code == 404
    declaration_kind = f"/api/v1/conferences/{SLUG}/documents/final.docx/jobs"
    assert client.post(declaration_kind, json={}, headers=other).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(Job.id))) == 1
    # the web form needs its CSRF token and a team role
    login(make_user())
    assert (
        client.post(f"/conferences/{SLUG}/documents/participants.docx/prepare").status_code == 403
    )


def test_the_job_page_speaks_french(client, large, make_user, login):
    login(make_user(role="staff"))
    page = client.get(f"/conferences/{SLUG}/documents", headers={"Accept-Language": "fr"})
    assert "préparé en arrière-plan" in page.get_data(as_text=True)
