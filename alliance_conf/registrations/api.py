from __future__ import annotations

import base64
import binascii

from alliance_conf.api.framework import ApiBlueprint, Unauthorised, api_user
from alliance_conf.auth.models import UserRole
from alliance_conf.conferences.operations import get_conference
from alliance_conf.core.errors import NotFound, PermissionDenied, ValidationFailed
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.i18n import _, current_language
from alliance_conf.invitations.operations import open_invitation
from alliance_conf.registrations import operations, powers
from alliance_conf.registrations.models import Registration
from alliance_conf.registrations.schemas import (
    FullPowersGrant,
    FullPowersOut,
    FullPowersRevocation,
    RegistrationCreate,
    RegistrationDetail,
    RegistrationStatusChange,
)

api = ApiBlueprint("registrations_api", __name__)


def detail(registration: Registration, viewer) -> RegistrationDetail:
    private = operations.can_see_needs(viewer, registration)
    return RegistrationDetail(
        id=registration.id,
        conference_id=registration.conference_id,
        delegation_id=registration.delegation_id,
        delegation_name=registration.delegation.name,
        user_id=registration.user_id,
        full_name=registration.user.full_name,
        email=registration.user.email,
        status=registration.status,
        function=registration.function,
        requested_function=registration.requested_function,
        position=registration.position,
        organisation=registration.organisation,
        consent_participant_list=registration.consent_participant_list,
        privacy_accepted_at=registration.privacy_accepted_at,
        rejection_reason=registration.rejection_reason if private else None,
        accessibility_needs=registration.accessibility_needs if private else None,
        dietary_needs=registration.dietary_needs if private else None,
        decided_at=registration.decided_at,
        is_signatory=registration.is_signatory,
        signatory_nominated_at=registration.signatory_nominated_at,
        signatory_designated_at=registration.signatory_designated_at,
        signatory_designated_by_id=registration.signatory_designated_by_id,
        created_at=registration.created_at,
    )


REGISTRATION_FIELDS = (
    "function",
    "position",
    "organisation",
    "accessibility_needs",
    "dietary_needs",
    "consent_participant_list",
)


@api.endpoint(
    "/conferences/<slug>/registrations",
    "POST",
    public=True,
    body=RegistrationCreate,
    response=RegistrationDetail,
    summary="Register: with an invitation token, or by organisers on a delegation's behalf",
)
def create_registration(slug: str, body: RegistrationCreate):
    """With ``token``: a new account (``email``, ``full_name``, ``password``) or, when a bearer
    token is sent, the caller's own account. With ``delegation_id``: organisers only."""
    conference = get_conference(slug)
    user = api_user()
    fields = body.model_dump(include=set(REGISTRATION_FIELDS))
    if body.token:
        invitation = open_invitation(body.token)
        db.session.commit()  # keep a computed expiry even when the registration is refused
        if invitation.conference_id != conference.id:
            raise NotFound(_("This invitation belongs to another conference."))
        registration = operations.register_with_invitation(
            invitation,
            user=user,
            email=body.email or "",
            full_name=body.full_name or "",
            password=body.password,
            email_code=body.email_code,
            language=current_language(),
            privacy_accepted=body.privacy_accepted,
            **fields,
        )
    elif body.delegation_id is not None:
        if user is None:
            raise Unauthorised(
                _("Registering on a delegation's behalf needs an organiser's token.")
            )
        if not operations.is_organiser(user):
            raise PermissionDenied(_("Only organisers register people on a delegation's behalf."))
        delegation = db.session.get(Delegation, body.delegation_id)
        if delegation is None or delegation.conference_id != conference.id:
            raise NotFound(_("There is no such delegation in this conference."))
        if not body.email or not body.full_name:
            raise ValidationFailed(
                _("Give the person's e-mail and full name."),
                {"email": "Required.", "full_name": "Required."},
            )
        registration = operations.register_on_behalf(
            delegation, email=body.email, full_name=body.full_name, actor=user, **fields
        )
    else:
        raise ValidationFailed(
            _("Send an invitation token, or (organisers) a delegation_id."),
            {"token": _("Required without delegation_id.")},
        )
    db.session.commit()
    return detail(registration, user or registration.user)


@api.endpoint(
    "/registrations/<int:registration_id>",
    "GET",
    response=RegistrationDetail,
    summary="One registration: your own, your delegation's (as its head), or any (organisers)",
)
def get_registration(registration_id: int):
    user = api_user()
    return detail(operations.view_registration(user, registration_id), user)


