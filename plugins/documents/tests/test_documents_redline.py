"""Drafts and redlines: DRAFT marking only where it belongs, tracked changes that resolve to
exactly the older text (all rejected) and the newer text (all accepted)."""

from __future__ import annotations

import copy

import pytest
from docx.oxml.ns import qn

from alliance_conf.core.errors import NotFound, ValidationFailed
from alliance_conf.declarations import amendments, transitions
from alliance_conf.declarations import operations as declaration_ops
from alliance_conf.extensions import db
from plugins.documents import builder, numbering, operations
from plugins.documents.tests.helpers import body_text, docx2, numbered_paragraphs, open_docx
from plugins.documents.tests.support import CONTENT


def header_text(document) -> str:
    parts = []
    for section in document.sections:
        for header in (section.header, section.first_page_header):
            parts += [p.text for p in header.paragraphs]
    return "\n".join(parts)


def revised(content: dict) -> dict:
    new = copy.deepcopy(content)
    new["title"] = "Declaration on safer children online and offline"
    new["preamble"][1]["text"] = "Deeply concerned by the rapid growth of abuse material online,"
    new["commitments"][1]["text"] = "Enhance efforts to prosecute offenders across borders."
    new["commitments"].insert(
        1, {"key": "industry", "title": "Working with industry", "text": "Work with providers."}
    )
    del new["commitments"][3]  # "awareness"
    new["closing"].append({"key": "thanks", "text": "We thank the host country."})
    return new


def moved(content: dict) -> dict:
    new = copy.deepcopy(content)
    new["commitments"].reverse()
    new["preamble"] = new["preamble"][1:]
    return new


def test_a_draft_is_marked_and_numbered_for_reference(make_declaration):
    declaration = make_declaration()
    data = operations.draft_revision(declaration, 1)
    document = open_docx(data)
    assert document.paragraphs[1].text.startswith(f"SAFER-2030/DECL.{declaration.id}/Rev.1\n")
    assert document.paragraphs[2].text == "DRAFT"
    assert document.paragraphs[3].text == CONTENT["title"]
    header = header_text(document)
    assert "DRAFT" in header and "Revision 1 of" in header
    assert document.core_properties.title == "DRAFT \N{EN DASH} " + CONTENT["title"]
    assert document.core_properties.revision == 1
    # Preamble, commitments and closing all carry list numbers: PP1, 1., CP1.
    numbered = numbered_paragraphs(document)
    level_texts = {}
    for num_id, paragraph in numbered:
        level = numbering.list_definition(document, num_id).find(qn("w:lvl"))
        level_texts.setdefault(level.find(qn("w:lvlText")).get(qn("w:val")), []).append(
            paragraph.text
        )
    assert level_texts["PP%1"] == [p["text"] for p in CONTENT["preamble"]]
    assert len(level_texts["%1."]) == 3
    assert level_texts["CP%1"] == [p["text"] for p in CONTENT["closing"]]
    text = docx2(data).text  # docx2python numbers list items itself
    assert "1)\tWe, the ministers gathered in Brussels," in text
    assert "2)\tProsecuting offenders" in text


def test_the_frozen_revision_is_not_a_draft_but_older_ones_are(make_declaration):
    declaration = make_declaration(CONTENT, revised(CONTENT), freeze=True)
    frozen = open_docx(operations.draft_revision(declaration, 2))
    assert "DRAFT" not in header_text(frozen)
    assert all(p.text != "DRAFT" for p in frozen.paragraphs)
    assert not frozen.core_properties.title.startswith("DRAFT")
    older = open_docx(operations.draft_revision(declaration, 1))
    assert "DRAFT" in header_text(older)
    final = open_docx(operations.final_declaration(declaration))
    assert "DRAFT" not in header_text(final)
    assert all("DRAFT" not in p.text for p in final.paragraphs)


def test_unknown_revision_is_refused(make_declaration):
    declaration = make_declaration()
    with pytest.raises(NotFound, match="no revision 7"):
        operations.draft_revision(declaration, 7)
    with pytest.raises(ValidationFailed):
        operations.comparison(declaration, 1, 1)


@pytest.mark.parametrize("change", [revised, moved], ids=["edits", "moves"])
def test_redline_accepts_to_the_newer_and_rejects_to_the_older(make_declaration, change):
    new_content = change(CONTENT)
    declaration = make_declaration(CONTENT, new_content)
    data = operations.comparison(declaration, 1, 2)
    old, new = declaration.revision(1).content, declaration.revision(2).content
    assert body_text(data, "accept") == builder.plain_text(new)
    assert body_text(data, "reject") == builder.plain_text(old)
    # Both directions work (from a newer to an older revision too).
    backwards = operations.comparison(declaration, 2, 1)
    assert body_text(backwards, "accept") == builder.plain_text(old)
    assert body_text(backwards, "reject") == builder.plain_text(new)


