"""pytest fixtures shared by the core's and every plugin's tests.

Every test that uses ``app`` runs twice: on SQLite and on a fresh PostgreSQL database created
for this run (``ALLIANCE_TEST_DATABASES=sqlite`` or ``=postgresql`` narrows it). The schema is
built with the real migrations (``upgrade heads``); each test starts from empty tables.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g, has_app_context
from flask.testing import FlaskClient

from alliance_conf import create_app
from alliance_conf.extensions import db

PG_ADMIN_URL = os.environ.get(
    "ALLIANCE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TEST_PASSWORD = "correct horse battery staple"


def _databases() -> list[str]:
    wanted = os.environ.get("ALLIANCE_TEST_DATABASES", "sqlite,postgresql")
    return [name.strip() for name in wanted.split(",") if name.strip()]


def _pg_reachable() -> bool:
    engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect():
            return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


def _start_postgresql() -> None:
    pg_ctl = shutil.which("pg_ctlcluster")
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    if pg_ctl and versions:
        subprocess.run(
            [pg_ctl, "--skip-systemctl-redirect", versions[-1], "main", "start"],
            check=False,
            capture_output=True,
        )


def ensure_postgresql() -> None:
    """Find PostgreSQL or start it; never skip silently in CI."""
    if _pg_reachable():
        return
    _start_postgresql()
    if _pg_reachable():
        return
    message = f"PostgreSQL is not reachable at {PG_ADMIN_URL} and could not be started"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message + " (set ALLIANCE_TEST_DATABASES=sqlite to run SQLite only)")


@pytest.fixture(scope="session")
def postgresql_url():
    """A fresh PostgreSQL database for this test run, dropped at the end."""
    ensure_postgresql()
    name = f"alliance_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class FreshRequestClient(FlaskClient):
    """A test client whose every request starts with an empty ``g``, as a real request does.

    Tests keep one app context open (for the database session), and Flask reuses it for requests
    made inside it; without this, ``g`` (Flask-Login's cached user, the API user) would leak from
    one request into the next.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            for name in list(vars(g)):
                delattr(g, name)
        return super().open(*args, **kwargs)


def _test_signing_key() -> str:
    """One receipt key per test session, shared by every app built on the test database (as
    hosts of one deployment share ``SIGNATURES_SIGNING_KEY``)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode("ascii")
    )


TEST_SIGNING_KEY = _test_signing_key()


def base_test_config(database_url: str) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_CHEAP": True,
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "SERVER_NAME": "localhost",
        "PUBLIC_BASE_URL": "http://localhost",
        "SIGNATURES_SIGNING_KEY": TEST_SIGNING_KEY,
        "MAIL_SERVER": None,
        "RATELIMIT_ENABLED": False,  # tests of the limits switch them on
    }


def migrate_to_heads(app) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(revision="heads")


def empty_all_tables(app) -> None:
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                if sa.inspect(conn).has_table(table.name):
                    conn.execute(table.delete())


@pytest.fixture(scope="session", params=_databases())
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        return "sqlite:///" + str(tmp_path_factory.mktemp("sqlite") / "test.db")
    if request.param == "postgresql":
        return request.getfixturevalue("postgresql_url")
    raise ValueError(f"unknown test database {request.param!r}")


@pytest.fixture(scope="session")
def _session_app(database_url):
    instance = tempfile.mkdtemp(prefix="alliance-instance-")
    app = create_app(base_test_config(database_url), instance_path=instance)
    app.test_client_class = FreshRequestClient
    migrate_to_heads(app)
    yield app
    with app.app_context():
        db.engine.dispose()
    shutil.rmtree(instance, ignore_errors=True)


@pytest.fixture
def app(_session_app):
    """The app inside an app context; every table is emptied after the test."""
    with _session_app.app_context():
        yield _session_app
    empty_all_tables(_session_app)


@pytest.fixture
def make_app(app, database_url, tmp_path):
    """Build another app on the same test database with some settings changed."""

    def factory(**overrides):
        config = {**base_test_config(database_url), **overrides}
        built = create_app(config, instance_path=str(tmp_path / "instance"))
        built.test_client_class = FreshRequestClient
        return built

    return factory


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def is_postgresql(app) -> bool:
    return db.engine.dialect.name == "postgresql"


# --- factories --------------------------------------------------------------------------------


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
def login(client):
    def do_login(user, password=TEST_PASSWORD):
        response = client.post("/auth/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return do_login


@pytest.fixture
def api_headers(app):
    """Bearer headers for a user, through the real token path."""
    from alliance_conf.auth.operations import issue_api_token

    def factory(user) -> dict:
        _, secret = issue_api_token(user)
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return factory


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args, input=None):
        return runner.invoke(args=list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture(scope="session")
def project_root() -> Path:
    return Path(__file__).resolve().parents[2]


# --- mail -------------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (for a test server, or a closed port)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpInbox:
    """What the loopback SMTP server received, parsed as ``email.message.EmailMessage``."""

    def __init__(self):
        self.messages = []
        self.port = 0

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.content, policy=policy.default)
        message.envelope_rcpt = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp_server(app):
    """A real SMTP server (aiosmtpd) on a free loopback port; the app sends its mail there."""
    from aiosmtpd.controller import Controller

    inbox = SmtpInbox()
    inbox.port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    saved = {key: app.config.get(key) for key in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=inbox.port)
    try:
        yield inbox
    finally:
        controller.stop()
        app.config.update(saved)


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
