"""What no request may carry, refused once for every route before any view runs.

A NUL byte cannot be stored in a PostgreSQL text column (SQLite takes it), so one in a path,
query string, form field or JSON body is refused here and both databases behave alike. JSON is
parsed with a depth limit (the standard parser would raise ``RecursionError`` on 100,000 nested
arrays), and whole numbers are bounded by the database's ``integer``: :data:`DbInt` declares the
bound in the OpenAPI document, :func:`out_of_range` finds any value beyond it in parsed input.
"""

from __future__ import annotations

import json
import re
import sys
import typing
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from pydantic import AfterValidator, BaseModel, Field, GetJsonSchemaHandler
from werkzeug.exceptions import BadRequest, NotFound

from alliance_conf.core.errors import AllianceError, ValidationFailed
from alliance_conf.i18n import _, _l

DB_INT_MIN = -(2**31)
DB_INT_MAX = 2**31 - 1
MAX_JSON_DEPTH = 64
NUL = "\x00"

DbInt = Annotated[int, Field(ge=DB_INT_MIN, le=DB_INT_MAX)]
"""A whole number a PostgreSQL ``integer`` column holds."""


class JsonTooDeep(ValueError):
    pass


def json_depth_ok(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when ``value`` nests lists and objects at most ``limit`` levels deep (iterative)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return False
        stack.extend((child, depth + 1) for child in children)
    return True


def loads(s: str | bytes, **kwargs: Any) -> Any:
    """``json.loads`` that refuses nesting beyond :data:`MAX_JSON_DEPTH` with a ``ValueError``."""
    message = f"nested more than {MAX_JSON_DEPTH} levels deep"
    try:
        value = json.loads(s, **kwargs)
    except RecursionError:
        raise JsonTooDeep(message) from None
    if not json_depth_ok(value):
        raise JsonTooDeep(message)
    return value


class GuardedJSONProvider(DefaultJSONProvider):
    """``request.get_json()`` everywhere: too deep is a ``ValueError`` like any malformed JSON
    (so ``silent=True`` callers such as the rate limiter get ``None``), never a RecursionError."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s, **kwargs)


def read_json(data: bytes) -> Any:
    """Parse a request body; malformed or too deep JSON is a 400 with a clear message."""
    try:
        return loads(data)
    except JsonTooDeep:
        raise AllianceError(
            _(
                "The request body is JSON nested more than %(levels)d levels deep.",
                levels=MAX_JSON_DEPTH,
            )
        ) from None
    except ValueError:
        raise AllianceError(_("The request body is not valid JSON.")) from None


UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def unprintable(text: str | None) -> bool:
    """Whether ``text`` holds a character no document (XML, Word) can hold: control characters
    other than tab and line breaks, lone surrogates, U+FFFE/U+FFFF."""
    return bool(text) and UNSTORABLE.search(text) is not None


# --- plain text --------------------------------------------------------------------------------
# One check for every text a person types, in the operations, the JSON API (:data:`Line`,
# :data:`Text`, whose JSON schema carries the same rule as a ``pattern``) and the web forms
# (``alliance_conf.core.forms.PlainText``): no control characters (tab and line breaks only in a
# multi-line text), no unpaired surrogates, no invisible Unicode format characters (bidi
# overrides and isolates, zero-width spaces, BOM...) that make a text read differently.

LINE_BREAKS = "\t\n\r"
# Joiners that Persian, Arabic and Indic names need; every other format character (bidi
# overrides and isolates, invisible separators, BOM...) can make a name read differently.
ALLOWED_FORMAT_CHARACTERS = "\u200c\u200d"
CONTROL_CHARACTERS_MESSAGE = "Control characters are not allowed; type plain text."
FORMAT_CHARACTERS_MESSAGE = (
    "Invisible formatting characters (such as a right-to-left override) are not allowed; "
    "type plain text."
)
# The same words, translated when shown (the constants above are their English, for comparisons).
_CONTROL_CHARACTERS = _l("Control characters are not allowed; type plain text.")
_FORMAT_CHARACTERS = _l(
    "Invisible formatting characters (such as a right-to-left override) are not allowed; "
    "type plain text."
)


def has_control_characters(text: str, allowed: str = "") -> bool:
    """NUL and other control characters (which PostgreSQL cannot store in text, or which
    only hide content), unpaired surrogates; ``allowed`` lists the ones a field accepts."""
    return any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in allowed for ch in text)


def first_format_character(text: str) -> str | None:
    return next(
        (
            ch
            for ch in text
            if unicodedata.category(ch) == "Cf" and ch not in ALLOWED_FORMAT_CHARACTERS
        ),
        None,
    )


def has_format_characters(text: str) -> bool:
    return first_format_character(text) is not None


def plain_text_error(text: str | None, *, multiline: bool = False) -> str | None:
    """Why ``text`` is not plain text (the message shown next to the field), or None."""
    if not text:
        return None
    if has_control_characters(text, LINE_BREAKS if multiline else ""):
        return str(_CONTROL_CHARACTERS)
    if has_format_characters(text):
        return str(_FORMAT_CHARACTERS)
    return None


NOT_BLANK = r"\S"


def plain_text_pattern(multiline: bool = False, *, not_blank: bool = False) -> str:
    """The same rule as a regular expression, for the OpenAPI document (built on first use);
    ``not_blank`` adds what a required text documents: something else than white space."""
    body = _refused_class(multiline)
    return rf"^(?=[\s\S]*\S)[^{body}]*$" if not_blank else f"^[^{body}]*$"


@lru_cache(maxsize=2)
def _refused_class(multiline: bool) -> str:
    refused = []
    allowed = LINE_BREAKS if multiline else ""
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        category = unicodedata.category(ch)
        # Lone surrogates (Cs) are refused by the check but left out of the pattern: they are
        # no Unicode text (no UTF-8 JSON can carry one) and regex engines such as Rust's reject
        # a pattern naming them, which would make generators ignore the whole rule.
        if (category == "Cc" and ch not in allowed) or (
            category == "Cf" and ch not in ALLOWED_FORMAT_CHARACTERS
        ):
            if refused and refused[-1][1] == cp - 1:
                refused[-1][1] = cp
            else:
                refused.append([cp, cp])

    def char(cp: int) -> str:
        return f"\\u{cp:04x}" if cp <= 0xFFFF else chr(cp)

    return "".join(char(a) if a == b else f"{char(a)}-{char(b)}" for a, b in refused)


@dataclass(frozen=True)
class _PlainTextRule:
    multiline: bool

    def __call__(self, value: str) -> str:
        message = plain_text_error(value, multiline=self.multiline)
        if message:
            raise ValueError(message)
        return value

    def __get_pydantic_json_schema__(self, core_schema, handler: GetJsonSchemaHandler):
        schema = handler(core_schema)
        declared = schema.get("pattern")
        if declared is None or declared == NOT_BLANK:  # a stricter one (a slug, a key) stays
            schema["pattern"] = plain_text_pattern(self.multiline, not_blank=bool(declared))
        return schema


LINE_RULE = _PlainTextRule(multiline=False)
TEXT_RULE = _PlainTextRule(multiline=True)
Line = Annotated[str, AfterValidator(LINE_RULE), LINE_RULE]
"""One line of plain text (a name, a title, a key): no control or invisible format character."""
Text = Annotated[str, AfterValidator(TEXT_RULE), TEXT_RULE]
"""Multi-line plain text (a comment, a reason): tab and line breaks allowed, nothing else."""


def nul_paths(value: Any, path: str = "") -> list[str]:
    """Dotted paths of the strings (keys too) in parsed JSON that hold a NUL byte."""
    found: list[str] = []
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                found.append(where or "__root__")
        elif isinstance(item, dict):
            for key, child in item.items():
                child_path = f"{where}.{key}" if where else str(key)
                if NUL in str(key):
                    found.append(child_path.replace(NUL, "\\x00"))
                stack.append((child, child_path))
        elif isinstance(item, list):
            stack.extend(
                (child, f"{where}.{i}" if where else str(i)) for i, child in enumerate(item)
            )
    return sorted(found)


def _may_hold_int(annotation: Any) -> bool:
    """Whether a field's type declares whole numbers (free-form ``Any`` data does not)."""
    if annotation is int:
        return True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_may_hold_int(arg) for arg in typing.get_args(annotation))


