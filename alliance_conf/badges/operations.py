"""Issuing, revoking and reading badges, and checking people in. Callers commit.

Who may do what: organisers issue, re-issue, revoke and print; organisers and staff check
people in; a delegate may download their own valid badge only. The CLI acts as the system
(``actor=None``).

"H.E." (His or Her Excellency; "S.E." on a French badge) is printed before the name when the
protocol calls for it: ministers (the registration's confirmed function is ``minister``) and
people whose position names an office that carries the style (minister, ambassador, secretary
of state, president, prime minister, commissioner, attorney general), unless the position says
they serve such a person (an adviser or counsellor to the minister, a minister-counsellor,
a chief of staff). Organisers can override the rule for any badge when issuing it
(``excellency=True/False``); what was decided is stored on the badge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from alliance_conf.audit.operations import log_event
from alliance_conf.auth.access import is_team, require_organiser, signed_in
from alliance_conf.auth.models import User
from alliance_conf.badges import signing
from alliance_conf.badges.models import Badge, CheckIn
from alliance_conf.conferences.models import Conference
from alliance_conf.core.db import utcnow
from alliance_conf.core.errors import InvalidState, NotFound, PermissionDenied
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.formatting import to_conference_time
from alliance_conf.i18n import _, _l
from alliance_conf.registrations.models import DelegateFunction, Registration, RegistrationStatus

MAX_REASON = 200
MAX_DOOR = 80
ISSUE_BATCH = 1000

EXCELLENCY_OFFICES = re.compile(
    r"\b(minister|ministre|ambassador|ambassadeur|ambassadrice|secretary of state"
    r"|secr[ée]taire d[\u2019']?\s?[ée]tat|president|pr[ée]sident|pr[ée]sidente|prime minister"
    r"|premier ministre|commissioner|commissaire|attorney general)\b",
    re.IGNORECASE,
)
SERVES_AN_OFFICE = re.compile(
    r"\b(advis[eo]r|adviser|counsell?or|conseill[eè]re?|assistant|chief of staff"
    r"|chef de cabinet|of the minister|du ministre|de la ministre)\b"
    r"|minister[- ]counsell?or|ministre[- ]conseill",
    re.IGNORECASE,
)


def excellency_by_protocol(registration: Registration) -> bool:
    """Whether the badge reads "H.E." before the name (see the module's documentation)."""
    if registration.function == DelegateFunction.minister:
        return True
    position = registration.position or ""
    return bool(EXCELLENCY_OFFICES.search(position)) and not SERVES_AN_OFFICE.search(position)


def _require_team(actor) -> None:
    if actor is not None and not is_team(actor):
        raise PermissionDenied(_("Only organisers and staff can check people in."))


# --- reading ---------------------------------------------------------------------------------


def get_badge(badge_id: int, conference: Conference | None = None) -> Badge:
    badge = db.session.get(Badge, badge_id)
    if badge is None or (conference is not None and badge.conference_id != conference.id):
        raise NotFound(_("There is no badge %(id)s.", id=badge_id))
    return badge


def badge_for_viewer(badge_id: int, user) -> Badge:
    """Organisers see any badge; a delegate only their own (404 for anyone else)."""
    badge = db.session.get(Badge, badge_id)
    user = signed_in(user)
    if (
        badge is not None
        and user is not None
        and (user.has_role("organiser") or badge.registration.user_id == user.id)
    ):
        return badge
    raise NotFound(_("There is no badge %(id)s.", id=badge_id))


def active_badge(registration: Registration) -> Badge | None:
    return db.session.scalar(
        sa.select(Badge).where(Badge.registration_id == registration.id, Badge.revoked_at.is_(None))
    )


def own_badge(user, conference: Conference) -> Badge | None:
    """The person's valid badge at the conference (approved registration), if any."""
    user = signed_in(user)
    if user is None:
        return None
    return db.session.scalar(
        sa.select(Badge)
        .join(Registration, Registration.id == Badge.registration_id)
        .where(
            Registration.user_id == user.id,
            Registration.conference_id == conference.id,
            Registration.status == RegistrationStatus.approved,
            Badge.revoked_at.is_(None),
        )
    )


def qr_text(badge: Badge) -> str:
    return signing.sign(badge.public_id)


@dataclass
class DelegationBadges:
    delegation: Delegation
    approved: int
    badges: int
    checked_in: int


def delegation_overview(conference: Conference) -> list[DelegationBadges]:
    """Per delegation: approved delegates, valid badges, arrivals (three grouped queries)."""
    approved = dict(
        db.session.execute(
            sa.select(Registration.delegation_id, sa.func.count())
            .where(
                Registration.conference_id == conference.id,
                Registration.status == RegistrationStatus.approved,
            )
            .group_by(Registration.delegation_id)
        ).all()
    )
    badges = dict(
        db.session.execute(
            sa.select(Badge.delegation_id, sa.func.count())
            .where(Badge.conference_id == conference.id, Badge.revoked_at.is_(None))
            .group_by(Badge.delegation_id)
        ).all()
    )
    arrived = dict(
        db.session.execute(
            sa.select(Badge.delegation_id, sa.func.count())
            .join(CheckIn, CheckIn.badge_id == Badge.id)
            .where(Badge.conference_id == conference.id, Badge.revoked_at.is_(None))
            .group_by(Badge.delegation_id)
        ).all()
    )
    delegations = db.session.scalars(
        sa.select(Delegation)
        .where(Delegation.conference_id == conference.id)
        .order_by(Delegation.name)
    )
    return [
        DelegationBadges(d, approved.get(d.id, 0), badges.get(d.id, 0), arrived.get(d.id, 0))
        for d in delegations
        if approved.get(d.id) or badges.get(d.id)
    ]


@dataclass
class MemberBadge:
    registration: Registration
    badge: Badge | None
    checked_in_at: datetime | None


def delegation_members(delegation: Delegation) -> list[MemberBadge]:
    """The delegation's approved members with their valid badge and arrival, by name."""
    rows = db.session.execute(
        sa.select(Registration, Badge, CheckIn.checked_in_at)
        .join(User, User.id == Registration.user_id)
        .outerjoin(
            Badge, sa.and_(Badge.registration_id == Registration.id, Badge.revoked_at.is_(None))
        )
        .outerjoin(CheckIn, CheckIn.badge_id == Badge.id)
        .where(
            Registration.delegation_id == delegation.id,
            Registration.status == RegistrationStatus.approved,
        )
        .order_by(User.full_name, Registration.id)
    ).all()
    return [MemberBadge(r, b, t) for r, b, t in rows]


@dataclass
class CheckInCounts:
    badges: int
    checked_in: int
    by_group: dict[str, tuple[int, int]]  # group -> (valid badges, arrived)


def checkin_counts(conference: Conference) -> CheckInCounts:
    """Valid badges and arrivals, in all and per delegation group (one query)."""
    rows = db.session.execute(
        sa.select(Delegation.group, sa.func.count(Badge.id), sa.func.count(CheckIn.id))
        .select_from(Badge)
        .join(Delegation, Delegation.id == Badge.delegation_id)
        .outerjoin(CheckIn, CheckIn.badge_id == Badge.id)
        .where(Badge.conference_id == conference.id, Badge.revoked_at.is_(None))
        .group_by(Delegation.group)
    ).all()
    by_group = {group: (badges, arrived) for group, badges, arrived in rows}
    return CheckInCounts(
        badges=sum(b for b, _a in by_group.values()),
        checked_in=sum(a for _b, a in by_group.values()),
        by_group=by_group,
    )


# --- issuing and revoking --------------------------------------------------------------------


def issue_badge(registration: Registration, *, actor, excellency: bool | None = None) -> Badge:
    """A new badge for an approved registration; a valid one it had is revoked first (its
    printed QR code is refused from now on)."""
    require_organiser(actor)
    if registration.status != RegistrationStatus.approved:
        raise InvalidState(_("Badges are issued to approved delegates only."))
    previous = active_badge(registration)
    if previous is not None:
        _revoke(previous, actor=actor, reason="reissued")
        db.session.flush()  # the partial unique index sees the old badge revoked first
    badge = Badge(
        public_id=signing.new_public_id(),
        conference_id=registration.conference_id,
        delegation_id=registration.delegation_id,
        registration_id=registration.id,
        excellency=excellency_by_protocol(registration) if excellency is None else excellency,
        issued_by_id=getattr(actor, "id", None),
    )
    db.session.add(badge)
    db.session.flush()
    log_event(
        "badge.issued",
        badge,
        actor=actor,
        data={
            "registration_id": registration.id,
            "excellency": badge.excellency,
            "replaces": previous.id if previous else None,
        },
    )
    return badge


def issue_missing(conference: Conference, *, actor, delegation: Delegation | None = None) -> int:
    """A badge for every approved registration (of one delegation, or all) that has none."""
    require_organiser(actor)
    has_badge = (
        sa.select(Badge.id)
        .where(Badge.registration_id == Registration.id, Badge.revoked_at.is_(None))
        .exists()
    )
    query = sa.select(
        Registration.id,
        Registration.delegation_id,
        Registration.function,
        Registration.position,
    ).where(
        Registration.conference_id == conference.id,
        Registration.status == RegistrationStatus.approved,
        ~has_badge,
    )
    if delegation is not None:
        query = query.where(Registration.delegation_id == delegation.id)
    issued = 0
    issued_by = getattr(actor, "id", None)
    now = utcnow()
    # Plain rows and one multi-row INSERT per thousand: 100,000 badges in seconds.
    rows = db.session.execute(query.order_by(Registration.id)).all()
    for start in range(0, len(rows), ISSUE_BATCH):
        batch = [
            {
                "public_id": signing.new_public_id(),
                "conference_id": conference.id,
                "delegation_id": row.delegation_id,
                "registration_id": row.id,
                "excellency": excellency_by_protocol(row),
                "issued_at": now,
                "issued_by_id": issued_by,
            }
            for row in rows[start : start + ISSUE_BATCH]
        ]
        db.session.execute(sa.insert(Badge), batch)
        issued += len(batch)
    db.session.flush()
    log_event(
        "badge.issued_missing",
        conference,
        actor=actor,
        conference_id=conference.id,
        data={"count": issued, "delegation_id": delegation.id if delegation else None},
    )
    return issued


def _revoke(badge: Badge, *, actor, reason: str) -> None:
    badge.revoked_at = utcnow()
    badge.revoked_by_id = getattr(actor, "id", None)
    badge.revocation_reason = (reason or "revoked")[:MAX_REASON]
    log_event("badge.revoked", badge, actor=actor, data={"reason": badge.revocation_reason})


def revoke_badge(badge: Badge, *, actor, reason: str) -> Badge:
    """Revoke a badge: its QR code is refused at the door from now on."""
    require_organiser(actor)
    if badge.revoked:
        raise InvalidState(_("This badge is already revoked."))
    _revoke(badge, actor=actor, reason=reason.strip() or "revoked by an organiser")
    return badge


def on_registration_status_changed(registration, old_status, new_status, actor) -> None:
    """A registration that is no longer approved loses its badge (the hook's reaction)."""
    if str(new_status) == RegistrationStatus.approved.value:
        return
    badge = active_badge(registration)
    if badge is not None:
        _revoke(badge, actor=actor, reason=f"registration {new_status}")


# --- check-in --------------------------------------------------------------------------------


class Outcome:
    """What a scan found (machine codes: the API's ``outcome`` and error ``code``)."""

    checked_in = "checked_in"
    already_checked_in = "already_checked_in"
    revoked = "badge_revoked"
    not_approved = "registration_not_approved"
    unknown = "unknown_badge"


OUTCOME_TITLES = {
    Outcome.checked_in: _l("Checked in"),
    Outcome.already_checked_in: _l("Already checked in"),
    Outcome.revoked: _l("Badge revoked: refuse entry"),
    Outcome.not_approved: _l("Registration not approved: refuse entry"),
    Outcome.unknown: _l("Unknown badge: refuse entry"),
}


@dataclass
class Scan:
    outcome: str
    conference: Conference
    badge_id: int | None = None
    full_name: str = ""
    position: str = ""
    excellency: bool = False
    delegation: str = ""
    country_code: str | None = None
    group: str = ""
    checked_in_at: datetime | None = None
    revocation_reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == Outcome.checked_in

    @property
    def title(self) -> str:
        return str(OUTCOME_TITLES[self.outcome])

    @property
    def local_time(self) -> str:
        if self.checked_in_at is None:
            return ""
        return f"{to_conference_time(self.checked_in_at, self.conference):%H:%M}"

    @property
    def message(self) -> str:
        if self.outcome == Outcome.checked_in:
            return _("%(name)s checked in at %(time)s.", name=self.full_name, time=self.local_time)
        if self.outcome == Outcome.already_checked_in:
            return _("Already checked in at %(time)s.", time=self.local_time)
        if self.outcome == Outcome.revoked:
            return _("This badge was revoked. Do not let the bearer in; send them to the desk.")
        if self.outcome == Outcome.not_approved:
            return _(
                "This person's registration is no longer approved. Do not let them in; send "
                "them to the desk."
            )
        return _("This code is not a badge of this conference. Do not let the bearer in.")


def _insert_checkin(values: dict) -> int | None:
    """INSERT ... ON CONFLICT (badge_id) DO NOTHING RETURNING id: None when already there.

    One statement, and the unique constraint decides between concurrent scans of one badge
    (at most one row, whoever wins), with no failed transaction to recover from."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = (
        insert(CheckIn)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["badge_id"])
        .returning(CheckIn.id)
    )
    return db.session.execute(statement).scalar()


def check_in(conference: Conference, code: str, *, actor, door: str = "") -> Scan:
    """Read a scanned or typed code and record the arrival once.

    Refused (nothing written): a code whose signature does not hold or that belongs to another
    conference, a revoked badge, a registration no longer approved. A second scan of a badge
    records nothing and tells when the first one was."""
    _require_team(actor)
    public_id = signing.verify(code)
    if public_id is None:
        return Scan(Outcome.unknown, conference)
    row = db.session.execute(
        sa.select(
            Badge.id,
            Badge.revoked_at,
            Badge.revocation_reason,
            Badge.excellency,
            sa.type_coerce(Registration.status, sa.String).label("status"),
            Registration.position,
            User.full_name,
            Delegation.name,
            Delegation.country_code,
            Delegation.group,
            CheckIn.checked_in_at,
        )
        .join(Registration, Registration.id == Badge.registration_id)
        .join(User, User.id == Registration.user_id)
        .join(Delegation, Delegation.id == Badge.delegation_id)
        .outerjoin(CheckIn, CheckIn.badge_id == Badge.id)
        .where(Badge.public_id == public_id, Badge.conference_id == conference.id)
    ).first()
    if row is None:
        return Scan(Outcome.unknown, conference)
    scan = Scan(
        Outcome.checked_in,
        conference,
        badge_id=row.id,
        full_name=row.full_name,
        position=row.position or "",
        excellency=row.excellency,
        delegation=row.name,
        country_code=row.country_code,
        group=row.group,
        checked_in_at=row.checked_in_at,
        revocation_reason=row.revocation_reason,
    )
    if row.revoked_at is not None:
        scan.outcome = Outcome.revoked
        return scan
    if row.status != RegistrationStatus.approved.value:
        scan.outcome = Outcome.not_approved
        return scan
    if row.checked_in_at is not None:
        scan.outcome = Outcome.already_checked_in
        return scan
    now = utcnow()
    inserted = _insert_checkin(
        {
            "badge_id": row.id,
            "conference_id": conference.id,
            "checked_in_at": now,
            "checked_in_by_id": getattr(actor, "id", None),
            "door": (door or "")[:MAX_DOOR],
        }
    )
    if inserted is None:  # another door scanned it a moment ago
        scan.outcome = Outcome.already_checked_in
        scan.checked_in_at = db.session.scalar(
            sa.select(CheckIn.checked_in_at).where(CheckIn.badge_id == row.id)
        )
        return scan
    scan.checked_in_at = now
    log_event(
        "badge.checked_in",
        CheckIn(id=inserted),
        actor=actor,
        conference_id=conference.id,
        data={"badge_id": row.id, "door": door or ""},
    )
    return scan


def badge_language(registration: Registration) -> str:
    """A badge speaks its holder's language when the installation offers it."""
    from alliance_conf.i18n import configured_languages

    language = getattr(registration.user, "language", None)
    if language in configured_languages():
        return language
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "en")
