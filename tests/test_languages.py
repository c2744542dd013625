"""Interface languages: the catalogues are complete and the language each person sees."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from babel.messages import pofile
from babel.messages.checkers import python_format

from alliance_conf.extensions import db

PROJECT = Path(__file__).resolve().parents[1]
CATALOGUES = sorted(PROJECT.glob("*/translations/*/LC_MESSAGES/messages.po")) + sorted(
    PROJECT.glob("plugins/*/translations/*/LC_MESSAGES/messages.po")
)


def read_catalogue(path: Path):
    with path.open("rb") as handle:
        return pofile.read_po(handle)


def test_there_is_a_french_catalogue_for_the_core_and_each_plugin():
    owners = {path.parts[-5] for path in CATALOGUES if path.parts[-3] == "fr"}
    assert owners == {"alliance_conf", "documents", "reporting", "signatures"}


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(PROJECT)))
def test_every_message_is_translated_not_fuzzy_and_keeps_its_placeholders(path):
    catalogue = read_catalogue(path)
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        label = message.id if isinstance(message.id, str) else message.id[0]
        if message.fuzzy:
            problems.append(f"fuzzy: {label!r}")
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            problems.append(f"untranslated: {label!r}")
            continue
        try:
            python_format(catalogue, message)
        except Exception as exc:  # babel's TranslationError names the placeholder
            problems.append(f"placeholders of {label!r}: {exc}")
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        braces = {name for text in ids for name in re.findall(r"\{(\w*)\}", text)}
        for text in strings:
            if {name for name in re.findall(r"\{(\w*)\}", text)} != braces:
                problems.append(f"{{}} placeholders of {label!r} differ")
    assert not problems, "\n".join(problems)


def test_the_catalogues_hold_every_string_the_code_marks():
    """``make translations`` was run: nothing marked in the code is missing from a catalogue,
    and nothing in a catalogue is left over from removed code."""
    sys.path.insert(0, str(PROJECT / "scripts"))
    try:
        import translations
    finally:
        sys.path.pop(0)
    with tempfile.TemporaryDirectory() as tmp:
        for package in translations.packages():
            pot = Path(tmp) / f"{package.name}.pot"
            translations.extract(package, pot)
            wanted = {m.id for m in read_catalogue(pot) if m.id}
            for language in translations.catalogue_languages(package):
                po = package / "translations" / language / "LC_MESSAGES" / "messages.po"
                have = {m.id for m in read_catalogue(po) if m.id}
                missing, extra = wanted - have, have - wanted
                assert not missing, f"{po}: run `make translations`; missing {sorted(missing)[:10]}"
                assert not extra, f"{po}: run `make translations`; obsolete {sorted(extra)[:10]}"


def test_compiling_refuses_nothing():
    result = subprocess.run(
        [sys.executable, str(PROJECT / "scripts" / "translations.py"), "compile"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_browser_language_chooses_the_interface_language(client):
    french = client.get("/auth/login", headers={"Accept-Language": "fr-BE,fr;q=0.9,en;q=0.5"})
    assert '<html lang="fr">' in french.get_data(as_text=True)
    english = client.get("/auth/login", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert '<html lang="en">' in english.get_data(as_text=True), "no German: the default"


def test_the_header_switch_remembers_the_choice_for_the_browser(client):
    response = client.post("/language", data={"language": "fr", "next": "/auth/login"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/auth/login")
    page = client.get("/auth/login", headers={"Accept-Language": "en"})
    assert '<html lang="fr">' in page.get_data(as_text=True), "the choice beats the browser"


def test_a_signed_in_person_keeps_their_language_on_their_account(app, client, make_user, login):
    user = make_user("delegate")
    login(user)
    client.post("/language", data={"language": "fr", "next": "/"})
    db.session.expire_all()
    assert db.session.get(type(user), user.id).language == "fr"


def test_a_language_nobody_configured_is_refused_and_nothing_saved(client, make_user, login):
    user = make_user("delegate")
    login(user)
    response = client.post("/language", data={"language": "xx", "next": "/"})
    assert response.status_code == 422
    assert "is not one of this site" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(user), user.id).language is None


def test_the_switch_never_sends_people_off_site(client):
    response = client.post("/language", data={"language": "fr", "next": "https://evil.example"})
    assert response.headers["Location"].endswith("/")
    assert "evil" not in response.headers["Location"]


def test_the_scripts_sentences_come_in_the_page_language(client):
    """Sentences the scripts write (passkey errors, download started) ride in the page as JSON."""
    import json
    from html import unescape

    def messages(language):
        html = client.get("/auth/login", headers={"Accept-Language": language}).get_data(
            as_text=True
        )
        found = re.search(r"<meta name=\"js-messages\" content='(.*?)'>", html)
        return json.loads(unescape(found.group(1)))

    assert messages("en")["nothing_signed"] == "Nothing was signed."
    assert messages("fr")["nothing_signed"] == "Rien n\u2019a été signé."
    assert "{error}" in messages("fr")["passkey_failed"], "the script puts the error's name there"


def test_a_message_has_one_translation_across_the_catalogues():
    """The catalogues are merged at run time, so a plugin's translation of a message the core
    also has would replace the core's on every page. Where the sense differs, give the message
    a context (``pgettext``) instead."""
    by_language: dict[tuple[str, str, str | None], dict[str, object]] = {}
    for path in CATALOGUES:
        language = path.parts[-3]
        for message in read_catalogue(path):
            if message.id:
                key = (language, str(message.id), message.context)
                by_language.setdefault(key, {})[str(path.relative_to(PROJECT))] = message.string
    differing = {k: v for k, v in by_language.items() if len({str(s) for s in v.values()}) > 1}
    assert not differing, differing
