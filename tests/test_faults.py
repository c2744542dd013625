"""The database goes away mid-request: clean 503s, nothing half-written, recovery by itself.

PostgreSQL only: a TCP proxy sits between the app and the server and is cut in the middle of a
transaction (after the conference row is sent, before its audit event).
"""

from __future__ import annotations

import contextlib
import tempfile

import pytest
import sqlalchemy as sa

from alliance_conf import create_app
from alliance_conf.extensions import db
from alliance_conf.testing.fixtures import base_test_config, empty_all_tables, migrate_to_heads
from alliance_conf.testing.routes import sign_in_session
from alliance_conf.testing.tcp_proxy import TcpProxy

CONFERENCE = {
    "slug": "outage-conference",
    "title": "Conference during an outage",
    "city": "Brussels",
    "start_date": "2031-06-01",
    "end_date": "2031-06-02",
    "timezone": "Europe/Brussels",
}
pytestmark = pytest.mark.postgresql_only

FORM = {**CONFERENCE, "slug": "outage-form", "venue": "", "co_chairs": ""}


@contextlib.contextmanager
def cut_when(engine, proxy, statement_start: str):
    """Cut the proxy just before a statement starting with ``statement_start`` is sent."""

    def before_execute(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(statement_start.upper()):
            proxy.cut()

    sa.event.listen(engine, "before_cursor_execute", before_execute)
    try:
        yield
    finally:
        sa.event.remove(engine, "before_cursor_execute", before_execute)


@pytest.fixture
def outage(postgresql_url):
    """An app whose every database connection goes through a proxy the test can cut."""
    url = sa.engine.make_url(postgresql_url)
    direct = sa.create_engine(postgresql_url)
    with TcpProxy((url.host, url.port or 5432)) as proxy:
        proxied = url.set(host="127.0.0.1", port=proxy.port)
        app = create_app(
            base_test_config(proxied.render_as_string(hide_password=False)),
            instance_path=tempfile.mkdtemp(prefix="alliance-outage-"),
        )
        migrate_to_heads(app)
        empty_all_tables(app)
        try:
            yield app, proxy, direct
        finally:
            proxy.restore()
            empty_all_tables(app)
            with app.app_context():
                db.engine.dispose()
            direct.dispose()


def conference_slugs(direct) -> list[str]:
    with direct.connect() as conn:
        return list(conn.scalars(sa.text("SELECT slug FROM conferences ORDER BY slug")))


def test_database_outage_mid_request_gives_clean_503s_and_recovers(outage):
    from alliance_conf.auth.operations import create_user, issue_api_token

    app, proxy, direct = outage
    with app.app_context():
        organiser = create_user(
            email="outage@example.org",
            full_name="Outage Organiser",
            password="correct horse battery staple",
            role="organiser",
        )
        _, secret = issue_api_token(organiser)
        db.session.commit()
        engine = db.engine
        web = app.test_client()
        sign_in_session(web, organiser)
    bearer = {"Authorization": f"Bearer {secret}"}
    api = app.test_client()
    assert api.get("/api/v1/auth/me", headers=bearer).status_code == 200

    # 1. The API: cut between the conference INSERT and its audit event.
    with cut_when(engine, proxy, "INSERT INTO audit_events"):
        response = api.post("/api/v1/conferences", json=CONFERENCE, headers=bearer)
    assert proxy.cuts == 1
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "service_unavailable"
    assert response.headers["Retry-After"]

    # 2. While it is down: pages, the API and the health check all answer 503 cleanly.
    page = app.test_client().get("/")
    assert page.status_code == 503
    assert b"Temporarily unavailable" in page.data
    assert b"Traceback" not in page.data
    listing = api.get("/api/v1/conferences")
    assert listing.status_code == 503
    assert listing.get_json()["error"]["code"] == "service_unavailable"
    assert app.test_client().get("/healthz").status_code == 503

    # 3. Back up: the app reconnects by itself, and nothing was half-written.
    proxy.restore()
    assert app.test_client().get("/healthz").status_code == 200
    assert app.test_client().get("/").status_code == 200
    assert conference_slugs(direct) == []

    # 4. A web form cut mid-transaction: the friendly page, and again nothing stored.
    with cut_when(engine, proxy, "INSERT INTO audit_events"):
        form = web.post("/conferences/new", data=FORM)
    assert form.status_code == 503
    assert b"Temporarily unavailable" in form.data
    proxy.restore()
    assert conference_slugs(direct) == []

    # 5. Recovered for good: the same calls now succeed, once each.
    created = api.post("/api/v1/conferences", json=CONFERENCE, headers=bearer)
    assert created.status_code == 201, created.get_json()
    assert web.post("/conferences/new", data=FORM).status_code == 302
    assert conference_slugs(direct) == ["outage-conference", "outage-form"]
    with direct.connect() as conn:
        events = conn.scalar(
            sa.text("SELECT count(*) FROM audit_events WHERE action = 'conference.created'")
        )
    assert events == 2
    assert proxy.cuts == 2
