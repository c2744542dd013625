"""Check-in at the doors over real HTTP (not in the tests).

Builds the COP-sized conference on a fresh PostgreSQL database with ``registration_scale.py``'s
builder (100,000 registrations by default), approves them all and issues every badge (the real
``issue_missing`` operation), starts gunicorn on the app, then has staff at 10 doors scan at once
through ``POST /api/v1/conferences/<slug>/check-ins`` (one persistent connection and one staff
token per door). A share of the badges is scanned at two doors at the same moment (the delegate
who shows the badge twice, or two queues), so the race is exercised, not only the happy path.

Prints p50/p95/p99 per scan and the throughput, then checks in the database that no badge has
two arrivals and that every scan answered as it should (201 once per badge, 409
``already_checked_in`` for every repeat, nothing else)::

    .venv/bin/python bench/checkin.py [--registrations 100000] [--scans 20000] [--doors 10]
                                      [--repeat-share 0.05] [--workers 4]

Goal: p95 < 100 ms per scan. Rate limits are off for the run (one address).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import registration_scale as scale  # noqa: E402 - after the path is set
from http_load import api_token  # noqa: E402

from alliance_conf.testing.storm import create_database, drop_database, free_port  # noqa: E402

GOAL_P95_MS = 100
STAFF_EMAIL = "door{n}@bench.example.org"


def start_gunicorn(port: int, workers: int, env: dict, tmp: Path) -> subprocess.Popen:
    """The app under gunicorn; waits (up to 10 minutes on a loaded machine) for an answer."""
    log = (tmp / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--workers", str(workers),
            "--bind", f"127.0.0.1:{port}",
            "--backlog", "2048",
            "--timeout", "120",
            "--control-socket", str(tmp / f"gunicorn-{port}.ctl"),
            "--log-level", "warning",
            "wsgi:app",
        ],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log,
    )  # fmt: skip
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and process.poll() is None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return process
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise SystemExit("gunicorn did not start:\n" + (tmp / "gunicorn.log").read_text()[-3000:])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def prepare(app, doors: int) -> tuple[list[str], float, float]:
    """Approve every registration, issue every badge, create one staff account per door;
    returns every badge's QR text and the seconds the approval and the issue took."""
    from alliance_conf.auth.operations import create_user
    from alliance_conf.badges import operations
    from alliance_conf.badges.models import Badge
    from alliance_conf.conferences.models import Conference
    from alliance_conf.extensions import db
    from alliance_conf.registrations.models import Registration, RegistrationStatus

    with app.app_context():
        conference = db.session.scalar(sa.select(Conference).where(Conference.slug == scale.SLUG))
        start = time.perf_counter()
        db.session.execute(
            sa.update(Registration)
            .where(Registration.conference_id == conference.id)
            .values(status=RegistrationStatus.approved)
        )
        db.session.commit()
        approve_seconds = time.perf_counter() - start
        start = time.perf_counter()
        issued = operations.issue_missing(conference, actor=None)
        db.session.commit()
        issue_seconds = time.perf_counter() - start
        print(f"  {issued:,} badges issued in {issue_seconds:.1f} s")
        for n in range(doors):
            create_user(
                email=STAFF_EMAIL.format(n=n),
                full_name=f"Door {n}",
                password=scale.PASSWORD,
                role="staff",
            )
        db.session.commit()
        public_ids = db.session.scalars(sa.select(Badge.public_id).order_by(Badge.id)).all()
        codes = [operations.signing.sign(p) for p in public_ids]
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
        db.engine.dispose()
    return codes, approve_seconds, issue_seconds


