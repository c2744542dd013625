"""The core's interface in French: pages, dates in the conference's zone, API messages, e-mails in
the recipient's language, and the language each account keeps (web, API, CLI)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask import g

from alliance_conf.auth.models import User
from alliance_conf.extensions import db
from alliance_conf.formatting import format_date, format_date_range, format_datetime
from alliance_conf.i18n import force_locale
from alliance_conf.mail.models import MailMessage
from alliance_conf.registrations.models import Registration
from tests.accreditation_support import build_world, token_from_outbox

FR = {"Accept-Language": "fr-FR,fr;q=0.9"}
SLUG = "ministerial-2030"
BRUSSELS = SimpleNamespace(timezone="Europe/Brussels", start_date=date(2012, 12, 5))
NBSP = "\u00a0"


@pytest.fixture
def world(make_user, make_conference, make_delegation, make_registration):
    return build_world(make_user, make_conference, make_delegation, make_registration)


@contextmanager
def page_in(app, headers=None):
    """A request of its own: Flask-Babel keeps the chosen locale on ``g`` of the app context,
    which the ``app`` fixture shares between requests (the test client clears it, so do we)."""
    with app.test_request_context(headers=headers or {}):
        g.pop("_flask_babel", None)
        yield


def text_of(response) -> str:
    return response.get_data(as_text=True)


def mails_to(address: str) -> list[MailMessage]:
    return db.session.scalars(
        sa.select(MailMessage).where(MailMessage.to_address == address).order_by(MailMessage.id)
    ).all()


# --- dates, times and numbers -------------------------------------------------------------------


def test_french_dates_are_french_and_in_the_conference_zone(app):
    winter = datetime(2012, 12, 5, 13, 30, tzinfo=UTC)
    with page_in(app, FR):
        assert format_datetime(winter, BRUSSELS) == "5 décembre 2012, 14:30 CET (Europe/Brussels)"
        assert format_date(datetime(2012, 12, 5, 23, 30, tzinfo=UTC), BRUSSELS) == (
            "6 décembre 2012"
        ), "the local date, not the UTC one"
        assert (
            format_date_range(date(2031, 4, 30), date(2031, 5, 2)) == "30 avril \u2013 2 mai 2031"
        )
    with page_in(app):
        assert format_datetime(winter, BRUSSELS) == "5 December 2012, 14:30 CET (Europe/Brussels)"


def test_numbers_follow_the_language(app):
    page = app.jinja_env.from_string("{{ n | format_number }}")
    with page_in(app):
        assert page.render(n=2350) == "2,350"
    with page_in(app, FR):
        assert page.render(n=2350).replace("\u202f", " ").replace(NBSP, " ") == "2 350"


def test_a_french_conference_page_shows_its_dates_in_french_and_its_zone(client, world):
    world.conference.timezone = "Europe/Brussels"
    db.session.commit()
    text = text_of(client.get(f"/conferences/{SLUG}", headers=FR))
    assert "(Europe/Brussels)" in text
    months = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre")  # fmt: skip
    assert any(month in text for month in months), "the conference's dates in French"
    assert "Heures en" in text


# --- French pages ---------------------------------------------------------------------------------


def test_the_sign_in_page_speaks_french(client):
    text = text_of(client.get("/auth/login", headers=FR))
    assert '<html lang="fr">' in text
    assert "Se connecter" in text and "Mot de passe" in text
    assert "Password" not in text


def test_a_refused_sign_in_says_so_in_french(client, make_user):
    user = make_user("delegate")
    response = client.post(
        "/auth/login", data={"email": user.email, "password": "wrong password"}, headers=FR
    )
    assert "incorrect" in text_of(response)


def test_the_invitation_and_registration_pages_speak_french(client, login, world):
    login(world.organiser)
    invite_page = text_of(client.get(f"/conferences/{SLUG}/invitations/new", headers=FR))
    assert "Inviter" in invite_page
    client.post(
        f"/conferences/{SLUG}/invitations/new",
        data={"delegation_id": world.a.id, "email": "marie@example.be"},
        headers=FR,
    )
    client.post("/auth/logout")
    token = token_from_outbox("marie@example.be")
    register = text_of(client.get(f"/register/{token}", headers=FR))
    assert '<html lang="fr">' in register
    assert "Nom complet" in register and "Mot de passe" in register
    assert "Full name" not in register


# --- the API ------------------------------------------------------------------------------------


def test_api_error_messages_are_french_and_codes_stay(client, world, api_headers):
    headers = api_headers(world.delegate_a) | FR
    response = client.get("/api/v1/no-such-thing", headers=headers)
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert error["code"] == "not_found"
    assert "introuvable" in error["message"] or "trouvée" in error["message"]
    anonymous = client.get("/api/v1/auth/me", headers=FR).get_json()["error"]
    assert anonymous["code"] == "unauthorised" and "jeton" in anonymous["message"]
    english = client.get("/api/v1/auth/me").get_json()["error"]
    assert "bearer token" in english["message"]


def test_api_validation_messages_are_french(client, world, api_headers):
    response = client.patch(
        "/api/v1/auth/me", json={"language": "x" * 40}, headers=api_headers(world.delegate_a) | FR
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert "language" in error["fields"], "field names are never translated"
    assert "caractères" in error["fields"]["language"]


def test_me_shows_and_changes_the_language(client, world, api_headers):
    headers = api_headers(world.delegate_a)
    assert client.get("/api/v1/auth/me", headers=headers).get_json()["language"] is None
    changed = client.patch("/api/v1/auth/me", json={"language": "fr"}, headers=headers)
    assert changed.status_code == 200 and changed.get_json()["language"] == "fr"
    db.session.expire_all()
    assert db.session.get(User, world.delegate_a.id).language == "fr"
    # now the account's language answers, whatever the browser says
    again = client.patch("/api/v1/auth/me", json={"language": "fr"}, headers=headers)
    assert again.status_code == 422, "no-op PATCH"
    assert again.get_json()["error"]["message"].startswith("Rien à modifier")


def test_me_refuses_a_language_nobody_configured(client, world, api_headers):
    response = client.patch(
        "/api/v1/auth/me", json={"language": "xx"}, headers=api_headers(world.delegate_a)
    )
    assert response.status_code == 422
    assert "language" in response.get_json()["error"]["fields"]
    db.session.expire_all()
    assert db.session.get(User, world.delegate_a.id).language is None
    empty = client.patch("/api/v1/auth/me", json={}, headers=api_headers(world.delegate_a))
    assert empty.status_code == 422


# --- the CLI ------------------------------------------------------------------------------------


def test_cli_sets_a_language_and_refuses_an_unknown_one(cli, world):
    result = cli("users", "set-language", world.delegate_b.email, "fr")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(User, world.delegate_b.id).language == "fr"
    bad = cli("users", "set-language", world.delegate_b.email, "xx")
    assert bad.exit_code == 1 and "xx" in bad.output
    nobody = cli("users", "set-language", "nobody@example.org", "fr")
    assert nobody.exit_code == 1 and "nobody@example.org" in nobody.output


# --- registering keeps the language; e-mails in the recipient's language -----------------------


def register(client, token, email, headers):
    return client.post(
        f"/register/{token}",
        data={
            "full_name": "Marie Ministre",
            "email": email,
            "position": "Ministre de la Justice",
            "organisation": "SPF Justice",
            "function": "minister",
            "privacy_accepted": "y",
            "password": "a long enough password",
            "password_again": "a long enough password",
        },
        headers=headers,
    )


def invite(client, login, world, email):
    login(world.organiser)
    response = client.post(
        f"/conferences/{SLUG}/invitations/new",
        data={"delegation_id": world.a.id, "email": email},
    )
    assert response.status_code == 302
    client.post("/auth/logout")
    return token_from_outbox(email)


def test_registering_in_french_keeps_french_and_mail_follows(client, login, world):
    token = invite(client, login, world, "marie@example.be")
    invitation_mail = mails_to("marie@example.be")[0]
    assert "Invitation" in invitation_mail.subject  # no account yet: the site's default, English
    assert "Dear" in invitation_mail.body_text or "invited" in invitation_mail.body_text
    response = register(client, token, "marie@example.be", FR)
    assert response.status_code == 302, text_of(response)[:2000]
    user = db.session.scalar(sa.select(User).where(User.email == "marie@example.be"))
    assert user.language == "fr"
    received = mails_to("marie@example.be")[-1]
    assert "Inscription reçue" in received.subject
    # the organiser decides in English; Marie reads the decision in French
    client.post("/auth/logout")
    login(world.organiser)
    registration = db.session.scalar(sa.select(Registration).where(Registration.user_id == user.id))
    client.post(f"/registrations/{registration.id}/status", data={"status": "approved"})
    decision = mails_to("marie@example.be")[-1]
    assert "approuvée" in decision.subject and "Madame, Monsieur" not in decision.subject
    assert "approuvée" in decision.body_text


def test_an_english_speaker_gets_english_mail_from_a_french_organiser(
    client, login, world, make_user, make_registration
):
    world.organiser.language = "fr"
    speaker = make_user(full_name="Emma English")
    speaker.language = "en"
    registration = make_registration(world.b, speaker, status="pending")
    db.session.commit()
    login(world.organiser)
    page = client.post(f"/registrations/{registration.id}/status", data={"status": "approved"})
    assert page.status_code == 302
    flashed = text_of(client.get(f"/registrations/{registration.id}"))
    assert "approuvée" in flashed, "the organiser reads French"
    decision = mails_to(speaker.email)[-1]
    assert "approved" in decision.subject and "approuvée" not in decision.body_text


def test_an_invited_french_account_is_invited_in_french(client, login, world, make_conference,
                                                         make_delegation):  # fmt: skip
    world.delegate_b.language = "fr"
    db.session.commit()
    login(world.organiser)
    response = client.post(
        f"/conferences/{SLUG}/invitations/new",
        data={"delegation_id": world.a.id, "email": "fresh@example.be"},
    )
    assert response.status_code == 302
    other = make_conference(slug="other-2031")
    delegation = make_delegation(other, country_code="BE")
    from alliance_conf.invitations.operations import create_invitation

    create_invitation(delegation, world.delegate_b.email, actor=world.organiser)
    db.session.commit()
    french = mails_to(world.delegate_b.email)[-1]
    assert "Invitation à vous inscrire" in french.subject
    english = mails_to("fresh@example.be")[-1]
    assert "Invitation to register" in english.subject


def test_plugins_get_the_recipient_language_for_free(app, world):
    """A plugin writing through the core outbox with lazy strings gets each recipient's
    language without doing anything else."""
    from alliance_conf.i18n import _l
    from alliance_conf.mail.operations import queue_mail

    world.delegate_b.language = "fr"
    db.session.commit()
    with page_in(app), force_locale("en"):
        queue_mail(world.delegate_b.email, _l("Error"), lambda: str(_l("Cancel")))
        queue_mail(world.delegate_a.email, _l("Error"), lambda: str(_l("Cancel")))
        db.session.commit()
    assert (
        mails_to(world.delegate_b.email)[-1].subject,
        mails_to(world.delegate_b.email)[-1].body_text,
    ) == ("Erreur", "Annuler")
    assert mails_to(world.delegate_a.email)[-1].subject == "Error"
