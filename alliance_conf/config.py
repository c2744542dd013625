"""Configuration: defaults, then an instance config file, then environment variables."""

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

# Keys that were ever published (in this repository's history): refused everywhere, since
# anyone could sign a session cookie with them.
DEV_SECRET_KEY = "dev-insecure-secret-key-change-me"  # noqa: S105 - refused, never used
PUBLISHED_SECRET_KEYS = frozenset({DEV_SECRET_KEY})
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name


class DefaultConfig:
    ALLIANCE_ENV = "development"
    SECRET_KEY = None  # production: required; otherwise generated into the instance folder
    SQLALCHEMY_DATABASE_URI = None  # set from the instance folder when left empty
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    DISABLED_PLUGINS: list[str] = []
    MAIL_SERVER = None  # None: mail is printed to the console (demo mode)
    MAIL_PORT = 25
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_DEFAULT_SENDER = "alliance-conf <no-reply@alliance-conf.invalid>"
    API_TOKEN_LIFETIME_DAYS = 30
    INVITATION_LIFETIME_DAYS = 30
    API_MAX_PER_PAGE = 200
    API_DEFAULT_PER_PAGE = 50
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = (
        False  # limit store unreachable: refuse (503) rather than let through
    )
    RATELIMIT_SIGN_IN = "10 per minute"  # per client address and per e-mail tried
    RATELIMIT_API_TOKEN = "10 per minute"  # noqa: S105 - a rate, not a secret
    TRUSTED_PROXIES = 0  # reverse proxies in front of gunicorn whose X-Forwarded-For is trusted
    PUBLIC_BASE_URL = None
    PASSWORD_RESET_MINUTES = 60  # a "forgot my password" link works this long, once
    SET_PASSWORD_LINK_DAYS = 7  # a "set your password" link (accounts made for someone)
    SESSION_IDLE_MINUTES = 30  # signed out after this long without a request
    SESSION_MAX_HOURS = 12  # and this long after signing in, whatever happens
    REMEMBER_COOKIE_DURATION = timedelta(days=30)  # "keep me signed in": at most this long
    EMAIL_PROOF_MINUTES = 15  # an e-mailed code proving an address works this long
    EMAIL_PROOF_MAX_ATTEMPTS = 5
    FULL_POWERS_MAX_PDF_BYTES = 5 * 1024 * 1024
    # Passkeys (WebAuthn): the relying party id (a domain) and the origins browsers report.
    # Unset: the host of PUBLIC_BASE_URL, or of the request.
    WEBAUTHN_RP_ID = None
    WEBAUTHN_ORIGINS: list[str] = []
    WEBAUTHN_RP_NAME = "alliance-conf"
    WEBAUTHN_CHALLENGE_SECONDS = 300
    JOBS_REDIS_URL = None  # redis://...: background jobs go to workers; None: run in-process
    JOBS_QUEUE = "alliance"  # the RQ queue's name (one per installation sharing a Redis)
    JOBS_TIMEOUT = 3600  # seconds a job may run on a worker
    LANGUAGES: list[str] = ["en", "fr"]  # interface languages, each with a catalogue
    BABEL_DEFAULT_LOCALE = "en"  # when neither the person nor the browser says
    I18N_PSEUDO = False  # tests: every translated string wrapped in ⟦…⟧
    # world-atlas's countries-110m.json (npm): the maps of alliance_conf.charts.worldmap.
    # None: node_modules/world-atlas/ beside the code (`make install` runs `npm ci`).
    ALLIANCE_WORLD_ATLAS = None


ENV_STRINGS = (
    "SECRET_KEY",
    "MAIL_SERVER",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_DEFAULT_SENDER",
    "RATELIMIT_STORAGE_URI",
    "RATELIMIT_SIGN_IN",
    "RATELIMIT_API_TOKEN",
    "PUBLIC_BASE_URL",
    "WEBAUTHN_RP_ID",
    "WEBAUTHN_RP_NAME",
    "ALLIANCE_ENV",
    "JOBS_REDIS_URL",
    "JOBS_QUEUE",
    "ALLIANCE_WORLD_ATLAS",
)
ENV_INTS = (
    "MAIL_PORT",
    "API_TOKEN_LIFETIME_DAYS",
    "TRUSTED_PROXIES",
    "INVITATION_LIFETIME_DAYS",
    "SESSION_IDLE_MINUTES",
    "SESSION_MAX_HOURS",
)
ENV_BOOLS = ("MAIL_USE_TLS", "MAIL_USE_SSL", "RATELIMIT_ENABLED", "RATELIMIT_SWALLOW_ERRORS")
TRUE_WORDS = {"1", "true", "yes", "on"}


class ConfigError(RuntimeError):
    """The configuration cannot run: the message says what to set."""


def split_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [str(part).strip() for part in value if str(part).strip()]


