"""The plenary screen in a real browser: a signature recorded on the server appears on the open
page without a reload, the page fits a 1920 x 1080 screen with the seed's 49 delegations, and it
passes the audits at 1280 px and 375 px.

``ALLIANCE_DOCS_PICTURES=1`` also copies the full-screen 1920 x 1080 picture to
``docs/screenshot-plenary.png`` (the README's), as an opt-in step: a normal run writes only
under test-artifacts/.
"""

from __future__ import annotations

import os

import sqlalchemy as sa

from .support import (
    DESKTOP,
    PHONE,
    PROJECT_ROOT,
    audit_page,
    check_no_horizontal_scroll,
    screenshot,
)

HALL = {"width": 1920, "height": 1080}
SIGNATORY_PASSWORD = "plenary signatory password 2026!"
NAMES = ["Ana Costa", "Jonas Berg", "Marie Laurent", "Tomás Ibarra", "Yuki Tanaka"]
UPDATE_TIMEOUT_MS = 20_000  # the page polls every 5 s


def docs_picture(source, target) -> None:
    """The README's copy: a 128-colour palette PNG (flat colours and text; a third the size)."""
    from PIL import Image

    with Image.open(source) as image:
        palette = image.convert("RGB").quantize(colors=128, dither=Image.Dither.NONE)
        palette.save(target, optimize=True)


def _open_declaration_and_signatories(server_app, count: int) -> tuple[int, list[tuple]]:
    """The seed declaration, open for signature, and ``count`` new signatories of delegations
    that have not signed (whatever the journeys before this one did)."""
    from datetime import date

    from alliance_conf.auth.operations import create_user, find_user_by_email
    from alliance_conf.conferences.models import Conference
    from alliance_conf.declarations.models import Declaration, DeclarationState
    from alliance_conf.declarations.transitions import transition
    from alliance_conf.extensions import db
    from alliance_conf.registrations.operations import change_status, create_registration
    from alliance_conf.registrations.powers import Instrument, grant_full_powers
    from plugins.signatures.board import status_board

    from .support import ACCOUNTS

    with server_app.app_context():
        organiser = find_user_by_email(ACCOUNTS["organiser"].email)
        conference = db.session.scalar(sa.select(Conference).filter_by(slug="global-alliance-2012"))
        declaration = db.session.scalar(
            sa.select(Declaration).filter_by(conference_id=conference.id).order_by(Declaration.id)
        )
        if declaration.state == DeclarationState.draft:
            transition(declaration, "consultation", actor=organiser)
        if declaration.state == DeclarationState.consultation:
            transition(declaration, "open", actor=organiser)
        unsigned = [
            row.delegation
            for row in status_board(declaration)["rows"]
            if row.active is None and row.delegation.is_state
        ]
        made = []
        for delegation, name in zip(unsigned[-count:], NAMES, strict=False):
            email = f"plenary.{delegation.country_code.lower()}@browser.example.org"
            user = find_user_by_email(email) or create_user(
                email=email,
                full_name=name,
                password=SIGNATORY_PASSWORD,
                role="delegate",
            )
            registration = create_registration(
                delegation, user, privacy_accepted=True, position="Minister", function="minister"
            )
            change_status(registration, "approved", actor=organiser)
            grant_full_powers(
                registration,
                Instrument(
                    f"PLENARY/{delegation.country_code}",
                    "head_of_state",
                    issued_on=date(2012, 11, 1),
                ),
                actor=organiser,
            )
            made.append((delegation.id, delegation.name, user.id))
        db.session.commit()
        return declaration.id, made


def _sign(server_app, declaration_id: int, user_id: int) -> None:
    from alliance_conf.auth.models import User
    from alliance_conf.declarations.models import Declaration
    from alliance_conf.extensions import db
    from plugins.signatures.operations import sign_declaration

    with server_app.app_context():
        user = db.session.get(User, user_id)
        sign_declaration(
            db.session.get(Declaration, declaration_id),
            actor=user,
            password=SIGNATORY_PASSWORD,
            typed_name=user.full_name,
        )
        db.session.commit()


