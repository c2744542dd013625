"""Conference documents prepared by a background job (``alliance_conf.jobs``).

The job re-checks what a download checks (the owner's role, the exporter) when it runs, and
records the download's audit event as a direct download would; the file waits on the job for
its owner.
"""

from __future__ import annotations

from alliance_conf.auth.models import User
from alliance_conf.conferences.models import Conference
from alliance_conf.extensions import db
from alliance_conf.i18n import _
from plugins.documents import operations


def document_job(job, *, name: str, language: str | None = None) -> None:
    owner = db.session.get(User, job.owner_id)
    conference = db.session.get(Conference, job.conference_id)
    exporter = operations.get_exporter(name)
    job.total = 1
    kwargs = {"conference": conference}
    if language:
        kwargs["language"] = language
    data, filename = operations.generate(name, actor=owner, **kwargs)
    job.result = data
    job.result_name = filename
    job.result_type = exporter.content_type
    job.done, job.message = 1, _("Ready")
