"""The one place reporting sends mail from, so it can be switched to the shared outbox."""

from __future__ import annotations

import smtplib
import sys
from email.message import EmailMessage

from flask import current_app


def send_mail(recipients: list[str], subject: str, body: str) -> None:
    """Send a plain-text message through MAIL_*; print it to the console without MAIL_SERVER."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config.get("MAIL_DEFAULT_SENDER") or "no-reply@alliance-conf.invalid"
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message.set_content(body)
    server = config.get("MAIL_SERVER")
    if not server:
        sys.stdout.write(
            f"--- mail (MAIL_SERVER unset) ---\nFrom: {message['From']}\nTo: {message['To']}\n"
            f"Subject: {subject}\n\n{body}\n---\n"
        )
        return
    port = int(config.get("MAIL_PORT") or 25)
    smtp_class = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
    with smtp_class(server, port, timeout=30) as smtp:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)