def _signed_count(page) -> int:
    return page.evaluate("() => document.querySelectorAll('#plenary-grid .is-signed').length")


def test_plenary_screen_updates_without_reload(page, sign_in, server_app):
    declaration_id, made = _open_declaration_and_signatories(server_app, len(NAMES))
    *before_page, second = made
    for delegation in before_page:
        _sign(server_app, declaration_id, delegation[2])
    sign_in(page, "organiser")
    # The board links to it (so the crawl finds it too).
    page.goto(f"/declarations/{declaration_id}/signatures")
    page.get_by_role("link", name="Plenary screen (for the signing ceremony)").click()
    page.wait_for_url(f"**/declarations/{declaration_id}/plenary")
    audit_page(page, "plenary")
    page.set_viewport_size(PHONE)
    audit_page(page, "plenary")
    page.set_viewport_size(DESKTOP)

    cell = page.locator(f'#plenary-grid li[data-id="{second[0]}"]')
    assert "Not yet signed" in cell.inner_text()
    before = _signed_count(page)
    headline = page.locator("#plenary-headline").inner_text()
    page.evaluate("() => { window.__marker = 1; }")

    _sign(server_app, declaration_id, second[2])

    page.wait_for_function(
        '(id) => document.querySelector(`#plenary-grid li[data-id="${id}"]`)'
        ".classList.contains('is-signed')",
        arg=second[0],
        timeout=UPDATE_TIMEOUT_MS,
    )
    assert page.evaluate("() => window.__marker") == 1, "the page was reloaded"
    assert _signed_count(page) == before + 1
    text = cell.inner_text()
    assert "✓" in text and "Signed" in text  # a mark and a word, not only a colour
    assert page.locator("#plenary-headline").inner_text() != headline
    announcement = page.locator("#plenary-announcement")
    assert announcement.get_attribute("aria-live") == "polite"
    assert f"{second[1]} signed at" in announcement.inner_text()
    assert "is-latest" in (cell.get_attribute("class") or "")
    assert page.locator("#plenary-recent li").first.inner_text().startswith(second[1])
    # Still one h1, focus, axe after the update.
    audit_page(page, "plenary-updated")

    # The hall's screen: 1920 x 1080, every delegation visible without scrolling.
    page.set_viewport_size(HALL)
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    screenshot(page, "plenary-1920", full_page=False)
    overflow = page.evaluate(
        "() => [document.documentElement.scrollWidth - innerWidth,"
        " document.documentElement.scrollHeight - innerHeight]"
    )
    assert overflow[0] <= 0 and overflow[1] <= 0, f"scrolls at 1920x1080 by {overflow}"
    assert page.locator("#plenary-grid li").count() >= 49
    check_no_horizontal_scroll(page)

    # Full screen through the Fullscreen API: the board alone, and back.
    button = page.get_by_role("button", name="Full screen")
    button.click()
    page.wait_for_function("() => document.fullscreenElement?.id === 'plenary'")
    board = page.evaluate(
        "() => { const b = document.getElementById('plenary');"
        " return [b.scrollHeight - b.clientHeight, b.clientHeight,"
        " parseFloat(getComputedStyle(b).fontSize)]; }"
    )
    assert board[0] <= 0 and board[1] >= 1000, f"the board overflows in full screen: {board}"
    assert board[2] >= 22, f"type too small for the hall: {board[2]}px"
    shot = screenshot(page, "plenary-fullscreen-1920", full_page=False)
    if os.environ.get("ALLIANCE_DOCS_PICTURES"):
        docs_picture(shot, PROJECT_ROOT / "docs" / "screenshot-plenary.png")
    page.get_by_role("button", name="Leave full screen").click()
    page.wait_for_function("() => document.fullscreenElement === null")
    page.set_viewport_size(DESKTOP)
