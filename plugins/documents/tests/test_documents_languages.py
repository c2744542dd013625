# ruff: noqa: RUF001 - French typography (apostrophes, en dashes) is what the documents print
"""Documents per language: the final declaration, drafts and redlines in each of the
conference's authentic languages with the document's own words (headings, dates, country names,
the final clause) in that language whoever downloads it; the bilingual edition aligned item by
item; a language the conference does not have refused on the web, the API and the CLI."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime

import pytest
from docx.oxml.ns import qn

from alliance_conf.declarations import operations as declaration_ops
from alliance_conf.declarations import transitions
from alliance_conf.extensions import db
from plugins.documents import operations, wording
from plugins.documents.tests.helpers import (
    audit_errors,
    body_text,
    open_docx,
    package_parts,
    signature_blocks,
    table_rows,
)
from plugins.documents.tests.support import CONTENT
from plugins.documents.tests.test_documents_final import row

FRENCH = {
    "title": "Déclaration pour une enfance plus sûre en ligne",
    "preamble": [
        {"key": "gathered", "text": "Nous, ministres réunis à Bruxelles,"},
        {"key": "concerned", "text": "Préoccupés par la croissance des contenus d’abus en ligne,"},
    ],
    "commitments": [
        {
            "key": "victims",
            "title": "Identifier les victimes",
            "text": "Intensifier les efforts pour identifier les victimes et les assister.",
        },
        {
            "key": "offenders",
            "title": "Poursuivre les auteurs",
            "text": "Intensifier les enquêtes et les poursuites contre les auteurs.",
        },
        {
            "key": "awareness",
            "title": "Sensibiliser",
            "text": "Mieux faire connaître aux enfants les risques qu’ils courent en ligne.",
        },
    ],
    "closing": [{"key": "follow-up", "text": "Nous nous réunirons de nouveau dans un an."}],
}
SIGNED_AT = datetime(2030, 3, 1, 10, 30, tzinfo=UTC)


@pytest.fixture
def bilingual_conference(conference):
    conference.languages = ["en", "fr"]
    db.session.commit()
    return conference


@pytest.fixture
def frozen_fr(bilingual_conference, organiser, make_delegation, signatures):
    """A declaration in English and French, frozen, signed by Estonia, Japan and UNICEF."""
    declaration = declaration_ops.create_declaration(
        bilingual_conference,
        title=CONTENT["title"],
        content=CONTENT,
        translations={"fr": FRENCH},
        actor=organiser,
    )
    transitions.transition(declaration, "consultation", actor=organiser)
    transitions.transition(declaration, "open", actor=organiser)
    db.session.commit()
    estonia = make_delegation(bilingual_conference, "EE")
    germany = make_delegation(bilingual_conference, "DE")
    japan = make_delegation(bilingual_conference, "JP")
    unicef = make_delegation(bilingual_conference, organisation_name="UNICEF")
    signatures.rows_by_declaration[declaration.id] = [
        row(estonia, "Kaja Kallas", signed_at=SIGNED_AT),
        row(germany, "Anna Keller", signed_at=SIGNED_AT),
        row(japan, "Taro Yamada", keys=("victims",), partial=True, signed_at=SIGNED_AT),
        row(unicef, "Ann Org", title="Executive Director", signed_at=SIGNED_AT),
    ]
    return declaration


def languages_in(data: bytes) -> set[str]:
    found = set()
    for name, content in package_parts(data).items():
        if name.startswith("word/") and name.endswith(".xml"):
            found |= set(re.findall(r'<w:lang [^>]*w:val="([^"]+)"', content.decode()))
    return found


def assert_valid(data: bytes, languages: set[str]) -> None:
    assert audit_errors(data) == []
    parts = package_parts(data)
    settings = parts["word/settings.xml"].decode()
    assert re.search(r'w:name="compatibilityMode"[^>]*w:val="15"', settings)
    assert languages_in(data) == languages


def test_french_final_declaration_speaks_french(frozen_fr):
    data = operations.final_declaration(frozen_fr, "fr")
    assert_valid(data, {"fr-FR"})
    document = open_docx(data)
    lines = body_text(data)
    assert lines[0] == FRENCH["title"]
    assert "Nous, ministres réunis à Bruxelles," in lines
    assert "Identifier les victimes\n" + FRENCH["commitments"][0]["text"] in lines
    assert "Nous nous réunirons de nouveau dans un an." in lines
    every = "\n".join(p.text for p in document.paragraphs)
    # French headings, dates and the final clause naming both authentic languages.
    assert "Annexe I – Déclarations et réserves" in every
    assert "Annexe II – Registre des signatures" in every
    assert "Signatures" in lines
    opened = wording.long_date(frozen_fr.frozen_at, "fr-FR")
    assert re.search(r"\d+(er)? [a-zéû]+ 20\d\d", opened)
    assert (
        f"Fait à Brussels le {opened}, en anglais et en français, les deux textes faisant "
        "également foi." in lines
    )
    assert "Signé à Brussels le 1er mars 2030." in lines or any(
        "1er mars 2030" in line for line in lines
    )
    assert "Sommes convenus de ce qui suit\u00a0:" in every
    # Country names and official names in French, in French alphabetical order.
    blocks = signature_blocks(document)
    assert [block[0] for block in blocks] == [
        "Pour la République fédérale d’Allemagne",
        "Pour la République d’Estonie",
        "Pour le Japon",
        "Pour UNICEF",
    ]
    assert "N’approuve que l’engagement 1" in every
    assert blocks[0][-1] == "1er mars 2030"
    record = table_rows(document.tables[-1])
    assert record[0] == [
        "Délégation",
        "Signé (UTC)",
        "Code de vérification",
        "Adresse de vérification",
    ]
    assert [r[0] for r in record[1:]] == ["Allemagne", "Estonie", "Japon", "UNICEF"]
    # Each language's hash is stated beside the manifest that every signature binds.
    assert frozen_fr.text_hash in every
    for code in ("en", "fr"):
        assert frozen_fr.language_hashes[code] in every
    assert document.core_properties.language == "fr-FR"
    assert "Page" in package_parts(data)["word/footer1.xml"].decode()
    assert " sur " in package_parts(data)["word/footer1.xml"].decode()


def test_english_final_declaration_states_both_authentic_languages(frozen_fr):
    data = operations.final_declaration(frozen_fr)
    assert_valid(data, {"en-GB"})
    lines = body_text(data)
    assert lines[0] == CONTENT["title"]
    opened = wording.long_date(frozen_fr.frozen_at, "en-GB")
    assert (
        f"Done at Brussels on {opened}, in the English and French languages, both texts being "
        "equally authentic." in lines
    )
    blocks = signature_blocks(open_docx(data))
    assert [block[0] for block in blocks][:3] == [
        "For the Republic of Estonia",
        "For the Federal Republic of Germany",
        "For Japan",
    ]


def test_the_document_language_not_the_readers(client, login, make_user, frozen_fr):
    """A French-speaking organiser downloads the English text in English; an English-speaking
    one the French text in French."""
    reader = make_user("staff")
    reader.language = "fr"
    db.session.commit()
    login(reader)
    english = client.get(
        f"/declarations/{frozen_fr.id}/documents/final.docx?language=en",
        headers={"Accept-Language": "fr"},
    )
    assert english.status_code == 200
    assert "Annex I – Statements and reservations" in "\n".join(body_text(english.data))
    french = client.get(
        f"/declarations/{frozen_fr.id}/documents/final.docx?language=fr",
        headers={"Accept-Language": "en"},
    )
    assert french.status_code == 200
    assert "Annexe I – Déclarations et réserves" in "\n".join(body_text(french.data))
    assert "final-fr.docx" in french.headers["Content-Disposition"]


def test_french_draft(frozen_fr):
    draft = operations.draft_revision(frozen_fr, 1, "fr")
    assert_valid(draft, {"fr-FR"})
    every = "\n".join(p.text for p in open_docx(draft).paragraphs)
    assert "Révision 1 du" in every
    assert "AP = alinéa du préambule" in every
    assert FRENCH["preamble"][1]["text"] in body_text(draft)


def test_french_redline(bilingual_conference, organiser):
    declaration = declaration_ops.create_declaration(
        bilingual_conference,
        title=CONTENT["title"],
        content=CONTENT,
        translations={"fr": FRENCH},
        actor=organiser,
    )
    changed = {
        **FRENCH,
        "closing": [{"key": "follow-up", "text": "Nous nous réunirons dans six mois."}],
    }
    declaration_ops.save_revision(declaration, content=changed, language="fr", actor=organiser)
    db.session.commit()
    data = operations.comparison(declaration, 1, 2, "fr")
    assert_valid(data, {"fr-FR"})
    accepted, rejected = body_text(data, "accept"), body_text(data, "reject")
    assert "Nous nous réunirons dans six mois." in accepted
    assert "Nous nous réunirons de nouveau dans un an." in rejected
    every = "\n".join(p.text for p in open_docx(data).paragraphs)
    assert "Comparaison de la révision 1 avec la révision 2" in every


def test_bilingual_edition_aligns_every_item(frozen_fr):
    data = operations.bilingual_declaration(frozen_fr)
    assert_valid(data, {"en-GB", "fr-FR"})
    document = open_docx(data)
    text_table = document.tables[0]
    rows = table_rows(text_table)
    assert rows[0] == ["English", "Français"]
    pairs = rows[1:]
    # One row per item, aligned by key: the two preambular paragraphs, the lead-in, the three
    # numbered commitments, the closing paragraph, then the final clause.
    assert pairs[0] == [CONTENT["preamble"][0]["text"], FRENCH["preamble"][0]["text"]]
    assert pairs[1] == [CONTENT["preamble"][1]["text"], FRENCH["preamble"][1]["text"]]
    assert pairs[2] == ["Have agreed as follows:", "Sommes convenus de ce qui suit\u00a0:"]
    for n, (english, french) in enumerate(
        zip(CONTENT["commitments"], FRENCH["commitments"], strict=True), 1
    ):
        assert pairs[2 + n] == [
            f"{n}. {english['title']}\n{english['text']}",
            f"{n}. {french['title']}\n{french['text']}",
        ]
    assert pairs[6] == [CONTENT["closing"][0]["text"], FRENCH["closing"][0]["text"]]
    assert "both texts being equally authentic" in pairs[7][0]
    assert "les deux textes faisant également foi" in pairs[7][1]
    # Each column is marked with its own language, run by run.
    for table_row in text_table._tbl.tr_lst:
        left, right = table_row.tc_lst
        assert {el.get(qn("w:val")) for el in left.iter(qn("w:lang"))} == {"en-GB"}
        assert {el.get(qn("w:val")) for el in right.iter(qn("w:lang"))} == {"fr-FR"}
    # Both titles on top, each in its language; signatories side by side.
    titles = [p for p in document.paragraphs if p.style.name == "Title"]
    assert [p.text for p in titles] == [CONTENT["title"], FRENCH["title"]]
    # The signatories side by side, in the left language's protocol order.
    signatures = table_rows(document.tables[1])
    assert signatures[1] == [
        "For the Republic of Estonia\nKaja Kallas\nMinister of Justice\n1 March 2030",
        "Pour la République d’Estonie\nKaja Kallas\nMinister of Justice\n1er mars 2030",
    ]
    assert signatures[2][1].startswith("Pour la République fédérale d’Allemagne\nAnna Keller")


def test_bilingual_edition_in_the_other_order_and_as_a_draft(frozen_fr):
    data = operations.bilingual_declaration(frozen_fr, "fr", "en", number=1)
    assert_valid(data, {"fr-FR", "en-GB"})
    rows = table_rows(open_docx(data).tables[0])
    assert rows[0] == ["Français", "English"]
    assert rows[1] == [FRENCH["preamble"][0]["text"], CONTENT["preamble"][0]["text"]]


def test_unknown_languages_are_refused(client, login, make_user, frozen_fr, api_headers, cli):
    from alliance_conf.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="de"):
        operations.final_declaration(frozen_fr, "de")
    with pytest.raises(ValidationFailed):
        operations.bilingual_declaration(frozen_fr, "en", "en")
    login(make_user("staff"))
    base = f"/declarations/{frozen_fr.id}/documents"
    assert client.get(f"{base}/final.docx?language=de").status_code == 422
    assert client.get(f"{base}/revision.docx?revision=1&language=xx").status_code == 422
    assert client.get(f"{base}/bilingual.docx?left=en&right=de").status_code == 422
    headers = api_headers(make_user("organiser"))
    api = f"/api/v1/declarations/{frozen_fr.id}/documents"
    response = client.get(f"{api}/final.docx?language=de", headers=headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"].keys() == {"language"}
    assert client.get(f"{api}/final.docx?language=fr", headers=headers).status_code == 200
    assert client.get(f"{api}/bilingual.docx", headers=headers).status_code == 200
    assert client.get(f"{api}/bilingual.docx?right=de", headers=headers).status_code == 422
    result = cli(
        "documents",
        "declaration",
        frozen_fr.conference.slug,
        "--out",
        "/tmp/x.docx",
        "--language",
        "de",
    )
    assert result.exit_code == 1 and "de" in result.output


def test_cli_writes_each_language_and_the_bilingual_edition(cli, tmp_path, frozen_fr):
    slug = frozen_fr.conference.slug
    french = tmp_path / "fr.docx"
    result = cli("documents", "declaration", slug, "--out", str(french), "--language", "fr")
    assert result.exit_code == 0, result.output
    assert body_text(french.read_bytes())[0] == FRENCH["title"]
    both = tmp_path / "both.docx"
    result = cli("documents", "declaration", slug, "--out", str(both), "--bilingual")
    assert result.exit_code == 0, result.output
    assert table_rows(open_docx(both.read_bytes()).tables[0])[0] == ["English", "Français"]


def test_web_page_offers_each_language(client, login, make_user, frozen_fr):
    login(make_user("staff"))
    page = client.get(f"/declarations/{frozen_fr.id}/documents").get_data(as_text=True)
    assert 'name="language"' in page
    assert '<option value="fr"' in page
    assert "bilingual.docx" in page


def test_french_and_bilingual_documents_open_in_libreoffice(
    tmp_path, frozen_fr, bilingual_conference, organiser
):
    """LibreOffice converts each French document and the bilingual edition to PDF, filling the
    French page fields, and the words come back in French."""
    from plugins.documents.tests.test_documents_pdf import pdf_pages, pdf_text, require_tools

    require_tools()
    draft = declaration_ops.create_declaration(
        bilingual_conference,
        title=CONTENT["title"],
        content=CONTENT,
        translations={"fr": FRENCH},
        actor=organiser,
    )
    changed = {**FRENCH, "closing": [{"key": "follow-up", "text": "Rendez-vous dans six mois."}]}
    declaration_ops.save_revision(draft, content=changed, language="fr", actor=organiser)
    db.session.commit()
    documents = {
        "final-fr": operations.final_declaration(frozen_fr, "fr"),
        "draft-fr": operations.draft_revision(draft, 1, "fr"),
        "redline-fr": operations.comparison(draft, 1, 2, "fr"),
        "participants-fr": operations.participant_list(bilingual_conference, "fr"),
        "bilingual": operations.bilingual_declaration(frozen_fr),
        "bilingual-draft": operations.bilingual_declaration(draft, "fr", "en", number=2),
    }
    for name, data in documents.items():
        assert_valid(data, {"en-GB", "fr-FR"} if name.startswith("bilingual") else {"fr-FR"})
        (tmp_path / f"{name}.docx").write_bytes(data)
    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            *(str(tmp_path / f"{name}.docx") for name in documents),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    text = {name: pdf_text(tmp_path / f"{name}.pdf") for name in documents}
    pages = pdf_pages(tmp_path / "final-fr.pdf")
    assert f"Page 1 sur {pages}" in text["final-fr"]
    assert "Annexe II – Registre des signatures" in text["final-fr"]
    assert "Pour la République d’Estonie" in text["final-fr"]
    assert "PROJET" in text["draft-fr"] and "AP1" in text["draft-fr"] and "PF1" in text["draft-fr"]
    assert "Comparaison de la révision 1 avec la révision 2" in text["redline-fr"]
    assert "six mois" in text["redline-fr"]
    assert "Liste des participants" in text["participants-fr"]
    assert "English" in text["bilingual"] and "Français" in text["bilingual"]
    assert "both texts being equally authentic" in text["bilingual"]
    assert "les deux textes faisant également foi" in text["bilingual"]
    assert (
        "PROJET" in text["bilingual-draft"]
        and "Rendez-vous dans six mois." in text["bilingual-draft"]
    )


def test_a_french_redline_resolves_in_libreoffice(app, tmp_path):
    """LibreOffice over UNO accepts every tracked change of a French redline and gets the newer
    French text, rejects every change and gets the older one, French references (AP, PF)
    included."""
    import json

    from alliance_conf.declarations import diff
    from alliance_conf.i18n import force_locale
    from plugins.documents import builder
    from plugins.documents.tests.test_documents_redline_libreoffice import (
        META,
        SCRIPT,
        SYSTEM_PYTHON,
        require_uno,
        source,
    )

    require_uno()
    old = FRENCH
    new = {
        **FRENCH,
        "preamble": [
            {"key": "first", "text": "Rappelant nos engagements antérieurs,"},
            *FRENCH["preamble"],
        ],
        "commitments": FRENCH["commitments"][1:],
        "closing": [{"key": "follow-up", "text": "Nous nous réunirons dans six mois."}],
    }
    with app.test_request_context(), force_locale("fr"):
        sides = []
        for content, number in ((old, 1), (new, 2)):
            side = source(content, number)
            side.language = "fr-FR"
            side.lead_in = "Sommes convenus de ce qui suit\u00a0:"
            sides.append(side)
        data = builder.build_comparison(
            builder.default_template_bytes(), *sides, diff.compare(old, new), change_author="X"
        )
    assert_valid(data, {"fr-FR"})
    path = tmp_path / "redline-fr.docx"
    path.write_bytes(data)
    run = subprocess.run(
        [SYSTEM_PYTHON, str(SCRIPT), str(tmp_path / "office"), str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout.strip().splitlines()[-1])[str(path)]

    def expected(content):
        lines = builder.plain_text(content)
        labels = [""]
        labels += [f"AP{n}" for n in range(1, len(content["preamble"]) + 1)]
        labels += [f"{n}." for n in range(1, len(content["commitments"]) + 1)]
        labels += [f"PF{n}" for n in range(1, len(content["closing"]) + 1)]
        return [[label, line] for label, line in zip(labels, lines, strict=True)]

    for mode, want in (("accept", new), ("reject", old)):
        got = [[label, text] for style, label, text in results[mode] if style not in META]
        assert got == expected(want), mode


def test_pages_flashes_and_api_errors_in_french(client, login, make_user, frozen_fr, api_headers):
    login(make_user("staff"))
    french = {"Accept-Language": "fr"}
    page = client.get(f"/declarations/{frozen_fr.id}/documents", headers=french)
    text = page.get_data(as_text=True)
    assert "Documents Word" in text and "Édition bilingue (deux langues en regard)" in text
    assert "Colonne de gauche" in text and "Télécharger la comparaison" not in text
    slug = frozen_fr.conference.slug
    text = client.get(f"/conferences/{slug}/documents", headers=french).get_data(as_text=True)
    assert "Modèle Word" in text and "Liste des participants (.docx, Français)" in text
    response = client.get(
        f"/api/v1/declarations/{frozen_fr.id}/documents/final.docx?language=de",
        headers={**api_headers(make_user("organiser")), **french},
    )
    error = response.get_json()["error"]
    assert response.status_code == 422 and error["code"] == "validation_failed"
    assert error["message"].startswith("«\u00a0de\u00a0» n’est pas l’une des langues de")
