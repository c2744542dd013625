"""Every route (web and API, plugins included) x every kind of user, against declared rules.

The expected answer comes from one place: each view's ``access`` attribute (role level), refined
by OBJECT_RULES below for routes whose object belongs to a delegation (object level: the URL is
filled with delegation B's object, and the table says who may reach it).

A new route needs nothing here unless it has a URL parameter this module does not know yet
(the test then fails and says so): add the parameter to PARAMS, the object to ``build_world``
(one for delegation A and one for delegation B) and, if the object belongs to a delegation,
the endpoint to OBJECT_RULES.

For each route, the roles expected to be refused go first (the object surely exists then);
once an allowed role has changed the object through a POST/PUT/PATCH/DELETE, later allowed
roles may find it gone (404) without failing the test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest
import sqlalchemy as sa

from alliance_conf.auth.access import public
from alliance_conf.auth.models import User
from alliance_conf.core.db import utcnow
from alliance_conf.extensions import db
from alliance_conf.testing.routes import (
    STATE_CHANGING,
    RouteCoverageError,
    is_sign_in_redirect,
    iter_route_calls,
    sign_in_session,
)

ROLES = (
    "anonymous",
    "admin",
    "organiser",
    "staff",
    "delegate_a",
    "signatory_a",
    "delegate_b",
)
STAFF_SIDE = frozenset({"admin", "organiser", "staff"})


@dataclass
class World:
    """Sample objects: one conference, delegations A and B, one user per role, their tokens."""

    conference: object
    delegation_a: object
    delegation_b: object
    users: dict[str, User] = field(default_factory=dict)
    registrations: dict[str, object] = field(default_factory=dict)
    bearer: dict[str, str] = field(default_factory=dict)
    victim_token: object = None  # an API token belonging to delegation B's delegate
    invitation_b: object = None
    invitation_token_b: str = ""
    declaration: object = None  # in consultation: delegates of the conference may read it
    amendment_b: object = None  # delegation B's draft amendment: private to B and organisers
    round: object = None  # a reporting round on the declaration (reporting plugin)
    report_b: object = None  # delegation B's draft report in that round
    action_b: object = None  # a national action of delegation B
    signature_b: object = None  # delegation B's signature of a second, open declaration
    powers_b: object = None  # the full powers of delegation B's head, with a scanned letter
    passkey_b: object = None  # a passkey of delegation B's head
    job_b: object = None  # a finished background job (an export) started by B's head
    badge_b: object = None  # the accreditation badge of B's head
    notification_b: object = None  # a notification of B's head (full powers granted)
    message: object = None  # a message in the outbox


# URL parameter name -> the value to put in it, always delegation B's object when it has one.
PARAMS = {
    "slug": lambda w: w.conference.slug,
    "delegation_id": lambda w: w.delegation_b.id,
    "registration_id": lambda w: w.registrations["delegate_b"].id,
    "user_id": lambda w: w.users["delegate_b"].id,
    "token_id": lambda w: w.victim_token.id,
    "invitation_id": lambda w: w.invitation_b.id,
    "token": lambda w: w.invitation_token_b,
    "declaration_id": lambda w: w.declaration.id,
    "number": lambda w: 1,
    "language": lambda w: "en",
    "amendment_id": lambda w: w.amendment_b.id,
    "round_id": lambda w: w.round.id,
    "report_id": lambda w: w.report_b.id,
    "action_id": lambda w: w.action_b.id,
    "fmt": lambda w: "csv",
    "signature_id": lambda w: w.signature_b.id,
    "powers_id": lambda w: w.powers_b.id,
    "passkey_id": lambda w: w.passkey_b.id,
    "code": lambda w: w.signature_b.verification_code,
    "job_id": lambda w: w.job_b.id,
    "badge_id": lambda w: w.badge_b.id,
    "notification_id": lambda w: w.notification_b.id,
    "message_id": lambda w: w.message.id,
    # Documents by exporter name: the participant list (a conference document).
    "name": lambda w: "participants",
    "ext": lambda w: "docx",
}

# Object-level rules: endpoint -> roles that may reach delegation B's object through it.
# Roles not listed must be refused (401/403, or 404 that hides the object) even when their
# role passes the view's access rule.
OBJECT_RULES: dict[str, frozenset[str]] = {
    # Translating a declaration: staff need the translator permission (nobody here has it).
    "declarations.translate": frozenset({"admin", "organiser"}),
    "declarations_api.put_translation": frozenset({"admin", "organiser"}),
    "auth_api.revoke_token": frozenset({"admin", "delegate_b"}),
    # A person's passkeys: that person only (removing one needs their password too).
    "auth_api.remove_passkey": frozenset({"delegate_b"}),
    # Delegation B's member list: the staff side and B's own head of delegation.
    "registrations.members": frozenset({"admin", "organiser", "staff", "delegate_b"}),
    # Delegation B's head's own registration: organisers and the person; nobody from A, not staff.
    "registrations.show": frozenset({"admin", "organiser", "delegate_b"}),
    "registrations_api.get_registration": frozenset({"admin", "organiser", "delegate_b"}),
    "registrations.change_status": frozenset({"admin", "organiser", "delegate_b"}),
    "registrations_api.change_status": frozenset({"admin", "organiser", "delegate_b"}),
    # Full powers in B: organisers and B's head of delegation.
    "registrations.designate_signatory": frozenset({"admin", "organiser", "delegate_b"}),
    "registrations.revoke_signatory": frozenset({"admin", "organiser", "delegate_b"}),
    "registrations_api.designate_signatory": frozenset({"admin", "organiser", "delegate_b"}),
    "registrations_api.revoke_signatory": frozenset({"admin", "organiser", "delegate_b"}),
    # The declaration in consultation: the team and delegates of the conference, nobody else.
    **dict.fromkeys(
        (
            "declarations.show",
            "declarations.history",
            "declarations.revision",
            "declarations.canonical_json",
            "declarations.manifest_json",
            "declarations.compare",
            "declarations.amendments",
            "declarations_api.get_declaration",
            "declarations_api.list_revisions",
            "declarations_api.get_revision",
            "declarations_api.compare_revisions",
            "declarations_api.list_amendments",
            "signatures_api.list_checkpoints",
        ),
        STAFF_SIDE | {"delegate_a", "signatory_a", "delegate_b"},
    ),
    # Nobody may support B's draft: B cannot support its own, others cannot see it yet.
    "declarations.amendment_support": frozenset(),
    "declarations_api.create_support": frozenset(),
    # Reporting: B's report and actions are read by the team and B, changed only by B's
    # authorised members; new reports and actions by authorised members of a delegation.
    "reporting.report_show": STAFF_SIDE | {"delegate_b"},
    "reporting_api.get_report": STAFF_SIDE | {"delegate_b"},
    **dict.fromkeys(
        (
            "reporting.report_edit",
            "reporting.report_submit",
            "reporting_api.update_report",
            "reporting_api.submit_report",
            "reporting.action_edit",
            "reporting_api.update_action",
        ),
        frozenset({"delegate_b"}),
    ),
    **dict.fromkeys(
        (
            "reporting.action_new",
            "reporting_api.create_action",
            "reporting_api.create_report",
        ),
        frozenset({"signatory_a", "delegate_b"}),
    ),
    # Withdrawing B's signature: B's signatories only (not even organisers).
    "signatures.withdraw": frozenset({"delegate_b"}),
    "signatures_api.withdraw_signature": frozenset({"delegate_b"}),
    # Proposing needs an authorised member (head, minister, senior official or signatory):
    # delegate_a is an adviser.
    "declarations.amendment_new": frozenset({"signatory_a", "delegate_b"}),
    "declarations_api.create_amendment": frozenset({"signatory_a", "delegate_b"}),
    # Delegation B's draft amendment: B and the organisers; not staff, not delegation A.
    "declarations.amendment": frozenset({"admin", "organiser", "delegate_b"}),
    "declarations_api.get_amendment": frozenset({"admin", "organiser", "delegate_b"}),
    "declarations_api.patch_amendment": frozenset({"admin", "organiser", "delegate_b"}),
    "declarations.amendment_comment": frozenset({"admin", "organiser", "delegate_b"}),
    "declarations_api.list_comments": frozenset({"admin", "organiser", "delegate_b"}),
    "declarations_api.create_comment": frozenset({"admin", "organiser", "delegate_b"}),
    "declarations.amendment_edit": frozenset({"delegate_b"}),
    "declarations.amendment_submit": frozenset({"delegate_b"}),
    "declarations.amendment_withdraw": frozenset({"delegate_b"}),
    # A background job and its file: only the person who started it.
    **dict.fromkeys(
        ("jobs.show", "jobs.download", "jobs_api.get", "jobs_api.download"),
        frozenset({"delegate_b"}),
    ),
    # B's head's badge: organisers and its holder (not staff, who check people in).
    **dict.fromkeys(
        ("badges_api.get_badge", "badges_api.download_badge"),
        frozenset({"admin", "organiser", "delegate_b"}),
    ),
    # A notification: only the person it was written for.
    "notifications.open_notification": frozenset({"delegate_b"}),
}


def build_world(make_conference, make_delegation, make_user, make_registration) -> World:
    from alliance_conf.auth.models import PasskeyCredential
    from alliance_conf.auth.operations import issue_api_token
    from alliance_conf.badges.operations import issue_badge
    from alliance_conf.declarations.amendments import propose_amendment
    from alliance_conf.declarations.operations import create_declaration
    from alliance_conf.declarations.transitions import transition
    from alliance_conf.invitations.operations import create_invitation
    from alliance_conf.registrations.powers import Instrument, grant_full_powers

    conference = make_conference(
        slug="matrix-conference", start_date=date(2031, 5, 1), end_date=date(2031, 5, 2)
    )
    world = World(
        conference=conference,
        delegation_a=make_delegation(conference, country_code="BE", group="eu_member"),
        delegation_b=make_delegation(conference, country_code="FR", group="eu_member"),
    )
    for role in ("admin", "organiser", "staff"):
        world.users[role] = make_user(role=role)
    for key in ("delegate_a", "signatory_a", "delegate_b"):
        world.users[key] = make_user(role="delegate")
    world.registrations["delegate_a"] = make_registration(
        world.delegation_a, world.users["delegate_a"]
    )
    world.registrations["signatory_a"] = make_registration(
        world.delegation_a, world.users["signatory_a"], function="minister"
    )
    world.registrations["delegate_b"] = make_registration(
        world.delegation_b, world.users["delegate_b"], function="head_of_delegation"
    )
    instrument = Instrument("FP/MATRIX", "head_of_state", issued_on=date(2025, 3, 1))
    grant_full_powers(
        world.registrations["signatory_a"], instrument, actor=world.users["organiser"]
    )
    world.powers_b = grant_full_powers(
        world.registrations["delegate_b"],
        instrument,
        actor=world.users["organiser"],
        document=b"%PDF-1.4 matrix",
        document_filename="fr.pdf",
    )
    for role, user in world.users.items():
        _, secret = issue_api_token(user, name=f"matrix-{role}")
        world.bearer[role] = secret
    world.victim_token, _ = issue_api_token(world.users["delegate_b"], name="victim")
    world.passkey_b = PasskeyCredential(
        user_id=world.users["delegate_b"].id,
        credential_id="matrix-passkey-b",
        public_key="not-a-key",
        name="B's laptop",
    )
    db.session.add(world.passkey_b)
    world.invitation_b, world.invitation_token_b = create_invitation(
        world.delegation_b, "invitee.b@example.org", actor=world.users["organiser"]
    )
    organiser = world.users["organiser"]
    world.declaration = create_declaration(
        conference,
        title="Matrix declaration",
        content={
            "preamble": [{"text": "Recalling the matrix."}],
            "commitments": [{"title": "First", "text": "We commit to testing."}],
            "closing": [],
        },
        actor=organiser,
    )
    transition(world.declaration, "consultation", actor=organiser)
    first = world.declaration.current_revision.content["commitments"][0]["key"]
    world.amendment_b = propose_amendment(
        world.declaration,
        kind="replace",
        target_key=first,
        proposed_text="We commit to testing everything.",
        justification="Broader.",
        actor=world.users["delegate_b"],
    )
    build_reporting(world)
    build_signature(world)
    world.job_b = build_job(world.users["delegate_b"])
    world.badge_b = issue_badge(world.registrations["delegate_b"], actor=organiser)
    db.session.commit()
    from alliance_conf.mail.models import MailMessage
    from alliance_conf.notifications.models import Notification

    world.notification_b = db.session.scalars(
        sa.select(Notification)
        .where(Notification.user_id == world.users["delegate_b"].id)
        .order_by(Notification.id)
    ).first()
    world.message = db.session.scalars(sa.select(MailMessage).order_by(MailMessage.id)).first()
    return world


def build_job(owner):
    from alliance_conf.jobs.models import Job, JobState

    job = Job(
        kind="alliance_conf.participants.exports:xlsx_export_job",
        title="Matrix export",
        owner_id=owner.id,
        state=JobState.done,
        result=b"PK-matrix",
        result_name="matrix.xlsx",
        result_type="application/octet-stream",
    )
    db.session.add(job)
    return job


def build_reporting(world: World) -> None:
    """A round on the declaration, with delegation B's report and one national action of B."""
    from plugins.reporting import actions, rounds
    from plugins.reporting.models import Report

    world.round = rounds.open_round(
        world.declaration,
        title="Matrix round",
        period_start=date(2031, 5, 2),
        period_end=date(2032, 5, 1),
        deadline=date(2032, 6, 1),
        actor=world.users["organiser"],
    )
    world.report_b = db.session.scalar(
        sa.select(Report).where(
            Report.round_id == world.round.id, Report.delegation_id == world.delegation_b.id
        )
    )
    first = world.declaration.current_revision.content["commitments"][0]["key"]
    world.action_b = actions.create_action(
        world.declaration,
        world.delegation_b,
        actions.ActionData(commitment_key=first, title="National hotline"),
        actor=world.users["delegate_b"],
    )


