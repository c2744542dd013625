"""Participant list and dashboard queries, shaped for COP scale (100,000 registrations).

Rows are plain column tuples (no ORM objects), fetched with a fixed number of statements
whatever the page size: one count and one page query.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from alliance_conf.auth.models import User, UserRole
from alliance_conf.conferences.models import Conference
from alliance_conf.core.errors import PermissionDenied, ValidationFailed
from alliance_conf.delegations.models import Delegation, DelegationKind
from alliance_conf.extensions import db
from alliance_conf.participants.indexes import search_text
from alliance_conf.registrations.models import DelegateFunction, Registration, RegistrationStatus

SORTS = ("name", "delegation", "status", "registered")
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200


@dataclass(frozen=True)
class Scope:
    """What a viewer may see of a conference's participants."""

    delegation_id: int | None = None  # None: every delegation
    needs: bool = False  # accessibility and dietary needs (organisers only)
    organiser: bool = False


def viewer_scope(conference: Conference, user) -> Scope:
    """Organisers and admins see everything; staff all but the needs; a delegate only the
    registrations of the delegation they are approved in."""
    if user is None or not user.is_authenticated:
        raise PermissionDenied("Sign in to see the participants.")
    if user.has_role(UserRole.organiser):
        return Scope(needs=True, organiser=True)
    if user.role == UserRole.staff:
        return Scope()
    delegation_id = db.session.scalar(
        sa.select(Registration.delegation_id).where(
            Registration.conference_id == conference.id,
            Registration.user_id == user.id,
            Registration.status == RegistrationStatus.approved,
        )
    )
    if delegation_id is None:
        raise PermissionDenied(
            "Only delegates approved for a delegation of this conference can see its participants."
        )
    return Scope(delegation_id=delegation_id)


@dataclass
class ParticipantFilters:
    status: str | None = None
    group: str | None = None
    delegation_id: int | None = None
    function: str | None = None
    q: str = ""
    sort: str = "name"
    direction: str = "asc"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    def check(self) -> ParticipantFilters:
        errors = {}
        if self.status and self.status not in RegistrationStatus.__members__:
            errors["status"] = "One of: " + ", ".join(RegistrationStatus.__members__)
        if self.function and self.function not in DelegateFunction.__members__:
            errors["function"] = "One of: " + ", ".join(DelegateFunction.__members__)
        if self.sort not in SORTS:
            errors["sort"] = "One of: " + ", ".join(SORTS)
        if self.direction not in ("asc", "desc"):
            errors["direction"] = "asc or desc"
        if errors:
            raise ValidationFailed("The list filters are invalid.", errors)
        self.q = (self.q or "").strip()[:200]
        self.page = max(1, self.page)
        self.per_page = min(max(1, self.per_page), MAX_PER_PAGE)
        return self

    def as_args(self, **changes) -> dict:
        """Query-string arguments for links (empty values left out)."""
        values = {
            "status": self.status,
            "group": self.group,
            "delegation_id": self.delegation_id,
            "function": self.function,
            "q": self.q or None,
            "sort": None if self.sort == "name" else self.sort,
            "direction": None if self.direction == "asc" else self.direction,
            "page": self.page if self.page > 1 else None,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v is not None}


@dataclass
class ParticipantPage:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _columns(scope: Scope) -> list:
    columns = [
        Registration.id,
        Registration.status,
        Registration.function,
        Registration.position,
        Registration.organisation,
        Registration.is_signatory,
        Registration.consent_participant_list,
        Registration.created_at,
        User.full_name,
        User.email,
        Delegation.id.label("delegation_id"),
        Delegation.name.label("delegation_name"),
        Delegation.group.label("delegation_group"),
    ]
    if scope.needs:
        columns += [Registration.accessibility_needs, Registration.dietary_needs]
    return columns


