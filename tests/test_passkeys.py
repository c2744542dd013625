"""Passkeys of an account: register several (named, listed), remove with the password, sign in
with one. The browser's part is played by a software authenticator (alliance_conf.testing)."""

from __future__ import annotations

import json

import sqlalchemy as sa

from alliance_conf.auth.models import PasskeyCredential
from alliance_conf.extensions import db
from alliance_conf.testing.authenticator import SoftAuthenticator
from alliance_conf.testing.fixtures import TEST_PASSWORD


def _passkeys(user) -> list[str]:
    return db.session.scalars(
        sa.select(PasskeyCredential.name)
        .where(PasskeyCredential.user_id == user.id)
        .order_by(PasskeyCredential.id)
    ).all()


def _register(client, name: str, authenticator: SoftAuthenticator, password=TEST_PASSWORD):
    fields = {"name": name, "password": password}
    options = client.post("/auth/passkeys/options", data=fields)
    if options.status_code != 200:
        return options
    credential = authenticator.create(options.get_json())
    return client.post("/auth/passkeys", data={**fields, "credential": json.dumps(credential)})


def test_register_several_list_and_remove_with_the_password(app, client, login, make_user):
    user = make_user("delegate")
    login(user)
    laptop, phone = SoftAuthenticator(), SoftAuthenticator()
    assert _register(client, "Work laptop", laptop).status_code == 302
    assert _register(client, "Phone", phone).status_code == 302
    assert _passkeys(user) == ["Work laptop", "Phone"]
    page = client.get("/auth/passkeys").get_data(as_text=True)
    assert "Work laptop" in page and "Phone" in page

    # The options refuse a wrong password; the same device cannot be registered twice.
    wrong = _register(client, "Again", SoftAuthenticator(), password="wrong")
    assert wrong.status_code == 403 and "password" in wrong.get_json()["error"]["message"]
    twice = _register(client, "Laptop again", laptop)
    assert twice.status_code == 400 and "already registered" in twice.get_data(as_text=True)
    assert _passkeys(user) == ["Work laptop", "Phone"]

    first = db.session.scalar(sa.select(PasskeyCredential).where(PasskeyCredential.name == "Phone"))
    refused = client.post(f"/auth/passkeys/{first.id}/remove", data={"password": "wrong"})
    assert refused.status_code == 302
    assert _passkeys(user) == ["Work laptop", "Phone"]
    # Another person cannot remove it, even with their own password.
    other = make_user("delegate")
    client.post("/auth/logout")
    login(other)
    assert (
        client.post(
            f"/auth/passkeys/{first.id}/remove", data={"password": TEST_PASSWORD}
        ).status_code
        == 404
    )
    client.post("/auth/logout")
    login(user)
    client.post(f"/auth/passkeys/{first.id}/remove", data={"password": TEST_PASSWORD})
    assert _passkeys(user) == ["Work laptop"]


def test_registration_attacks_store_nothing(app, client, login, make_user):
    user = make_user("delegate")
    login(user)
    fields = {"name": "Key", "password": TEST_PASSWORD}
    # Without user verification (no PIN or biometrics): refused.
    careless = SoftAuthenticator(user_verified=False)
    options = client.post("/auth/passkeys/options", data=fields).get_json()
    response = client.post(
        "/auth/passkeys", data={**fields, "credential": json.dumps(careless.create(options))}
    )
    assert response.status_code == 400 and "verif" in response.get_data(as_text=True)
    # A response for another origin (a phishing site): refused.
    phished = SoftAuthenticator(origin="https://alliance-conf.example.evil")
    options = client.post("/auth/passkeys/options", data=fields).get_json()
    response = client.post(
        "/auth/passkeys", data={**fields, "credential": json.dumps(phished.create(options))}
    )
    assert response.status_code == 400
    # A replayed registration response: refused the second time.
    device = SoftAuthenticator()
    options = client.post("/auth/passkeys/options", data=fields).get_json()
    credential = json.dumps(device.create(options))
    assert (
        client.post("/auth/passkeys", data={**fields, "credential": credential}).status_code == 302
    )
    client.post(
        f"/auth/passkeys/{db.session.scalar(sa.select(PasskeyCredential.id))}/remove",
        data={"password": TEST_PASSWORD},
    )
    replay = client.post("/auth/passkeys", data={**fields, "credential": credential})
    assert replay.status_code == 400 and "already used" in replay.get_data(as_text=True)
    assert _passkeys(user) == []


def test_sign_in_with_a_passkey(app, client, login, make_user):
    user = make_user("delegate")
    login(user)
    device = SoftAuthenticator()
    assert _register(client, "Laptop", device).status_code == 302
    client.post("/auth/logout")
    assert client.get("/auth/passkeys").status_code == 302  # signed out

    options = client.post("/auth/login/passkey/options").get_json()
    assertion = json.dumps(device.get(options))
    response = client.post("/auth/login/passkey", data={"credential": assertion})
    assert response.status_code == 302 and "/auth/login" not in response.headers["Location"]
    assert client.get("/auth/passkeys").status_code == 200
    assert db.session.scalar(sa.select(PasskeyCredential.last_used_at)) is not None

    # The same answer again, and an unknown device: refused, nobody signed in.
    client.post("/auth/logout")
    replay = client.post("/auth/login/passkey", data={"credential": assertion})
    assert "/auth/login" in replay.headers["Location"]
    assert client.get("/auth/passkeys").status_code == 302
    stranger = SoftAuthenticator()
    stranger.rp_id = "localhost"
    options = client.post("/auth/login/passkey/options").get_json()
    response = client.post(
        "/auth/login/passkey", data={"credential": json.dumps(stranger.get(options))}
    )
    assert "/auth/login" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "not registered here" in page
    assert client.get("/auth/passkeys").status_code == 302


def test_passkeys_through_the_api(app, client, make_user, api_headers):
    user = make_user("delegate")
    headers = api_headers(user)
    options = client.post(
        "/api/v1/auth/passkeys/registration-options",
        json={"password": TEST_PASSWORD},
        headers=headers,
    ).get_json()
    device = SoftAuthenticator()
    created = client.post(
        "/api/v1/auth/passkeys",
        json={"name": "Phone", "credential": device.create(options)},
        headers=headers,
    )
    assert created.status_code == 201
    listed = client.get("/api/v1/auth/passkeys", headers=headers).get_json()
    assert [p["name"] for p in listed] == ["Phone"]
    url = f"/api/v1/auth/passkeys/{listed[0]['id']}"
    assert client.delete(url, json={"password": "nope"}, headers=headers).status_code == 403
    assert client.delete(url, json={"password": TEST_PASSWORD}, headers=headers).status_code == 204
    assert _passkeys(user) == []
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/auth/passkeys/registration-options" in str(spec["paths"].keys())
