"""Privacy: own delegation only, organisers-only needs, access to and erasure of one's data."""

import json

import pytest
import sqlalchemy as sa

from alliance_conf.audit.models import AuditEvent
from alliance_conf.auth.models import ApiToken, User
from alliance_conf.extensions import db
from alliance_conf.invitations.models import Invitation
from alliance_conf.mail.models import MailMessage
from alliance_conf.registrations import operations
from alliance_conf.registrations.models import Registration, RegistrationStatus
from alliance_conf.testing.fixtures import TEST_PASSWORD
from tests.accreditation_support import build_world, count
from tests.test_api import assert_error

SLUG = "ministerial-2030"


@pytest.fixture
def world(make_user, make_conference, make_delegation, make_registration):
    return build_world(make_user, make_conference, make_delegation, make_registration)


@pytest.mark.parametrize(
    ("role", "status", "needs_visible"),
    [
        ("anonymous", 302, False),
        ("delegate_a", 200, False),
        ("delegate_b", 403, False),
        ("head_a", 200, False),
        ("staff", 200, False),
        ("organiser", 200, True),
        ("admin", 200, True),
    ],
)
def test_delegation_members_page_by_role(client, login, world, role, status, needs_visible):
    if role != "anonymous":
        login(world.user(role))
    response = client.get(f"/conferences/{SLUG}/delegations/{world.a.id}/members")
    assert response.status_code == status
    text = response.get_data(as_text=True)
    if status == 200:
        assert "Anna Adviser" in text and "Hélène Head" in text
        assert "Bruno Bernard" not in text
    assert ("Wheelchair access" in text) == needs_visible
    assert ("Vegan" in text) == needs_visible


def test_delegate_of_b_sees_only_b(client, login, world):
    login(world.delegate_b)
    own = client.get(f"/conferences/{SLUG}/my-delegation", follow_redirects=True)
    text = own.get_data(as_text=True)
    assert "Delegation of France" in text and "Anna Adviser" not in text
    assert "Halal" not in text  # needs are organisers-only, even within one's delegation
    assert client.get(f"/registrations/{world.reg_delegate_a.id}").status_code == 404


@pytest.mark.parametrize(
    ("role", "status", "needs_visible"),
    [
        ("delegate_a", 200, True),  # their own data
        ("head_a", 200, False),
        ("delegate_b", 404, False),
        ("staff", 404, False),
        ("organiser", 200, True),
    ],
)
def test_registration_page_and_api_hide_needs(
    client, login, world, api_headers, role, status, needs_visible
):
    login(world.user(role))
    page = client.get(f"/registrations/{world.reg_delegate_a.id}")
    assert page.status_code == status
    assert ("Wheelchair access" in page.get_data(as_text=True)) == needs_visible
    response = client.get(
        f"/api/v1/registrations/{world.reg_delegate_a.id}", headers=api_headers(world.user(role))
    )
    assert response.status_code == status
    if status == 200:
        body = response.get_json()
        assert (body["accessibility_needs"] == "Wheelchair access") == needs_visible
        assert (body["dietary_needs"] is None) != needs_visible