def normalise_database_url(url: str) -> str:
    """Accept the usual spellings of a PostgreSQL URL and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def apply_environment(config: dict, environ=None) -> None:
    environ = os.environ if environ is None else environ
    for key in ENV_STRINGS:
        if environ.get(key):
            config[key] = environ[key]
    for key in ENV_INTS:
        if environ.get(key):
            try:
                config[key] = int(environ[key])
            except ValueError as exc:
                raise ConfigError(f"{key} must be a whole number, not {environ[key]!r}") from exc
    for key in ENV_BOOLS:
        if key in environ:
            config[key] = environ[key].strip().lower() in TRUE_WORDS
    if environ.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = environ["DATABASE_URL"]
    if "ALLIANCE_DISABLED_PLUGINS" in environ:
        config["DISABLED_PLUGINS"] = environ["ALLIANCE_DISABLED_PLUGINS"]
    if environ.get("ALLIANCE_LANGUAGES"):
        config["LANGUAGES"] = split_list(environ["ALLIANCE_LANGUAGES"])
    if environ.get("ALLIANCE_DEFAULT_LANGUAGE"):
        config["BABEL_DEFAULT_LOCALE"] = environ["ALLIANCE_DEFAULT_LANGUAGE"]
    if environ.get("WEBAUTHN_ORIGINS"):
        config["WEBAUTHN_ORIGINS"] = split_list(environ["WEBAUTHN_ORIGINS"])


@dataclass(frozen=True)
class Setting:
    """A plugin setting's default and how to read it from an environment variable (by default
    from the default's type: bool, int or text)."""

    default: Any
    parse: Callable[[str], Any] | None = None


def _parse_env(name: str, raw: str, setting: Setting) -> Any:
    if setting.parse is not None:
        return setting.parse(raw)
    if isinstance(setting.default, bool):
        return raw.strip().lower() in TRUE_WORDS
    if isinstance(setting.default, int):
        try:
            return int(raw)
        except ValueError as exc:
            raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc
    return raw


def apply_settings(config: dict, settings: dict, explicit: dict, environ=None) -> None:
    """Plugin settings, once for every plugin: the default, unless the instance file set it;
    the environment variable beats both; ``create_app({...})`` beats everything."""
    environ = os.environ if environ is None else environ
    for name, value in settings.items():
        setting = value if isinstance(value, Setting) else Setting(value)
        if name in explicit:
            config[name] = explicit[name]
        elif environ.get(name, "") != "":
            config[name] = _parse_env(name, environ[name], setting)
        else:
            config.setdefault(name, setting.default)


def finalise(config: dict, instance_path: str) -> None:
    """Fill derived values and refuse configurations that must not run."""
    config["DISABLED_PLUGINS"] = split_list(config.get("DISABLED_PLUGINS"))
    config["LANGUAGES"] = split_list(config.get("LANGUAGES")) or ["en"]
    uri = config.get("SQLALCHEMY_DATABASE_URI")
    if not uri:
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        uri = "sqlite:///" + str(Path(instance_path) / "alliance.db")
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(uri)
    production = config.get("ALLIANCE_ENV") == "production"
    key = config.get("SECRET_KEY") or ""
    if key in PUBLISHED_SECRET_KEYS:
        raise ConfigError(
            "Refusing to start with a published SECRET_KEY (the old development key): anyone "
            "could forge a session with it. Remove it; a random key is generated."
        )
    if production:
        if len(key) < 32:
            raise ConfigError(
                "Refusing to start in production without a real SECRET_KEY: set SECRET_KEY to a "
                'random string of at least 32 characters (python -c "import secrets; '
                'print(secrets.token_urlsafe(48))").'
            )
        if not config.get("PUBLIC_BASE_URL"):
            raise ConfigError(
                "Refusing to start in production without PUBLIC_BASE_URL (e.g. "
                "https://conference.example.org): links in e-mails, receipts and documents are "
                "built from it, never from the request's Host header."
            )
    elif not key:
        config["SECRET_KEY"] = instance_secret(instance_path, SECRET_KEY_FILE)
    if not config.get("PUBLIC_BASE_URL"):
        config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{os.environ.get('PORT') or 5000}"
    config["PUBLIC_BASE_URL"] = config["PUBLIC_BASE_URL"].rstrip("/")
    if production:
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True
        config["PREFERRED_URL_SCHEME"] = "https"


def instance_secret(instance_path: str, name: str, make=lambda: secrets.token_urlsafe(48)) -> str:
    """A secret kept in the instance folder: made (readable by the owner only) on first use,
    read afterwards. Outside production only; production sets its secrets explicitly."""
    folder = Path(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        value = path.read_text().strip()
        if value:
            return value
        raise ConfigError(f"{path} is empty: delete it and a new secret is made.") from None
    value = make()
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value
