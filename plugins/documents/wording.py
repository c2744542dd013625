"""The words of a document in the document's own language, not the reader's: dates, lists,
country and language names, the name a signature block uses, the opening participle of a
preambular paragraph.

Every function takes the document's language as a BCP 47 tag (``en-GB``, ``fr-FR``) or a bare
code (``fr``); sentences themselves go through gettext, which the operations switch to the
document's language (``force_locale``) while a document is written.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import format_date
from babel.lists import format_list

DASH = "\N{EN DASH}"
APOSTROPHE = "\N{RIGHT SINGLE QUOTATION MARK}"
DEFAULT_TAG = "en-GB"


@lru_cache(maxsize=64)
def locale_of(language: str | None) -> Locale:
    """The Babel locale of a tag or code; English (United Kingdom) when unknown."""
    try:
        return Locale.parse((language or DEFAULT_TAG).replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(DEFAULT_TAG.replace("-", "_"))


def code_of(language: str | None) -> str:
    """``fr-FR`` -> ``fr``."""
    return locale_of(language).language


def word_tag(code: str, configured: str | dict | None = None) -> str:
    """The proofing language Word and LibreOffice use (``w:lang``) for a language code.

    ``configured`` is the ``DOCUMENTS_LANGUAGE`` setting: a tag (``en-GB``) used for its own
    language, or {code: tag}; otherwise the language's likely region (``fr`` -> ``fr-FR``).
    """
    code = code_of(code)
    if isinstance(configured, dict) and configured.get(code):
        return str(configured[code])
    if isinstance(configured, str) and configured and code_of(configured) == code:
        return configured
    if code == "en":
        return DEFAULT_TAG
    likely = get_global("likely_subtags").get(code, "")
    territory = likely.split("_")[-1] if likely.count("_") >= 1 else ""
    return f"{code}-{territory}" if territory.isalpha() and territory.isupper() else code


# --- dates ---------------------------------------------------------------------------------


def _day_first(locale: Locale) -> bool:
    pattern = locale.date_formats["long"].pattern
    return pattern.lstrip("'").startswith("d")


def long_date(value: date | datetime, language: str = DEFAULT_TAG) -> str:
    """``5 December 2012``, ``5 décembre 2012`` (``1er décembre``), ``5. Dezember 2012``."""
    if isinstance(value, datetime):
        value = value.date()
    locale = locale_of(language)
    text = format_date(value, "long", locale=locale)
    if locale.language == "fr" and value.day == 1 and text.startswith("1 "):
        text = "1er " + text[2:]
    return text


def _day(value: date, locale: Locale) -> str:
    pattern = locale.date_formats["long"].pattern
    day = pattern[: pattern.index("M")].rstrip() if "M" in pattern else "d"
    text = format_date(value, day or "d", locale=locale)
    if locale.language == "fr" and value.day == 1:
        text = "1er"
    return text


def _day_month(value: date, locale: Locale) -> str:
    pattern = locale.date_formats["long"].pattern
    without_year = pattern.replace("y", "").strip(" ,.")
    text = format_date(value, without_year, locale=locale)
    if locale.language == "fr" and value.day == 1 and text.startswith("1 "):
        text = "1er " + text[2:]
    return text


def date_range(start: date, end: date, language: str = DEFAULT_TAG) -> str:
    """``1-2 March 2030``, ``30 April - 2 May 2030``, ``1er-2 mars 2030`` (with en dashes)."""
    locale = locale_of(language)
    if start == end:
        return long_date(start, language)
    if not _day_first(locale):
        return f"{long_date(start, language)} {DASH} {long_date(end, language)}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{_day(start, locale)}{DASH}{long_date(end, language)}"
    if start.year == end.year:
        return f"{_day_month(start, locale)} {DASH} {long_date(end, language)}"
    return f"{long_date(start, language)} {DASH} {long_date(end, language)}"


# --- lists and names ------------------------------------------------------------------------


def join_words(words: list[str], language: str = DEFAULT_TAG) -> str:
    """``a, b and c`` / ``a, b et c``."""
    words = [str(w) for w in words]
    if len(words) <= 1:
        return "".join(words)
    return format_list(words, locale=locale_of(language))


def language_name(code: str, language: str = DEFAULT_TAG) -> str:
    """The name of language ``code`` in the document's language: ``French``, ``anglais``."""
    return locale_of(language).languages.get(code_of(code)) or code


def own_language_name(code: str) -> str:
    """A language named in itself, capitalised as a column heading: ``English``, ``Français``."""
    name = language_name(code, code)
    return name[:1].upper() + name[1:]


def country_name(code: str | None, language: str = DEFAULT_TAG, fallback: str = "") -> str:
    """A country's short name in the document's language (Babel's territory names, then
    pycountry's translations), else ``fallback``."""
    if not code:
        return fallback
    code = code.upper()
    locale = locale_of(language)
    name = locale.territories.get(code)
    if name:
        return name
    translated = _pycountry_name(code, locale.language, official=False)
    return translated or fallback


