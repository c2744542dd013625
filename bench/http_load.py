"""Load over real HTTP: the app under gunicorn beside a bare Flask "hello" (not in the tests).

Builds the COP-sized conference on a fresh PostgreSQL database with ``registration_scale.py``'s
builder (100,000 registrations by default) plus three declarations signed by 10, 200 and 1,000
delegations (public verification must stay flat), starts gunicorn
(4 workers) on the app and, with the same settings, on ``bench/hello_app.py``; then drives each
request with wrk (16 connections, 2 threads, a fixed time) and prints req/s, p50/p99 and the share
of the hello ceiling, all measured in the same run. wrk comes from Debian (``apt-get install
wrk``; the bench installs it when it runs as root and it is missing)::

    .venv/bin/python bench/http_load.py [--registrations 100000] [--seconds 10] [--workers 4]

Rate limits are off for the run (``RATELIMIT_ENABLED=false``): the load comes from one address.
On a shared machine the absolute figures are noisy; the ratios to the ceiling, measured in the
same minute, are the figures to compare.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import registration_scale as scale  # noqa: E402 - after the path is set

from alliance_conf.testing.storm import (  # noqa: E402
    create_database,
    drop_database,
    free_port,
)
from plugins.signatures.crypto import generate_pem  # noqa: E402 - after the path is set

SIGNATURES = (10, 200, 1000)  # one declaration each: public verification stays flat
CONNECTIONS = 16


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (Debian package)...")
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, capture_output=True)
        found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is needed: apt-get install wrk")
    return found


def add_signatures(app, count: int) -> tuple[str, int]:
    """A declaration opened for signature and signed (or supported) by the heads of ``count``
    delegations, states first; returns the verification code of the first signature in the
    chain (public verification must not grow with the links after it) and how many signed."""
    from alliance_conf.auth.models import password_hasher
    from alliance_conf.conferences.models import Conference
    from alliance_conf.core.db import utcnow
    from alliance_conf.declarations.operations import create_declaration
    from alliance_conf.declarations.transitions import transition
    from alliance_conf.delegations.models import Delegation, DelegationKind
    from alliance_conf.extensions import db
    from alliance_conf.registrations.models import (
        DelegateFunction,
        Registration,
        RegistrationStatus,
    )
    from plugins.signatures.operations import sign_declaration

    with app.app_context():
        conference = db.session.scalar(sa.select(Conference).where(Conference.slug == scale.SLUG))
        declaration = create_declaration(
            conference,
            title=f"Load declaration ({count} signatures)",
            content={
                "preamble": [{"key": "p-1", "text": "We, the parties,"}],
                "commitments": [
                    {"key": f"k-{n}", "title": f"Commitment {n}", "text": f"We commit to {n}."}
                    for n in range(1, 6)
                ],
                "closing": [],
            },
            actor=None,
        )
        transition(declaration, "consultation", actor=None)
        transition(declaration, "open", actor=None)
        heads = db.session.scalars(
            sa.select(Registration)
            .join(Delegation, Delegation.id == Registration.delegation_id)
            .where(
                Registration.conference_id == conference.id,
                Registration.function == DelegateFunction.head_of_delegation,
                Delegation.kind == DelegationKind.state,
            )
            .order_by(Registration.id)
            .limit(count)
        ).all()
        if len(heads) < count:  # then organisations: the first delegate of each heads it
            first_of_each = (
                sa.select(sa.func.min(Registration.id))
                .join(Delegation, Delegation.id == Registration.delegation_id)
                .where(
                    Registration.conference_id == conference.id,
                    Delegation.kind == DelegationKind.organisation,
                )
                .group_by(Registration.delegation_id)
                .order_by(sa.func.min(Registration.id))
                .limit(count - len(heads))
            )
            for registration in db.session.scalars(
                sa.select(Registration).where(Registration.id.in_(first_of_each))
            ):
                registration.function = DelegateFunction.head_of_delegation
                heads.append(registration)
        password_hash = password_hasher().hash(scale.PASSWORD)
        for registration in heads:
            registration.status = RegistrationStatus.approved
            registration.is_signatory = True
            registration.signatory_designated_at = utcnow()
            registration.user.password_hash = password_hash
        db.session.commit()
        code = None
        for registration in heads:
            signature = sign_declaration(
                declaration,
                actor=registration.user,
                password=scale.PASSWORD,
                typed_name=registration.user.full_name,
            )
            db.session.commit()
            code = code or signature.verification_code
        print(f"  signed by {len(heads)} delegations")
        return code, len(heads)


def deep_cursor(app, rows_before: int, sort: str = "name") -> str:
    """The cursor after row ``rows_before`` of the list (what following Next links gives)."""
    from alliance_conf.conferences.models import Conference
    from alliance_conf.extensions import db
    from alliance_conf.participants import queries

    with app.app_context():
        conference = db.session.scalar(sa.select(Conference).where(Conference.slug == scale.SLUG))
        filters = queries.ParticipantFilters(sort=sort).check()
        keys = queries._key_statement(conference, queries.Scope(), filters)
        row = db.session.execute(
            keys.order_by(*queries._order(filters)).offset(rows_before - 1).limit(1)
        ).one()
        return queries._encode_cursor(sort, list(row)[1:])


def start_gunicorn(module: str, port: int, workers: int, env: dict, cwd: Path, tmp: Path):
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--workers", str(workers),
            "--bind", f"127.0.0.1:{port}",
            "--backlog", "2048",
            "--control-socket", str(tmp / f"gunicorn-{port}.ctl"),
            "--log-level", "warning",
            module,
        ],
        cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/")
            conn.getresponse().read()
            return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit(f"gunicorn {module} did not start")


def worker_rss_mb(process: subprocess.Popen) -> list[float]:
    result = subprocess.run(
        ["ps", "-o", "rss=", "--ppid", str(process.pid)], capture_output=True, text=True
    )
    return sorted(int(v) / 1024 for v in result.stdout.split())


def sign_in_cookie(port: int, email: str, password: str) -> str:
    """A real sign-in through the form (CSRF token included); the session cookie."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/auth/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    body = urlencode({"csrf_token": token, "email": email, "password": password})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    conn.request("POST", "/auth/login", body, headers)
    response = conn.getresponse()
    response.read()
    assert response.status == 302, response.status
    return response.getheader("Set-Cookie").split(";")[0]


