"""The pseudo-locale: every translated string comes back wrapped in ⟦…⟧, so a test rendering a
page can find English that never went through gettext (text outside the brackets)."""

from __future__ import annotations

from babel.support import NullTranslations

OPEN, CLOSE = "\u27e6", "\u27e7"


def wrap(text: str) -> str:
    return f"{OPEN}{text}{CLOSE}"


class PseudoTranslations(NullTranslations):
    def gettext(self, message):
        return wrap(message)

    def ngettext(self, singular, plural, n):
        return wrap(singular if n == 1 else plural)

    def pgettext(self, context, message):
        return wrap(message)

    def npgettext(self, context, singular, plural, n):
        return wrap(singular if n == 1 else plural)

    ugettext = gettext
    ungettext = ngettext
    upgettext = pgettext
    unpgettext = npgettext