def out_of_range(value: Any, path: str = "") -> dict[str, str]:
    """Fields of a parsed pydantic model (nested models, lists, dicts) declared as whole numbers
    and holding one no database ``integer`` holds, with the message to show."""
    fields: dict[str, str] = {}
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, bool):
            continue
        if isinstance(item, int):
            if not DB_INT_MIN <= item <= DB_INT_MAX:
                fields[where or "__root__"] = _(
                    "Must be between %(low)s and %(high)s.", low=DB_INT_MIN, high=DB_INT_MAX
                )
        elif isinstance(item, BaseModel):
            for name, info in type(item).model_fields.items():
                if not _may_hold_int(info.annotation):
                    continue
                key = info.alias or name
                stack.append((getattr(item, name), f"{where}.{key}" if where else key))
        elif isinstance(item, dict):
            stack.extend((v, f"{where}.{k}" if where else str(k)) for k, v in item.items())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend((v, f"{where}.{i}" if where else str(i)) for i, v in enumerate(item))
    return fields


def int_arg(name: str, default: int) -> int:
    """A whole number from the query string of a web page; anything else, or one no database
    ``integer`` holds, gives ``default`` (pages are forgiving, never a 500)."""
    value = request.args.get(name, default, type=int)
    return value if DB_INT_MIN <= value <= DB_INT_MAX else default


def _refuse_nul_bytes():
    """Before every request: a NUL in the path is a 404 (no such object can exist), one in the
    query string, a form field or a JSON body a 400/422, before any view or the database."""
    if NUL in request.path:
        raise NotFound()
    for source, what in ((request.args, "query string"), (request.form, "form")):
        names = [key for key, value in source.items(multi=True) if NUL in key or NUL in value]
        if names:
            fields = {
                name.replace(NUL, "\\x00"): _("Must not contain a NUL character.") for name in names
            }
            if request.path.startswith("/api/"):
                if what == "form":
                    raise ValidationFailed(_("The form has invalid fields."), fields)
                raise ValidationFailed(_("The query string has invalid fields."), fields)
            if what == "form":
                raise BadRequest(_("The form contains a NUL character."))
            raise BadRequest(_("The query string contains a NUL character."))
    if request.is_json and request.content_length != 0:
        try:
            data = request.get_json(silent=False)
        except BadRequest:
            return  # the view (or the API framework) reports malformed JSON its own way
        found = nul_paths(data)
        if found:
            message = _("Must not contain a NUL character.")
            raise ValidationFailed(
                _("The request body has invalid fields."), dict.fromkeys(found, message)
            )


def init_input_guard(app: Flask) -> None:
    app.json = GuardedJSONProvider(app)
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_nul_bytes)
