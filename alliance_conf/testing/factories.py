"""Factories for the objects tests need: users, conferences, delegations, registrations, full
powers, the seed conference and the cast of people who act on its declaration."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from alliance_conf.extensions import db

TEST_PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_user(app):
    from alliance_conf.auth.operations import create_user

    counter = iter(range(1, 1_000_000))

    def factory(role="delegate", email=None, full_name=None, password=TEST_PASSWORD):
        n = next(counter)
        user = create_user(
            email=email or f"{role}{n}@example.org",
            full_name=full_name or f"{role.capitalize()} Number{n}",
            password=password,
            role=role,
        )
        db.session.commit()
        return user

    return factory


@pytest.fixture
def make_conference(app):
    from alliance_conf.conferences.operations import create_conference

    counter = iter(range(1, 1_000_000))

    def factory(slug=None, **fields):
        n = next(counter)
        values = {
            "slug": slug or f"conference-{n}",
            "title": f"Ministerial conference {n}",
            "city": "Brussels",
            "start_date": date(2030, 3, 1),
            "end_date": date(2030, 3, 2),
            "timezone": "Europe/Brussels",
        }
        values.update(fields)
        conference = create_conference(**values)
        db.session.commit()
        return conference

    return factory


@pytest.fixture
def make_delegation(app):
    from alliance_conf.delegations.operations import create_delegation

    def factory(conference, country_code=None, group=None, organisation_name=None, **fields):
        if group is None:
            group = "observer" if organisation_name else "partner"
        delegation = create_delegation(
            conference,
            group=group,
            country_code=country_code,
            organisation_name=organisation_name,
            **fields,
        )
        db.session.commit()
        return delegation

    return factory


@pytest.fixture
def make_registration(app):
    """An accreditation record, created directly (the registration workflow tests its own path)."""
    from alliance_conf.registrations.models import (
        DelegateFunction,
        Registration,
        RegistrationStatus,
    )

    def factory(delegation, user, status="approved", function="adviser", **fields):
        registration = Registration(
            conference_id=delegation.conference_id,
            delegation_id=delegation.id,
            user_id=user.id,
            status=RegistrationStatus(status),
            function=DelegateFunction(function),
            **fields,
        )
        db.session.add(registration)
        db.session.commit()
        return registration

    return factory


@pytest.fixture
def make_delegates(make_delegation, make_user, make_registration):
    """A delegation of ``country`` with ``count`` approved delegates on the participant list."""

    def factory(conference, count, country="BE", group="eu_member"):
        delegation = make_delegation(conference, country, group=group)
        for n in range(count):
            make_registration(
                delegation,
                make_user(full_name=f"Delegate {n}"),
                status="approved",
                consent_participant_list=True,
            )
        return delegation

    return factory


@pytest.fixture
def grant_powers(app, make_user):
    """Full powers through the real operation: an organiser checks an instrument."""
    from alliance_conf.registrations.powers import Instrument, grant_full_powers

    def factory(registration, organiser=None, **instrument):
        organiser = organiser or make_user("organiser")
        values = {"reference": "FP/TEST/1", "authority": "foreign_minister"}
        values.update(instrument)
        values.setdefault("issued_on", date(2025, 1, 15))
        powers = grant_full_powers(registration, Instrument(**values), actor=organiser)
        db.session.commit()
        return powers

    return factory


@pytest.fixture
def seed(app):
    """The seed conference as ``flask demo load`` builds it; returns its DemoResult."""
    from alliance_conf.demo.operations import load_demo

    result = load_demo()
    db.session.commit()
    return result


@pytest.fixture
def seed_week(app):
    """The seed conference as ``flask demo load`` builds it by default: the day-one state and
    the week of 5 December 2012 (``result.week``: its summary and the signatories' passwords)."""
    from alliance_conf.demo.operations import load_demo_story

    return load_demo_story()


@pytest.fixture
def declaration_cast(seed, make_user, make_registration):
    """The seed conference's draft declaration and the people who act on it.

    ``head_be`` (head of the Belgian delegation, from the seed) and ``minister_fr`` may act for
    their delegations; ``adviser_de`` is accredited but without rights; ``outsider`` is a
    delegate with no registration. Every account has the password ``TEST_PASSWORD``.
    """
    from types import SimpleNamespace

    from alliance_conf.declarations.models import Declaration
    from alliance_conf.delegations.models import Delegation

    conference = seed.conference

    def delegation(code):
        return db.session.scalar(
            sa.select(Delegation).where(
                Delegation.conference_id == conference.id, Delegation.country_code == code
            )
        )

    head_be = seed.accounts["head"]
    head_be.set_password(TEST_PASSWORD)
    db.session.commit()
    minister_fr = make_user(full_name="Françoise Ministre")
    make_registration(delegation("FR"), minister_fr, function="minister")
    adviser_de = make_user(full_name="Dieter Berater")
    make_registration(delegation("DE"), adviser_de, function="adviser")
    declaration = db.session.scalar(
        sa.select(Declaration).where(Declaration.conference_id == conference.id)
    )
    return SimpleNamespace(
        conference=conference,
        declaration=declaration,
        belgium=delegation("BE"),
        france=delegation("FR"),
        head_be=head_be,
        minister_fr=minister_fr,
        adviser_de=adviser_de,
        outsider=make_user(full_name="Otto Outsider"),
        staff=make_user(role="staff"),
        organiser=make_user(role="organiser"),
        admin=make_user(role="admin"),
    )
