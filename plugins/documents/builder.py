"""Assemble the Word documents with python-docx, in memory, on the conference's template.

The template (the conference's uploaded one, or the default shipped with the plugin) is opened,
its body cleared except the paragraphs in the "Letterhead" style, and the document is written
with the template's styles. Headers are kept (the conference name is filled in or added), the
footer is replaced by "Page X of Y" with real fields.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from importlib import resources
from io import BytesIO
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from alliance_conf.i18n import _, ngettext, pgettext
from plugins.documents import fields, numbering, package, redline, wording
from plugins.documents.package import DEFAULT_LANGUAGE

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
REQUIRED_STYLES = ("Normal", "Title", "Heading 1", "Heading 2", "Commitment", "Letterhead")
DEFAULT_TEMPLATE = "default-template.docx"
NOTE_STYLE = "Document Note"
DRAFT_STYLE = "Draft Mark"
REFERENCE_STYLE = "Reference Line"
LEAD_IN_STYLE = "Operative Lead-in"
SIGNATORY_STYLE = "Signatory"
SIGNATURE_LINE_STYLE = "Signature Line"
DEFAULT_LEAD_IN = "Have agreed as follows:"
DASH = wording.DASH
PLACEHOLDERS = ("{conference}", "{city}", "{dates}")


@lru_cache(maxsize=1)
def default_template_bytes() -> bytes:
    return resources.files("plugins.documents").joinpath("data", DEFAULT_TEMPLATE).read_bytes()


# --- formatting helpers ---------------------------------------------------------------------


def long_date(value: date | datetime, language: str = DEFAULT_LANGUAGE) -> str:
    return wording.long_date(value, language)


def local_date(moment: datetime, tz_name: str) -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(ZoneInfo(tz_name or "UTC")).date()
    except (KeyError, ValueError):
        return moment.astimezone(UTC).date()


def date_range(start: date, end: date, language: str = DEFAULT_LANGUAGE) -> str:
    return wording.date_range(start, end, language)


def conference_line(conference, language: str = DEFAULT_LANGUAGE) -> str:
    parts = [conference.city]
    if conference.venue:
        parts.append(conference.venue)
    parts.append(date_range(conference.start_date, conference.end_date, language))
    return ", ".join(parts)


def sort_name(name: str) -> str:
    """Accent- and case-insensitive key, so "Côte d'Ivoire" files under C."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def join_numbers(numbers: list[int], language: str = DEFAULT_LANGUAGE) -> str:
    return wording.join_words([str(n) for n in numbers], language)


# --- raw XML for the parts written in bulk ----------------------------------------------------

TWIPS_PER_CM = 567
_NOT_XML = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def xml_text(value: str) -> str:
    """Escape text for an XML element, dropping the control characters XML 1.0 forbids."""
    return escape(str(value).translate(_NOT_XML))


def _cell_xml(value, width: int, size: float, *, shade: bool = False) -> str:
    if isinstance(value, str):
        value = [(value, "")]
    half_points = round(size * 2)
    shading = '<w:shd w:val="clear" w:color="auto" w:fill="E6E9EF"/>' if shade else ""
    paragraphs = []
    for text, emphasis in value:
        run_props = {
            "bold": "<w:b/><w:bCs/>",
            "italic": "<w:i/><w:iCs/>",
        }.get(emphasis, "")
        sz = half_points - 2 if emphasis == "italic" else half_points
        paragraphs.append(
            '<w:p><w:pPr><w:spacing w:before="40" w:after="40" w:line="240" w:lineRule="auto"/>'
            '<w:jc w:val="left"/></w:pPr>'
            f'<w:r><w:rPr>{run_props}<w:sz w:val="{sz}"/><w:szCs w:val="{sz}"/></w:rPr>'
            f'<w:t xml:space="preserve">{xml_text(text)}</w:t></w:r></w:p>'
        )
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shading}</w:tcPr>'
        + "".join(paragraphs)
        + "</w:tc>"
    )


def _break_run():
    run = OxmlElement("w:r")
    run.append(OxmlElement("w:br"))
    return run


