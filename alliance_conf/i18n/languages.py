"""Which languages this installation speaks, and which one a request is answered in."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from flask import current_app, g, has_request_context, request, session
from flask_babel import get_locale

from alliance_conf.core.errors import ValidationFailed

SESSION_KEY = "language"


class LanguageError(ValidationFailed):
    """A language code this installation is not configured for."""


def configured_languages() -> list[str]:
    """The interface languages, default first (config ``LANGUAGES``)."""
    return list(current_app.config["LANGUAGES"])


def default_language() -> str:
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def language_name(code: str, in_language: str | None = None) -> str:
    """``fr`` -> ``français`` (its own name by default), ``Français`` as a label."""
    try:
        locale = Locale.parse(code)
        name = locale.get_display_name(in_language or code) or code
    except (UnknownLocaleError, ValueError):
        return code
    return name[:1].upper() + name[1:]


def validate_language(code: str | None, field: str = "language") -> str:
    """The code if this installation speaks it; otherwise a clear 422 naming the choices."""
    choices = configured_languages()
    code = (code or "").strip().replace("-", "_")
    if code in choices:
        return code
    from alliance_conf.i18n import _

    message = _(
        "“%(code)s” is not one of this site's languages (%(choices)s).",
        code=code,
        choices=", ".join(choices),
    )
    raise LanguageError(message, {field: message})


def select_locale() -> str:
    """The person's saved preference, else the browser's ``Accept-Language``, else the
    conference's default language (set on ``g`` by views that load a conference), else the
    installation's default. Outside a request (CLI, jobs): the installation's default."""
    choices = configured_languages()
    forced = g.get("alliance_language")
    if forced in choices:
        return forced
    if not has_request_context():
        return default_language()
    from flask_login import current_user

    user = current_user._get_current_object() if current_user else None
    preferred = (
        getattr(user, "language", None) if getattr(user, "is_authenticated", False) else None
    )
    if preferred in choices:
        return preferred
    chosen = session.get(SESSION_KEY) if not request.path.startswith("/api/") else None
    if chosen in choices:
        return chosen
    best = request.accept_languages.best_match(choices)
    if best:
        return best
    conference_language = g.get("conference_language")
    if conference_language in choices:
        return conference_language
    return default_language()


def current_language() -> str:
    """The language of this request, as a configured code (``en``, ``fr``)."""
    locale = get_locale()
    return str(locale) if locale is not None else default_language()
