from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from alliance_conf.i18n import _
from alliance_conf.jobs.operations import queue


@click.group("jobs", help="Background jobs: run a worker that takes them from the Redis queue.")
def jobs_cli():
    pass


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
@with_appcontext
def worker(burst: bool):
    """Take jobs from JOBS_QUEUE on JOBS_REDIS_URL and run them, one at a time, until stopped
    (SIGTERM finishes the current job first). Run as many as the load needs, on any host."""
    from rq import SimpleWorker

    if not current_app.config.get("JOBS_REDIS_URL"):
        raise click.ClickException(_("JOBS_REDIS_URL is not set: jobs run in the web process."))
    jobs = queue()
    click.echo(_("worker on queue '%(name)s'", name=jobs.name), err=True)
    SimpleWorker([jobs], connection=jobs.connection).work(burst=burst, logging_level="WARNING")
