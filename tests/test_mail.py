"""The outbox: mail is written with its action, sent after commit, and never loses the action."""

import sqlalchemy as sa

from alliance_conf.extensions import db
from alliance_conf.invitations.models import Invitation, InvitationStatus
from alliance_conf.mail.models import MailMessage, MailStatus
from alliance_conf.testing.fixtures import free_port
from tests.accreditation_support import build_world, count


def _world(make_user, make_conference, make_delegation, make_registration):
    return build_world(make_user, make_conference, make_delegation, make_registration)


def test_invitation_mail_reaches_a_real_smtp_server(
    client, login, smtp_server, make_user, make_conference, make_delegation, make_registration
):
    world = _world(make_user, make_conference, make_delegation, make_registration)
    login(world.organiser)
    response = client.post(
        "/conferences/ministerial-2030/invitations/new",
        data={"delegation_id": world.a.id, "email": "Minister@Example.be", "full_name": "Min"},
    )
    assert response.status_code == 302
    (received,) = smtp_server.messages
    assert received["To"] == "minister@example.be"
    assert received["Subject"] == "Invitation to register: Ministerial conference 1"
    assert "no-reply@alliance-conf.invalid" in received["From"]
    text = received.get_body(("plain",)).get_content()
    assert "delegation of Belgium" in text
    assert "http://localhost/register/" in text
    html = received.get_body(("html",)).get_content()
    assert 'href="http://localhost/register/' in html
    message = db.session.scalar(sa.select(MailMessage))
    assert message.status == MailStatus.sent
    assert message.attempts == 1 and message.sent_at is not None
    assert message.conference_id == world.conference.id


def test_decision_mail_carries_the_rejection_reason(
    client, login, smtp_server, make_user, make_conference, make_delegation, make_registration
):
    world = _world(make_user, make_conference, make_delegation, make_registration)
    pending = make_registration(world.b, make_user(full_name="Paul Pending"), status="pending")
    login(world.organiser)
    response = client.post(
        f"/registrations/{pending.id}/status",
        data={"status": "rejected", "reason": "Not a member of the delegation."},
    )
    assert response.status_code == 302
    (received,) = smtp_server.messages
    assert received["To"] == pending.user.email
    assert "rejected" in received["Subject"]
    assert "Not a member of the delegation." in received.get_content()


def test_a_closed_smtp_port_keeps_the_action_and_lists_the_failure(
    app, client, login, make_user, make_conference, make_delegation, make_registration
):
    world = _world(make_user, make_conference, make_delegation, make_registration)
    saved = app.config["MAIL_SERVER"], app.config["MAIL_PORT"]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    try:
        login(world.organiser)
        response = client.post(
            "/conferences/ministerial-2030/invitations/new",
            data={"delegation_id": world.a.id, "email": "late@example.be"},
        )
    finally:
        app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = saved
    assert response.status_code == 302
    invitation = db.session.scalar(sa.select(Invitation))
    assert invitation.email == "late@example.be"
    assert invitation.status == InvitationStatus.pending
    message = db.session.scalar(sa.select(MailMessage))
    assert message.status == MailStatus.failed
    assert message.attempts == 1
    assert "Connection" in message.last_error or "refused" in message.last_error
    page = client.get("/outbox")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "late@example.be" in text and "Failed" in text


def test_flask_mail_retry_resends_failed_messages(
    app, cli, smtp_server, make_user, make_conference, make_delegation, make_registration
):
    _world(make_user, make_conference, make_delegation, make_registration)
    live_port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()
    result = cli(
        "invitations",
        "send",
        "--conference",
        "ministerial-2030",
        "--delegation",
        "be",
        "--email",
        "retry@example.be",
    )
    assert result.exit_code == 0, result.output
    message = db.session.scalar(sa.select(MailMessage))
    assert message.status == MailStatus.failed
    assert smtp_server.messages == []
    app.config["MAIL_PORT"] = live_port
    result = cli("mail", "retry")
    assert result.exit_code == 0, result.output
    assert "Sent 1, failed 0." in result.output
    db.session.expire_all()
    assert message.status == MailStatus.sent and message.attempts == 2
    assert message.last_error is None
    assert [m["To"] for m in smtp_server.messages] == ["retry@example.be"]