def add_text(paragraph, text: str, *, bold: bool = False, italic: bool = False):
    """Append a run of plain text (python-docx's ``add_run`` inspects every character)."""
    run = OxmlElement("w:r")
    if bold or italic:
        r_pr = OxmlElement("w:rPr")
        if bold:
            r_pr.append(OxmlElement("w:b"))
        if italic:
            r_pr.append(OxmlElement("w:i"))
        run.append(r_pr)
    t = OxmlElement("w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = str(text).translate(_NOT_XML)
    run.append(t)
    paragraph._p.append(run)
    return run


# --- the document on its template -----------------------------------------------------------


@dataclass
class Marking:
    """What the header says besides the conference name; ``draft`` adds the DRAFT mark."""

    draft: bool
    label: str = ""


class DocumentWriter:
    """One document being written on a template."""

    def __init__(
        self,
        template: bytes,
        conference,
        marking: Marking,
        *,
        language: str = DEFAULT_LANGUAGE,
        other_languages: tuple[str, ...] = (),
    ):
        self.doc = Document(BytesIO(template))
        self.language = language
        # Languages some runs are marked with on purpose (a bilingual edition's other column).
        self.other_languages = tuple(other_languages)
        self.conference = conference
        self.marking = marking
        self._styles = {s.name: s for s in self.doc.styles}
        self._ensure_own_styles()
        self._style_ids = {name: style.style_id for name, style in self._styles.items()}
        self._sect_pr = self.doc.element.body.find(qn("w:sectPr"))
        self._clear_body()
        self._no_stretch_before_line_breaks()
        self._fill_placeholders()
        self._write_headers()
        self._write_footers()

    # styles
    def style(self, name: str, fallback: str = "Normal"):
        return self._styles.get(name) or self._styles[fallback]

    def _ensure_own_styles(self) -> None:
        from docx.enum.style import WD_STYLE_TYPE

        if NOTE_STYLE not in self._styles:
            style = self.doc.styles.add_style(NOTE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = self._styles["Normal"]
            style.font.size = Pt(9)
            style.font.italic = True
            style.paragraph_format.space_after = Pt(4)
            self._styles[NOTE_STYLE] = style
        if DRAFT_STYLE not in self._styles:
            style = self.doc.styles.add_style(DRAFT_STYLE, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = self._styles["Normal"]
            style.font.bold = True
            style.font.size = Pt(14)
            style.font.color.rgb = RGBColor(0xB0, 0x1E, 0x1E)
            style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
            style.paragraph_format.space_after = Pt(6)
            self._styles[DRAFT_STYLE] = style
        self._add_style(REFERENCE_STYLE, size=9, align=WD_ALIGN_PARAGRAPH.RIGHT, after=12)
        self._add_style(LEAD_IN_STYLE, italic=False, before=6, after=10, keep_next=True)
        self._add_style(SIGNATORY_STYLE, bold=True, before=24, after=2, keep_next=True)
        self._add_style(SIGNATURE_LINE_STYLE, after=0, keep_next=True)

    def _add_style(
        self,
        name,
        *,
        size=None,
        bold=None,
        italic=None,
        align=None,
        before=None,
        after=None,
        keep_next=None,
    ) -> None:
        from docx.enum.style import WD_STYLE_TYPE

        if name in self._styles:
            return
        style = self.doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = self._styles["Normal"]
        if size is not None:
            style.font.size = Pt(size)
        if bold is not None:
            style.font.bold = bold
        if italic is not None:
            style.font.italic = italic
        fmt = style.paragraph_format
        if align is not None:
            fmt.alignment = align
        if before is not None:
            fmt.space_before = Pt(before)
        if after is not None:
            fmt.space_after = Pt(after)
        if keep_next is not None:
            fmt.keep_with_next = keep_next
        self._styles[name] = style

    # body
    def _clear_body(self) -> None:
        body = self.doc.element.body
        letterhead_id = self._styles["Letterhead"].style_id
        for child in list(body):
            if child.tag == qn("w:sectPr"):
                continue
            if child.tag == qn("w:p") and child.style == letterhead_id:
                continue
            body.remove(child)

    def _no_stretch_before_line_breaks(self) -> None:
        """Justified lines ending in a line break (a commitment's title) are not stretched."""
        compat = self.doc.settings.element.find(qn("w:compat"))
        if compat is None or compat.find(qn("w:doNotExpandShiftReturn")) is not None:
            return
        element = OxmlElement("w:doNotExpandShiftReturn")
        earlier = (
            "w:useSingleBorderforContiguousCells",
            "w:wpJustification",
            "w:noTabHangInd",
            "w:noLeading",
            "w:spaceForUL",
            "w:noColumnBalance",
            "w:balanceSingleByteDoubleByteWidth",
            "w:noExtraLineSpacing",
            "w:doNotLeaveBackslashAlone",
            "w:ulTrailSpace",
        )
        found = [compat.find(qn(tag)) for tag in earlier]
        found = [el for el in found if el is not None]
        if found:
            found[-1].addnext(element)
        else:
            compat.insert(0, element)

    def _placeholder_values(self) -> dict[str, str]:
        c = self.conference
        return {
            "{conference}": c.title,
            "{city}": c.city,
            "{dates}": date_range(c.start_date, c.end_date, self.language),
        }

    def _replace_in(self, paragraphs) -> None:
        values = self._placeholder_values()
        for paragraph in paragraphs:
            text = paragraph.text
            if not any(key in text for key in values):
                continue
            for run in paragraph.runs:
                for key, value in values.items():
                    if key in run.text:
                        run.text = run.text.replace(key, value)
            if any(key in paragraph.text for key in values):  # split across runs
                merged = paragraph.text
                for key, value in values.items():
                    merged = merged.replace(key, value)
                runs = paragraph.runs
                runs[0].text = merged
                for run in runs[1:]:
                    run.text = ""

    def _fill_placeholders(self) -> None:
        self._replace_in(self.doc.paragraphs)

    def _headers(self):
        for section in self.doc.sections:
            yield section.header
            if section.different_first_page_header_footer:
                yield section.first_page_header
            if self.doc.settings.odd_and_even_pages_header_footer:
                yield section.even_page_header

    def _write_headers(self) -> None:
        primary = {id(section.header._element) for section in self.doc.sections}
        for header in self._headers():
            self._replace_in(header.paragraphs)
            text = "\n".join(p.text for p in header.paragraphs)
            if id(header._element) in primary and self.conference.title not in text:
                header.add_paragraph(self.conference.title, style=self.style("Header"))
            if self.marking.draft or self.marking.label:
                paragraph = header.add_paragraph(style=self.style("Header"))
                if self.marking.draft:
                    mark = paragraph.add_run(_("DRAFT"))
                    mark.bold = True
                    mark.font.color.rgb = RGBColor(0xB0, 0x1E, 0x1E)
                if self.marking.label:
                    prefix = " · " if self.marking.draft else ""
                    paragraph.add_run(prefix + self.marking.label)

    def _write_footers(self) -> None:
        sections = self.doc.sections
        footers = []
        for section in sections:
            footers.append(section.footer)
            if section.different_first_page_header_footer:
                footers.append(section.first_page_footer)
            if self.doc.settings.odd_and_even_pages_header_footer:
                footers.append(section.even_page_footer)
        for footer in footers:
            footer.is_linked_to_previous = False
            element = footer._element
            for child in list(element):
                element.remove(child)
            paragraph = footer.add_paragraph(style=self.style("Footer"))
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            fields.add_page_x_of_y(paragraph, _("Page %(page)s of %(pages)s"))

    # writing
    def paragraph(self, text: str = "", style: str = "Normal", *, fallback: str = "Normal"):
        p = OxmlElement("w:p")
        if self._sect_pr is not None:
            self._sect_pr.addprevious(p)
        else:
            self.doc.element.body.append(p)
        paragraph = Paragraph(p, self.doc._body)
        if text:
            add_text(paragraph, text)
        style_id = self._style_ids.get(style) or self._style_ids.get(fallback)
        if style_id and style_id != self._style_ids.get("Normal"):
            paragraph._p.style = style_id  # by id: python-docx's lookup by name is slow
        return paragraph

    def heading(self, text: str, level: int = 1, *, page_break: bool = False):
        paragraph = self.paragraph(text, f"Heading {level}")
        if page_break:
            paragraph.paragraph_format.page_break_before = True
        return paragraph

    def note(self, text: str):
        return self.paragraph(text, NOTE_STYLE)

    def page_break(self) -> None:
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def table(self, headings: list[str], rows: list[list], *, widths_cm, size=10):
        """A table with a repeated, shaded header row; a cell is text or a list of
        (text, "" | "italic" | "bold"), one paragraph each.

        Written as one XML fragment: python-docx's row and cell API is quadratic in the number
        of rows, which a list of 200 signatories makes visible.
        """
        twips = [round(width * TWIPS_PER_CM) for width in widths_cm]
        style = self._styles.get("Table Grid")
        style_xml = f'<w:tblStyle w:val="{style.style_id}"/>' if style is not None else ""
        borders = (
            ""
            if style is not None
            else "<w:tblBorders>"
            + "".join(
                f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
                for side in ("top", "left", "bottom", "right", "insideH", "insideV")
            )
            + "</w:tblBorders>"
        )
        parts = [
            f"<w:tbl {nsdecls('w')}><w:tblPr>{style_xml}"
            f'<w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:jc w:val="center"/>{borders}'
            f'<w:tblLayout w:type="fixed"/><w:tblLook w:val="04A0" w:firstRow="1" '
            f'w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/>'
            "</w:tblPr><w:tblGrid>",
            *(f'<w:gridCol w:w="{w}"/>' for w in twips),
            "</w:tblGrid>",
            "<w:tr><w:trPr><w:tblHeader/></w:trPr>",
            *(
                _cell_xml([(heading, "bold")], width, size, shade=True)
                for heading, width in zip(headings, twips, strict=True)
            ),
            "</w:tr>",
        ]
        for values in rows:
            parts.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
            parts.extend(
                _cell_xml(value, width, size) for value, width in zip(values, twips, strict=True)
            )
            parts.append("</w:tr>")
        parts.append("</w:tbl>")
        tbl = parse_xml("".join(parts))
        body = self.doc.element.body
        sect_pr = body.find(qn("w:sectPr"))
        if sect_pr is not None:
            sect_pr.addprevious(tbl)
        else:
            body.append(tbl)
        return Table(tbl, self.doc._body)

    def save(self) -> bytes:
        package.normalise(self.doc, self.language, keep=self.other_languages)
        buffer = BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


# --- the declaration text -------------------------------------------------------------------


def _lists(writer: DocumentWriter, references: bool) -> dict[str, int | None]:
    commitment_style = writer.style("Commitment").style_id
    lists = {
        "commitments": numbering.add_list(
            writer.doc, level_text="%1.", style_id=commitment_style, bold=True
        ),
        "preamble": None,
        "closing": None,
    }
    if references:
        lists["preamble"] = numbering.add_list(
            writer.doc, level_text=f"{preamble_reference()}%1", hanging_cm=1.2
        )
        lists["closing"] = numbering.add_list(
            writer.doc, level_text=f"{closing_reference()}%1", hanging_cm=1.2
        )
    return lists


def preamble_reference() -> str:
    """The prefix of a preambular paragraph's reference: PP1, PP2 (AP1 in French)."""
    return pgettext("reference of a preambular paragraph, as in PP1", "PP")


def closing_reference() -> str:
    """The prefix of a closing paragraph's reference: CP1 (PF1 in French)."""
    return pgettext("reference of a closing paragraph, as in CP1", "CP")


def opening_participle(text: str, language: str = DEFAULT_LANGUAGE) -> tuple[str, str]:
    """Split a preambular paragraph into its opening participle phrase and the rest, as UN
    style italicises it (see ``wording.opening_participle``)."""
    return wording.opening_participle(text, language)


def lead_in(writer: DocumentWriter, content: dict, text: str) -> None:
    """The operative lead-in ("Have agreed as follows:") between preamble and commitments."""
    if text and content.get("preamble") and content.get("commitments"):
        writer.paragraph(text, LEAD_IN_STYLE)


def write_text(
    writer: DocumentWriter, content: dict, *, references: bool, lead_in_text: str = ""
) -> None:
    """The declaration's own text: preamble, numbered commitments, closing paragraphs."""
    lists = _lists(writer, references)
    for section in ("preamble", "commitments", "closing"):
        if section == "commitments":
            lead_in(writer, content, lead_in_text)
        for item in content.get(section, []):
            if section == "preamble":
                phrase, rest = opening_participle(item.get("text", ""), writer.language)
                paragraph = writer.paragraph("")
                if phrase:
                    add_text(paragraph, phrase, italic=True)
                add_text(paragraph, rest)
                paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            elif section == "commitments":
                paragraph = writer.paragraph("", "Commitment")
                add_text(paragraph, item.get("title", ""), bold=True)
                paragraph._p.append(_break_run())
                add_text(paragraph, item.get("text", ""))
            else:
                paragraph = writer.paragraph(item.get("text", ""))
                paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            if lists[section] is not None:
                numbering.number_paragraph(paragraph, lists[section])


def write_tracked_text(
    writer: DocumentWriter,
    comparison: dict,
    old: dict,
    new: dict,
    revisions,
    *,
    lead_in_text: str = "",
) -> None:
    """The text of ``new`` with every difference from ``old`` as a tracked change.

    Items are merged so that both sides keep their order: an item moved elsewhere appears as a
    deletion where it was and an insertion where it is now.
    """
    lists = _lists(writer, references=True)
    every_change = revisions
    for section_result in comparison["sections"]:
        section = section_result["section"]
        if section == "commitments":
            lead_in(
                writer,
                {
                    "preamble": old.get("preamble") or new.get("preamble"),
                    "commitments": old.get("commitments") or new.get("commitments"),
                },
                lead_in_text,
            )
        by_key = {item["key"]: item for item in section_result["items"]}
        old_items = {item["key"]: item for item in old.get(section, [])}
        new_items = {item["key"]: item for item in new.get(section, [])}
        for kind, key in _merged_order(
            section_result["items"], old.get(section, []), new.get(section, [])
        ):
            info = by_key[key]
            revisions = every_change.for_key(key)
            if kind == "both":
                title_ops, text_ops, mark = info["title_ops"], info["text_ops"], None
            else:
                source = old_items[key] if kind == "old" else new_items[key]
                op = redline.DELETE if kind == "old" else redline.INSERT
                title_ops = (
                    _whole(source.get("title", ""), op) if section == "commitments" else None
                )
                text_ops = _whole(source.get("text", ""), op)
                mark = op
            if section == "commitments":
                paragraph = writer.paragraph("", "Commitment")
                redline.add_tracked_text(paragraph, title_ops or [], revisions, bold=True)
                redline.add_tracked_break(paragraph, revisions, mark or redline.EQUAL)
                redline.add_tracked_text(paragraph, text_ops, revisions)
            else:
                paragraph = writer.paragraph("")
                paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
                redline.add_tracked_text(paragraph, text_ops, revisions)
            if mark:
                redline.mark_paragraph(paragraph, mark, revisions)
            if lists[section] is not None:
                numbering.number_paragraph(paragraph, lists[section])


def _whole(text: str, op: str) -> list[dict]:
    words = (text or "").split()
    return [{"op": op, "text": " ".join(words)}] if words else []


def _merged_order(items: list[dict], old_list: list[dict], new_list: list[dict]):
    """Yield ("old" | "new" | "both", key) so both sides read in their own order."""
    status = {item["key"]: item for item in items}

    def old_only(key):
        return status[key]["status"] == "deleted" or status[key]["moved"]

    def new_only(key):
        return status[key]["status"] == "inserted" or status[key]["moved"]

    old_keys = [item["key"] for item in old_list]
    new_keys = [item["key"] for item in new_list]
    i = j = 0
    while i < len(old_keys) or j < len(new_keys):
        if i < len(old_keys) and old_only(old_keys[i]):
            yield "old", old_keys[i]
            i += 1
        elif j < len(new_keys) and new_only(new_keys[j]):
            yield "new", new_keys[j]
            j += 1
        else:
            # Both point at the same common item: the rest keep their relative order.
            yield "both", new_keys[j]
            i += 1
            j += 1


def plain_text(content: dict) -> list[str]:
    """The declaration text as the documents lay it out, one string per paragraph.

    A commitment is its title and its text separated by a line break (``\\n``).
    """
    lines = [content.get("title", "")]
    for section in ("preamble", "commitments", "closing"):
        for item in content.get(section, []):
            if section == "commitments":
                lines.append(f"{item.get('title', '')}\n{item.get('text', '')}")
            else:
                lines.append(item.get("text", ""))
    return lines


def set_properties(
    writer: DocumentWriter,
    *,
    title: str,
    subject: str,
    author: str,
    created: datetime,
    revision: int,
    keywords: str = "",
    identifier: str = "",
    comments: str = "",
    category: str | None = None,
) -> None:
    props = writer.doc.core_properties
    if created.tzinfo is not None:
        created = created.astimezone(UTC).replace(tzinfo=None)
    props.title = title[:255]
    props.subject = subject[:255]
    props.author = author[:255]
    props.last_modified_by = author[:255]
    props.created = created
    props.modified = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    props.revision = max(1, int(revision))
    props.keywords = keywords[:255]
    props.identifier = identifier[:255]
    props.comments = comments[:255]
    props.category = category or _("Ministerial declaration")
    props.content_status = _("Draft") if writer.marking.draft else _("Final")
    props.language = writer.language


# --- the documents --------------------------------------------------------------------------


@dataclass
class DeclarationSource:
    """What a declaration document is made of, already loaded from the database."""

    conference: object
    title: str
    revision_number: int
    revision_date: datetime
    content: dict
    frozen: bool
    author: str
    language: str = DEFAULT_LANGUAGE  # the text's language, as Word's proofing tag (en-GB, fr-FR)
    symbol: str = ""  # the document symbol of the reference line, e.g. SAFER-2030/DECL.1
    lead_in: str = DEFAULT_LEAD_IN
    # The conference's authentic languages (tags), for the final clause; one: not stated.
    authentic_languages: list = field(default_factory=list)


def reference_line(writer: DocumentWriter, symbol: str, when: date) -> None:
    """The document symbol and date, top right, as a treaty office issues its documents."""
    parts = [part for part in (symbol, long_date(when, writer.language)) if part]
    paragraph = writer.paragraph("", REFERENCE_STYLE)
    for n, part in enumerate(parts):
        if n:
            paragraph._p.append(_break_run())
        add_text(paragraph, part)


def _title_block(
    writer: DocumentWriter, source: DeclarationSource, *, draft_note: str, when: date
) -> None:
    reference_line(writer, source.symbol, when)
    if writer.marking.draft:
        writer.paragraph(_("DRAFT"), DRAFT_STYLE)
    writer.paragraph(source.content.get("title") or source.title, "Title")
    writer.paragraph(
        conference_line(source.conference, writer.language), "Subtitle", fallback=NOTE_STYLE
    )
    if draft_note:
        writer.note(draft_note)


def _revision_label(source: DeclarationSource, *, capital: bool = True) -> str:
    tz = source.conference.timezone
    values = {
        "number": source.revision_number,
        "date": long_date(local_date(source.revision_date, tz), source.language),
    }
    if capital:
        return _("Revision %(number)s of %(date)s", **values)
    return _("revision %(number)s of %(date)s", **values)


def build_draft(template: bytes, source: DeclarationSource) -> bytes:
    """Any revision, with paragraph references; marked DRAFT unless it is the frozen text."""
    draft = not source.frozen
    label = _revision_label(source)
    writer = DocumentWriter(
        template, source.conference, Marking(draft=draft, label=label), language=source.language
    )
    references = _(
        "Paragraph references: %(pp)s = preambular paragraph, %(cp)s = closing paragraph; "
        "commitments are numbered.",
        pp=preamble_reference(),
        cp=closing_reference(),
    )
    if draft:
        note = _("%(label)s. %(references)s", label=label, references=references)
    else:
        note = _(
            "%(label)s: the text frozen for signature. %(references)s",
            label=label,
            references=references,
        )
    tz = source.conference.timezone
    _title_block(writer, source, draft_note=note, when=local_date(source.revision_date, tz))
    write_text(writer, source.content, references=True, lead_in_text=source.lead_in)
    title = source.content.get("title") or source.title
    set_properties(
        writer,
        title=_("DRAFT %(dash)s %(title)s", dash=DASH, title=title) if draft else title,
        subject=(
            _("Draft, %(revision)s", revision=_revision_label(source, capital=False))
            if draft
            else _("Frozen text, %(revision)s", revision=_revision_label(source, capital=False))
        ),
        author=source.author,
        created=source.revision_date,
        revision=source.revision_number,
    )
    return writer.save()


def build_comparison(
    template: bytes,
    old: DeclarationSource,
    new: DeclarationSource,
    comparison: dict,
    *,
    change_author: str,
    attribution: dict | None = None,
) -> bytes:
    """A redline: ``new`` with every difference from ``old`` as a Word tracked change."""
    label = _(
        "Comparison of revision %(old)s with revision %(new)s",
        old=old.revision_number,
        new=new.revision_number,
    )
    writer = DocumentWriter(
        template, new.conference, Marking(draft=not new.frozen, label=label), language=new.language
    )
    revisions = redline.Revisions(change_author, new.revision_date, attribution)
    reference_line(writer, new.symbol, local_date(new.revision_date, new.conference.timezone))
    if writer.marking.draft:
        writer.paragraph(_("DRAFT"), DRAFT_STYLE)
    title_paragraph = writer.paragraph("", "Title")
    redline.add_tracked_text(
        title_paragraph, comparison["title"]["ops"], revisions.for_key("title")
    )
    writer.paragraph(
        conference_line(new.conference, writer.language), "Subtitle", fallback=NOTE_STYLE
    )
    summary = comparison["summary"]
    counts = ", ".join(
        [
            ngettext("%(num)d inserted", "%(num)d inserted", summary["inserted"]),
            ngettext("%(num)d deleted", "%(num)d deleted", summary["deleted"]),
            ngettext("%(num)d changed", "%(num)d changed", summary["changed"]),
            ngettext("%(num)d moved", "%(num)d moved", summary["moved"]),
        ]
    )
    writer.note(
        _(
            "%(label)s: %(old)s → %(new)s. %(counts)s. Changes are Word tracked changes: review "
            "them with Accept and Reject.",
            label=label,
            old=_revision_label(old, capital=False),
            new=_revision_label(new, capital=False),
            counts=counts,
        )
    )
    write_tracked_text(
        writer, comparison, old.content, new.content, revisions, lead_in_text=new.lead_in
    )
    # The last paragraph of a document cannot lose its paragraph mark, so a last paragraph
    # inserted or deleted would survive Accept/Reject All as an empty numbered one: the text
    # is never the end of the document.
    writer.note(
        _(
            "End of the comparison of revision %(old)s with revision %(new)s.",
            old=old.revision_number,
            new=new.revision_number,
        )
    )
    set_properties(
        writer,
        title=f"{label} {DASH} {new.content.get('title') or new.title}",
        subject=label,
        author=new.author,
        created=new.revision_date,
        revision=new.revision_number,
    )
    return writer.save()


@dataclass
class FinalSource:
    declaration: DeclarationSource
    text_hash: str
    frozen_at: datetime
    rows: list  # SignatureRow, in protocol order
    # {language code: SHA-256 of that language's canonical text}; empty for one-language texts.
    language_hashes: dict = field(default_factory=dict)


def _signature_record(writer: DocumentWriter, text: DeclarationSource, source: FinalSource):
    conference = text.conference
    frozen_on = long_date(local_date(source.frozen_at, conference.timezone), writer.language)
    if len(source.language_hashes) > 1:
        writer.paragraph(
            _(
                "The text signed is revision %(number)s of the declaration, frozen for signature "
                "on %(date)s. The SHA-256 of the manifest of its language versions, which every "
                "signature binds, is:",
                number=text.revision_number,
                date=frozen_on,
            )
        )
    else:
        writer.paragraph(
            _(
                "The text signed is revision %(number)s of the declaration, frozen for signature "
                "on %(date)s. The SHA-256 of its canonical form is:",
                number=text.revision_number,
                date=frozen_on,
            )
        )
    _hash_line(writer, source.text_hash)
    if len(source.language_hashes) > 1:
        writer.paragraph(_("The SHA-256 of the canonical text in each language:"))
        for code, digest in source.language_hashes.items():
            paragraph = _hash_line(writer, digest)
            name = wording.language_name(code, writer.language)
            label = _("%(language)s text: ", language=name)
            paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, _plain_run(label))
    writer.paragraph(
        _("Each signature below can be checked at its verification address with its code.")
    )


def _plain_run(text: str):
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = str(text).translate(_NOT_XML)
    run.append(t)
    return run


def _hash_line(writer: DocumentWriter, digest: str):
    paragraph = writer.paragraph("")
    run = paragraph.add_run(digest)
    run.font.name = "Courier New"
    run.font.size = Pt(9)
    return paragraph


def done_at_line(conference, opened: date, languages: list[str], language: str) -> str:
    """ "Done at Brussels on 5 December 2012, in the English and French languages, both texts
    being equally authentic." in the document's language; "" for a one-language text."""
    if len(languages) < 2:
        return ""
    names = [
        pgettext(
            "a language in the list of authentic languages",
            "%(language)s",
            language=wording.language_name(code, language),
        )
        for code in languages
    ]
    values = {
        "city": conference.city,
        "date": long_date(opened, language),
        "languages": join_words(names, language),
    }
    if len(languages) == 2:
        return _(
            "Done at %(city)s on %(date)s, in the %(languages)s languages, both texts being "
            "equally authentic.",
            **values,
        )
    return _(
        "Done at %(city)s on %(date)s, in the %(languages)s languages, each text being equally "
        "authentic.",
        **values,
    )


def build_final(template: bytes, source: FinalSource) -> bytes:
    text = source.declaration
    conference = text.conference
    writer = DocumentWriter(template, conference, Marking(draft=False), language=text.language)
    language = writer.language
    opened = local_date(source.frozen_at, conference.timezone)
    _title_block(writer, text, draft_note="", when=opened)
    write_text(writer, text.content, references=False, lead_in_text=text.lead_in)
    done = done_at_line(conference, opened, text.authentic_languages, language)
    if done:
        paragraph = writer.paragraph(done, "Normal")
        paragraph.paragraph_format.space_before = Pt(18)
        paragraph.paragraph_format.keep_with_next = True
    signed = writer.paragraph(signed_at_line(conference, opened, source.rows, language), "Normal")
    signed.paragraph_format.space_before = Pt(6 if done else 18)
    signed.paragraph_format.keep_with_next = True

    numbers = {item["key"]: n for n, item in enumerate(text.content.get("commitments", []), 1)}
    titles = {item["key"]: item.get("title", "") for item in text.content.get("commitments", [])}
    heading = writer.heading(_("Signatures"), 1, page_break=True)
    heading.paragraph_format.keep_with_next = True
    if not source.rows:
        writer.paragraph(_("No signature yet."))
    for row in source.rows:
        signature_block(writer, row, numbers, conference.timezone)

    writer.heading(_("Annex I %(dash)s Statements and reservations", dash=DASH), 1, page_break=True)
    with_statements = [row for row in source.rows if row.statements]
    if not with_statements:
        writer.paragraph(_("No delegation made a statement or a reservation."))
    for row in with_statements:
        writer.heading(delegation_name(row, language), 2)
        for statement in row.statements:
            label, statement_text = _statement_text(statement, numbers, titles)
            paragraph = writer.paragraph("")
            add_text(paragraph, _("%(label)s: ", label=label), bold=True)
            add_text(paragraph, statement_text)

    writer.heading(_("Annex II %(dash)s Signature record", dash=DASH), 1, page_break=True)
    _signature_record(writer, text, source)
    record = [
        [
            delegation_name(row, language),
            _utc(row.signed_at),
            row.verification_code or DASH,
            row.verification_url or DASH,
        ]
        for row in source.rows
    ] or [[_("No signature yet."), "", "", ""]]
    writer.table(
        [_("Delegation"), _("Signed (UTC)"), _("Verification code"), _("Verification address")],
        record,
        widths_cm=[3.6, 2.9, 2.9, 6.6],
        size=9,
    )
    set_properties(
        writer,
        title=text.content.get("title") or text.title,
        subject=_("Final declaration, %(conference)s", conference=conference.title),
        author=text.author,
        created=source.frozen_at,
        revision=text.revision_number,
        keywords=_("declaration; SHA-256 %(hash)s", hash=source.text_hash),
        identifier=f"sha256:{source.text_hash}",
        comments=ngettext("%(num)d signature", "%(num)d signatures", len(source.rows)),
    )
    return writer.save()


def _utc(moment) -> str:
    if not isinstance(moment, datetime):
        return str(moment or "")
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%d %H:%M}"


def signed_dates(rows, tz: str) -> list[date]:
    return sorted(
        {local_date(row.signed_at, tz) for row in rows if isinstance(row.signed_at, datetime)}
    )


def signed_at_line(conference, opened: date, rows, language: str = DEFAULT_LANGUAGE) -> str:
    """ "Signed at <city> on <date>" with the real dates: the day the text was opened for
    signature and, for signatures given later, their own days."""
    dates = signed_dates(rows, conference.timezone)
    values = {"city": conference.city, "date": long_date(opened, language)}
    if not dates:
        return _("Opened for signature at %(city)s on %(date)s.", **values)
    later = [d for d in dates if d > opened]
    first = [d for d in dates if d <= opened]
    later_dates = join_words([long_date(d, language) for d in later], language)
    if not first:
        return _(
            "Opened for signature at %(city)s on %(date)s; signed on %(later)s.",
            later=later_dates,
            **values,
        )
    if later:
        return _("Signed at %(city)s on %(date)s and on %(later)s.", later=later_dates, **values)
    return _("Signed at %(city)s on %(date)s.", **values)


def join_words(words: list[str], language: str = DEFAULT_LANGUAGE) -> str:
    return wording.join_words(words, language)


def delegation_name(row, language: str = DEFAULT_LANGUAGE) -> str:
    """A delegation as the document's language names it: a state by its short name in that
    language, an organisation by its own name."""
    return wording.country_name(row.country_code, language, row.delegation_name)


def official_name(row, language: str = DEFAULT_LANGUAGE) -> str:
    """The full official name a signature block uses: "the Republic of Estonia", "Japan"."""
    return wording.official_name(row.country_code, language, row.delegation_name)


def signature_block(writer: DocumentWriter, row, numbers: dict[str, int], tz: str) -> None:
    """One block per signatory: "For the Republic of Estonia", name, title, date."""
    writer.paragraph(_("For %(name)s", name=official_name(row, writer.language)), SIGNATORY_STYLE)
    first, *lines = _signatory_cells(row, numbers, tz, writer.language)
    for note, _emphasis in first[1:]:  # a partial endorsement, spelled out
        writer.paragraph(note, NOTE_STYLE).paragraph_format.keep_with_next = True
    for line in lines:
        writer.paragraph(line or DASH, SIGNATURE_LINE_STYLE)


def _signatory_cells(
    row, numbers: dict[str, int], tz: str, language: str = DEFAULT_LANGUAGE
) -> list:
    first = [(delegation_name(row, language), "")]
    if not row.endorses_all:
        endorsed = sorted(numbers[k] for k in row.endorsed_commitment_keys if k in numbers)
        if endorsed:
            first.append(
                (
                    ngettext(
                        "Endorses commitment %(numbers)s only",
                        "Endorses commitments %(numbers)s only",
                        len(endorsed),
                        numbers=join_numbers(endorsed, language),
                    ),
                    "italic",
                )
            )
        else:
            first.append((_("Endorses none of the commitments"), "italic"))
    signed = row.signed_at
    when = (
        long_date(local_date(signed, tz), language) if isinstance(signed, datetime) else str(signed)
    )
    return [first, row.signatory_name, row.signatory_title, when]


def _statement_text(statement, numbers: dict[str, int], titles: dict[str, str]):
    reservation = statement.kind == "reservation"
    key = statement.commitment_key
    if key is None:
        label = (
            _("Reservation on the declaration as a whole")
            if reservation
            else _("Statement on the declaration as a whole")
        )
    elif key in numbers:
        values = {"number": numbers[key], "title": titles[key]}
        label = (
            _("Reservation on commitment %(number)s (%(title)s)", **values)
            if reservation
            else _("Statement on commitment %(number)s (%(title)s)", **values)
        )
    else:
        label = (
            _("Reservation on the commitment '%(key)s'", key=key)
            if reservation
            else _("Statement on the commitment '%(key)s'", key=key)
        )
    return label, statement.text


@dataclass
class ParticipantGroup:
    delegation_name: str
    people: list  # (name, function title, position and organisation)


def build_participants(
    template: bytes,
    conference,
    groups: list[ParticipantGroup],
    author: str,
    *,
    language: str = DEFAULT_LANGUAGE,
):
    writer = DocumentWriter(
        template,
        conference,
        Marking(draft=False, label=_("List of participants")),
        language=language,
    )
    writer.paragraph(_("List of participants"), "Title")
    writer.paragraph(conference_line(conference, language), "Subtitle", fallback=NOTE_STYLE)
    writer.note(
        _(
            "Delegations in protocol order. Only accredited delegates who agreed to appear in "
            "the published list are shown."
        )
    )
    if not groups:
        writer.paragraph(_("No delegate has agreed to appear in the list yet."))
    for group in groups:
        heading = writer.heading(group.delegation_name, 2)
        heading.paragraph_format.keep_with_next = True
        for name, function, position in group.people:
            paragraph = writer.paragraph("")
            paragraph.paragraph_format.space_after = Pt(2)
            add_text(paragraph, name, bold=True)
            details = ", ".join(part for part in (position, function) if part)
            if details:
                add_text(paragraph, f" {DASH} {details}")
    now = datetime.now(UTC)
    set_properties(
        writer,
        title=_(
            "List of participants %(dash)s %(conference)s", dash=DASH, conference=conference.title
        ),
        subject=_("List of participants"),
        author=author,
        created=now,
        revision=1,
    )
    return writer.save()
