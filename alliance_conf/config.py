"""Configuration: defaults, then an instance config file, then environment variables."""

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEV_SECRET_KEY = "dev-insecure-secret-key-change-me"  # noqa: S105 - refused in production


class DefaultConfig:
    ALLIANCE_ENV = "development"
    SECRET_KEY = DEV_SECRET_KEY
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
    "ALLIANCE_ENV",
)
ENV_INTS = ("MAIL_PORT", "API_TOKEN_LIFETIME_DAYS", "TRUSTED_PROXIES", "INVITATION_LIFETIME_DAYS")
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
    uri = config.get("SQLALCHEMY_DATABASE_URI")
    if not uri:
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        uri = "sqlite:///" + str(Path(instance_path) / "alliance.db")
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(uri)
    production = config.get("ALLIANCE_ENV") == "production"
    if production:
        key = config.get("SECRET_KEY") or ""
        if key == DEV_SECRET_KEY or len(key) < 32:
            raise ConfigError(
                "Refusing to start in production without a real SECRET_KEY: set SECRET_KEY to a "
                'random string of at least 32 characters (python -c "import secrets; '
                'print(secrets.token_urlsafe(48))").'
            )
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True
        config["PREFERRED_URL_SCHEME"] = "https"
