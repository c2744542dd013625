"""Word fields (``w:fldChar`` begin / ``w:instrText`` / separate / result / end)."""

from __future__ import annotations

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


def add_page_x_of_y(paragraph, *, page_word: str = "Page", of_word: str = "of") -> None:
    """``Page X of Y`` with real PAGE and NUMPAGES fields."""
    paragraph.add_run(f"{page_word} ")
    add_field(paragraph, "PAGE \\* MERGEFORMAT")
    paragraph.add_run(f" {of_word} ")
    add_field(paragraph, "NUMPAGES \\* MERGEFORMAT")
