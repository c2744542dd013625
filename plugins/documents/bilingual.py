"""The bilingual edition: two language versions side by side, as UN and EU practice prints
them. One two-column table, a row per item aligned through the items' stable keys (the title,
each preambular paragraph, the lead-in, each numbered commitment, each closing paragraph, the
final clause); each column's runs carry their own proofing language (``w:lang``). The final
text adds its signatories the same way, then the signature record.
"""

from __future__ import annotations

from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn

from alliance_conf.i18n import _
from plugins.documents import wording
from plugins.documents.builder import (
    DASH,
    DRAFT_STYLE,
    NOTE_STYLE,
    TWIPS_PER_CM,
    DeclarationSource,
    DocumentWriter,
    FinalSource,
    Marking,
    closing_reference,
    conference_line,
    done_at_line,
    local_date,
    long_date,
    official_name,
    opening_participle,
    preamble_reference,
    reference_line,
    set_properties,
    signed_at_line,
    xml_text,
)

COLUMN_CM = 8.0
SECTIONS = ("preamble", "commitments", "closing")


def _run(text: str, tag: str, emphasis: str = "") -> str:
    props = {"bold": "<w:b/><w:bCs/>", "italic": "<w:i/><w:iCs/>"}.get(emphasis, "")
    return (
        f'<w:r><w:rPr>{props}<w:lang w:val="{tag}"/></w:rPr>'
        f'<w:t xml:space="preserve">{xml_text(text)}</w:t></w:r>'
    )


def _break() -> str:
    return "<w:r><w:br/></w:r>"


def _paragraph(runs: list[str], tag: str, *, align: str = "left", keep_next=False) -> str:
    keep = "<w:keepNext/>" if keep_next else ""
    return (
        f'<w:p><w:pPr>{keep}<w:spacing w:before="60" w:after="60"/><w:jc w:val="{align}"/>'
        f'<w:rPr><w:lang w:val="{tag}"/></w:rPr></w:pPr>{"".join(runs)}</w:p>'
    )


def _cell(paragraphs: list[str], tag: str, *, shade: bool = False) -> str:
    width = round(COLUMN_CM * TWIPS_PER_CM)
    shading = '<w:shd w:val="clear" w:color="auto" w:fill="E6E9EF"/>' if shade else ""
    body = "".join(paragraphs) or _paragraph([], tag)
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shading}</w:tcPr>{body}</w:tc>'


def _table(writer: DocumentWriter, header: tuple[str, str], rows, tags: tuple[str, str]):
    """``rows``: (left paragraphs, right paragraphs) per row, each already XML."""
    width = round(COLUMN_CM * TWIPS_PER_CM)
    borders = (
        "<w:tblBorders>"
        '<w:top w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
        '<w:bottom w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
        '<w:insideH w:val="single" w:sz="2" w:space="0" w:color="BFBFBF"/>'
        '<w:insideV w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
        "</w:tblBorders>"
    )
    parts = [
        f"<w:tbl {nsdecls('w')}><w:tblPr>"
        f'<w:tblW w:w="{2 * width}" w:type="dxa"/><w:jc w:val="center"/>{borders}'
        '<w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:left w:w="113" w:type="dxa"/><w:right w:w="113" w:type="dxa"/>'
        "</w:tblCellMar>"
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" '
        'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/>'
        f'</w:tblPr><w:tblGrid><w:gridCol w:w="{width}"/><w:gridCol w:w="{width}"/></w:tblGrid>',
        "<w:tr><w:trPr><w:tblHeader/></w:trPr>",
        *(
            _cell([_paragraph([_run(text, tag, "bold")], tag, align="center")], tag, shade=True)
            for text, tag in zip(header, tags, strict=True)
        ),
        "</w:tr>",
    ]
    for left, right in rows:
        parts.append("<w:tr>")
        parts.append(_cell(left, tags[0]))
        parts.append(_cell(right, tags[1]))
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    tbl = parse_xml("".join(parts))
    body = writer.doc.element.body
    sect_pr = body.find(qn("w:sectPr"))
    if sect_pr is not None:
        sect_pr.addprevious(tbl)
    else:
        body.append(tbl)
    return tbl


def _text_rows(source: DeclarationSource, *, references: bool, translate) -> list[tuple]:
    """One entry per aligned row: (row key, paragraphs XML) for one language."""
    tag = source.language
    content = source.content
    rows = [
        (
            "title",
            [
                _paragraph(
                    [_run(content.get("title") or source.title, tag, "bold")], tag, align="center"
                )
            ],
        )
    ]
    prefixes = translate(tag, lambda: (preamble_reference(), closing_reference()))
    for section in SECTIONS:
        items = content.get(section, [])
        if section == "commitments" and items and content.get("preamble") and source.lead_in:
            rows.append(("lead-in", [_paragraph([_run(source.lead_in, tag)], tag)]))
        for n, item in enumerate(items, 1):
            runs = []
            if section == "preamble":
                if references:
                    runs.append(_run(f"{prefixes[0]}{n} ", tag, "bold"))
                phrase, rest = opening_participle(item.get("text", ""), tag)
                if phrase:
                    runs.append(_run(phrase, tag, "italic"))
                runs.append(_run(rest, tag))
            elif section == "commitments":
                runs.append(_run(f"{n}. ", tag, "bold"))
                runs.append(_run(item.get("title", ""), tag, "bold"))
                runs.append(_break())
                runs.append(_run(item.get("text", ""), tag))
            else:
                if references:
                    runs.append(_run(f"{prefixes[1]}{n} ", tag, "bold"))
                runs.append(_run(item.get("text", ""), tag))
            rows.append((item["key"], [_paragraph(runs, tag)]))
    return rows


