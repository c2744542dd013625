"""The conference's story in a real browser, from invitation to a verified signature.

One test follows the people of issue 8 through a fresh conference, in order, each in their own
browser context: the organiser imports the delegations, invites, accredits and opens the
declaration; the delegate registers through the e-mailed link, proposes an amendment and signs
with the keyboard alone; staff download the final declaration and the participant list; anyone
checks the signature on the public page. Every page visited is audited (axe-core, structure,
focus, no sideways scrolling) at desktop width and again at phone width, and screenshotted.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from .support import (
    DESKTOP,
    PHONE,
    SCREENSHOT_DIR,
    Account,
    assert_focus_visible,
    audit_page,
    invitation_link,
)

SLUG = "online-safety-2031"
DELEGATE_EMAIL = "kadri.tamm@mfa.example.ee"
DELEGATE_NAME = "Kadri Tamm"
DELEGATE_PASSWORD = "Tallinn signatory 2031!"
NEW_PASSWORD = "Narva lighthouse 77 ferns"  # chosen after "Forgot your password?"
DELEGATIONS_CSV = (
    b"country_code,organisation_name,group,contact_email,delegate_quota\n"
    b"EE,,eu_member,protocol@mfa.example.ee,3\n"
    b"FI,,eu_member,,\n"
    b"LV,,eu_member,,\n"
    b"LT,,eu_member,,2\n"
)
RESERVATION = "Estonia applies commitment 2 within its constitutional order."


def audit_both(page, name: str) -> None:
    """Audit the page as it is at desktop width, then again at 375 px, then back."""
    page.set_viewport_size(DESKTOP)
    audit_page(page, name)
    page.set_viewport_size(PHONE)
    audit_page(page, name)
    page.set_viewport_size(DESKTOP)


def screenshot_band(page, locator, name: str) -> None:
    """The page's full width around ``locator`` (the signing form, for the README)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    locator.scroll_into_view_if_needed()
    box = page.evaluate(
        "(el) => { const r = el.getBoundingClientRect();"
        " return {y: r.top + scrollY, h: r.height}; }",
        locator.element_handle(),
    )
    clip = {"x": 0, "y": max(box["y"] - 12, 0), "width": page.viewport_size["width"]}
    clip["height"] = box["h"] + 24
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=True, clip=clip)


def flash(page) -> str:
    return page.locator(".flash").first.inner_text()


@pytest.fixture(scope="module")
def conference(server_app, accounts):
    """A fresh conference with a draft declaration of four commitments.

    Its own conference, so the seed conference the other journeys read stays as seeded."""
    from datetime import date

    from alliance_conf.auth.operations import find_user_by_email
    from alliance_conf.conferences.models import ConferenceStatus
    from alliance_conf.conferences.operations import create_conference
    from alliance_conf.declarations.demo import seed_content
    from alliance_conf.declarations.operations import create_declaration
    from alliance_conf.delegations.operations import create_delegation
    from alliance_conf.demo.operations import load_seed_data
    from alliance_conf.extensions import db

    with server_app.app_context():
        organiser = find_user_by_email(accounts["organiser"].email)
        conf = create_conference(
            slug=SLUG,
            title="Tallinn Ministerial on Online Safety",
            city="Tallinn",
            start_date=date(2031, 5, 4),
            end_date=date(2031, 5, 5),
            timezone="Europe/Tallinn",
            co_chairs=[
                {"name": "Kristen Michal", "title": "Prime Minister of Estonia"},
                {"name": "Margus Tsahkna", "title": "Minister of Foreign Affairs of Estonia"},
            ],
        )
        conf.status = ConferenceStatus.registration_open
        if not has_page(server_app, "delegations.import_csv"):
            for code in ("EE", "FI", "LV", "LT"):
                create_delegation(conf, group="eu_member", country_code=code)
        content = seed_content(load_seed_data())
        content["preamble"] = [
            {
                "key": "participants",
                "text": "We, the ministers meeting in Tallinn on 4 and 5 May 2031,",
            },
            content["preamble"][1],
        ]
        declaration = create_declaration(
            conf,
            title="Tallinn Declaration on Online Safety",
            content=content,
            actor=organiser,
        )
        db.session.commit()
        keys = [c["key"] for c in content["commitments"]]
        titles = [c["title"] for c in content["commitments"]]
        yield {"slug": conf.slug, "declaration_id": declaration.id, "keys": keys, "titles": titles}


def has_page(app, endpoint: str) -> bool:
    """Whether this build has the page (areas merged at different times add theirs)."""
    return endpoint in app.view_functions


