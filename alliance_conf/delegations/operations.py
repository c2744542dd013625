"""Delegation state changes. Callers commit; every change writes its audit event."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import format_number

from alliance_conf.audit.operations import log_event
from alliance_conf.auth.operations import check_email, check_plain_text
from alliance_conf.conferences.models import Conference
from alliance_conf.core.errors import (
    Conflict,
    FieldErrors,
    InvalidState,
    NotFound,
    ValidationFailed,
)
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


MAX_ORGANISATION_NAME = 200


def check_organisation_name(name: str | None, field: str = "organisation_name") -> str:
    """An organisation's name: 1 to ``MAX_ORGANISATION_NAME`` characters of plain text."""
    name = (name or "").strip()
    if not name:
        message = _("Give the organisation's name.")
        raise ValidationFailed(message, {field: message})
    if len(name) > MAX_ORGANISATION_NAME:
        message = _(
            "The organisation's name is at most %(max)s characters; this one has %(num)s.",
            max=format_number(MAX_ORGANISATION_NAME),
            num=format_number(len(name)),
        )
        raise ValidationFailed(message, {field: message})
    return check_plain_text(name, field, _("The organisation's name"))


def _check_country(country_code: str) -> str:
    try:
        return country_name(country_code, "en")  # stored in English; pages translate it
    except UnknownCountry:
        raise ValidationFailed(
            _(
                "'%(code)s' is not an ISO 3166-1 alpha-2 country code.",
                code=country_code,
            ),
            {"country_code": _("Unknown country code.")},
        ) from None


def clean_delegation(
    conference: Conference,
    *,
    group: str,
    country_code: str | None = None,
    organisation_name: str | None = None,
    contact_email: str | None = None,
    delegate_quota: int | None = None,
) -> dict:
    """The fields of a new delegation, checked together: every refusal is reported at once,
    each by its field (one ValidationFailed). Returns the cleaned values and ``name``/``kind``."""
    errors = FieldErrors()
    group = errors.check(check_group, conference, group)
    country_code = normalise_code(country_code) if country_code else None
    organisation_name = (organisation_name or "").strip() or None
    name = None
    if bool(country_code) == bool(organisation_name):
        errors.add(
            _("Give either a country code or an organisation name, not both or neither."),
            {"country_code": _("Country code or organisation name.")},
        )
    elif country_code:
        name = errors.check(_check_country, country_code)
    else:
        name = organisation_name = errors.check(check_organisation_name, organisation_name)
    errors.check(check_quota, delegate_quota)
    if contact_email:
        contact_email = errors.check(check_email, contact_email, "contact_email")
    errors.raise_any()
    return {
        "group": group,
        "country_code": country_code,
        "organisation_name": organisation_name,
        "contact_email": contact_email or None,
        "delegate_quota": delegate_quota,
        "name": name,
        "kind": DelegationKind.state if country_code else DelegationKind.organisation,
    }


def _name_clash(conference_id: int, clash, exclude: int | None = None) -> bool:
    query = sa.select(Delegation.id).where(Delegation.conference_id == conference_id, clash)
    if exclude is not None:
        query = query.where(Delegation.id != exclude)
    return db.session.scalar(query.limit(1)) is not None


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
    values = clean_delegation(
        conference,
        group=group,
        country_code=country_code,
        organisation_name=organisation_name,
        contact_email=contact_email,
        delegate_quota=delegate_quota,
    )
    name, country_code = values["name"], values["country_code"]
    if country_code:
        clash = Delegation.country_code == country_code
    else:
        clash = sa.func.lower(Delegation.organisation_name) == name.lower()
    if _name_clash(conference.id, clash):
        raise Conflict(
            _(
                "%(name)s already has a delegation at this conference.",
                name=delegation_name(name, country_code),
            )
        )
    delegation = Delegation(conference_id=conference.id, **values)
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
    organisation_name=_UNSET,
    actor=None,
) -> Delegation:
    """Change a delegation's group, contact, quota or (organisations only) name; only the
    arguments given are changed. Every refusal is reported at once, each by its field.

    The quota cannot go below the number of delegates already approved.
    """
    changes = delegation_changes(
        delegation,
        group=group,
        contact_email=contact_email,
        delegate_quota=delegate_quota,
        organisation_name=organisation_name,
    )
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


def delegation_changes(
    delegation: Delegation,
    *,
    group=_UNSET,
    contact_email=_UNSET,
    delegate_quota=_UNSET,
    organisation_name=_UNSET,
) -> dict:
    """What :func:`update_delegation` would change ({column: new value}); reads only. Raises
    one ValidationFailed naming every refused field."""
    changes: dict = {}
    errors = FieldErrors()
    if group is not _UNSET:
        group = errors.check(check_group, delegation.conference, group)
        if group is not None and group != delegation.group:
            changes["group"] = group
    if organisation_name is not _UNSET:
        if delegation.kind != DelegationKind.organisation:
            message = _("A state's delegation is named after the state; choose its country.")
            errors.add(message, {"organisation_name": message})
        else:
            name = errors.check(check_organisation_name, organisation_name)
            if name is not None and name != delegation.organisation_name:
                clash = sa.func.lower(Delegation.organisation_name) == name.lower()
                if _name_clash(delegation.conference_id, clash, exclude=delegation.id):
                    message = _("%(name)s already has a delegation at this conference.", name=name)
                    errors.add(message, {"organisation_name": message})
                else:
                    changes["organisation_name"] = changes["name"] = name
    if contact_email is not _UNSET:
        if contact_email:
            contact_email = errors.check(check_email, contact_email, "contact_email")
        else:
            contact_email = None
        if "contact_email" not in errors.fields and contact_email != delegation.contact_email:
            changes["contact_email"] = contact_email
    if delegate_quota is not _UNSET:
        errors.check(check_quota, delegate_quota)
        if "delegate_quota" not in errors.fields and delegate_quota != delegation.delegate_quota:
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
                    errors.add(message, {"delegate_quota": message})
            changes["delegate_quota"] = delegate_quota
    errors.raise_any()
    return changes


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
