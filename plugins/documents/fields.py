"""Word fields (``w:fldChar`` begin / ``w:instrText`` / separate / result / end)."""

from __future__ import annotations

import re

from docx.oxml import OxmlElement
from docx.oxml.ns import qn


def _run(paragraph, child):
    run = paragraph.add_run()
    run._r.append(child)
    return run


def _fld_char(kind: str):
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), kind)
    return element


def add_field(paragraph, instruction: str, placeholder: str = "1") -> None:
    """Append a complex field; ``placeholder`` is the cached result shown until it updates."""
    _run(paragraph, _fld_char("begin"))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    _run(paragraph, instr)
    _run(paragraph, _fld_char("separate"))
    paragraph.add_run(placeholder)
    _run(paragraph, _fld_char("end"))


def add_page_x_of_y(paragraph, pattern: str = "Page %(page)s of %(pages)s") -> None:
    """``Page X of Y`` with real PAGE and NUMPAGES fields; ``pattern`` is the sentence in the
    document's language with the placeholders %(page)s and %(pages)s, in either order."""
    fields = {"%(page)s": "PAGE \\* MERGEFORMAT", "%(pages)s": "NUMPAGES \\* MERGEFORMAT"}
    for piece in re.split(r"(%\(pages?\)s)", pattern):
        if piece in fields:
            add_field(paragraph, fields[piece])
        elif piece:
            paragraph.add_run(piece)
