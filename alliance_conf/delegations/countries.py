"""ISO 3166-1 countries: the names diplomats use, in the interface's language.

The database keeps ISO codes (and the English name, for sorting and the audit trail); pages
show :func:`country_name` in the language of the request: English from pycountry with protocol
overrides, other languages from Babel's territory names (CLDR), falling back to pycountry's own
translations and then to English.
"""

from __future__ import annotations

import gettext
import unicodedata
from functools import lru_cache

import pycountry
from babel import Locale, UnknownLocaleError

# Where the ISO name reads awkwardly in a list of signatories, the name diplomats use (the
# short names of the UN Terminology Database, UNTERM, in each language).
SHORT_NAME_OVERRIDES = {
    "en": {
        "KR": "Republic of Korea",
        "KP": "Democratic People's Republic of Korea",
        "MD": "Republic of Moldova",
        "GB": "United Kingdom",
        "US": "United States",
        "RU": "Russian Federation",
        "VN": "Viet Nam",
        "IR": "Iran (Islamic Republic of)",
        "TZ": "United Republic of Tanzania",
    },
    "fr": {
        "KR": "République de Corée",
        "KP": "République populaire démocratique de Corée",
        "MD": "République de Moldova",
        "GB": "Royaume-Uni",
        "US": "États-Unis",
        "RU": "Fédération de Russie",
        "VN": "Viet Nam",
        "IR": "Iran (République islamique d\u2019)",
        "TZ": "République-Unie de Tanzanie",
    },
}


class UnknownCountry(ValueError):
    pass


def interface_language() -> str:
    """The language of the current request or command; English outside an app context."""
    from flask import has_app_context

    if not has_app_context():
        return "en"
    from alliance_conf.i18n import current_language

    return current_language()


def _base_language(language: str | None) -> str:
    return (language or interface_language()).replace("-", "_").split("_")[0].lower() or "en"


def country_name(code: str, language: str | None = None) -> str:
    """The short name of the country ``code`` in ``language`` (default: the interface's),
    e.g. ``country_name("BE", "fr")`` -> ``Belgique``. Raises UnknownCountry."""
    return _country_name(normalise_code(code), _base_language(language))


@lru_cache(maxsize=4096)
def _country_name(code: str, language: str) -> str:
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    if country is None:
        raise UnknownCountry(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    override = SHORT_NAME_OVERRIDES.get(language, {}).get(code)
    if override:
        return override
    english = getattr(country, "common_name", None) or country.name
    if language == "en":
        return english
    territories = _territories(language)
    if code in territories:
        return territories[code]
    translated = _pycountry_translation(language).gettext(english)
    if translated == english and english != country.name:
        translated = _pycountry_translation(language).gettext(country.name)
    return translated


@lru_cache(maxsize=16)
def _territories(language: str) -> dict[str, str]:
    try:
        return dict(Locale.parse(language).territories)
    except (UnknownLocaleError, ValueError):
        return {}


@lru_cache(maxsize=16)
def _pycountry_translation(language: str):
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def delegation_name(name: str, country_code: str | None, language: str | None = None) -> str:
    """What a page shows for a delegation: a state's name in the interface's language, an
    organisation's own name as typed."""
    if country_code:
        try:
            return country_name(country_code, language)
        except UnknownCountry:
            return name
    return name


def country_choices(language: str | None = None) -> tuple[tuple[str, str], ...]:
    """Every ISO 3166-1 country as (code, name) in ``language`` (default: the interface's),
    in the order a person of that language looks for the name."""
    return _country_choices(_base_language(language))


@lru_cache(maxsize=16)
def _country_choices(language: str) -> tuple[tuple[str, str], ...]:
    named = (
        (country.alpha_2, _country_name(country.alpha_2, language))
        for country in pycountry.countries
    )
    return tuple(sorted(named, key=lambda choice: sort_key(choice[1])))


def countries_named(text: str, language: str | None = None) -> list[str]:
    """The codes of the countries whose name in ``language`` (default: the interface's)
    contains ``text``, accents and case ignored (« belg », « etats » find them in French)."""
    wanted = sort_key(text.strip())
    if not wanted:
        return []
    return [code for code, name in country_choices(language) if wanted in sort_key(name)]


def name_order(name_column, code_column, language: str | None = None):
    """An SQL sort key putting delegations in the order of their names in ``language``
    (default: the interface's): the stored English name in English; otherwise each country
    code mapped to its translated name's :func:`sort_key`, organisations by their own name."""
    import sqlalchemy as sa

    language = _base_language(language)
    if language == "en":
        return name_column
    keys = {code: sort_key(name) for code, name in _country_choices(language)}
    return sa.case(keys, value=code_column, else_=sa.func.lower(name_column))


def sort_key(name: str) -> str:
    """Accents and case ignored, as a reader of any Latin-script language expects
    (« Égypte » before « Équateur » and « Estonie », not after « Zimbabwe »)."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


_sort_key = sort_key  # the older name


def normalise_code(code: str) -> str:
    return (code or "").strip().upper()
