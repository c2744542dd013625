"""Proven addresses, the account life cycle and sessions (issue 12)."""

import re

import pytest
import sqlalchemy as sa

from alliance_conf.auth.models import EmailProof
from alliance_conf.auth.operations import find_user_by_email
from alliance_conf.extensions import db
from alliance_conf.mail.models import MailMessage
from alliance_conf.testing.fixtures import TEST_PASSWORD
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


# --- the account life cycle ----------------------------------------------------------------------


def link_in(message: MailMessage) -> str:
    return re.search(r"http://localhost(/auth/password/[^\s]+)", message.body_text).group(1)


def test_forgot_password_never_says_whether_the_address_exists(client, make_user):
    user = make_user()
    answers = []
    for email in (user.email, "nobody@example.org"):
        response = client.post("/auth/forgot", data={"email": email}, follow_redirects=True)
        text = response.get_data(as_text=True).replace(email, "<address>")
        answers.append((response.status_code, text))
    assert answers[0] == answers[1]
    assert last_mail(user.email) is not None and last_mail("nobody@example.org") is None


def test_a_reset_link_works_once_and_ends_sessions_and_tokens(
    client, app, make_user, login, api_headers
):
    user = make_user()
    other_device = app.test_client()
    login(user)
    other_device.post("/auth/login", data={"email": user.email, "password": TEST_PASSWORD})
    headers = api_headers(user)
    client.post("/auth/logout")
    client.post("/auth/forgot", data={"email": user.email})
    link = link_in(last_mail(user.email))
    new = {"password": "Saffron kettle 91 meadows", "password_again": "Saffron kettle 91 meadows"}
    assert client.post(link, data=new).status_code == 302
    # Used twice: refused, and the password stays the first choice.
    again = {"password": "Another 77 quiet harbour", "password_again": "Another 77 quiet harbour"}
    assert client.post(link, data=again).status_code == 410
    db.session.expire_all()
    assert user.check_password(new["password"]) and not user.check_password(TEST_PASSWORD)
    # Every earlier session and API token of the account ended.
    assert other_device.get("/me").status_code == 302
    assert_error(client.get("/api/v1/auth/me", headers=headers), 401, "unauthorised")
    login(user, password=new["password"])


def test_a_late_reset_link_is_refused(client, make_user):
    from alliance_conf.auth.models import AccountToken
    from alliance_conf.core.db import utcnow

    user = make_user()
    client.post("/auth/forgot", data={"email": user.email})
    link = link_in(last_mail(user.email))
    db.session.execute(sa.update(AccountToken).values(expires_at=utcnow()))
    db.session.commit()
    strong = "Saffron kettle 91 meadows"
    late = client.post(link, data={"password": strong, "password_again": strong})
    assert late.status_code == 410 and "expired" in late.get_data(as_text=True)


