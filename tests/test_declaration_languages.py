"""Language versions of a declaration: texts aligned by key, out-of-step marks, translators,
freezing every language, and the manifest hash."""

import hashlib
import json

import pytest
import sqlalchemy as sa

from alliance_conf.core.errors import InvalidState, PermissionDenied, ValidationFailed
from alliance_conf.declarations import amendments, canonical, operations, transitions
from alliance_conf.declarations.models import DeclarationRevision, DeclarationState
from alliance_conf.extensions import db
from alliance_conf.testing.fixtures import TEST_PASSWORD


def _texts(declaration):
    revision = declaration.current_revision
    return {language: revision.text_in(language) for language in revision.languages}


def test_seed_is_in_english_and_french_in_step(declaration_cast):
    declaration = declaration_cast.declaration
    revision = declaration.current_revision
    assert declaration_cast.conference.languages == ["en", "fr"]
    assert revision.languages == ["en", "fr"] and revision.number == 1
    assert revision.out_of_step == {"en": [], "fr": []}
    english, french = revision.text_in("en"), revision.text_in("fr")
    assert english is revision.content

    def keys(text):
        return [(s, i["key"]) for s in ("preamble", "commitments", "closing") for i in text[s]]

    assert keys(english) == keys(french)
    assert french["title"].startswith("Déclaration sur le lancement")
    assert french["commitments"][0]["text"].startswith("Intensifier les efforts")
    with pytest.raises(KeyError):
        revision.text_in("de")


def _accept_french_amendment(cast):
    declaration = cast.declaration
    transitions.transition(declaration, "consultation", actor=cast.organiser)
    amendment = amendments.propose_amendment(
        declaration,
        kind="replace",
        target_key="victims",
        language="fr",
        proposed_text="Intensifier nettement les efforts visant à identifier les victimes.",
        justification="Plus ambitieux.",
        submit=True,
        actor=cast.minister_fr,
    )
    revision = amendments.accept_amendment(amendment, actor=cast.organiser)
    db.session.commit()
    return amendment, revision


def test_french_amendment_marks_english_then_translator_brings_it_back(declaration_cast, make_user):
    cast = declaration_cast
    declaration = cast.declaration
    amendment, revision = _accept_french_amendment(cast)
    assert amendment.language == "fr"
    assert revision.text_in("fr")["commitments"][0]["text"].startswith("Intensifier nettement")
    # the English item is unchanged and marked out of step
    assert revision.text_in("en")["commitments"][0]["text"].startswith("Enhancing efforts")
    assert revision.out_of_step == {"en": ["victims"], "fr": []}

    # freezing is refused, naming the item
    with pytest.raises(InvalidState) as refused:
        transitions.transition(declaration, "open", actor=cast.organiser)
    assert "English" in refused.value.message and "commitment 1" in refused.value.message
    db.session.rollback()
    assert declaration.state == DeclarationState.consultation and declaration.text_hash is None

    # staff without the permission cannot translate; a translator can
    english = json.loads(json.dumps(revision.text_in("en")))
    english["commitments"][0]["text"] = "Greatly enhancing efforts to identify victims."
    with pytest.raises(PermissionDenied):
        operations.save_translation(declaration, language="en", content=english, actor=cast.staff)
    translator = make_user(role="staff")
    translator.is_translator = True
    db.session.commit()
    updated = operations.save_translation(
        declaration, language="en", content=english, actor=translator
    )
    db.session.commit()
    assert updated.out_of_step == {"en": [], "fr": []}
    assert updated.text_in("en")["commitments"][0]["text"] == english["commitments"][0]["text"]

    transitions.transition(declaration, "open", actor=cast.organiser)
    db.session.commit()
    hashes = declaration.language_hashes
    assert set(hashes) == {"en", "fr"}
    assert hashes["fr"] == canonical.text_hash(updated.text_in("fr"))
    manifest = json.dumps(hashes, sort_keys=True, separators=(",", ":")).encode()
    assert declaration.text_hash == hashlib.sha256(manifest).hexdigest()
    assert declaration.text_hash == canonical.manifest_hash(hashes) == updated.manifest_hash()
    assert declaration.text_hash in updated.accepted_text_hashes()


