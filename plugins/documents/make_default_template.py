"""Build the default Word template shipped with the plugin (``data/default-template.docx``).

Run ``.venv/bin/python -m plugins.documents.make_default_template`` after changing it and
commit the result. The template holds only styles, page set-up, a letterhead paragraph and
a header; the generator clears everything else from the body.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from plugins.documents import package

OUTPUT = Path(__file__).resolve().parent / "data" / "default-template.docx"
SERIF = "Times New Roman"
NAVY = RGBColor(0x1F, 0x2A, 0x44)
GREY = RGBColor(0x59, 0x59, 0x59)
# The order of w:pPr children in the schema (from pBdr on; earlier ones are never inserted).
PPR_SEQUENCE = tuple(
    "w:" + name
    for name in (
        "pBdr",
        "shd",
        "tabs",
        "suppressAutoHyphens",
        "kinsoku",
        "wordWrap",
        "overflowPunct",
        "topLinePunct",
        "autoSpaceDE",
        "autoSpaceDN",
        "bidi",
        "adjustRightInd",
        "snapToGrid",
        "spacing",
        "ind",
        "contextualSpacing",
        "mirrorIndents",
        "suppressOverlap",
        "jc",
        "textDirection",
        "textAlignment",
        "textboxTightWrap",
        "outlineLvl",
        "divId",
        "cnfStyle",
        "rPr",
        "sectPr",
        "pPrChange",
    )
)


def _plain_fonts(document) -> None:
    """Drop theme font references so the explicit fonts below apply everywhere."""
    root = document.styles.element
    for fonts in root.iter(qn("w:rFonts")):
        for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attribute), None)
        for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
            fonts.set(qn(attribute), SERIF)


def _insert_in_order(p_pr, element) -> None:
    """Insert a ``w:pPr`` child where the schema's sequence wants it."""
    tag = "w:" + element.tag.split("}")[1]
    successors = PPR_SEQUENCE[PPR_SEQUENCE.index(tag) + 1 :]
    p_pr.insert_element_before(element, *successors)


def _border(p_pr, side: str, *, size=6, space=4, color="1F2A44") -> None:
    borders = p_pr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        _insert_in_order(p_pr, borders)
    for child in borders.findall(qn(f"w:{side}")):
        borders.remove(child)
    line = OxmlElement(f"w:{side}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(size))
    line.set(qn("w:space"), str(space))
    line.set(qn("w:color"), color)
    borders.append(line)


def _remove_borders(style) -> None:
    p_pr = style.element.pPr
    if p_pr is not None:
        for borders in p_pr.findall(qn("w:pBdr")):
            p_pr.remove(borders)


def _font(style, *, size, bold=None, italic=None, color=None, small_caps=None):
    font = style.font
    font.name = SERIF
    font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if italic is not None:
        font.italic = italic
    if color is not None:
        font.color.rgb = color
    if small_caps is not None:
        font.small_caps = small_caps


def _spacing(style, *, before=0, after=6, line=None, align=None, keep_next=None):
    fmt = style.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if line is not None:
        fmt.line_spacing = line
    if align is not None:
        fmt.alignment = align
    if keep_next is not None:
        fmt.keep_with_next = keep_next


def build() -> Document:
    document = Document()
    styles = document.styles
    _plain_fonts(document)

    normal = styles["Normal"]
    _font(normal, size=11.5)
    _spacing(normal, after=8, line=1.15)

    title = styles["Title"]
    _remove_borders(title)
    _font(title, size=19, bold=True, italic=False, color=NAVY)
    _spacing(title, before=6, after=6, line=1.05, align=WD_ALIGN_PARAGRAPH.CENTER)

    subtitle = styles["Subtitle"]
    _font(subtitle, size=12, bold=False, italic=True, color=GREY)
    _spacing(subtitle, after=24, align=WD_ALIGN_PARAGRAPH.CENTER)

    heading1 = styles["Heading 1"]
    _font(heading1, size=14, bold=True, italic=False, color=NAVY)
    _spacing(heading1, before=18, after=8, keep_next=True)
    heading2 = styles["Heading 2"]
    _font(heading2, size=12, bold=True, italic=False, color=NAVY)
    _spacing(heading2, before=12, after=4, keep_next=True)

    for name in ("Header", "Footer"):
        _font(styles[name], size=8.5, color=GREY)
    header_style = styles["Header"]
    header_style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _border(header_style.element.get_or_add_pPr(), "bottom", size=4, color="8C8C8C")
    styles["Footer"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    commitment = styles.add_style("Commitment", WD_STYLE_TYPE.PARAGRAPH)
    commitment.base_style = styles["List Paragraph"]
    commitment.quick_style = True
    _font(commitment, size=11.5)
    _spacing(commitment, after=10, line=1.15, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    commitment.paragraph_format.left_indent = Mm(10)
    commitment.paragraph_format.first_line_indent = Mm(-10)
    commitment.paragraph_format.keep_together = True
    off = OxmlElement("w:contextualSpacing")
    off.set(qn("w:val"), "0")
    _insert_in_order(commitment.element.get_or_add_pPr(), off)

    letterhead = styles.add_style("Letterhead", WD_STYLE_TYPE.PARAGRAPH)
    letterhead.base_style = normal
    letterhead.quick_style = True
    _font(letterhead, size=10.5, bold=True, color=NAVY, small_caps=True)
    _spacing(letterhead, after=30, align=WD_ALIGN_PARAGRAPH.CENTER)
    _border(letterhead.element.get_or_add_pPr(), "bottom", size=8, space=6)

    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(25)
    section.left_margin = section.right_margin = Mm(25)
    section.header_distance = section.footer_distance = Mm(12)
    section.different_first_page_header_footer = True

    for paragraph in list(document.paragraphs):
        paragraph._p.getparent().remove(paragraph._p)
    document.add_paragraph("{conference}", style=letterhead)
    header = section.header
    header.is_linked_to_previous = False
    header.paragraphs[0].text = "{conference}"
    header.paragraphs[0].style = header_style
    section.first_page_header.is_linked_to_previous = False
    section.first_page_header.paragraphs[0].style = normal
    section.footer.is_linked_to_previous = False
    section.footer.paragraphs[0].style = styles["Footer"]

    props = document.core_properties
    props.author = "alliance-conf"
    props.last_modified_by = "alliance-conf"
    props.title = "alliance-conf default template"
    props.comments = (
        "Styles: Title, Subtitle, Heading 1, Heading 2, Normal, Commitment, Letterhead."
    )
    props.created = props.modified = datetime(2026, 1, 1)
    props.revision = 1
    package.normalise(document)
    return document


def main(argv: list[str]) -> int:
    target = Path(argv[1]) if len(argv) > 1 else OUTPUT
    target.parent.mkdir(parents=True, exist_ok=True)
    build().save(target)
    print(f"wrote {target} ({target.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
