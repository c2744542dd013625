"""Accreditation: register, decide, designate signatories, export and erase personal data.

Callers commit. Every change writes an audit event; status changes also fire
``alliance_registration_status_changed`` and queue the e-mail the delegate receives.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from alliance_conf.audit.models import AuditEvent
from alliance_conf.audit.operations import log_event
from alliance_conf.auth.access import is_organiser
from alliance_conf.auth.models import ApiToken, EmailProofPurpose, User, UserRole, normalise_email
from alliance_conf.auth.operations import (
    check_email,
    check_full_name,
    check_password_strength,
    create_user,
    find_user_by_email,
)
from alliance_conf.core.changes import NothingToChange
from alliance_conf.core.db import utcnow
from alliance_conf.core.errors import (
    Conflict,
    InvalidState,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from alliance_conf.core.inputs import plain_text_error
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.i18n import _, _l, ngettext
from alliance_conf.mail.operations import queue_template
from alliance_conf.plugins import hook
from alliance_conf.registrations.models import DelegateFunction, Registration, RegistrationStatus

S = RegistrationStatus
ALLOWED_TRANSITIONS: dict[RegistrationStatus, frozenset[RegistrationStatus]] = {
    S.pending: frozenset({S.approved, S.rejected, S.withdrawn, S.cancelled}),
    S.approved: frozenset({S.withdrawn, S.cancelled}),
    S.rejected: frozenset(),
    S.withdrawn: frozenset(),
    S.cancelled: frozenset(),
}
ORGANISER_MOVES = frozenset({S.approved, S.rejected, S.cancelled})
DELEGATE_MOVES = frozenset({S.withdrawn})
ACTIVE_STATUSES = (S.pending, S.approved)
TEXT_LIMITS = {"position": 200, "organisation": 200, "accessibility_needs": 2000}
ERASED_NAME = "Erased participant"
IDENTITY_FIELDS = frozenset({"position", "organisation"})


# --- who may see or do what -------------------------------------------------------------------


def approved_registration(user, delegation_id: int) -> Registration | None:
    if user is None or not user.is_authenticated:
        return None
    return db.session.scalar(
        sa.select(Registration).where(
            Registration.user_id == user.id,
            Registration.delegation_id == delegation_id,
            Registration.status == S.approved,
        )
    )


def own_approved_registration(user, conference_id: int) -> Registration | None:
    """The person's approved registration in a conference (one per person and conference)."""
    if user is None or not user.is_authenticated:
        return None
    return db.session.scalar(
        sa.select(Registration).where(
            Registration.user_id == user.id,
            Registration.conference_id == conference_id,
            Registration.status == S.approved,
        )
    )


def is_head_of(user, delegation_id: int) -> bool:
    own = approved_registration(user, delegation_id)
    return own is not None and own.function == DelegateFunction.head_of_delegation


def can_view_registration(user, registration: Registration) -> bool:
    """Organisers, the person themself, and the approved head of their delegation."""
    if is_organiser(user):
        return True
    if user is None or not user.is_authenticated:
        return False
    return registration.user_id == user.id or is_head_of(user, registration.delegation_id)


def can_see_needs(user, registration: Registration) -> bool:
    """Accessibility and dietary needs: organisers and the person themself only."""
    return is_organiser(user) or (
        user is not None and user.is_authenticated and registration.user_id == user.id
    )


def can_view_delegation(user, delegation: Delegation) -> bool:
    """Organisers and staff see every delegation; a delegate only their own."""
    if user is None or not user.is_authenticated:
        return False
    if user.has_role(UserRole.organiser, UserRole.staff):
        return True
    return approved_registration(user, delegation.id) is not None


def can_designate(user, delegation_id: int) -> bool:
    return is_organiser(user) or is_head_of(user, delegation_id)


