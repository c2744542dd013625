"""A real SMTP server on a free loopback port, and free ports for other test servers."""

from __future__ import annotations

import pytest


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (for a test server, or a closed port)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpInbox:
    """What the loopback SMTP server received, parsed as ``email.message.EmailMessage``."""

    def __init__(self):
        self.messages = []
        self.port = 0

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.content, policy=policy.default)
        message.envelope_rcpt = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp_server(app):
    """A real SMTP server (aiosmtpd) on a free loopback port; the app sends its mail there."""
    from aiosmtpd.controller import Controller

    inbox = SmtpInbox()
    inbox.port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    saved = {key: app.config.get(key) for key in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=inbox.port)
    try:
        yield inbox
    finally:
        controller.stop()
        app.config.update(saved)
