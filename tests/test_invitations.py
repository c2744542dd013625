"""Invitations: organisers invite, links are signed, expiring and revocable, CSV import."""

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from alliance_conf.audit.models import AuditEvent
from alliance_conf.core.db import utcnow
from alliance_conf.extensions import db
from alliance_conf.invitations.models import Invitation, InvitationStatus
from alliance_conf.mail.models import MailMessage
from alliance_conf.registrations.models import Registration
from tests.accreditation_support import build_world, count, token_from_outbox
from tests.test_api import assert_error

SLUG = "ministerial-2030"
REGISTER = {
    "full_name": "Marie Ministre",
    "email": "marie@example.be",
    "position": "Minister of Justice",
    "organisation": "SPF Justice",
    "function": "minister",
    "privacy_accepted": "y",
    "password": "a long enough password",
    "password_again": "a long enough password",
}


@pytest.fixture
def world(make_user, make_conference, make_delegation, make_registration):
    return build_world(make_user, make_conference, make_delegation, make_registration)


def invite(client, login, world, email="marie@example.be", delegation=None):
    login(world.organiser)
    response = client.post(
        f"/conferences/{SLUG}/invitations/new",
        data={"delegation_id": (delegation or world.a).id, "email": email},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    client.post("/auth/logout")
    return token_from_outbox(email)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("delegate_a", 403),
        ("delegate_b", 403),
        ("head_a", 403),
        ("staff", 403),
        ("organiser", 200),
        ("admin", 200),
    ],
)
def test_invitation_pages_by_role(client, login, world, role, expected):
    if role != "anonymous":
        login(world.user(role))
    for path in ("invitations", "invitations/new", "invitations/import"):
        assert client.get(f"/conferences/{SLUG}/{path}").status_code == expected, path


def test_organiser_invites_and_lists_with_state_filter(client, login, world):
    login(world.organiser)
    form = client.get(f"/conferences/{SLUG}/invitations/new?delegation_id={world.a.id}")
    assert 'value="be@x.org"' in form.get_data(as_text=True)  # the contact is suggested
    response = client.post(
        f"/conferences/{SLUG}/invitations/new",
        data={"delegation_id": world.a.id, "email": "be@x.org", "full_name": "Contact <b>"},
    )
    assert response.status_code == 302
    invitation = db.session.scalar(sa.select(Invitation))
    assert invitation.status == InvitationStatus.pending
    assert len(invitation.nonce_hash) == 64
    assert token_from_outbox("be@x.org") not in invitation.nonce_hash
    page = client.get(f"/conferences/{SLUG}/invitations").get_data(as_text=True)
    assert "be@x.org" in page and "Contact &lt;b&gt;" in page and "Pending" in page
    revoked = client.get(f"/conferences/{SLUG}/invitations?status=revoked").get_data(as_text=True)
    assert "be@x.org" not in revoked
    assert client.get(f"/conferences/{SLUG}/invitations?status=nonsense").status_code == 404
    assert (
        db.session.scalar(
            sa.select(AuditEvent.action).where(AuditEvent.object_type == "Invitation")
        )
        == "invitation.created"
    )


def test_invalid_email_in_invite_form_stores_nothing(client, login, world):
    login(world.organiser)
    response = client.post(
        f"/conferences/{SLUG}/invitations/new",
        data={"delegation_id": world.a.id, "email": "not-an-email"},
    )
    assert response.status_code == 422
    assert "Invalid email address" in response.get_data(as_text=True)
    assert count(Invitation) == 0 and count(MailMessage) == 0


def test_registered_person_cannot_be_invited_again(client, login, world):
    login(world.organiser)
    response = client.post(
        f"/conferences/{SLUG}/invitations/new",
        data={"delegation_id": world.b.id, "email": world.delegate_a.email},
    )
    assert response.status_code == 422
    assert "already registered for this conference" in response.get_data(as_text=True)
    assert count(Invitation) == 0


