"""Signing storm: 200 delegations sign at the same moment through the real HTTP stack.

Creates a fresh PostgreSQL database, migrates it, builds a conference with 200 state delegations
(each with a designated signatory and an API token) and a declaration opened for signature,
starts gunicorn with several workers on a loopback port, then releases every signatory at once;
half of them submit twice. Prints the signatures stored (must be 200), duplicates (0), server
errors (0), p50/p99 latency and the verdict of ``flask signatures verify``. Not part of the
test suite::

    .venv/bin/python bench/signing_storm.py [--delegations 200] [--workers 8] [--cheap-hash]
                                            [--passkeys]

``--passkeys``: every signatory also holds a passkey (a software authenticator made here with
``cryptography``), and a second declaration is signed in the same run with it (options, then
the assertion); both modes are printed side by side with the ratio passkey/password.
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
from plugins.signatures.crypto import generate_pem  # noqa: E402 - after the path is set


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


def _post(conn, path: str, body: dict, token: str):
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    conn.request("POST", path, json.dumps(body), headers)
    response = conn.getresponse()
    return response.status, response.read()


def submit_passkey(port: int, person: dict, barrier: threading.Barrier, results: list) -> None:
    """Options, then the software authenticator's assertion: the whole ceremony is timed."""
    base = f"/api/v1/declarations/{person['passkey_declaration_id']}/signatures"
    device = person["authenticator"]
    device.origin, device.rp_id = f"http://127.0.0.1:{port}", "127.0.0.1"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    barrier.wait()
    started = time.perf_counter()
    try:
        status, raw = _post(conn, f"{base}/passkey-options", {}, person["token"])
        if status == 200:
            with person["lock"]:  # one device answers one request at a time
                credential = device.get(json.loads(raw)["options"])
            status, _ = _post(
                conn,
                f"{base}/passkey",
                {"typed_name": person["name"], "credential": credential},
                person["token"],
            )
    except OSError as exc:
        status = f"error: {exc}"
    results.append((status, time.perf_counter() - started))


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


def storm(port: int, people: list[dict], target) -> tuple[list, float]:
    """Release every signatory at once (half of them twice); (status, seconds) per request."""
    jobs = [p for p in people for _ in range(2 if p["double"] else 1)]
    barrier = threading.Barrier(len(jobs))
    results: list = []
    threads = [threading.Thread(target=target, args=(port, p, barrier, results)) for p in jobs]
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - t0


def figures(url: str, declaration_id: int, results: list, wall: float) -> dict:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        stored = conn.scalar(
            sa.text("SELECT count(*) FROM signatures WHERE declaration_id = :d"),
            {"d": declaration_id},
        )
        duplicates = conn.scalar(
            sa.text(
                "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM signatures "
                "WHERE withdrawn_at IS NULL AND declaration_id = :d GROUP BY delegation_id) t"
            ),
            {"d": declaration_id},
        )
    engine.dispose()
    statuses: dict = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    latencies = sorted(seconds for _, seconds in results)
    return {
        "requests": len(results),
        "responses": dict(sorted(statuses.items(), key=str)),
        "stored": stored,
        "duplicates": duplicates,
        "server_errors": sum(n for s, n in statuses.items() if isinstance(s, int) and s >= 500),
        "connection_errors": sum(n for s, n in statuses.items() if not isinstance(s, int)),
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "wall": wall,
    }


def argon2_floor(cheap: bool, hashes: int) -> tuple[float, float]:
    """CPU milliseconds of one password check at the server's argon2 settings, measured here,
    and the least wall time ``hashes`` of them take on this machine's cores."""
    from alliance_conf.auth.models import CHEAP_HASHER, DEFAULT_HASHER

    hasher = CHEAP_HASHER if cheap else DEFAULT_HASHER
    stored = hasher.hash(PASSWORD)
    hasher.verify(stored, PASSWORD)
    start = time.process_time()
    for _ in range(10):
        hasher.verify(stored, PASSWORD)
    cpu_ms = (time.process_time() - start) * 100
    return cpu_ms, hashes * cpu_ms / 1000 / (os.cpu_count() or 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--delegations", type=int, default=200)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument(
        "--cheap-hash", action="store_true", help="cheapest argon2 profile (not production's)"
    )
    parser.add_argument(
        "--passkeys",
        action="store_true",
        help="also sign a second declaration with passkeys; both modes side by side",
    )
    args = parser.parse_args()

    name, url = create_database()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "SIGNATURES_SIGNING_KEY": generate_pem(),
        "ALLIANCE_ENV": "development",
    }
    server = None
    try:
        t0 = time.perf_counter()
        people = build(env, args.delegations, args.cheap_hash, args.passkeys)
        print(f"built {len(people)} delegations in {time.perf_counter() - t0:.1f}s")
        for person in people:
            person["lock"] = threading.Lock()
        port = free_port()
        # The address the signatories' devices see: a passkey is bound to this origin.
        env["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{port}"
        server = start_server(env, port, args.workers)
        runs = {"password": figures(url, people[0]["declaration_id"], *storm(port, people, submit))}
        if args.passkeys:
            runs["passkey"] = figures(
                url, people[0]["passkey_declaration_id"], *storm(port, people, submit_passkey)
            )
        server.terminate()  # graceful: workers finish what they hold, then the numbers are final
        server.wait(timeout=900)
        server = None
        verify = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "signatures", "verify", SLUG],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        print(f"signatories:        {args.delegations} (half of them submit twice)")
        print(
            f"gunicorn workers:   {args.workers}; argon2: {'cheap' if args.cheap_hash else 'default'}"
        )
        cpu_ms, floor = argon2_floor(args.cheap_hash, args.delegations)
        print(
            f"password floor:     one argon2 check {cpu_ms:.0f} ms CPU here; "
            f"{args.delegations} checks on {os.cpu_count()} CPUs take at least {floor:.1f} s"
        )
        modes = list(runs)
        print(f"{'':20}" + "".join(f"{m:>22}" for m in modes))
        rows = [
            ("requests sent", "requests", "{}"),
            ("signatures stored", "stored", "{}"),
            ("duplicates", "duplicates", "{}"),
            ("5xx", "server_errors", "{}"),
            ("connection errors", "connection_errors", "{}"),
            ("latency p50 (ms)", "p50", "{:.0f}"),
            ("latency p99 (ms)", "p99", "{:.0f}"),
            ("wall time (s)", "wall", "{:.1f}"),
        ]
        for label, key, fmt in rows:
            print(f"{label:20}" + "".join(f"{fmt.format(runs[m][key]):>22}" for m in modes))
        for mode in modes:
            print(f"responses {mode + ':':10}{runs[mode]['responses']}")
        if "passkey" in runs:
            p, q = runs["password"], runs["passkey"]
            print(
                f"ratio passkey/password: p50 {q['p50'] / p['p50']:.2f}, p99 "
                f"{q['p99'] / p['p99']:.2f}, wall {q['wall'] / p['wall']:.2f} (passkey times "
                "cover both requests: options and signature)"
            )
        verdict = (verify.stdout + verify.stderr).strip()
        print(f"verify (exit {verify.returncode}): {verdict}")
        ok = verify.returncode == 0 and all(
            r["stored"] == args.delegations
            and r["duplicates"] == 0
            and r["server_errors"] == 0
            and r["connection_errors"] == 0
            for r in runs.values()
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