def build_signature(world: World) -> None:
    """A second declaration, open for signature and signed by delegation B's head."""
    from alliance_conf.declarations.operations import create_declaration
    from alliance_conf.declarations.transitions import transition
    from alliance_conf.testing.fixtures import TEST_PASSWORD
    from plugins.signatures.operations import sign_declaration

    organiser = world.users["organiser"]
    signed = create_declaration(
        world.conference,
        title="Signed declaration",
        content={"preamble": [], "commitments": [{"title": "One", "text": "We sign."}]},
        actor=organiser,
    )
    transition(signed, "consultation", actor=organiser)
    transition(signed, "open", actor=organiser)
    signer = world.users["delegate_b"]
    world.signature_b = sign_declaration(
        signed, actor=signer, password=TEST_PASSWORD, typed_name=signer.full_name
    )


@pytest.fixture
def world(make_conference, make_delegation, make_user, make_registration) -> World:
    return build_world(make_conference, make_delegation, make_user, make_registration)


def request_as(app, world: World, role: str, call):
    """One request in its own app context, so nothing (``g``, the session) leaks between them."""
    client = app.test_client()
    kwargs = {}
    if call.is_api:
        if role != "anonymous":
            kwargs["headers"] = {"Authorization": f"Bearer {world.bearer[role]}"}
        if call.method in ("POST", "PUT", "PATCH"):
            kwargs["json"] = {}
    elif role != "anonymous":
        sign_in_session(client, world.users[role])
    with app.app_context():
        return client.open(call.path, method=call.method, buffered=True, **kwargs)


