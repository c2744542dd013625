"""Signing with a passkey: the authenticator signs the exact payload; every attack of issue 13's
"Bad input" is refused with nothing stored; receipts verify offline; the policy applies."""

from __future__ import annotations

import copy
import json

import pytest
import sqlalchemy as sa

from alliance_conf.auth.models import PasskeyCredential
from alliance_conf.extensions import db
from alliance_conf.testing.authenticator import SoftAuthenticator
from alliance_conf.testing.fixtures import TEST_PASSWORD
from plugins.signatures import offline
from plugins.signatures.chain import verify_chain
from plugins.signatures.models import Signature
from plugins.signatures.tests.support import sign_payload


@pytest.fixture
def enrol(client, api_headers):
    """Register a software passkey for ``user`` through the API; returns (authenticator, headers)."""

    def register(user, name="laptop"):
        headers = api_headers(user)
        options = client.post(
            "/api/v1/auth/passkeys/registration-options",
            json={"password": TEST_PASSWORD},
            headers=headers,
        )
        assert options.status_code == 200, options.get_json()
        authenticator = SoftAuthenticator()
        created = client.post(
            "/api/v1/auth/passkeys",
            json={"name": name, "credential": authenticator.create(options.get_json())},
            headers=headers,
        )
        assert created.status_code == 201, created.get_json()
        return authenticator, headers

    return register