def test_download_my_data(client, login, world, api_headers):
    login(world.delegate_a)
    response = client.get("/me/data.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=my-data.json"
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == world.delegate_a.email
    (registration,) = data["registrations"]
    assert registration["delegation"] == "Belgium"
    assert registration["accessibility_needs"] == "Wheelchair access"
    assert any(a["action"] == "user.signed_in" for a in data["actions"])
    api = client.get("/api/v1/me/data", headers=api_headers(world.delegate_a)).get_json()
    assert api["account"] == data["account"]
    assert "Bruno" not in json.dumps(api)


def test_my_data_needs_sign_in(client):
    assert client.get("/me/data.json").status_code == 302
    assert_error(client.get("/api/v1/me/data"), 401, "unauthorised")


def test_erasure_needs_confirmation(client, login, world):
    login(world.delegate_a)
    assert client.get("/me/erase").status_code == 200
    response = client.post("/me/erase", data={})
    assert response.status_code == 422
    assert "Tick the box" in response.get_data(as_text=True)
    db.session.expire_all()
    assert world.delegate_a.full_name == "Anna Adviser"


def test_erasure_anonymises_and_keeps_counts_and_audit(
    client, login, world, api_headers, grant_powers
):
    user = world.delegate_a
    grant_powers(world.reg_delegate_a, world.organiser)
    invitation = Invitation(
        conference_id=world.conference.id,
        delegation_id=world.a.id,
        email=user.email,
        full_name="Anna Adviser",
        nonce_hash="0" * 64,
        expires_at=world.conference.created_at,
    )
    db.session.add(invitation)
    db.session.add(
        MailMessage(to_address=user.email, subject="Hello Anna", body_text="Dear Anna Adviser")
    )
    db.session.commit()
    headers = api_headers(user)
    old_email = user.email
    login(user)
    counts = {m: count(m) for m in (Registration, AuditEvent, User, Invitation, MailMessage)}
    response = client.post("/me/erase", data={"confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert user.email == f"erased-{user.id}@invalid"
    assert user.full_name == "Erased participant"
    assert user.password_hash is None and not user.is_active_account
    registration = world.reg_delegate_a
    assert registration.status == RegistrationStatus.approved  # counts stay
    assert registration.is_signatory  # the delegation's record of who signs is kept
    assert registration.accessibility_needs == registration.dietary_needs == ""
    assert registration.position == registration.organisation == ""
    assert invitation.email == user.email and invitation.full_name == ""
    message = db.session.scalar(sa.select(MailMessage))
    assert "Anna" not in message.body_text + message.subject
    after = {m: count(m) for m in (Registration, AuditEvent, User, Invitation, MailMessage)}
    assert after[AuditEvent] == counts[AuditEvent] + 1  # kept, plus "user.erased"
    del after[AuditEvent], counts[AuditEvent]
    assert after == counts
    labels = db.session.scalars(
        sa.select(AuditEvent.actor_label).where(AuditEvent.actor_id == user.id)
    ).all()
    assert labels and all(label == user.email for label in labels)
    assert operations.approved_count(world.a.id) == 2
    # the account is gone: no page, no sign-in, no API token
    assert client.get("/me").status_code == 302
    for email in (old_email, user.email):
        signin = client.post("/auth/login", data={"email": email, "password": TEST_PASSWORD})
        assert signin.status_code == 422
    assert_error(client.get("/api/v1/auth/me", headers=headers), 401, "unauthorised")
    assert db.session.scalar(sa.select(ApiToken.revoked_at)) is not None
    everything = json.dumps(operations.personal_data(user), default=str)
    assert "Anna" not in everything and "Wheelchair" not in everything
    assert old_email not in everything


def test_organiser_cannot_erase_their_own_account_here(client, login, world):
    login(world.organiser)
    response = client.post("/me/erase", data={"confirm": "y"})
    assert response.status_code == 422
    assert "closed by an admin" in response.get_data(as_text=True)
    db.session.expire_all()
    assert world.organiser.is_active_account


def test_rejection_reason_is_not_shown_to_the_head(
    client, login, world, make_user, make_registration
):
    rejected = make_registration(
        world.a, make_user(), status="rejected", rejection_reason="Security vetting failed"
    )
    login(world.head_a)
    page = client.get(f"/registrations/{rejected.id}").get_data(as_text=True)
    assert "Rejected" in page and "Security vetting failed" not in page


def test_fellow_delegates_see_accredited_members_only(
    client, login, world, make_user, make_registration
):
    make_registration(
        world.a, make_user(full_name="Rita Refused"), status="rejected", rejection_reason="No"
    )
    make_registration(world.a, make_user(full_name="Paula Pending"), status="pending")
    url = f"/conferences/{SLUG}/delegations/{world.a.id}/members"
    login(world.delegate_a)
    text = client.get(url).get_data(as_text=True)
    assert "Hélène Head" in text
    assert "Rita Refused" not in text and "Paula Pending" not in text
    client.post("/auth/logout")
    login(world.head_a)
    text = client.get(url).get_data(as_text=True)
    assert "Rita Refused" in text and "Paula Pending" in text
