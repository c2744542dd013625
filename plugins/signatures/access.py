"""Who may sign, withdraw or see a signature: plain predicates and checks that raise
``PermissionDenied`` / ``InvalidState`` saying why."""

from __future__ import annotations

from flask import current_app

from alliance_conf.auth.access import is_team, membership, signed_in
from alliance_conf.core.errors import InvalidState, PermissionDenied
from alliance_conf.declarations.models import Declaration, DeclarationState
from alliance_conf.delegations.models import Delegation, DelegationKind
from alliance_conf.i18n import _
from alliance_conf.registrations.models import Registration
from plugins.signatures.models import Signature, SignatureKind

# --- who may sign ----------------------------------------------------------------------------


def signing_kind(delegation: Delegation) -> SignatureKind | None:
    """Whether the delegation's group signs, supports, or does neither."""
    signing = current_app.config["SIGNATURES_SIGNING_GROUPS"]
    support = current_app.config["SIGNATURES_SUPPORT_GROUPS"]
    if (delegation.group in signing) if signing is not None else delegation.is_state:
        return SignatureKind.signature
    if (
        (delegation.group in support)
        if support is not None
        else delegation.kind == DelegationKind.organisation
    ):
        return SignatureKind.support
    return None


def signatory_registration(actor, declaration: Declaration) -> Registration:
    """The actor's registration that entitles them to sign, or PermissionDenied saying why."""
    if signed_in(actor) is None:
        raise PermissionDenied(_("Sign in as your delegation's signatory to sign."))
    registration = membership(actor, declaration.conference_id)
    if registration is None:
        raise PermissionDenied(
            _("Only accredited members of a delegation to this conference can sign.")
        )
    if not registration.is_signatory:
        raise PermissionDenied(
            _(
                "You do not hold full powers for %(name)s: only its designated signatory can sign.",
                name=registration.delegation.name,
            )
        )
    delegation = registration.delegation
    if not delegation.active:
        raise PermissionDenied(_("%(name)s is not an active delegation.", name=delegation.name))
    if signing_kind(delegation) is None:
        raise PermissionDenied(
            _(
                "Delegations of the group “%(group)s” neither sign nor support this declaration.",
                group=declaration.conference.group_label(delegation.group),
            )
        )
    return registration


def can_sign(actor, declaration: Declaration) -> bool:
    if declaration.state != DeclarationState.open:
        return False
    try:
        signatory_registration(actor, declaration)
    except PermissionDenied:
        return False
    return True


def require_open(declaration: Declaration) -> None:
    if declaration.state != DeclarationState.open:
        raise InvalidState(
            _(
                "“%(title)s” is not open for signature; it is %(state)s.",
                title=declaration.title,
                state=declaration.state.title.lower(),
            )
        )


def can_see_signature(signature: Signature, user) -> bool:
    if signed_in(user) is None:
        return False
    if is_team(user):
        return True
    registration = membership(user, signature.conference_id)
    return registration is not None and registration.delegation_id == signature.delegation_id


def can_withdraw(signature: Signature, actor) -> bool:
    if signed_in(actor) is None:
        return False
    registration = membership(actor, signature.conference_id)
    return (
        registration is not None
        and registration.delegation_id == signature.delegation_id
        and registration.is_signatory
    )


def require_can_withdraw(signature: Signature, actor) -> None:
    if not can_withdraw(signature, actor):
        raise PermissionDenied(
            _(
                "Only a signatory of %(name)s can withdraw its signature.",
                name=signature.delegation.name,
            )
        )
