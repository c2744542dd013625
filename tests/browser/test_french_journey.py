# ruff: noqa: RUF001 - French text uses the typographic apostrophe (U+2019) on purpose
"""Issue 14's "Done when", in a real browser: the whole delegate journey in French.

A French-speaking minister (browser locale fr-FR, so Accept-Language: fr) registers through the
invitation link, proposes an amendment to the French text and signs, without a word of the
interface in English; staff download the bilingual final declaration (English and French side by
side); the receipt shows the hash of each language version. The organiser's steps (approve, full
powers, accept the amendment, bring the English item back in step, open for signature) go
through operations to keep the test short: other journeys drive those pages. Every page the
delegate sees is audited (axe-core, structure, focus) at desktop width and at 375 px.
"""

from __future__ import annotations

import io
import os
import re
import shutil

import pytest
import sqlalchemy as sa

from .support import DESKTOP, PHONE, PROJECT_ROOT, audit_page, invitation_link, screenshot

SLUG = "bruxelles-2032"
ENGLISH_TITLE = "Declaration on launching the Global Alliance against Child Sexual Abuse Online"
DELEGATE_EMAIL = "claire.dubois@diplomatie.example.fr"
DELEGATE_NAME = "Claire Dubois"
DELEGATE_PASSWORD = "Quai d’Orsay 1919 tilleuls"
FRENCH_AMENDMENT = (
    "Intensifier nettement les efforts visant à identifier les victimes et à leur apporter "
    "l’aide, le soutien et la protection nécessaires, y compris par la coopération policière."
)
ENGLISH_UPDATE = (
    "Greatly enhancing efforts to identify victims and ensuring that they receive the "
    "necessary assistance, support and protection, including through police cooperation."
)
# Interface text that must not show on a French page (the chrome and the words of each page).
ENGLISH_INTERFACE = (
    "Sign in",
    "Sign out",
    "Skip to main content",
    "Declaration",
    "Amendment",
    "Password",
    "Register",
    "Full name",
    "Pending",
    "Propose an amendment",
    "Submit",
    "Verification code",
    "Signed on behalf of",
    "Commitments",
    "Reservation",
    "Revision",
    "There is a problem",
    # dates: French month names, in the conference's zone (Europe/Brussels), never UTC
    *[
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "UTC",
)


def audit_both(page, name: str) -> None:
    page.set_viewport_size(DESKTOP)
    audit_page(page, name)
    page.set_viewport_size(PHONE)
    audit_page(page, name)
    page.set_viewport_size(DESKTOP)


def flash(page) -> str:
    return page.locator(".flash").first.inner_text()


def assert_french(page, *expected: str) -> None:
    """The page is in French: lang="fr", the expected French words, no English interface text."""
    assert page.evaluate("() => document.documentElement.lang").startswith("fr"), page.url
    text = page.locator("body").inner_text().replace("\xa0", " ").replace("\u202f", " ")
    for words in expected:
        assert words in text, f"{words!r} missing from {page.url}:\n{text[:3000]}"
    # The declaration's stored title is data, in its drafting language (English) on every page.
    text = text.replace(ENGLISH_TITLE, "")
    english = [w for w in ENGLISH_INTERFACE if re.search(rf"\b{re.escape(w)}\b", text)]
    assert not english, f"English interface text on {page.url}: {english}\n{text[:3000]}"


def _new_context(browser, live_server, locale: str):
    context = browser.new_context(
        base_url=live_server,
        bypass_csp=True,
        locale=locale,
        reduced_motion="reduce",
        viewport=DESKTOP,
    )
    context.set_default_timeout(20_000)  # full-page screenshots are slow on a busy machine
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    return context, page


@pytest.fixture(scope="module")
def bilingual(server_app, accounts):
    """A conference in English and French, its declaration in consultation in both languages,
    and France's delegation. (The invitation is sent from the live server: its link is signed
    with the server's secret.)"""
    from datetime import date

    from alliance_conf.auth.operations import find_user_by_email
    from alliance_conf.conferences.models import ConferenceStatus
    from alliance_conf.conferences.operations import create_conference
    from alliance_conf.declarations import transitions
    from alliance_conf.declarations.demo import seed_content, seed_content_fr
    from alliance_conf.declarations.operations import create_declaration
    from alliance_conf.delegations.operations import create_delegation
    from alliance_conf.demo.operations import load_seed_data
    from alliance_conf.extensions import db

    with server_app.app_context():
        organiser = find_user_by_email(accounts["organiser"].email)
        conf = create_conference(
            slug=SLUG,
            title="Brussels Ministerial on Child Protection Online",
            city="Brussels",
            start_date=date(2032, 3, 8),
            end_date=date(2032, 3, 9),
            timezone="Europe/Brussels",
            co_chairs=[
                {"name": "Marie Lefèvre", "title": "Ministre de la Justice"},
                {"name": "Jan Peeters", "title": "Minister of Home Affairs"},
            ],
            languages=["en", "fr"],
        )
        conf.status = ConferenceStatus.registration_open
        france = create_delegation(conf, group="eu_member", country_code="FR")
        seed = load_seed_data()
        english, french = seed_content(seed), seed_content_fr(seed)
        declaration = create_declaration(
            conf,
            title=english["title"],
            content=english,
            translations={"fr": french},
            actor=organiser,
        )
        transitions.transition(declaration, "consultation", actor=organiser)
        db.session.commit()
        data = {
            "declaration_id": declaration.id,
            "delegation": france.name,
            "english": english,
            "french": french,
        }
        db.session.remove()
    return data


def _check_bilingual_edition(path, bilingual) -> None:
    """English and French side by side: one row per item, English left, French right."""
    from docx import Document

    with open(path, "rb") as handle:
        document = Document(io.BytesIO(handle.read()))
    rows = [
        tuple(cell.text.strip() for cell in row.cells)
        for table in document.tables
        for row in table.rows
        if len(row.cells) == 2
    ]
    english, french = bilingual["english"], bilingual["french"]
    assert ("English", "Français") in rows, rows[:2]
    pairs = [
        (english["preamble"][0]["text"], french["preamble"][0]["text"]),
        (ENGLISH_UPDATE, FRENCH_AMENDMENT),
        (english["commitments"][1]["text"], french["commitments"][1]["text"]),
        (english["closing"][0]["text"], french["closing"][0]["text"]),
        ("For the French Republic", "Pour la République française"),  # the signatory, both ways
    ]
    for left, right in pairs:
        assert any(left in row[0] and right in row[1] for row in rows), (left, right, rows)
    assert any(DELEGATE_NAME in row[0] and DELEGATE_NAME in row[1] for row in rows)
    whole = "\n".join(p.text for p in document.paragraphs)
    assert english["title"] in whole and french["title"] in whole, whole[:1000]


def _organiser_approves(server_app, accounts) -> None:
    """Approve the minister as minister and record her full powers."""
    from alliance_conf.auth.operations import find_user_by_email
    from alliance_conf.extensions import db
    from alliance_conf.registrations.models import Registration
    from alliance_conf.registrations.operations import change_status
    from alliance_conf.registrations.powers import Instrument, grant_full_powers

    with server_app.app_context():
        organiser = find_user_by_email(accounts["organiser"].email)
        minister = find_user_by_email(DELEGATE_EMAIL)
        registration = db.session.scalar(
            sa.select(Registration).where(Registration.user_id == minister.id)
        )
        change_status(registration, "approved", actor=organiser, function="minister")
        grant_full_powers(
            registration,
            Instrument("FR/MEAE/2026/PP-4", "foreign_minister", issued_on="2026-11-20"),
            actor=organiser,
        )
        db.session.commit()
        db.session.remove()


def _organiser_accepts_and_opens(server_app, accounts, declaration_id: int, amendment_id: int):
    """Accept the French amendment, bring the English item back in step, open for signature."""
    import json

    from alliance_conf.auth.operations import find_user_by_email
    from alliance_conf.declarations import amendments, operations, transitions
    from alliance_conf.declarations.models import Amendment
    from alliance_conf.extensions import db

    with server_app.app_context():
        organiser = find_user_by_email(accounts["organiser"].email)
        declaration = operations.get_declaration(declaration_id)
        amendment = db.session.get(Amendment, amendment_id)
        revision = amendments.accept_amendment(amendment, actor=organiser)
        assert revision.out_of_step == {"en": ["victims"], "fr": []}, revision.out_of_step
        english = json.loads(json.dumps(revision.text_in("en")))
        english["commitments"][0]["text"] = ENGLISH_UPDATE
        operations.save_translation(declaration, language="en", content=english, actor=organiser)
        transitions.transition(declaration, "open", actor=organiser)
        db.session.commit()
        hashes = dict(declaration.language_hashes)
        db.session.remove()
    return hashes


def test_a_french_delegate_registers_amends_and_signs_in_french(
    browser, live_server, server_app, bilingual, accounts, sign_in
):
    declaration_url = f"/declarations/{bilingual['declaration_id']}"
    contexts = []
    try:
        context, delegate = _new_context(browser, live_server, "fr-FR")
        contexts.append((context, delegate))

        # --- the organiser (in English) invites France's minister -----------------------------
        context, organiser = _new_context(browser, live_server, "en-GB")
        contexts.append((context, organiser))
        sign_in(organiser, "organiser")
        organiser.goto(f"/conferences/{SLUG}/invitations/new")
        organiser.get_by_label("Delegation").select_option(label="France")
        organiser.get_by_label("E-mail of the person invited").fill(DELEGATE_EMAIL)
        organiser.get_by_label("Name (optional)").fill(DELEGATE_NAME)
        with organiser.expect_navigation():
            organiser.get_by_role("button", name="Send the invitation").click()
        assert f"Invitation sent to {DELEGATE_EMAIL} for France." in flash(organiser)

        # --- registers through the invitation link ------------------------------------------
        delegate.goto(invitation_link(server_app, DELEGATE_EMAIL))
        assert_french(
            delegate,
            "Inscription : Brussels Ministerial on Child Protection Online",
            "Délégation : France",
        )
        audit_both(delegate, "french-register")
        delegate.get_by_label("Nom complet").fill(DELEGATE_NAME)
        assert delegate.get_by_label("Courriel").input_value() == DELEGATE_EMAIL
        delegate.get_by_label("Poste ou titre").fill(
            "Ministre de l’Europe et des Affaires étrangères"
        )
        delegate.get_by_label("Ministère ou organisation").fill(
            "Ministère de l’Europe et des Affaires étrangères"
        )
        delegate.get_by_label("Fonction dans la délégation").select_option(label="Ministre")
        delegate.get_by_label(re.compile("J’accepte de figurer")).check()
        delegate.get_by_label(re.compile("J’ai lu la déclaration de confidentialité")).check()
        delegate.get_by_label("Mot de passe de votre nouveau compte").fill(DELEGATE_PASSWORD)
        delegate.get_by_label("Mot de passe (confirmation)").fill(DELEGATE_PASSWORD)
        delegate.get_by_role("button", name="S’inscrire").click()
        delegate.wait_for_url(re.compile(r"/registrations/\d+$"))
        assert "votre inscription a été reçue" in flash(delegate)
        assert_french(delegate, "Inscription de Claire Dubois", "Statut", "En attente")
        audit_both(delegate, "french-registration-received")

        # --- the organiser approves her as minister and records her full powers -------------
        _organiser_approves(server_app, accounts)

        # --- proposes an amendment to the French text of commitment 1 -----------------------
        delegate.goto(declaration_url)
        delegate.locator("main").get_by_role("link", name="Français", exact=True).click()
        delegate.wait_for_url(re.compile(r"lang=fr"))
        assert_french(
            delegate, "État : En consultation", "Texte actuel", bilingual["french"]["title"]
        )
        main = delegate.locator("main").inner_text()
        assert bilingual["french"]["commitments"][0]["text"] in main
        assert bilingual["english"]["commitments"][0]["text"] not in main
        audit_both(delegate, "french-declaration-consultation")
        delegate.get_by_role("link", name="Proposer un amendement").click()
        delegate.wait_for_url(re.compile("/amendments/new"))
        assert_french(
            delegate, "Proposer un amendement", "Vous amendez le texte (français)", "Justification"
        )
        audit_both(delegate, "french-amendment-form")
        delegate.get_by_label("Paragraphe ou engagement à amender").select_option("victims")
        delegate.get_by_label("Modification proposée").select_option("replace")
        delegate.get_by_label("Texte proposé").fill(FRENCH_AMENDMENT)
        delegate.get_by_label("Justification").fill(
            "La coopération policière est indispensable dans les affaires transfrontières."
        )
        delegate.get_by_label(re.compile("Le soumettre maintenant")).check()
        delegate.get_by_role("button", name="Enregistrer l’amendement").click()
        delegate.wait_for_url(re.compile(r"/amendments/\d+$"))
        assert re.search(r"Amendement nº \d+ soumis", flash(delegate)), flash(delegate)
        assert_french(delegate, "État : Soumis", "Texte proposé", FRENCH_AMENDMENT)
        audit_both(delegate, "french-amendment")
        amendment_id = int(delegate.url.rsplit("/", 1)[1])

        hashes = _organiser_accepts_and_opens(
            server_app, accounts, bilingual["declaration_id"], amendment_id
        )
        assert set(hashes) == {"en", "fr"}

        # --- signs --------------------------------------------------------------------------
        delegate.goto(declaration_url)
        delegate.get_by_role("link", name="Signer cette déclaration").click()
        delegate.wait_for_url(re.compile(r"/sign$"))
        assert_french(
            delegate,
            "Signer la déclaration pour France",
            "Vous signez les textes anglais et français",
            "Engagements que votre pays approuve",
            FRENCH_AMENDMENT,
            hashes["en"],
            hashes["fr"],
        )
        audit_both(delegate, "french-sign")
        # The README's French page: the top of the signing page, as the minister first sees it.
        delegate.evaluate(
            "() => { document.activeElement && document.activeElement.blur(); scrollTo(0, 0); }"
        )
        shot = screenshot(delegate, "french-sign-top-desktop", full_page=False)
        if os.environ.get("ALLIANCE_DOCS_PICTURES"):  # scripts/docs_pictures.py
            shutil.copyfile(shot, PROJECT_ROOT / "docs" / "screenshot-signing-french.png")
        delegate.get_by_label("Votre mot de passe (de nouveau)").fill(DELEGATE_PASSWORD)
        delegate.get_by_label(re.compile("Saisissez votre nom complet")).fill(DELEGATE_NAME)
        delegate.get_by_role("button", name="Signer pour France").click()
        delegate.wait_for_url(re.compile(r"/sign$"))  # the box was not ticked: refused
        assert_french(
            delegate, "Un problème est survenu", "Cochez la case pour confirmer que vous signez."
        )
        audit_both(delegate, "french-sign-refused")
        delegate.get_by_label("Votre mot de passe (de nouveau)").fill(DELEGATE_PASSWORD)
        delegate.get_by_label("Je signe ce texte au nom de ma délégation").check()
        delegate.get_by_role("button", name="Signer pour France").click()
        delegate.wait_for_url(re.compile(r"/signatures/\d+$"))
        code = re.search(
            r"Signature enregistrée \(délégation : France\)\. Code de vérification : ([0-9A-Z]{5}-[0-9A-Z]{5})\.",
            flash(delegate).replace("\xa0", " "),
        )
        assert code, flash(delegate)
        assert_french(delegate, "Signature de France", "Statut : Signé", "Récépissé signé")
        # The receipt names each language version with its hash.
        versions = delegate.locator("main").inner_text().replace("\xa0", " ")
        assert re.search(rf"Anglais \(en\)\s+SHA-256 {hashes['en']}", versions), versions
        assert re.search(rf"Français \(fr\)\s+SHA-256 {hashes['fr']}", versions), versions
        audit_both(delegate, "french-receipt")
        screenshot(delegate, "french-receipt-desktop")

        # --- staff download the bilingual final declaration ---------------------------------
        context, staff = _new_context(browser, live_server, "en-GB")
        contexts.append((context, staff))
        sign_in(staff, "staff")
        staff.goto(f"{declaration_url}/documents")
        with staff.expect_download() as info:
            staff.get_by_role("button", name="Download the bilingual edition (.docx)").click()
        _check_bilingual_edition(info.value.path(), bilingual)
    finally:
        for context, page in contexts:
            context.close()
            assert not page.js_errors, f"JavaScript errors: {page.js_errors}"
