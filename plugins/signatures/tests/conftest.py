from __future__ import annotations

import pytest
import sqlalchemy as sa

from alliance_conf.core.db import utcnow
from alliance_conf.declarations.models import Declaration
from alliance_conf.declarations.transitions import transition
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.registrations.models import Registration
from alliance_conf.testing.fixtures import TEST_PASSWORD
from plugins.signatures.models import ReauthFailure, Signature, SignatureEvent


@pytest.fixture
def declaration(seed) -> Declaration:
    """The seed conference's declaration, opened for signature (its text frozen)."""
    found = db.session.scalar(
        sa.select(Declaration).where(Declaration.conference_id == seed.conference.id)
    )
    transition(found, "consultation", actor=None)
    transition(found, "open", actor=None)
    db.session.commit()
    return found


@pytest.fixture
def head(seed):
    """Hélène Dubois, head of the Belgian delegation, designated signatory by the demo."""
    user = seed.accounts["head"]
    user.set_password(TEST_PASSWORD)
    db.session.commit()
    return user


@pytest.fixture
def delegation_of(seed):
    def find(code: str) -> Delegation:
        return db.session.scalar(
            sa.select(Delegation).where(
                Delegation.conference_id == seed.conference.id, Delegation.country_code == code
            )
        )

    return find


@pytest.fixture
def make_signatory(seed, make_user, delegation_of):
    """A delegate with full powers in the delegation of ``code`` (or ``delegation``)."""

    def factory(code: str | None = None, *, delegation=None, signatory=True, name=None):
        delegation = delegation or delegation_of(code)
        user = make_user("delegate", full_name=name)
        db.session.add(
            Registration(
                conference_id=delegation.conference_id,
                delegation_id=delegation.id,
                user_id=user.id,
                status="approved",
                function="minister" if signatory else "adviser",
                position="Minister of the Interior" if signatory else "",
                is_signatory=signatory,
                signatory_designated_at=utcnow() if signatory else None,
            )
        )
        db.session.commit()
        return user

    return factory


@pytest.fixture
def counts():
    def get() -> dict:
        return {
            "signatures": db.session.scalar(sa.select(sa.func.count(Signature.id))),
            "events": db.session.scalar(sa.select(sa.func.count(SignatureEvent.id))),
            "failures": db.session.scalar(sa.select(sa.func.count(ReauthFailure.id))),
        }

    return get
