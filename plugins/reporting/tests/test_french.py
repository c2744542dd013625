# ruff: noqa: RUF001 - French text uses the typographic apostrophe (U+2019) on purpose
"""Reporting in French: pages under ``Accept-Language: fr``, reminders in each recipient's
language, API error messages translated with their codes unchanged, plurals for 0, 1 and 2."""

import csv
import io
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from alliance_conf.extensions import db
from alliance_conf.i18n import force_locale
from alliance_conf.mail.models import MailMessage
from plugins.reporting import reports, rounds
from plugins.reporting.tests.support import report_of
from plugins.reporting.views import reminder_summary

FR = {"Accept-Language": "fr"}
NBSP = "\u00a0"


def _belgium_submits(world, round_):
    report = report_of(round_, world.be)
    reports.save_report(
        report,
        {
            "victims": reports.EntryData(
                status="achieved", narrative="Fait.", figures={"victims_identified": 42}
            ),
            "offenders": reports.EntryData(status="in_progress"),
        },
        actor=world.be_head,
    )
    reports.submit_report(report, actor=world.be_head)
    db.session.commit()
    return report


def test_overview_and_chart_in_french(client, world, round_, as_user):
    _belgium_submits(world, round_)
    as_user(world.organiser)
    page = client.get(f"/declarations/{world.declaration.id}/reporting", headers=FR).get_data(
        as_text=True
    )
    assert "<h1>Rapports de suivi</h1>" in page
    for text in (
        "Cycles de rapports",
        "Ouvrir un cycle de rapports",
        "Avancement d’un cycle à l’autre",
        "Avancement par engagement, cycle après cycle",  # the chart's caption
        ">1 atteint, 0 en cours, 0 non commencé, 1 non communiqué</span>",  # the bar's counts
        "Non communiqué",
        "Chiffres",
    ):
        assert text in page, text
    assert "Reporting rounds" not in page and "Progress from round to round" not in page
    assert "&lt;text" not in page  # the chart's markup is markup, not escaped text
    english = client.get(f"/declarations/{world.declaration.id}/reporting").get_data(as_text=True)
    assert "Reporting rounds" in english and "Cycles de rapports" not in english


def test_round_matrix_in_french(client, world, round_, as_user):
    _belgium_submits(world, round_)
    as_user(world.organiser)
    page = client.get(f"/reporting/rounds/{round_.id}", headers=FR).get_data(as_text=True)
    for text in (
        "État par délégation et par engagement",
        "Envoyer les rappels maintenant",
        "Tous les groupes",
        f"Rapports soumis{NBSP}: 1 sur 2",
        "Atteint",
        "En cours",
        "Non souscrit",
        "Soumis",  # the report's state badge
    ):
        assert text in page, text
    assert "Status by delegation and commitment" not in page and "Not endorsed" not in page


def test_report_and_round_forms_in_french(client, world, round_, as_user):
    as_user(world.be_head)
    report = report_of(round_, world.be)
    page = client.get(f"/reporting/reports/{report.id}", headers=FR).get_data(as_text=True)
    assert "Rapport de Belgium" in page and "Remplir le rapport" in page
    assert "Le rapport est complet" in page and "Soumettre le rapport" in page
    form = client.get(f"/reporting/reports/{report.id}/edit", headers=FR).get_data(as_text=True)
    for text in (
        "Ce qui a été fait (engagement 1)",
        "Liens justificatifs (engagement 2)",
        "Victimes identifiées (engagement 1)",
        "Non commencé",  # a status choice
        "Enregistrer le brouillon",
    ):
        assert text in form, text
    refused = client.post(
        f"/reporting/reports/{report.id}/edit",
        data={
            "c0_status": "achieved",
            "c1_status": "not_started",
            "c0_figure_victims_identified": "-3",
        },
        headers=FR,
    )
    assert refused.status_code == 422
    assert "ne peut pas être négatif" in refused.get_data(as_text=True)
    submitted = client.post(
        f"/reporting/reports/{report.id}/submit", headers=FR, follow_redirects=True
    ).get_data(as_text=True)
    assert "Cochez la case pour confirmer que le rapport est complet." in submitted

    as_user(world.organiser)
    new = client.get(
        f"/declarations/{world.declaration.id}/reporting/rounds/new", headers=FR
    ).get_data(as_text=True)
    assert f"Période couverte{NBSP}: du" in new and "Ouvrir le cycle" in new
    bad = client.post(
        f"/declarations/{world.declaration.id}/reporting/rounds/new",
        data={
            "title": "Deuxième cycle",
            "period_start": "2031-01-01",
            "period_end": "2031-12-31",
            "deadline": "2031-06-30",
        },
        headers=FR,
    )
    assert bad.status_code == 422
    assert "La date limite (2031-06-30) précède la fin de la période couverte" in bad.get_data(
        as_text=True
    )


def test_flash_with_plural_in_french(client, world, round_, as_user):
    as_user(world.organiser)
    response = client.post(
        f"/declarations/{world.declaration.id}/reporting/rounds/new",
        data={
            "title": "Deuxième cycle",
            "period_start": "2032-01-01",
            "period_end": "2032-12-31",
            "deadline": "2033-03-31",
        },
        headers=FR,
        follow_redirects=True,
    )
    assert f"Cycle ouvert{NBSP}: 2 délégations ont un rapport à remplir." in response.get_data(
        as_text=True
    )


