"""Two app hosts and one job worker on one PostgreSQL and one Redis, as in production.

Two gunicorn instances (free ports, a control socket each) and one ``flask jobs worker`` share
a fresh PostgreSQL database and the test Redis (a queue of this run's own). Every signatory
submits twice at the same moment, once to each host: exactly one signature per delegation, one
clear 409 for the other submission, no server error, an intact chain. Then mail queued on one
host is delivered by the worker.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from alliance_conf.testing.fixtures import _databases, ensure_postgresql
from alliance_conf.testing.services import ensure_redis
from alliance_conf.testing.storm import PASSWORD, build, create_database, drop_database, free_port
from plugins.signatures.crypto import generate_pem

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SIGNATORIES = 12

pytestmark = pytest.mark.skipif(
    "postgresql" not in _databases(), reason="needs PostgreSQL (ALLIANCE_TEST_DATABASES)"
)


def _wait_until_up(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn on port {port} exited with {process.returncode}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
        finally:
            conn.close()
    raise AssertionError(f"gunicorn on port {port} did not start")


def _post(port: int, path: str, token: str, body: dict) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    try:
        conn.request("POST", path, json.dumps(body), headers)
        return conn.getresponse().status
    except OSError as exc:
        return f"connection error: {exc}"
    finally:
        conn.close()


@pytest.fixture
def stack(tmp_path):
    """Database, two hosts, one worker; everything stopped and dropped afterwards."""
    ensure_postgresql()
    redis_url = ensure_redis()
    name, url = create_database()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "SIGNATURES_SIGNING_KEY": generate_pem(),
        "ALLIANCE_ENV": "development",
        "JOBS_REDIS_URL": redis_url,
        "JOBS_QUEUE": f"alliance-test-{uuid.uuid4().hex}",
        "RATELIMIT_STORAGE_URI": redis_url,
        "RATELIMIT_ENABLED": "false",
    }
    processes: list[subprocess.Popen] = []
    logs = []
    try:
        people = build(env, SIGNATORIES, cheap=True)
        ports = [free_port(), free_port()]
        for n, port in enumerate(ports):
            log = open(tmp_path / f"host{n}.log", "w")  # noqa: SIM115 - closed below
            logs.append(log)
            processes.append(
                subprocess.Popen(
                    [
                        str(BIN / "gunicorn"),
                        "--workers", "2",
                        "--bind", f"127.0.0.1:{port}",
                        # one control socket per instance: the default path is shared per user
                        "--control-socket", str(tmp_path / f"gunicorn-{port}.ctl"),
                        "wsgi:app",
                    ],
                    cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                )
            )  # fmt: skip
        worker_log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed below
        logs.append(worker_log)
        processes.append(
            subprocess.Popen(
                [str(BIN / "flask"), "--app", "wsgi", "jobs", "worker"],
                cwd=ROOT, env=env, stdout=worker_log, stderr=subprocess.STDOUT,
            )
        )  # fmt: skip
        for port, process in zip(ports, processes, strict=False):
            _wait_until_up(port, process)
        yield {"url": url, "ports": ports, "people": people, "env": env, "logs": tmp_path}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs:
            log.close()
        drop_database(name)


def test_a_signing_storm_across_two_hosts_and_a_worker(stack):
    people, ports = stack["people"], stack["ports"]
    path = f"/api/v1/declarations/{people[0]['declaration_id']}/signatures"
    jobs = [(port, person) for person in people for port in ports]  # each signs on both hosts
    barrier = threading.Barrier(len(jobs))
    results: list = []

    def submit(port, person):
        barrier.wait()
        body = {"password": PASSWORD, "typed_name": person["name"]}
        results.append(_post(port, path, person["token"], body))

    threads = [threading.Thread(target=submit, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert sorted(results, key=str) == [201] * SIGNATORIES + [409] * SIGNATORIES, results

    engine = sa.create_engine(stack["url"])
    try:
        with engine.connect() as conn:
            per_delegation = conn.execute(
                sa.text(
                    "SELECT delegation_id, count(*) FROM signatures WHERE withdrawn_at IS NULL "
                    "GROUP BY delegation_id"
                )
            ).all()
            assert len(per_delegation) == SIGNATORIES
            assert all(n == 1 for _, n in per_delegation)
        verify = subprocess.run(
            [str(BIN / "flask"), "--app", "wsgi", "signatures", "verify", "signing-storm"],
            cwd=ROOT,
            env=stack["env"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert verify.returncode == 0, verify.stdout + verify.stderr

        # Mail queued by a request on host B is delivered by the worker, not by the host.
        person = people[0]
        code_path = f"/api/v1/declarations/{person['declaration_id']}/signing-code"
        assert _post(ports[1], code_path, person["token"], {}) == 202
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                status = conn.scalar(
                    sa.text("SELECT status FROM mail_messages WHERE confidential")  # the code
                )
            if status == "printed":  # MAIL_SERVER is unset: the worker printed it
                break
            time.sleep(0.2)
        assert status == "printed"
        worker_output = (stack["logs"] / "worker.log").read_text()
        assert "Your one-time signing code" in worker_output  # printed by the worker
        host_output = (stack["logs"] / "host1.log").read_text()
        assert "Your one-time signing code" not in host_output
    finally:
        engine.dispose()