def get_registration(registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise NotFound(_("There is no such registration."))
    return registration


def view_registration(user, registration_id: int) -> Registration:
    """The registration if ``user`` may see it; others get the same 404 as a missing one."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or not can_view_registration(user, registration):
        raise NotFound(_("There is no such registration, or it is not yours to see."))
    return registration


def delegation_members(delegation: Delegation) -> list[Registration]:
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(Registration.delegation_id == delegation.id)
            .options(sa.orm.joinedload(Registration.user))
            .order_by(Registration.status, Registration.function, Registration.id)
        )
    )


def own_registrations(user) -> list[Registration]:
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(Registration.user_id == user.id)
            .options(
                sa.orm.joinedload(Registration.delegation),
                sa.orm.joinedload(Registration.conference),
            )
            .order_by(Registration.created_at.desc())
        )
    )


# --- registering ------------------------------------------------------------------------------


def _clean_text(fields: dict) -> dict:
    cleaned, errors = {}, {}
    for name, value in fields.items():
        value = (value or "").strip()
        limit = TEXT_LIMITS.get(name, 2000)
        if len(value) > limit:
            errors[name] = f"At most {limit} characters."
        elif problem := plain_text_error(value, multiline=name not in IDENTITY_FIELDS):
            errors[name] = problem  # the same rule and message as the API's Line and Text
        cleaned[name] = value
    if errors:
        raise ValidationFailed(
            _("Some answers are too long or contain control or formatting characters."), errors
        )
    return cleaned


def _check_head_free(delegation: Delegation, function: DelegateFunction, exclude_id=None) -> None:
    if function != DelegateFunction.head_of_delegation:
        return
    statement = sa.select(Registration).where(
        Registration.delegation_id == delegation.id,
        Registration.function == DelegateFunction.head_of_delegation,
        Registration.status.in_(ACTIVE_STATUSES),
    )
    if exclude_id is not None:
        statement = statement.where(Registration.id != exclude_id)
    if db.session.scalar(statement) is not None:
        raise Conflict(
            _(
                "%(delegation)s already has a head of delegation; choose another function.",
                delegation=delegation.name,
            ),
            {"function": _("This delegation already has a head of delegation.")},
        )


def create_registration(
    delegation: Delegation,
    user: User,
    *,
    function: DelegateFunction | str = DelegateFunction.other,
    position: str = "",
    organisation: str = "",
    accessibility_needs: str = "",
    dietary_needs: str = "",
    consent_participant_list: bool = False,
    privacy_accepted: bool = False,
    require_privacy: bool = True,
    actor=None,
) -> Registration:
    """A pending registration of ``user`` in ``delegation``; one per person and conference."""
    try:
        function = DelegateFunction(function)
    except ValueError:
        raise ValidationFailed(
            _("%(function)s is not a delegate function.", function=repr(function)),
            {"function": _("Unknown function.")},
        ) from None
    if require_privacy and not privacy_accepted:
        raise ValidationFailed(
            _("Please read and accept the privacy notice to register."),
            {"privacy_accepted": _("You must accept the privacy notice.")},
        )
    if not delegation.active:
        raise ValidationFailed(
            _("%(delegation)s is not taking registrations.", delegation=delegation.name)
        )
    text = _clean_text(
        {
            "position": position,
            "organisation": organisation,
            "accessibility_needs": accessibility_needs,
            "dietary_needs": dietary_needs,
        }
    )
    existing = db.session.scalar(
        sa.select(Registration).where(
            Registration.conference_id == delegation.conference_id,
            Registration.user_id == user.id,
        )
    )
    if existing is not None:
        raise Conflict(
            _(
                "%(email)s is already registered for this conference (delegation "
                "%(delegation)s, status %(status)s). One person registers once per conference.",
                email=user.email,
                delegation=existing.delegation.name,
                status=existing.status.title.lower(),
            ),
            {"email": _("Already registered for this conference.")},
        )
    _check_head_free(delegation, function)
    requested = None
    if function.carries_powers and not is_organiser(actor):
        # Claimed, not established: an ordinary delegate's rights until organisers confirm.
        requested, function = function, DelegateFunction.other
    registration = Registration(
        conference_id=delegation.conference_id,
        delegation_id=delegation.id,
        user_id=user.id,
        status=S.pending,
        function=function,
        requested_function=requested,
        consent_participant_list=bool(consent_participant_list),
        privacy_accepted_at=utcnow() if privacy_accepted else None,
        **text,
    )
    db.session.add(registration)
    try:
        db.session.flush()
    except IntegrityError:
        raise Conflict(
            _(
                "Someone registered at the same moment (same person or a second head of "
                "delegation); nothing was stored. Please check and try again."
            )
        ) from None
    log_event(
        "registration.created",
        registration,
        actor=actor or user,
        data={
            "delegation_id": delegation.id,
            "function": str(function),
            "requested_function": str(requested) if requested else None,
            "on_behalf": actor is not None and getattr(actor, "id", None) != user.id,
        },
    )
    hook().alliance_registration_status_changed(
        registration=registration, old_status=None, new_status=S.pending, actor=actor or user
    )
    queue_template(
        user.email,
        _l("Registration received: %(conference)s", conference=delegation.conference.title),
        "registration_received",
        conference_id=delegation.conference_id,
        registration=registration,
        user=user,
        delegation=delegation,
        conference=delegation.conference,
    )
    return registration


def register_with_invitation(
    invitation,
    *,
    user: User | None = None,
    email: str = "",
    full_name: str = "",
    password: str | None = None,
    email_code: str | None = None,
    language: str | None = None,
    **fields,
) -> Registration:
    """Answer an invitation: a new account (or the signed-in ``user``) and a pending registration.

    A new account keeps ``language``, the interface language the person registered in (the
    caller passes the request's), so later pages and e-mails speak it.

    When ``email`` already has an account and that person is not signed in, raise a Conflict
    asking them to sign in: accounts are never attached without their password. A new account
    for the invited address is created at once; for any other address only with the code sent
    to it (``email_code``; without one, the code is sent and EmailProofRequired raised).
    """
    from alliance_conf.auth.proofs import require_proof
    from alliance_conf.invitations.operations import mark_accepted, require_pending

    require_pending(invitation)
    if user is None:
        email = check_email(email)
        if find_user_by_email(email) is not None:
            raise Conflict(
                f"There is already an account for {email}. Sign in with it first, then open "
                "the invitation link again to attach this registration to your account.",
                {"email": _("An account exists: sign in first.")},
            )
        if not password:
            raise ValidationFailed(
                _("Choose a password for your new account."), {"password": _("Required.")}
            )
        check_full_name(full_name)
        check_password_strength(password, user_inputs=(email, full_name))
        if email != normalise_email(invitation.email):
            require_proof(
                email,
                email_code,
                EmailProofPurpose.register,
                invitation_id=invitation.id,
                what=_l(
                    "your registration for %(conference)s", conference=invitation.conference.title
                ),
            )
        user = create_user(
            email=email,
            full_name=full_name,
            password=password,
            role=UserRole.delegate,
            language=language,
        )
    registration = create_registration(invitation.delegation, user, actor=user, **fields)
    mark_accepted(invitation, registration, actor=user)
    return registration


def register_on_behalf(
    delegation: Delegation, *, email: str, full_name: str, actor, **fields
) -> Registration:
    """Organisers register someone for a delegation; a new person gets an account without a
    password (they set one later); the privacy notice is not accepted on their behalf."""
    if not is_organiser(actor):
        raise PermissionDenied(_("Only organisers register people on a delegation's behalf."))
    email = check_email(email)
    user = find_user_by_email(email)
    if user is None:
        from alliance_conf.auth.models import AccountTokenPurpose
        from alliance_conf.auth.recovery import issue_link

        user = create_user(
            email=email, full_name=full_name, password=None, role=UserRole.delegate, actor=actor
        )
        issue_link(user, AccountTokenPurpose.set_password, actor=actor)
    fields.pop("privacy_accepted", None)
    return create_registration(
        delegation, user, actor=actor, require_privacy=False, privacy_accepted=False, **fields
    )


# --- accreditation decisions ------------------------------------------------------------------


def _lock_delegation(delegation_id: int) -> Delegation:
    """Hold the delegation row until commit so quota counts cannot race.

    PostgreSQL: SELECT ... FOR UPDATE. SQLite ignores FOR UPDATE but serialises writers, so a
    no-op UPDATE takes the database write lock before the count.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(
            sa.update(Delegation)
            .where(Delegation.id == delegation_id)
            .values(active=Delegation.active)
            .execution_options(synchronize_session=False)
        )
        return db.session.get(Delegation, delegation_id)
    return db.session.scalars(
        sa.select(Delegation)
        .where(Delegation.id == delegation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def approved_count(delegation_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Registration.id)).where(
            Registration.delegation_id == delegation_id, Registration.status == S.approved
        )
    )


def change_status(
    registration: Registration,
    new_status: RegistrationStatus | str,
    *,
    actor,
    reason: str = "",
    function: DelegateFunction | str | None = None,
) -> Registration:
    """Move a registration along the allowed transitions, with the rights each move needs.

    Approving with ``function`` confirms (or changes) the person's function: the only way a
    function that carries powers is established. Without it a requested function stays a
    request and the person has an ordinary delegate's rights."""
    try:
        new_status = RegistrationStatus(new_status)
    except ValueError:
        known = ", ".join(s.value for s in S)
        raise ValidationFailed(
            _(
                "%(status)s is not a registration status (%(known)s).",
                status=repr(new_status),
                known=known,
            ),
            {"status": _("Unknown.")},
        ) from None
    reason = (reason or "").strip()
    if actor is not None:
        if new_status in ORGANISER_MOVES and not is_organiser(actor):
            raise PermissionDenied(_("Only organisers approve, reject or cancel registrations."))
        if new_status in DELEGATE_MOVES and actor.id != registration.user_id:
            raise PermissionDenied(
                _("Only the delegate can withdraw their registration; organisers cancel it.")
            )
    old_status = registration.status
    if new_status == old_status and function in (None, registration.function):
        raise NothingToChange({"status"})  # the status it has: a 422 like any no-op change
    if new_status not in ALLOWED_TRANSITIONS[old_status]:
        raise InvalidState(
            _(
                "A %(old)s registration cannot be %(new)s.",
                old=old_status.title.lower(),
                new=new_status.title.lower(),
            )
        )
    if new_status == S.rejected and not reason:
        raise ValidationFailed(
            _("Give the reason for the rejection; the delegate receives it."),
            {"reason": _("A reason is required to reject.")},
        )
    if len(reason) > 2000:
        raise ValidationFailed(
            _("The reason is too long."), {"reason": _("At most 2000 characters.")}
        )
    if function is not None and new_status != S.approved:
        raise ValidationFailed(
            _("A function is confirmed when approving."), {"function": _("Only with approval.")}
        )
    if new_status == S.approved:
        if function is not None:
            _confirm_function(registration, function, actor)
        delegation = _lock_delegation(registration.delegation_id)
        quota = delegation.delegate_quota
        if quota is not None:
            count = approved_count(delegation.id)
            if count >= quota:
                raise Conflict(
                    ngettext(
                        "%(delegation)s has reached its quota of %(num)d approved delegate "
                        "(%(count)s approved). Raise the quota or cancel someone first.",
                        "%(delegation)s has reached its quota of %(num)d approved delegates "
                        "(%(count)s approved). Raise the quota or cancel someone first.",
                        quota,
                        delegation=delegation.name,
                        count=count,
                    ),
                    {"status": _("Over quota.")},
                )
        if registration.function == DelegateFunction.head_of_delegation:
            _check_head_free(delegation, registration.function, exclude_id=registration.id)
    registration.status = new_status
    if new_status in ORGANISER_MOVES:
        registration.decided_at = utcnow()
        registration.decided_by_id = getattr(actor, "id", None)
    if new_status == S.rejected:
        registration.rejection_reason = reason
    if registration.is_signatory and new_status != S.approved:
        _clear_signatory(registration, actor, because="status_changed")
    db.session.flush()
    log_event(
        "registration.status_changed",
        registration,
        actor=actor,
        data={"old": str(old_status), "new": str(new_status), "reason": reason},
    )
    hook().alliance_registration_status_changed(
        registration=registration, old_status=old_status, new_status=new_status, actor=actor
    )
    if new_status in (S.approved, S.rejected):
        conference = registration.conference
        queue_template(
            registration.user.email,
            (
                _l("Your registration was approved: %(conference)s", conference=conference.title)
                if new_status == S.approved
                else _l(
                    "Your registration was rejected: %(conference)s", conference=conference.title
                )
            ),
            "decision",
            conference_id=conference.id,
            registration=registration,
            user=registration.user,
            conference=conference,
            delegation=registration.delegation,
            reason=reason,
        )
    return registration


def _parse_function(function) -> DelegateFunction:
    try:
        return DelegateFunction(function)
    except ValueError:
        raise ValidationFailed(
            _("%(function)s is not a delegate function.", function=repr(function)),
            {"function": _("Unknown function.")},
        ) from None


def _confirm_function(registration: Registration, function, actor) -> None:
    function = _parse_function(function)
    old = registration.function
    registration.function = function
    registration.requested_function = None
    log_event(
        "registration.function_confirmed",
        registration,
        actor=actor,
        data={"old": str(old), "new": str(function)},
    )


def confirm_function(
    registration: Registration, function: DelegateFunction | str, *, actor
) -> Registration:
    """Organisers confirm or change the function of a registration (pending or approved)."""
    if not is_organiser(actor):
        raise PermissionDenied(_("Only organisers confirm a delegate's function."))
    if registration.status not in ACTIVE_STATUSES:
        raise InvalidState(
            _(
                "A %(status)s registration keeps its function.",
                status=registration.status.title.lower(),
            )
        )
    function = _parse_function(function)
    if registration.status == S.approved and function == DelegateFunction.head_of_delegation:
        _check_head_free(registration.delegation, function, exclude_id=registration.id)
    _confirm_function(registration, function, actor)
    try:
        db.session.flush()
    except IntegrityError:
        raise Conflict(
            _(
                "%(delegation)s already has a head of delegation.",
                delegation=registration.delegation.name,
            ),
            {"function": _("This delegation already has a head of delegation.")},
        ) from None
    return registration


def decide_many(
    conference_id: int,
    registration_ids: list[int],
    new_status: RegistrationStatus | str,
    *,
    actor,
    reason: str = "",
) -> list[Registration]:
    """One decision for many registrations: all of them or, on the first refusal, none."""
    if not registration_ids:
        raise ValidationFailed(_("Select at least one registration."), {"ids": _("None selected.")})
    registrations = db.session.scalars(
        sa.select(Registration)
        .where(Registration.id.in_(registration_ids), Registration.conference_id == conference_id)
        .order_by(Registration.id)
    ).all()
    if len(registrations) != len(set(registration_ids)):
        raise NotFound(_("Some selected registrations do not belong to this conference."))
    for registration in registrations:
        try:
            change_status(registration, new_status, actor=actor, reason=reason)
        except (Conflict, InvalidState, ValidationFailed) as exc:
            raise type(exc)(
                _(
                    "%(name)s: %(problem)s Nothing was changed.",
                    name=registration.user.full_name,
                    problem=exc.message,
                ),
                exc.fields,
            ) from None
    return list(registrations)


# --- signatories: heads nominate, organisers grant full powers (see powers.py) -------------


def nominate_signatory(registration: Registration, *, actor) -> Registration:
    """The head of delegation (or organisers) proposes who should sign. It grants nothing:
    organisers grant full powers after checking the instrument."""
    if not can_designate(actor, registration.delegation_id):
        raise PermissionDenied(
            _("Only organisers or the delegation's head nominate who should sign for it.")
        )
    if registration.status != S.approved:
        raise InvalidState(_("Only an approved delegate can be nominated to sign."))
    if registration.signatory_nominated_at is None:
        registration.signatory_nominated_at = utcnow()
        registration.signatory_nominated_by_id = getattr(actor, "id", None)
        db.session.flush()
        log_event("registration.signatory_nominated", registration, actor=actor)
    return registration


def withdraw_nomination(registration: Registration, *, actor) -> Registration:
    if not can_designate(actor, registration.delegation_id):
        raise PermissionDenied(
            _("Only organisers or the delegation's head withdraw a nomination to sign.")
        )
    if registration.signatory_nominated_at is not None:
        registration.signatory_nominated_at = None
        registration.signatory_nominated_by_id = None
        db.session.flush()
        log_event("registration.signatory_nomination_withdrawn", registration, actor=actor)
    return registration


def _clear_signatory(registration: Registration, actor, because: str) -> None:
    from alliance_conf.registrations.powers import end_active_powers

    end_active_powers(registration, actor=actor, reason=because)


# --- personal data -----------------------------------------------------------------------------


def _iso(value):
    return value.isoformat() if value is not None else None


def personal_data(user: User) -> dict:
    """Everything held on ``user``: account, registrations, invitations, mail, own actions."""
    from alliance_conf.invitations.models import Invitation
    from alliance_conf.mail.models import MailMessage

    registrations = own_registrations(user)
    invitations = db.session.scalars(
        sa.select(Invitation).where(Invitation.email == user.email).order_by(Invitation.id)
    ).all()
    messages = db.session.scalars(
        sa.select(MailMessage).where(MailMessage.to_address == user.email).order_by(MailMessage.id)
    ).all()
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.actor_id == user.id).order_by(AuditEvent.id)
    ).all()
    return {
        "account": {
            "id": user.id,
            "email": user.email,
            "full_name": user.full_name,
            "role": str(user.role),
            "active": user.is_active_account,
            "created_at": _iso(user.created_at),
            "last_login_at": _iso(user.last_login_at),
        },
        "registrations": [
            {
                "id": r.id,
                "conference": r.conference.slug,
                "delegation": r.delegation.name,
                "status": str(r.status),
                "function": str(r.function),
                "position": r.position,
                "organisation": r.organisation,
                "accessibility_needs": r.accessibility_needs,
                "dietary_needs": r.dietary_needs,
                "consent_participant_list": r.consent_participant_list,
                "privacy_accepted_at": _iso(r.privacy_accepted_at),
                "rejection_reason": r.rejection_reason,
                "decided_at": _iso(r.decided_at),
                "is_signatory": r.is_signatory,
                "signatory_designated_at": _iso(r.signatory_designated_at),
                "requested_function": str(r.requested_function or "") or None,
                "signatory_nominated_at": _iso(r.signatory_nominated_at),
                "created_at": _iso(r.created_at),
            }
            for r in registrations
        ],
        "invitations": [
            {
                "id": i.id,
                "delegation": i.delegation.name,
                "status": str(i.status),
                "created_at": _iso(i.created_at),
                "responded_at": _iso(i.responded_at),
            }
            for i in invitations
        ],
        "mail": [
            {
                "subject": m.subject,
                "status": str(m.status),
                "created_at": _iso(m.created_at),
                "sent_at": _iso(m.sent_at),
            }
            for m in messages
        ],
        "actions": [
            {
                "action": e.action,
                "object": f"{e.object_type}:{e.object_id}",
                "created_at": _iso(e.created_at),
                "ip_address": e.ip_address,
            }
            for e in events
        ],
    }