def _search_condition(q: str):
    """Case-insensitive substring of the name or the e-mail (e-mails are stored lower-case)."""
    term = q.lower()
    if db.engine.dialect.name == "postgresql":
        return search_text(User.full_name, User.email).contains(term, autoescape=True)
    # SQLite's LIKE ignores (ASCII) case; a scan of the users table is fast enough there.
    return sa.or_(
        User.full_name.contains(term, autoescape=True),
        User.email.contains(term, autoescape=True),
    )


def _where(conference: Conference, scope: Scope, filters: ParticipantFilters) -> list:
    conditions = [Registration.conference_id == conference.id]
    if scope.delegation_id is not None:
        conditions.append(Registration.delegation_id == scope.delegation_id)
    if filters.status:
        conditions.append(Registration.status == RegistrationStatus(filters.status))
    if filters.delegation_id:
        conditions.append(Registration.delegation_id == filters.delegation_id)
    if filters.function:
        conditions.append(Registration.function == DelegateFunction(filters.function))
    return conditions


def _order(filters: ParticipantFilters) -> list:
    name = User.full_name
    if filters.q:
        # A search keeps few rows: filter first, then sort them, rather than walking the
        # name index over every participant (an expression cannot use the index).
        name = User.full_name.op("||")("")
    keys = {
        "name": [name, User.id],
        "delegation": [Delegation.name, name, User.id],
        "status": [Registration.status, name, User.id],
        "registered": [Registration.created_at, Registration.id],
    }[filters.sort]
    if filters.direction == "desc":
        keys = [key.desc() for key in keys]
    return keys


def _key_statement(conference: Conference, scope: Scope, filters: ParticipantFilters):
    """The ordered registration ids only, joining just what the filters and sort need, so
    the database can answer from covering indexes (deep pages stay cheap)."""
    statement = sa.select(Registration.id).where(*_where(conference, scope, filters))
    if filters.q or filters.sort in ("name", "delegation", "status"):
        statement = statement.join(User, User.id == Registration.user_id)
    if filters.group or filters.sort == "delegation":
        statement = statement.join(Delegation, Delegation.id == Registration.delegation_id)
    if filters.group:
        statement = statement.where(Delegation.group == filters.group)
    if filters.q:
        statement = statement.where(_search_condition(filters.q))
    return statement.order_by(*_order(filters))


def count_participants(conference: Conference, scope: Scope, filters: ParticipantFilters) -> int:
    """The count joins only the tables a filter needs, so the common case reads one index."""
    statement = sa.select(sa.func.count(Registration.id)).where(*_where(conference, scope, filters))
    if filters.group:
        statement = statement.join(Delegation, Delegation.id == Registration.delegation_id).where(
            Delegation.group == filters.group
        )
    if filters.q:
        statement = statement.join(User, User.id == Registration.user_id).where(
            _search_condition(filters.q)
        )
    return db.session.scalar(statement)


def participant_rows(scope: Scope, ids: list[int]) -> list:
    """The full rows of the given registrations, in the order of ``ids``."""
    if not ids:
        return []
    rows = db.session.execute(
        sa.select(*_columns(scope))
        .join(User, User.id == Registration.user_id)
        .join(Delegation, Delegation.id == Registration.delegation_id)
        .where(Registration.id.in_(ids))
    ).all()
    position = {registration_id: n for n, registration_id in enumerate(ids)}
    return sorted(rows, key=lambda row: position[row.id])


def participant_page(
    conference: Conference, scope: Scope, filters: ParticipantFilters
) -> ParticipantPage:
    """One page in three statements whatever its size: count, page ids, rows (a search
    reads its matching ids once and counts them)."""
    filters.check()
    keys = _key_statement(conference, scope, filters)
    if filters.q:
        ids = db.session.scalars(keys).all()
        total = len(ids)
        pages = max(1, math.ceil(total / filters.per_page))
        filters.page = min(filters.page, pages)
        start = (filters.page - 1) * filters.per_page
        page_ids = ids[start : start + filters.per_page]
    else:
        total = count_participants(conference, scope, filters)
        pages = max(1, math.ceil(total / filters.per_page))
        filters.page = min(filters.page, pages)
        page_ids = db.session.scalars(
            keys.limit(filters.per_page).offset((filters.page - 1) * filters.per_page)
        ).all()
    return ParticipantPage(
        items=participant_rows(scope, list(page_ids)),
        page=filters.page,
        per_page=filters.per_page,
        total=total,
    )


