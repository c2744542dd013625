"""Proven addresses, the account life cycle and sessions (issue 12)."""

import re

import pytest
import sqlalchemy as sa

from alliance_conf.auth.models import EmailProof
from alliance_conf.auth.operations import find_user_by_email
from alliance_conf.extensions import db
from alliance_conf.mail.models import MailMessage
from tests.accreditation_support import build_world
from tests.test_api import assert_error
from tests.test_invitations import REGISTER, SLUG, invite


@pytest.fixture
def world(make_user, make_conference, make_delegation, make_registration):
    return build_world(make_user, make_conference, make_delegation, make_registration)


def last_mail(to: str) -> MailMessage | None:
    return db.session.scalars(
        sa.select(MailMessage).where(MailMessage.to_address == to).order_by(MailMessage.id.desc())
    ).first()


def code_in(message: MailMessage) -> str:
    return re.search(r"\b(\d{6})\b", message.body_text).group(1)


# --- proven addresses ----------------------------------------------------------------------------


def test_another_address_needs_the_code_sent_to_it(client, login, world):
    token = invite(client, login, world)  # sent to marie@example.be
    other = {**REGISTER, "email": "someone.else@example.org"}
    first = client.post(f"/register/{token}", data=other)
    assert first.status_code == 422
    assert "We sent a 6-digit code to someone.else@example.org" in first.get_data(as_text=True)
    assert find_user_by_email("someone.else@example.org") is None
    message = last_mail("someone.else@example.org")
    right = code_in(message)
    assert right not in message.subject  # organisers see subjects on the outbox page
    wrong = "000000" if right != "000000" else "999999"
    refused = client.post(f"/register/{token}", data={**other, "email_code": wrong})
    assert refused.status_code == 422 and "not the one we sent" in refused.get_data(as_text=True)
    assert find_user_by_email("someone.else@example.org") is None
    done = client.post(f"/register/{token}", data={**other, "email_code": right})
    assert done.status_code == 302, done.get_data(as_text=True)[:500]
    assert find_user_by_email("someone.else@example.org") is not None
    # The code works once.
    assert db.session.scalar(sa.select(EmailProof.used_at)) is not None


def test_the_invited_address_registers_at_once(client, login, world):
    token = invite(client, login, world)
    assert client.post(f"/register/{token}", data=REGISTER).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(EmailProof.id))) == 0


def test_api_registration_with_another_address_needs_the_code(client, login, world):
    token = invite(client, login, world)
    base = f"/api/v1/conferences/{SLUG}/registrations"
    body = {
        "token": token,
        "email": "else@example.org",
        "full_name": "Else Where",
        "password": REGISTER["password"],
        "privacy_accepted": True,
    }
    assert_error(client.post(base, json=body), 422, "email_proof_required")
    assert find_user_by_email("else@example.org") is None
    code = code_in(last_mail("else@example.org"))
    created = client.post(base, json={**body, "email_code": code})
    assert created.status_code == 201, created.get_json()


def test_wrong_codes_are_counted_and_spend_the_code(client, login, world, app):
    token = invite(client, login, world)
    other = {**REGISTER, "email": "guess@example.org"}
    client.post(f"/register/{token}", data=other)
    right = code_in(last_mail("guess@example.org"))
    wrong = "111111" if right != "111111" else "222222"
    for _ in range(app.config["EMAIL_PROOF_MAX_ATTEMPTS"]):
        assert (
            client.post(f"/register/{token}", data={**other, "email_code": wrong}).status_code
            == 422
        )
    late = client.post(f"/register/{token}", data={**other, "email_code": right})
    assert late.status_code == 422 and "tried too often" in late.get_data(as_text=True)
    assert find_user_by_email("guess@example.org") is None


def test_a_session_fixed_before_registering_does_not_survive(client, login, world):
    """An attacker who planted a session (and so knows its CSRF secret) loses it at sign-in."""
    token = invite(client, login, world)
    with client.session_transaction() as planted:
        planted["csrf_token"] = "known-to-the-attacker"
        planted["attacker"] = "was here"
    assert client.post(f"/register/{token}", data=REGISTER).status_code == 302
    with client.session_transaction() as after:
        assert after.get("csrf_token") != "known-to-the-attacker"
        assert "attacker" not in after
        assert after.get("_user_id")