def erase_personal_data(user: User, *, actor) -> User:
    """Anonymise ``user``: counts, statuses and audit events stay, the person does not.

    The account is deactivated and loses its password, name and e-mail; registrations keep
    their status and function but lose every free-text answer; invitations and mail to the
    old address are blanked; audit events keep their rows, with the actor label replaced.
    """
    from alliance_conf.invitations.models import Invitation
    from alliance_conf.mail.models import MailMessage

    if actor is None or (actor.id != user.id and not actor.has_role(UserRole.admin)):
        raise PermissionDenied(
            _("Only the person themself (or an administrator) erases an account.")
        )
    if user.role in (UserRole.admin, UserRole.organiser) and actor.id == user.id:
        raise PermissionDenied(_("Organiser and administrator accounts are closed by an admin."))
    old_email = user.email
    placeholder = f"erased-{user.id}@invalid"
    for registration in db.session.scalars(
        sa.select(Registration).where(Registration.user_id == user.id)
    ):
        registration.position = ""
        registration.organisation = ""
        registration.accessibility_needs = ""
        registration.dietary_needs = ""
        registration.consent_participant_list = False
        if registration.rejection_reason:
            registration.rejection_reason = "[erased]"
    db.session.execute(
        sa.update(Invitation)
        .where(Invitation.email == old_email)
        .values(email=placeholder, full_name="")
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(MailMessage)
        .where(MailMessage.to_address == old_email)
        .values(to_address=placeholder, body_text="[erased]", body_html=None, subject="[erased]")
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(AuditEvent)
        .where(AuditEvent.actor_id == user.id)
        .values(actor_label=placeholder)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    user.email = placeholder
    user.full_name = ERASED_NAME
    user.password_hash = None
    user.is_active_account = False
    user.session_version += 1
    db.session.flush()
    log_event("user.erased", user, actor=actor)
    return user
