"""The outbox for organisers: it opens on a useful tab, console mail says "Printed", and a
message's body can be read (to copy an invitation link) except a confidential one (codes,
password links), which shows "Confidential: not shown"."""

from __future__ import annotations

import sqlalchemy as sa

from alliance_conf.extensions import db
from alliance_conf.mail.models import MailMessage, MailStatus
from tests.accreditation_support import build_world


def _world(make_user, make_conference, make_delegation, make_registration):
    return build_world(make_user, make_conference, make_delegation, make_registration)


def _message(to: str) -> MailMessage:
    return db.session.scalars(
        sa.select(MailMessage).where(MailMessage.to_address == to).order_by(MailMessage.id.desc())
    ).first()


def test_console_mail_is_printed_not_sent_and_the_outbox_opens_on_it(
    client, login, make_user, make_conference, make_delegation, make_registration
):
    world = _world(make_user, make_conference, make_delegation, make_registration)
    login(world.organiser)
    client.post(
        "/conferences/ministerial-2030/invitations/new",
        data={"delegation_id": world.a.id, "email": "printed@example.be", "full_name": "Min"},
    )
    message = _message("printed@example.be")
    assert message.status == MailStatus.printed and message.sent_at is not None
    page = client.get("/outbox").get_data(as_text=True)  # no failed or queued mail: all of it
    assert "printed@example.be" in page and "No message with this status" not in page
    assert "Printed" in page
    assert "printed@example.be" in client.get("/outbox?status=printed").get_data(as_text=True)


def test_organisers_read_an_invitation_body_but_never_a_secret(
    client, login, make_user, make_conference, make_delegation, make_registration
):
    from alliance_conf.auth import recovery
    from alliance_conf.auth.models import AccountTokenPurpose, EmailProofPurpose
    from alliance_conf.auth.proofs import send_code

    world = _world(make_user, make_conference, make_delegation, make_registration)
    login(world.organiser)
    client.post(
        "/conferences/ministerial-2030/invitations/new",
        data={"delegation_id": world.a.id, "email": "bounced@example.be", "full_name": "Min"},
    )
    invitation = _message("bounced@example.be")
    assert not invitation.confidential
    page = client.get(f"/outbox/{invitation.id}").get_data(as_text=True)
    assert "http://localhost/register/" in page  # the link to copy when mail bounced

    reset_url = recovery.issue_link(world.delegate_a, AccountTokenPurpose.reset_password)
    db.session.commit()
    send_code("proof@example.be", EmailProofPurpose.change_email, what="your account")
    for address, secret in (
        (world.delegate_a.email, reset_url.rsplit("/", 1)[1]),
        ("proof@example.be", None),
    ):
        message = _message(address)
        assert message.confidential, address
        page = client.get(f"/outbox/{message.id}").get_data(as_text=True)
        assert "Confidential: not shown." in page
        assert message.body_text not in page
        if secret:
            assert secret not in page
        assert message.subject in page  # that it exists, to whom and its status stay visible
    listing = client.get("/outbox?status=all").get_data(as_text=True)
    assert reset_url not in listing


def test_a_signing_code_mail_is_confidential(app, seed, make_app, api_headers):
    from alliance_conf.declarations.models import Declaration
    from alliance_conf.declarations.transitions import transition
    from alliance_conf.testing.fixtures import TEST_PASSWORD

    declaration = db.session.scalar(sa.select(Declaration))
    organiser = seed.accounts["organiser"]
    for state in ("consultation", "open"):
        if declaration.state != state:
            transition(declaration, state, actor=organiser)
    head = seed.accounts["head"]
    head.set_password(TEST_PASSWORD)
    db.session.commit()
    strict = make_app(SIGNATURES_REQUIRE_EMAIL_CODE=True)
    response = strict.test_client().post(
        f"/api/v1/declarations/{declaration.id}/signing-code", headers=api_headers(head)
    )
    assert response.status_code == 202
    message = db.session.scalars(
        sa.select(MailMessage).where(MailMessage.subject == "Your one-time signing code")
    ).one()
    assert message.confidential


def test_a_message_page_is_for_organisers_only(
    client, login, make_user, make_conference, make_delegation, make_registration
):
    from alliance_conf.mail.operations import queue_mail

    world = _world(make_user, make_conference, make_delegation, make_registration)
    message = queue_mail("someone@example.org", "Hello", "Body")
    db.session.commit()
    assert client.get(f"/outbox/{message.id}").status_code == 302
    for user, expected in (
        (world.delegate_a, 403),
        (world.staff, 403),
        (world.organiser, 200),
        (world.admin, 200),
    ):
        client.post("/auth/logout")
        login(user)
        assert client.get(f"/outbox/{message.id}").status_code == expected
    assert client.get("/outbox/999999").status_code == 404