def expected_allowed(call, role: str, world: World) -> bool:
    user = world.users.get(role)
    allowed = call.access.allows(user)
    if allowed and call.endpoint in OBJECT_RULES:
        allowed = role in OBJECT_RULES[call.endpoint]
    return allowed


def restore_world(world: World) -> None:
    """Put back what an allowed state change moved (the declaration's state, B's draft
    amendment), so every route is judged against the same world."""
    from alliance_conf.declarations.models import (
        Amendment,
        AmendmentComment,
        AmendmentState,
        AmendmentSupport,
        Declaration,
        DeclarationState,
    )

    db.session.rollback()
    db.session.execute(
        sa.update(Declaration)
        .where(Declaration.id == world.declaration.id)
        .values(
            state=DeclarationState.consultation,
            frozen_revision_id=None,
            text_hash=None,
            frozen_at=None,
        )
    )
    amendment_id = world.amendment_b.id
    db.session.execute(
        sa.delete(AmendmentComment).where(AmendmentComment.amendment_id == amendment_id)
    )
    db.session.execute(
        sa.delete(AmendmentSupport).where(AmendmentSupport.amendment_id == amendment_id)
    )
    db.session.execute(
        sa.update(Amendment)
        .where(Amendment.id == amendment_id)
        .values(
            state=AmendmentState.draft,
            submitted_at=None,
            decided_at=None,
            decided_by_id=None,
            rejection_reason=None,
            accepted_revision_number=None,
        )
    )
    from alliance_conf.registrations.models import Registration, RegistrationStatus
    from plugins.reporting.models import Report, ReportState
    from plugins.signatures.models import Signature

    for key, registration in world.registrations.items():
        db.session.execute(
            sa.update(Registration)
            .where(Registration.id == registration.id)
            .values(
                status=RegistrationStatus.approved,
                is_signatory=key in ("signatory_a", "delegate_b"),
                signatory_designated_at=utcnow() if key in ("signatory_a", "delegate_b") else None,
            )
        )
    db.session.execute(
        sa.update(Signature)
        .where(Signature.id == world.signature_b.id)
        .values(withdrawn_at=None, withdrawal_reason=None)
    )

    db.session.execute(
        sa.update(Report)
        .where(Report.id == world.report_b.id)
        .values(state=ReportState.draft, submitted_at=None, reviewed_at=None, returned_at=None)
    )
    from alliance_conf.badges.models import Badge, CheckIn

    # B's head's badge valid again (a re-issue or a registration change revoked it).
    db.session.execute(sa.delete(CheckIn))
    db.session.execute(sa.delete(Badge).where(Badge.id != world.badge_b.id))
    db.session.execute(
        sa.update(Badge)
        .where(Badge.id == world.badge_b.id)
        .values(revoked_at=None, revoked_by_id=None, revocation_reason=None)
    )
    db.session.commit()
    db.session.expire_all()


