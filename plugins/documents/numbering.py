"""Real Word numbering: definitions in ``numbering.xml`` and ``w:numPr`` on each paragraph.

A list is an ``w:abstractNum`` (what the numbers look like: format, text such as ``%1.``,
indents, the paragraph style it belongs to) plus a ``w:num`` instance pointing to it; each
numbered paragraph names the instance in ``w:pPr/w:numPr``. Word and LibreOffice then count the
paragraphs themselves, so no number is ever typed into the text.
"""

from __future__ import annotations

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.parts.numbering import NumberingPart

EMPTY_NUMBERING = f"<w:numbering {nsdecls('w')}/>"
TWIPS_PER_CM = 567


def numbering_element(document):
    """The ``w:numbering`` root of the document, creating ``numbering.xml`` when missing."""
    part = document.part
    try:
        numbering_part = part.part_related_by(RT.NUMBERING)
    except KeyError:
        numbering_part = NumberingPart(
            PackURI("/word/numbering.xml"),
            CT.WML_NUMBERING,
            parse_xml(EMPTY_NUMBERING),
            part.package,
        )
        part.relate_to(numbering_part, RT.NUMBERING)
    return numbering_part.element


def _next_id(root, tag: str, attribute: str) -> int:
    values = [int(el.get(qn(attribute))) for el in root.iter(qn(tag)) if el.get(qn(attribute))]
    return max(values, default=0) + 1


def add_list(
    document,
    *,
    number_format: str = "decimal",
    level_text: str = "%1.",
    indent_cm: float = 1.0,
    hanging_cm: float = 1.0,
    style_id: str | None = None,
    bold: bool = False,
) -> int:
    """Define a one-level list and return the ``numId`` of a fresh instance of it."""
    root = numbering_element(document)
    abstract_id = _next_id(root, "w:abstractNum", "w:abstractNumId")
    num_id = _next_id(root, "w:num", "w:numId")
    left = round(indent_cm * TWIPS_PER_CM)
    hanging = round(hanging_cm * TWIPS_PER_CM)
    style = f'<w:pStyle w:val="{style_id}"/>' if style_id else ""
    run_props = "<w:rPr><w:b/><w:bCs/></w:rPr>" if bold else ""
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        f'<w:multiLevelType w:val="singleLevel"/>'
        f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{number_format}"/>'
        f"{style}"
        f'<w:lvlText w:val="{level_text}"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:ind w:left="{left}" w:hanging="{hanging}"/></w:pPr>{run_props}</w:lvl>'
        f"</w:abstractNum>"
    )
    num = parse_xml(
        f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num>'
    )
    # Schema order: every w:abstractNum comes before the first w:num.
    first_num = root.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        last_abstract = root.findall(qn("w:abstractNum"))
        if last_abstract:
            last_abstract[-1].addnext(abstract)
        else:
            root.insert(_abstract_insert_index(root), abstract)
    nums = root.findall(qn("w:num"))
    if nums:
        nums[-1].addnext(num)
    else:
        abstract_elements = root.findall(qn("w:abstractNum"))
        abstract_elements[-1].addnext(num)
    return num_id


def _abstract_insert_index(root) -> int:
    """After any leading picture bullets."""
    for index, child in enumerate(root):
        if child.tag != qn("w:numPicBullet"):
            return index
    return len(root)


def number_paragraph(paragraph, num_id: int, level: int = 0) -> None:
    """Make ``paragraph`` an item of list ``num_id``."""
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = level
    num_pr.get_or_add_numId().val = num_id


def list_definition(document, num_id: int):
    """The ``w:abstractNum`` behind a ``numId`` (for checks and tests), or None."""
    root = numbering_element(document)
    for num in root.findall(qn("w:num")):
        if num.get(qn("w:numId")) == str(num_id):
            abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
            for abstract in root.findall(qn("w:abstractNum")):
                if abstract.get(qn("w:abstractNumId")) == abstract_id:
                    return abstract
    return None
