"""Read generated documents back: paragraphs, numbering, fields, and tracked changes resolved."""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.oxml.ns import qn
from docx2python import docx2python

META_STYLES = {"Subtitle", "Document Note", "Draft Mark", "Reference Line", "Operative Lead-in"}


def open_docx(data: bytes):
    return Document(BytesIO(data))


def docx2(data: bytes):
    return docx2python(BytesIO(data))


def style_names(document) -> dict[str, str]:
    return {style.style_id: style.name for style in document.styles}


def paragraph_style(p, names) -> str:
    p_pr = p.find(qn("w:pPr"))
    style = p_pr.find(qn("w:pStyle")) if p_pr is not None else None
    return names.get(style.get(qn("w:val")), "Normal") if style is not None else "Normal"


def _text(element, mode: str) -> str:
    parts = []
    for child in element:
        tag = child.tag
        if tag == qn("w:pPr"):
            continue
        if tag == qn("w:ins"):
            if mode != "reject":
                parts.append(_text(child, mode))
        elif tag == qn("w:del"):
            if mode != "accept":
                parts.append(_text(child, mode))
        elif tag == qn("w:r"):
            for node in child:
                if node.tag == qn("w:t"):
                    parts.append(node.text or "")
                elif node.tag == qn("w:delText"):
                    assert mode != "accept", "w:delText outside a deletion"
                    parts.append(node.text or "")
                elif node.tag == qn("w:br"):
                    parts.append("\n")
                elif node.tag == qn("w:tab"):
                    parts.append("\t")
        else:
            parts.append(_text(child, mode))
    return "".join(parts)


def _mark(p) -> str | None:
    p_pr = p.find(qn("w:pPr"))
    r_pr = p_pr.find(qn("w:rPr")) if p_pr is not None else None
    if r_pr is None:
        return None
    if r_pr.find(qn("w:ins")) is not None:
        return "ins"
    if r_pr.find(qn("w:del")) is not None:
        return "del"
    return None


def body_text(data: bytes, mode: str = "accept", *, skip_meta: bool = True) -> list[str]:
    """Body paragraphs (tables left out) as plain text with every tracked change accepted
    (``mode="accept"``) or rejected (``"reject"``); a paragraph whose mark was inserted
    disappears on reject, one whose mark was deleted disappears on accept."""
    document = open_docx(data)
    names = style_names(document)
    lines = []
    for p in document.element.body.iterchildren(qn("w:p")):
        style = paragraph_style(p, names)
        if style == "Letterhead" or (skip_meta and style in META_STYLES):
            continue
        mark = _mark(p)
        if (mode == "accept" and mark == "del") or (mode == "reject" and mark == "ins"):
            continue
        lines.append(_text(p, mode))
    return lines


def numbered_paragraphs(document) -> list:
    """(numId, paragraph) for every paragraph carrying w:numPr."""
    found = []
    for paragraph in document.paragraphs:
        p_pr = paragraph._p.pPr
        if p_pr is not None and p_pr.numPr is not None:
            found.append((p_pr.numPr.numId.val, paragraph))
    return found


def field_instructions(element) -> list[str]:
    """The instructions of the complex fields in ``element``, checking begin/separate/end."""
    instructions, state = [], None
    for node in element.iter():
        if node.tag == qn("w:fldChar"):
            kind = node.get(qn("w:fldCharType"))
            expected = {"begin": None, "separate": "begin", "end": "separate"}[kind]
            assert state == expected, f"fldChar {kind} after {state}"
            state = None if kind == "end" else kind
        elif node.tag == qn("w:instrText"):
            assert state == "begin"
            instructions.append(node.text.strip())
    assert state is None
    return instructions


def table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def audit_errors(data: bytes) -> list[str]:
    """What ``openxml-audit`` (a port of the Open XML SDK validator: schema, element order,
    semantics and Word's own compatibility checks) finds wrong with a .docx."""
    import tempfile
    from pathlib import Path

    from openxml_audit import OpenXmlValidator

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "document.docx"
        path.write_bytes(data)
        result = OpenXmlValidator(max_errors=0).validate(path)
    return [f"{e.part_uri} {e.path}: {e.description}" for e in result.errors]


def package_parts(data: bytes) -> dict[str, bytes]:
    import zipfile

    archive = zipfile.ZipFile(BytesIO(data))
    return {name: archive.read(name) for name in archive.namelist()}


def signature_blocks(document) -> list[list[str]]:
    """The signature page: one list per block, "For ..." first, then its lines."""
    blocks = []
    for paragraph in document.paragraphs:
        style = paragraph.style.name
        if style == "Signatory":
            blocks.append([paragraph.text])
        elif blocks and style in ("Signature Line", "Document Note"):
            blocks[-1].append(paragraph.text)
    return blocks
