"""The core areas in French: delegations, participants, conferences, CSV imports, country names
and plurals (issue 14). Every page here is asked for with ``Accept-Language: fr``; the English
pages are the rest of the suite's."""

import csv
import html
import io

import pytest
from flask import current_app

from alliance_conf.core.csvfile import RowProblems
from alliance_conf.core.errors import ValidationFailed
from alliance_conf.delegations.countries import (
    UnknownCountry,
    countries_named,
    country_choices,
    country_name,
)
from alliance_conf.delegations.imports import ImportReport
from alliance_conf.i18n import force_locale, ngettext
from alliance_conf.participants.imports import ParticipantImportReport
from tests.test_api import assert_error

SLUG = "paris-2031"
FR = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}
NBSP = "\u00a0"
APOS = "\u2019"  # the typographic apostrophe of the French catalogue


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def world(make_conference, make_delegation, make_user, make_registration):
    conference = make_conference(slug=SLUG)
    belgium = make_delegation(conference, "BE", group="eu_member")
    germany = make_delegation(conference, "DE", group="eu_member")
    usa = make_delegation(conference, "US", group="partner")
    make_delegation(conference, "EG", group="partner")
    make_delegation(conference, organisation_name="Europol", group="observer")
    make_registration(
        belgium,
        make_user(full_name="Anne Belge", email="anne@be.example"),
        status="approved",
        function="head_of_delegation",
    )
    make_registration(
        germany, make_user(full_name="Dieter Deutsch", email="dieter@de.example"), status="pending"
    )
    return conference, belgium, usa


# --- country names ----------------------------------------------------------------------------


def test_country_names_in_the_interface_language(app):
    assert country_name("BE", "fr") == "Belgique"
    assert country_name("be", "en") == "Belgium"
    assert country_name("DE", "fr") == "Allemagne"
    # the name diplomats use (UNTERM), not the ISO or CLDR short name
    assert country_name("KR", "fr") == "République de Corée"
    assert country_name("KR", "en") == "Republic of Korea"
    assert country_name("US", "fr") == "États-Unis"
    assert country_name("BE", "fr_BE") == "Belgique"
    with pytest.raises(UnknownCountry):
        country_name("XX", "fr")
    with app.test_request_context(headers=FR):
        assert country_name("BE") == "Belgique", "no language: the request's"
        with force_locale("en"):
            assert country_name("BE") == "Belgium"


def test_the_country_list_is_sorted_for_the_language_ignoring_accents(app):
    french = [name for _, name in country_choices("fr")]
    assert len(french) == len(country_choices("en")) > 240
    # « Égypte » among the E, not after « Zimbabwe » as a byte order would put it
    assert french.index("Équateur") < french.index("Espagne") < french.index("Estonie")
    assert french.index("Danemark") < french.index("Égypte") < french.index("Équateur")
    assert french.index("États-Unis") < french.index("Éthiopie")
    assert french[-1] != "Égypte" and french[0] == "Afghanistan"
    assert set(countries_named("belg", "fr")) == {"BE"}
    assert "US" in countries_named("etats", "fr"), "accents ignored when searching"


def test_the_new_delegation_form_chooses_countries_by_their_french_name(
    client, world, make_user, login
):
    login(make_user(role="organiser"))
    page = text_of(client.get(f"/conferences/{SLUG}/delegations/new", headers=FR))
    assert '<option value="BE">Belgique</option>' in page
    assert '<option value="DE">Allemagne</option>' in page
    assert page.index(">Afrique du Sud<") < page.index(">Allemagne<") < page.index(">Belgique<")
    assert "Type de délégation" in page and "Choisissez un pays…" in page
    english = text_of(client.get(f"/conferences/{SLUG}/delegations/new"))
    assert '<option value="BE">Belgium</option>' in english


# --- pages ------------------------------------------------------------------------------------


def test_the_delegations_page_in_french(client, world, make_user, login):
    login(make_user(role="organiser"))
    page = text_of(client.get(f"/conferences/{SLUG}/delegations", headers=FR))
    assert "<h1>Délégations" in page
    for label in ("Chef de délégation", "Ajouter une délégation", "Aucune limite", "Filtrer"):
        assert label in page
    assert f"État membre de l{APOS}UE" in page and "Pays partenaire" in page
    # states by their French names, in French order; the organisation as typed
    order = [page.index(name) for name in ("Allemagne", "Belgique", "Égypte", "États-Unis")]
    assert order == sorted(order)
    assert "Europol" in page and "Belgium" not in page and "Germany" not in page
    found = text_of(client.get(f"/conferences/{SLUG}/delegations?q=belgique", headers=FR))
    assert "Belgique" in found and "Allemagne" not in found


