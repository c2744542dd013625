"""Reporting's mail goes through the core outbox: one message per recipient, written in the
action's transaction and sent after it commits (a failed send is listed and retried, never lost).
"""

from __future__ import annotations

from alliance_conf.mail.models import MailMessage
from alliance_conf.mail.operations import queue_mail


def send_mail(
    recipients: list[str], subject: str, body: str, *, conference_id: int | None = None
) -> list[MailMessage]:
    return [queue_mail(to, subject, body, conference_id=conference_id) for to in recipients]