def test_a_translation_that_drops_or_adds_a_key_is_refused_and_nothing_saved(declaration_cast):
    cast = declaration_cast
    declaration = cast.declaration
    _accept_french_amendment(cast)
    number = declaration.current_revision_number
    english = json.loads(json.dumps(declaration.current_revision.text_in("en")))
    dropped = {**english, "commitments": english["commitments"][1:]}
    with pytest.raises(ValidationFailed) as error:
        operations.save_translation(
            declaration, language="en", content=dropped, actor=cast.organiser
        )
    assert "victims" in error.value.message
    assert "commitments.0.key" in error.value.fields
    added = json.loads(json.dumps(english))
    added["closing"].append({"key": "extra", "text": "An extra paragraph."})
    with pytest.raises(ValidationFailed) as error:
        operations.save_translation(declaration, language="en", content=added, actor=None)
    assert "extra" in error.value.message and "closing.1.key" in error.value.fields
    too_long = json.loads(json.dumps(english))
    too_long["commitments"][0]["text"] = "x" * 5001
    with pytest.raises(ValidationFailed) as error:
        operations.save_translation(declaration, language="en", content=too_long, actor=None)
    assert "commitments.0.text" in error.value.fields
    with pytest.raises(ValidationFailed) as error:
        operations.save_translation(declaration, language="de", content=english, actor=None)
    assert "language" in error.value.fields
    db.session.rollback()
    assert declaration.current_revision_number == number
    count = db.session.scalar(
        sa.select(sa.func.count(DeclarationRevision.id)).where(
            DeclarationRevision.declaration_id == declaration.id
        )
    )
    assert count == number


def test_unmarked_items_cannot_change_in_a_translation(declaration_cast):
    cast = declaration_cast
    declaration = cast.declaration
    _accept_french_amendment(cast)
    english = json.loads(json.dumps(declaration.current_revision.text_in("en")))
    english["commitments"][1]["text"] = "Changed behind the editor's back."
    with pytest.raises(ValidationFailed) as error:
        operations.save_translation(declaration, language="en", content=english, actor=None)
    assert "commitment 2" in error.value.message


def test_edit_in_one_language_propagates_structure_to_all(declaration_cast):
    cast = declaration_cast
    declaration = cast.declaration
    french = json.loads(json.dumps(declaration.current_revision.text_in("fr")))
    french["commitments"].insert(
        1, {"key": "cooperation", "title": "Coopération", "text": "Coopérer."}
    )
    del french["closing"][0]
    french["commitments"].reverse()
    revision = operations.save_revision(
        declaration, content=french, language="fr", actor=cast.organiser
    )
    db.session.commit()
    english = revision.text_in("en")
    assert [c["key"] for c in english["commitments"]] == [c["key"] for c in french["commitments"]]
    assert english["closing"] == []
    # the new item is a copy of the French text, marked; the others keep their English text
    new = next(c for c in english["commitments"] if c["key"] == "cooperation")
    assert new["text"] == "Coopérer."
    assert revision.out_of_step == {"en": ["cooperation"], "fr": []}
    assert english["commitments"][-1]["text"].startswith("Enhancing efforts")
    with pytest.raises(ValidationFailed) as error:
        operations.save_revision(declaration, content=french, language="xx", actor=cast.organiser)
    assert "language" in error.value.fields


def test_the_database_refuses_to_change_a_translation(declaration_cast):
    revision = declaration_cast.declaration.current_revision
    with pytest.raises(sa.exc.DBAPIError):
        db.session.execute(
            sa.text("UPDATE declaration_revisions SET translations = '{}' WHERE id = :id"),
            {"id": revision.id},
        )
    db.session.rollback()


def test_a_legacy_revision_still_verifies():
    content = {"title": "T", "preamble": [], "commitments": [], "closing": []}
    revision = DeclarationRevision(number=1, content=content)
    assert revision.languages == ["en"] and revision.is_legacy
    assert canonical.text_hash(content) in revision.accepted_text_hashes()
    assert canonical.manifest_hash({"en": canonical.text_hash(content)}) in (
        revision.accepted_text_hashes()
    )


def test_conference_languages_are_checked(app):
    from alliance_conf.conferences.operations import clean_conference_languages

    assert clean_conference_languages(["fr", "en"]) == ["fr", "en"]
    for bad, word in ((["en", "xx"], "xx"), (["en", "en"], "twice"), ([], "at least one")):
        with pytest.raises(ValidationFailed) as error:
            clean_conference_languages(bad)
        assert word in error.value.message and "languages" in error.value.fields


