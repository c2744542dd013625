from __future__ import annotations

import io

from flask import abort, render_template, send_file
from flask_login import current_user

from alliance_conf.auth.access import login_required
from alliance_conf.jobs.models import JobState
from alliance_conf.jobs.operations import get_job, recent_jobs


@login_required
def index():
    """The jobs you started, newest first."""
    return render_template("jobs/index.html", jobs=recent_jobs(current_user))


@login_required
def show(job_id: int):
    """A job's progress, for the person who started it."""
    return render_template("jobs/show.html", job=get_job(job_id, current_user))


@login_required
def download(job_id: int):
    job = get_job(job_id, current_user)
    if job.state != JobState.done or job.result is None:
        abort(404)
    return send_file(
        io.BytesIO(job.result),
        mimetype=job.result_type or "application/octet-stream",
        as_attachment=True,
        download_name=job.result_name or f"job-{job.id}",
    )
