"""Delegation state changes. Callers commit; every change writes its audit event."""

from __future__ import annotations

import sqlalchemy as sa

from alliance_conf.audit.operations import log_event
from alliance_conf.auth.operations import check_email
from alliance_conf.conferences.models import Conference
from alliance_conf.core.errors import Conflict, ValidationFailed
from alliance_conf.delegations.countries import UnknownCountry, country_name, normalise_code
from alliance_conf.delegations.models import Delegation, DelegationKind
from alliance_conf.extensions import db
from alliance_conf.plugins import hook


def check_group(conference: Conference, group: str) -> str:
    group = (group or "").strip()
    if group not in (conference.groups or {}):
        known = ", ".join(sorted(conference.groups or {}))
        raise ValidationFailed(
            f"{group!r} is not a delegation group of this conference (known: {known}).",
            {"group": f"Choose one of: {known}."},
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
            "Give either a country code or an organisation name, not both or neither.",
            {"country_code": "Country code or organisation name."},
        )
    if delegate_quota is not None and delegate_quota < 0:
        raise ValidationFailed("The delegate quota cannot be negative.", {"delegate_quota": "≥ 0"})
    if contact_email:
        contact_email = check_email(contact_email, "contact_email")
    if country_code:
        try:
            name = country_name(country_code)
        except UnknownCountry as exc:
            raise ValidationFailed(str(exc), {"country_code": "Unknown country code."}) from None
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
        raise Conflict(f"{name} already has a delegation at this conference.")
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
