"""COP-scale benchmark of delegations and registration (not part of the test suite).

Builds a conference the size of COP28 through the project's own bulk paths (the
``flask delegations import`` and ``flask participants import`` commands): 200 state delegations
with real ISO 3166-1 codes, 2,350 observer organisations and 100,000 registrations, one
delegation of 4,500. Then it times, through the Flask test client signed in as an organiser,
the participant list (first page, a filtered page, a search, page 500), the dashboard, the
registrations API, and the CSV export of every registration.

    .venv/bin/python bench/registration_scale.py [--db sqlite|postgresql|both]
                                                 [--registrations N] [--requests 30]

PostgreSQL: a database is created for the run and dropped at the end
(``ALLIANCE_BENCH_PG_URL``, default postgresql+psycopg://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pycountry
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alliance_conf import create_app
from alliance_conf.extensions import db

PG_ADMIN_URL = os.environ.get(
    "ALLIANCE_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SLUG = "cop-bench"
PASSWORD = "benchmark password 123"
STATES = 200
ORGANISATIONS = 2350
BIG_DELEGATION = ("AE", 4500)
TARGET_PAGE_MS = 100
TARGET_DASHBOARD_MS = 50  # issue 18: dashboard p95 at 100,000 registrations, both databases
TARGET_EXPORT_S = 5

FIRST_NAMES = (
    "Amina Ana Carlos Chen David Elena Fatima Hiro Ines Jamal Jean Karin Lars Leila Maria "
    "Mateo Mei Nadia Olga Omar Pablo Priya Rahul Sara Sofia Tariq Tomas Yara Yusuf Zanele"
)
LAST_NAMES = (
    "Abdullah Becker Costa Dubois Eriksen Fernandes Garcia Haddad Ivanova Jensen Kim Kowalski "
    "Lindqvist Mensah Nakamura Novak Okafor Petrov Quispe Rossi Santos Schmidt Silva Tanaka "
    "Umarov Van-Dijk Wang Xu Yilmaz Zhang"
)
FIRST, LAST = FIRST_NAMES.split(" "), LAST_NAMES.split(" ")
FUNCTIONS = ["minister", "senior_official", "adviser", "adviser", "adviser", "press", "other"]


def build_config(url: str) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "bench-secret-key-" + "x" * 32,
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_CHEAP": True,
        "SERVER_NAME": "localhost",
        "MAIL_SERVER": None,
        "IMPORT_MAX_BYTES": 64 * 1024 * 1024,
    }


def delegations_csv() -> tuple[str, list[str], list[str]]:
    codes = [c.alpha_2 for c in pycountry.countries]
    big = BIG_DELEGATION[0]
    codes = [big, *[c for c in sorted(codes) if c != big][: STATES - 1]]
    organisations = [f"Observer Organisation {n:04d}" for n in range(1, ORGANISATIONS + 1)]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["country_code", "organisation_name", "group", "contact_email", "delegate_quota"]
    )
    for code in codes:
        quota = 5000 if code == big else ""
        writer.writerow([code, "", "party", f"protocol@{code.lower()}.example.org", quota])
    for n, name in enumerate(organisations, 1):
        writer.writerow(["", name, "observer", f"contact{n}@observers.example.org", ""])
    return out.getvalue(), codes, organisations


def participants_csv(total: int, codes: list[str], organisations: list[str]) -> str:
    rng = random.Random(28)  # reproducible test data
    big_code, big_size = BIG_DELEGATION
    big_size = min(big_size, total)
    rest = total - big_size
    to_states = rest * 6 // 10
    keys = [big_code] * big_size
    others = codes[1:]
    keys += [others[i % len(others)] for i in range(to_states)]
    keys += [organisations[i % len(organisations)] for i in range(rest - to_states)]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "delegation",
            "email",
            "full_name",
            "position",
            "organisation",
            "function",
            "status",
            "consent",
        ]
    )
    heads: set[str] = set()
    for n, key in enumerate(keys, 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        if len(key) == 2 and key not in heads:
            heads.add(key)
            function = "head_of_delegation"
        else:
            function = rng.choice(FUNCTIONS)
        status = "approved" if rng.random() < 0.85 else "pending"
        consent = "yes" if rng.random() < 0.9 else "no"
        writer.writerow(
            [
                key,
                f"{first}.{last}.{n}@delegates.example.org".replace(" ", "").lower(),
                f"{first} {last} {n}",
                rng.choice(["Minister", "Director", "Adviser", "Counsellor", "Attaché"]),
                "Ministry of Environment" if len(key) == 2 else key,
                function,
                status,
                consent,
            ]
        )
    return out.getvalue()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


CPU_TIMES: list[float] = []
GC_FREEZE = True


def time_requests(client, url: str, n: int) -> tuple[list[float], int]:
    """Wall-clock milliseconds of ``n`` requests (after a warm-up); the median CPU time this
    process spent on them goes to ``CPU_TIMES`` (on SQLite that includes the database work,
    and it does not depend on what else the machine is running)."""
    client.get(url)  # warm-up
    times = []
    cpu = []
    size = 0
    for _ in range(n):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        body = response.get_data()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code, body[:300])
        size = len(body)
    CPU_TIMES.append(statistics.median(cpu))
    return times, size


def build(app, kind: str, registrations: int, work: Path, results: list | None = None) -> str:
    """The COP-sized conference through the two CSV imports, then ANALYZE; returns the
    organiser's e-mail (password ``PASSWORD``). Also used by ``bench/http_load.py``."""
    from alliance_conf.auth.operations import create_user
    from alliance_conf.conferences.operations import create_conference
    from alliance_conf.testing.fixtures import migrate_to_heads

    results = results if results is not None else []
    migrate_to_heads(app)
    with app.app_context():
        organiser = create_user(
            email="organiser@bench.example.org",
            full_name="Bench Organiser",
            password=PASSWORD,
            role="organiser",
        )
        create_conference(
            slug=SLUG,
            title="COP-scale benchmark",
            city="Dubai",
            start_date=date(2030, 11, 30),
            end_date=date(2030, 12, 12),
            timezone="Asia/Dubai",
            groups={"party": "Party", "observer": "Observer organisation"},
            actor=organiser,
        )
        db.session.commit()
        organiser_email = organiser.email

    delegations_text, codes, organisations = delegations_csv()
    (work / "delegations.csv").write_text(delegations_text, encoding="utf-8")
    people = participants_csv(registrations, codes, organisations)
    (work / "participants.csv").write_text(people, encoding="utf-8")
    runner = app.test_cli_runner()

    start = time.perf_counter()
    result = runner.invoke(
        args=["delegations", "import", str(work / "delegations.csv"), "--conference", SLUG]
    )
    delegation_seconds = time.perf_counter() - start
    assert result.exit_code == 0, result.output
    print(f"  [{kind}] {result.output.strip()} ({delegation_seconds:.2f} s)")
    start = time.perf_counter()
    result = runner.invoke(
        args=["participants", "import", str(work / "participants.csv"), "--conference", SLUG]
    )
    participant_seconds = time.perf_counter() - start
    assert result.exit_code == 0, result.output
    print(f"  [{kind}] {result.output.strip()} ({participant_seconds:.2f} s)")
    start = time.perf_counter()
    with (
        app.app_context(),
        db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn,
    ):
        conn.execute(sa.text("VACUUM ANALYZE" if kind == "postgresql" else "ANALYZE"))
    analyse_seconds = time.perf_counter() - start
    results.append((kind, "build: import 2,550 delegations", delegation_seconds * 1000, None, None))
    results.append(
        (
            kind,
            f"build: import {registrations:,} registrations",
            participant_seconds * 1000,
            None,
            None,
        )
    )
    results.append((kind, "build: ANALYZE", analyse_seconds * 1000, None, None))
    return organiser_email