def _import_delegations(organiser) -> None:
    organiser.goto(f"/conferences/{SLUG}/delegations/import")
    audit_both(organiser, "journey-delegations-import")
    organiser.get_by_label("CSV file").set_input_files(
        files=[{"name": "delegations.csv", "mimeType": "text/csv", "buffer": DELEGATIONS_CSV}]
    )
    with organiser.expect_navigation():
        organiser.get_by_role("button", name="Import").click()
    summary = "4 delegations in the file: 4 created, 0 updated, 0 unchanged."
    assert summary in flash(organiser), organiser.locator("main").inner_text()
    audit_both(organiser, "journey-delegations-imported")


def _staff_downloads(staff, declaration_url: str, server_app) -> None:
    """Staff fetch the final declaration (Word) and the published participant list."""
    if has_page(server_app, "documents.declaration_download"):
        staff.goto(declaration_url)
        audit_both(staff, "journey-declaration-open-staff")
        with staff.expect_download() as info:
            staff.get_by_role("link", name="Download the final declaration (.docx)").click()
        download = info.value
        assert download.suggested_filename.endswith(".docx"), download.suggested_filename
        with open(download.path(), "rb") as handle:
            assert handle.read(2) == b"PK", "a .docx is a zip file"
    if has_page(server_app, "participants.export"):
        staff.goto(f"/conferences/{SLUG}/participants")
        audit_both(staff, "journey-participants-staff")
        assert staff.get_by_role("link", name="Full list (CSV)").count() == 0
        with staff.expect_download() as info:
            staff.get_by_role("link", name="Published list (CSV)").click()
        download = info.value
        assert download.suggested_filename == f"{SLUG}-participants-published.csv"
        with open(download.path(), encoding="utf-8-sig") as handle:
            listing = handle.read()
        assert DELEGATE_NAME in listing and "Estonia" in listing
        assert "Vegetarian" not in listing, "needs are for organisers only"


def _mailed_path(server_app, email: str, prefix: str) -> str:
    """The path of the newest link starting with ``prefix`` mailed to ``email``."""
    from alliance_conf.extensions import db
    from alliance_conf.mail.models import MailMessage

    with server_app.app_context():
        bodies = db.session.scalars(
            sa.select(MailMessage.body_text)
            .where(MailMessage.to_address == email)
            .order_by(MailMessage.id.desc())
        ).all()
        db.session.remove()
    for body in bodies:
        match = re.search(r"https?://[^/\s]+(" + re.escape(prefix) + r"\S+)", body)
        if match:
            return match.group(1)
    raise AssertionError(f"no link {prefix}... mailed to {email}")


def _mailed_code(server_app, email: str) -> str:
    from alliance_conf.extensions import db
    from alliance_conf.mail.models import MailMessage

    with server_app.app_context():
        body = db.session.scalar(
            sa.select(MailMessage.body_text)
            .where(MailMessage.to_address == email, MailMessage.subject.like("Confirm your%"))
            .order_by(MailMessage.id.desc())
        )
        db.session.remove()
    assert body, f"no code mailed to {email}"
    return re.search(r"\b(\d{6})\b", body).group(1)