def test_redline_uses_real_tracked_changes(make_declaration):
    declaration = make_declaration(CONTENT, revised(CONTENT))
    data = operations.comparison(declaration, 1, 2)
    body = open_docx(data).element.body
    insertions = list(body.iter(qn("w:ins")))
    deletions = list(body.iter(qn("w:del")))
    assert insertions and deletions
    ids = set()
    for change in insertions + deletions:
        assert change.get(qn("w:author")) == "Ministerial conference on safer children"
        assert change.get(qn("w:date")).endswith("Z")
        ids.add(change.get(qn("w:id")))
    assert len(ids) == len(insertions) + len(deletions)
    for deletion in deletions:
        if deletion.getparent().tag == qn("w:rPr"):
            continue  # a deleted paragraph mark
        assert deletion.find(f".//{qn('w:t')}") is None
        assert (
            deletion.find(f".//{qn('w:delText')}") is not None
            or deletion.find(f".//{qn('w:br')}") is not None
        )
    deleted_words = " ".join(t.text for t in body.iter(qn("w:delText")))
    assert "Raising awareness" in deleted_words
    inserted_words = " ".join(t.text for ins in insertions for t in ins.iter(qn("w:t")))
    assert "Working with industry" in inserted_words and "across borders." in inserted_words
    # The word-level diff keeps unchanged words as plain runs.
    assert "growth of abuse material online," in " ".join(
        r.text for r in body.iter(qn("w:t")) if r.getparent().getparent().tag == qn("w:p")
    )


def test_tracked_text_resolves_exactly_for_random_edits():
    import random

    from docx import Document

    from alliance_conf.declarations.diff import word_ops
    from plugins.documents import redline
    from plugins.documents.tests.helpers import _text

    rng = random.Random(20121205)
    vocabulary = [
        "we",
        "commit",
        "to",
        "act",
        "now",
        "together",
        "online",
        "children",
        "victims",
        "offenders",
    ]
    for _ in range(300):
        old = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(0, 9)))
        new = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(0, 9)))
        document = Document()
        paragraph = document.add_paragraph()
        revisions = redline.Revisions("Tester", builder.datetime(2030, 1, 1))
        redline.add_tracked_text(paragraph, word_ops(old, new), revisions)
        assert _text(paragraph._p, "accept") == new
        assert _text(paragraph._p, "reject") == old


def test_each_change_is_authored_by_the_delegation_whose_amendment_made_it(
    make_declaration, make_delegation, make_user, make_registration, conference, organiser
):
    from datetime import UTC

    declaration = make_declaration()
    transitions.transition(declaration, "consultation", actor=organiser)
    estonia = make_delegation(conference, "EE")
    minister = make_user("delegate", full_name="Kaja Minister")
    make_registration(estonia, minister, function="head_of_delegation")
    amendment = amendments.propose_amendment(
        declaration,
        kind="replace",
        target_key="offenders",
        justification="Cross-border cases.",
        proposed_text="Enhance efforts to prosecute offenders across borders.",
        submit=True,
        actor=minister,
    )
    accepted = amendments.accept_amendment(amendment, actor=organiser)
    edited = copy.deepcopy(accepted.content)
    edited["closing"][0]["text"] = "We will meet again in two years to take stock."
    editorial = declaration_ops.save_revision(declaration, content=edited, actor=organiser)
    db.session.commit()

    data = operations.comparison(declaration, 1, editorial.number)
    body = open_docx(data).element.body
    marks = [el for el in body.iter(qn("w:ins"), qn("w:del")) if el.get(qn("w:author"))]
    by_text = {}
    for mark in marks:
        text = "".join(t.text or "" for t in mark.iter(qn("w:t"), qn("w:delText")))
        by_text.setdefault(mark.get(qn("w:author")), []).append((text, mark.get(qn("w:date"))))
    estonian = by_text[estonia.name]
    assert any("across borders" in text for text, _ in estonian)
    stamp = accepted.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert {date for _, date in estonian} == {stamp}
    editor = by_text[operations.organisation(conference)]
    assert any("two" in text for text, _ in editor)
    assert all("across" not in text for text, _ in editor)