def test_register_page_from_link_and_decline(client, login, world):
    token = invite(client, login, world)
    page = client.get(f"/register/{token}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Delegation of Belgium" in text and 'value="marie@example.be"' in text
    assert 'href="/privacy"' in text
    assert client.get(f"/register/{token}/decline").status_code == 200
    assert client.post(f"/register/{token}/decline").status_code == 200
    assert db.session.scalar(sa.select(Invitation.status)) == InvitationStatus.declined
    again = client.get(f"/register/{token}")
    assert again.status_code == 409
    assert "declined" in again.get_data(as_text=True)


def test_bad_token_is_a_clear_404(client):
    response = client.get("/register/not-a-real-token")
    assert response.status_code == 404
    assert "not valid" in response.get_data(as_text=True)


def test_resend_kills_the_old_link(client, login, world):
    old = invite(client, login, world)
    invitation = db.session.scalar(sa.select(Invitation))
    login(world.organiser)
    response = client.post(f"/conferences/{SLUG}/invitations/{invitation.id}/resend")
    assert response.status_code == 302
    new = token_from_outbox("marie@example.be")
    assert new != old
    gone = client.get(f"/register/{old}")
    assert gone.status_code == 410
    assert "replaced by a newer invitation" in gone.get_data(as_text=True)
    assert client.get(f"/register/{new}").status_code == 200
    db.session.expire_all()
    assert invitation.sent_count == 2


def test_revoked_link_is_410_and_registering_stores_nothing(client, login, world):
    token = invite(client, login, world)
    invitation = db.session.scalar(sa.select(Invitation))
    login(world.organiser)
    client.post(f"/conferences/{SLUG}/invitations/{invitation.id}/revoke")
    client.post("/auth/logout")
    db.session.expire_all()
    assert invitation.status == InvitationStatus.revoked
    users_before = count(Registration)
    response = client.post(f"/register/{token}", data=REGISTER)
    assert response.status_code == 410
    assert "withdrew this invitation" in response.get_data(as_text=True)
    assert count(Registration) == users_before
    from alliance_conf.auth.operations import find_user_by_email

    assert find_user_by_email("marie@example.be") is None


def test_expired_link_is_410_and_the_state_is_stored(client, login, world):
    token = invite(client, login, world)
    invitation = db.session.scalar(sa.select(Invitation))
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.post(f"/register/{token}", data=REGISTER)
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)
    db.session.expire_all()
    assert invitation.status == InvitationStatus.expired
    assert count(Registration) == 3
    login(world.organiser)
    page = client.get(f"/conferences/{SLUG}/invitations?status=expired").get_data(as_text=True)
    assert "marie@example.be" in page
    # a resend revives it with a new link
    client.post(f"/conferences/{SLUG}/invitations/{invitation.id}/resend")
    db.session.expire_all()
    assert invitation.status == InvitationStatus.pending
    assert invitation.expires_at > utcnow()


def test_token_signed_with_another_key_is_refused(app, client, login, world, make_app):
    token = invite(client, login, world)
    other = make_app(SECRET_KEY="another-secret-key-" + "y" * 32)
    assert other.test_client().get(f"/register/{token}").status_code == 404


def test_accepted_link_cannot_be_used_twice(client, login, world):
    token = invite(client, login, world)
    assert client.post(f"/register/{token}", data=REGISTER).status_code == 302
    client.post("/auth/logout")
    again = client.get(f"/register/{token}")
    assert again.status_code == 409
    assert "already been used" in again.get_data(as_text=True)


def test_resend_or_revoke_of_an_accepted_invitation_is_refused(client, login, world):
    token = invite(client, login, world)
    client.post(f"/register/{token}", data=REGISTER)
    client.post("/auth/logout")
    invitation = db.session.scalar(sa.select(Invitation))
    login(world.organiser)
    response = client.post(
        f"/conferences/{SLUG}/invitations/{invitation.id}/revoke", follow_redirects=True
    )
    assert "only pending or expired ones can be revoked" in response.get_data(as_text=True)
    db.session.expire_all()
    assert invitation.status == InvitationStatus.accepted


# --- CSV import -----------------------------------------------------------------------------


