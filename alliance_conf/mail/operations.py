"""The outbox: mail is written in the same transaction as its action and sent after commit.

A failed send never undoes the action; the message stays ``failed`` with its error until
``flask mail retry`` (or the outbox page) sends it again.

Every message is written in its recipient's language: ``queue_mail`` and ``queue_template``
look the address up (the account's saved language, else the installation's default) and turn
the subject and body into text inside ``force_locale`` of that language. So the words must
still be untranslated when they arrive: a template name, a lazy string (``_l("Dear
%(name)s", name=...)``) or a callable that composes the text (``lambda: _("...") + ...``); text
translated beforehand with ``_`` would be in the language of whoever caused the mail.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

import sqlalchemy as sa
from flask import current_app, has_app_context, render_template
from jinja2 import TemplateNotFound
from sqlalchemy import event
from sqlalchemy.orm import Session

from alliance_conf.core.db import utcnow
from alliance_conf.extensions import db
from alliance_conf.i18n import force_locale
from alliance_conf.mail.models import MailMessage, MailStatus

OUTBOX_KEY = "alliance_outbox"
log = logging.getLogger(__name__)


MailText = str | Callable[[], str]
"""Text of a message: a string (a lazy one is translated on the way) or a callable composing it."""


def recipient_language(address: str) -> str:
    """The language to write to ``address`` in: its account's saved language, else the
    installation's default (people without an account yet, such as the invited)."""
    from alliance_conf.auth.operations import find_user_by_email
    from alliance_conf.i18n import configured_languages

    user = find_user_by_email(address or "")
    language = getattr(user, "language", None)
    if language in configured_languages():
        return language
    return current_app.config["BABEL_DEFAULT_LOCALE"]


@contextmanager
def in_recipient_language(address: str, language: str | None = None) -> Iterator[str]:
    """Compose inside this block to write in the recipient's language (yields the code)."""
    language = language or recipient_language(address)
    with force_locale(language):
        yield language


def _text(value: MailText | None) -> str | None:
    if value is None:
        return None
    return str(value() if callable(value) else value)


def queue_mail(
    to: str,
    subject: MailText,
    text: MailText,
    *,
    html: MailText | None = None,
    conference_id: int | None = None,
    language: str | None = None,
    confidential: bool = False,
) -> MailMessage:
    """Add a message to the outbox of the current transaction; it is sent once that commits.
    ``subject``, ``text`` and ``html`` become text in the recipient's language (``language``
    when the caller knows it). ``confidential``: the body holds a secret for the recipient
    alone (a code, a password link); organisers see that the message exists, never its body."""
    with in_recipient_language(to, language):
        subject, text, html = _text(subject), _text(text), _text(html)
    message = MailMessage(
        to_address=to,
        subject=subject[:300],
        body_text=text,
        body_html=html,
        conference_id=conference_id,
        status=MailStatus.queued,
        confidential=confidential,
    )
    db.session.add(message)
    db.session.flush()
    db.session.info.setdefault(OUTBOX_KEY, []).append(message.id)
    return message


def queue_template(
    to: str,
    subject: MailText,
    template: str,
    *,
    conference_id: int | None = None,
    language: str | None = None,
    **context,
) -> MailMessage:
    """Queue ``mail/<template>.txt`` (and ``.html`` when it exists) rendered with ``context``,
    in the recipient's language."""
    with in_recipient_language(to, language) as language:
        text = render_template(f"mail/{template}.txt", **context)
        try:
            html = render_template(f"mail/{template}.html", **context)
        except TemplateNotFound:
            html = None
        subject = _text(subject)
    return queue_mail(to, subject, text, html=html, conference_id=conference_id, language=language)


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    ids = session.info.pop(OUTBOX_KEY, None)
    if not ids or not has_app_context():
        return
    if not current_app.config.get("MAIL_SEND_ON_COMMIT", True):
        return
    from alliance_conf.jobs.operations import dispatch

    try:  # on a worker when a job queue is configured (thousands of invitations), else here
        dispatch("alliance_conf.mail.operations:deliver", ids)
    except Exception:  # the action is committed; mail stays queued for `flask mail retry`
        log.exception("delivering mail %s failed", ids)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(OUTBOX_KEY, None)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0


def build_email(message: MailMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain="alliance-conf.invalid")
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    return email


class _Transport:
    """One SMTP connection for a batch, opened at the first message; or the console."""

    def __init__(self, config):
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def send(self, email: EmailMessage) -> MailStatus:
        """Send (``sent``), or print to the console when ``MAIL_SERVER`` is unset (``printed``)."""
        config = self.config
        if not config.get("MAIL_SERVER"):
            text = email.get_body(("plain",)).get_content()
            sys.stdout.write(
                "--- mail (MAIL_SERVER unset: printed, not sent) ---\n"
                f"From: {email['From']}\nTo: {email['To']}\nSubject: {email['Subject']}\n\n"
                f"{text}--- end of mail ---\n"
            )
            sys.stdout.flush()
            return MailStatus.printed
        if self.smtp is None:
            self.smtp = self._connect()
        self.smtp.send_message(email)
        return MailStatus.sent

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        timeout = config.get("MAIL_TIMEOUT", 10)
        host, port = config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25)
        if config.get("MAIL_USE_SSL"):
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout)
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        return smtp

    def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.quit()
            self.smtp = None


def deliver(ids: list[int] | None = None, *, retry_failed: bool = False) -> DeliveryReport:
    """Send queued messages (``ids`` only, when given; failed ones too with ``retry_failed``).

    Runs in its own session so the caller's transaction is never touched; each message's
    outcome is committed on its own.
    """
    config = current_app.config
    statuses = [MailStatus.queued, MailStatus.failed] if retry_failed else [MailStatus.queued]
    report = DeliveryReport()
    transport = _Transport(config)
    with Session(db.engine) as session:
        statement = sa.select(MailMessage).where(MailMessage.status.in_(statuses))
        if ids is not None:
            statement = statement.where(MailMessage.id.in_(ids))
        messages = session.scalars(statement.order_by(MailMessage.id)).all()
        try:
            for message in messages:
                message.attempts += 1
                try:
                    outcome = transport.send(build_email(message, config["MAIL_DEFAULT_SENDER"]))
                except (smtplib.SMTPException, OSError, ValueError) as exc:
                    message.status = MailStatus.failed
                    message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                    report.failed += 1
                    transport.close()
                else:
                    message.status = outcome
                    message.sent_at = utcnow()
                    message.last_error = None
                    report.sent += 1
                session.commit()
        finally:
            transport.close()
    return report
