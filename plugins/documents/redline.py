"""Word tracked changes: ``w:ins`` and ``w:del`` with author and date.

Text comes as word-level segments from ``alliance_conf.declarations.diff`` (``equal``,
``insert``, ``delete``; words joined by single spaces, one space between segments). The space
before a segment is placed so that accepting every change gives exactly the new text and
rejecting every change gives exactly the old one: it is plain when both sides need it, inside
the insertion or deletion when only one side does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

EQUAL, INSERT, DELETE = "equal", "insert", "delete"


class Revisions:
    """Author, date and the ``w:id`` counter shared by every change of one document.

    ``attribution`` maps an item key (``"title"`` for the title) to the (author, date) of the
    revision that last changed it: the delegation whose amendment was accepted, or the
    organiser for an editorial change. ``for_key`` gives the marks for one item.
    """

    def __init__(self, author: str, date: datetime, attribution: dict | None = None, ids=None):
        self.author = author
        self.date = _stamp(date)
        self.attribution = attribution or {}
        self._ids = ids if ids is not None else count(1)

    def for_key(self, key: str) -> Revisions:
        author, date = self.attribution.get(key, (self.author, None))
        view = Revisions(author, date or datetime.min, self.attribution, self._ids)
        if date is None:
            view.date = self.date
        return view

    def mark(self, tag: str):
        element = OxmlElement(tag)
        element.set(qn("w:id"), str(next(self._ids)))
        element.set(qn("w:author"), self.author)
        element.set(qn("w:date"), self.date)
        return element


def _stamp(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _run(text: str, *, deleted: bool, bold: bool):
    run = OxmlElement("w:r")
    if bold:
        r_pr = OxmlElement("w:rPr")
        r_pr.append(OxmlElement("w:b"))
        run.append(r_pr)
    t = OxmlElement("w:delText" if deleted else "w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = text
    run.append(t)
    return run


def _pieces(ops: list[dict], old_started: bool, new_started: bool):
    """(op, text) pieces with the separating spaces placed on the right side."""
    for segment in ops:
        op, text = segment["op"], segment["text"]
        if not text:
            continue
        if op == EQUAL:
            if old_started and new_started:
                yield EQUAL, " " + text
            else:
                if old_started:
                    yield DELETE, " "
                if new_started:
                    yield INSERT, " "
                yield EQUAL, text
            old_started = new_started = True
        elif op == DELETE:
            yield DELETE, (" " if old_started else "") + text
            old_started = True
        else:
            yield INSERT, (" " if new_started else "") + text
            new_started = True


def add_tracked_text(
    paragraph,
    ops: list[dict],
    revisions: Revisions,
    *,
    bold: bool = False,
    after_old: bool = False,
    after_new: bool = False,
) -> None:
    """Append ``ops`` to ``paragraph`` as runs, insertions and deletions.

    ``after_old``/``after_new`` say the paragraph already has text on that side, so the first
    segment needs a separating space there.
    """
    p = paragraph._p
    for op, text in _pieces(ops, after_old, after_new):
        if op == EQUAL:
            p.append(_run(text, deleted=False, bold=bold))
            continue
        wrapper = revisions.mark("w:ins" if op == INSERT else "w:del")
        wrapper.append(_run(text, deleted=op == DELETE, bold=bold))
        p.append(wrapper)


def add_tracked_break(paragraph, revisions: Revisions, op: str = EQUAL) -> None:
    """A line break that exists on one side (``insert``/``delete``) or both (``equal``)."""
    run = OxmlElement("w:r")
    run.append(OxmlElement("w:br"))
    if op == EQUAL:
        paragraph._p.append(run)
        return
    wrapper = revisions.mark("w:ins" if op == INSERT else "w:del")
    wrapper.append(run)
    paragraph._p.append(wrapper)


def mark_paragraph(paragraph, op: str, revisions: Revisions) -> None:
    """Track the paragraph mark itself, for a paragraph that only one side has."""
    p_pr = paragraph._p.get_or_add_pPr()
    r_pr = p_pr.find(qn("w:rPr"))
    if r_pr is None:
        r_pr = OxmlElement("w:rPr")
        p_pr.insert_element_before(r_pr, "w:sectPr", "w:pPrChange")
    r_pr.insert(0, revisions.mark("w:ins" if op == INSERT else "w:del"))