def delegation_choices(conference: Conference, limit: int) -> list[tuple[int, str]]:
    return db.session.execute(
        sa.select(Delegation.id, Delegation.name)
        .where(Delegation.conference_id == conference.id)
        .order_by(Delegation.name)
        .limit(limit)
    ).all()


# --- dashboard --------------------------------------------------------------------------------


@dataclass
class Dashboard:
    by_status: dict[str, int] = field(default_factory=dict)
    by_group: dict[str, dict[str, int]] = field(default_factory=dict)
    total: int = 0
    delegations: int = 0
    without_approved: list = field(default_factory=list)
    without_signatory: list = field(default_factory=list)

    def as_dict(self, conference: Conference) -> dict:
        def brief(rows):
            return [{"id": r.id, "name": r.name, "group": r.group} for r in rows]

        return {
            "total": self.total,
            "delegations": self.delegations,
            "by_status": self.by_status,
            "by_group": [
                {"group": key, "label": conference.group_label(key), "by_status": counts}
                for key, counts in self.by_group.items()
            ],
            "without_approved_delegate": brief(self.without_approved),
            "without_signatory": brief(self.without_signatory),
        }


def dashboard(conference: Conference) -> Dashboard:
    """Counts by status and group, and the active delegations still lacking an approved
    delegate or (states only) a signatory, from three queries."""
    # Core rows with the enums read as their stored strings: thousands of rows, no ORM work.
    connection = db.session.connection()
    counts = connection.execute(
        sa.select(
            Registration.delegation_id,
            sa.type_coerce(Registration.status, sa.String),
            sa.func.count(),
        )
        .where(Registration.conference_id == conference.id)
        .group_by(Registration.delegation_id, Registration.status)
    ).all()
    signatory = set(
        connection.execute(
            sa.select(Registration.delegation_id)
            .where(
                Registration.conference_id == conference.id,
                Registration.is_signatory == sa.true(),
            )
            .distinct()
        ).scalars()
    )
    delegations = connection.execute(
        sa.select(
            Delegation.id,
            Delegation.name,
            Delegation.group,
            sa.type_coerce(Delegation.kind, sa.String).label("kind"),
            Delegation.active,
        )
        .where(Delegation.conference_id == conference.id)
        .order_by(Delegation.name)
    ).all()
    group_of = {d.id: d.group for d in delegations}
    delegations = [d for d in delegations if d.active]
    result = Dashboard(delegations=len(delegations))
    by_status: Counter = Counter()
    by_group: defaultdict[str, Counter] = defaultdict(Counter)
    for key in conference.groups or {}:
        by_group[key]  # every group of the conference shows, even without registrations
    approved: set[int] = set()
    approved_value = RegistrationStatus.approved.value
    for delegation_id, status, count in counts:
        by_status[status] += count
        group = group_of.get(delegation_id)
        if group is not None:
            by_group[group][status] += count
        if status == approved_value:
            approved.add(delegation_id)
    result.total = sum(by_status.values())
    result.by_status = {s.value: by_status.get(s.value, 0) for s in RegistrationStatus}
    result.by_group = {
        key: {s.value: counter.get(s.value, 0) for s in RegistrationStatus}
        for key, counter in by_group.items()
    }
    result.without_approved = [d for d in delegations if d.id not in approved]
    state = DelegationKind.state.value
    result.without_signatory = [d for d in delegations if d.kind == state and d.id not in signatory]
    return result