def _pycountry_name(code: str, language: str, *, official: bool) -> str:
    import gettext

    import pycountry

    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return ""
    english = getattr(country, "official_name", None) if official else None
    english = english or country.name
    if language == "en":
        return english
    try:
        catalogue = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    except OSError:
        return ""
    translated = catalogue.gettext(english)
    return translated.replace("'", APOSTROPHE) if translated != english else ""


# French: the article a country's name takes after "pour". Babel's names carry no gender, so the
# rule (a name ending in -e is feminine, one in -s plural, a vowel elides) comes with the
# exceptions that matter in a diplomatic list.
FRENCH_NO_ARTICLE = {
    "Bahreïn",
    "Chypre",
    "Cuba",
    "Djibouti",
    "Haïti",
    "Israël",
    "Kiribati",
    "Madagascar",
    "Malte",
    "Maurice",
    "Monaco",
    "Nauru",
    "Oman",
    "Sainte-Lucie",
    "Saint-Marin",
    "Saint-Kitts-et-Nevis",
    "Saint-Vincent-et-les-Grenadines",
    "Sao Tomé-et-Principe",
    "Singapour",
    "Taïwan",
    "Tonga",
    "Trinité-et-Tobago",
    "Tuvalu",
    "Vanuatu",
}
FRENCH_MASCULINE_E = {
    "Belize",
    "Cambodge",
    "Mexique",
    "Mozambique",
    "Suriname",
    "Zimbabwe",
    "Vatican",
}
FRENCH_SINGULAR_S = {"Laos", "Belarus", "Bélarus", "Honduras", "Salvador"}
FRENCH_FEMININE_HEADS = ("République", "Principauté", "Confédération", "Fédération", "Union")
FRENCH_MASCULINE_HEADS = ("Royaume", "Grand-Duché", "État", "Sultanat", "Commonwealth")
FRENCH_PLURAL_HEADS = ("États", "Émirats", "Îles")


def _french_article(name: str) -> str:
    if name in FRENCH_NO_ARTICLE:
        return ""
    head = name.split(" ", 1)[0]
    first = head.split("-", 1)[0]
    if first in FRENCH_PLURAL_HEADS or (head.endswith("s") and head not in FRENCH_SINGULAR_S):
        return "les "
    if first[:1] in "AEIOUYÉÈÊÎÏÔÂ" or unicodedata.normalize("NFD", first[:1])[:1] in "AEIOUY":
        return "l" + APOSTROPHE
    if head in FRENCH_FEMININE_HEADS:
        return "la "
    if head in FRENCH_MASCULINE_HEADS:
        return "le "
    if head.endswith("e") and name not in FRENCH_MASCULINE_E:
        return "la "
    return "le "


def official_name(code: str | None, language: str, fallback: str) -> str:
    """The name a signature block uses after "For"/"Pour": ``the Republic of Estonia``,
    ``Japan``, ``la République d'Estonie``, ``le Japon``; ``fallback`` (an organisation's name)
    without a country code."""
    if not code:
        return fallback
    code = code.upper()
    locale = locale_of(language)
    short = country_name(code, language, fallback)
    if locale.language == "en":
        official = _pycountry_name(code, "en", official=True)
        if not official or official == _pycountry_name(code, "en", official=False):
            return short
        return "the " + official
    if locale.language == "fr":
        official = _pycountry_name(code, "fr", official=True)
        plain = _pycountry_name(code, "fr", official=False)
        name = official if official and official != plain and "," not in official else short
        return _french_article(name) + name
    return short


# --- the opening participle of a preambular paragraph -------------------------------------

ENGLISH_ENDINGS = ("ing", "ed", "en")
FRENCH_ENDINGS = ("ant", "é", "és", "ée", "ées", "is", "ise", "ises")


def opening_participle(text: str, language: str = DEFAULT_TAG) -> tuple[str, str]:
    """Split a preambular paragraph into its opening participle phrase and the rest, as UN
    style italicises it: "*Recalling* ...", "*Deeply concerned* ...", "*Having considered* ...",
    "*Rappelant* ...", "*Profondément préoccupés* ...", "*Ayant examiné* ...".
    No participle (or a language without a rule): ("", text)."""
    code = code_of(language)
    if code == "fr":
        endings, adverb, auxiliary = FRENCH_ENDINGS, "ment", "ayant"
    elif code == "en":
        endings, adverb, auxiliary = ENGLISH_ENDINGS, "ly", "having"
    else:
        return "", text
    words = text.split(" ")
    i = 0
    while i < min(len(words) - 1, 2) and words[i].lower().endswith(adverb):
        i += 1
    word = words[i].rstrip(",;:") if words else ""
    if len(word) < 4 or not word.isalpha() or not word.lower().endswith(endings):
        return "", text
    if word.lower() == auxiliary and i + 1 < len(words):
        i += 1  # "Having considered", "Ayant examiné"
    end = i + 1
    phrase = " ".join(words[:end])
    return phrase, text[len(phrase) :]