def test_csv_import_is_all_or_nothing_with_line_numbers(client, login, world):
    login(world.organiser)
    bad = (
        b"delegation,email,name\n"
        b"BE,one@example.be,One\n"
        b"BE,not-an-email,Two\n"
        b"XX,three@example.org,Three\n"
        b"France,one@example.be,Dup\n"
    )
    response = client.post(
        f"/conferences/{SLUG}/invitations/import",
        data={"file": (io.BytesIO(bad), "invites.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "3 rows of the file are invalid; nothing was imported." in text
    assert "line 3: &#39;not-an-email&#39; is not a valid e-mail address" in text
    assert "line 4: no delegation &#39;XX&#39; in this conference" in text
    assert "line 5: one@example.be is also on line 2" in text
    assert count(Invitation) == 0 and count(MailMessage) == 0


def test_csv_import_then_reimport_skips(client, login, world, cli, tmp_path):
    path = tmp_path / "invites.csv"
    path.write_text(
        "\ufeffDelegation,E-mail,Name\nBE,one@example.be,One\nfrance,two@example.fr,\n",
        encoding="utf-8",
    )
    result = cli("invitations", "import", str(path), "--conference", SLUG)
    assert result.exit_code == 0, result.output
    assert "2 invitations sent, 0 skipped." in result.output
    invitations = db.session.scalars(sa.select(Invitation).order_by(Invitation.id)).all()
    assert [(i.email, i.delegation_id) for i in invitations] == [
        ("one@example.be", world.a.id),
        ("two@example.fr", world.b.id),
    ]
    result = cli("invitations", "import", str(path), "--conference", SLUG)
    assert "0 invitations sent, 2 skipped." in result.output
    assert count(Invitation) == 2 and count(MailMessage) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name,email\nx,a@b.org\n", "lacks the column delegation"),
        ("delegation,email\nBE,caf\xe9@example.org\n".encode("latin-1"), "not UTF-8"),
        (b"", "empty"),
    ],
)
def test_bad_csv_files_are_refused_by_the_cli(world, cli, tmp_path, app, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    result = app.test_cli_runner().invoke(
        args=["invitations", "import", str(path), "--conference", SLUG]
    )
    assert result.exit_code == 1
    assert message in result.output
    assert count(Invitation) == 0


def test_cli_send_with_unknown_delegation(world, app):
    result = app.test_cli_runner().invoke(
        args=["invitations", "send", "--conference", SLUG, "--delegation", "ZZ", "--email", "a@b.c"]
    )
    assert result.exit_code == 1
    assert "no delegation 'ZZ'" in result.output


# --- API --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [("delegate_a", 403), ("head_a", 403), ("staff", 403), ("organiser", 200), ("admin", 200)],
)
def test_api_list_by_role(client, world, api_headers, role, expected):
    response = client.get(
        f"/api/v1/conferences/{SLUG}/invitations", headers=api_headers(world.user(role))
    )
    assert response.status_code == expected


def test_api_anonymous_is_401(client, world):
    assert_error(client.get(f"/api/v1/conferences/{SLUG}/invitations"), 401, "unauthorised")
    assert_error(
        client.post(f"/api/v1/conferences/{SLUG}/invitations", json={}), 401, "unauthorised"
    )


def test_api_create_resend_revoke(client, world, api_headers):
    headers = api_headers(world.organiser)
    base = f"/api/v1/conferences/{SLUG}/invitations"
    response = client.post(
        base, json={"delegation": "fr", "email": "P@Example.fr"}, headers=headers
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["email"] == "p@example.fr" and body["delegation_id"] == world.b.id
    assert body["status"] == "pending" and "token" not in body
    listed = client.get(f"{base}?status=pending", headers=headers).get_json()
    assert listed["total"] == 1
    resent = client.post(f"{base}/{body['id']}/resend", headers=headers)
    assert resent.status_code == 200 and resent.get_json()["sent_count"] == 2
    revoked = client.post(f"{base}/{body['id']}/revoke", headers=headers)
    assert revoked.get_json()["status"] == "revoked"
    assert_error(client.post(f"{base}/{body['id']}/revoke", headers=headers), 409, "invalid_state")
    assert_error(client.post(f"{base}/999999/resend", headers=headers), 404, "not_found")


def test_api_create_bad_input_stores_nothing(client, world, api_headers):
    headers = api_headers(world.organiser)
    base = f"/api/v1/conferences/{SLUG}/invitations"
    error = assert_error(
        client.post(base, json={"delegation": "BE", "email": "nope"}, headers=headers),
        422,
        "validation_failed",
    )
    assert "email" in error["fields"]
    assert_error(
        client.post(base, json={"delegation": "ZZ", "email": "a@b.org"}, headers=headers),
        404,
        "not_found",
    )
    assert_error(
        client.post(
            base, json={"delegation": "BE", "delegation_id": 1, "email": "a@b.org"}, headers=headers
        ),
        422,
        "validation_failed",
    )
    client.post(base, json={"delegation": "BE", "email": "a@b.org"}, headers=headers)
    assert_error(
        client.post(base, json={"delegation": "FR", "email": "a@b.org"}, headers=headers),
        409,
        "conflict",
    )
    assert count(Invitation) == 1 and count(MailMessage) == 1
