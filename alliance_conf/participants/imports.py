"""Bulk registration from CSV: organisers register people on delegations' behalf, at COP scale.

Columns (header row required): ``delegation`` (a country code or an organisation's name),
``email``, ``full_name``, and optionally ``position``, ``organisation``, ``function``,
``status`` (pending or approved; default pending) and ``consent`` (yes/no: appears on the
published list). The whole file is validated first; any bad row and nothing is stored. Missing
users are created without a password (they set one later); existing users are reused. Rows are
inserted in bulk and one audit event records the import.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import npgettext

from alliance_conf.audit.operations import log_event
from alliance_conf.auth.models import User, UserRole, normalise_email
from alliance_conf.auth.operations import has_control_characters, has_format_characters
from alliance_conf.conferences.models import Conference
from alliance_conf.core.csvfile import RowProblems, read_csv
from alliance_conf.core.db import utcnow
from alliance_conf.delegations.countries import delegation_name
from alliance_conf.delegations.models import Delegation, DelegationKind
from alliance_conf.extensions import db
from alliance_conf.i18n import _, ngettext
from alliance_conf.registrations.models import DelegateFunction, Registration, RegistrationStatus

COLUMNS_REQUIRED = {"delegation", "email", "full_name"}
COLUMNS_OPTIONAL = {"position", "organisation", "function", "status", "consent"}
IMPORTABLE_STATUSES = (RegistrationStatus.pending, RegistrationStatus.approved)
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}
CHUNK = 5000

# Whole sentences per column, so each language can word them (and the extractor sees them).
TOO_LONG = {
    "position": lambda: _("the position is longer than 200 characters"),
    "organisation": lambda: _("the organisation is longer than 200 characters"),
}
NOT_PLAIN = {
    "full name": lambda: _(
        "the full name contains control or invisible formatting characters "
        "(such as a right-to-left override); use plain text"
    ),
    "position": lambda: _(
        "the position contains control or invisible formatting characters "
        "(such as a right-to-left override); use plain text"
    ),
    "organisation": lambda: _(
        "the organisation contains control or invisible formatting characters "
        "(such as a right-to-left override); use plain text"
    ),
}

_LOCAL_PART = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")


@lru_cache(maxsize=4096)
def _domain_problem(domain: str) -> str | None:
    try:
        validate_email(f"a@{domain}", check_deliverability=False)
    except EmailNotValidError as exc:
        return str(exc)
    return None


def check_import_email(value: str) -> str:
    """The normalised address, or ValueError. Plain ASCII addresses take a fast path that
    checks each distinct domain once; anything else goes through ``email_validator``."""
    email = normalise_email(value)
    local, at, domain = email.rpartition("@")
    if at and len(email) <= 254 and len(local) <= 64 and _LOCAL_PART.match(local):
        problem = _domain_problem(domain)
        if problem is None:
            return email
        raise ValueError(_bad_email(value, problem))
    try:
        return normalise_email(validate_email(value, check_deliverability=False).normalized)
    except EmailNotValidError as exc:
        raise ValueError(_bad_email(value, exc)) from None


def _bad_email(value: str, reason) -> str:
    return _("'%(value)s' is not a valid e-mail address (%(reason)s)", value=value, reason=reason)


def parse_function(value: str) -> DelegateFunction:
    key = value.strip().lower().replace(" ", "_").replace("-", "_") or "other"
    try:
        return DelegateFunction(key)
    except ValueError:
        known = ", ".join(f.value for f in DelegateFunction)
        raise ValueError(
            _("unknown function '%(value)s' (one of: %(known)s)", value=value, known=known)
        ) from None


@dataclass
class ParticipantImportReport:
    registrations: int = 0
    approved: int = 0
    pending: int = 0
    users_created: int = 0
    users_existing: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)

    def summary(self) -> str:
        registrations = ngettext(
            "%(num)d registration imported (%(approved)s, %(pending)s)",
            "%(num)d registrations imported (%(approved)s, %(pending)s)",
            self.registrations,
            # registrations (French: feminine) as opposed to delegates
            approved=npgettext(
                "registrations", "%(num)d approved", "%(num)d approved", self.approved
            ),
            pending=npgettext("registrations", "%(num)d pending", "%(num)d pending", self.pending),
        )
        created = ngettext("%(num)d new account", "%(num)d new accounts", self.users_created)
        existing = ngettext(
            "%(num)d existing account", "%(num)d existing accounts", self.users_existing
        )
        return _(
            "%(registrations)s; %(created)s, %(existing)s.",
            registrations=registrations,
            created=created,
            existing=existing,
        )


def _existing_users(emails: list[str]) -> dict[str, tuple[int, str]]:
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(emails), CHUNK):
        chunk = emails[start : start + CHUNK]
        for user_id, email, full_name in db.session.execute(
            sa.select(User.id, User.email, User.full_name).where(User.email.in_(chunk))
        ):
            found[email] = (user_id, full_name)
    return found


def import_participants(
    conference: Conference, data: bytes, *, actor=None, max_bytes: int | None = None
) -> ParticipantImportReport:
    """Register everyone in the CSV file, or nobody; raises ValidationFailed listing bad rows."""
    _columns, rows = read_csv(
        data, required=COLUMNS_REQUIRED, optional=COLUMNS_OPTIONAL, max_bytes=max_bytes
    )
    delegations = db.session.execute(
        sa.select(
            Delegation.id,
            Delegation.kind,
            Delegation.country_code,
            Delegation.organisation_name,
            Delegation.name,
            Delegation.active,
            Delegation.delegate_quota,
        ).where(Delegation.conference_id == conference.id)
    ).all()
    by_code = {d.country_code: d for d in delegations if d.country_code}
    by_name = {d.organisation_name.lower(): d for d in delegations if d.organisation_name}
    problems = RowProblems()
    seen_emails: dict[str, int] = {}
    parsed: list[dict] = []

    for row in rows:
        if row.error:
            problems.add(row.line, row.error)
            continue
        reasons = []
        key = row.get("delegation")
        delegation = by_code.get(key.upper()) if len(key) == 2 else None
        delegation = delegation or by_name.get(" ".join(key.split()).lower())
        if not key:
            reasons.append(_("the delegation is missing"))
        elif delegation is None:
            reasons.append(
                _(
                    "no delegation '%(key)s' at this conference (import delegations first)",
                    key=key,
                )
            )
        elif not delegation.active:
            reasons.append(
                _(
                    "the delegation %(name)s is deactivated",
                    name=delegation_name(delegation.name, delegation.country_code),
                )
            )
        email = None
        raw_email = row.get("email")
        if not raw_email:
            reasons.append(_("the e-mail is missing"))
        else:
            try:
                email = check_import_email(raw_email)
            except ValueError as exc:
                reasons.append(str(exc))
        if email is not None:
            if email in seen_emails:
                reasons.append(
                    _(
                        "duplicate: %(email)s is already on line %(line)d",
                        email=email,
                        line=seen_emails[email],
                    )
                )
            else:
                seen_emails[email] = row.line
        full_name = " ".join(row.get("full_name").split())
        if not full_name:
            reasons.append(_("the full name is missing"))
        elif len(full_name) > 200:
            reasons.append(_("the full name is longer than 200 characters"))
        position, organisation = row.get("position"), row.get("organisation")
        for label, value in (
            ("full name", full_name),
            ("position", position),
            ("organisation", organisation),
        ):
            if label != "full name" and len(value) > 200:
                reasons.append(TOO_LONG[label]())
            if has_control_characters(value) or has_format_characters(value):
                reasons.append(NOT_PLAIN[label]())
        try:
            function = parse_function(row.get("function"))
        except ValueError as exc:
            reasons.append(str(exc))
            function = None
        status_text = row.get("status").lower() or "pending"
        if status_text not in IMPORTABLE_STATUSES:
            reasons.append(_("status '%(value)s' must be pending or approved", value=status_text))
        consent_text = row.get("consent").lower()
        if consent_text not in YES | NO:
            reasons.append(_("consent '%(value)s' must be yes or no", value=consent_text))
        if reasons:
            for reason in reasons:
                problems.add(row.line, reason)
            continue
        parsed.append(
            {
                "line": row.line,
                "delegation": delegation,
                "email": email,
                "full_name": full_name,
                "position": position,
                "organisation": organisation,
                "function": function,
                "status": RegistrationStatus(status_text),
                "consent": consent_text in YES,
            }
        )

    _lock_quota_delegations(parsed)
    users = _existing_users(list(seen_emails))
    _check_against_database(conference, parsed, users, problems)
    problems.raise_if_any(
        lambda count: ngettext(
            "The participants file has %(num)d bad row; nothing was imported.",
            "The participants file has %(num)d bad rows; nothing was imported.",
            count,
        )
    )
    return _store(conference, parsed, users, actor)


def _lock_quota_delegations(parsed) -> None:
    """Lock the delegations receiving approvals before counting them, so an approval racing
    this import waits for it (PostgreSQL; SQLite serialises writers anyway)."""
    approving = sorted(
        {
            i["delegation"].id
            for i in parsed
            if i["status"] == RegistrationStatus.approved
            and i["delegation"].delegate_quota is not None
        }
    )
    if approving and db.engine.dialect.name == "postgresql":
        db.session.execute(
            sa.select(Delegation.id).where(Delegation.id.in_(approving)).with_for_update()
        )


def _check_against_database(conference, parsed, users, problems: RowProblems) -> None:
    """Already registered people, quotas and heads of delegation, from three queries."""
    registered = dict(
        db.session.execute(
            sa.select(Registration.user_id, Registration.delegation_id).where(
                Registration.conference_id == conference.id
            )
        ).all()
    )
    approved = Counter(
        dict(
            db.session.execute(
                sa.select(Registration.delegation_id, sa.func.count())
                .where(
                    Registration.conference_id == conference.id,
                    Registration.status == RegistrationStatus.approved,
                )
                .group_by(Registration.delegation_id)
            ).all()
        )
    )
    heads = {
        delegation_id
        for (delegation_id,) in db.session.execute(
            sa.select(Registration.delegation_id).where(
                Registration.conference_id == conference.id,
                Registration.function == DelegateFunction.head_of_delegation,
                Registration.status.in_(IMPORTABLE_STATUSES),
            )
        )
    }
    quota_reported: set[int] = set()
    head_lines: dict[int, int] = {}
    for item in parsed:
        delegation = item["delegation"]
        user = users.get(item["email"])
        if user is not None and user[0] in registered:
            problems.add(
                item["line"],
                _("%(email)s is already registered at this conference", email=item["email"]),
            )
        name = delegation_name(delegation.name, delegation.country_code)
        if item["function"] == DelegateFunction.head_of_delegation and (
            delegation.kind == DelegationKind.state
        ):
            if delegation.id in heads:
                problems.add(
                    item["line"], _("%(name)s already has a head of delegation", name=name)
                )
            elif delegation.id in head_lines:
                problems.add(
                    item["line"],
                    _(
                        "%(name)s can have only one head of delegation (also on line %(line)d)",
                        name=name,
                        line=head_lines[delegation.id],
                    ),
                )
            else:
                head_lines[delegation.id] = item["line"]
        if item["status"] == RegistrationStatus.approved:
            approved[delegation.id] += 1
            quota = delegation.delegate_quota
            if (
                quota is not None
                and approved[delegation.id] > quota
                and delegation.id not in quota_reported
            ):
                quota_reported.add(delegation.id)
                problems.add(
                    item["line"],
                    ngettext(
                        "approving this row exceeds the quota of %(name)s "
                        "(%(num)d approved delegate)",
                        "approving this row exceeds the quota of %(name)s "
                        "(%(num)d approved delegates)",
                        quota,
                        name=name,
                    ),
                )


def _store(conference, parsed, users, actor) -> ParticipantImportReport:
    report = ParticipantImportReport()
    now = utcnow()
    users_table = User.__table__  # Core inserts: one executemany per chunk, no ORM overhead
    new_users = [
        {
            "email": item["email"],
            "full_name": item["full_name"],
            "password_hash": None,
            "role": UserRole.delegate,
            "active": True,
            "session_version": 1,
            "created_at": now,
        }
        for item in parsed
        if item["email"] not in users
    ]
    report.users_existing = len(parsed) - len(new_users)
    report.users_created = len(new_users)
    for start in range(0, len(new_users), CHUNK):
        chunk = new_users[start : start + CHUNK]
        for user_id, email in db.session.execute(
            users_table.insert().returning(users_table.c.id, users_table.c.email), chunk
        ):
            users[email] = (user_id, None)
    decided_by = getattr(actor, "id", None)
    registrations = []
    for item in parsed:
        is_approved = item["status"] == RegistrationStatus.approved
        registrations.append(
            {
                "conference_id": conference.id,
                "delegation_id": item["delegation"].id,
                "user_id": users[item["email"]][0],
                "status": item["status"],
                "function": item["function"],
                "position": item["position"],
                "organisation": item["organisation"],
                "accessibility_needs": "",
                "dietary_needs": "",
                "consent_participant_list": item["consent"],
                "is_signatory": False,
                "decided_at": now if is_approved else None,
                "decided_by_id": decided_by if is_approved else None,
                "created_at": now,
                "updated_at": now,
            }
        )
        report.approved += is_approved
        report.pending += not is_approved
    for start in range(0, len(registrations), CHUNK):
        db.session.execute(Registration.__table__.insert(), registrations[start : start + CHUNK])
    report.registrations = len(registrations)
    log_event(
        "participants.imported",
        conference,
        actor=actor,
        conference_id=conference.id,
        data=report.as_dict(),
    )
    return report
