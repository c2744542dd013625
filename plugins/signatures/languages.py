"""The language versions a signature binds, and the text a signatory reads.

A declaration frozen in several authentic languages has ``language_hashes`` (language ->
SHA-256 of that language's canonical text) and a ``text_hash`` that is the hash of their
manifest: a signature binds ``text_hash``, so it binds every language version. The pages say
which versions are signed ("the English and French texts, both equally authentic") and let the
signatory read the text in any of them.
"""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from babel.lists import format_list

from alliance_conf.i18n import _, current_language


def declaration_hashes(declaration) -> dict[str, str]:
    """Each language's hash of the frozen text (empty before freezing or for one-language
    texts frozen before language versions existed)."""
    return dict(getattr(declaration, "language_hashes", None) or {})


def text_languages(revision) -> list[str]:
    """The languages a frozen revision can be read in, drafting language first."""
    languages = list(getattr(revision, "languages", None) or [])
    return languages or [_first_language(revision)]


def _first_language(revision) -> str:
    conference = getattr(getattr(revision, "declaration", None), "conference", None)
    languages = list(getattr(conference, "languages", None) or ["en"])
    return languages[0]


def reading_language(revision, asked: str | None) -> str:
    """The language the text is shown in: the one asked for, else the reader's interface
    language, else the drafting language."""
    available = text_languages(revision)
    for candidate in (asked, current_language()):
        if candidate in available:
            return candidate
    return available[0]


def text_in(revision, language: str) -> dict:
    """The revision's whole text in ``language`` (the drafting language's ``content`` when the
    revision has no language versions)."""
    reader = getattr(revision, "text_in", None)
    if reader is not None and language in text_languages(revision):
        return reader(language)
    return revision.content


def _language_adjective(code: str) -> str:
    """``fr`` as an adjective of the reader's language: "French" / "français"."""
    try:
        return Locale.parse(code).get_display_name(current_language()) or code
    except (UnknownLocaleError, ValueError):
        return code


def _joined(languages: list[str]) -> str:
    names = [_language_adjective(code) for code in languages]
    try:
        return format_list(names, locale=current_language())
    except (UnknownLocaleError, ValueError):
        return ", ".join(names)


def you_sign_sentence(languages: list[str]) -> str:
    """ "You sign the English and French texts, both equally authentic." (signing page)"""
    if not languages:
        return ""
    names = _joined(languages)
    if len(languages) == 1:
        return _("You sign the %(languages)s text.", languages=names)
    if len(languages) == 2:
        return _("You sign the %(languages)s texts, both equally authentic.", languages=names)
    return _("You sign the %(languages)s texts, all equally authentic.", languages=names)


def signed_sentence(languages: list[str]) -> str:
    """ "The English and French texts were signed, both equally authentic." (receipt, check)"""
    if not languages:
        return ""
    names = _joined(languages)
    if len(languages) == 1:
        return _("The %(languages)s text was signed.", languages=names)
    if len(languages) == 2:
        return _("The %(languages)s texts were signed, both equally authentic.", languages=names)
    return _("The %(languages)s texts were signed, all equally authentic.", languages=names)