def _options(client, declaration, headers, **choices):
    response = client.post(
        f"/api/v1/declarations/{declaration.id}/signatures/passkey-options",
        json=choices,
        headers=headers,
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _sign(client, declaration, headers, user, credential, **choices):
    return client.post(
        f"/api/v1/declarations/{declaration.id}/signatures/passkey",
        json={"typed_name": user.full_name, "credential": credential, **choices},
        headers=headers,
    )


def test_sign_with_a_passkey_and_verify_the_receipt_offline(
    app, client, declaration, head, enrol, cli, tmp_path
):
    authenticator, headers = enrol(head)
    choices = {
        "endorsed_keys": ["victims", "offenders"],
        "statements": [{"kind": "reservation", "text": "Within our constitution."}],
    }
    started = _options(client, declaration, headers, **choices)
    payload = started["payload"]
    assert payload["text_hash"] == declaration.text_hash
    assert payload["endorsed_keys"] == ["victims", "offenders"]
    response = _sign(
        client, declaration, headers, head, authenticator.get(started["options"]), **choices
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["auth_method"] == "passkey"
    receipt = body["receipt"]
    evidence = receipt["receipt"]["passkey"]
    assert evidence["payload"] == payload
    assert {"authenticator_data", "client_data_json", "signature", "public_key"} <= set(evidence)
    assert verify_chain(declaration).ok

    # Offline: the module (stdlib + cryptography) and the CLI both accept it.
    assert offline.verify_receipt(receipt, receipt["public_key_pem"]) == []
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(receipt))
    result = cli("signatures", "verify-receipt", str(path))
    assert result.exit_code == 0 and "passkey signature valid" in result.output, result.output

    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for suffix in ("passkey-options", "passkey", "policy", "checkpoints"):
        assert any(p.endswith(f"/signatures/{suffix}") for p in paths), suffix


TAMPERED_FIELDS = [
    ("receipt", "text_hash", "f" * 64),
    ("receipt", "endorsed_keys", ["victims"]),
    ("receipt", "signatory_name", "Somebody Else"),
    ("receipt", "chain_sequence", 99),
    ("passkey", "signature", None),
    ("passkey", "authenticator_data", None),
    ("passkey", "client_data_json", None),
    ("passkey", "public_key", None),
    ("payload", "endorsed_keys", ["victims"]),
    ("payload", "text_hash", "f" * 64),
    ("payload", "nonce", "another"),
]


def test_every_tampered_receipt_field_is_caught(
    app, client, declaration, head, enrol, cli, tmp_path
):
    authenticator, headers = enrol(head)
    started = _options(client, declaration, headers)
    receipt = _sign(
        client, declaration, headers, head, authenticator.get(started["options"])
    ).get_json()["receipt"]
    other_key = SoftAuthenticator()
    for where, name, value in TAMPERED_FIELDS:
        tampered = copy.deepcopy(receipt)
        target = tampered["receipt"]
        if where in ("passkey", "payload"):
            target = target["passkey"]
        if where == "payload":
            target = target["payload"]
        if value is None:  # flip one byte of a binary field, or swap in another key
            if name == "public_key":
                from cryptography.hazmat.primitives import serialization

                value = offline.b64url(
                    other_key.key.public_key().public_bytes(
                        serialization.Encoding.DER,
                        serialization.PublicFormat.SubjectPublicKeyInfo,
                    )
                )
            else:
                raw = bytearray(offline.unb64url(target[name]))
                raw[len(raw) // 2] ^= 0x01
                value = offline.b64url(bytes(raw))
        target[name] = value
        problems = offline.verify_receipt(tampered, receipt["public_key_pem"])
        assert problems, f"{where}.{name} tampered but accepted"
        path = tmp_path / "tampered.json"
        path.write_text(json.dumps(tampered))
        assert cli("signatures", "verify-receipt", str(path)).exit_code == 1, (where, name)
    # Every other field, at every level: the server's counter-signature no longer matches.
    evidence = receipt["receipt"]["passkey"]
    paths = [("receipt", k) for k in receipt["receipt"]]
    paths += [("passkey", k) for k in evidence] + [("payload", k) for k in evidence["payload"]]
    for where, name in paths:
        tampered = copy.deepcopy(receipt)
        target = tampered["receipt"]
        if where in ("passkey", "payload"):
            target = target["passkey"]
        if where == "payload":
            target = target["payload"]
        target[name] = "tampered" if target[name] != "tampered" else "other"
        assert offline.verify_receipt(tampered, receipt["public_key_pem"]), (where, name)
    # The server's own signature, and a forged server key, too.
    forged = copy.deepcopy(receipt)
    forged["signature"] = forged["signature"][::-1]
    assert offline.verify_receipt(forged, receipt["public_key_pem"])


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_replayed_assertion_is_refused(app, client, declaration, head, enrol):
    authenticator, headers = enrol(head)
    credential = authenticator.get(_options(client, declaration, headers)["options"])
    assert _sign(client, declaration, headers, head, credential).status_code == 201
    withdrawn = client.delete(
        f"/api/v1/signatures/{db.session.scalar(sa.select(Signature.id))}",
        json={"reason": "To sign again", "password": TEST_PASSWORD},
        headers=headers,
    )
    assert withdrawn.status_code == 200
    replay = _sign(client, declaration, headers, head, credential)
    assert replay.status_code == 400
    assert "already used" in replay.get_json()["error"]["message"]
    assert _count(Signature) == 1


def test_assertion_for_other_choices_is_refused(app, client, declaration, head, enrol, counts):
    authenticator, headers = enrol(head)
    started = _options(client, declaration, headers, endorsed_keys=["victims"])
    credential = authenticator.get(started["options"])
    before = counts()
    response = _sign(
        client, declaration, headers, head, credential, endorsed_keys=["victims", "offenders"]
    )
    assert response.status_code == 400
    assert "signed other choices" in response.get_json()["error"]["message"]
    assert counts() == before


def test_unknown_and_foreign_credentials_are_refused(
    app, client, declaration, head, enrol, make_signatory, counts
):
    _authenticator, headers = enrol(head)
    france = make_signatory("FR")
    french_key, french_headers = enrol(france)
    started = _options(client, declaration, headers)
    before = counts()
    # A key nobody registered.
    stranger = SoftAuthenticator()
    stranger.rp_id = "localhost"
    response = _sign(client, declaration, headers, head, stranger.get(started["options"]))
    assert response.status_code == 400
    assert "not registered" in response.get_json()["error"]["message"]
    # France's passkey answering Belgium's challenge, posted by Belgium.
    response = _sign(client, declaration, headers, head, french_key.get(started["options"]))
    assert response.status_code == 400
    assert "another person" in response.get_json()["error"]["message"]
    # Belgium's challenge posted by France with her own key: not her challenge.
    response = _sign(
        client, declaration, french_headers, france, french_key.get(started["options"])
    )
    assert response.status_code == 400
    assert counts() == before


def test_counter_going_backwards_is_refused(app, client, declaration, head, enrol, counts):
    authenticator, headers = enrol(head)
    # The passkey last reported 10 (as after ten uses); a clone still at 5 answers now.
    db.session.execute(sa.update(PasskeyCredential).values(sign_count=10))
    db.session.commit()
    before = counts()
    credential = authenticator.get(_options(client, declaration, headers)["options"], counter=5)
    response = _sign(client, declaration, headers, head, credential)
    assert response.status_code == 400
    assert "counter went backwards" in response.get_json()["error"]["message"]
    assert counts() == before
    assert db.session.scalar(sa.select(PasskeyCredential.sign_count)) == 10


def test_user_verification_is_required(app, client, declaration, head, enrol, counts):
    authenticator, headers = enrol(head)
    authenticator.user_verified = False
    credential = authenticator.get(_options(client, declaration, headers)["options"])
    response = _sign(client, declaration, headers, head, credential)
    assert response.status_code == 400
    assert "verif" in response.get_json()["error"]["message"]
    assert _count(Signature) == 0


def test_policy_passkey_required_refuses_the_password(
    app, client, declaration, head, enrol, make_user, api_headers
):
    organiser = make_user("organiser")
    url = f"/api/v1/declarations/{declaration.id}/signatures/policy"
    refused = client.put(url, json={"mode": "passkey_required"}, headers=api_headers(head))
    assert refused.status_code == 403
    changed = client.put(url, json={"mode": "passkey_required"}, headers=api_headers(organiser))
    assert changed.status_code == 200 and "require a passkey" in changed.get_json()["explanation"]
    password = client.post(
        f"/api/v1/declarations/{declaration.id}/signatures",
        json=sign_payload(head),
        headers=api_headers(head),
    )
    assert password.status_code == 403
    assert password.get_json()["error"]["code"] == "passkey_required"
    # Without a passkey, the options say to register one first.
    no_key = client.post(
        f"/api/v1/declarations/{declaration.id}/signatures/passkey-options",
        json={},
        headers=api_headers(head),
    )
    assert no_key.status_code == 422 and "register one" in no_key.get_json()["error"]["message"]
    authenticator, headers = enrol(head)
    started = _options(client, declaration, headers)
    response = _sign(client, declaration, headers, head, authenticator.get(started["options"]))
    assert response.status_code == 201


def _readme_snippet(project_root) -> str:
    import re

    text = (project_root / "README.md").read_text()
    match = re.search(r"<!-- offline-check -->\s*```python\n(.*?)```", text, re.S)
    assert match, "README.md has no offline receipt check snippet"
    return match.group(1)


def test_the_readme_snippet_checks_receipts(
    app, client, declaration, head, enrol, make_signatory, api_headers, project_root, tmp_path
):
    import subprocess
    import sys

    authenticator, headers = enrol(head)
    started = _options(client, declaration, headers)
    passkey_receipt = _sign(
        client, declaration, headers, head, authenticator.get(started["options"])
    ).get_json()["receipt"]
    france = make_signatory("FR")
    password_receipt = client.post(
        f"/api/v1/declarations/{declaration.id}/signatures",
        json=sign_payload(france),
        headers=api_headers(france),
    ).get_json()["receipt"]
    forged = copy.deepcopy(passkey_receipt)
    raw = bytearray(offline.unb64url(forged["receipt"]["passkey"]["signature"]))
    raw[-1] ^= 0x01
    forged["receipt"]["passkey"]["signature"] = offline.b64url(bytes(raw))
    altered = copy.deepcopy(password_receipt)
    altered["receipt"]["endorses_all"] = False
    script = tmp_path / "check.py"
    script.write_text(_readme_snippet(project_root))
    for name, document, ok in (
        ("passkey", passkey_receipt, True),
        ("password", password_receipt, True),
        ("forged", forged, False),
        ("altered", altered, False),
    ):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(document))
        result = subprocess.run(
            [sys.executable, str(script), str(path)], capture_output=True, text=True, check=False
        )
        assert (result.returncode == 0) is ok, (name, result.stdout, result.stderr)
        if ok:
            assert result.stdout.startswith("valid: key")


def test_policy_on_the_board_and_the_signing_page(
    app, client, login, declaration, head, make_user, counts
):
    organiser = make_user("organiser")
    login(organiser)
    board = client.get(f"/declarations/{declaration.id}/signatures").get_data(as_text=True)
    assert "Save the signing policy" in board
    response = client.post(
        f"/declarations/{declaration.id}/signatures/policy", data={"mode": "passkey_required"}
    )
    assert response.status_code == 302
    client.post("/auth/logout")
    login(head)
    # A delegate cannot change it.
    assert (
        client.post(
            f"/declarations/{declaration.id}/signatures/policy", data={"mode": "password"}
        ).status_code
        == 403
    )
    page = client.get(f"/declarations/{declaration.id}/sign").get_data(as_text=True)
    assert "require a passkey" in page
    assert "Register a passkey on this device" in page and "/auth/passkeys?next=" in page
    assert 'name="password"' not in page  # no password field offered
    before = counts()
    refused = client.post(
        f"/declarations/{declaration.id}/sign",
        data={
            "endorsed": ["victims"],
            "password": TEST_PASSWORD,
            "typed_name": head.full_name,
            "confirm": "y",
        },
    )
    assert refused.status_code == 403
    assert "must be signed with a passkey" in refused.get_data(as_text=True)
    assert counts() == before


def test_policy_email_code_per_declaration(
    app, client, declaration, head, make_user, api_headers, counts
):
    organiser = make_user("organiser")
    url = f"/api/v1/declarations/{declaration.id}/signatures/policy"
    response = client.put(
        url, json={"mode": "password", "email_code": True}, headers=api_headers(organiser)
    )
    assert response.status_code == 200 and response.get_json()["email_code"] is True
    assert "one-time code" in client.get(url, headers=api_headers(head)).get_json()["explanation"]
    before = counts()
    refused = client.post(
        f"/api/v1/declarations/{declaration.id}/signatures",
        json=sign_payload(head),
        headers=api_headers(head),
    )
    assert refused.status_code == 403 and "one-time code" in refused.get_json()["error"]["message"]
    assert counts()["signatures"] == before["signatures"]


def test_a_double_submission_racing_the_first_gets_a_409(
    app, client, declaration, head, enrol, monkeypatch
):
    """The same assertion sent twice at once: the second passed the early "already signed"
    check before the first committed, then finds the passkey's counter moved on. It is a second
    submission, answered 409 as with a password, not a 400 about a replayed device."""
    from plugins.signatures import operations

    authenticator, headers = enrol(head)
    credential = authenticator.get(_options(client, declaration, headers)["options"])
    assert _sign(client, declaration, headers, head, credential).status_code == 201

    real = operations.active_signature
    calls = []

    def early_check_before_the_first_committed(declaration, delegation_id):
        calls.append(delegation_id)
        return None if len(calls) == 1 else real(declaration, delegation_id)

    monkeypatch.setattr(operations, "active_signature", early_check_before_the_first_committed)
    again = _sign(client, declaration, headers, head, credential)
    assert again.status_code == 409, again.get_json()
    assert again.get_json()["error"]["code"] == "conflict"
    assert len(calls) == 2 and _count(Signature) == 1