def test_reminder_goes_out_in_each_recipients_language(app, world, round_):
    world.be_head.language = "fr"
    db.session.commit()
    due_day = datetime(2031, 6, 25, 9, 0, tzinfo=UTC)
    result = rounds.send_reminders([round_], actor=None, now=due_day)
    db.session.commit()
    assert len(result.sent) == 2
    messages = {m.to_address: m for m in db.session.scalars(sa.select(MailMessage))}
    french = messages[world.be_head.email]
    assert french.subject.startswith(f"Rappel{NBSP}: le rapport de Belgium pour First round")
    assert "est attendu le" in french.body_text
    assert "Vous recevez ce message en tant que membre habilité" in french.body_text
    assert "Reminder" not in french.subject and "You receive" not in french.body_text
    english = messages[world.us_head.email]  # no language chosen: the installation's default
    assert english.subject.startswith("Reminder: United States's report for First round")
    assert "You receive this message as an authorised member" in english.body_text


def test_recipients_of_one_report_are_grouped_by_language(app, world):
    world.be_head.language = "fr"
    db.session.commit()
    groups = rounds.by_language(
        [world.be_head.email, world.us_head.email, "contact@example.org", world.be_adviser.email]
    )
    assert groups == [
        ("fr", [world.be_head.email]),
        ("en", [world.us_head.email, "contact@example.org", world.be_adviser.email]),
    ]


def test_api_error_message_in_french_with_the_code_unchanged(client, world, round_, api_headers):
    headers = {**api_headers(world.organiser), **FR}
    missing = client.get("/api/v1/reporting/rounds/999", headers=headers)
    assert missing.status_code == 404
    error = missing.get_json()["error"]
    assert error["code"] == "not_found"
    assert error["message"] == "Il n’y a pas de cycle de rapports 999."

    invalid = client.post(
        f"/api/v1/declarations/{world.declaration.id}/reporting/rounds",
        json={
            "title": "Deuxième cycle",
            "period_start": "2031-12-31",
            "period_end": "2031-01-01",
            "deadline": "2032-01-01",
        },
        headers=headers,
    )
    assert invalid.status_code == 422
    error = invalid.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert error["message"] == "Le cycle de rapports comporte des champs non valides."
    assert error["fields"] == {
        "period_end": "La période ne peut pas se terminer avant de commencer."
    }

    english = client.get("/api/v1/reporting/rounds/999", headers=api_headers(world.organiser))
    assert english.get_json()["error"]["message"] == "There is no reporting round 999."

    matrix = client.get(f"/api/v1/reporting/rounds/{round_.id}/matrix", headers=headers)
    cell = matrix.get_json()["rows"][0]["cells"][0]
    assert cell["status"] == "not_reported" and cell["label"] == "Non communiqué"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            [
                "0 reminders sent.",
                "1 reminder sent. 1 report was already reminded in the last 24 hours. "
                "1 delegation has no address to write to.",
                "2 reminders sent. 2 reports were already reminded in the last 24 hours. "
                "2 delegations have no address to write to.",
            ],
        ),
        (
            "fr",
            [
                "0 rappel envoyé.",
                "1 rappel envoyé. 1 rapport a déjà fait l’objet d’un rappel au cours des "
                "dernières 24 heures. 1 délégation n’a aucune adresse à laquelle écrire.",
                "2 rappels envoyés. 2 rapports ont déjà fait l’objet d’un rappel au cours des "
                "dernières 24 heures. 2 délégations n’ont aucune adresse à laquelle écrire.",
            ],
        ),
    ],
)
def test_plural_forms_for_zero_one_and_two(app, language, expected):
    with app.test_request_context(), force_locale(language):
        said = [
            reminder_summary(
                rounds.ReminderResult(sent=[None] * n, skipped_recent=n, skipped_no_address=n)
            )
            for n in (0, 1, 2)
        ]
    assert said == expected


def test_export_headers_in_french_machine_columns_unchanged(client, world, round_, as_user):
    _belgium_submits(world, round_)
    as_user(world.organiser)
    text = client.get(
        f"/declarations/{world.declaration.id}/reporting/figures.csv", headers=FR
    ).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0]["Délégation"] == "Belgium" and rows[0]["Code pays"] == "BE"
    assert rows[0]["Indicateur"] == "victims_identified"  # the key stays as it is
    assert rows[0]["Libellé de l’indicateur"] == "Victimes identifiées"
    assert rows[0]["État du rapport"] == "Soumis"


def test_cli_speaks_the_installations_default_language(app, world, round_, cli):
    app.config["BABEL_DEFAULT_LOCALE"] = "fr"
    try:
        with app.app_context():  # a fresh context, as a command line starts with
            listing = cli("reporting", "rounds")
            missing = cli("reporting", "remind", "--round", "999")
    finally:
        app.config["BABEL_DEFAULT_LOCALE"] = "en"
    assert "0/2 soumis" in listing.output and f"date limite{NBSP}: 2031-06-30" in listing.output
    assert missing.exit_code == 1 and "Il n’y a pas de cycle de rapports 999." in missing.output
