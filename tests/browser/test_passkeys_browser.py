"""Passkeys in a real browser: Chromium with a virtual authenticator (Chrome DevTools Protocol,
``WebAuthn`` domain, through a CDP session). At phone width (375 px) a signatory registers a
passkey, fails to sign with the wrong authenticator and with a cancelled ceremony (clear
message, nothing stored), signs with the passkey, downloads the receipt and checks it offline
with the README's snippet, then signs in with the passkey alone.

WebAuthn refuses IP addresses as relying party ids, so this journey uses ``localhost``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date

import pytest

from .support import PHONE, PROJECT_ROOT, audit_page

SLUG = "passkey-ministerial-2031"
PASSWORD = "Vilnius signatory 2031!"
NAME = "Rūta Signatory"


@pytest.fixture(scope="module")
def signing_world(server_app, accounts):
    """Its own conference: an open declaration and Lithuania's signatory (password known)."""
    from alliance_conf.auth.operations import create_user, find_user_by_email
    from alliance_conf.conferences.operations import create_conference
    from alliance_conf.core.db import utcnow
    from alliance_conf.declarations.demo import seed_content
    from alliance_conf.declarations.operations import create_declaration
    from alliance_conf.declarations.transitions import transition
    from alliance_conf.delegations.operations import create_delegation
    from alliance_conf.demo.operations import load_seed_data
    from alliance_conf.extensions import db
    from alliance_conf.registrations.models import Registration

    with server_app.app_context():
        organiser = find_user_by_email(accounts["organiser"].email)
        conference = create_conference(
            slug=SLUG,
            title="Vilnius Ministerial on Online Safety",
            city="Vilnius",
            start_date=date(2031, 9, 1),
            end_date=date(2031, 9, 2),
            timezone="Europe/Vilnius",
            co_chairs=[],
        )
        delegation = create_delegation(conference, group="eu_member", country_code="LT")
        user = create_user(
            email="signatory@passkeys.example.org",
            full_name=NAME,
            password=PASSWORD,
            role="delegate",
        )
        db.session.add(
            Registration(
                conference_id=conference.id,
                delegation_id=delegation.id,
                user_id=user.id,
                status="approved",
                function="minister",
                position="Minister of Foreign Affairs",
                is_signatory=True,
                signatory_designated_at=utcnow(),
            )
        )
        declaration = create_declaration(
            conference,
            title="Vilnius Declaration",
            content=seed_content(load_seed_data()),
            actor=organiser,
        )
        transition(declaration, "consultation", actor=organiser)
        transition(declaration, "open", actor=organiser)
        db.session.commit()
        yield {"declaration_id": declaration.id, "user_id": user.id}


def _count(server_app, model, **where) -> int:
    import sqlalchemy as sa

    from alliance_conf.extensions import db

    with server_app.app_context():
        statement = sa.select(sa.func.count()).select_from(model)
        for name, value in where.items():
            statement = statement.where(getattr(model, name) == value)
        count = db.session.scalar(statement)
        db.session.remove()
        return count


def _failed_attempt(page, button) -> str:
    """Click, and wait until the ceremony has failed and the form is ready again."""
    page.evaluate(
        "() => { const box = document.querySelector('[data-passkey-message]');"
        " box.textContent = ''; box.hidden = true; }"
    )
    button.click()
    page.wait_for_function(
        "() => { const box = document.querySelector('[data-passkey-message]');"
        " return !box.hidden && box.textContent.length > 0"
        " && !document.querySelector('[data-passkey-button]').disabled; }"
    )
    return page.locator("[data-passkey-message]").inner_text()


def _readme_snippet() -> str:
    text = (PROJECT_ROOT / "README.md").read_text()
    match = re.search(r"<!-- offline-check -->\s*```python\n(.*?)```", text, re.S)
    assert match, "README.md has no offline receipt check snippet"
    return match.group(1)


def test_passkey_register_sign_and_sign_in(
    browser, live_server, server_app, signing_world, tmp_path
):
    from alliance_conf.auth.models import PasskeyCredential
    from plugins.signatures.models import Signature

    base = live_server.replace("127.0.0.1", "localhost")
    context = browser.new_context(
        base_url=base,
        bypass_csp=True,
        locale="en-GB",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )["authenticatorId"]
    declaration_id = signing_world["declaration_id"]
    user_id = signing_world["user_id"]
    try:
        # Sign in with the password, register a passkey on this "phone".
        page.goto("/auth/login")
        page.get_by_label("E-mail").fill("signatory@passkeys.example.org")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.goto(f"/declarations/{declaration_id}/sign")
        page.get_by_role("link", name="Passkeys").first.click()
        page.get_by_label("Name of the passkey").fill("My phone")
        page.get_by_label("Your password (again)").fill(PASSWORD)
        page.get_by_role("button", name="Create a passkey on this device").click()
        page.get_by_text("Passkey “My phone” registered.").wait_for()
        audit_page(page, "passkeys-phone")
        assert _count(server_app, PasskeyCredential, user_id=user_id) == 1

        # The signing page offers the passkey.
        page.goto(f"/declarations/{declaration_id}/sign")
        page.get_by_label("Type your full name to sign").fill(NAME)
        page.get_by_label("I sign this text on behalf of my delegation").check()
        sign_button = page.get_by_role("button", name="Sign with your passkey")
        sign_button.wait_for()
        audit_page(page, "sign-with-passkey-phone")

        # A cancelled ceremony (the person does not unlock the device): clear message, nothing.
        cdp.send(
            "WebAuthn.setUserVerified", {"authenticatorId": authenticator, "isUserVerified": False}
        )
        message = _failed_attempt(page, sign_button)
        assert "cancelled" in message and "Nothing was signed" in message
        cdp.send(
            "WebAuthn.setUserVerified", {"authenticatorId": authenticator, "isUserVerified": True}
        )
        # The wrong authenticator (holding no passkey of this account): clear message, nothing.
        saved = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
        cdp.send("WebAuthn.clearCredentials", {"authenticatorId": authenticator})
        message = _failed_attempt(page, sign_button)
        assert "holds no passkey registered for your account" in message
        assert _count(server_app, Signature, declaration_id=declaration_id) == 0
        for credential in saved["credentials"]:
            cdp.send(
                "WebAuthn.addCredential",
                {"authenticatorId": authenticator, "credential": credential},
            )

        # The right passkey signs: the receipt page, auth method passkey.
        sign_button.click()
        page.wait_for_url(re.compile(r"/signatures/\d+$"))
        page.get_by_text("Signed on behalf of Lithuania").wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        signature_id = int(page.url.rsplit("/", 1)[1])
        receipt = page.request.get(f"/signatures/{signature_id}/receipt.json").json()
        assert receipt["receipt"]["auth_method"] == "passkey"

        # The downloaded receipt verifies offline with the README's snippet.
        path = tmp_path / "receipt.json"
        path.write_text(json.dumps(receipt))
        snippet = tmp_path / "check_receipt.py"
        snippet.write_text(_readme_snippet())
        result = subprocess.run(
            [sys.executable, str(snippet), str(path)], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0 and "valid" in result.stdout, result.stderr

        # Sign out; sign in again with the passkey alone.
        page.get_by_role("button", name="Sign out").click()
        page.goto("/auth/login")
        page.get_by_role("button", name="Continue with a passkey").click()
        page.get_by_text("You signed in with a passkey").wait_for()
        assert page.get_by_text(NAME).first.is_visible()
    finally:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"