def test_accounts_made_on_someones_behalf_get_a_set_password_link(client, login, world):
    login(world.organiser)
    response = client.post(
        f"/conferences/{SLUG}/registrations/new",
        data={
            "delegation_id": world.a.id,
            "full_name": "Paul Proxy",
            "email": "paul@example.be",
            "function": "adviser",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    client.post("/auth/logout")
    message = db.session.scalar(
        sa.select(MailMessage).where(
            MailMessage.to_address == "paul@example.be", MailMessage.subject.like("Set the%")
        )
    )
    assert message.subject == "Set the password of your alliance-conf account"
    strong = "Copper lantern 58 orchards"
    link = link_in(message)
    assert (
        "Paul Proxy" in client.get(link).get_data(as_text=True)
        or client.get(link).status_code == 200
    )
    assert client.post(link, data={"password": strong, "password_again": strong}).status_code == 302
    paul = find_user_by_email("paul@example.be")
    login(paul, password=strong)


def test_weak_passwords_are_refused(client, login, make_user):
    user = make_user()
    login(user)
    for weak in ("short", "password1234", "aaaaaaaaaaaaaa", user.email):
        response = client.post(
            "/auth/password",
            data={
                "current_password": TEST_PASSWORD,
                "new_password": weak,
                "new_password_again": weak,
            },
        )
        assert response.status_code == 422, weak
    db.session.expire_all()
    assert user.check_password(TEST_PASSWORD)


def test_change_password_asks_the_current_one_and_ends_other_sessions(
    client, app, login, make_user, api_headers
):
    user = make_user()
    elsewhere = app.test_client()
    elsewhere.post("/auth/login", data={"email": user.email, "password": TEST_PASSWORD})
    headers = api_headers(user)
    login(user)
    strong = "Marble falcon 23 rivers"
    data = {"current_password": "not it", "new_password": strong, "new_password_again": strong}
    assert client.post("/auth/password", data=data).status_code == 422
    data["current_password"] = TEST_PASSWORD
    assert client.post("/auth/password", data=data).status_code == 302
    assert client.get("/me").status_code == 200  # this session goes on
    assert elsewhere.get("/me").status_code == 302  # the other one ended
    assert_error(client.get("/api/v1/auth/me", headers=headers), 401, "unauthorised")


def test_every_failed_sign_in_looks_the_same_and_verifies_one_hash(client, make_user, monkeypatch):
    from alliance_conf.auth import models

    calls = []

    class Counting:
        def hash(self, password):
            return models.CHEAP_HASHER.hash(password)

        def verify(self, hashed, password):
            calls.append(1)
            return models.CHEAP_HASHER.verify(hashed, password)

    monkeypatch.setattr(models, "password_hasher", Counting)
    active = make_user()
    inactive = make_user()
    inactive.is_active_account = False
    no_password = make_user(password=None)
    db.session.commit()
    answers = []
    for email, password in (
        ("nobody@example.org", TEST_PASSWORD),
        (active.email, "wrong password"),
        (inactive.email, TEST_PASSWORD),
        (no_password.email, TEST_PASSWORD),
    ):
        calls.clear()
        response = client.post("/auth/login", data={"email": email, "password": password})
        answers.append(
            (
                response.status_code,
                "The e-mail or the password is wrong." in response.get_data(as_text=True),
            )
        )
        assert len(calls) == 1, email
    assert set(answers) == {(422, True)}


# --- sessions --------------------------------------------------------------------------------


def age_session(client, **seconds_ago):
    import time

    from alliance_conf.auth.sessions import SEEN_AT, SIGNED_IN_AT

    now = int(time.time())
    with client.session_transaction() as stored:
        if "signed_in" in seconds_ago:
            stored[SIGNED_IN_AT] = now - seconds_ago["signed_in"]
        if "seen" in seconds_ago:
            stored[SEEN_AT] = now - seconds_ago["seen"]


def test_idle_and_absolute_timeouts(client, login, make_user):
    user = make_user()
    login(user)
    page = client.get("/me")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    age_session(client, seen=29 * 60)
    assert client.get("/me").status_code == 200
    age_session(client, seen=31 * 60)
    assert client.get("/me").status_code == 302
    login(user)
    age_session(client, signed_in=13 * 3600, seen=10)
    assert client.get("/me").status_code == 302


def test_remember_me_lasts_at_most_thirty_days(app, client, make_user):
    from datetime import timedelta

    assert app.config["REMEMBER_COOKIE_DURATION"] <= timedelta(days=30)
    user = make_user()
    client.post(
        "/auth/login", data={"email": user.email, "password": TEST_PASSWORD, "remember": "y"}
    )
    age_session(client, signed_in=13 * 3600, seen=2 * 3600)
    assert client.get("/me").status_code == 200
    age_session(client, signed_in=31 * 24 * 3600)
    assert client.get("/me").status_code == 302


def test_a_session_that_ends_mid_form_comes_back_with_what_was_typed(
    client, login, make_user, make_app
):
    organiser = make_user("organiser")
    login(organiser)
    client.get("/conferences/new")
    age_session(client, seen=3600)
    typed = {"title": "Summit on typed data", "slug": "typed", "city": "Lisbon"}
    response = client.post("/conferences/new", data=typed)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    login(organiser)
    form = client.get("/conferences/new").get_data(as_text=True)
    assert 'value="Summit on typed data"' in form and 'value="Lisbon"' in form
    # The kept form is given back once.
    assert "Summit on typed data" not in client.get("/conferences/new").get_data(as_text=True)


def test_a_form_posted_after_the_session_is_gone_is_not_a_csrf_400(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    client.get("/auth/login")
    with client.session_transaction() as ended:  # what an ended session leaves: no token
        ended.clear()
        ended["_flashes"] = [("info", "Your session ended. Please sign in again.")]
    typed = {"title": "Kept across sign-in", "csrf_token": "from-the-old-session"}
    response = client.post("/conferences/new", data=typed)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    # A cross-site post (no session cookie reaches us) is still a plain CSRF refusal.
    assert app.test_client().post("/conferences/new", data=typed).status_code == 400


def test_changing_the_address_needs_the_code_and_tells_the_old_address(client, login, make_user):
    user = make_user()
    old = user.email
    login(user)
    data = {"new_email": "new.home@example.org", "password": TEST_PASSWORD}
    first = client.post("/auth/email", data=data)
    assert first.status_code == 422 and "We sent a 6-digit code" in first.get_data(as_text=True)
    db.session.expire_all()
    assert user.email == old
    code = code_in(last_mail("new.home@example.org"))
    wrong = "000000" if code != "000000" else "999999"
    assert client.post("/auth/email", data={**data, "email_code": wrong}).status_code == 422
    assert client.post("/auth/email", data={**data, "email_code": code}).status_code == 302
    db.session.expire_all()
    assert user.email == "new.home@example.org"
    notice = last_mail(old)
    assert notice.subject == "The e-mail address of your account was changed"
    assert "new.home@example.org" in notice.body_text
    bad = client.post("/auth/email", data={"new_email": "x@example.org", "password": "nope"})
    assert bad.status_code == 422 and "password is not correct" in bad.get_data(as_text=True)
