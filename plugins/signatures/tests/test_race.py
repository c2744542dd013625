"""Two submissions of the same delegation at the same moment: one signature, one clear 409."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from alliance_conf.extensions import db
from plugins.signatures.models import Signature
from plugins.signatures.operations import verify_chain
from plugins.signatures.tests.conftest import sign_payload

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
