"""The final declaration, read back with python-docx and docx2python."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from docx.oxml.ns import qn

from alliance_conf.core.errors import InvalidState
from alliance_conf.declarations import canonical
from alliance_conf.hooks import SignatureRow, SignatureStatement
from plugins.documents import builder, numbering, operations
from plugins.documents.tests.helpers import (
    body_text,
    docx2,
    field_instructions,
    numbered_paragraphs,
    open_docx,
    signature_blocks,
    table_rows,
)
from plugins.documents.tests.support import CONTENT


def row(delegation, name, *, keys=("victims", "offenders", "awareness"), partial=False, **extra):
    return SignatureRow(
        delegation_id=delegation.id,
        delegation_name=delegation.name,
        country_code=delegation.country_code,
        group=delegation.group,
        signatory_name=name,
        signatory_title=extra.pop("title", "Minister of Justice"),
        signed_at=extra.pop("signed_at", datetime(2030, 3, 2, 10, 30, tzinfo=UTC)),
        endorsed_commitment_keys=tuple(keys),
        endorses_all=not partial,
        **extra,
    )


@pytest.fixture
def signed(make_declaration, make_delegation, conference, signatures):
    declaration = make_declaration(freeze=True)
    france = make_delegation(conference, "FR", group="eu_member")
    austria = make_delegation(conference, "AT", group="eu_member")
    japan = make_delegation(conference, "JP")
    unicef = make_delegation(conference, organisation_name="UNICEF")
    signatures.rows_by_declaration[declaration.id] = [
        row(france, "Marie Curie", verification_code="AAAA-1111", verification_url="https://v/1"),
        row(unicef, "Ann Org", title="Executive Director", verification_code="DDDD-4444"),
        row(
            japan,
            "Taro Yamada",
            keys=("victims", "awareness"),
            partial=True,
            statements=(
                SignatureStatement("reservation", "Subject to ratification.", "offenders"),
                SignatureStatement("statement", "Japan supports the Alliance."),
            ),
            verification_code="CCCC-3333",
        ),
        row(austria, "Anna Keller", verification_code="BBBB-2222"),
    ]
    return declaration


def test_final_declaration_text_numbering_and_signatories(signed):
    data = operations.final_declaration(signed)
    document = open_docx(data)
    lines = body_text(data)
    assert lines[0] == CONTENT["title"]
    assert "We, the ministers gathered in Brussels," in lines
    assert (
        "Identifying victims\nEnhance efforts to identify victims and ensure they receive assistance."
        in lines
    )
    assert "We will meet again in one year to take stock." in lines
    opened = builder.long_date(builder.local_date(signed.frozen_at, "Europe/Brussels"))
    # Signatures given after the day the text was opened for signature keep their own date.
    assert f"Opened for signature at Brussels on {opened}; signed on 2 March 2030." in lines
    assert all("DRAFT" not in line for line in lines)

    # Commitments are a real list: w:numPr on each, a decimal definition in numbering.xml,
    # and no number typed into the text.
    numbered = numbered_paragraphs(document)
    assert [p.runs[0].text for _, p in numbered] == [c["title"] for c in CONTENT["commitments"]]
    num_ids = {num_id for num_id, _ in numbered}
    assert len(num_ids) == 1
    definition = numbering.list_definition(document, num_ids.pop())
    level = definition.find(qn("w:lvl"))
    assert level.find(qn("w:numFmt")).get(qn("w:val")) == "decimal"
    assert level.find(qn("w:lvlText")).get(qn("w:val")) == "%1."
    assert all(p.style.name == "Commitment" for _, p in numbered)
    assert all(not p.text[:1].isdigit() for _, p in numbered)
    text = docx2(data).text
    assert "1)\tIdentifying victims" in text and "3)\tRaising awareness" in text

    # Signatories in protocol order (states alphabetically, then organisations), only the
    # rows the provider gave, partial endorsement spelled out.
    blocks = signature_blocks(document)
    assert [b[0] for b in blocks] == [
        "For the Republic of Austria",
        "For the French Republic",
        "For Japan",
        "For UNICEF",
    ]
    assert blocks[2] == [
        "For Japan",
        "Endorses commitments 1 and 3 only",
        "Taro Yamada",
        "Minister of Justice",
        "2 March 2030",
    ]
    assert blocks[3][1:3] == ["Ann Org", "Executive Director"]
    assert document.paragraphs[1].text.startswith(f"SAFER-2030/DECL.{signed.id}\n{opened}")
    assert "Have agreed as follows:" in [p.text for p in document.paragraphs]
    italic = [r.text for p in document.paragraphs for r in p.runs if r.italic]
    assert "Concerned" in italic and "We," not in italic

    # Annex I: statements and reservations per delegation, commitments by number.
    assert "Annex I \N{EN DASH} Statements and reservations" in lines
    assert "Reservation on commitment 2 (Prosecuting offenders): Subject to ratification." in lines
    assert "Statement on the declaration as a whole: Japan supports the Alliance." in lines

    # Annex II: the text's SHA-256 and each signature's code and address.
    revision = signed.frozen_revision
    # The hash signatures bind: the manifest of every language version's hash (one here).
    assert signed.text_hash == revision.manifest_hash()
    assert signed.language_hashes == {"en": canonical.text_hash(revision.content)}
    assert signed.text_hash in lines
    record = table_rows(document.tables[0])
    assert record[0] == ["Delegation", "Signed (UTC)", "Verification code", "Verification address"]
    assert record[2] == ["France", "2030-03-02 10:30", "AAAA-1111", "https://v/1"]
    assert [r[2] for r in record[1:]] == ["BBBB-2222", "AAAA-1111", "CCCC-3333", "DDDD-4444"]


def test_header_footer_fields_and_properties(signed):
    data = operations.final_declaration(signed)
    document = open_docx(data)
    section = document.sections[0]
    assert "Ministerial conference on safer children" in "\n".join(
        p.text for p in section.header.paragraphs
    )
    assert "DRAFT" not in "".join(p.text for p in section.header.paragraphs)
    assert section.page_width.mm == pytest.approx(210, abs=0.5)
    assert section.page_height.mm == pytest.approx(297, abs=0.5)
    for footer in (section.footer, section.first_page_footer):
        assert field_instructions(footer._element) == [
            "PAGE \\* MERGEFORMAT",
            "NUMPAGES \\* MERGEFORMAT",
        ]
        text = "".join(t.text for t in footer._element.iter(qn("w:t")))
        assert text == "Page 1 of 1"  # the cached results, updated by Word/LibreOffice
    assert "Page 1 of 1" in str(docx2(data).footer)
    props = document.core_properties
    assert props.title == CONTENT["title"]
    assert props.subject == "Final declaration, Ministerial conference on safer children"
    assert props.author == "Ministerial conference on safer children"
    assert props.revision == signed.frozen_revision.number
    assert props.created.replace(tzinfo=UTC) == signed.frozen_at.replace(microsecond=0)
    assert props.identifier == f"sha256:{signed.text_hash}"


def test_author_organisation_is_configurable(app, signed):
    app.config["DOCUMENTS_ORGANISATION"] = "Global Alliance Secretariat"
    try:
        props = open_docx(operations.final_declaration(signed)).core_properties
    finally:
        app.config["DOCUMENTS_ORGANISATION"] = None
    assert props.author == "Global Alliance Secretariat"


def test_protocol_order_is_configurable(app, signed):
    app.config["DOCUMENTS_PROTOCOL_ORDER"] = ["JP", "unicef"]
    try:
        document = open_docx(operations.final_declaration(signed))
    finally:
        app.config["DOCUMENTS_PROTOCOL_ORDER"] = "alphabetical"
    names = [b[0] for b in signature_blocks(document)]
    assert names == [
        "For Japan",
        "For UNICEF",
        "For the Republic of Austria",
        "For the French Republic",
    ]


def test_group_protocol_order(app, signed):
    app.config["DOCUMENTS_PROTOCOL_ORDER"] = "group"
    try:
        document = open_docx(operations.final_declaration(signed))
    finally:
        app.config["DOCUMENTS_PROTOCOL_ORDER"] = "alphabetical"
    names = [b[0].split()[-1] for b in signature_blocks(document)]
    assert names == ["Austria", "Republic", "Japan", "UNICEF"]  # eu_member, partner, observer


def test_without_a_signature_provider_the_page_says_no_signature_yet(make_declaration):
    declaration = make_declaration(freeze=True)
    data = operations.final_declaration(declaration)
    document = open_docx(data)
    assert signature_blocks(document) == []
    lines = body_text(data)
    assert lines[lines.index("Signatures") + 1] == "No signature yet."
    assert any(line.startswith("Opened for signature at Brussels on ") for line in lines)
    assert "No delegation made a statement or a reservation." in body_text(data)


def test_final_needs_a_frozen_text(make_declaration):
    declaration = make_declaration()
    with pytest.raises(InvalidState, match="not frozen"):
        operations.final_declaration(declaration)


def test_signed_at_states_the_real_dates():
    from types import SimpleNamespace

    conference = SimpleNamespace(city="Brussels", timezone="Europe/Brussels")
    opened = datetime(2030, 3, 2, 9, 0, tzinfo=UTC).date()

    def at(day):
        return SimpleNamespace(signed_at=datetime(2030, 3, day, 12, 0, tzinfo=UTC))

    line = builder.signed_at_line
    assert line(conference, opened, [at(2), at(2)]) == "Signed at Brussels on 2 March 2030."
    assert line(conference, opened, [at(2), at(5), at(9)]) == (
        "Signed at Brussels on 2 March 2030 and on 5 March 2030 and 9 March 2030."
    )
    assert line(conference, opened, []) == "Opened for signature at Brussels on 2 March 2030."


def test_an_emblem_in_the_templates_letterhead_is_kept(make_declaration, conference):
    """A template's letterhead paragraph may carry the conference's emblem: it is kept, with
    its image part, in every document."""
    import io

    from docx import Document
    from docx.shared import Mm

    from plugins.documents.tests.helpers import audit_errors, package_parts

    png = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5d5a5b50000000049454e44ae426082"
    )
    document = Document(io.BytesIO(builder.default_template_bytes()))
    letterhead = next(p for p in document.paragraphs if p.style.name == "Letterhead")
    letterhead.insert_paragraph_before(style="Letterhead").add_run().add_picture(
        io.BytesIO(png), width=Mm(20)
    )
    buffer = io.BytesIO()
    document.save(buffer)
    operations.upload_template(conference, "emblem.docx", buffer.getvalue(), actor=None)
    data = operations.final_declaration(make_declaration(freeze=True))
    assert any(name.startswith("word/media/") for name in package_parts(data))
    assert open_docx(data).inline_shapes[0].width == Mm(20)
    assert audit_errors(data) == []
