"""Two submissions of the same delegation at the same moment: one signature, one clear 409."""

from __future__ import annotations

import threading
import time

import sqlalchemy as sa

from alliance_conf.extensions import db
from plugins.signatures.chain import verify_chain
from plugins.signatures.models import Signature
from plugins.signatures.tests.support import sign_payload

SUBMISSIONS = 6


def _submit(app, url, headers, payload, results, barrier):
    client = app.test_client()
    barrier.wait()
    response = client.post(url, json=payload, headers=headers)
    results.append((response.status_code, response.get_json()))


def test_concurrent_double_submission(
    app, is_postgresql, declaration, head, make_signatory, api_headers
):
    """On PostgreSQL the submissions really race in threads (row lock + partial unique index);
    SQLite serialises writers, so there the same submissions run one after the other."""
    url = f"/api/v1/declarations/{declaration.id}/signatures"
    signatories = [head, make_signatory("FR"), make_signatory("DE")]
    jobs = []
    for user in signatories:
        headers, payload = api_headers(user), sign_payload(user)
        jobs += [(headers, payload)] * (SUBMISSIONS // len(signatories))
    results: list = []
    if is_postgresql:
        barrier = threading.Barrier(len(jobs))
        threads = [
            threading.Thread(target=_submit, args=(app, url, h, p, results, barrier))
            for h, p in jobs
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    else:
        barrier = threading.Barrier(1)
        for headers, payload in jobs:
            _submit(app, url, headers, payload, results, barrier)

    statuses = sorted(status for status, _ in results)
    assert statuses == [201] * 3 + [409] * 3, results
    for status, body in results:
        if status == 409:
            assert "has already signed" in body["error"]["message"]
    db.session.expire_all()
    per_delegation = db.session.execute(
        sa.select(Signature.delegation_id, sa.func.count()).group_by(Signature.delegation_id)
    ).all()
    assert len(per_delegation) == 3 and all(n == 1 for _, n in per_delegation)
    assert verify_chain(declaration).ok


def test_unique_index_backstop_gives_a_409_not_a_500(
    app, client, declaration, head, api_headers, monkeypatch
):
    """Even if the check under the lock missed the first signature, the database refuses the
    second one and the API answers 409 with nothing half-written."""
    from plugins.signatures import operations
    from plugins.signatures.models import SignatureEvent

    url = f"/api/v1/declarations/{declaration.id}/signatures"
    headers, payload = api_headers(head), sign_payload(head)
    assert client.post(url, json=payload, headers=headers).status_code == 201
    events_before = db.session.scalar(sa.select(sa.func.count(SignatureEvent.id)))
    monkeypatch.setattr(operations, "active_signature", lambda declaration, delegation_id: None)
    again = client.post(url, json=payload, headers=headers)
    assert again.status_code == 409
    assert "arrived at the same moment" in again.get_json()["error"]["message"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Signature.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(SignatureEvent.id))) == events_before
    assert verify_chain(declaration).ok


PARALLEL_GUESSES = 20


def test_parallel_wrong_passwords_record_exactly_the_limit(
    app, is_postgresql, declaration, head, api_headers, counts
):
    """Issue 12: 20 parallel wrong passwords used to record 14 failures against a limit of 5
    and answer six 500s, and their second connection starved the pool. Each attempt is now
    counted before the password is checked, under a lock on the person's row, on the
    request's own connection. On PostgreSQL the guesses really run in parallel (with an
    ordinary page fetched meanwhile); SQLite serialises writers, so there they run in turn."""
    url = f"/api/v1/declarations/{declaration.id}/signatures"
    headers = api_headers(head)
    payload = sign_payload(head, password="a wrong guess")
    limit = app.config["SIGNATURES_MAX_FAILURES"]
    results: list = []
    page_times: list[float] = []
    done = threading.Event()

    def ordinary_pages():
        client = app.test_client()
        while not done.is_set():
            started = time.perf_counter()
            assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
            page_times.append(time.perf_counter() - started)

    started = time.perf_counter()
    if is_postgresql:
        barrier = threading.Barrier(PARALLEL_GUESSES)
        threads = [
            threading.Thread(target=_submit, args=(app, url, headers, payload, results, barrier))
            for _ in range(PARALLEL_GUESSES)
        ]
        reader = threading.Thread(target=ordinary_pages)
        reader.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        done.set()
        reader.join(timeout=60)
    else:
        barrier = threading.Barrier(1)
        for _ in range(PARALLEL_GUESSES):
            _submit(app, url, headers, payload, results, barrier)
    elapsed = time.perf_counter() - started

    statuses = sorted(status for status, _ in results)
    assert len(statuses) == PARALLEL_GUESSES
    assert statuses == [403] * limit + [429] * (PARALLEL_GUESSES - limit), statuses
    assert counts()["failures"] == limit and counts()["signatures"] == 0
    slowest = max(page_times) if page_times else 0.0
    print(
        f"\n{PARALLEL_GUESSES} parallel wrong passwords ({db.engine.dialect.name}): "
        f"{statuses.count(403)} x 403, {statuses.count(429)} x 429, "
        f"{sum(s >= 500 for s in statuses)} x 5xx, {counts()['failures']} failures recorded "
        f"(limit {limit}), {elapsed:.2f} s in all; ordinary page fetched {len(page_times)} "
        f"times meanwhile, slowest {slowest * 1000:.0f} ms"
    )


def test_a_double_submission_pays_for_one_password_check(
    app, is_postgresql, declaration, head, api_headers, monkeypatch, counts
):
    """Issue 18: the second of two submissions sent at the same moment waits for the first,
    finds its signature and is answered 409 without checking the password again (an argon2
    check is the costliest step of a signature), and it is not counted as a failure. On
    SQLite, which serialises writers, the two run one after the other."""
    from alliance_conf.auth.models import User

    checks: list[int] = []
    real_check = User.check_password

    def slow_check(user, password):
        checks.append(user.id)
        time.sleep(0.3)  # without the wait, both submissions would be in here at once
        return real_check(user, password)

    monkeypatch.setattr(User, "check_password", slow_check)
    url = f"/api/v1/declarations/{declaration.id}/signatures"
    headers, payload = api_headers(head), sign_payload(head)
    results: list = []
    if is_postgresql:
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=_submit, args=(app, url, headers, payload, results, barrier))
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    else:
        for _ in range(2):
            _submit(app, url, headers, payload, results, threading.Barrier(1))
    assert sorted(status for status, _ in results) == [201, 409], results
    assert checks == [head.id]
    assert counts()["failures"] == 0 and counts()["signatures"] == 1
    assert verify_chain(declaration).ok
