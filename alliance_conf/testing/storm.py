"""A signing storm's world: a fresh PostgreSQL database, a conference with N state delegations
(each with a designated signatory and an API token) and a declaration opened for signature.
Shared by ``bench/signing_storm.py`` and the two-host test (``tests/test_two_hosts.py``)."""

from __future__ import annotations

import os
import secrets
import socket
import tempfile
from datetime import date

import pycountry
import sqlalchemy as sa

PG_ADMIN_URL = os.environ.get(
    "ALLIANCE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PASSWORD = "storm password 0123456789"
SLUG = "signing-storm"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def create_database() -> tuple[str, str]:
    name = f"alliance_storm_{secrets.token_hex(4)}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def drop_database(name: str) -> None:
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def build(env: dict, delegations: int, cheap: bool) -> list[dict]:
    """Schema, conference, delegations, signatories with tokens, open declaration."""
    from flask_migrate import upgrade

    from alliance_conf import create_app
    from alliance_conf.auth.models import User, password_hasher
    from alliance_conf.auth.operations import issue_api_token
    from alliance_conf.conferences.operations import create_conference
    from alliance_conf.core.db import utcnow
    from alliance_conf.declarations.operations import create_declaration, transition
    from alliance_conf.delegations.operations import create_delegation
    from alliance_conf.extensions import db
    from alliance_conf.registrations.models import Registration

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"],
            "SECRET_KEY": env["SECRET_KEY"],
            "PASSWORD_HASH_CHEAP": cheap,
        },
        instance_path=tempfile.mkdtemp(prefix="storm-instance-"),
    )
    people = []
    with app.app_context():
        upgrade(revision="heads")
        conference = create_conference(
            slug=SLUG,
            title="Signing storm",
            city="Brussels",
            start_date=date(2030, 1, 1),
            end_date=date(2030, 1, 2),
            timezone="UTC",
        )
        countries = sorted(c.alpha_2 for c in pycountry.countries)[:delegations]
        password_hash = password_hasher().hash(PASSWORD)  # one hash, shared: setup stays fast
        for n, code in enumerate(countries):
            delegation = create_delegation(conference, group="partner", country_code=code)
            user = User(
                email=f"signatory{n}@storm.example.org",
                full_name=f"Signatory {code} Number{n}",
                password_hash=password_hash,
                role="delegate",
            )
            db.session.add(user)
            db.session.flush()
            db.session.add(
                Registration(
                    conference_id=conference.id,
                    delegation_id=delegation.id,
                    user_id=user.id,
                    status="approved",
                    function="head_of_delegation",
                    is_signatory=True,
                    signatory_designated_at=utcnow(),
                )
            )
            _, token = issue_api_token(user)
            people.append({"name": user.full_name, "token": token, "double": n % 2 == 0})
        declaration = create_declaration(
            conference,
            title="Storm declaration",
            content={
                "preamble": [{"key": "p-1", "text": "We, the participants,"}],
                "commitments": [
                    {"key": f"k-{i}", "title": f"Commitment {i}", "text": f"We commit to {i}."}
                    for i in range(1, 5)
                ],
                "closing": [],
            },
            actor=None,
        )
        transition(declaration, "consultation", actor=None)
        transition(declaration, "open", actor=None)
        db.session.commit()
        for person in people:
            person["declaration_id"] = declaration.id
        db.engine.dispose()
    return people
