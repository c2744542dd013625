"""Delegation state changes. Callers commit; every change writes its audit event."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import format_number

from alliance_conf.audit.operations import log_event
from alliance_conf.auth.operations import check_email, check_plain_text
from alliance_conf.conferences.models import Conference
from alliance_conf.core.errors import Conflict, InvalidState, NotFound, ValidationFailed
from alliance_conf.delegations.countries import (
    UnknownCountry,
    country_name,
    delegation_name,
    normalise_code,
)
from alliance_conf.delegations.models import Delegation, DelegationKind
from alliance_conf.extensions import db
from alliance_conf.i18n import _, ngettext
from alliance_conf.plugins import hook


def check_group(conference: Conference, group: str) -> str:
    group = (group or "").strip()
    if group not in (conference.groups or {}):
        known = ", ".join(sorted(conference.groups or {}))
        raise ValidationFailed(
            _(
                "'%(group)s' is not a delegation group of this conference (known: %(known)s).",
                group=group,
                known=known,
            ),
            {"group": _("Choose one of: %(known)s.", known=known)},
        )
    return group


def create_delegation(
    conference: Conference,
    *,
    group: str,
    country_code: str | None = None,
    organisation_name: str | None = None,
    contact_email: str | None = None,
    delegate_quota: int | None = None,
    actor=None,
) -> Delegation:
    """Add a country (ISO 3166-1 alpha-2) or an organisation delegation to ``conference``."""
    group = check_group(conference, group)
    country_code = normalise_code(country_code) if country_code else None
    organisation_name = (organisation_name or "").strip() or None
    if bool(country_code) == bool(organisation_name):
        raise ValidationFailed(
            _("Give either a country code or an organisation name, not both or neither."),
            {"country_code": _("Country code or organisation name.")},
        )
    if organisation_name:
        check_plain_text(organisation_name, "organisation_name", _("The organisation's name"))
    check_quota(delegate_quota)
    if contact_email:
        contact_email = check_email(contact_email, "contact_email")
    if country_code:
        try:
            name = country_name(country_code, "en")  # stored in English; pages translate it
        except UnknownCountry:
            raise ValidationFailed(
                _(
                    "'%(code)s' is not an ISO 3166-1 alpha-2 country code.",
                    code=country_code,
                ),
                {"country_code": _("Unknown country code.")},
            ) from None
        kind = DelegationKind.state
        clash = Delegation.country_code == country_code
    else:
        name = organisation_name
        kind = DelegationKind.organisation
        clash = sa.func.lower(Delegation.organisation_name) == organisation_name.lower()
    existing = db.session.scalar(
        sa.select(Delegation.id).where(Delegation.conference_id == conference.id, clash)
    )
    if existing is not None:
        raise Conflict(
            _(
                "%(name)s already has a delegation at this conference.",
                name=delegation_name(name, country_code),
            )
        )
    delegation = Delegation(
        conference_id=conference.id,
        kind=kind,
        country_code=country_code,
        organisation_name=organisation_name,
        name=name,
        group=group,
        contact_email=contact_email or None,
        delegate_quota=delegate_quota,
    )
    db.session.add(delegation)
    db.session.flush()
    log_event("delegation.created", delegation, actor=actor, data={"name": name})
    hook().alliance_delegation_created(delegation=delegation, actor=actor)
    return delegation


def get_delegation(conference: Conference, delegation_id: int) -> Delegation:
    delegation = db.session.get(Delegation, delegation_id)
    if delegation is None or delegation.conference_id != conference.id:
        raise NotFound(_("There is no delegation %(id)s at this conference.", id=delegation_id))
    return delegation


def approved_count(delegation: Delegation) -> int:
    from alliance_conf.registrations.models import Registration, RegistrationStatus

    return db.session.scalar(
        sa.select(sa.func.count(Registration.id)).where(
            Registration.delegation_id == delegation.id,
            Registration.status == RegistrationStatus.approved,
        )
    )


MAX_QUOTA = 100_000


def check_quota(delegate_quota: int | None, field: str = "delegate_quota") -> int | None:
    if delegate_quota is not None and delegate_quota < 0:
        raise ValidationFailed(_("The delegate quota cannot be negative."), {field: "≥ 0"})
    if delegate_quota is not None and delegate_quota > MAX_QUOTA:
        raise ValidationFailed(
            _("The delegate quota is at most %(max)s.", max=format_number(MAX_QUOTA)),
            {field: f"≤ {MAX_QUOTA}"},
        )
    return delegate_quota


_UNSET = object()


def update_delegation(
    delegation: Delegation,
    *,
    group=_UNSET,
    contact_email=_UNSET,
    delegate_quota=_UNSET,
    actor=None,
) -> Delegation:
    """Change a delegation's group, contact or quota; only the arguments given are changed.

    The quota cannot go below the number of delegates already approved.
    """
    changes: dict = {}
    if group is not _UNSET:
        group = check_group(delegation.conference, group)
        if group != delegation.group:
            changes["group"] = group
    if contact_email is not _UNSET:
        contact_email = check_email(contact_email, "contact_email") if contact_email else None
        if contact_email != delegation.contact_email:
            changes["contact_email"] = contact_email
    if delegate_quota is not _UNSET:
        check_quota(delegate_quota)
        if delegate_quota != delegation.delegate_quota:
            if delegate_quota is not None:
                approved = approved_count(delegation)
                if delegate_quota < approved:
                    message = ngettext(
                        "%(name)s already has %(num)d approved delegate; "
                        "the quota cannot be lower.",
                        "%(name)s already has %(num)d approved delegates; "
                        "the quota cannot be lower.",
                        approved,
                        name=delegation.display_name,
                    )
                    raise ValidationFailed(message, {"delegate_quota": message})
            changes["delegate_quota"] = delegate_quota
    if changes:
        before = {name: getattr(delegation, name) for name in changes}
        for name, value in changes.items():
            setattr(delegation, name, value)
        db.session.flush()
        log_event(
            "delegation.updated",
            delegation,
            actor=actor,
            data={"before": before, "after": changes},
        )
    return delegation


def deactivate_delegation(delegation: Delegation, *, actor=None) -> Delegation:
    """Take a delegation off the conference's lists; its registrations are kept."""
    if not delegation.active:
        raise InvalidState(_("%(name)s is already deactivated.", name=delegation.display_name))
    delegation.active = False
    db.session.flush()
    log_event("delegation.deactivated", delegation, actor=actor, data={"name": delegation.name})
    return delegation


def reactivate_delegation(delegation: Delegation, *, actor=None) -> Delegation:
    if delegation.active:
        raise InvalidState(_("%(name)s is already active.", name=delegation.display_name))
    delegation.active = True
    db.session.flush()
    log_event("delegation.reactivated", delegation, actor=actor, data={"name": delegation.name})
    return delegation
