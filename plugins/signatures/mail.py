"""Sending the plugin's e-mails (one-time codes, reminders).

Kept in one small function so it can be switched to the project's mail outbox when it lands:
with ``MAIL_SERVER`` unset the message is printed to the console (development and demo), else it
goes out over SMTP with the ``MAIL_*`` settings.
"""

from __future__ import annotations

import logging
import smtplib
import sys
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)


def send_mail(to: str, subject: str, body: str) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config.get("MAIL_DEFAULT_SENDER") or "no-reply@alliance-conf.invalid"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    server = config.get("MAIL_SERVER")
    if not server:
        print(f"--- mail (MAIL_SERVER unset) ---\n{message}\n--- end of mail ---", file=sys.stderr)
        return
    port = int(config.get("MAIL_PORT") or 25)
    smtp_class = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
    with smtp_class(server, port, timeout=10) as smtp:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)
    log.info("mail %r sent to %s", subject, to)