def api_token(port: int, email: str, password: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = json.dumps({"email": email, "password": password})
    conn.request("POST", "/api/v1/auth/tokens", body, {"Content-Type": "application/json"})
    return json.loads(conn.getresponse().read())["token"]


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_wrk(wrk: str, url: str, seconds: int, headers: dict) -> dict:
    command = [wrk, "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))

    def latency(p: str) -> float:
        value, unit = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        return float(value) * UNITS[unit]

    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return {
        "rate": rate,
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
    }


def check(port: int, path: str, headers: dict) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    assert response.status == 200, (path, response.status)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registrations", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per request")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)
    wrk = ensure_wrk()

    from alliance_conf import create_app

    name, url = create_database()
    tmp = Path(tempfile.mkdtemp(prefix="alliance-http-load-"))
    servers: list[subprocess.Popen] = []
    try:
        print(f"building {args.registrations:,} registrations on PostgreSQL...")
        signing_key = generate_pem()  # the builder and the server sign and check with one key
        app = create_app(
            {**scale.build_config(url), "SIGNATURES_SIGNING_KEY": signing_key},
            instance_path=str(tmp),
        )
        email = scale.build(app, "postgresql", args.registrations, tmp)
        codes = dict(add_signatures(app, count) for count in SIGNATURES)
        cursor_500 = deep_cursor(app, min(499 * 50, args.registrations // 2))
        from alliance_conf.extensions import db

        with app.app_context():
            db.engine.dispose()

        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "SIGNATURES_SIGNING_KEY": signing_key,
            "ALLIANCE_ENV": "development",
            "RATELIMIT_ENABLED": "false",
        }
        app_port, hello_port = free_port(), free_port()
        hello = start_gunicorn("hello_app:app", hello_port, args.workers, env, ROOT / "bench", tmp)
        servers.append(hello)
        server = start_gunicorn("wsgi:app", app_port, args.workers, env, ROOT, tmp)
        servers.append(server)
        cookie = {"Cookie": sign_in_cookie(app_port, email, scale.PASSWORD)}
        bearer = {"Authorization": f"Bearer {api_token(app_port, email, scale.PASSWORD)}"}
        base = f"/conferences/{scale.SLUG}"
        api = f"/api/v1/conferences/{scale.SLUG}"
        targets = [
            ("bare Flask hello (ceiling)", hello_port, "/", {}),
            ("bare Flask + one PostgreSQL query (floor)", hello_port, "/query", {}),
            ("bare Flask + 50 rows as JSON (floor)", hello_port, "/rows", {}),
            ("app: GET /healthz (its stack + one query)", app_port, "/healthz", {}),
            ("GET /api/v1/conferences/<slug>/delegations", app_port, f"{api}/delegations", bearer),
            ("participant list page 1 (signed in)", app_port, f"{base}/participants", cookie),
            (
                "participant list page 500 (cursor)",
                app_port,
                f"{base}/participants?page=500&after={cursor_500}",
                cookie,
            ),
            (
                "participant list by delegation, page 1",
                app_port,
                f"{base}/participants?sort=delegation",
                cookie,
            ),
            ("registrations API page 1", app_port, f"{api}/registrations", bearer),
            (
                "registrations API page 500 (cursor)",
                app_port,
                f"{api}/registrations?after={cursor_500}",
                bearer,
            ),
            (
                "registrations API page=500 (OFFSET, old)",
                app_port,
                f"{api}/registrations?page=500",
                bearer,
            ),
            ("dashboard (organiser)", app_port, f"{base}/dashboard", cookie),
            *[
                (
                    f"public /api/v1/verify/<code> ({count:,} signatures)",
                    app_port,
                    f"/api/v1/verify/{code}",
                    {},
                )
                for code, count in codes.items()
            ],
        ]
        for _, port, path, headers in targets:
            check(port, path, headers)  # warm every worker's caches once, and fail early
        rss_start = worker_rss_mb(server)
        results = []
        for label, port, path, headers in targets:
            figures = run_wrk(wrk, f"http://127.0.0.1:{port}{path}", args.seconds, headers)
            results.append((label, figures))
            print(
                f"  {label}: {figures['rate']:.0f} req/s, p50 {figures['p50']:.1f} ms, "
                f"p99 {figures['p99']:.1f} ms"
            )
        rss_end = worker_rss_mb(server)
        ceiling = results[0][1]["rate"]
        load = os.getloadavg()[0]
        print()
        print(
            f"gunicorn {args.workers} workers (sync), wrk {CONNECTIONS} connections x "
            f"{args.seconds} s each, PostgreSQL, {args.registrations:,} registrations; "
            f"load average {load:.1f} on {os.cpu_count()} CPUs (shared machine: compare ratios)"
        )
        print("| request | req/s | p50 / p99 | share of the ceiling |\n|---|---|---|---|")
        for label, figures in results:
            share = "1" if figures is results[0][1] else f"1/{ceiling / figures['rate']:.1f}"
            errors = f" ({figures['errors']} non-2xx)" if figures["errors"] else ""
            print(
                f"| {label} | {figures['rate']:,.0f}{errors} | {figures['p50']:.1f} / "
                f"{figures['p99']:.1f} ms | {share} |"
            )
        print(
            f"app worker memory (RSS, MB): at start {', '.join(f'{v:.0f}' for v in rss_start)}; "
            f"after load {', '.join(f'{v:.0f}' for v in rss_end)}"
        )
        return 0 if all(figures["errors"] == 0 for _, figures in results) else 1
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=60)
        drop_database(name)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
