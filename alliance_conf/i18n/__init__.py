"""Languages: the interface's gettext catalogues (Flask-Babel), the language each request is
answered in, and the pseudo-locale the tests use to find strings that escaped translation.

Code marks text with ``_`` (now), ``_l`` (lazily, for module-level text such as form labels and
enum titles), ``ngettext`` / ``_nl`` for plurals. Catalogues live in ``translations/`` beside the
core and beside each plugin (one ``messages`` domain each, merged at run time); ``make
translations`` extracts and updates them, ``make install`` compiles them.
"""

from __future__ import annotations

from flask_babel import force_locale, get_locale, ngettext, pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _nl

from alliance_conf.i18n.languages import (
    LanguageError,
    configured_languages,
    current_language,
    language_name,
    validate_language,
)
from alliance_conf.i18n.setup import init_i18n

__all__ = [
    "LanguageError",
    "_",
    "_l",
    "_nl",
    "configured_languages",
    "current_language",
    "force_locale",
    "get_locale",
    "init_i18n",
    "language_name",
    "ngettext",
    "pgettext",
    "validate_language",
]