def check(call, role: str, response, expected: bool, *, gone_ok: bool = False) -> str | None:
    """``gone_ok``: an earlier allowed role already changed the object (deleted, moved on), so
    an allowed role may now find it gone or in another state."""
    status = response.status_code
    where = f"{call} as {role}: "
    if status >= 500:
        return where + f"answered {status}"
    object_level = call.endpoint in OBJECT_RULES
    denied = status in (401, 403) or is_sign_in_redirect(response)
    if object_level and status == 404:
        denied = not (expected and gone_ok)
    if expected and denied:
        return where + f"expected to be allowed, got {status}"
    if not expected and not denied:
        return where + f"expected to be refused, got {status}"
    if not expected and role == "anonymous":
        if call.is_api and status != 401:
            return where + f"anonymous API call must get 401, got {status}"
        if not call.is_api and not is_sign_in_redirect(response):
            return where + f"anonymous page must redirect to sign-in, got {status}"
    if not expected and role != "anonymous" and is_sign_in_redirect(response):
        return where + "a signed-in user must get 403, not the sign-in page"
    return None


def test_object_rules_name_real_endpoints_and_allowed_roles(app):
    for endpoint, roles in OBJECT_RULES.items():
        assert endpoint in app.view_functions, f"OBJECT_RULES names unknown endpoint {endpoint}"
        assert roles <= set(ROLES) - {"anonymous"}, f"unknown role in OBJECT_RULES[{endpoint}]"


