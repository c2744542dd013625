"""Signing in French, and signatures that bind every language version of the declaration.

The seed declaration is authentic in English and French: once frozen, ``language_hashes`` holds
each language's SHA-256 and ``text_hash`` is the hash of their manifest. The signing page says
which versions are signed and lets the signatory read either; the receipt, the public
verification (page and API) and ``flask signatures verify`` show both hashes; changing either
language's stored text after freezing is caught.
"""

from __future__ import annotations

import html
import re

import sqlalchemy as sa

from alliance_conf.declarations import canonical
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.mail.models import MailMessage
from alliance_conf.testing.fixtures import TEST_PASSWORD
from plugins.signatures.chain import verify_chain
from plugins.signatures.models import Signature
from plugins.signatures.receipts import format_code, public_verification
from plugins.signatures.tests.support import sign_payload
from plugins.signatures.tests.test_signing import revision_trigger_disabled

FR = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}
NBSP = "\u00a0"
APOS = "\u2019"  # the typographic apostrophe of the French catalogue


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _sign(client, declaration, user, headers=FR, **fields):
    data = {
        "endorsed": ["victims", "offenders", "awareness", "availability"],
        "password": TEST_PASSWORD,
        "typed_name": user.full_name,
        "confirm": "y",
        **fields,
    }
    return client.post(f"/declarations/{declaration.id}/sign", data=data, headers=headers)


def test_frozen_declaration_hashes_each_language(app, declaration):
    hashes = declaration.language_hashes
    assert set(hashes) == {"en", "fr"}
    assert canonical.manifest_hash(hashes) == declaration.text_hash
    revision = declaration.frozen_revision
    assert hashes["fr"] == canonical.text_hash(revision.text_in("fr"))


def test_signing_page_in_french_names_both_versions(app, client, login, head, declaration):
    login(head)
    page = client.get(f"/declarations/{declaration.id}/sign", headers=FR)
    assert page.status_code == 200
    text = _text(page)
    assert "Le texte que vous signez" in text
    assert f"Vous signez les textes anglais et français, qui font l{APOS}un et l{APOS}autre" in text
    for digest in declaration.language_hashes.values():
        assert digest in text
    # The text is shown in French (the reader's language) and can be read in English.
    assert "Identification des victimes et assistance à celles-ci" in text
    assert "Saisissez votre nom complet pour signer" in text
    assert "?text=en" in text
    english = _text(client.get(f"/declarations/{declaration.id}/sign?text=en", headers=FR))
    assert "Identifying and assisting victims" in english
    assert "Le texte que vous signez" in english  # the interface stays French
    # In English the sentence reads as such.
    english_ui = _text(client.get(f"/declarations/{declaration.id}/sign"))
    assert "You sign the English and French texts, both equally authentic." in english_ui
    assert "Identifying and assisting victims" in english_ui


def test_french_signing_errors_and_typed_name(app, client, login, head, declaration, counts):
    login(head)
    before = counts()
    refused = _sign(client, declaration, head, typed_name="Jean Martin")
    assert refused.status_code == 422
    text = _text(refused)
    assert f"Ne correspond pas à votre nom, «{NBSP}Hélène Dubois{NBSP}»." in text
    unticked = _sign(client, declaration, head, confirm="")
    assert "Cochez la case pour confirmer que vous signez." in _text(unticked)
    assert counts()["signatures"] == before["signatures"]
    # Typed without accents or capitals on a keyboard that has none: accepted.
    signed = _sign(client, declaration, head, typed_name="  helene   DUBOIS ")
    assert signed.status_code == 302, _text(signed)[:2000]
    flashed = _text(client.get(signed.headers["Location"], headers=FR))
    assert "Signature enregistrée (délégation" in flashed and "Code de vérification" in flashed


def test_receipt_and_verification_in_french_show_both_hashes(app, client, login, head, declaration):
    login(head)
    response = _sign(client, declaration, head)
    assert response.status_code == 302
    signature = db.session.scalar(sa.select(Signature).where(Signature.signatory_id == head.id))
    hashes = declaration.language_hashes

    receipt = _text(client.get(response.headers["Location"], headers=FR))
    assert "Les versions linguistiques signées" in receipt
    assert "Les textes anglais et français ont été signés" in receipt
    assert "Engagements approuvés" in receipt and "Récépissé signé" in receipt
    for code in ("en", "fr"):
        assert hashes[code] in receipt
    # The signed receipt itself names each language's hash; their manifest is the hash signed.
    document = client.get(f"/signatures/{signature.id}/receipt.json").get_json()
    assert document["receipt"]["language_hashes"] == hashes
    assert (
        canonical.manifest_hash(document["receipt"]["language_hashes"])
        == (document["receipt"]["text_hash"])
    )
    checked = client.post("/api/v1/signatures/receipts/check", json=document, headers=FR).get_json()
    assert checked["valid"] is True
    assert checked["message"] == f"Récépissé authentique d{APOS}une signature active."

    code = format_code(signature.verification_code)
    client.post("/auth/logout")
    page = client.get(f"/verify/{code}", headers=FR)
    assert page.status_code == 200
    text = _text(page)
    assert "Vérification de la signature" in text and "Valide" in text
    assert "Les textes anglais et français ont été signés" in text
    assert hashes["en"] in text and hashes["fr"] in text
    assert re.search(r"\d{1,2} \w+ 2\d{3}", text)  # the date, in the conference's zone

    api = client.get(f"/api/v1/verify/{code}").get_json()
    assert api["language_hashes"] == hashes and api["text_hash"] == declaration.text_hash
    assert api["valid"] is True