def _new_desktop(browser, live_server):
    context = browser.new_context(
        base_url=live_server,
        bypass_csp=True,
        locale="en-GB",
        reduced_motion="reduce",
        viewport=DESKTOP,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    return context, page


def _focused(page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const label = el.labels && el.labels.length ? el.labels[0].textContent.trim() : '';
            return {id: el.id, tag: el.tagName.toLowerCase(), type: el.type || '', label,
                    text: (el.textContent || '').trim().slice(0, 60), checked: !!el.checked};
        }"""
    )


def _tab_until(page, predicate, what: str, limit: int = 80) -> dict:
    """Press Tab (only Tab) until ``predicate(focused)`` holds; the focus ring must show."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if predicate(focused):
            assert_focus_visible(page)
            return focused
    raise AssertionError(f"Tab never reached {what} on {page.url}")


def test_from_invitation_to_a_verified_signature(
    browser, live_server, server_app, conference, sign_in
):
    declaration_url = f"/declarations/{conference['declaration_id']}"
    contexts = []

    def person(user=None):
        context, page = _new_desktop(browser, live_server)
        contexts.append((context, page))
        if user:
            sign_in(page, user)
        return page

    try:
        # --- organiser: sees the conference, invites Estonia's minister ---------------------
        organiser = person("organiser")
        if has_page(server_app, "delegations.import_csv"):
            _import_delegations(organiser)
        organiser.goto(f"/conferences/{SLUG}")
        assert organiser.get_by_role("heading", level=1).inner_text() == (
            "Tallinn Ministerial on Online Safety"
        )
        assert "EEST (Europe/Tallinn)" in organiser.locator("main").inner_text()
        audit_both(organiser, "journey-conference-organiser")

        organiser.get_by_role("link", name="Invitations", exact=True).click()
        organiser.wait_for_url(re.compile(f"/conferences/{SLUG}/invitations$"))
        audit_both(organiser, "journey-invitations-empty")
        organiser.get_by_role("link", name="Invite someone").click()
        organiser.wait_for_url(re.compile("/invitations/new$"))
        audit_both(organiser, "journey-invite-form")
        organiser.get_by_label("Delegation").select_option(label="Estonia")
        organiser.get_by_label("E-mail of the person invited").fill(DELEGATE_EMAIL)
        organiser.get_by_label("Name (optional)").fill(DELEGATE_NAME)
        organiser.get_by_role("button", name="Send the invitation").click()
        organiser.wait_for_url(re.compile(f"/conferences/{SLUG}/invitations$"))
        assert f"Invitation sent to {DELEGATE_EMAIL} for Estonia." in flash(organiser)
        assert DELEGATE_EMAIL in organiser.get_by_role("table").inner_text()
        audit_both(organiser, "journey-invitations")

        # --- delegate: registers through the link in the e-mail -----------------------------
        link = invitation_link(server_app, DELEGATE_EMAIL)
        delegate = person()
        delegate.goto(link)
        assert "Delegation of Estonia" in delegate.locator("main").inner_text()
        audit_both(delegate, "journey-register")
        delegate.get_by_label("Full name").fill(DELEGATE_NAME)
        assert delegate.get_by_label("E-mail").input_value() == DELEGATE_EMAIL
        delegate.get_by_label("Position or title").fill("Minister of Foreign Affairs")
        delegate.get_by_label("Ministry or organisation").fill("Ministry of Foreign Affairs")
        delegate.get_by_label("Function in the delegation").select_option("minister")
        delegate.get_by_label("Dietary needs (optional)").fill("Vegetarian")
        delegate.get_by_label(re.compile("I agree to appear")).check()
        delegate.get_by_label(re.compile("I have read the privacy notice")).check()
        delegate.get_by_label("Password for your new account").fill(DELEGATE_PASSWORD)
        delegate.get_by_label("Password again").fill(DELEGATE_PASSWORD)
        delegate.get_by_role("button", name="Register").click()
        delegate.wait_for_url(re.compile(r"/registrations/\d+$"))
        assert "your registration is received" in flash(delegate)
        assert "Pending" in delegate.locator("dl.details").inner_text()
        audit_both(delegate, "journey-registration-received")

        # --- organiser: confirms the requested function, grants full powers -----------------
        organiser.goto(f"/conferences/{SLUG}/registrations/pending")
        table = organiser.get_by_role("table").inner_text()
        assert DELEGATE_NAME in table and "requests: Minister" in table
        audit_both(organiser, "journey-pending")
        organiser.get_by_role("link", name=DELEGATE_NAME).click()
        organiser.wait_for_url(re.compile(r"/registrations/\d+$"))
        assert "requests: Minister" in organiser.locator("dl.details").inner_text()
        audit_both(organiser, "journey-approve-with-function")
        assert organiser.get_by_label("Confirmed function").input_value() == "minister"
        with organiser.expect_navigation():
            organiser.get_by_role("button", name="Record the decision").click()
        assert "The registration is now approved." in flash(organiser)
        assert "requests:" not in organiser.locator("dl.details").inner_text()

        organiser.goto(f"/conferences/{SLUG}/signatories")
        audit_both(organiser, "journey-signatories")
        organiser.get_by_role("link", name="Estonia").click()
        organiser.wait_for_url(re.compile(r"/delegations/\d+/members$"))
        audit_both(organiser, "journey-members")
        organiser.get_by_role("link", name=f"Grant full powers of {DELEGATE_NAME}").click()
        organiser.wait_for_url(re.compile(r"/full-powers$"))
        audit_both(organiser, "journey-grant-full-powers")
        organiser.get_by_label("Instrument reference").fill("EE/MFA/2031/FP-17")
        organiser.get_by_label("Minister for Foreign Affairs").check()
        organiser.get_by_label("Date of the instrument").fill("2025-04-20")
        with organiser.expect_navigation():
            organiser.get_by_role("button", name="Grant full powers").click()
        assert f"{DELEGATE_NAME} holds full powers for Estonia." in flash(organiser)
        organiser.goto(f"/conferences/{SLUG}/full-powers")
        register = organiser.locator("main").inner_text()
        assert "EE/MFA/2031/FP-17" in register and "Minister for Foreign Affairs" in register
        audit_both(organiser, "journey-full-powers-register")

        organiser.goto(declaration_url)
        audit_both(organiser, "journey-declaration-draft")
        organiser.get_by_role("link", name="Move to “In consultation”…").click()
        organiser.wait_for_url(re.compile(r"/transition\?to=consultation"))
        audit_both(organiser, "journey-to-consultation")
        organiser.get_by_role("button", name="Move to “In consultation”").click()
        organiser.wait_for_url(re.compile(declaration_url + "$"))
        assert "The declaration is now" in flash(organiser)

        # --- delegate: proposes an amendment to commitment 2 --------------------------------
        delegate.goto(declaration_url)
        audit_both(delegate, "journey-declaration-consultation")
        delegate.get_by_role("link", name="Propose an amendment").click()
        delegate.wait_for_url(re.compile("/amendments/new"))
        audit_both(delegate, "journey-amendment-form")
        delegate.get_by_label("Paragraph or commitment to amend").select_option(
            conference["keys"][1]
        )
        delegate.get_by_label("Change proposed").select_option("replace")
        delegate.get_by_label("Proposed text").fill(
            "Enhance efforts to investigate cases of child sexual abuse online and to identify "
            "and prosecute offenders, including through cooperation between police forces."
        )
        delegate.get_by_label("Justification").fill("Cross-border cases need police cooperation.")
        delegate.get_by_label(re.compile("Submit it now")).check()
        delegate.get_by_role("button", name="Save the amendment").click()
        delegate.wait_for_url(re.compile(r"/amendments/\d+$"))
        assert re.search(r"Amendment #\d+ ", flash(delegate))
        amendment_url = delegate.url
        audit_both(delegate, "journey-amendment")

        # --- organiser: accepts it, then freezes the text and opens it for signature --------
        organiser.goto(amendment_url)
        organiser.get_by_label("I have read the change").check()
        with organiser.expect_navigation():
            organiser.get_by_role("button", name="Accept: apply it as a new revision").click()
        assert "accepted" in flash(organiser)

        organiser.goto(declaration_url)
        organiser.get_by_role("link", name="Move to “Open for signature”…").click()
        organiser.wait_for_url(re.compile(r"/transition\?to=open"))
        assert "This cannot be undone for the text" in organiser.locator("main").inner_text()
        audit_both(organiser, "journey-freeze-confirmation")
        with organiser.expect_navigation():
            organiser.get_by_role("button", name="Move to “Open for signature”").click()
        assert "There is a problem" in organiser.get_by_role("alert").inner_text(), (
            "freezing without ticking the confirmation must be refused"
        )
        audit_both(organiser, "journey-freeze-unconfirmed")
        organiser.get_by_label(re.compile("I understand that the text will be frozen")).check()
        organiser.get_by_role("button", name="Move to “Open for signature”").click()
        organiser.wait_for_url(re.compile(declaration_url + "$"))
        assert "The declaration is now open for signature" in flash(organiser)
        text_hash = organiser.locator("code.hash").first.inner_text().strip()
        assert re.fullmatch(r"[0-9a-f]{64}", text_hash)

        # --- delegate: forgot the password, chooses a new one through the e-mailed link ------
        forgetful = person()
        forgetful.goto("/auth/login")
        forgetful.get_by_role("link", name="Forgot your password, or never set one?").click()
        forgetful.get_by_label("E-mail").fill(DELEGATE_EMAIL)
        with forgetful.expect_navigation():
            forgetful.get_by_role("button", name="Send me a link").click()
        assert "a link to choose a new password is on its way" in flash(forgetful)
        forgetful.goto(_mailed_path(server_app, DELEGATE_EMAIL, "/auth/password/"))
        audit_both(forgetful, "journey-choose-password")
        forgetful.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        forgetful.get_by_label("New password again").fill(NEW_PASSWORD)
        with forgetful.expect_navigation():
            forgetful.get_by_role("button", name="Save the password").click()
        assert "Your password is set." in flash(forgetful)
        delegate.goto("/me")  # the session from before the reset has ended
        assert "/auth/login" in delegate.url
        sign_in(delegate, Account("delegate", DELEGATE_EMAIL, NEW_PASSWORD, DELEGATE_NAME, ""))

        # --- delegate, as signatory: signs with the keyboard alone ---------------------------
        delegate.goto(declaration_url)
        delegate.get_by_role("link", name="Sign this declaration").click()
        delegate.wait_for_url(re.compile(r"/sign$"))
        assert text_hash in delegate.locator("main").inner_text()
        audit_both(delegate, "journey-sign")
        delegate.set_viewport_size(PHONE)  # a minister's phone with a keyboard attached
        receipt_code = _sign_with_the_keyboard(delegate, conference)
        delegate.set_viewport_size(DESKTOP)

        delegate.wait_for_url(re.compile(r"/signatures/\d+$"))
        message = flash(delegate)
        assert f"Signed on behalf of Estonia. Verification code: {receipt_code}." in message
        details = delegate.locator("dl.details").first.inner_text()
        # Commitments by number and title, as a minister reads them, never by internal key.
        labels = [f"{n}. {conference['titles'][n - 1]}" for n in (1, 2, 3, 4)]
        assert "; ".join(labels[:3]) in details and labels[3] not in details
        assert ", ".join(conference["keys"][:3]) not in details
        assert text_hash in details
        statements = delegate.get_by_role("list").filter(has_text=RESERVATION).inner_text()
        assert f"Reservation on {labels[1]}: {RESERVATION}" in statements
        audit_both(delegate, "journey-receipt")

        delegate.get_by_role("link", name="Withdraw this signature…").click()
        delegate.wait_for_url(re.compile(r"/withdraw$"))
        audit_both(delegate, "journey-withdraw-confirmation")
        with delegate.expect_navigation():
            delegate.get_by_role("button", name="Withdraw the signature").click()
        assert delegate.get_by_role("alert").is_visible(), "a withdrawal needs its reason"
        delegate.get_by_role("link", name="Cancel").click()
        delegate.wait_for_url(re.compile(r"/signatures/\d+$"))

        # --- organiser: the status board counts Estonia -------------------------------------
        organiser.goto(f"{declaration_url}/signatures")
        board = organiser.locator("main").inner_text()
        assert "Estonia" in board and DELEGATE_NAME in board
        audit_both(organiser, "journey-status-board")

        # --- staff: download the final declaration and the participant list ----------------
        _staff_downloads(person("staff"), declaration_url, server_app)

        # --- anyone: checks the signature on the public page --------------------------------
        visitor = person()
        visitor.goto(f"/verify/{receipt_code}")
        verdict = visitor.locator("main").inner_text()
        for expected in ("Valid", "Active", "Estonia", DELEGATE_NAME, text_hash):
            assert expected in verdict, f"{expected!r} missing from {verdict}"
        assert "Minister of Foreign Affairs" in verdict
        assert DELEGATE_EMAIL not in verdict
        audit_both(visitor, "journey-verify")

        # --- delegate: withdraws, with a reason; the public page says so --------------------
        delegate.get_by_role("link", name="Withdraw this signature…").click()
        delegate.get_by_label("Reason for withdrawing").fill(
            "Signed before the cabinet's approval."
        )
        delegate.get_by_label("Your password (again)").fill(NEW_PASSWORD)  # step-up, as to sign
        with delegate.expect_navigation():
            delegate.get_by_role("button", name="Withdraw the signature").click()
        assert delegate.locator(".flash").count(), delegate.locator("main").inner_text()[:1500]
        assert "The signature is withdrawn. It stays listed as withdrawn." in flash(delegate)
        estonia = delegate.get_by_role("row").filter(has_text="Estonia").first.inner_text()
        assert "Withdrawn on" in estonia, estonia
        visitor.reload()
        assert "Withdrawn on" in visitor.locator("main").inner_text()
    finally:
        for context, page in contexts:
            context.close()
            assert not page.js_errors, f"JavaScript errors: {page.js_errors}"


def _sign_with_the_keyboard(page, conference) -> str:
    """Tab, Space, Enter and typing only: untick commitment 4, add a reservation, sign."""
    keys = conference["keys"]
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    page.evaluate("() => window.scrollTo(0, 0)")

    fourth = _tab_until(
        page,
        lambda f: f["type"] == "checkbox" and f["label"] == conference["titles"][3],
        "the fourth commitment",
    )
    assert fourth["checked"], "every commitment starts ticked"
    page.keyboard.press("Space")
    assert not _focused(page)["checked"]

    _tab_until(page, lambda f: f["id"] == "statement_kind", "the kind of statement")
    page.keyboard.type("Reservation")
    assert page.locator("#statement_kind").input_value() == "reservation"
    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "statement_target"
    page.keyboard.type("Commitment 2")
    assert page.locator("#statement_target").input_value() == keys[1]
    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "statement_text"
    page.keyboard.type(RESERVATION)

    _tab_until(page, lambda f: f["id"] == "password", "the password")
    page.keyboard.type(NEW_PASSWORD)
    _tab_until(page, lambda f: f["id"] == "typed_name", "the typed name")
    page.keyboard.type(DELEGATE_NAME)
    screenshot_band(page, page.locator("main form").last, "journey-sign-form-phone")
    with page.expect_navigation():  # forgot the confirmation box: refused, nothing signed
        page.keyboard.press("Enter")
    assert page.get_by_role("alert").is_visible()
    assert "Tick the box to confirm that you sign." in page.locator("main").inner_text()
    boxes = page.locator("input[name=endorsed]")
    assert [boxes.nth(i).is_checked() for i in range(4)] == [True, True, True, False]

    page.evaluate("() => window.scrollTo(0, 0)")
    page.locator("body").focus()
    _tab_until(page, lambda f: f["id"] == "password", "the password again")
    page.keyboard.type(NEW_PASSWORD)
    _tab_until(page, lambda f: f["id"] == "confirm", "the confirmation box")
    page.keyboard.press("Space")
    assert _focused(page)["checked"]
    button = _tab_until(
        page, lambda f: f["tag"] == "button" and f["text"].startswith("Sign for"), "Sign"
    )
    assert button["text"] == "Sign for Estonia"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/signatures/\d+$"))
    code = re.search(r"Verification code: ([0-9A-Z]{5}-[0-9A-Z]{5})", flash(page))
    assert code, flash(page)
    return code.group(1)


def test_registering_with_another_address_proves_it_with_a_code(
    browser, live_server, server_app, conference, sign_in
):
    """The invitation reached an office address; the minister registers with a personal one."""
    from alliance_conf.conferences.models import Conference
    from alliance_conf.delegations.models import Delegation
    from alliance_conf.delegations.operations import create_delegation
    from alliance_conf.extensions import db

    with server_app.app_context():
        conf = db.session.scalar(sa.select(Conference).where(Conference.slug == SLUG))
        finland = db.session.scalar(
            sa.select(Delegation).where(
                Delegation.conference_id == conf.id, Delegation.country_code == "FI"
            )
        )
        if finland is None:
            create_delegation(conf, group="eu_member", country_code="FI")
            db.session.commit()
        db.session.remove()
    contexts = []
    try:
        context, organiser = _new_desktop(browser, live_server)
        contexts.append(context)
        sign_in(organiser, "organiser")
        organiser.goto(f"/conferences/{SLUG}/invitations/new")
        organiser.get_by_label("Delegation").select_option(label="Finland")
        organiser.get_by_label("E-mail of the person invited").fill("protocol@formin.example.fi")
        with organiser.expect_navigation():
            organiser.get_by_role("button", name="Send the invitation").click()
        context, page = _new_desktop(browser, live_server)
        contexts.append(context)
        _register_with_another_address(page, server_app)
    finally:
        for context in contexts:
            context.close()


def _register_with_another_address(page, server_app) -> None:
    page.goto(invitation_link(server_app, "protocol@formin.example.fi"))
    typed = {
        "Full name": "Aino Virtanen",
        "Position or title": "Minister for Foreign Affairs",
        "Ministry or organisation": "Ministry for Foreign Affairs",
    }
    for label, value in typed.items():
        page.get_by_label(label).fill(value)
    page.get_by_label("E-mail", exact=True).fill("aino.virtanen@example.fi")
    page.get_by_label(re.compile("I have read the privacy notice")).check()
    password = "Helsinki harbour 44 birches"
    page.get_by_label("Password for your new account").fill(password)
    page.get_by_label("Password again").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Register").click()
    assert "We sent a 6-digit code to aino.virtanen@example.fi" in page.locator("main").inner_text()
    audit_both(page, "journey-register-code")
    page.get_by_label("Code sent to your e-mail address").fill(
        _mailed_code(server_app, "aino.virtanen@example.fi")
    )
    page.get_by_label("Password for your new account").fill(password)
    page.get_by_label("Password again").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Register").click()
    assert "your registration is received" in flash(page)
