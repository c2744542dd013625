"""A small conference with a declaration of three commitments, and a fake signatures provider.

Belgium signed endorsing commitments 1 and 2, the United States endorsed the whole text, France
did not sign. The provider is registered on the app's plugin manager only for the tests that ask
for ``signatures`` and removed afterwards.
"""

from __future__ import annotations

from datetime import date

import pytest
from flask import g

from alliance_conf.extensions import db
from alliance_conf.plugins import get_registry
from plugins.reporting.tests.support import (
    CONTENT,
    FakeSignatures,
    World,
    signature_row,
)


@pytest.fixture
def world(app, make_conference, make_delegation, make_user, make_registration):
    from alliance_conf.declarations.operations import create_declaration
    from alliance_conf.declarations.transitions import transition

    conference = make_conference(slug="reporting-test")
    be = make_delegation(conference, "BE", group="eu_member")
    us = make_delegation(conference, "US", group="partner")
    fr = make_delegation(conference, "FR", group="eu_member")
    declaration = create_declaration(
        conference, title="Declaration of the test", content=CONTENT, actor=None
    )
    transition(declaration, "consultation", actor=None)
    transition(declaration, "open", actor=None)  # signed texts are open (or closed)
    db.session.commit()
    be_head = make_user(full_name="Belgian Head")
    be_adviser = make_user(full_name="Belgian Adviser")
    us_head = make_user(full_name="US Head")
    make_registration(be, be_head, function="head_of_delegation")
    make_registration(be, be_adviser, function="adviser")
    make_registration(us, us_head, function="minister")
    return World(
        conference=conference,
        declaration=declaration,
        be=be,
        us=us,
        fr=fr,
        organiser=make_user(role="organiser"),
        staff=make_user(role="staff"),
        be_head=be_head,
        be_adviser=be_adviser,
        us_head=us_head,
        outsider=make_user(full_name="No Delegation"),
    )


@pytest.fixture
def signatures(app, world):
    provider = FakeSignatures(
        [
            signature_row(world.be, ["victims", "offenders"]),
            signature_row(world.us, ["victims", "offenders", "awareness"], endorses_all=True),
        ]
    )
    manager = get_registry(app).manager
    manager.register(provider, name="test-signatures")
    try:
        yield provider
    finally:
        manager.unregister(name="test-signatures")


@pytest.fixture
def round_(world, signatures):
    from plugins.reporting import rounds

    created = rounds.open_round(
        world.declaration,
        title="First round",
        period_start=date(2030, 3, 2),
        period_end=date(2031, 3, 1),
        deadline=date(2031, 6, 30),
        actor=world.organiser,
    )
    db.session.commit()
    return created


@pytest.fixture
def as_user(client, login):
    """Sign the test client in as ``user`` (None: anonymous)."""

    def switch(user):
        client.post("/auth/logout")
        g.pop("_login_user", None)
        if user is not None:
            login(user)
        return client

    return switch
