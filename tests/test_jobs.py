"""Background jobs: exports with progress for the person who started them, mail delivery off
the request path, in-process without Redis and on a real RQ worker with it."""

from __future__ import annotations

import io
import uuid

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from alliance_conf.extensions import db
from alliance_conf.jobs.models import Job, JobState
from alliance_conf.mail.models import MailMessage, MailStatus
from alliance_conf.testing.services import ensure_redis

SLUG = "jobs-2030"


@pytest.fixture
def conference(make_conference, make_delegates):
    conference = make_conference(slug=SLUG)
    make_delegates(conference, 5)
    return conference


def _rows(data: bytes) -> list:
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_an_export_job_runs_in_process_without_redis(
    client, conference, make_user, login, api_headers
):
    organiser = make_user(role="organiser")
    login(organiser)
    started = client.post(f"/conferences/{SLUG}/participants/export-jobs", data={"list": "full"})
    assert started.status_code == 302
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "Done" in page and "Download" in page
    job = db.session.scalar(sa.select(Job))
    assert (job.state, job.done, job.total) == (JobState.done, 5, 5)
    download = client.get(f"/jobs/{job.id}/download")
    rows = _rows(download.data)
    assert rows[0][:2] == ["Delegation", "Name"] and len(rows) == 6
    # Only the person who started it sees it.
    other = make_user(role="organiser")
    headers = api_headers(other)
    assert client.get(f"/api/v1/jobs/{job.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/jobs/{job.id}/file", headers=headers).status_code == 404
    mine = client.get(f"/api/v1/jobs/{job.id}", headers=api_headers(organiser)).get_json()
    assert mine["state"] == "done" and mine["percent"] == 100
    # Staff may export the published list, not the full one.
    staff_headers = api_headers(make_user(role="staff"))
    url = f"/api/v1/conferences/{SLUG}/participants/export-jobs"
    assert client.post(url, json={"list": "full"}, headers=staff_headers).status_code == 403
    assert client.post(url, json={"list": "published"}, headers=staff_headers).status_code == 202


@pytest.fixture
def queued_app(make_app):
    """The app with a real job queue on the test Redis: a queue name of its own, so that other
    test runs sharing that Redis never take these jobs."""
    from rq import Queue

    app = make_app(JOBS_REDIS_URL=ensure_redis(), JOBS_QUEUE=f"alliance-test-{uuid.uuid4().hex}")
    yield app
    with app.app_context():
        from alliance_conf.jobs.operations import queue

        jobs: Queue = queue()
        jobs.delete(delete_jobs=True)
        jobs.connection.close()


def _run_worker(app) -> None:
    """A real RQ worker (the one ``flask jobs worker`` runs) until the queue is empty."""
    from rq import SimpleWorker

    from alliance_conf.jobs.operations import queue

    with app.app_context():
        jobs = queue()
        SimpleWorker([jobs], connection=jobs.connection).work(burst=True)


def test_jobs_and_mail_wait_for_a_worker_when_a_queue_is_configured(
    queued_app, conference, make_user, api_headers
):
    from alliance_conf.mail.operations import queue_mail

    client = queued_app.test_client()
    headers = api_headers(make_user(role="organiser"))
    url = f"/api/v1/conferences/{SLUG}/participants/export-jobs"
    body = client.post(url, json={"list": "published"}, headers=headers).get_json()
    with queued_app.app_context():
        queue_mail("someone@example.org", "Queued", "Sent by a worker.")
        db.session.commit()
    db.session.expire_all()
    assert db.session.get(Job, body["id"]).state == JobState.queued  # nobody ran it here
    assert db.session.scalar(sa.select(MailMessage.status)) == MailStatus.queued

    _run_worker(queued_app)

    db.session.expire_all()
    job = db.session.get(Job, body["id"])
    assert (job.state, job.done, job.total) == (JobState.done, 5, 5)
    assert db.session.scalar(sa.select(MailMessage.status)) == MailStatus.printed  # by the worker
    done = client.get(f"/api/v1/jobs/{job.id}", headers=headers).get_json()
    assert done["download_url"].endswith(f"/api/v1/jobs/{job.id}/file")
    download = client.get(done["download_url"], headers=headers)
    assert len(_rows(download.data)) == 6
    # As the OpenAPI document declares (found by the long fuzzing run): bytes, named .xlsx.
    assert download.mimetype == "application/octet-stream"
    assert ".xlsx" in download.headers["Content-Disposition"]


def test_an_unreachable_queue_fails_the_job_visibly_and_keeps_the_mail(
    make_app, conference, make_user, api_headers
):
    from alliance_conf.mail.operations import queue_mail

    down = make_app(JOBS_REDIS_URL="redis://127.0.0.1:1/0")
    client = down.test_client()
    headers = api_headers(make_user(role="organiser"))
    url = f"/api/v1/conferences/{SLUG}/participants/export-jobs"
    response = client.post(url, json={"list": "published"}, headers=headers)
    assert response.status_code == 202  # the request itself is not held hostage
    job = client.get(f"/api/v1/jobs/{response.get_json()['id']}", headers=headers).get_json()
    assert job["state"] == "failed" and "could not be queued" in job["message"]
    with down.app_context():
        queue_mail("someone@example.org", "Kept", "For flask mail retry.")
        db.session.commit()
    assert db.session.scalar(sa.select(MailMessage.status)) == MailStatus.queued