def test_the_participant_list_in_french(client, world, make_user, login):
    login(make_user(role="organiser"))
    page = text_of(client.get(f"/conferences/{SLUG}/participants", headers=FR))
    assert "<h1>Participants" in page
    for label in (
        "Délégation",
        "Statut",
        "Titre/fonction",
        "Besoins alimentaires",
        "Liste publiée (CSV)",
        "Toutes les délégations",
        "Trier par",
    ):
        assert label in page, label
    assert ">Belgique</a>" in page and ">Allemagne</a>" in page
    assert "Belgium" not in page
    # the delegation filter names and sorts them in French too
    select = page[page.index('id="delegation_id"') :]
    select = select[: select.index("</select>")]
    assert select.index("Allemagne") < select.index("Belgique") < select.index("Europol")


def test_the_dashboard_in_french(client, world, make_user, login):
    login(make_user(role="organiser"))
    page = text_of(client.get(f"/conferences/{SLUG}/dashboard", headers=FR))
    assert "Tableau de bord des accréditations" in page
    assert "2 inscriptions dans 5 délégations actives." in page
    assert "États sans signataire" in page and "Sans délégué approuvé" in page
    assert "Égypte" in page and "États-Unis" in page and "Egypt" not in page


def test_the_conference_page_and_navigation_in_french(client, world):
    page = text_of(client.get(f"/conferences/{SLUG}", headers=FR))
    assert "Conférence ministérielle" in page and "Pays partenaire" in page
    assert "<li>Belgique</li>" in page and "<li>États-Unis</li>" in page
    assert ">Conférences</a>" in page, "navigation labels are lazy: read in French"
    english = text_of(client.get(f"/conferences/{SLUG}"))
    assert "<li>Belgium</li>" in english and ">Conferences</a>" in english