SLUG = "global-alliance-2012"


def test_cli_edits_translates_and_shows_each_language(cli, declaration_cast, tmp_path):
    cast = declaration_cast
    result = cli("declarations", "show", SLUG, "--language", "fr")
    assert result.exit_code == 0, result.output
    assert "1. Identification des victimes" in result.output
    shown = cli("declarations", "show", SLUG, "--language", "fr", "--json")
    french = json.loads(shown.output)
    french["commitments"][1]["text"] = "Intensifier les enquêtes et les poursuites."
    path = tmp_path / "fr.json"
    path.write_text(json.dumps(french), encoding="utf-8")
    result = cli("declarations", "edit", SLUG, "--language", "fr", "--file", str(path))
    assert result.exit_code == 0, result.output
    assert "Translation needed in en: offenders" in result.output
    # a translation that drops an item: exit 1, the field named, nothing saved
    english = json.loads(cli("declarations", "show", SLUG, "--json").output)
    del english["commitments"][2]
    path.write_text(json.dumps(english), encoding="utf-8")
    result = cli("declarations", "translate", SLUG, "--language", "en", "--file", str(path))
    assert result.exit_code == 1 and "awareness" in result.output
    assert "commitments.2.key" in result.output
    result = cli("declarations", "translate", SLUG, "--language", "xx", "--file", str(path))
    assert result.exit_code == 1 and "language" in result.output
    db.session.expire_all()
    assert cast.declaration.current_revision_number == 2
    english = json.loads(cli("declarations", "show", SLUG, "--json").output)
    english["commitments"][1]["text"] = "Stepping up investigations and prosecutions."
    path.write_text(json.dumps(english), encoding="utf-8")
    result = cli("declarations", "translate", SLUG, "--language", "en", "--file", str(path))
    assert result.exit_code == 0, result.output
    assert "Every language is in step." in result.output
    cli("declarations", "transition", SLUG, "--to", "consultation")
    result = cli("declarations", "transition", SLUG, "--to", "open")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    hashes = cast.declaration.language_hashes
    assert f"fr text: SHA-256 {hashes['fr']}" in result.output


def test_translator_permission_is_granted_by_organisers(
    cli, client, declaration_cast, api_headers, make_user
):
    cast = declaration_cast
    clerk = make_user(role="staff")
    result = cli("users", "translator", clerk.email)
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert clerk.is_translator
    result = cli("users", "translator", cast.head_be.email)
    assert result.exit_code == 1 and "delegate" in result.output
    url = f"/api/v1/users/{clerk.id}/translator"
    refused = client.put(url, json={"translator": False}, headers=api_headers(cast.staff))
    assert refused.status_code == 403
    revoked = client.put(url, json={"translator": False}, headers=api_headers(cast.organiser))
    assert revoked.status_code == 200 and revoked.get_json()["is_translator"] is False
    # a translator updates through the API; staff without the permission cannot
    declaration_url = f"/api/v1/declarations/{cast.declaration.id}"
    french = cast.declaration.current_revision.text_in("fr")
    body = {"content": french}
    denied = client.put(f"{declaration_url}/translations/fr", json=body, headers=api_headers(clerk))
    assert denied.status_code == 403
    client.put(url, json={"translator": True}, headers=api_headers(cast.admin))
    nothing = client.put(
        f"{declaration_url}/translations/fr", json=body, headers=api_headers(clerk)
    )
    assert nothing.status_code == 422  # in step and unchanged: nothing to update
    unknown = client.put(
        f"{declaration_url}/translations/de", json=body, headers=api_headers(clerk)
    )
    assert unknown.status_code == 422 and "language" in unknown.get_json()["error"]["fields"]


def test_conference_languages_through_the_api(client, make_user, api_headers):
    organiser = make_user(role="organiser")
    body = {
        "slug": "bilingual-2026",
        "title": "Bilingual",
        "city": "Geneva",
        "start_date": "2026-05-01",
        "end_date": "2026-05-02",
        "languages": ["fr", "en"],
    }
    created = client.post("/api/v1/conferences", json=body, headers=api_headers(organiser))
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["languages"] == ["fr", "en"]
    body.update(slug="bad-2026", languages=["en", "klingon"])
    refused = client.post("/api/v1/conferences", json=body, headers=api_headers(organiser))
    assert refused.status_code == 422
    assert "klingon" in refused.get_json()["error"]["fields"]["languages"]