def run(kind: str, url: str, registrations: int, requests: int) -> list[tuple]:
    instance = tempfile.mkdtemp(prefix="alliance-bench-")
    app = create_app(build_config(url), instance_path=instance)
    results = []
    try:
        organiser_email = build(app, kind, registrations, Path(instance), results)
        if GC_FREEZE:  # as wsgi.py does after start-up: full collections skip what is frozen
            gc.collect()
            gc.freeze()
        client = app.test_client()
        response = client.post("/auth/login", data={"email": organiser_email, "password": PASSWORD})
        assert response.status_code == 302, response.status_code
        base = f"/conferences/{SLUG}"
        pages = [
            ("list: first page", f"{base}/participants"),
            (
                "list: filtered (approved, observer)",
                f"{base}/participants?status=approved&group=observer",
            ),
            ("list: filtered (delegation AE, adviser)", None),
            ("list: search 'okafor'", f"{base}/participants?q=okafor"),
            ("list: search by e-mail", f"{base}/participants?q=maria.silva.1"),
            ("list: page 500", f"{base}/participants?page=500"),
            ("list: sort by delegation, page 20", f"{base}/participants?sort=delegation&page=20"),
            (
                "list: sort by registered date",
                f"{base}/participants?sort=registered&direction=desc",
            ),
            ("dashboard", f"{base}/dashboard"),
            ("delegations page", f"/conferences/{SLUG}/delegations"),
        ]
        with app.app_context():
            big_id = db.session.scalar(
                sa.text("SELECT id FROM delegations WHERE country_code = :c"),
                {"c": BIG_DELEGATION[0]},
            )
        pages[2] = (pages[2][0], f"{base}/participants?delegation_id={big_id}&function=adviser")
        for label, page_url in pages:
            times, _ = time_requests(client, page_url, requests)
            results.append(
                (kind, label, statistics.median(times), percentile(times, 95), CPU_TIMES[-1])
            )
            print(
                f"  [{kind}] {label}: p50 {results[-1][2]:.1f} ms, p95 {results[-1][3]:.1f} ms, "
                f"cpu {results[-1][4]:.1f} ms"
            )

        token = client.post(
            "/api/v1/auth/tokens", json={"email": organiser_email, "password": PASSWORD}
        ).get_json()["token"]
        api_client = app.test_client()
        api_client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        for label, api_url in [
            ("API: registrations first page", f"/api/v1/conferences/{SLUG}/registrations"),
            ("API: registrations page 500", f"/api/v1/conferences/{SLUG}/registrations?page=500"),
            ("API: dashboard", f"/api/v1/conferences/{SLUG}/dashboard"),
        ]:
            times, _ = time_requests(api_client, api_url, requests)
            results.append(
                (kind, label, statistics.median(times), percentile(times, 95), CPU_TIMES[-1])
            )
            print(
                f"  [{kind}] {label}: p50 {results[-1][2]:.1f} ms, p95 {results[-1][3]:.1f} ms, "
                f"cpu {results[-1][4]:.1f} ms"
            )

        export_times = []
        export_cpu = []
        for _ in range(3):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(f"{base}/participants/export.csv?list=full")
            lines = sum(chunk.count(b"\n") for chunk in response.response)
            export_times.append(time.perf_counter() - start)
            export_cpu.append(time.process_time() - start_cpu)
            assert response.status_code == 200
        assert lines == registrations + 1, lines
        results.append(
            (
                kind,
                f"CSV export of all {registrations:,} (s)",
                statistics.median(export_times),
                max(export_times),
                statistics.median(export_cpu),
            )
        )
        print(
            f"  [{kind}] CSV export of {lines - 1:,} rows: median {statistics.median(export_times):.2f} s"
        )
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        shutil.rmtree(instance, ignore_errors=True)
    return results


