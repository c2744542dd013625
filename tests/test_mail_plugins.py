"""The signatures and reporting plugins send mail through the core outbox: a failed SMTP send
never loses the action, and the message is listed for organisers and sent again by retry."""

from datetime import date

import sqlalchemy as sa

from alliance_conf.declarations.models import Declaration
from alliance_conf.declarations.transitions import transition
from alliance_conf.extensions import db
from alliance_conf.mail.models import MailMessage, MailStatus
from alliance_conf.testing.fixtures import TEST_PASSWORD, free_port
from plugins.reporting import rounds
from plugins.reporting.models import Report
from plugins.signatures.models import Signature, SigningCode


def _open_declaration(seed):
    declaration = db.session.scalar(
        sa.select(Declaration).where(Declaration.conference_id == seed.conference.id)
    )
    transition(declaration, "consultation", actor=None)
    transition(declaration, "open", actor=None)
    db.session.commit()
    return declaration


def test_failed_smtp_during_signing_keeps_the_code_and_the_signature(
    app, make_app, cli, seed, api_headers, login, client, smtp_server
):
    declaration = _open_declaration(seed)
    head = seed.accounts["head"]
    head.set_password(TEST_PASSWORD)
    seed.accounts["organiser"].set_password(TEST_PASSWORD)
    db.session.commit()
    strict = make_app(
        SIGNATURES_REQUIRE_EMAIL_CODE=True, MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port()
    )
    headers = api_headers(head)
    api = strict.test_client()
    response = api.post(f"/api/v1/declarations/{declaration.id}/signing-code", headers=headers)
    assert response.status_code == 202  # the SMTP server is down, the request still succeeds
    assert db.session.scalar(sa.select(sa.func.count(SigningCode.id))) == 1
    message = db.session.scalar(sa.select(MailMessage).where(MailMessage.confidential))
    assert message.status == MailStatus.failed and message.to_address == head.email
    assert message.last_error
    code = message.body_text.split(" is ")[1][:6]
    assert code not in message.subject  # organisers see subjects on the outbox page

    signed = api.post(
        f"/api/v1/declarations/{declaration.id}/signatures",
        json={"password": TEST_PASSWORD, "typed_name": head.full_name, "code": code},
        headers=headers,
    )
    assert signed.status_code == 201, signed.get_json()
    assert db.session.scalar(sa.select(sa.func.count(Signature.id))) == 1

    login(seed.accounts["organiser"])
    page = client.get("/outbox").get_data(as_text=True)
    assert head.email in page and "Failed" in page and code not in page

    result = cli("mail", "retry")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(MailMessage, message.id).status == MailStatus.sent
    # Beside it, the notifications (the signature recorded) were retried too.
    (received,) = [m for m in smtp_server.messages if m["Subject"] == message.subject]
    assert code in received.get_body(("plain",)).get_content()


def test_failed_smtp_during_reporting_reminders_keeps_the_reminder(app, seed):
    declaration = _open_declaration(seed)
    organiser = seed.accounts["organiser"]
    round_ = rounds.open_round(
        declaration,
        title="Round with mail down",
        period_start=date(2013, 1, 1),
        period_end=date(2013, 12, 31),
        deadline=date(2014, 3, 31),
        actor=organiser,
    )
    db.session.commit()
    before = db.session.scalar(sa.select(sa.func.max(MailMessage.id))) or 0  # the seed's mail
    saved = {key: app.config.get(key) for key in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    try:
        result = rounds.send_reminders([round_], actor=organiser, now=None)
        db.session.commit()
    finally:
        app.config.update(saved)
    reminded = db.session.scalars(
        sa.select(Report).where(Report.round_id == round_.id, Report.reminders_sent > 0)
    ).all()
    assert result.sent and len(reminded) == len(result.sent)
    messages = db.session.scalars(sa.select(MailMessage).where(MailMessage.id > before)).all()
    assert len(messages) == sum(len(recipients) for _, _, recipients in result.sent)
    assert all(m.status == MailStatus.failed for m in messages)
