"""The structured text of a declaration (preamble, commitments, closing): cleaning what an
editor or the API sends, item keys, numbering and labels."""

from __future__ import annotations

import re
import secrets
import unicodedata

from flask_babel import format_number

from alliance_conf.core.errors import (
    ValidationFailed,
)
from alliance_conf.core.inputs import plain_text_error
from alliance_conf.declarations import canonical
from alliance_conf.declarations.models import (
    SECTION_LABELS,
    SECTIONS,
    TITLE_KEY,
)
from alliance_conf.i18n import _

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
        errors[field] = _("%(label)s must be text.", label=label)
        return ""
    text = canonical.normalise_string(value)
    problem = plain_text_error(value, multiline=True)  # the API's ``Text`` rule, on what was sent
    if not text:
        errors[field] = _("%(label)s is empty.", label=label)
    elif len(text) > limit:
        errors[field] = _(
            "%(label)s is %(length)s characters long; the limit is %(limit)s.",
            label=label,
            length=format_number(len(text)),
            limit=format_number(limit),
        )
    elif problem:
        errors[field] = problem
    elif any(unicodedata.category(ch) == "Co" for ch in text):
        errors[field] = _("%(label)s contains private-use characters; use plain text.", label=label)
    return text


def clean_content(raw) -> dict:
    """Validate a whole structured text and return it normalised (see ``canonical.py``).

    Plain text only: no markup is interpreted, line breaks inside a paragraph become spaces.
    Items without a key get a new one; keys must be unique in the document.
    """
    if not isinstance(raw, dict):
        raise ValidationFailed(
            _("The text must be an object with title, preamble, commitments, closing.")
        )
    unknown = set(raw) - {"title", *SECTIONS}
    errors: dict[str, str] = {name: _("Unknown part of the text.") for name in sorted(unknown)}
    content: dict = {
        "title": clean_string(
            raw.get("title"), label=_("The title"), limit=MAX_TITLE, field="title", errors=errors
        )
    }
    seen: set[str] = set()
    for section in SECTIONS:
        items = raw.get(section) or []
        if not isinstance(items, list):
            errors[section] = _("Must be a list.")
            items = []
        if len(items) > MAX_ITEMS[section]:
            too_many = {
                "preamble": _(
                    "The text has %(count)s preamble paragraphs; the limit is %(limit)s.",
                    count=len(items),
                    limit=MAX_ITEMS[section],
                ),
                "commitments": _(
                    "The text has %(count)s commitments; the limit is %(limit)s.",
                    count=len(items),
                    limit=MAX_ITEMS[section],
                ),
                "closing": _(
                    "The text has %(count)s closing paragraphs; the limit is %(limit)s.",
                    count=len(items),
                    limit=MAX_ITEMS[section],
                ),
            }
            errors[section] = too_many[section]
        cleaned = []
        for index, item in enumerate(items):
            where = f"{section}.{index}"
            label = _("%(item)s %(n)s", item=SECTION_LABELS[section], n=index + 1)
            if not isinstance(item, dict):
                errors[where] = _("%(label)s must be an object with a key and a text.", label=label)
                continue
            key = item.get("key") or new_key(section)
            if not isinstance(key, str) or not KEY_PATTERN.match(key):
                errors[f"{where}.key"] = _(
                    "%(label)s: a key is 1 to 40 lower-case letters, digits, '-' or '_'.",
                    label=label,
                )
            elif key == TITLE_KEY:
                errors[f"{where}.key"] = _(
                    "%(label)s: the key “%(key)s” is reserved for the title.", label=label, key=key
                )
            elif key in seen:
                errors[f"{where}.key"] = _(
                    "%(label)s: the key “%(key)s” is used twice.", label=label, key=key
                )
            seen.add(key)
            entry = {"key": key}
            if section == "commitments":
                entry["title"] = clean_string(
                    item.get("title"),
                    label=_("%(label)s: the title", label=label),
                    limit=MAX_COMMITMENT_TITLE,
                    field=f"{where}.title",
                    errors=errors,
                )
            entry["text"] = clean_string(
                item.get("text"),
                label=_("%(label)s: the text", label=label),
                limit=MAX_PARAGRAPH,
                field=f"{where}.text",
                errors=errors,
            )
            extra = set(item) - set(entry) - {"key"}
            if extra:
                errors[where] = _(
                    "%(label)s has unknown fields: %(fields)s.",
                    label=label,
                    fields=", ".join(sorted(map(str, extra))),
                )
            cleaned.append(entry)
        content[section] = cleaned
    if errors:
        first = " ".join(list(errors.values())[:3])
        if len(errors) > 3:
            message = _(
                "The text was not saved: %(problems)s (and %(more)s more)",
                problems=first,
                more=len(errors) - 3,
            )
        else:
            message = _("The text was not saved: %(problems)s", problems=first)
        raise ValidationFailed(message, errors)
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
        return _("the removed paragraph “%(key)s”", key=key)
    section, index, _item = found
    return _("%(item)s %(n)s", item=str(SECTION_LABELS[section]).lower(), n=index + 1)


def numbered(content: dict) -> dict:
    """The content with each item's position (``number``), as pages and the API show it."""
    result = {"title": content.get("title", "")}
    for section in SECTIONS:
        result[section] = [
            {**item, "number": n} for n, item in enumerate(content.get(section, []), 1)
        ]
    return result