def plan(codes: list[str], scans: int, doors: int, repeat_share: float, seed: int = 2030):
    """Each door's queue. ``repeat_share`` of the badges come to two doors at the same place
    in their queues (scanned at about the same moment); the rest once."""
    rng = random.Random(seed)
    repeats = int(scans * repeat_share)
    chosen = rng.sample(codes, scans - repeats)
    twice, once = chosen[:repeats], chosen[repeats:]
    queues: list[list[str]] = [[] for _ in range(doors)]
    for n, code in enumerate(once):
        queues[n % doors].append(code)
    for n, code in enumerate(twice):
        first, second = n % doors, (n + 1 + n // doors) % doors
        if second == first:
            second = (first + 1) % doors
        spot = rng.randrange(0, len(queues[first]) + 1)
        queues[first].insert(spot, code)
        queues[second].insert(min(spot, len(queues[second])), code)
    return queues, set(twice), len(set(chosen))


def door(port, slug, token, queue, results, barrier):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    path = f"/api/v1/conferences/{slug}/check-ins"
    barrier.wait()
    for code in queue:
        body = json.dumps({"code": code, "door": f"door-{threading.get_ident() % 1000}"})
        start = time.perf_counter()
        conn.request("POST", path, body, headers)
        response = conn.getresponse()
        data = response.read()
        elapsed = (time.perf_counter() - start) * 1000
        error = None
        if response.status != 201:
            try:
                error = json.loads(data)["error"]["code"]
            except (ValueError, KeyError):
                error = "unreadable"
        results.append((code, response.status, error, elapsed))
    conn.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registrations", type=int, default=100_000)
    parser.add_argument("--scans", type=int, default=20_000, help="badges brought to the doors")
    parser.add_argument("--doors", type=int, default=10)
    parser.add_argument("--repeat-share", type=float, default=0.05)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)

    from alliance_conf import create_app

    name, url = create_database()
    tmp = Path(tempfile.mkdtemp(prefix="alliance-checkin-"))
    server = None
    try:
        print(f"building {args.registrations:,} registrations on PostgreSQL...")
        config = scale.build_config(url)
        app = create_app(config, instance_path=str(tmp))
        scale.build(app, "postgresql", args.registrations, tmp)
        codes, approve_seconds, issue_seconds = prepare(app, args.doors)
        scans = min(args.scans, len(codes))
        queues, twice, distinct = plan(codes, scans, args.doors, args.repeat_share)

        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SECRET_KEY": config["SECRET_KEY"],  # the key the badges were signed with
            "ALLIANCE_ENV": "development",
            "RATELIMIT_ENABLED": "false",
        }
        port = free_port()
        server = start_gunicorn(port, args.workers, env, tmp)
        tokens = [
            api_token(port, STAFF_EMAIL.format(n=n), scale.PASSWORD) for n in range(args.doors)
        ]
        results: list[tuple] = []
        barrier = threading.Barrier(args.doors)
        threads = [
            threading.Thread(
                target=door, args=(port, scale.SLUG, tokens[n], queues[n], results, barrier)
            )
            for n in range(args.doors)
        ]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - start

        latencies = [r[3] for r in results]
        outcomes = Counter((status, error) for _code, status, error, _ms in results)
        recorded = Counter(code for code, status, _e, _ms in results if status == 201)
        from alliance_conf.badges.models import CheckIn
        from alliance_conf.extensions import db

        with app.app_context():
            arrivals = db.session.scalar(sa.select(sa.func.count(CheckIn.id)))
            doubles = db.session.scalar(
                sa.select(sa.func.count()).select_from(
                    sa.select(CheckIn.badge_id)
                    .group_by(CheckIn.badge_id)
                    .having(sa.func.count() > 1)
                    .subquery()
                )
            )
            db.engine.dispose()
        p50, p95, p99 = (percentile(latencies, p) for p in (50, 95, 99))
        load = os.getloadavg()[0]
        print()
        print(
            f"gunicorn {args.workers} workers (sync), PostgreSQL, {len(codes):,} badges; "
            f"{args.doors} doors scanning at once, {len(results):,} scans of {distinct:,} "
            f"badges ({len(twice):,} brought to two doors at the same moment); "
            f"load average {load:.1f} on {os.cpu_count()} CPUs"
        )
        print("| figure | value |\n|---|---|")
        print(
            f"| approve {args.registrations:,} registrations (one UPDATE) | {approve_seconds:.1f} s |"
        )
        print(f"| issue {len(codes):,} badges (`issue_missing`) | {issue_seconds:.1f} s |")
        print(f"| scans per second (all doors) | {len(results) / wall:,.0f} |")
        print(f"| per scan p50 / p95 / p99 | {p50:.1f} / {p95:.1f} / {p99:.1f} ms |")
        answers = ", ".join(
            f"{status} {error or 'recorded'}: {n:,}"
            for (status, error), n in sorted(outcomes.items(), key=str)
        )
        print(f"| answers | {answers} |")
        print(f"| arrivals recorded / distinct badges scanned | {arrivals:,} / {distinct:,} |")
        print(f"| badges with two arrivals | {doubles} |")
        ok = (
            doubles == 0
            and arrivals == distinct
            and all(n == 1 for n in recorded.values())
            and len(recorded) == distinct
            and set(outcomes) <= {(201, None), (409, "already_checked_in")}
            and outcomes[(409, "already_checked_in")] == len(twice)
        )
        verdict = "met" if p95 < GOAL_P95_MS else "NOT met"
        print(
            f"goal p95 < {GOAL_P95_MS} ms: {verdict}; one arrival per badge: {'yes' if ok else 'NO'}"
        )
        return 0 if ok else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)
        drop_database(name)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
