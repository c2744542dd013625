"""Registration from an invitation, the accreditation workflow, quotas and signatories."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from alliance_conf.audit.models import AuditEvent
from alliance_conf.auth.models import User
from alliance_conf.auth.operations import find_user_by_email
from alliance_conf.core.errors import Conflict, InvalidState, PermissionDenied, ValidationFailed
from alliance_conf.extensions import db
from alliance_conf.hooks import hookimpl
from alliance_conf.invitations.models import Invitation, InvitationStatus
from alliance_conf.mail.models import MailMessage
from alliance_conf.plugins import get_registry
from alliance_conf.registrations import operations
from alliance_conf.registrations.models import DelegateFunction, Registration, RegistrationStatus
from alliance_conf.testing.fixtures import TEST_PASSWORD
from tests.accreditation_support import build_world, count, token_from_outbox
from tests.test_api import assert_error
from tests.test_invitations import REGISTER, SLUG, invite


@pytest.fixture
def world(make_user, make_conference, make_delegation, make_registration):
    return build_world(make_user, make_conference, make_delegation, make_registration)


class Recorder:
    def __init__(self):
        self.calls = []

    @hookimpl
    def alliance_registration_status_changed(self, registration, old_status, new_status, actor):
        self.calls.append((registration.id, old_status, new_status, getattr(actor, "id", None)))


@pytest.fixture
def recorder(app):
    manager = get_registry(app).manager
    plugin = Recorder()
    manager.register(plugin, name="test-recorder")
    yield plugin
    manager.unregister(name="test-recorder")


def pending_in(make_registration, make_user, delegation, **fields):
    return make_registration(delegation, make_user(), status="pending", **fields)


# --- the registration form ------------------------------------------------------------------


def test_register_from_invitation_creates_account_and_pending_registration(
    client, login, world, recorder
):
    token = invite(client, login, world)
    response = client.post(
        f"/register/{token}",
        data={**REGISTER, "dietary_needs": "No nuts", "consent_participant_list": "y"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    user = find_user_by_email("marie@example.be")
    assert user.full_name == "Marie Ministre" and user.check_password(REGISTER["password"])
    registration = db.session.scalar(sa.select(Registration).where(Registration.user_id == user.id))
    assert registration.status == RegistrationStatus.pending
    assert registration.delegation_id == world.a.id
    # A function that carries powers is requested, not established: ordinary rights until then.
    assert registration.function == DelegateFunction.other
    assert registration.requested_function == DelegateFunction.minister
    assert registration.dietary_needs == "No nuts" and registration.consent_participant_list
    assert registration.privacy_accepted_at is not None
    invitation = db.session.scalar(sa.select(Invitation))
    assert invitation.status == InvitationStatus.accepted
    assert invitation.registration_id == registration.id
    assert recorder.calls == [(registration.id, None, RegistrationStatus.pending, user.id)]
    received = db.session.scalar(
        sa.select(MailMessage).where(MailMessage.subject.like("Registration received%"))
    )
    assert received.to_address == "marie@example.be" and "Minister" in received.body_text
    # the new delegate is signed in and sees their registration
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Registration of Marie Ministre" in page and "Pending" in page


def test_privacy_notice_must_be_accepted(client, login, world):
    token = invite(client, login, world)
    data = {k: v for k, v in REGISTER.items() if k != "privacy_accepted"}
    response = client.post(f"/register/{token}", data=data)
    assert response.status_code == 422
    assert "You must accept the privacy notice" in response.get_data(as_text=True)
    assert find_user_by_email("marie@example.be") is None
    assert db.session.scalar(sa.select(Invitation.status)) == InvitationStatus.pending


def test_invalid_email_and_short_password_store_nothing(client, login, world):
    token = invite(client, login, world)
    response = client.post(f"/register/{token}", data={**REGISTER, "email": "marie-at-be"})
    assert response.status_code == 422
    short = {**REGISTER, "password": "short", "password_again": "short"}
    response = client.post(f"/register/{token}", data=short)
    assert response.status_code == 422
    assert "at least 12 characters" in response.get_data(as_text=True)
    assert count(Registration) == 3 and find_user_by_email("marie@example.be") is None


def test_existing_account_must_sign_in_then_is_attached(client, login, world, make_user):
    existing = make_user(email="marie@example.be", full_name="Marie Existing")
    token = invite(client, login, world)
    response = client.post(f"/register/{token}", data=REGISTER)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "There is already an account for marie@example.be" in text
    assert "Sign in with it" in text
    assert count(Registration) == 3
    login(existing)
    response = client.post(f"/register/{token}", data={**REGISTER, "password": "ignored"})
    assert response.status_code == 302
    registration = db.session.scalar(
        sa.select(Registration).where(Registration.user_id == existing.id)
    )
    assert registration.status == RegistrationStatus.pending
    assert existing.check_password(TEST_PASSWORD)


def test_duplicate_registration_in_one_conference_is_refused(client, login, world):
    token = invite(client, login, world, email="second@example.be", delegation=world.b)
    login(world.delegate_a)  # already registered for Belgium
    response = client.post(f"/register/{token}", data=REGISTER)
    assert response.status_code == 422
    assert "already registered for this conference" in response.get_data(as_text=True)
    assert count(Registration) == 3
    assert db.session.scalar(sa.select(Invitation.status)) == InvitationStatus.pending


def test_second_head_of_delegation_is_refused(client, login, world):
    token = invite(client, login, world)
    response = client.post(
        f"/register/{token}", data={**REGISTER, "function": "head_of_delegation"}
    )
    assert response.status_code == 422
    assert "already has a head of delegation" in response.get_data(as_text=True)
    assert count(Registration) == 3


def test_database_allows_one_active_head_per_delegation(world, make_user):
    db.session.add(
        Registration(
            conference_id=world.conference.id,
            delegation_id=world.a.id,
            user_id=make_user().id,
            status=RegistrationStatus.pending,
            function=DelegateFunction.head_of_delegation,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    # a withdrawn head does not count
    db.session.add(
        Registration(
            conference_id=world.conference.id,
            delegation_id=world.a.id,
            user_id=make_user().id,
            status=RegistrationStatus.withdrawn,
            function=DelegateFunction.head_of_delegation,
        )
    )
    db.session.commit()


def test_csrf_is_enforced_on_the_registration_form(client, login, world, make_app):
    token = invite(client, login, world)
    app = make_app(WTF_CSRF_ENABLED=True)
    response = app.test_client().post(f"/register/{token}", data=REGISTER)
    assert response.status_code == 400
    assert find_user_by_email("marie@example.be") is None


# --- decisions --------------------------------------------------------------------------------


def test_organiser_approves_and_rejects_one_by_one(
    client, login, world, recorder, make_user, make_registration
):
    first = pending_in(make_registration, make_user, world.b)
    second = pending_in(make_registration, make_user, world.b)
    login(world.organiser)
    assert (
        client.post(f"/registrations/{first.id}/status", data={"status": "approved"}).status_code
        == 302
    )
    response = client.post(f"/registrations/{second.id}/status", data={"status": "rejected"})
    assert response.status_code == 422
    assert "Give the reason for the rejection" in response.get_data(as_text=True)
    db.session.expire_all()
    assert second.status == RegistrationStatus.pending
    client.post(
        f"/registrations/{second.id}/status", data={"status": "rejected", "reason": "Duplicate"}
    )
    db.session.expire_all()
    assert first.status == RegistrationStatus.approved and first.decided_by_id == world.organiser.id
    assert second.status == RegistrationStatus.rejected and second.rejection_reason == "Duplicate"
    assert [c[1:3] for c in recorder.calls] == [
        (RegistrationStatus.pending, RegistrationStatus.approved),
        (RegistrationStatus.pending, RegistrationStatus.rejected),
    ]
    events = db.session.scalars(
        sa.select(AuditEvent.data)
        .where(AuditEvent.action == "registration.status_changed")
        .order_by(AuditEvent.id)
    ).all()
    assert [e["new"] for e in events] == ["approved", "rejected"]
    subjects = db.session.scalars(sa.select(MailMessage.subject).order_by(MailMessage.id)).all()
    assert subjects == [
        "Your registration was approved: Ministerial conference 1",
        "Your registration was rejected: Ministerial conference 1",
    ]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("delegate_a", 403),
        ("head_a", 403),
        ("staff", 403),
        ("organiser", 200),
        ("admin", 200),
    ],
)
def test_pending_page_by_role(client, login, world, role, expected):
    if role != "anonymous":
        login(world.user(role))
    assert client.get(f"/conferences/{SLUG}/registrations/pending").status_code == expected
    assert client.get(f"/conferences/{SLUG}/registrations/new").status_code == expected


def test_bulk_approval_is_one_transaction(client, login, world, make_user, make_registration):
    # Belgium: quota 3, two approved already; approving two more must fail as a whole
    one = pending_in(make_registration, make_user, world.a)
    two = pending_in(make_registration, make_user, world.a)
    login(world.organiser)
    page = client.get(f"/conferences/{SLUG}/registrations/pending").get_data(as_text=True)
    assert f'name="ids" value="{one.id}"' in page
    response = client.post(
        f"/conferences/{SLUG}/registrations/pending",
        data={"ids": [one.id, two.id], "decision": "approved"},
    )
    assert response.status_code == 409 or response.status_code == 422
    assert "reached its quota of 3" in response.get_data(as_text=True)
    assert "Nothing was changed." in response.get_data(as_text=True)
    db.session.expire_all()
    assert one.status == two.status == RegistrationStatus.pending
    assert count(MailMessage) == 0
    response = client.post(
        f"/conferences/{SLUG}/registrations/pending",
        data={"ids": [one.id, two.id], "decision": "rejected", "reason": "Quota reached"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert one.status == two.status == RegistrationStatus.rejected


def test_bulk_without_selection_or_reason(client, login, world, make_user, make_registration):
    one = pending_in(make_registration, make_user, world.b)
    login(world.organiser)
    response = client.post(
        f"/conferences/{SLUG}/registrations/pending", data={"decision": "approved"}
    )
    assert "Select at least one registration." in response.get_data(as_text=True)
    response = client.post(
        f"/conferences/{SLUG}/registrations/pending", data={"ids": [one.id], "decision": "rejected"}
    )
    assert "Give the reason for the rejection" in response.get_data(as_text=True)
    db.session.expire_all()
    assert one.status == RegistrationStatus.pending


def test_transitions_table_refuses_illegal_moves(world):
    registration = world.reg_delegate_b
    with pytest.raises(InvalidState):
        operations.change_status(registration, "pending", actor=world.organiser)
    with pytest.raises(InvalidState):
        operations.change_status(registration, "rejected", actor=world.organiser, reason="x")
    operations.change_status(registration, "cancelled", actor=world.organiser)
    with pytest.raises(InvalidState):
        operations.change_status(registration, "approved", actor=world.organiser)
    with pytest.raises(ValidationFailed):
        operations.change_status(registration, "lost", actor=world.organiser)


def test_who_may_make_which_move(world):
    with pytest.raises(PermissionDenied):
        operations.change_status(world.reg_delegate_a, "cancelled", actor=world.head_a)
    with pytest.raises(PermissionDenied):
        operations.change_status(world.reg_delegate_a, "withdrawn", actor=world.organiser)
    operations.change_status(world.reg_delegate_a, "withdrawn", actor=world.delegate_a)
    assert world.reg_delegate_a.status == RegistrationStatus.withdrawn


def _approve_in_own_context(app, registration_id, organiser_id, barrier=None):
    with app.app_context():
        try:
            registration = db.session.get(Registration, registration_id)
            actor = db.session.get(User, organiser_id)
            if barrier is not None:
                barrier.wait(timeout=10)
            operations.change_status(registration, "approved", actor=actor)
            db.session.commit()
            return "approved"
        except Conflict:
            db.session.rollback()
            return "refused"
        finally:
            db.session.remove()


def test_quota_holds_when_approvals_race(
    app, is_postgresql, make_user, make_conference, make_delegation, make_registration
):
    """PostgreSQL: approvals in parallel threads, each with its own app context and connection,
    against a quota of 1. SQLite serialises writers: the same approvals run one after another."""
    conference = make_conference(slug="race")
    delegation = make_delegation(conference, country_code="BE", delegate_quota=1)
    organiser = make_user(role="organiser")
    ids = [pending_in(make_registration, make_user, delegation).id for _ in range(4)]
    organiser_id = organiser.id
    if is_postgresql:
        barrier = threading.Barrier(len(ids))
        with ThreadPoolExecutor(max_workers=len(ids)) as pool:
            results = list(
                pool.map(lambda i: _approve_in_own_context(app, i, organiser_id, barrier), ids)
            )
    else:
        results = [_approve_in_own_context(app, i, organiser_id) for i in ids]
    assert sorted(results) == ["approved", "refused", "refused", "refused"]
    db.session.expire_all()
    assert operations.approved_count(delegation.id) == 1


# --- on behalf --------------------------------------------------------------------------------


def test_organiser_registers_on_behalf_in_the_browser(client, login, world):
    login(world.organiser)
    response = client.post(
        f"/conferences/{SLUG}/registrations/new",
        data={
            "delegation_id": world.b.id,
            "full_name": "Pierre Porte",
            "email": "pierre@example.fr",
            "function": "interpreter",
        },
    )
    assert response.status_code == 302
    user = find_user_by_email("pierre@example.fr")
    assert user.password_hash is None
    registration = db.session.scalar(sa.select(Registration).where(Registration.user_id == user.id))
    assert registration.status == RegistrationStatus.pending
    assert registration.privacy_accepted_at is None
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "registration.created")
    )
    assert event.actor_id == world.organiser.id and event.data["on_behalf"] is True


# --- API --------------------------------------------------------------------------------------


def test_api_register_with_token_then_decide(client, login, world, api_headers):
    token = invite(client, login, world)
    base = f"/api/v1/conferences/{SLUG}/registrations"
    body = {
        "token": token,
        "email": "marie@example.be",
        "full_name": "Marie Ministre",
        "password": "a long enough password",
        "function": "minister",
        "privacy_accepted": True,
        "dietary_needs": "No nuts",
    }
    response = client.post(base, json=body)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["status"] == "pending" and created["dietary_needs"] == "No nuts"
    assert_error(client.post(base, json=body), 409, "conflict")  # the invitation is used
    organiser = api_headers(world.organiser)
    url = f"/api/v1/registrations/{created['id']}"
    error = assert_error(
        client.patch(url, json={"status": "rejected"}, headers=organiser), 422, "validation_failed"
    )
    assert "reason" in error["fields"]
    # Belgium has 2 of 3 approved: this approval fits
    approved = client.patch(url, json={"status": "approved"}, headers=organiser)
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    assert_error(
        client.patch(url, json={"status": "pending"}, headers=organiser), 422, "validation_failed"
    )


def test_api_over_quota_approval_is_409(client, world, api_headers, make_user, make_registration):
    one = pending_in(make_registration, make_user, world.a)
    two = pending_in(make_registration, make_user, world.a)
    organiser = api_headers(world.organiser)
    assert (
        client.patch(
            f"/api/v1/registrations/{one.id}", json={"status": "approved"}, headers=organiser
        ).status_code
        == 200
    )
    error = assert_error(
        client.patch(
            f"/api/v1/registrations/{two.id}", json={"status": "approved"}, headers=organiser
        ),
        409,
        "conflict",
    )
    assert "quota of 3" in error["message"]
    db.session.expire_all()
    assert two.status == RegistrationStatus.pending


def test_api_register_with_bad_tokens(client, login, world, api_headers):
    base = f"/api/v1/conferences/{SLUG}/registrations"
    assert_error(client.post(base, json={"token": "forged"}), 404, "not_found")
    token = invite(client, login, world)
    invitation = db.session.scalar(sa.select(Invitation))
    login(world.organiser)
    client.post(f"/conferences/{SLUG}/invitations/{invitation.id}/revoke")
    body = {
        "token": token,
        "email": "m@example.be",
        "full_name": "M",
        "password": "x" * 12,
        "privacy_accepted": True,
    }
    assert_error(client.post(base, json=body), 410, "gone")
    assert_error(client.post(base, json={}), 422, "validation_failed")
    assert find_user_by_email("m@example.be") is None


def test_api_register_on_behalf(client, world, api_headers):
    base = f"/api/v1/conferences/{SLUG}/registrations"
    body = {
        "delegation_id": world.b.id,
        "email": "p@example.fr",
        "full_name": "P",
        "function": "press",
    }
    assert_error(client.post(base, json=body), 401, "unauthorised")
    assert_error(client.post(base, json=body, headers=api_headers(world.head_a)), 403, "forbidden")
    response = client.post(base, json=body, headers=api_headers(world.organiser))
    assert response.status_code == 201
    assert response.get_json()["function"] == "press"
    bad = {**body, "email": "not-an-email"}
    assert_error(
        client.post(base, json=bad, headers=api_headers(world.organiser)), 422, "validation_failed"
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("delegate_a", 200),  # own
        ("head_a", 200),  # head of the same delegation
        ("delegate_b", 404),
        ("staff", 404),
        ("organiser", 200),
        ("admin", 200),
    ],
)
def test_api_get_registration_by_role(client, world, api_headers, role, expected):
    response = client.get(
        f"/api/v1/registrations/{world.reg_delegate_a.id}", headers=api_headers(world.user(role))
    )
    assert response.status_code == expected


def test_api_delegate_may_only_withdraw(client, world, api_headers):
    headers = api_headers(world.delegate_a)
    url = f"/api/v1/registrations/{world.reg_delegate_a.id}"
    assert_error(client.patch(url, json={"status": "cancelled"}, headers=headers), 403, "forbidden")
    response = client.patch(url, json={"status": "withdrawn"}, headers=headers)
    assert response.get_json()["status"] == "withdrawn"
    other = f"/api/v1/registrations/{world.reg_delegate_b.id}"
    assert_error(
        client.patch(other, json={"status": "withdrawn"}, headers=headers), 404, "not_found"
    )


# --- signatories ------------------------------------------------------------------------------


def test_head_nominates_and_withdraws_a_nomination_in_the_browser(client, login, world):
    login(world.head_a)
    page = client.get(f"/conferences/{SLUG}/my-delegation", follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "Delegation of Belgium" in text and "Nominate to sign" in text
    response = client.post(f"/registrations/{world.reg_delegate_a.id}/signatory")
    assert response.status_code == 302
    db.session.expire_all()
    registration = world.reg_delegate_a
    # A nomination grants nothing: full powers come from the organisers.
    assert not registration.is_signatory and registration.signatory_designated_at is None
    assert registration.signatory_nominated_by_id == world.head_a.id
    client.post(f"/registrations/{registration.id}/signatory/revoke")
    db.session.expire_all()
    assert registration.signatory_nominated_at is None
    actions = db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.action.like("registration.signatory%"))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == [
        "registration.signatory_nominated",
        "registration.signatory_nomination_withdrawn",
    ]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("delegate_a", 403),
        ("delegate_b", 404),
        ("staff", 404),
        ("head_a", 200),
        ("organiser", 200),
        ("admin", 200),
    ],
)
def test_api_signatory_nomination_by_role(client, world, api_headers, role, expected):
    url = f"/api/v1/registrations/{world.reg_delegate_a.id}/signatory"
    response = client.post(url, headers=api_headers(world.user(role)))
    assert response.status_code == expected
    db.session.expire_all()
    assert (world.reg_delegate_a.signatory_nominated_at is not None) == (expected == 200)
    assert not world.reg_delegate_a.is_signatory
    if expected == 200:
        assert response.get_json()["is_signatory"] is False
        assert response.get_json()["signatory_nominated_at"] is not None
        withdrawn = client.delete(url, headers=api_headers(world.user(role)))
        assert withdrawn.get_json()["signatory_nominated_at"] is None


def test_only_approved_delegates_can_sign_and_leaving_clears_it(
    client, world, api_headers, make_user, make_registration, grant_powers
):
    pending = pending_in(make_registration, make_user, world.a)
    headers = api_headers(world.organiser)
    assert_error(
        client.post(f"/api/v1/registrations/{pending.id}/signatory", headers=headers),
        409,
        "invalid_state",
    )
    powers = grant_powers(world.reg_delegate_a, world.organiser)
    operations.change_status(world.reg_delegate_a, "withdrawn", actor=world.delegate_a)
    db.session.commit()
    assert not world.reg_delegate_a.is_signatory
    db.session.refresh(powers)
    assert (
        powers.revoked_at is not None and powers.revocation_reason == "registration status_changed"
    )


def test_organiser_signatories_page(client, login, world, make_user, grant_powers):
    grant_powers(world.reg_head_a, world.organiser)
    assert client.get(f"/conferences/{SLUG}/signatories").status_code == 302
    login(world.delegate_a)
    assert client.get(f"/conferences/{SLUG}/signatories").status_code == 403
    client.post("/auth/logout")
    login(world.organiser)
    text = client.get(f"/conferences/{SLUG}/signatories").get_data(as_text=True)
    assert "Hélène Head" in text and "No approved head yet" in text  # France has no head


def test_seed_head_of_delegation_is_the_signatory(seed):
    head = seed.accounts["head"]
    registration = db.session.scalar(sa.select(Registration).where(Registration.user_id == head.id))
    assert registration.function == DelegateFunction.head_of_delegation
    assert registration.is_signatory and registration.signatory_designated_at is not None


def test_whole_path_on_the_seed_conference(client, login, seed, make_user):
    """Invite, register, approve, designate a signatory: the browser path on the seed."""
    organiser = seed.accounts["organiser"]
    organiser.set_password(TEST_PASSWORD)
    head = seed.accounts["head"]
    head.set_password(TEST_PASSWORD)
    db.session.commit()
    slug = "global-alliance-2012"
    be = db.session.scalar(
        sa.select(Registration.delegation_id).where(Registration.user_id == head.id)
    )
    login(organiser)
    overview = client.get(f"/conferences/{slug}").get_data(as_text=True)
    assert "Pending registrations" in overview
    client.post(
        f"/conferences/{slug}/invitations/new",
        data={"delegation_id": be, "email": "adv@be.example"},
    )
    client.post("/auth/logout")
    token = token_from_outbox("adv@be.example")
    client.post(
        f"/register/{token}", data={**REGISTER, "email": "adv@be.example", "function": "adviser"}
    )
    client.post("/auth/logout")
    registration = db.session.scalar(
        sa.select(Registration)
        .join(User, User.id == Registration.user_id)
        .where(User.email == "adv@be.example")
    )
    login(organiser)
    client.post(
        f"/conferences/{slug}/registrations/pending",
        data={"ids": [registration.id], "decision": "approved"},
    )
    client.post("/auth/logout")
    login(head)
    client.post(f"/registrations/{registration.id}/signatory")
    db.session.expire_all()
    assert registration.signatory_nominated_by_id == head.id and not registration.is_signatory
    client.post("/auth/logout")
    login(organiser)
    client.post(
        f"/registrations/{registration.id}/full-powers",
        data={
            "instrument_reference": "BE/FP/2012/7",
            "issuing_authority": "foreign_minister",
            "instrument_date": "2012-11-20",
        },
    )
    db.session.expire_all()
    assert registration.status == RegistrationStatus.approved and registration.is_signatory


def test_api_register_with_token_attaches_to_the_bearer(
    client, login, world, api_headers, make_user
):
    person = make_user(email="existing@example.be", full_name="Existing Person")
    token = invite(client, login, world, email="existing@example.be")
    base = f"/api/v1/conferences/{SLUG}/registrations"
    body = {"token": token, "email": "existing@example.be", "privacy_accepted": True}
    error = assert_error(client.post(base, json=body), 409, "conflict")
    assert "Sign in with it first" in error["message"]
    response = client.post(base, json=body, headers=api_headers(person))
    assert response.status_code == 201
    assert response.get_json()["user_id"] == person.id


def test_api_register_with_invalid_email_stores_nothing(client, login, world):
    token = invite(client, login, world)
    base = f"/api/v1/conferences/{SLUG}/registrations"
    body = {
        "token": token,
        "email": "nope",
        "full_name": "N",
        "password": "x" * 12,
        "privacy_accepted": True,
    }
    error = assert_error(client.post(base, json=body), 422, "validation_failed")
    assert "email" in error["fields"]
    no_privacy = {**body, "email": "ok@example.be", "privacy_accepted": False}
    assert_error(client.post(base, json=no_privacy), 422, "validation_failed")
    assert count(Registration) == 3 and find_user_by_email("ok@example.be") is None
    assert db.session.scalar(sa.select(Invitation.status)) == InvitationStatus.pending


def test_token_pages_do_not_leak_the_link(client, login, world):
    token = invite(client, login, world)
    response = client.get(f"/register/{token}")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


def test_delegate_withdraws_in_the_browser(client, login, world, recorder):
    login(world.delegate_a)
    page = client.get(f"/registrations/{world.reg_delegate_a.id}").get_data(as_text=True)
    assert "Withdraw my registration" in page and "Record the decision" not in page
    response = client.post(
        f"/registrations/{world.reg_delegate_a.id}/status", data={"status": "withdrawn"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert world.reg_delegate_a.status == RegistrationStatus.withdrawn
    assert recorder.calls[-1][1:] == (
        RegistrationStatus.approved,
        RegistrationStatus.withdrawn,
        world.delegate_a.id,
    )
    refused = client.post(
        f"/registrations/{world.reg_delegate_a.id}/status", data={"status": "approved"}
    )
    assert refused.status_code == 403
    assert "Only organisers" in refused.get_data(as_text=True)
