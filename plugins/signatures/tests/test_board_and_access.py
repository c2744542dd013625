"""Status board, CSV, reminders, access per route and role, keys, and the plugin switched off."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from alliance_conf import create_app
from alliance_conf.config import ConfigError
from alliance_conf.extensions import db
from alliance_conf.testing.fixtures import TEST_PASSWORD, base_test_config
from plugins.signatures import crypto, operations
from plugins.signatures.models import Signature, SignatureReminder


@pytest.fixture
def signed(app, declaration, head, make_signatory):
    """Belgium signed (with a formula-like statement), France signed then withdrew."""
    belgium = operations.sign_declaration(
        declaration,
        actor=head,
        password=TEST_PASSWORD,
        typed_name=head.full_name,
        endorsed_keys=["victims", "awareness"],
        statements=[{"kind": "statement", "text": '=HYPERLINK("http://evil")'}],
    )
    france_user = make_signatory("FR")
    france = operations.sign_declaration(
        declaration, actor=france_user, password=TEST_PASSWORD, typed_name=france_user.full_name
    )
    operations.withdraw_signature(
        france, actor=france_user, reason="@SUM(1+1)", password=TEST_PASSWORD
    )
    db.session.commit()
    return {"belgium": belgium, "france": france, "france_user": france_user}


def test_board_shows_status_totals_and_matrix(app, client, login, declaration, signed, head):
    login(head)
    page = client.get(f"/declarations/{declaration.id}/signatures")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "1 of 49 delegations have signed" in html
    assert "EU member state" in html and "Partner country" in html
    assert "Not yet signed" in html
    assert "Withdrawn on" in html
    # The matrix: Belgium endorsed 2 of the 4 commitments.
    matrix = html.split("Commitments endorsed</h2>")[1]
    assert matrix.count(">Endorsed<") == 2 and matrix.count(">Not endorsed<") == 2
    # Delegates see no CSV link nor reminder button; nothing personal beyond names and titles.
    assert "Download as CSV" not in html and "reminder" not in html.lower()
    assert "127.0.0.1" not in html


def test_board_counts_organisations_apart_from_signing_delegations(
    app, client, login, declaration, signed, head, make_delegation, seed
):
    """The trial's board said "1 of 50 delegations" above 52 rows: organisations that may only
    support the text are counted, and labelled, on their own."""
    make_delegation(seed.conference, organisation_name="Europol", group="observer")
    make_delegation(seed.conference, organisation_name="INTERPOL", group="observer")
    login(head)
    html = client.get(f"/declarations/{declaration.id}/signatures").get_data(as_text=True)
    assert "1 of 49 delegations have signed; 0 of 2 organisations support the text" in html
    assert html.count("Not yet supported") == 2


def test_csv_export_neutralises_formulas(app, client, login, declaration, signed, make_user):
    login(make_user("staff"))
    response = client.get(f"/declarations/{declaration.id}/signatures.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 49  # one row per signature record, and per delegation without one
    belgium = next(r for r in rows if r["delegation"] == "Belgium")
    assert belgium["status"] == "Signed"
    assert belgium["statements"].startswith("statement: =HYPERLINK")  # not at the cell start
    france = [r for r in rows if r["delegation"] == "France"]
    assert france[0]["status"] == "Withdrawn"
    assert france[0]["withdrawal_reason"] == "'@SUM(1+1)"
    for row in rows:
        for value in row.values():
            assert not str(value).startswith(("=", "+", "-", "@")), row


def test_reminders_are_rate_limited(
    app, client, login, declaration, signed, make_user, monkeypatch
):
    sent = []
    monkeypatch.setattr("plugins.signatures.mail.send_mail", lambda to, s, b: sent.append(to))
    # Germany has a designated signatory who has not signed.
    from alliance_conf.core.db import utcnow
    from alliance_conf.delegations.models import Delegation
    from alliance_conf.registrations.models import Registration

    germany = db.session.scalar(
        sa.select(Delegation).where(
            Delegation.conference_id == declaration.conference_id,
            Delegation.country_code == "DE",
        )
    )
    minister = make_user("delegate")
    db.session.add(
        Registration(
            conference_id=germany.conference_id,
            delegation_id=germany.id,
            user_id=minister.id,
            status="approved",
            function="minister",
            is_signatory=True,
            signatory_designated_at=utcnow(),
        )
    )
    db.session.commit()
    login(make_user("organiser"))
    url = f"/declarations/{declaration.id}/signatures/reminders"
    first = client.post(url)
    assert first.status_code == 302
    # France withdrew and its signatory is reminded; Germany's too; Belgium signed: not.
    assert sorted(sent) == sorted([minister.email, signed["france_user"].email])
    flashes = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "Reminders sent to 2 delegations (2 e-mails)" in flashes
    assert "have no designated signatory" in flashes
    second = client.post(url)
    assert second.status_code == 302
    assert len(sent) == 2  # nobody reminded twice within 24 hours
    assert "were reminded less than 24 hours ago" in client.get(url.rsplit("/", 1)[0]).get_data(
        as_text=True
    )
    with db.engine.begin() as conn:
        conn.execute(sa.update(SignatureReminder).values(sent_at=utcnow() - timedelta(hours=25)))
    client.post(url)
    assert len(sent) == 4
    from alliance_conf.audit.models import AuditEvent

    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.action == "signature.reminders_sent")
    ).all()
    assert len(actions) == 3


# --- access per route ------------------------------------------------------------------------

ROLES = ("anonymous", "outsider", "delegate_be", "delegate_fr", "staff", "organiser", "admin")


@pytest.fixture
def as_role(client, login, make_user, head, make_signatory):
    cast = {
        "outsider": make_user("delegate"),
        "delegate_be": head,
        "delegate_fr": make_signatory("FR"),
        "staff": make_user("staff"),
        "organiser": make_user("organiser"),
        "admin": make_user("admin"),
    }

    def switch(role):
        client.post("/auth/logout")
        if role != "anonymous":
            login(cast[role])
        return cast.get(role)

    return switch


def test_web_routes_per_role(app, client, as_role, declaration, signed):
    sid = signed["belgium"].id
    code = signed["belgium"].verification_code
    expected = {
        f"/declarations/{declaration.id}/sign": {
            "anonymous": 302,
            "outsider": 403,
            "delegate_be": 200,
            "delegate_fr": 200,
            "staff": 403,
            "organiser": 403,
            "admin": 403,
        },
        f"/declarations/{declaration.id}/signatures": dict.fromkeys(ROLES, 200)
        | {"anonymous": 302},
        f"/declarations/{declaration.id}/signatures.csv": {
            "anonymous": 302,
            "outsider": 403,
            "delegate_be": 403,
            "delegate_fr": 403,
            "staff": 200,
            "organiser": 200,
            "admin": 200,
        },
        f"/signatures/{sid}": {
            "anonymous": 302,
            "outsider": 404,
            "delegate_be": 200,
            "delegate_fr": 404,
            "staff": 200,
            "organiser": 200,
            "admin": 200,
        },
        f"/signatures/{sid}/receipt.json": {
            "anonymous": 302,
            "outsider": 404,
            "delegate_be": 200,
            "delegate_fr": 404,
            "staff": 200,
            "organiser": 200,
            "admin": 200,
        },
        f"/signatures/{sid}/withdraw": {
            "anonymous": 302,
            "outsider": 404,
            "delegate_be": 200,
            "delegate_fr": 404,
            "staff": 403,
            "organiser": 403,
            "admin": 403,
        },
        f"/verify/{code}": dict.fromkeys(ROLES, 200),
        "/verify": dict.fromkeys(ROLES, 200),
        "/signatures/check-receipt": dict.fromkeys(ROLES, 200),
        "/signatures/public-key.pem": dict.fromkeys(ROLES, 200),
    }
    for role in ROLES:
        as_role(role)
        for url, by_role in expected.items():
            status = client.get(url).status_code
            assert status == by_role[role], (role, url, status)
    # Posting: only Belgium's signatory may withdraw; only organisers may send reminders.
    for role in ("staff", "organiser", "delegate_fr"):
        as_role(role)
        response = client.post(f"/signatures/{sid}/withdraw", data={"reason": "x"})
        assert response.status_code in (403, 404), role
    for role, status in (("anonymous", 302), ("staff", 403), ("delegate_be", 403)):
        as_role(role)
        reminders = client.post(f"/declarations/{declaration.id}/signatures/reminders")
        assert reminders.status_code == status, role
    assert db.session.get(Signature, sid).withdrawn_at is None


def test_api_routes_per_role(app, client, make_user, head, make_signatory, api_headers, signed):
    declaration_id = signed["belgium"].declaration_id
    sid = signed["belgium"].id
    headers = {
        "anonymous": {},
        "outsider": api_headers(make_user("delegate")),
        "delegate_be": api_headers(head),
        "delegate_fr": api_headers(make_signatory("FR")),
        "staff": api_headers(make_user("staff")),
        "organiser": api_headers(make_user("organiser")),
    }
    gets = {
        f"/api/v1/declarations/{declaration_id}/signatures": {
            "anonymous": 401,
            "outsider": 200,
            "delegate_be": 200,
            "delegate_fr": 200,
            "staff": 200,
            "organiser": 200,
        },
        f"/api/v1/signatures/{sid}": {
            "anonymous": 401,
            "outsider": 404,
            "delegate_be": 200,
            "delegate_fr": 404,
            "staff": 200,
            "organiser": 200,
        },
        f"/api/v1/signatures/{sid}/receipt": {
            "anonymous": 401,
            "outsider": 404,
            "delegate_be": 200,
            "delegate_fr": 404,
            "staff": 200,
            "organiser": 200,
        },
        f"/api/v1/verify/{signed['belgium'].verification_code}": dict.fromkeys(headers, 200),
        "/api/v1/signatures/public-key": dict.fromkeys(headers, 200),
    }
    for url, by_role in gets.items():
        for role, status in by_role.items():
            got = client.get(url, headers=headers[role]).status_code
            assert got == status, (url, role, got)
    sign_url = f"/api/v1/declarations/{declaration_id}/signatures"
    for role, status in (("anonymous", 401), ("staff", 403), ("organiser", 403)):
        got = client.post(
            sign_url, json={"password": "x", "typed_name": "x"}, headers=headers[role]
        )
        assert got.status_code == status, role
    reminders = f"/api/v1/declarations/{declaration_id}/signatures/reminders"
    for role, status in (("anonymous", 401), ("delegate_be", 403), ("staff", 403)):
        assert client.post(reminders, headers=headers[role]).status_code == status
    assert client.post(reminders, headers=headers["organiser"]).status_code == 200
    delete = f"/api/v1/signatures/{sid}"
    for role, status in (("anonymous", 401), ("staff", 403), ("organiser", 403)):
        got = client.delete(delete, json={"reason": "x"}, headers=headers[role])
        assert got.status_code == status, role


def test_public_verification_api_shows_nothing_personal(app, client, signed, head):
    body = client.get(f"/api/v1/verify/{signed['belgium'].verification_code}").get_json()
    assert set(body) == {
        "verification_code",
        "kind",
        "delegation",
        "signatory_name",
        "signatory_title",
        "signed_at",
        "declaration_title",
        "text_hash",
        "language_hashes",
        "valid",
        "active",
        "withdrawn_at",
    }
    assert body["valid"] and body["active"] and body["delegation"] == "Belgium"
    assert body["signatory_title"] == "Minister of Justice"


def test_openapi_documents_the_endpoints(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    assert "/api/v1/declarations/{declaration_id}/signatures" in paths
    assert "delete" in paths["/api/v1/signatures/{signature_id}"]
    assert "/api/v1/verify/{code}" in paths
    assert "/api/v1/signatures/public-key" in paths


# --- keys ------------------------------------------------------------------------------------


def test_public_key_is_published_and_never_derived_from_the_secret_key(
    app, client, make_app, tmp_path
):
    pem = client.get("/signatures/public-key.pem").get_data(as_text=True)
    assert pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert client.get("/api/v1/signatures/public-key").get_json()["pem"] == pem
    # Outside production the key is random, kept in the instance folder: the same folder gives
    # the same key; the same SECRET_KEY elsewhere does not (nothing is derived from it).
    unset = {"SIGNATURES_SIGNING_KEY": None}
    first = make_app(**unset).test_client().get("/signatures/public-key.pem").get_data(as_text=True)
    again = make_app(**unset).test_client().get("/signatures/public-key.pem").get_data(as_text=True)
    assert first == again and first != pem
    assert (tmp_path / "instance" / "signatures-key.pem").stat().st_mode & 0o077 == 0


def test_production_requires_an_explicit_key(tmp_path, cli):
    config = {
        **base_test_config("sqlite://"),
        "ALLIANCE_ENV": "production",
        "SECRET_KEY": "k" * 40,
        "PUBLIC_BASE_URL": "https://conference.example.org",
        "SIGNATURES_SIGNING_KEY": None,
    }
    with pytest.raises(ConfigError, match="SIGNATURES_SIGNING_KEY"):
        create_app(config, instance_path=str(tmp_path))
    result = cli("signatures", "generate-key")
    pem = result.output
    assert "PRIVATE KEY" in pem
    production = create_app({**config, "SIGNATURES_SIGNING_KEY": pem}, instance_path=str(tmp_path))
    with production.app_context():
        assert crypto.public_key_pem().startswith("-----BEGIN PUBLIC KEY-----")
    with pytest.raises(ConfigError, match="not a readable PEM"):
        create_app({**config, "SIGNATURES_SIGNING_KEY": "nonsense"}, instance_path=str(tmp_path))


# --- the plugin switched off -----------------------------------------------------------------


def test_core_runs_with_the_plugin_disabled(app, make_app, declaration, signed):
    core_only = make_app(DISABLED_PLUGINS=["signatures"])
    rules = {rule.rule for rule in core_only.url_map.iter_rules()}
    plugin_routes = re.compile(r"/(sign|signatures|signing-code)(/|\.|$)|^(/api/v1)?/verify")
    assert not any(plugin_routes.search(r) for r in rules), rules
    assert "signatures" not in core_only.cli.commands
    client = core_only.test_client()
    assert client.get(f"/declarations/{declaration.id}/sign").status_code == 404
    assert client.get("/api/v1/signatures/public-key").status_code == 404
    page = client.get(f"/declarations/{declaration.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert declaration.text_hash in html and "delegations have signed" not in html
    assert client.get("/conferences/global-alliance-2012").status_code == 200
    assert "/verify" not in client.get("/conferences").get_data(as_text=True)


def test_observer_organisations_support_instead_of_signing(
    app, client, seed, declaration, make_delegation, make_signatory, api_headers, login
):
    from alliance_conf.plugins import flatten, hook

    interpol = make_delegation(seed.conference, organisation_name="INTERPOL", group="observer")
    officer = make_signatory(delegation=interpol)
    response = client.post(
        f"/api/v1/declarations/{declaration.id}/signatures",
        json={"password": TEST_PASSWORD, "typed_name": officer.full_name},
        headers=api_headers(officer),
    )
    assert response.status_code == 201
    assert response.get_json()["kind"] == "support"
    assert flatten(hook().alliance_signature_rows(declaration=declaration)) == []
    login(officer)
    board = client.get(f"/declarations/{declaration.id}/signatures").get_data(as_text=True)
    # The organisations that may support are counted apart, so the totals add up to the rows.
    assert "0 of 49 delegations have signed; 1 of 1 organisation supports the text" in board
    assert "Supported" in board


def test_signing_groups_are_configurable(app, make_app, declaration, make_signatory, api_headers):
    norway = make_signatory("NO")  # a partner country
    only_eu = make_app(SIGNATURES_SIGNING_GROUPS=["eu_member"]).test_client()
    response = only_eu.post(
        f"/api/v1/declarations/{declaration.id}/signatures",
        json={"password": TEST_PASSWORD, "typed_name": norway.full_name},
        headers=api_headers(norway),
    )
    assert response.status_code == 403
    assert "neither sign nor support" in response.get_json()["error"]["message"]
    assert db.session.scalar(sa.select(sa.func.count(Signature.id))) == 0


def test_cli_status_and_public_key(app, cli, signed, declaration):
    status = cli("signatures", "status", "global-alliance-2012")
    assert status.exit_code == 0
    assert "1 of 49 signed" in status.output
    assert "Belgium: Signed" in status.output and "France: Withdrawn" in status.output
    key = cli("signatures", "public-key")
    assert key.output.startswith("-----BEGIN PUBLIC KEY-----")
    missing = app.test_cli_runner().invoke(args=["signatures", "verify", "no-such-conference"])
    assert missing.exit_code == 1
