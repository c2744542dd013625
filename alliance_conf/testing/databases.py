"""The test app on each test database: SQLite and a fresh PostgreSQL database per run.

Every test that uses ``app`` runs twice, once per database (``ALLIANCE_TEST_DATABASES=sqlite`` or
``=postgresql`` narrows it). The schema is built with the real migrations (``upgrade heads``);
each test starts from empty tables.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile

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

    built_apps = []

    def factory(**overrides):
        config = {**base_test_config(database_url), **overrides}
        built = create_app(config, instance_path=str(tmp_path / "instance"))
        built.test_client_class = FreshRequestClient
        built_apps.append(built)
        return built

    yield factory
    for built in built_apps:  # close their pooled connections now, not whenever GC runs
        dispose_engines(built)


def dispose_engines(app) -> None:
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def is_postgresql(app) -> bool:
    return db.engine.dialect.name == "postgresql"
