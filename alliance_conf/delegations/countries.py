"""ISO 3166-1 countries, with the English short names used in protocol order."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import pycountry

# Where the ISO name reads awkwardly in a list of signatories, the name diplomats use.
SHORT_NAME_OVERRIDES = {
    "KR": "Republic of Korea",
    "KP": "Democratic People's Republic of Korea",
    "MD": "Republic of Moldova",
    "GB": "United Kingdom",
    "US": "United States",
    "RU": "Russian Federation",
    "VN": "Viet Nam",
    "IR": "Iran (Islamic Republic of)",
    "TZ": "United Republic of Tanzania",
}


class UnknownCountry(ValueError):
    pass


@lru_cache(maxsize=512)
def country_name(code: str) -> str:
    code = normalise_code(code)
    if code in SHORT_NAME_OVERRIDES:
        return SHORT_NAME_OVERRIDES[code]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        raise UnknownCountry(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return getattr(country, "common_name", None) or country.name


@lru_cache(maxsize=1)
def country_choices() -> tuple[tuple[str, str], ...]:
    """Every ISO 3166-1 country as (code, name), in the order a person looks for the name."""
    named = ((country.alpha_2, country_name(country.alpha_2)) for country in pycountry.countries)
    return tuple(sorted(named, key=lambda choice: _sort_key(choice[1])))


def _sort_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def normalise_code(code: str) -> str:
    return (code or "").strip().upper()