def _aligned(left: list[tuple], right: list[tuple]) -> list[tuple]:
    """Pair the rows of both languages by key, in the left language's order; a key only one
    side has (a text not yet aligned) gets an empty cell on the other side."""
    right_by_key = dict(right)
    left_keys = {key for key, _paragraphs in left}
    rows = [(paragraphs, right_by_key.get(key, [])) for key, paragraphs in left]
    rows += [([], paragraphs) for key, paragraphs in right if key not in left_keys]
    return rows


def _closing_rows(final: tuple[FinalSource, FinalSource], translate) -> list[tuple]:
    cells = []
    for source in final:
        text = source.declaration
        tag = text.language
        conference = text.conference
        opened = local_date(source.frozen_at, conference.timezone)
        lines = translate(
            tag,
            lambda t=text, s=source, c=conference, o=opened, g=tag: [
                done_at_line(c, o, t.authentic_languages, g),
                signed_at_line(c, o, s.rows, g),
            ],
        )
        cells.append([_paragraph([_run(line, tag)], tag) for line in lines if line])
    return [tuple(cells)]


def _signature_rows(final: tuple[FinalSource, FinalSource], translate) -> list[tuple]:
    def block(source: FinalSource, row) -> list[str]:
        tag = source.declaration.language
        tz = source.declaration.conference.timezone

        def words():
            when = row.signed_at
            if hasattr(when, "tzinfo"):
                when = long_date(local_date(when, tz), tag)
            return _("For %(name)s", name=official_name(row, tag)), str(when or "")

        heading, when = translate(tag, words)
        lines = [
            _paragraph([_run(heading, tag, "bold")], tag, align="left", keep_next=True),
        ]
        for line in (row.signatory_name, row.signatory_title, when):
            lines.append(_paragraph([_run(line or DASH, tag)], tag, align="left"))
        return lines

    left, right = final
    return [(block(left, row), block(right, row)) for row in left.rows]


def build_bilingual(template: bytes, left, right, *, translate) -> bytes:
    """``left`` and ``right``: a ``FinalSource`` each (the final text) or a
    ``DeclarationSource`` each (a revision). ``translate(language, function)`` runs
    ``function`` with gettext in that language (the operations pass ``force_locale``)."""
    final = isinstance(left, FinalSource)
    texts = (left.declaration, right.declaration) if final else (left, right)
    tags = (texts[0].language, texts[1].language)
    conference = texts[0].conference
    draft = not texts[0].frozen

    labels = [translate(tag, lambda: _("Bilingual edition")) for tag in tags]
    writer = DocumentWriter(
        template,
        conference,
        Marking(draft=draft, label=f"{labels[0]} / {labels[1]}"),
        language=tags[0],
        other_languages=(tags[1],),
    )
    when = (
        local_date(left.frozen_at, conference.timezone)
        if final
        else local_date(texts[0].revision_date, conference.timezone)
    )
    reference_line(writer, texts[0].symbol, when)
    if draft:
        writer.paragraph(translate(tags[0], lambda: _("DRAFT")), DRAFT_STYLE)
    for text, tag in zip(texts, tags, strict=True):
        title = writer.paragraph(text.content.get("title") or text.title, "Title")
        set_paragraph_language(title, tag)
    for tag in tags:
        line = writer.paragraph(conference_line(conference, tag), "Subtitle", fallback=NOTE_STYLE)
        set_paragraph_language(line, tag)
    header = (wording.own_language_name(tags[0]), wording.own_language_name(tags[1]))
    rows = _aligned(
        _text_rows(texts[0], references=draft, translate=translate)[1:],
        _text_rows(texts[1], references=draft, translate=translate)[1:],
    )
    if final:
        rows += _closing_rows((left, right), translate)
    _table(writer, header, rows, tags)
    if final:
        headings = [translate(tag, lambda: _("Signatures")) for tag in tags]
        heading = writer.heading(f"{headings[0]} / {headings[1]}", 1, page_break=True)
        heading.paragraph_format.keep_with_next = True
        signatures = _signature_rows((left, right), translate)
        if not signatures:
            signatures = [
                tuple(
                    [_paragraph([_run(translate(tag, lambda: _("No signature yet.")), tag)], tag)]
                    for tag in tags
                )
            ]
        _table(writer, header, signatures, tags)
        for tag in tags:
            note = writer.note(translate(tag, _record_note, left.text_hash))
            set_paragraph_language(note, tag)
    title = " / ".join(text.content.get("title") or text.title for text in texts)
    set_properties(
        writer,
        title=title,
        subject=f"{labels[0]} / {labels[1]}",
        author=texts[0].author,
        created=left.frozen_at if final else texts[0].revision_date,
        revision=texts[0].revision_number,
        identifier=f"sha256:{left.text_hash}" if final else "",
    )
    return writer.save()


def _record_note(text_hash: str) -> str:
    return _(
        "Every signature binds the SHA-256 of the manifest of the language versions: %(hash)s.",
        hash=text_hash,
    )


def set_paragraph_language(paragraph, tag: str) -> None:
    """Mark every run of ``paragraph`` (and its mark) with the proofing language ``tag``."""
    p = paragraph._p
    for r_pr in [run.get_or_add_rPr() for run in p.iter(qn("w:r"))]:
        lang = r_pr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            change = r_pr.find(qn("w:rPrChange"))
            if change is not None:
                change.addprevious(lang)
            else:
                r_pr.append(lang)
        lang.set(qn("w:val"), tag)