def test_the_published_list_has_french_headers_and_english_machine_keys(
    client, world, make_user, login, api_headers
):
    login(make_user(role="organiser"))
    response = client.get(
        f"/conferences/{SLUG}/participants/export.csv?list=full", headers=FR, buffered=True
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Délégation", "Nom", "Titre/fonction"]
    assert "Sur la liste publique" in rows[0] and "oui" not in rows[0]
    body = client.get(
        f"/api/v1/conferences/{SLUG}/dashboard",
        headers={**api_headers(make_user(role="organiser")), **FR},
    ).get_json()
    assert set(body) >= {"total", "by_status", "without_signatory"}, "API keys stay English"


# --- CSV imports ------------------------------------------------------------------------------


def upload(client, url, content: bytes, headers=None):
    return client.post(
        url,
        data={"file": (io.BytesIO(content), "file.csv")},
        content_type="multipart/form-data",
        headers=headers or {},
    )


def test_a_bad_delegation_file_is_reported_in_french(client, world, make_user, login):
    login(make_user(role="organiser"))
    url = f"/conferences/{SLUG}/delegations/import"
    response = upload(client, url, b"country_code,group\nXX,partner\nFR,moon\nBE,eu_member\n", FR)
    assert response.status_code == 422
    page = text_of(response)
    assert (
        f"Le fichier des délégations comporte 2 lignes erronées{NBSP}; rien n{APOS}a été importé."
        in page
    )
    assert f"Ligne 2{NBSP}: code de pays inconnu « XX »" in page
    assert f"Ligne 3{NBSP}: groupe inconnu « moon »" in page
    response = upload(client, url, b"country_code,colour\nFR,blue\n", FR)
    assert (
        f"La ligne d{APOS}en-tête est incorrecte{NBSP}: colonne manquante{NBSP}: group"
        in text_of(response)
    )
    response = upload(client, url, b"country_code,group\nFR,partner\n", FR)
    assert response.status_code == 200
    assert f"1 délégation dans le fichier{NBSP}: 1 créée, 0 mise à jour, 0 inchangée." in text_of(
        response
    )


def test_a_bad_participant_file_is_reported_in_french_by_the_api(
    client, world, make_user, api_headers
):
    headers = {**api_headers(make_user(role="organiser")), "Content-Type": "text/csv", **FR}
    error = assert_error(
        client.post(
            f"/api/v1/conferences/{SLUG}/delegations/import",
            data=b"country_code,group\nXX,partner\n",
            headers=headers,
        ),
        422,
        "validation_failed",
    )
    assert error["message"] == (
        f"Le fichier des délégations comporte 1 ligne erronée{NBSP}; rien n{APOS}a été importé."
    )
    assert error["fields"]["line 2"].startswith("code de pays inconnu"), "keys stay English"


def test_a_bad_participant_file_on_the_page_in_french(client, world, make_user, login):
    login(make_user(role="organiser"))
    content = (
        b"delegation,email,full_name,status\nZZ,a@example.org,A,pending\nBE,not-an-email,B,maybe\n"
    )
    page = text_of(upload(client, f"/conferences/{SLUG}/participants/import", content, FR))
    assert "Le fichier des participants comporte 2 lignes erronées" in page
    assert "aucune délégation « ZZ » à cette conférence" in page
    assert f"« not-an-email » n{APOS}est pas une adresse électronique valide" in page
    assert "status « maybe » doit valoir pending ou approved" in page


# --- plurals ----------------------------------------------------------------------------------


PLURALS = {
    "en": {
        0: ("0 delegations in the file: 0 created, 0 updated, 0 unchanged.", "0 bad rows"),
        1: ("1 delegation in the file: 1 created, 0 updated, 0 unchanged.", "1 bad row;"),
        2: ("2 delegations in the file: 2 created, 0 updated, 0 unchanged.", "2 bad rows"),
    },
    "fr": {
        0: (f"0 délégation dans le fichier{NBSP}: 0 créée, 0 mise à jour, 0 inchangée.", "0 ligne"),
        1: (
            f"1 délégation dans le fichier{NBSP}: 1 créée, 0 mise à jour, 0 inchangée.",
            "1 ligne ",
        ),
        2: (
            f"2 délégations dans le fichier{NBSP}: 2 créées, 0 mise à jour, 0 inchangée.",
            "2 lignes",
        ),
    },
}


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("n", [0, 1, 2])
def test_plurals_for_0_1_and_2(app, language, n):
    summary, bad_rows = PLURALS[language][n]
    with app.test_request_context(), force_locale(language):
        assert ImportReport(created=n).summary() == summary
        problems = RowProblems()
        for line in range(n):
            problems.add(line + 2, "bad")
        if n:
            with pytest.raises(ValidationFailed) as refused:
                problems.raise_if_any(
                    lambda count: ngettext(
                        "The delegations file has %(num)d bad row; nothing was imported.",
                        "The delegations file has %(num)d bad rows; nothing was imported.",
                        count,
                    )
                )
            assert bad_rows in refused.value.message
        else:
            problems.raise_if_any("delegations")  # nothing to report
            word = ngettext(
                "The delegations file has %(num)d bad row; nothing was imported.",
                "The delegations file has %(num)d bad rows; nothing was imported.",
                0,
            )
            assert bad_rows in word
        report = ParticipantImportReport(registrations=n, approved=n, users_created=n)
        text = report.summary()
        if language == "en":
            expected = "registration imported" if n == 1 else "registrations imported"
            assert f"{n} {expected} ({n} approved, 0 pending)" in text
            assert f"{n} new account{'s' if n != 1 else ''}," in text
        else:
            expected = "inscriptions importées" if n > 1 else "inscription importée"
            approved = "approuvées" if n > 1 else "approuvée"
            assert f"{n} {expected} ({n} {approved}, 0 en attente)" in text
            assert f"{n} nouveau{'x' if n > 1 else ''} compte{'s' if n > 1 else ''}," in text
        assert current_app.config["BABEL_DEFAULT_LOCALE"] == "en"


def test_password_advice_comes_in_french(app):
    """zxcvbn's warnings and suggestions are translated, not left in English."""
    from alliance_conf.auth.operations import check_password_strength
    from alliance_conf.auth.password_advice import ADVICE

    with force_locale("fr"), pytest.raises(ValidationFailed) as refused:
        check_password_strength("aaaaaaaaaaaaaa")
    message = refused.value.fields["password"]
    assert "trop facile à deviner" in message
    assert "Les répétitions comme « aaa » sont faciles à deviner." in message
    assert "easy to guess" not in message
    with force_locale("fr"):
        assert all(str(french) != english for english, french in ADVICE.items())


def test_every_sentence_of_zxcvbn_has_a_translation():
    """The table follows the installed zxcvbn: a sentence it adds fails here, not in English."""
    import ast
    import inspect

    from zxcvbn import feedback

    from alliance_conf.auth.password_advice import ADVICE

    sentences = {
        node.args[0].value
        for node in ast.walk(ast.parse(inspect.getsource(feedback)))
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) == "_"
        and isinstance(node.args[0], ast.Constant)
    }
    assert len(sentences) >= 25
    assert sentences == set(ADVICE)
