"""Compare two declaration texts: pure functions, no database, reusable by any renderer.

Paragraphs and commitments are aligned by their ``key``, not by position. Within an aligned
pair, text is compared word by word (``difflib`` on whitespace-separated words). The result is
plain data (also the JSON of ``/compare`` in the API)::

    {
      "title": {"changed": bool, "ops": [...]},
      "sections": [
        {"section": "preamble" | "commitments" | "closing",
         "items": [
           {"key", "status": "unchanged" | "changed" | "inserted" | "deleted",
            "moved": bool, "old_number": int | None, "new_number": int | None,
            "title_ops": [...] | None,   # commitments only
            "text_ops": [...]}
         ]}
      ],
      "summary": {"inserted": n, "deleted": n, "changed": n, "moved": n}
    }

``ops`` is a list of segments ``{"op": "equal" | "insert" | "delete", "text": "..."}``. A segment
holds whole words joined by single spaces; renderers put one space between consecutive segments.
The ``equal`` and ``delete`` segments, in order, give the old text; ``equal`` and ``insert`` give
the new one. Items come in the new order; a deleted item follows the item that preceded it in
the old text, ignoring moved items. ``moved`` marks items present in both whose order relative to the others changed
(the ones outside a longest common subsequence of keys), not items merely shifted by an insertion.
"""

from __future__ import annotations

from difflib import SequenceMatcher

SECTIONS = ("preamble", "commitments", "closing")
EQUAL, INSERT, DELETE = "equal", "insert", "delete"


def word_ops(old: str, new: str) -> list[dict]:
    """Word-level segments turning ``old`` into ``new``."""
    old_words, new_words = (old or "").split(), (new or "").split()
    ops: list[dict] = []

    def add(op: str, words: list[str]) -> None:
        if not words:
            return
        if ops and ops[-1]["op"] == op:
            ops[-1]["text"] += " " + " ".join(words)
        else:
            ops.append({"op": op, "text": " ".join(words)})

    matcher = SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add(EQUAL, old_words[i1:i2])
        else:
            add(DELETE, old_words[i1:i2])
            add(INSERT, new_words[j1:j2])
    return ops


def side_text(ops: list[dict], side: str) -> str:
    """The old (``side="old"``) or new text an ops list was made from."""
    keep = {EQUAL, DELETE} if side == "old" else {EQUAL, INSERT}
    return " ".join(seg["text"] for seg in ops if seg["op"] in keep)


def _moved_keys(old_keys: list[str], new_keys: list[str]) -> set[str]:
    old_set, new_set = set(old_keys), set(new_keys)
    old_common = [k for k in old_keys if k in new_set]
    new_common = [k for k in new_keys if k in old_set]
    matcher = SequenceMatcher(a=old_common, b=new_common, autojunk=False)
    stayed = set()
    for block in matcher.get_matching_blocks():
        stayed.update(old_common[block.a : block.a + block.size])
    return set(old_common) - stayed


def compare_section(old_items: list[dict], new_items: list[dict], *, titled: bool) -> list[dict]:
    old_by_key = {item["key"]: (n, item) for n, item in enumerate(old_items, 1)}
    new_by_key = {item["key"]: (n, item) for n, item in enumerate(new_items, 1)}
    moved = _moved_keys(list(old_by_key), list(new_by_key))
    result: list[dict] = []
    for key, (number, item) in new_by_key.items():
        if key in old_by_key:
            old_number, old_item = old_by_key[key]
            title_ops = (
                word_ops(old_item.get("title", ""), item.get("title", "")) if titled else None
            )
            text_ops = word_ops(old_item.get("text", ""), item.get("text", ""))
            changed = any(seg["op"] != EQUAL for seg in text_ops + (title_ops or []))
            result.append(
                {
                    "key": key,
                    "status": "changed" if changed else "unchanged",
                    "moved": key in moved,
                    "old_number": old_number,
                    "new_number": number,
                    "title_ops": title_ops,
                    "text_ops": text_ops,
                }
            )
        else:
            result.append(_one_sided(key, item, INSERT, None, number, titled))
    previous: str | None = None
    for key, (number, item) in old_by_key.items():
        if key not in new_by_key:
            entry = _one_sided(key, item, DELETE, number, None, titled)
            index = 0
            if previous is not None:
                index = next(i for i, e in enumerate(result) if e["key"] == previous) + 1
            result.insert(index, entry)
            previous = key
        elif key not in moved:
            previous = key
    return result


def _one_sided(key, item, op, old_number, new_number, titled) -> dict:
    def segs(text):
        return [{"op": op, "text": " ".join(text.split())}] if text and text.split() else []

    return {
        "key": key,
        "status": "inserted" if op == INSERT else "deleted",
        "moved": False,
        "old_number": old_number,
        "new_number": new_number,
        "title_ops": segs(item.get("title", "")) if titled else None,
        "text_ops": segs(item.get("text", "")),
    }


def compare(old: dict, new: dict) -> dict:
    """Compare two revision contents (see ``models.py`` for their shape)."""
    title_ops = word_ops(old.get("title", ""), new.get("title", ""))
    sections = []
    summary = {"inserted": 0, "deleted": 0, "changed": 0, "moved": 0}
    for section in SECTIONS:
        items = compare_section(
            old.get(section, []), new.get(section, []), titled=section == "commitments"
        )
        for item in items:
            if item["status"] in summary:
                summary[item["status"]] += 1
            summary["moved"] += item["moved"]
        sections.append({"section": section, "items": items})
    return {
        "title": {"changed": any(s["op"] != EQUAL for s in title_ops), "ops": title_ops},
        "sections": sections,
        "summary": summary,
    }
