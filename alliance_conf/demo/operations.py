"""Load the seed conference (the 2012 Brussels launch of the Global Alliance) idempotently."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import date
from importlib import resources

import sqlalchemy as sa

from alliance_conf.auth.models import User, UserRole
from alliance_conf.auth.operations import create_user, find_user_by_email
from alliance_conf.conferences.models import Conference, ConferenceStatus
from alliance_conf.conferences.operations import create_conference
from alliance_conf.core.db import StoryClock, replayed_time
from alliance_conf.declarations.demo import load_demo_declaration
from alliance_conf.delegations.models import Delegation
from alliance_conf.delegations.operations import create_delegation
from alliance_conf.demo.week import DAY_ONE, WeekResult, held_mail, play_demo_week
from alliance_conf.extensions import db
from alliance_conf.plugins import hook
from alliance_conf.registrations.models import (
    DelegateFunction,
    IssuingAuthority,
    Registration,
    RegistrationStatus,
)
from alliance_conf.registrations.powers import Instrument, grant_full_powers

SEED_FILE = "global_alliance_2012.json"


def load_seed_data() -> dict:
    return json.loads(resources.files("alliance_conf.seed").joinpath(SEED_FILE).read_text("utf-8"))


@dataclass
class DemoResult:
    conference: Conference
    created_conference: bool
    delegations_added: int
    new_passwords: dict[str, tuple[User, str]] = field(default_factory=dict)
    accounts: dict[str, User] = field(default_factory=dict)
    week: WeekResult | None = None  # what ``load_demo_story`` played of the week


def load_demo_story(*, week: bool = True) -> DemoResult:
    """What ``flask demo load`` does: the day-one state, dated 29 November 2012 (committed),
    then, with ``week``, the week of the conference (``demo.week.play_demo_week``, in
    ``result.week``). Idempotent; commits."""
    with replayed_time(StoryClock(DAY_ONE)), held_mail():
        result = load_demo()
        db.session.commit()
    if week:
        result.week = play_demo_week(result.conference, result.accounts)
    return result


def load_demo() -> DemoResult:
    """Create what is missing of the seed conference's day-one state (a draft declaration, the
    Belgian head with full powers, nothing signed); never changes what exists. Caller commits.
    The week of the conference is a further step: ``load_demo_story``."""
    seed = load_seed_data()
    info = seed["conference"]
    conference = db.session.scalar(sa.select(Conference).where(Conference.slug == info["slug"]))
    created = conference is None
    if created:
        conference = create_conference(
            **{
                **info,
                "start_date": date.fromisoformat(info["start_date"]),
                "end_date": date.fromisoformat(info["end_date"]),
            }
        )
        conference.status = ConferenceStatus.registration_open
    existing = set(
        db.session.scalars(
            sa.select(Delegation.country_code).where(Delegation.conference_id == conference.id)
        )
    )
    added = 0
    for group, codes in seed["delegations"].items():
        for code in codes:
            if code not in existing:
                create_delegation(conference, group=group, country_code=code)
                added += 1

    result = DemoResult(conference=conference, created_conference=created, delegations_added=added)
    for key, account in seed["accounts"].items():
        user = find_user_by_email(account["email"])
        if user is None:
            password = secrets.token_urlsafe(12)
            user = create_user(
                email=account["email"],
                full_name=account["full_name"],
                password=password,
                role=UserRole(account["role"]),
            )
            result.new_passwords[key] = (user, password)
        result.accounts[key] = user
        if "delegation" in account:
            _ensure_head_registration(conference, user, account)
    # The seed head also holds full powers, so the signing path works out of the box.
    grant_demo_powers(conference, result.accounts.get("head"), result.accounts.get("organiser"))
    load_demo_declaration(conference, seed, author=result.accounts.get("organiser"))
    hook().alliance_demo_load(conference=conference, accounts=result.accounts)
    return result


def _ensure_head_registration(conference: Conference, user: User, account: dict) -> None:
    delegation = db.session.scalar(
        sa.select(Delegation).where(
            Delegation.conference_id == conference.id,
            Delegation.country_code == account["delegation"],
        )
    )
    registered = db.session.scalar(
        sa.select(Registration.id).where(
            Registration.conference_id == conference.id, Registration.user_id == user.id
        )
    )
    if registered is None:
        db.session.add(
            Registration(
                conference_id=conference.id,
                delegation_id=delegation.id,
                user_id=user.id,
                status=RegistrationStatus.approved,
                function=DelegateFunction.head_of_delegation,
                position=account.get("position", ""),
                organisation=account.get("organisation", ""),
            )
        )
        db.session.flush()


DEMO_INSTRUMENT = Instrument(
    reference="DEMO/2012/FP-BE-001",
    authority=IssuingAuthority.foreign_minister,
    issued_on=date(2012, 11, 28),
)


def grant_demo_powers(conference: Conference, head: User | None, organiser: User | None) -> None:
    """Full powers for the seed head of delegation, granted by the seed organiser (idempotent)."""
    if head is None or organiser is None:
        return
    registration = db.session.scalar(
        sa.select(Registration).where(
            Registration.conference_id == conference.id,
            Registration.user_id == head.id,
            Registration.status == RegistrationStatus.approved,
        )
    )
    if registration is not None and not registration.is_signatory:
        grant_full_powers(registration, DEMO_INSTRUMENT, actor=organiser)