def test_api_errors_in_french_keep_their_code(app, client, head, declaration, api_headers):
    wrong = client.post(
        f"/api/v1/declarations/{declaration.id}/signatures",
        json={**sign_payload(head), "password": "not the password"},
        headers={**api_headers(head), **FR},
    )
    assert wrong.status_code == 403
    error = wrong.get_json()["error"]
    assert error["code"] == "reauthentication_failed"
    assert error["message"].startswith("Le mot de passe est incorrect")
    assert error["fields"]["password"] == "Mot de passe erroné."

    name = client.post(
        f"/api/v1/declarations/{declaration.id}/signatures",
        json={**sign_payload(head), "typed_name": "Someone Else"},
        headers={**api_headers(head), **FR},
    ).get_json()["error"]
    assert name["code"] == "validation_failed"
    assert (
        name["fields"]["typed_name"]
        == f"Ne correspond pas à votre nom, «{NBSP}Hélène Dubois{NBSP}»."
    )

    unknown = client.get("/api/v1/verify/AAAAA-AAAAA", headers=FR)
    assert unknown.status_code == 404
    assert unknown.get_json()["error"]["code"] == "not_found"
    assert unknown.get_json()["error"]["message"].startswith("Aucune signature ne porte ce code")
    # Without Accept-Language: English, same code.
    english = client.get("/api/v1/verify/AAAAA-AAAAA").get_json()["error"]
    assert english["code"] == "not_found"
    assert english["message"].startswith("No signature has this verification code")


def test_cli_verify_shows_each_language_hash(app, cli, declaration, make_signatory, tmp_path):
    import json

    from plugins.signatures.operations import sign_declaration
    from plugins.signatures.receipts import signed_receipt

    user = make_signatory("IE")
    signature = sign_declaration(
        declaration, actor=user, password=TEST_PASSWORD, typed_name=user.full_name
    )
    db.session.commit()
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(signed_receipt(signature)), encoding="utf-8")
    checked = cli("signatures", "verify-receipt", str(path))
    assert checked.exit_code == 0, checked.output
    assert f"French (fr): SHA-256 {declaration.language_hashes['fr']}" in checked.output
    assert f"English (en): SHA-256 {declaration.language_hashes['en']}" in checked.output
    result = cli("signatures", "verify", "global-alliance-2012")
    assert result.exit_code == 0, result.output
    assert f"English (en): SHA-256 {declaration.language_hashes['en']}" in result.output
    # The command line speaks the installation's default language (English).
    assert f"French (fr): SHA-256 {declaration.language_hashes['fr']}" in result.output
    assert f"text signed: SHA-256 {declaration.text_hash}" in result.output


def test_changing_either_language_after_freezing_is_detected(app, cli, declaration, make_signatory):
    from plugins.signatures.operations import sign_declaration

    user = make_signatory("IE")
    signature = sign_declaration(
        declaration, actor=user, password=TEST_PASSWORD, typed_name=user.full_name
    )
    db.session.commit()
    assert verify_chain(declaration).ok
    revision = declaration.frozen_revision
    table = revision.__table__
    original_translations = dict(revision.translations)
    original_content = dict(revision.content)

    def store(**values):
        with db.engine.begin() as conn, revision_trigger_disabled(conn):
            conn.execute(sa.update(table).where(table.c.id == revision.id).values(**values))
        db.session.expire_all()

    # The French version alone is changed (the English text and every hash row untouched).
    french = dict(original_translations["fr"])
    french["closing"] = [dict(item) for item in french["closing"]]
    french["closing"][0]["text"] = "Nous ne nous engageons à rien."
    store(translations={**original_translations, "fr": french})
    report = verify_chain(declaration)
    assert not report.ok
    assert "the fr text signed no longer hashes" in report.problems[0]
    assert any("language versions frozen no longer hash" in p for p in report.problems)
    assert public_verification(db.session.get(Signature, signature.id))["valid"] is False
    result = cli("signatures", "verify", "global-alliance-2012")
    assert result.exit_code == 1 and "BROKEN" in result.output and " fr " in result.output

    # Restored: intact again. Then the English version alone.
    store(translations=original_translations)
    assert verify_chain(declaration).ok
    assert public_verification(db.session.get(Signature, signature.id))["valid"] is True
    english = dict(original_content)
    english["title"] = english["title"] + " (amended)"
    store(content=english)
    report = verify_chain(declaration)
    assert not report.ok and "the en text signed no longer hashes" in report.problems[0]
    assert public_verification(db.session.get(Signature, signature.id))["valid"] is False


