"""The plugin's e-mails (one-time codes, reminders) go through the core outbox.

A message is written in the same transaction as its action and sent once that commits, so a
failed SMTP send never loses the action: the message stays ``failed``, is listed for organisers
on the outbox page and is sent again by ``flask mail retry``.
"""

from __future__ import annotations

from flask import current_app

from alliance_conf.mail.models import MailMessage
from alliance_conf.mail.operations import queue_mail


def language_of(user) -> str:
    """The language a person's mail is written in: theirs, else the installation's default.
    Compose inside ``with force_locale(language_of(recipient)):``."""
    language = getattr(user, "language", None)
    if language in current_app.config["LANGUAGES"]:
        return language
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def send_mail(to: str, subject: str, body: str, *, conference_id: int | None = None) -> MailMessage:
    return queue_mail(to, subject, body, conference_id=conference_id)


def send_secret(to: str, subject: str, body: str) -> MailMessage | None:
    """A message carrying a secret (a one-time signing code): the outbox lists it for organisers
    but never shows its body (``MailMessage.confidential``)."""
    message = send_mail(to, subject, body)
    if isinstance(message, MailMessage):  # a test may have put a recorder in send_mail's place
        message.confidential = True
    return message
