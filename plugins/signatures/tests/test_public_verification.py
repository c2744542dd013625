"""Public verification by code: constant work per request, still catches tampering, cacheable,
rate-limited."""

from __future__ import annotations

import sqlalchemy as sa

from alliance_conf.extensions import db
from alliance_conf.testing.fixtures import TEST_PASSWORD
from plugins.signatures import crypto, operations
from plugins.signatures.models import SignatureEvent


def _sign(declaration, user):
    signature = operations.sign_declaration(
        declaration, actor=user, password=TEST_PASSWORD, typed_name=user.full_name
    )
    db.session.commit()
    return signature


class _Work:
    """Counts SQL statements and Ed25519 checks while active."""

    def __init__(self, monkeypatch):
        self.statements = 0
        self.ed25519 = 0
        real_verify = crypto.verify

        def counting_verify(*args, **kwargs):
            self.ed25519 += 1
            return real_verify(*args, **kwargs)

        monkeypatch.setattr(crypto, "verify", counting_verify)

    def _count(self, *args):
        self.statements += 1

    def __enter__(self):
        sa.event.listen(db.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        sa.event.remove(db.engine, "before_cursor_execute", self._count)


def _measure(client, code, monkeypatch) -> tuple[int, int]:
    assert client.get(f"/api/v1/verify/{code}").get_json()["valid"]  # new links checked once
    db.session.expire_all()
    with _Work(monkeypatch) as work:
        body = client.get(f"/api/v1/verify/{code}").get_json()
    assert body["valid"] is True
    return work.statements, work.ed25519


def test_verifying_one_signature_does_not_grow_with_the_chain(
    app, client, declaration, head, make_signatory, monkeypatch
):
    belgium = _sign(declaration, head)
    _sign(declaration, make_signatory("FR"))
    small = _measure(client, belgium.verification_code, monkeypatch)
    for code in ("DE", "NL", "LU", "PT", "ES", "IT"):
        _sign(declaration, make_signatory(code))
    large = _measure(client, belgium.verification_code, monkeypatch)
    assert large == small
    assert small[1] <= 2  # its own link and its receipt


def test_public_verification_still_catches_an_altered_link(
    app, client, declaration, head, make_signatory
):
    belgium = _sign(declaration, head)
    france = _sign(declaration, make_signatory("FR"))
    assert client.get(f"/api/v1/verify/{belgium.verification_code}").get_json()["valid"]
    with db.engine.begin() as conn:  # rewrite Belgium's link, hash recomputed, key unknown
        event = conn.execute(
            sa.select(SignatureEvent.id, SignatureEvent.data).where(
                SignatureEvent.signature_id == belgium.id
            )
        ).one()
        data = {**event.data, "signatory_title": "Someone else's title"}
        conn.execute(
            sa.update(SignatureEvent).where(SignatureEvent.id == event.id).values(data=data)
        )
    db.session.expire_all()
    assert client.get(f"/api/v1/verify/{belgium.verification_code}").get_json()["valid"] is False
    assert client.get(f"/api/v1/verify/{france.verification_code}").get_json()["valid"] is True


def test_public_verification_is_cacheable_with_an_etag(app, client, declaration, head):
    belgium = _sign(declaration, head)
    url = f"/api/v1/verify/{belgium.verification_code}"
    first = client.get(url)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "public, max-age=60"
    etag = first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    operations.withdraw_signature(
        belgium, actor=head, reason="Parliament review", password=TEST_PASSWORD
    )
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["active"] is False
    # Other API answers are still never cached.
    assert client.get("/api/v1/signatures/public-key").headers["Cache-Control"] == "no-store"


def test_public_verification_is_rate_limited_per_address(app, make_app, declaration, head):
    belgium = _sign(declaration, head)
    limited = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_PUBLIC_VERIFY="3 per minute",
        RATELIMIT_STORAGE_URI="memory://",
    )
    client = limited.test_client()
    code = belgium.verification_code
    answers = [
        client.get(f"/api/v1/verify/{code}").status_code,
        client.get(f"/verify/{code}").status_code,  # page and API share one allowance
        client.get(f"/api/v1/verify/{code}").status_code,
        client.get(f"/api/v1/verify/{code}").status_code,
    ]
    assert answers == [200, 200, 200, 429]
    assert client.get(f"/verify/{code}").status_code == 429
    other = client.get(f"/api/v1/verify/{code}", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert other.status_code == 200