def run_postgresql(registrations: int, requests: int) -> list[tuple]:
    name = f"alliance_bench_{os.getpid()}_{secrets.token_hex(3)}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
        return run("postgresql", url, registrations, requests)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run_sqlite(registrations: int, requests: int) -> list[tuple]:
    folder = tempfile.mkdtemp(prefix="alliance-bench-sqlite-")
    try:
        return run("sqlite", f"sqlite:///{folder}/bench.db", registrations, requests)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--registrations", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument(
        "--no-gc-freeze",
        action="store_true",
        help="leave the build's objects to the garbage collector (wsgi.py freezes them)",
    )
    args = parser.parse_args(argv)
    global GC_FREEZE
    GC_FREEZE = not args.no_gc_freeze
    if args.registrations < BIG_DELEGATION[1]:
        parser.error(f"--registrations must be at least {BIG_DELEGATION[1]}")
    results = []
    if args.db in ("sqlite", "both"):
        results += run_sqlite(args.registrations, args.requests)
    if args.db in ("postgresql", "both"):
        results += run_postgresql(args.registrations, args.requests)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print()
    print(
        f"load average at the end: {load:.1f} on {os.cpu_count()} CPUs; gc.freeze() after the build: {GC_FREEZE}"
    )
    print(f"{'database':<11} {'measure':<42} {'p50':>10} {'p95/max':>10} {'cpu p50':>9}  target")
    failed = False
    for kind, label, p50, p95, cpu in results:
        if label.startswith("build"):
            print(f"{kind:<11} {label:<42} {p50 / 1000:>8.2f} s")
            continue
        if label.startswith("CSV export"):
            ok = p50 < TARGET_EXPORT_S
            print(
                f"{kind:<11} {label:<42} {p50:>8.2f} s {p95:>8.2f} s {cpu:>7.2f} s  "
                f"<{TARGET_EXPORT_S} s {'ok' if ok else 'MISSED'}"
            )
        else:
            target = TARGET_DASHBOARD_MS if "dashboard" in label else TARGET_PAGE_MS
            ok = p95 < target
            print(
                f"{kind:<11} {label:<42} {p50:>7.1f} ms {p95:>7.1f} ms {cpu:>6.1f} ms  "
                f"p95<{target} ms {'ok' if ok else 'MISSED'}"
            )
        failed = failed or not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
