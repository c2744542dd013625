"""The canonical form of a declaration text and its SHA-256, so anyone can recompute the hash.

The canonical form of a revision's ``content`` (the object with ``title``, ``preamble``,
``commitments`` and ``closing``; see ``models.py``) is built in two steps:

1. Every string in it (values and object keys, at any depth) is normalised: Unicode NFC first,
   then every run of whitespace (the characters for which Python's ``str.isspace()`` is true)
   is collapsed to one space and the ends are trimmed: ``" ".join(unicodedata.normalize("NFC",
   s).split())``.
2. The result is serialised as JSON with object keys sorted, no whitespace between tokens
   (separators ``","`` and ``":"``), non-ASCII characters written as themselves
   (``ensure_ascii=False``), and encoded as UTF-8 with no byte-order mark and no trailing newline.

The text hash is the lower-case hexadecimal SHA-256 of those bytes. In Python::

    json.dumps(normalised, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        .encode("utf-8")

A declaration has one text per authentic language. Each language's hash is the hash above of that
language's text; the *manifest* is the JSON object {language code: that language's hash}
serialised the same way (keys sorted, no whitespace, UTF-8), and the declaration's ``text_hash``
is the SHA-256 of the manifest (``manifest_hash``). A signature binds ``text_hash``, so it binds
every language version. A declaration in one language has a one-language manifest
(``{"en": "..."}``); declarations frozen before language versions existed kept the hash of
their one text as ``text_hash``.

Texts are stored already normalised, so the canonical form is also what
``/declarations/<id>/revisions/<n>/canonical.json`` serves: ``sha256sum`` of that file is the hash.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from typing import Any


def normalise_string(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).split())


def normalise(value: Any) -> Any:
    """Apply the string normalisation to every string in a JSON-like value."""
    if isinstance(value, str):
        return normalise_string(value)
    if isinstance(value, dict):
        return {normalise_string(k): normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalise(v) for v in value]
    return value


def canonical_bytes(content: dict) -> bytes:
    return json.dumps(
        normalise(content), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def text_hash(content: dict) -> str:
    return hashlib.sha256(canonical_bytes(content)).hexdigest()


def manifest_bytes(language_hashes: dict[str, str]) -> bytes:
    """The canonical manifest: {language: SHA-256 of its text}, as canonical JSON."""
    return canonical_bytes(dict(language_hashes))


def manifest_hash(language_hashes: dict[str, str]) -> str:
    """The SHA-256 of the manifest of the language hashes: the declaration's ``text_hash``."""
    if not language_hashes:
        raise ValueError("a manifest needs at least one language")
    return hashlib.sha256(manifest_bytes(language_hashes)).hexdigest()
