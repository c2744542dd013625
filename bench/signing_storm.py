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
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alliance_conf.testing.storm import (  # noqa: E402 - after the path is set
    PASSWORD,
    SLUG,
    build,
    create_database,
    drop_database,
    free_port,
)


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
