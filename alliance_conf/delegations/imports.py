"""Bulk import of delegations from CSV: validate every row, then upsert all or nothing.

Columns (header row required, names case-insensitive): ``country_code`` or
``organisation_name`` (one of the two per row), ``group``, and optionally ``contact_email`` and
``delegate_quota``. A delegation is matched by its country code or, for organisations, by its
name ignoring case, so importing the same file again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email

from alliance_conf.audit.operations import log_event
from alliance_conf.auth.models import normalise_email
from alliance_conf.auth.operations import has_control_characters, has_format_characters
from alliance_conf.conferences.models import Conference
from alliance_conf.core.csvfile import RowProblems, read_csv
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

COLUMNS_ONE_OF = ("country_code", "organisation_name")
COLUMNS_REQUIRED = {"group"}
COLUMNS_OPTIONAL = {"contact_email", "delegate_quota"}
UPDATABLE = ("group", "contact_email", "delegate_quota")


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "total": self.total,
        }

    def summary(self) -> str:
        # each count its own plural: French agrees « 1 créée », « 2 créées »
        return ngettext(
            "%(num)d delegation in the file: %(created)s, %(updated)s, %(unchanged)s.",
            "%(num)d delegations in the file: %(created)s, %(updated)s, %(unchanged)s.",
            self.total,
            created=ngettext("%(num)d created", "%(num)d created", self.created),
            updated=ngettext("%(num)d updated", "%(num)d updated", self.updated),
            unchanged=ngettext("%(num)d unchanged", "%(num)d unchanged", self.unchanged),
        )


def parse_quota(value: str) -> int | None:
    """``""`` means no quota; raises ValueError for anything but a whole number ≥ 0."""
    value = value.strip()
    if not value:
        return None
    if not value.isdigit():
        raise ValueError(_("delegate_quota '%(value)s' is not a whole number ≥ 0", value=value))
    return int(value)


def quick_email(value: str) -> str:
    try:
        return normalise_email(validate_email(value, check_deliverability=False).normalized)
    except EmailNotValidError as exc:
        raise ValueError(
            _("'%(value)s' is not a valid e-mail address (%(reason)s)", value=value, reason=exc)
        ) from None


def _existing(conference: Conference) -> tuple[dict, dict, dict]:
    from alliance_conf.registrations.models import Registration, RegistrationStatus

    delegations = db.session.scalars(
        sa.select(Delegation).where(Delegation.conference_id == conference.id)
    ).all()
    by_code = {d.country_code: d for d in delegations if d.country_code}
    by_name = {d.organisation_name.lower(): d for d in delegations if d.organisation_name}
    approved = dict(
        db.session.execute(
            sa.select(Registration.delegation_id, sa.func.count(Registration.id))
            .where(
                Registration.conference_id == conference.id,
                Registration.status == RegistrationStatus.approved,
            )
            .group_by(Registration.delegation_id)
        ).all()
    )
    return by_code, by_name, approved


def import_delegations(
    conference: Conference, data: bytes, *, actor=None, max_bytes: int | None = None
) -> ImportReport:
    """Upsert the delegations of a CSV file; raises ValidationFailed listing every bad row."""
    columns, rows = read_csv(
        data,
        required=COLUMNS_REQUIRED,
        optional=COLUMNS_OPTIONAL,
        one_of=COLUMNS_ONE_OF,
        max_bytes=max_bytes,
    )
    present = set(columns)
    groups = conference.groups or {}
    known_groups = ", ".join(sorted(groups))
    by_code, by_name, approved = _existing(conference)
    problems = RowProblems()
    seen: dict[tuple, int] = {}
    to_create: list[dict] = []
    to_update: list[tuple[Delegation, dict]] = []
    report = ImportReport()

    for row in rows:
        if row.error:
            problems.add(row.line, row.error)
            continue
        reasons = []
        code = normalise_code(row.get("country_code"))
        org = " ".join(row.get("organisation_name").split())
        if bool(code) == bool(org):
            reasons.append(_("give either a country_code or an organisation_name, not both"))
        name = org
        if code:
            try:
                name = country_name(code, "en")  # stored in English; pages translate it
            except UnknownCountry:
                reasons.append(
                    _(
                        "unknown country code '%(code)s' (use ISO 3166-1 alpha-2, e.g. BE)",
                        code=code,
                    )
                )
        if len(org) > 200:
            reasons.append(_("organisation_name is longer than 200 characters"))
        if has_control_characters(org) or has_format_characters(org):
            reasons.append(
                _(
                    "organisation_name contains control or invisible formatting characters "
                    "(such as a right-to-left override); use plain text"
                )
            )
        group = row.get("group")
        if group not in groups:
            reasons.append(
                _("unknown group '%(group)s' (known: %(known)s)", group=group, known=known_groups)
            )
        values: dict = {"group": group}
        if "contact_email" in present:
            email = row.get("contact_email")
            try:
                values["contact_email"] = quick_email(email) if email else None
            except ValueError as exc:
                reasons.append(str(exc))
        if "delegate_quota" in present:
            try:
                values["delegate_quota"] = parse_quota(row.get("delegate_quota"))
            except ValueError as exc:
                reasons.append(str(exc))
        key = ("state", code) if code else ("organisation", org.lower())
        if (code or org) and key in seen:
            reasons.append(
                _(
                    "duplicate delegation: %(name)s is already on line %(line)d",
                    name=delegation_name(name, code),
                    line=seen[key],
                )
            )
        elif code or org:
            seen[key] = row.line
        if reasons:
            for reason in reasons:
                problems.add(row.line, reason)
            continue

        existing = by_code.get(code) if code else by_name.get(org.lower())
        if existing is None:
            to_create.append(
                {
                    "kind": DelegationKind.state if code else DelegationKind.organisation,
                    "country_code": code or None,
                    "organisation_name": org or None,
                    "name": name,
                    **values,
                }
            )
            continue
        changes = {k: v for k, v in values.items() if getattr(existing, k) != v}
        quota = changes.get("delegate_quota")
        if quota is not None and quota < approved.get(existing.id, 0):
            problems.add(
                row.line,
                ngettext(
                    "%(name)s already has %(num)d approved delegate; "
                    "delegate_quota cannot be %(quota)d",
                    "%(name)s already has %(num)d approved delegates; "
                    "delegate_quota cannot be %(quota)d",
                    approved[existing.id],
                    name=existing.display_name,
                    quota=quota,
                ),
            )
            continue
        if changes:
            to_update.append((existing, changes))
        else:
            report.unchanged += 1

    problems.raise_if_any(
        lambda count: ngettext(
            "The delegations file has %(num)d bad row; nothing was imported.",
            "The delegations file has %(num)d bad rows; nothing was imported.",
            count,
        )
    )

    created = [Delegation(conference_id=conference.id, **values) for values in to_create]
    db.session.add_all(created)
    for delegation, changes in to_update:
        for name, value in changes.items():
            setattr(delegation, name, value)
    db.session.flush()
    report.created = len(created)
    report.updated = len(to_update)
    log_event(
        "delegations.imported",
        conference,
        actor=actor,
        conference_id=conference.id,
        data=report.as_dict(),
    )
    for delegation in created:
        hook().alliance_delegation_created(delegation=delegation, actor=actor)
    return report
