"""Bad input: a clear error and nothing stored, each case on its own."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from alliance_conf.core.db import utcnow
from alliance_conf.declarations.models import Declaration
from alliance_conf.extensions import db
from alliance_conf.testing.fixtures import TEST_PASSWORD
from plugins.signatures import chain, operations
from plugins.signatures.models import ReauthFailure, Signature, SigningCode
from plugins.signatures.tests.support import sign_payload


def _post(client, declaration, headers, payload):
    return client.post(
        f"/api/v1/declarations/{declaration.id}/signatures", json=payload, headers=headers
    )


def test_signing_a_text_that_is_not_open(app, client, seed, head, api_headers, counts, login):
    draft = db.session.scalar(
        sa.select(Declaration).where(Declaration.conference_id == seed.conference.id)
    )
    # A draft is not even visible to delegates; in consultation it is, but cannot be signed.
    from alliance_conf.declarations.transitions import transition

    transition(draft, "consultation", actor=None)
    db.session.commit()
    response = _post(client, draft, api_headers(head), sign_payload(head))
    assert response.status_code == 409
    assert "not open for signature" in response.get_json()["error"]["message"]
    login(head)
    page = client.get(f"/declarations/{draft.id}/sign")
    assert page.status_code == 409
    assert "not open for signature" in page.get_data(as_text=True)
    assert counts() == {"signatures": 0, "events": 0, "failures": 0}


def test_signing_for_another_delegation(
    app, client, declaration, head, delegation_of, api_headers, counts
):
    response = _post(
        client,
        declaration,
        api_headers(head),
        sign_payload(head, delegation_id=delegation_of("FR").id),
    )
    assert response.status_code == 403
    assert "only for your own delegation, Belgium" in response.get_json()["error"]["message"]
    assert counts()["signatures"] == 0


def test_a_non_signatory_cannot_sign(
    app, client, login, declaration, make_signatory, make_user, api_headers, counts
):
    adviser = make_signatory("DE", signatory=False)
    response = _post(client, declaration, api_headers(adviser), sign_payload(adviser))
    assert response.status_code == 403
    assert "full powers" in response.get_json()["error"]["message"]
    login(adviser)
    assert client.get(f"/declarations/{declaration.id}/sign").status_code == 403
    outsider = make_user("delegate")
    response = _post(client, declaration, api_headers(outsider), sign_payload(outsider))
    assert response.status_code == 403
    organiser = make_user("organiser")
    response = _post(client, declaration, api_headers(organiser), sign_payload(organiser))
    assert response.status_code == 403  # organisers do not sign for countries
    assert counts()["signatures"] == 0


def test_wrong_password_is_refused_and_counted(
    app, client, login, declaration, head, api_headers, counts
):
    response = _post(
        client, declaration, api_headers(head), sign_payload(head, password="not my password")
    )
    assert response.status_code == 403
    body = response.get_json()["error"]
    assert body["code"] == "reauthentication_failed"
    assert body["fields"]["password"] == "Wrong password."
    login(head)
    page = client.post(
        f"/declarations/{declaration.id}/sign",
        data={
            "endorsed": ["victims"],
            "password": "nope",
            "typed_name": head.full_name,
            "confirm": "y",
        },
    )
    assert page.status_code == 403
    assert "Wrong password." in page.get_data(as_text=True)
    assert counts() == {"signatures": 0, "events": 1, "failures": 2}  # events: "opened"


def test_typed_name_must_match(app, client, declaration, head, api_headers, counts):
    response = _post(
        client, declaration, api_headers(head), sign_payload(head, typed_name="H. Dubois")
    )
    assert response.status_code == 422
    # The refusal says what to type: the name on the account.
    assert head.full_name in response.get_json()["error"]["fields"]["typed_name"]
    # Case, spacing and accents do not matter: a keyboard without accents can confirm.
    ok = _post(
        client, declaration, api_headers(head), sign_payload(head, typed_name="  helene   DUBOIS ")
    )
    assert ok.status_code == 201
    assert counts()["failures"] == 0


def test_unknown_commitment_and_bad_statements(app, client, declaration, head, api_headers):
    headers = api_headers(head)
    bad = [
        {"endorsed_keys": ["victims", "no-such-key"]},
        {"endorsed_keys": []},
        {"statements": [{"kind": "statement", "text": "x", "commitment_key": "nope"}]},
        {"statements": [{"kind": "objection", "text": "x"}]},
        {"statements": [{"kind": "statement", "text": "x" * 2001}]},
    ]
    for extra in bad:
        response = _post(client, declaration, headers, sign_payload(head, **extra))
        assert response.status_code == 422, (extra, response.get_json())
    assert db.session.scalar(sa.select(sa.func.count(Signature.id))) == 0


def test_lock_after_repeated_failures(app, client, declaration, head, api_headers, counts):
    headers = api_headers(head)
    for _ in range(5):
        response = _post(client, declaration, headers, sign_payload(head, password="wrong"))
        assert response.status_code == 403
    locked = _post(client, declaration, headers, sign_payload(head))
    assert locked.status_code == 429
    assert "locked" in locked.get_json()["error"]["message"]
    assert counts()["signatures"] == 0 and counts()["failures"] == 5
    # The count lives in the database: another host (another app on the same DB) agrees.
    # After the lock period the right password works again.
    with db.engine.begin() as conn:
        conn.execute(sa.update(ReauthFailure).values(created_at=utcnow() - timedelta(minutes=31)))
    assert _post(client, declaration, headers, sign_payload(head)).status_code == 201


def test_lock_is_shared_across_hosts(app, make_app, declaration, head, api_headers):
    headers = api_headers(head)
    first, second = app.test_client(), make_app().test_client()
    for n in range(5):
        host = first if n % 2 else second
        assert _post(host, declaration, headers, sign_payload(head, password="x")).status_code == (
            403
        )
    assert _post(first, declaration, headers, sign_payload(head)).status_code == 429
    assert _post(second, declaration, headers, sign_payload(head)).status_code == 429


def test_email_code_is_required_when_configured(
    app, make_app, declaration, head, api_headers, monkeypatch, counts
):
    sent = []
    monkeypatch.setattr(
        "plugins.signatures.mail.send_mail", lambda to, subject, body: sent.append((to, body))
    )
    strict = make_app(SIGNATURES_REQUIRE_EMAIL_CODE=True)
    client = strict.test_client()
    headers = api_headers(head)
    without = _post(client, declaration, headers, sign_payload(head))
    assert without.status_code == 403
    assert without.get_json()["error"]["fields"]["code"]
    response = client.post(f"/api/v1/declarations/{declaration.id}/signing-code", headers=headers)
    assert response.status_code == 202
    ((to, body),) = sent
    assert to == head.email
    code = body.split(" is ")[1][:6]
    wrong = "000000" if code != "000000" else "111111"
    assert _post(client, declaration, headers, sign_payload(head, code=wrong)).status_code == 403
    assert counts()["signatures"] == 0 and counts()["failures"] == 2
    signed = _post(client, declaration, headers, sign_payload(head, code=code))
    assert signed.status_code == 201, signed.get_json()
    assert signed.get_json()["auth_method"] == "password+email_code"


def test_code_is_single_use(app, make_app, declaration, head, api_headers, monkeypatch):
    sent = []
    monkeypatch.setattr("plugins.signatures.mail.send_mail", lambda *a: sent.append(a[2]))
    client = make_app(SIGNATURES_REQUIRE_EMAIL_CODE=True).test_client()
    headers = api_headers(head)
    client.post(f"/api/v1/declarations/{declaration.id}/signing-code", headers=headers)
    code = sent[0].split(" is ")[1][:6]
    created = _post(client, declaration, headers, sign_payload(head, code=code))
    assert created.status_code == 201
    url = f"/api/v1/signatures/{created.get_json()['id']}"
    # Withdrawing needs the same step-up: the password and a fresh code.
    body = {"reason": "x", "password": TEST_PASSWORD}
    assert client.delete(url, json={**body, "code": code}, headers=headers).status_code == 403
    db.session.execute(sa.update(SigningCode).values(created_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    client.post(f"/api/v1/declarations/{declaration.id}/signing-code", headers=headers)
    fresh = sent[1].split(" is ")[1][:6]
    withdrawn = client.delete(url, json={**body, "code": fresh}, headers=headers)
    assert withdrawn.status_code == 200
    reused = _post(client, declaration, headers, sign_payload(head, code=code))
    assert reused.status_code == 403


def test_forged_and_altered_receipts_are_detected(
    app, client, declaration, head, api_headers, make_signatory
):
    headers = api_headers(head)
    created = _post(client, declaration, headers, sign_payload(head)).get_json()
    receipt = created["receipt"]
    check = client.post("/api/v1/signatures/receipts/check", json=receipt)
    assert check.status_code == 200
    assert check.get_json()["valid"] is True and check.get_json()["active"] is True

    altered = {**receipt, "receipt": {**receipt["receipt"], "endorses_all": False}}
    result = client.post("/api/v1/signatures/receipts/check", json=altered).get_json()
    assert result["valid"] is False and "altered or forged" in result["message"]

    # Forged: signed with another key (same shape, made-up content).
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from plugins.signatures.crypto import canonical_json

    fake = {**receipt["receipt"], "delegation_name": "Atlantis"}
    forged = {
        **receipt,
        "receipt": fake,
        "signature": __import__("base64")
        .b64encode(Ed25519PrivateKey.generate().sign(canonical_json(fake)))
        .decode(),
    }
    result = client.post("/api/v1/signatures/receipts/check", json=forged).get_json()
    assert result["valid"] is False

    # The web form says the same.
    import json

    page = client.post("/signatures/check-receipt", data={"receipt": json.dumps(altered)})
    assert page.status_code == 422 and "altered or forged" in page.get_data(as_text=True)
    page = client.post("/signatures/check-receipt", data={"receipt": json.dumps(receipt)})
    assert page.status_code == 200 and "Genuine receipt" in page.get_data(as_text=True)
    page = client.post("/signatures/check-receipt", data={"receipt": "{not json"})
    assert page.status_code == 422


def test_unknown_verification_code(app, client, declaration):
    page = client.get("/verify/ABCDE-FGHIJ")
    assert page.status_code == 404
    assert "No signature has this verification code" in page.get_data(as_text=True)
    assert client.get("/verify/<script>").status_code == 404
    api = client.get("/api/v1/verify/ABCDE-FGHIJ")
    assert api.status_code == 404
    assert api.get_json()["error"]["code"] == "not_found"


def test_double_submission_gives_one_signature_and_a_clear_409(
    app, client, declaration, head, api_headers, counts
):
    headers = api_headers(head)
    assert _post(client, declaration, headers, sign_payload(head)).status_code == 201
    again = _post(client, declaration, headers, sign_payload(head))
    assert again.status_code == 409
    assert "Belgium has already signed" in again.get_json()["error"]["message"]
    assert counts()["signatures"] == 1


def test_database_refuses_a_second_active_signature(app, declaration, head, make_signatory):
    """The partial unique index is the last line of defence, on both databases."""
    from sqlalchemy.exc import IntegrityError

    first = operations.sign_declaration(
        declaration, actor=head, password=TEST_PASSWORD, typed_name=head.full_name
    )
    db.session.commit()
    columns = {
        c.name: getattr(first, c.name)
        for c in Signature.__table__.columns
        if c.name not in ("id", "verification_code")
    }
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(sa.insert(Signature).values(**columns, verification_code="ZZZZZZZZZZ"))
    # A withdrawn row does not count.
    operations.withdraw_signature(first, actor=head, reason="Re-sign", password=TEST_PASSWORD)
    db.session.commit()
    with db.engine.begin() as conn:
        conn.execute(
            sa.insert(Signature).values(
                **{**columns, "withdrawn_at": None}, verification_code="ZZZZZZZZZZ"
            )
        )


def test_withdrawal_rules(app, client, declaration, head, make_signatory, api_headers):
    created = _post(client, declaration, api_headers(head), sign_payload(head)).get_json()
    url = f"/api/v1/signatures/{created['id']}"
    other = make_signatory("FR")
    # Another delegation's signatory cannot see it, let alone withdraw it.
    response = client.delete(url, json={"reason": "x"}, headers=api_headers(other))
    assert response.status_code == 404
    # A Belgian adviser can see it but not withdraw it.
    adviser = make_signatory("BE", signatory=False)
    assert client.get(url, headers=api_headers(adviser)).status_code == 200
    response = client.delete(url, json={"reason": "x"}, headers=api_headers(adviser))
    assert response.status_code == 403
    password = {"password": TEST_PASSWORD}
    response = client.delete(url, json={"reason": "  ", **password}, headers=api_headers(head))
    assert response.status_code == 422
    # Without re-authentication nothing is withdrawn.
    response = client.delete(url, json={"reason": "Wrong text"}, headers=api_headers(head))
    assert response.status_code == 422
    response = client.delete(
        url, json={"reason": "Wrong text", "password": "guess"}, headers=api_headers(head)
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "reauthentication_failed"
    response = client.delete(
        url, json={"reason": "Wrong text", **password}, headers=api_headers(head)
    )
    assert response.status_code == 200
    assert response.get_json()["active"] is False
    again = client.delete(url, json={"reason": "again", **password}, headers=api_headers(head))
    assert again.status_code == 409
    listing = client.get(
        f"/api/v1/declarations/{declaration.id}/signatures", headers=api_headers(other)
    ).get_json()
    assert [(s["delegation"], s["active"]) for s in listing] == [("Belgium", False)]


def test_ip_address_is_not_stored_when_switched_off(app, make_app, declaration, head, api_headers):
    private = make_app(SIGNATURES_STORE_IP=False)
    response = _post(private.test_client(), declaration, api_headers(head), sign_payload(head))
    assert response.status_code == 201
    signature = db.session.get(Signature, response.get_json()["id"])
    assert signature.ip_address is None
    assert chain.verify_chain(declaration).ok


def test_csrf_is_required_on_the_signing_form(app, make_app, declaration, head, counts):
    protected = make_app(WTF_CSRF_ENABLED=True)
    client = protected.test_client()
    page = client.get("/auth/login")
    assert page.status_code == 200
    token = page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1]
    token = token.split('"')[0]
    client.post(
        "/auth/login", data={"email": head.email, "password": TEST_PASSWORD, "csrf_token": token}
    )
    response = client.post(
        f"/declarations/{declaration.id}/sign",
        data={"password": TEST_PASSWORD, "typed_name": head.full_name, "confirm": "y"},
    )
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert counts()["signatures"] == 0


def test_wrong_password_and_mismatched_name_are_both_reported(
    app, client, login, declaration, head, api_headers, counts
):
    """Issue 19: signing with a wrong password and a name that does not match showed only
    the name error; the next submit then showed the password's. Both now come at once, and the
    password attempt is counted (and locked) as any other."""
    login(head)
    page = client.post(
        f"/declarations/{declaration.id}/sign",
        data={
            "endorsed": ["victims"],
            "password": "not my password",
            "typed_name": "Someone Else",
            "confirm": "y",
        },
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 403
    assert "Wrong password." in html
    assert "Does not match your name" in html
    assert counts() == {"signatures": 0, "events": 1, "failures": 1}
    # The API says the same, both fields in one error.
    response = _post(
        client,
        declaration,
        api_headers(head),
        sign_payload(head, password="still wrong", typed_name="Someone Else"),
    )
    error = response.get_json()["error"]
    assert response.status_code == 403 and error["code"] == "reauthentication_failed"
    assert error["fields"]["password"] == "Wrong password."
    assert head.full_name in error["fields"]["typed_name"]
    assert counts()["failures"] == 2
    # The right password with a wrong name: only the name is refused, no failure counted and
    # nothing signed.
    response = _post(
        client, declaration, api_headers(head), sign_payload(head, typed_name="Someone Else")
    )
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"typed_name"}
    assert counts() == {"signatures": 0, "events": 1, "failures": 2}
    # The lock still holds: after five failures, a mismatched name does not get a new guess.
    for _ in range(3):
        _post(client, declaration, api_headers(head), sign_payload(head, password="x"))
    locked = _post(
        client,
        declaration,
        api_headers(head),
        sign_payload(head, password=TEST_PASSWORD, typed_name="Someone Else"),
    )
    assert locked.status_code == 429
    assert "typed_name" in locked.get_json()["error"]["fields"]
    assert counts() == {"signatures": 0, "events": 1, "failures": 5}


def test_the_email_code_is_not_used_up_by_a_refused_name(
    app, make_app, declaration, head, api_headers, monkeypatch
):
    """Checking the password alongside a mismatched name leaves the e-mailed code for the
    next, correct, submission."""
    sent = []
    monkeypatch.setattr("plugins.signatures.mail.send_mail", lambda *a: sent.append(a[2]))
    client = make_app(SIGNATURES_REQUIRE_EMAIL_CODE=True).test_client()
    headers = api_headers(head)
    client.post(f"/api/v1/declarations/{declaration.id}/signing-code", headers=headers)
    code = sent[0].split(" is ")[1][:6]
    refused = _post(
        client, declaration, headers, sign_payload(head, typed_name="Someone Else", code=code)
    )
    assert refused.status_code == 422
    assert set(refused.get_json()["error"]["fields"]) == {"typed_name"}
    db.session.expire_all()
    assert db.session.scalar(sa.select(SigningCode.used_at)) is None
    signed = _post(client, declaration, headers, sign_payload(head, code=code))
    assert signed.status_code == 201, signed.get_json()
