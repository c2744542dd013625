"""The structured text of a declaration (preamble, commitments, closing): cleaning what an
editor or the API sends, item keys, numbering and labels."""

from __future__ import annotations

import re
import secrets
import unicodedata

from alliance_conf.core.errors import (
    ValidationFailed,
)
from alliance_conf.core.inputs import plain_text_error
from alliance_conf.declarations import canonical
from alliance_conf.declarations.models import (
    SECTION_LABELS,
    SECTIONS,
)

MAX_TITLE = 300
MAX_PARAGRAPH = 5000
MAX_COMMITMENT_TITLE = 200
MAX_ITEMS = {"preamble": 100, "commitments": 200, "closing": 50}
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
KEY_PREFIX = {"preamble": "p", "commitments": "k", "closing": "c"}


# --- the structured text ---------------------------------------------------------------------


def new_key(section: str) -> str:
    return f"{KEY_PREFIX[section]}-{secrets.token_hex(4)}"


def clean_string(value, *, label: str, limit: int, field: str, errors: dict) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[field] = f"{label} must be text."
        return ""
    text = canonical.normalise_string(value)
    problem = plain_text_error(value, multiline=True)  # the API's ``Text`` rule, on what was sent
    if not text:
        errors[field] = f"{label} is empty."
    elif len(text) > limit:
        errors[field] = f"{label} is {len(text):,} characters long; the limit is {limit:,}."
    elif problem:
        errors[field] = problem
    elif any(unicodedata.category(ch) == "Co" for ch in text):
        errors[field] = f"{label} contains private-use characters; use plain text."
    return text


def clean_content(raw) -> dict:
    """Validate a whole structured text and return it normalised (see ``canonical.py``).

    Plain text only: no markup is interpreted, line breaks inside a paragraph become spaces.
    Items without a key get a new one; keys must be unique in the document.
    """
    if not isinstance(raw, dict):
        raise ValidationFailed(
            "The text must be an object with title, preamble, commitments, closing."
        )
    unknown = set(raw) - {"title", *SECTIONS}
    errors: dict[str, str] = {name: "Unknown part of the text." for name in sorted(unknown)}
    content: dict = {
        "title": clean_string(
            raw.get("title"), label="The title", limit=MAX_TITLE, field="title", errors=errors
        )
    }
    seen: set[str] = set()
    for section in SECTIONS:
        items = raw.get(section) or []
        if not isinstance(items, list):
            errors[section] = "Must be a list."
            items = []
        if len(items) > MAX_ITEMS[section]:
            errors[section] = (
                f"The text has {len(items)} {SECTION_LABELS[section].lower()}s; "
                f"the limit is {MAX_ITEMS[section]}."
            )
        cleaned = []
        for index, item in enumerate(items):
            where = f"{section}.{index}"
            label = f"{SECTION_LABELS[section]} {index + 1}"
            if not isinstance(item, dict):
                errors[where] = f"{label} must be an object with a key and a text."
                continue
            key = item.get("key") or new_key(section)
            if not isinstance(key, str) or not KEY_PATTERN.match(key):
                errors[f"{where}.key"] = (
                    f"{label}: a key is 1 to 40 lower-case letters, digits, '-' or '_'."
                )
            elif key in seen:
                errors[f"{where}.key"] = f"{label}: the key {key!r} is used twice."
            seen.add(key)
            entry = {"key": key}
            if section == "commitments":
                entry["title"] = clean_string(
                    item.get("title"),
                    label=f"{label}: the title",
                    limit=MAX_COMMITMENT_TITLE,
                    field=f"{where}.title",
                    errors=errors,
                )
            entry["text"] = clean_string(
                item.get("text"),
                label=f"{label}: the text",
                limit=MAX_PARAGRAPH,
                field=f"{where}.text",
                errors=errors,
            )
            extra = set(item) - set(entry) - {"key"}
            if extra:
                errors[where] = f"{label} has unknown fields: {', '.join(sorted(extra))}."
            cleaned.append(entry)
        content[section] = cleaned
    if errors:
        first = list(errors.values())[:3]
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        raise ValidationFailed("The text was not saved: " + " ".join(first) + more, errors)
    return content


def find_item(content: dict, key: str) -> tuple[str, int, dict] | None:
    for section in SECTIONS:
        for index, item in enumerate(content.get(section, [])):
            if item["key"] == key:
                return section, index, item
    return None


def item_label(content: dict, key: str) -> str:
    found = find_item(content, key)
    if found is None:
        return f"the removed paragraph {key!r}"
    section, index, _ = found
    return f"{SECTION_LABELS[section].lower()} {index + 1}"


def numbered(content: dict) -> dict:
    """The content with each item's position (``number``), as pages and the API show it."""
    result = {"title": content.get("title", "")}
    for section in SECTIONS:
        result[section] = [
            {**item, "number": n} for n, item in enumerate(content.get(section, []), 1)
        ]
    return result