def test_the_declaration_pages_speak_french(client, login, declaration_cast, api_headers):
    cast = declaration_cast
    _accept_french_amendment(cast)
    declaration = cast.declaration
    login(cast.organiser)
    french = {"Accept-Language": "fr"}
    page = client.get(f"/declarations/{declaration.id}?lang=en", headers=french)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Texte actuel" in text and "Traduction à mettre à jour" in text
    assert "Mettre à jour le texte (anglais)" in text
    assert "En consultation" in text  # the state's title, lazily translated
    refused = client.post(
        f"/declarations/{declaration.id}/transition",
        data={"to": "open", "confirm": "y"},
        headers=french,
    )
    assert refused.status_code == 409
    assert "Le texte ne peut pas être arrêté" in refused.get_data(as_text=True)
    form = client.get(f"/declarations/{declaration.id}/translate/en", headers=french)
    assert "Mettre à jour le texte (anglais)" in form.get_data(as_text=True)
    # the API answers in French too, with the field and the code unchanged
    url = f"/api/v1/declarations/{declaration.id}/transitions"
    response = client.post(
        url, json={"to": "open"}, headers={**api_headers(cast.organiser), **french}
    )
    body = response.get_json()["error"]
    assert body["code"] == "invalid_state" and "anglais" in body["message"]
    unknown = client.get(
        f"/api/v1/declarations/{declaration.id}?language=de",
        headers={**api_headers(cast.organiser), **french},
    )
    assert "n\u2019a pas de texte" in unknown.get_json()["error"]["fields"]["language"]


def test_organisers_grant_translators_on_a_page(app, client, login, declaration_cast, make_user):
    cast = declaration_cast
    clerk = make_user(role="staff", full_name="Clara Clerk")
    other = app.test_client()
    other.post("/auth/login", data={"email": cast.staff.email, "password": TEST_PASSWORD})
    assert other.get("/translators").status_code == 403
    login(cast.organiser)
    page = client.get("/translators").get_data(as_text=True)
    assert "Clara Clerk" in page
    response = client.post("/translators", data={"user_id": clerk.id, "grant": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert clerk.is_translator
    response = client.post("/translators", data={"user_id": cast.head_be.id, "grant": "1"})
    assert response.status_code == 422
    db.session.expire_all()
    assert not cast.head_be.is_translator


def test_the_text_opens_in_the_readers_language(client, login, declaration_cast):
    """A French reader sees the French text first; ``?lang=`` still chooses; a language the
    revision lacks falls back to the drafting language."""
    cast = declaration_cast
    login(cast.organiser)
    url = f"/declarations/{cast.declaration.id}"
    french = client.get(url, headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Intensifier les efforts" in french
    english = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Intensifier les efforts" not in english
    chosen = client.get(f"{url}?lang=en", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Intensifier les efforts" not in chosen
    german = client.get(url, headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Intensifier les efforts" not in german


def test_the_title_follows_the_readers_language_when_in_step(client, login, declaration_cast):
    """Lists and headings show the French title to a French reader; a title marked
    "translation needed" falls back to the drafting language's."""
    cast = declaration_cast
    declaration = cast.declaration
    french_title = declaration.current_revision.text_in("fr")["title"]
    login(cast.organiser)
    fr = {"Accept-Language": "fr"}
    listing = client.get(f"/conferences/{cast.conference.slug}/declarations", headers=fr)
    assert french_title in listing.get_data(as_text=True)
    page = client.get(f"/declarations/{declaration.id}/history", headers=fr).get_data(as_text=True)
    assert french_title in page
    english = client.get(f"/declarations/{declaration.id}/history").get_data(as_text=True)
    assert french_title not in english and declaration.title in english
    with client.application.test_request_context():
        assert declaration.title_in("fr") == french_title
        assert declaration.title_in("de") == declaration.title
    content = dict(declaration.current_revision.content, title="A new English title")
    operations.save_revision(
        declaration, content=content, message="New title", language="en", actor=cast.organiser
    )
    db.session.commit()
    assert "title" in declaration.current_revision.out_of_step["fr"]
    assert declaration.title_in("fr") == "A new English title"
