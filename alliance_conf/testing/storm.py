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


def _open_declaration(conference, title: str):
    from alliance_conf.declarations.operations import create_declaration
    from alliance_conf.declarations.transitions import transition

    declaration = create_declaration(
        conference,
        title=title,
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
    return declaration


def build(env: dict, delegations: int, cheap: bool, passkeys: bool = False) -> list[dict]:
    """Schema, conference, delegations, signatories with tokens (and passkeys), open
    declaration(s)."""
    from flask_migrate import upgrade

    from alliance_conf import create_app
    from alliance_conf.auth.models import PasskeyCredential, User, password_hasher
    from alliance_conf.auth.operations import issue_api_token
    from alliance_conf.conferences.operations import create_conference
    from alliance_conf.core.db import utcnow
    from alliance_conf.delegations.operations import create_delegation
    from alliance_conf.extensions import db
    from alliance_conf.registrations.models import Registration
    from alliance_conf.testing.authenticator import SoftAuthenticator, b64url

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"],
            "SECRET_KEY": env["SECRET_KEY"],
            # The hosts, the worker and `verify` must sign and check with the same key.
            "SIGNATURES_SIGNING_KEY": env["SIGNATURES_SIGNING_KEY"],
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
            person = {"name": user.full_name, "token": token, "double": n % 2 == 0}
            if passkeys:
                device = SoftAuthenticator()
                db.session.add(
                    PasskeyCredential(
                        user_id=user.id,
                        credential_id=device.credential_id_b64,
                        public_key=b64url(device.cose_key()),
                        name="storm",
                    )
                )
                person["authenticator"] = device
            people.append(person)
        declaration = _open_declaration(conference, "Storm declaration")
        second = _open_declaration(conference, "Storm declaration (passkeys)") if passkeys else None
        db.session.commit()
        for person in people:
            person["declaration_id"] = declaration.id
            person["passkey_declaration_id"] = second.id if second is not None else None
        db.engine.dispose()
    return people