def test_every_route_answers_every_role_as_declared(app, world, capsys):
    params = {name: (lambda f=f: f(world)) for name, f in PARAMS.items()}
    calls = list(iter_route_calls(app, params))
    assert calls, "the URL map has no routes"
    failures = []
    checked = 0
    for call in calls:
        # Refused roles first, while the object surely exists: a 404 after an allowed role
        # deleted it must not pass for a refusal.
        expectations = sorted(
            ((expected_allowed(call, role, world), role) for role in ROLES), key=lambda e: e[0]
        )
        changed = False
        for expected, role in expectations:
            response = request_as(app, world, role, call)
            failure = check(call, role, response, expected, gone_ok=changed)
            if failure:
                failures.append(failure)
            if expected and call.method in STATE_CHANGING and response.status_code < 400:
                changed = True
            checked += 1
        if changed:
            restore_world(world)
    with capsys.disabled():
        print(
            f"\nauthorisation matrix: {len(calls)} routes x {len(ROLES)} roles = {checked} checks"
        )
    assert not failures, "\n".join(failures)
    assert checked == len(calls) * len(ROLES)


def test_delegation_b_token_cannot_be_revoked_by_delegation_a(client, world):
    token = world.victim_token
    for role in ("delegate_a", "signatory_a", "organiser", "staff"):
        headers = {"Authorization": f"Bearer {world.bearer[role]}"}
        response = client.delete(f"/api/v1/auth/tokens/{token.id}", headers=headers)
        assert response.status_code == 403, role
    db.session.refresh(token)
    assert token.revoked_at is None


