"""Every kind of document is a native, valid Word 2013+ package, judged by a validator we did
not write (openxml-audit), whatever template it was written on."""

from __future__ import annotations

import io
import re

import pytest
from docx import Document
from docx.enum.style import WD_STYLE_TYPE

from plugins.documents import operations
from plugins.documents.tests.helpers import audit_errors, package_parts
from plugins.documents.tests.support import CONTENT
from plugins.documents.tests.test_documents_final import row
from plugins.documents.tests.test_documents_redline import revised


def stock_word_template() -> bytes:
    """A template as staff bring it: python-docx's stock file (a Word 2010 leftover with
    stylesWithEffects, a thumbnail, en-US) plus the styles a template must have."""
    document = Document()
    for name in ("Commitment", "Letterhead"):
        document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def assert_native(data: bytes, language: str = "en-GB") -> None:
    assert audit_errors(data) == []
    parts = package_parts(data)
    assert "word/stylesWithEffects.xml" not in parts
    assert not any("thumbnail" in name or name.startswith("customXml") for name in parts)
    assert "stylesWithEffects" not in parts["word/_rels/document.xml.rels"].decode()
    settings = parts["word/settings.xml"].decode()
    assert re.search(r'w:name="compatibilityMode"[^>]*w:val="15"', settings)
    assert "proofState" not in settings
    app = parts["docProps/app.xml"].decode()
    assert "<Application>alliance-conf</Application>" in app
    assert "Microsoft" not in app and "<Pages>" not in app and "<Words>" not in app
    languages = set()
    for name, content in parts.items():
        if name.startswith("word/") and name.endswith(".xml"):
            languages |= set(re.findall(r'<w:lang [^>]*w:val="([^"]+)"', content.decode()))
            languages |= set(re.findall(r'<w:themeFontLang [^>]*w:val="([^"]+)"', content.decode()))
    assert languages == {language}
    assert f"<dc:language>{language}</dc:language>" in parts["docProps/core.xml"].decode()
    assert 'w:tblHeader w:val="true"' not in parts["word/document.xml"].decode()


@pytest.fixture
def signed(make_declaration, make_delegation, conference, signatures):
    declaration = make_declaration(CONTENT, revised(CONTENT), freeze=True)
    estonia = make_delegation(conference, "EE")
    signatures.rows_by_declaration[declaration.id] = [row(estonia, "Kaja Kallas")]
    return declaration


def every_document(declaration, conference) -> dict[str, bytes]:
    return {
        "final": operations.final_declaration(declaration),
        "draft": operations.draft_revision(declaration, 1),
        "redline": operations.comparison(declaration, 1, 2),
        "participants": operations.participant_list(conference),
    }


def test_every_document_is_valid_on_the_default_template(signed, conference):
    for kind, data in every_document(signed, conference).items():
        try:
            assert_native(data)
        except AssertionError as error:
            raise AssertionError(f"{kind}: {error}") from None


def test_an_uploaded_word_template_is_normalised_the_same_way(app, signed, conference):
    operations.upload_template(conference, "ministry.docx", stock_word_template(), actor=None)
    app.config["DOCUMENTS_LANGUAGE"] = "en-IE"  # one place decides the region
    try:
        for kind, data in every_document(signed, conference).items():
            try:
                assert_native(data, "en-IE")
            except AssertionError as error:
                raise AssertionError(f"{kind}: {error}") from None
    finally:
        app.config["DOCUMENTS_LANGUAGE"] = "en-GB"


def test_the_validator_sees_element_order_and_on_off_values(signed):
    """The check can fail: the SDK's particle (element order) and value checks are on."""
    data = operations.final_declaration(signed)
    parts = package_parts(data)
    body = parts["word/document.xml"].decode()
    swapped = body.replace("<w:tblHeader/>", '<w:tblHeader w:val="true"/>', 1)
    from plugins.documents.tests.test_documents_templates import rezip

    errors = audit_errors(rezip(data, replace={"word/document.xml": swapped.encode()}))
    assert any("tblHeader" in e for e in errors)
    # ECMA-376 part 1, 17.6.17: w:titlePg comes before w:docGrid in w:sectPr.
    out_of_order = re.sub(r"(<w:titlePg/>)(<w:docGrid [^>]*/>)", r"\2\1", body, count=1)
    assert out_of_order != body
    errors = audit_errors(rezip(data, replace={"word/document.xml": out_of_order.encode()}))
    assert errors, "an element out of schema order must be reported"