def test_retry_that_fails_again_exits_1(app, cli, make_conference, make_delegation):
    conference = make_conference(slug="retry-conf")
    make_delegation(conference, country_code="BE")
    saved = app.config["MAIL_SERVER"], app.config["MAIL_PORT"]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    try:
        cli(
            "invitations",
            "send",
            "--conference",
            "retry-conf",
            "--delegation",
            "BE",
            "--email",
            "x@example.org",
        )
        result = app.test_cli_runner().invoke(args=["mail", "retry"])
    finally:
        app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = saved
    assert result.exit_code == 1
    assert "failed 1" in result.output


def test_refused_action_sends_nothing(
    client, login, smtp_server, make_user, make_conference, make_delegation, make_registration
):
    world = _world(make_user, make_conference, make_delegation, make_registration)
    login(world.organiser)
    data = {"delegation_id": world.a.id, "email": "twice@example.be"}
    assert (
        client.post("/conferences/ministerial-2030/invitations/new", data=data).status_code == 302
    )
    response = client.post("/conferences/ministerial-2030/invitations/new", data=data)
    assert response.status_code == 422
    assert "already has a pending invitation" in response.get_data(as_text=True)
    assert count(MailMessage) == 1 and len(smtp_server.messages) == 1


def test_without_mail_server_mail_is_printed(cli, make_conference, make_delegation):
    conference = make_conference(slug="console-conf")
    make_delegation(conference, country_code="BE")
    result = cli(
        "invitations",
        "send",
        "--conference",
        "console-conf",
        "--delegation",
        "BE",
        "--email",
        "console@example.org",
    )
    assert result.exit_code == 0
    assert "To: console@example.org" in result.output
    assert "MAIL_SERVER unset" in result.output
    assert db.session.scalar(sa.select(MailMessage.status)) == MailStatus.printed  # not "sent"


def test_outbox_page_is_for_organisers(
    client, login, make_user, make_conference, make_delegation, make_registration
):
    world = _world(make_user, make_conference, make_delegation, make_registration)
    assert client.get("/outbox").status_code == 302
    for role, expected in [("delegate_a", 403), ("staff", 403), ("organiser", 200), ("admin", 200)]:
        client.post("/auth/logout")
        login(world.user(role))
        assert client.get("/outbox").status_code == expected, role


def test_flask_mail_list_shows_failed_messages(app, cli, make_conference, make_delegation):
    conference = make_conference(slug="list-conf")
    make_delegation(conference, country_code="BE")
    saved = app.config["MAIL_SERVER"], app.config["MAIL_PORT"]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    try:
        cli(
            "invitations",
            "send",
            "--conference",
            "list-conf",
            "--delegation",
            "BE",
            "--email",
            "listed@example.org",
        )
    finally:
        app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = saved
    result = cli("mail", "list", "--status", "failed")
    assert "listed@example.org" in result.output and "failed" in result.output
    assert cli("mail", "list", "--status", "sent").output == ""


def test_outbox_opens_on_what_needs_attention(client, login, make_user):
    from alliance_conf.mail.operations import queue_mail

    login(make_user(role="organiser"))
    gone = queue_mail("sent@example.org", "Already gone", "Hello")
    db.session.commit()
    gone.status = MailStatus.sent
    db.session.commit()
    page = client.get("/outbox").get_data(as_text=True)
    assert "Already gone" in page and "No message with this status" not in page
    bounced = queue_mail("bounce@example.org", "Bounced", "Hello")
    db.session.commit()
    bounced.status = MailStatus.failed
    db.session.commit()
    page = client.get("/outbox").get_data(as_text=True)
    assert "Bounced" in page and "Already gone" not in page  # failed mail first
