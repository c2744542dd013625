"""Flask-Babel wired for the core and every enabled plugin's catalogue."""

from __future__ import annotations

from pathlib import Path

from babel import support
from flask import Flask, current_app, g, has_app_context
from flask_babel import Babel, Domain, get_locale

from alliance_conf.i18n.languages import current_language, language_name, select_locale
from alliance_conf.i18n.pseudo import PseudoTranslations

CORE_TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


class AllianceDomain(Domain):
    """One merged catalogue per app and language (Flask-Babel's own cache is per process, and
    tests run apps with different plugins); the pseudo-locale when ``I18N_PSEUDO`` is set."""

    def get_translations_cache(self, ctx):
        return current_app.extensions.setdefault("alliance_translations", {})

    def get_translations(self):
        """Looked up once per context and locale: a page calls gettext a hundred times or more,
        and Flask-Babel's own lookup (locale to string, cache key, app config) costs more than
        the translation itself. ``force_locale`` changes the locale, so the key follows it."""
        if not has_app_context():
            return support.NullTranslations()
        locale = get_locale()
        cached = g.get("alliance_translations")
        if cached is not None and cached[0] is locale:
            return cached[1]
        if current_app.config.get("I18N_PSEUDO"):
            translations = PseudoTranslations()
        else:
            translations = super().get_translations()
        g.alliance_translations = (locale, translations)
        return translations


def js_messages() -> dict[str, str]:
    """The few sentences the page's scripts write themselves, in the page's language (base.html
    hands them to the scripts as JSON)."""
    from alliance_conf.i18n import _

    return {
        "download_started": _("Your download has started."),
        "nothing_signed": _("Nothing was signed."),
        "nothing_stored": _("Nothing was stored."),
        "passkey_cancelled": _(
            "The passkey request was cancelled or timed out, or this device holds no passkey "
            "registered for your account."
        ),
        "try_again": _("Try again, or use another device."),
        "passkey_exists": _("This device already holds one of your passkeys."),
        "passkey_https": _("Passkeys need the site's secure address (https)."),
        "passkey_failed": _("The passkey request failed (%(error)s).", error="{error}"),
        "server_refused": _("The server refused the request."),
        "no_passkeys": _(
            "This browser cannot create passkeys. Use a current browser on a device with a "
            "screen lock."
        ),
    }


def translation_directories(registry) -> list[str]:
    """The core's catalogue, then each enabled plugin's ``translations/`` folder."""
    dirs = [CORE_TRANSLATIONS]
    for module in registry.enabled_modules():
        folder = Path(module.__file__).resolve().parent / "translations"
        if folder.is_dir():
            dirs.append(folder)
    return [str(d) for d in dict.fromkeys(dirs)]


def init_i18n(app: Flask, registry) -> None:
    languages = app.config["LANGUAGES"]
    if app.config["BABEL_DEFAULT_LOCALE"] not in languages:
        from alliance_conf.config import ConfigError

        raise ConfigError(
            f"BABEL_DEFAULT_LOCALE {app.config['BABEL_DEFAULT_LOCALE']!r} must be one of "
            f"LANGUAGES ({', '.join(languages)})"
        )
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_directories(registry))
    babel = Babel()
    babel.domain_instance = AllianceDomain()
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(
        current_language=current_language,
        interface_languages=lambda: [(code, language_name(code)) for code in languages],
        language_name=language_name,
        js_messages=js_messages,
    )


def load_catalogue(directory: str, language: str) -> support.Translations:
    return support.Translations.load(directory, [language])
