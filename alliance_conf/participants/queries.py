"""Participant list and dashboard queries, shaped for COP scale (100,000 registrations).

Rows are plain column tuples (no ORM objects), fetched with a fixed number of statements
whatever the page size: one capped count, the page's ids, then those rows.

Pages are walked with keyset cursors: ``next_cursor`` / ``prev_cursor`` carry the sort key of
the page's last / first row, and the next page starts right after it through the sort's index
(``WHERE (name, id) > (...) ORDER BY name, id LIMIT n``), so page 500 costs what page 1 costs.
A bare ``page=N`` still works (an OFFSET: kept for old links and clients). Counting stops at
``COUNT_CAP``: past it the list says "more than 10,000" instead of scanning every row.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa

from alliance_conf.auth.models import User, UserRole, search_text
from alliance_conf.conferences.models import Conference
from alliance_conf.core.errors import PermissionDenied, ValidationFailed
from alliance_conf.delegations.countries import delegation_name, name_order
from alliance_conf.delegations.models import Delegation, DelegationKind
from alliance_conf.extensions import db
from alliance_conf.i18n import _
from alliance_conf.registrations.models import DelegateFunction, Registration, RegistrationStatus

SORTS = ("name", "delegation", "status", "registered")
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
COUNT_CAP = 10_000  # counted exactly up to this many rows; beyond, "more than COUNT_CAP"


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
        raise PermissionDenied(_("Sign in to see the participants."))
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
            _(
                "Only delegates approved for a delegation of this conference can see its "
                "participants."
            )
        )
    return Scope(delegation_id=delegation_id)


def _one_of(values) -> str:
    return _("One of: %(values)s", values=", ".join(values))


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
    after: str | None = None  # keyset cursors (``ParticipantPage.next_cursor``/``prev_cursor``)
    before: str | None = None

    def check(self) -> ParticipantFilters:
        errors = {}
        if self.status and self.status not in RegistrationStatus.__members__:
            errors["status"] = _one_of(RegistrationStatus.__members__)
        if self.function and self.function not in DelegateFunction.__members__:
            errors["function"] = _one_of(DelegateFunction.__members__)
        if self.sort not in SORTS:
            errors["sort"] = _one_of(SORTS)
        if self.direction not in ("asc", "desc"):
            errors["direction"] = _("asc or desc")
        if self.after and self.before:
            errors["after"] = _("Give after or before, not both.")
        if errors:
            raise ValidationFailed(_("The list filters are invalid."), errors)
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
            "per_page": self.per_page if self.per_page != DEFAULT_PER_PAGE else None,
            "after": self.after,
            "before": self.before,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v is not None}


@dataclass
class ParticipantPage:
    items: list
    page: int
    per_page: int
    total: int  # exact when ``total_exact``; otherwise "more than COUNT_CAP"
    total_exact: bool = True
    next_cursor: str | None = None
    prev_cursor: str | None = None

    @property
    def pages(self) -> int:
        """The number of pages (when the total is not exact: at least this many)."""
        return max(1, math.ceil(self.total / self.per_page), self.page + bool(self.next_cursor))


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
        Delegation.country_code.label("delegation_country"),
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


def _sort_keys(filters: ParticipantFilters) -> list:
    """The columns a page is sorted by; the last ones make every key unique."""
    name = User.full_name
    if filters.q:
        # A search keeps few rows: filter first, then sort them, rather than walking the
        # name index over every participant (an expression cannot use the index).
        name = User.full_name.op("||")("")
    return {
        "name": [name, User.id],
        "delegation": [Delegation.name, name, User.id],
        "status": [Registration.status, name, User.id],
        "registered": [Registration.created_at, Registration.id],
    }[filters.sort]


def _order(filters: ParticipantFilters, *, reverse: bool = False) -> list:
    keys = _sort_keys(filters)
    if (filters.direction == "desc") != reverse:
        keys = [key.desc() for key in keys]
    return keys


def _key_statement(conference: Conference, scope: Scope, filters: ParticipantFilters):
    """The registration ids (and their sort keys), joining just what the filters and sort
    need, so the database can answer from covering indexes."""
    keys = _sort_keys(filters)
    statement = sa.select(Registration.id, *[k.label(f"k{n}") for n, k in enumerate(keys)]).where(
        *_where(conference, scope, filters)
    )
    if filters.q or filters.sort in ("name", "delegation", "status"):
        statement = statement.join(User, User.id == Registration.user_id)
    if filters.group or filters.sort == "delegation":
        statement = statement.join(Delegation, Delegation.id == Registration.delegation_id)
    if filters.group:
        statement = statement.where(Delegation.group == filters.group)
    if filters.q:
        statement = statement.where(_search_condition(filters.q))
    return statement


def count_participants(
    conference: Conference, scope: Scope, filters: ParticipantFilters, cap: int | None = None
) -> int:
    """The count joins only the tables a filter needs, so the common case reads one index;
    with ``cap`` it stops after ``cap + 1`` rows (the caller shows "more than cap")."""
    statement = sa.select(Registration.id).where(*_where(conference, scope, filters))
    if filters.group:
        statement = statement.join(Delegation, Delegation.id == Registration.delegation_id).where(
            Delegation.group == filters.group
        )
    if filters.q:
        statement = statement.join(User, User.id == Registration.user_id).where(
            _search_condition(filters.q)
        )
    if cap is not None:
        statement = statement.limit(cap + 1)
    return db.session.scalar(sa.select(sa.func.count()).select_from(statement.subquery()))


# --- keyset cursors ---------------------------------------------------------------------------


def _encode_cursor(sort: str, values) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else getattr(v, "value", v) for v in values]
    raw = json.dumps([sort, *plain], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


_CURSOR_TYPES = {
    "name": (str, int),
    "delegation": (str, str, int),
    "status": (RegistrationStatus, str, int),
    "registered": (datetime, int),
}


def _decode_cursor(sort: str, cursor: str, field_name: str) -> list:
    invalid = ValidationFailed(
        _("The page cursor is invalid: follow the links of the list (or start again at page 1)."),
        {field_name: _("Not a cursor of this list.")},
    )
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise invalid from None
    types = _CURSOR_TYPES[sort]
    if not isinstance(raw, list) or len(raw) != len(types) + 1 or raw[0] != sort:
        raise invalid
    values = []
    for kind, value in zip(types, raw[1:], strict=True):
        try:
            if kind is int:
                if not isinstance(value, int) or isinstance(value, bool) or abs(value) > 2**31:
                    raise ValueError
                values.append(value)
            elif kind is str:
                if not isinstance(value, str) or len(value) > 1000 or "\x00" in value:
                    raise ValueError
                values.append(value)
            elif kind is datetime:
                values.append(datetime.fromisoformat(value))
            else:
                values.append(kind(value))
        except (TypeError, ValueError):
            raise invalid from None
    return values


def _beyond(columns, values, *, forward: bool):
    """Rows after (``forward``) or before the cursor in the columns' ascending order: a row
    comparison, which PostgreSQL answers by starting the index scan at the cursor."""
    row = sa.tuple_(*columns)
    cursor = sa.tuple_(*[sa.literal(v, c.type) for v, c in zip(values, columns, strict=True)])
    return row > cursor if forward else row < cursor


def _next_chunk(chunk: int, delegations_read: int, rows_read: int, missing: int) -> int:
    """How many delegations the next step takes: as many as the rows still missing need at
    the size seen so far (with a margin), doubling while none had a row; at most 512."""
    if rows_read == 0:
        return min(chunk * 2, 512)
    return max(1, min(math.ceil(missing * delegations_read / rows_read * 1.5), 512))


def _walk_delegations(conference: Conference, statement, bound, ascending: bool, limit: int):
    """Sort by delegation without sorting every registration: take the delegations in name
    order one, then as many as the page still needs at the size seen so far, and read only
    their registrations, in list order, until the page is full. A COP delegation of hundreds
    fills a page by itself; a conference of one-person delegations needs two or three steps.
    Each step is a small sort; no step grows with the conference."""
    rows: list = []
    chunk, inclusive, delegations_read = 1, True, 0
    while len(rows) < limit:
        names = sa.select(Delegation.name).where(Delegation.conference_id == conference.id)
        if bound is not None:
            if ascending:
                names = names.where(
                    Delegation.name >= bound if inclusive else Delegation.name > bound
                )
            else:
                names = names.where(
                    Delegation.name <= bound if inclusive else Delegation.name < bound
                )
        found = db.session.scalars(
            names.order_by(Delegation.name if ascending else Delegation.name.desc()).limit(chunk)
        ).all()
        if not found:
            break
        low, high = (found[0], found[-1]) if ascending else (found[-1], found[0])
        rows += db.session.execute(
            statement.where(Delegation.name.between(low, high)).limit(limit - len(rows))
        ).all()
        if len(found) < chunk:
            break
        delegations_read += len(found)
        chunk = _next_chunk(chunk, delegations_read, len(rows), limit - len(rows))
        bound, inclusive = found[-1], False
    return rows


def _fetch(conference, keys, filters, values, *, reverse: bool, limit: int, walk: bool):
    """Up to ``limit`` rows after the cursor ``values`` (``None``: from the start), in list
    order, or backwards from it with ``reverse``."""
    ascending = (filters.direction == "asc") != reverse
    statement = keys.order_by(*_order(filters, reverse=reverse))
    if values is not None:
        statement = statement.where(_beyond(_sort_keys(filters), values, forward=ascending))
    if walk and filters.sort == "delegation":
        bound = values[0] if values is not None else None
        return _walk_delegations(conference, statement, bound, ascending, limit)
    return db.session.execute(statement.limit(limit)).all()


def _page_ids(
    conference: Conference, scope: Scope, keys, filters: ParticipantFilters
) -> tuple[list[int], str | None, str | None]:
    """The ids of one page and the cursors around it, through the sort's index."""
    size = filters.per_page
    walk = scope.delegation_id is None and filters.delegation_id is None

    def cursor(row) -> str:
        return _encode_cursor(filters.sort, list(row)[1:])

    if filters.before:
        values = _decode_cursor(filters.sort, filters.before, "before")
        rows = _fetch(conference, keys, filters, values, reverse=True, limit=size + 1, walk=walk)
        more_before = len(rows) > size
        rows = list(reversed(rows[:size]))
        prev_cursor = cursor(rows[0]) if more_before and rows else None
        next_cursor = cursor(rows[-1]) if rows else None
        return [r.id for r in rows], next_cursor, prev_cursor
    if filters.after:
        values = _decode_cursor(filters.sort, filters.after, "after")
        rows = _fetch(conference, keys, filters, values, reverse=False, limit=size + 1, walk=walk)
    elif filters.page > 1:  # a page number without a cursor (old links and clients): OFFSET
        statement = keys.order_by(*_order(filters)).offset((filters.page - 1) * size)
        rows = db.session.execute(statement.limit(size + 1)).all()
    else:
        rows = _fetch(conference, keys, filters, None, reverse=False, limit=size + 1, walk=walk)
    next_cursor = cursor(rows[size - 1]) if len(rows) > size else None
    rows = rows[:size]
    prev_cursor = cursor(rows[0]) if rows and (filters.page > 1 or filters.after) else None
    return [r.id for r in rows], next_cursor, prev_cursor


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
    """One page in three statements whatever its size and depth: a capped count, the page's
    ids (keyset), its rows."""
    filters.check()
    counted = count_participants(conference, scope, filters, cap=COUNT_CAP)
    exact = counted <= COUNT_CAP
    total = min(counted, COUNT_CAP)
    if exact and not (filters.after or filters.before):
        filters.page = min(filters.page, max(1, math.ceil(total / filters.per_page)))
    keys = _key_statement(conference, scope, filters)
    ids, next_cursor, prev_cursor = _page_ids(conference, scope, keys, filters)
    return ParticipantPage(
        items=participant_rows(scope, ids),
        page=filters.page,
        per_page=filters.per_page,
        total=total,
        total_exact=exact,
        next_cursor=next_cursor,
        prev_cursor=prev_cursor,
    )


class DelegationChoice(NamedTuple):
    id: int
    name: str


def delegation_choices(conference: Conference, limit: int) -> list[DelegationChoice] | None:
    """``(id, name)`` of the delegations, named and sorted in the interface's language; None
    when there are more than ``limit`` (a select that long helps nobody, and a COP-sized
    conference would sort and name its 2,500 delegations on every page view to learn it)."""
    more = db.session.scalar(
        sa.select(sa.func.count()).select_from(
            sa.select(Delegation.id)
            .where(Delegation.conference_id == conference.id)
            .limit(limit + 1)
            .subquery()
        )
    )
    if more > limit:
        return None
    rows = db.session.execute(
        sa.select(Delegation.id, Delegation.name, Delegation.country_code)
        .where(Delegation.conference_id == conference.id)
        .order_by(name_order(Delegation.name, Delegation.country_code), Delegation.id)
        .limit(limit)
    ).all()
    return [DelegationChoice(row.id, delegation_name(row.name, row.country_code)) for row in rows]


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
            Delegation.country_code,
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