@api.endpoint(
    "/registrations/<int:registration_id>",
    "PATCH",
    body=RegistrationStatusChange,
    authorise=lambda registration_id: operations.view_registration(api_user(), registration_id),
    response=RegistrationDetail,
    summary="Change the status: organisers approve, reject (with a reason) or cancel; "
    "the delegate withdraws",
)
def change_status(registration_id: int, body: RegistrationStatusChange):
    user = api_user()
    registration = operations.view_registration(user, registration_id)
    operations.change_status(
        registration, body.status, actor=user, reason=body.reason, function=body.function
    )
    db.session.commit()
    return detail(registration, user)


@api.endpoint(
    "/registrations/<int:registration_id>/signatory",
    "POST",
    response=RegistrationDetail,
    status=200,
    summary="Nominate an approved delegate to sign (the head or organisers); it grants no "
    "powers: organisers grant full powers after checking the instrument",
)
def designate_signatory(registration_id: int):
    user = api_user()
    registration = operations.view_registration(user, registration_id)
    operations.nominate_signatory(registration, actor=user)
    db.session.commit()
    return detail(registration, user)


@api.endpoint(
    "/registrations/<int:registration_id>/signatory",
    "DELETE",
    response=RegistrationDetail,
    summary="Withdraw a nomination to sign",
)
def revoke_signatory(registration_id: int):
    user = api_user()
    registration = operations.view_registration(user, registration_id)
    operations.withdraw_nomination(registration, actor=user)
    db.session.commit()
    return detail(registration, user)


def powers_out(p) -> FullPowersOut:
    return FullPowersOut(
        id=p.id,
        registration_id=p.registration_id,
        delegation_id=p.delegation_id,
        delegation_name=p.delegation.name,
        signatory_name=p.registration.user.full_name,
        instrument_reference=p.instrument_reference,
        issuing_authority=p.issuing_authority,
        issuing_authority_text=p.issuing_authority_text,
        instrument_date=p.instrument_date,
        has_document=p.document_size is not None,
        granted_at=p.granted_at,
        granted_by_id=p.granted_by_id,
        revoked_at=p.revoked_at,
        revoked_by_id=p.revoked_by_id,
        revocation_reference=p.revocation_reference,
        revocation_authority=p.revocation_authority,
        revocation_authority_text=p.revocation_authority_text,
        revocation_date=p.revocation_date,
        revocation_reason=p.revocation_reason,
    )


def _instrument(body) -> powers.Instrument:
    return powers.Instrument(
        reference=body.instrument_reference,
        authority=body.issuing_authority,
        authority_text=body.issuing_authority_text,
        issued_on=body.instrument_date,
    )


@api.endpoint(
    "/registrations/<int:registration_id>/full-powers",
    "POST",
    roles=[UserRole.organiser],
    body=FullPowersGrant,
    response=FullPowersOut,
    summary="Grant full powers after checking the instrument (organisers; never oneself)",
)
def grant_full_powers(registration_id: int, body: FullPowersGrant):
    user = api_user()
    registration = operations.get_registration(registration_id)
    document = None
    if body.document_base64:
        try:
            document = base64.b64decode(body.document_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationFailed(
                _("document_base64 is not valid base64."), {"document_base64": _("Not base64.")}
            ) from None
    granted = powers.grant_full_powers(
        registration,
        _instrument(body),
        actor=user,
        document=document,
        document_filename=body.document_filename,
    )
    db.session.commit()
    return powers_out(granted)


@api.endpoint(
    "/registrations/<int:registration_id>/full-powers/revocation",
    "POST",
    roles=[UserRole.organiser],
    body=FullPowersRevocation,
    response=FullPowersOut,
    status=200,
    summary="Revoke full powers, recording the revoking instrument (organisers)",
)
def revoke_full_powers(registration_id: int, body: FullPowersRevocation):
    user = api_user()
    registration = operations.get_registration(registration_id)
    revoked = powers.revoke_full_powers(
        registration, _instrument(body), actor=user, reason=body.reason
    )
    db.session.commit()
    return powers_out(revoked)


@api.endpoint(
    "/conferences/<slug>/full-powers",
    "GET",
    roles=[UserRole.organiser],
    response=list[FullPowersOut],
    summary="The full-powers register: every grant and revocation (organisers)",
)
def full_powers_register(slug: str):
    conference = get_conference(slug)
    return [powers_out(p) for p in powers.full_powers_register(conference.id)]


@api.endpoint("/me/data", "GET", summary="Everything held on you (right of access)")
def my_data():
    return operations.personal_data(api_user())
