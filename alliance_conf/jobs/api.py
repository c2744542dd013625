from __future__ import annotations

import io
from datetime import datetime

from flask import send_file, url_for

from alliance_conf.api.framework import ApiBlueprint, ApiModel, api_user
from alliance_conf.core.errors import NotFound
from alliance_conf.i18n import _
from alliance_conf.jobs.models import JobState
from alliance_conf.jobs.operations import get_job

api = ApiBlueprint("jobs_api", __name__)


class JobOut(ApiModel):
    id: int
    title: str
    state: str
    done: int
    total: int
    percent: int
    message: str
    created_at: datetime
    finished_at: datetime | None
    download_url: str | None


def job_out(job) -> dict:
    return {
        "id": job.id,
        "title": job.title,
        "state": str(job.state),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "message": job.message,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "download_url": url_for("jobs_api.download", job_id=job.id)
        if job.state == JobState.done and job.result_name
        else None,
    }


@api.endpoint(
    "/jobs/<int:job_id>",
    "GET",
    roles=[],
    response=JobOut,
    summary="A background job you started: state and progress",
)
def get(job_id: int):
    """Only the person who started the job sees it (404 for anyone else)."""
    return job_out(get_job(job_id, api_user()))


@api.endpoint(
    "/jobs/<int:job_id>/file",
    "GET",
    roles=[],
    summary="The file a finished job produced (an export)",
    content_type="application/octet-stream",
)
def download(job_id: int):
    job = get_job(job_id, api_user())
    if job.state != JobState.done or job.result is None:
        raise NotFound(_("Job %(id)s has no file (yet).", id=job_id))
    # The API promises bytes of one declared type, whatever the job made (its file name tells
    # the kind); the web page serves the job's own type to browsers.
    return send_file(
        io.BytesIO(job.result),
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=job.result_name or f"job-{job.id}",
    )
