"""Signing storm: 200 delegations sign at the same moment through the real HTTP stack.

Creates a fresh PostgreSQL database, migrates it, builds a conference with 200 state delegations
(each with a designated signatory and an API token) and a declaration opened for signature,
starts gunicorn with several workers on a loopback port, then releases every signatory at once;
half of them submit twice. Prints the signatures stored (must be 200), duplicates (0), server
errors (0), p50/p99 latency and the verdict of ``flask signatures verify``. Not part of the
test suite::

    .venv/bin/python bench/signing_storm.py [--delegations 200] [--workers 8] [--cheap-hash]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import pycountry
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

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


def start_server(env: dict, port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--backlog",
            "2048",
            "--timeout",
            "900",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/signatures/public-key")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def submit(port: int, person: dict, barrier: threading.Barrier, results: list) -> None:
    body = json.dumps({"password": PASSWORD, "typed_name": person["name"]})
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {person['token']}"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    barrier.wait()
    started = time.perf_counter()
    try:
        conn.request(
            "POST", f"/api/v1/declarations/{person['declaration_id']}/signatures", body, headers
        )
        status = conn.getresponse().status
    except OSError as exc:
        status = f"error: {exc}"
    results.append((status, time.perf_counter() - started))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--delegations", type=int, default=200)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument(
        "--cheap-hash", action="store_true", help="cheapest argon2 profile (not production's)"
    )
    args = parser.parse_args()

    name, url = create_database()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLIANCE_ENV": "development",
    }
    server = None
    try:
        t0 = time.perf_counter()
        people = build(env, args.delegations, args.cheap_hash)
        print(f"built {len(people)} delegations in {time.perf_counter() - t0:.1f}s")
        port = free_port()
        server = start_server(env, port, args.workers)
        jobs = [p for p in people for _ in range(2 if p["double"] else 1)]
        barrier = threading.Barrier(len(jobs))
        results: list = []
        threads = [threading.Thread(target=submit, args=(port, p, barrier, results)) for p in jobs]
        t0 = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - t0
        server.terminate()  # graceful: workers finish what they hold, then the numbers are final
        server.wait(timeout=900)
        server = None

        engine = sa.create_engine(url)
        with engine.connect() as conn:
            stored = conn.scalar(sa.text("SELECT count(*) FROM signatures"))
            duplicates = conn.scalar(
                sa.text(
                    "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM signatures "
                    "WHERE withdrawn_at IS NULL GROUP BY declaration_id, delegation_id) t"
                )
            )
        engine.dispose()
        statuses: dict = {}
        for status, _ in results:
            statuses[status] = statuses.get(status, 0) + 1
        latencies = sorted(seconds for _, seconds in results)
        server_errors = sum(n for s, n in statuses.items() if isinstance(s, int) and s >= 500)
        client_errors = sum(n for s, n in statuses.items() if not isinstance(s, int))
        verify = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "signatures", "verify", SLUG],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        print(f"requests sent:      {len(jobs)} ({args.delegations} signatories, half twice)")
        print(
            f"gunicorn workers:   {args.workers}; argon2: {'cheap' if args.cheap_hash else 'default'}"
        )
        print(f"responses:          {dict(sorted(statuses.items(), key=str))}")
        print(f"signatures stored:  {stored} (expected {args.delegations})")
        print(f"duplicates:         {duplicates}")
        print(f"server errors:      {server_errors}")
        print(f"connection errors:  {client_errors}")
        print(f"latency p50:        {statistics.median(latencies) * 1000:.0f} ms")
        print(f"latency p99:        {latencies[int(len(latencies) * 0.99) - 1] * 1000:.0f} ms")
        print(f"wall time:          {wall:.1f} s")
        verdict = (verify.stdout + verify.stderr).strip()
        print(f"verify (exit {verify.returncode}): {verdict}")
        ok = (
            stored == args.delegations
            and duplicates == 0
            and server_errors == 0
            and client_errors == 0
            and verify.returncode == 0
        )
        print("RESULT:", "PASS" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        drop_database(name)


if __name__ == "__main__":
    sys.exit(main())
