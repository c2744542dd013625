"""Starting, running and reporting background jobs. Callers commit.

Where a job runs:

* ``JOBS_REDIS_URL`` set (production, several hosts): it goes on the RQ queue ``JOBS_QUEUE`` on
  that Redis once the transaction that started it commits; ``flask jobs worker`` processes (any
  number, on any host) take it from there.
* unset (``make run``, most tests): it runs in this process right after that commit, in a
  transaction of its own. Nothing else changes: the same functions, the same ``Job`` rows.

A job is a plain function named by its dotted path (``"package.module:function"``), so the
queue holds only that name and ids, never pickled objects. Tracked jobs (``start_job``) have a
``Job`` row with progress that the person who started them watches at ``/jobs/<id>``; untracked
ones (``dispatch``: delivering the outbox) leave their trace where they work.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from contextlib import nullcontext

import sqlalchemy as sa
from flask import current_app

from alliance_conf.audit.operations import log_event
from alliance_conf.core.aftercommit import after_commit
from alliance_conf.core.db import utcnow
from alliance_conf.core.errors import NotFound
from alliance_conf.extensions import db
from alliance_conf.i18n import _, force_locale
from alliance_conf.jobs.models import Job, JobState

QUEUE_KEY = "alliance_jobs_queue"
RUN_JOB = "alliance_conf.jobs.operations:run_job"
log = logging.getLogger(__name__)


def uses_queue() -> bool:
    return bool(current_app.config.get("JOBS_REDIS_URL"))


def queue():
    """The RQ queue of this app (one Redis connection per app and process)."""
    from redis import Redis
    from rq import Queue

    app = current_app._get_current_object()
    found = app.extensions.get(QUEUE_KEY)
    if found is None:
        connection = Redis.from_url(app.config["JOBS_REDIS_URL"])
        found = app.extensions[QUEUE_KEY] = Queue(app.config["JOBS_QUEUE"], connection=connection)
    return found


def resolve(target: str) -> Callable:
    module, _, name = target.partition(":")
    if not module.startswith(("alliance_conf.", "plugins.")) or not name:
        raise ValueError(f"not a job of this project: {target!r}")
    return getattr(importlib.import_module(module), name)


def dispatch(target: str, *args) -> None:
    """Run ``target(*args)`` on a worker (queue configured) or here and now. Call it after
    commit (``after_commit(dispatch, ...)``): a job must never see uncommitted data."""
    resolve(target)  # a typo fails here, in the caller, not later on a worker
    if uses_queue():
        queue().enqueue_call(
            run_target,
            args=(target, *args),
            timeout=current_app.config["JOBS_TIMEOUT"],
            description=target,
        )
    else:
        run_target(target, *args)


def run_target(target: str, *args) -> None:
    """What a worker (or this process) runs: ``target(*args)`` in an app context and a
    transaction of its own, committed when it returns."""
    app = current_app._get_current_object()
    with app.app_context():
        try:
            resolve(target)(*args)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise


# --- tracked jobs ----------------------------------------------------------------------------


def start_job(target: str, *, title: str, owner, conference_id: int | None = None, **params):
    """Record a job for ``owner`` and run ``target(job, **params)`` once the caller commits."""
    resolve(target)
    job = Job(
        kind=target,
        title=title[:300],
        params=params,
        owner_id=getattr(owner, "id", None),
        conference_id=conference_id,
    )
    db.session.add(job)
    db.session.flush()
    log_event("job.started", job, actor=owner, data={"kind": target, "title": job.title})
    after_commit(_dispatch_job, job.id)
    return job


def _dispatch_job(job_id: int) -> None:
    try:
        dispatch(RUN_JOB, job_id)
    except Exception as exc:  # the queue is unreachable: say so on the job's page
        log.exception("job %s could not be queued", job_id)
        _finish_failed(
            job_id, _("The job could not be queued (%(error)s).", error=type(exc).__name__)
        )


def run_job(job_id: int) -> None:
    job = db.session.get(Job, job_id)
    if job is None or job.state != JobState.queued:
        return  # gone, or already taken by another worker
    job.state = JobState.running
    job.started_at = utcnow()
    db.session.commit()
    try:
        resolve(job.kind)(job, **job.params)
        job.state = JobState.done
        job.finished_at = utcnow()
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        log.exception("job %s (%s) failed", job_id, job.kind)
        # in the language the job was started in, when it says (an export does)
        language = (job.params or {}).get("language")
        with force_locale(language) if language else nullcontext():
            message = _(
                "The job failed (%(error)s). The error is logged.", error=type(exc).__name__
            )
        _finish_failed(job_id, message)


def _finish_failed(job_id: int, message: str) -> None:
    with db.engine.begin() as conn:
        conn.execute(
            sa.update(Job)
            .where(Job.id == job_id)
            .values(state=JobState.failed, message=message[:500], finished_at=utcnow())
        )


def report_progress(job: Job, done: int, total: int | None = None, message: str = "") -> None:
    """Progress is written at once on a connection of its own, so the page shows it while the
    job's transaction is still open."""
    job.done = done
    if total is not None:
        job.total = total
    values = {"done": done, "message": message[:500]}
    if total is not None:
        values["total"] = total
    with db.engine.begin() as conn:
        conn.execute(sa.update(Job).where(Job.id == job.id).values(**values))


def get_job(job_id: int, user) -> Job:
    """A job is seen only by the person who started it."""
    job = db.session.get(Job, job_id)
    if job is None or user is None or job.owner_id != getattr(user, "id", None):
        raise NotFound(_("There is no job %(id)s of yours.", id=job_id))
    return job


def recent_jobs(user, limit: int = 20) -> list[Job]:
    return list(
        db.session.scalars(
            sa.select(Job)
            .where(Job.owner_id == user.id)
            .order_by(Job.created_at.desc(), Job.id.desc())
            .limit(limit)
        )
    )