def test_mail_goes_out_in_the_recipients_language(
    app, client, login, seed, declaration, make_signatory
):
    from plugins.signatures.board import send_reminders

    french = make_signatory("FR", name="Jean Martin")
    french.language = "fr"
    german = make_signatory("DE")
    db.session.commit()
    send_reminders(declaration, actor=seed.accounts["organiser"])
    db.session.commit()
    to_french = db.session.scalar(
        sa.select(MailMessage).where(MailMessage.to_address == french.email)
    )
    to_german = db.session.scalar(
        sa.select(MailMessage).where(MailMessage.to_address == german.email)
    )
    assert to_french.subject.startswith(f"Rappel{NBSP}: «{NBSP}")
    assert "En tant que signataire de votre délégation" in to_french.body_text
    assert to_german.subject.startswith("Reminder: “")

    # The one-time code: in the signatory's language, whatever the page's language.
    from plugins.signatures.reauth import request_signing_code

    with app.test_request_context(headers={"Accept-Language": "en"}):
        request_signing_code(declaration, actor=french)
        db.session.commit()
    code_mail = db.session.scalars(
        sa.select(MailMessage)
        .where(MailMessage.to_address == french.email)
        .order_by(MailMessage.id.desc())
    ).first()
    assert code_mail.subject == "Votre code de signature à usage unique"
    assert "Il est valable 10 minutes" in code_mail.body_text


def _bare_english(page: str, data=()) -> list[str]:
    """Common English words of the page's <main> outside the pseudo-locale's ⟦…⟧ brackets,
    leaving out ``data`` (titles, names: never translated) and the declaration's own text."""
    main = page.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<(script|style|pre|code|article)\b.*?</\1>", " ", main, flags=re.S)
    main = re.sub(r"<[^>]+>", " ", main)
    main = html.unescape(main)
    outside = re.sub(r"\u27e6[^\u27e7]*\u27e7", " ", main)
    for value in data:
        outside = outside.replace(value, " ")
    return re.findall(
        r"\b(?:the|of|and|to|is|are|has|have|on|with|sign|signed|signature)\b", outside, flags=re.I
    )


def test_plugin_pages_have_no_untranslated_text(
    app, client, login, head, declaration, make_signatory, seed
):
    """Every page of the plugin under the pseudo-locale: no bare English in <main>."""
    login(head)
    assert _sign(client, declaration, head, headers={}).status_code == 302
    signature = db.session.scalar(sa.select(Signature).where(Signature.signatory_id == head.id))
    code = format_code(signature.verification_code)
    client.get(f"/signatures/{signature.id}")  # shows (and so drops) the English flash
    revision = declaration.frozen_revision
    data = [declaration.title, "Welcome, Hélène Dubois", "Welcome, Jean Martin"] + [
        f"{n}. {c['title']}" for n, c in enumerate(revision.content["commitments"], 1)
    ]
    data += [c["title"] for c in revision.content["commitments"]] + [signature.signatory_title]
    data += db.session.scalars(
        sa.select(Delegation.name).where(Delegation.conference_id == declaration.conference_id)
    ).all()
    app.config["I18N_PSEUDO"] = True
    try:
        pages = {
            "receipt": f"/signatures/{signature.id}",
            "withdraw": f"/signatures/{signature.id}/withdraw",
            "board": f"/declarations/{declaration.id}/signatures",
            "verify form": "/verify",
            "verify": f"/verify/{code}",
            "unknown code": "/verify/AAAAA-AAAAA",
            "check receipt": "/signatures/check-receipt",
        }
        for name, url in pages.items():
            response = client.get(url)
            assert response.status_code in (200, 404), name
            assert _bare_english(response.get_data(as_text=True), data) == [], name
        client.post("/auth/logout")
        login(make_signatory("FR", name="Jean Martin"))
        page = client.get(f"/declarations/{declaration.id}/sign").get_data(as_text=True)
        assert _bare_english(page, data) == [], "sign"
    finally:
        app.config["I18N_PSEUDO"] = False