def test_a_route_without_access_rule_fails_the_walk(make_app):
    bare = make_app()
    bare.add_url_rule("/naked", "naked", lambda: "no rule here")
    with pytest.raises(RouteCoverageError, match=r"/naked \(naked\) declares no access rule"):
        list(iter_route_calls(bare, {"slug": lambda: "x", "token_id": lambda: 1}))


def test_an_unknown_url_parameter_fails_the_walk_and_says_what_to_add(make_app):
    other = make_app()
    other.add_url_rule("/widgets/<int:widget_id>", "widget", public(lambda widget_id: "w"))
    with pytest.raises(RouteCoverageError) as info:
        list(iter_route_calls(other, {"slug": lambda: "x", "token_id": lambda: 1}))
    message = str(info.value)
    assert "widget_id" in message
    assert "add them to PARAMS" in message
    assert "tests/test_authorisation_matrix.py" in message


def test_signed_in_users_are_the_world_roles(world):
    roles = {key: str(user.role) for key, user in world.users.items()}
    assert roles["signatory_a"] == "delegate"
    assert world.registrations["signatory_a"].is_signatory
    delegations = {
        key: reg.delegation_id for key, reg in world.registrations.items() if reg is not None
    }
    assert delegations["delegate_a"] == delegations["signatory_a"] == world.delegation_a.id
    assert delegations["delegate_b"] == world.delegation_b.id
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == len(ROLES) - 1
    assert set(world.users) >= STAFF_SIDE
