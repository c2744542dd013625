"""The application factory."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, g, render_template, request
from werkzeug.exceptions import HTTPException

from alliance_conf import config as config_module
from alliance_conf.auth.sessions import init_sessions
from alliance_conf.core.inputs import init_input_guard
from alliance_conf.extensions import csrf, db, login_manager, migrate
from alliance_conf.i18n import init_i18n
from alliance_conf.plugins import flatten, init_plugins
from alliance_conf.security import init_security

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
log = logging.getLogger(__name__)


def create_app(config: dict | None = None, *, instance_path: str | None = None) -> Flask:
    """Build the app: defaults, then ``instance/alliance.cfg``, then the environment, then
    ``config`` (tests pass their overrides here)."""
    app = Flask(
        "alliance_conf",
        instance_path=instance_path,
        instance_relative_config=True,
    )
    app.config.from_object(config_module.DefaultConfig)
    app.config.from_pyfile("alliance.cfg", silent=True)
    config_module.apply_environment(app.config)
    if config:
        app.config.update(config)
    config_module.finalise(app.config, app.instance_path)

    from alliance_conf import core_plugin, models  # noqa: F401 - models register their tables

    registry = init_plugins(app, [("core", core_plugin)])
    settings: dict = {}
    for declared in registry.hook.alliance_settings():
        settings.update(declared or {})
    config_module.apply_settings(app.config, settings, explicit=config or {})
    registry.hook.alliance_configure(app=app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    init_input_guard(app)
    init_security(app)
    init_sessions(app)
    init_i18n(app, registry)

    @migrate.configure
    def _version_locations(alembic_config):
        # Every installed plugin's history, enabled or not (a database that ran a plugin's
        # migrations names its revisions), then any extra directory an enabled plugin declares.
        dirs = [str(MIGRATIONS_DIR / "versions"), *registry.installed_migration_dirs()]
        dirs += [str(d) for d in flatten(registry.hook.alliance_migration_dirs())]
        alembic_config.set_main_option("version_locations", " ".join(dict.fromkeys(dirs)))
        alembic_config.set_main_option("path_separator", "space")
        return alembic_config

    for blueprint in flatten(registry.hook.alliance_blueprints(app=app)):
        app.register_blueprint(blueprint)
        if blueprint.url_prefix and blueprint.url_prefix.startswith("/api/"):
            csrf.exempt(blueprint)  # bearer tokens only: no cookie reaches the API
    for command in flatten(registry.hook.alliance_cli_commands(app=app)):
        app.cli.add_command(command)

    _register_error_handlers(app)
    _register_template_helpers(app)
    return app


def _http_texts():
    """Werkzeug's words for the common HTTP errors, translated (its English unchanged)."""
    from alliance_conf.i18n import _l

    descriptions = {
        400: _l("The browser (or proxy) sent a request that this server could not understand."),
        401: _l(
            "The server could not verify that you are authorized to access the URL requested. "
            "You either supplied the wrong credentials (e.g. a bad password), or your browser "
            "doesn't understand how to supply the credentials required."
        ),
        403: _l(
            "You don't have the permission to access the requested resource. It is either "
            "read-protected or not readable by the server."
        ),
        404: _l(
            "The requested URL was not found on the server. If you entered the URL manually "
            "please check your spelling and try again."
        ),
        405: _l("The method is not allowed for the requested URL."),
        410: _l(
            "The requested URL is no longer available on this server and there is no "
            "forwarding address. If you followed a link from a foreign page, please contact "
            "the author of this page."
        ),
        413: _l("The data value transmitted exceeds the capacity limit."),
        415: _l("The server does not support the media type transmitted in the request."),
    }
    titles = {
        400: _l("Bad request"),
        401: _l("Sign-in needed"),
        405: _l("Method not allowed"),
        410: _l("Gone"),
        413: _l("Too large"),
        415: _l("Unsupported media type"),
    }
    return descriptions, titles


def _http_message(exc: HTTPException) -> tuple[str, str]:
    """The title and message of an HTTP error in the request's language."""
    descriptions, titles = _http_texts()
    description = exc.description
    if exc.code in descriptions and description == type(exc).description:
        description = str(descriptions[exc.code])
    title = str(titles[exc.code]) if exc.code in titles else exc.name
    return title, description or title


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _register_error_handlers(app: Flask) -> None:
    from sqlalchemy.exc import DBAPIError

    from alliance_conf.api.framework import error_response
    from alliance_conf.core.errors import AllianceError, SignInRequired
    from alliance_conf.i18n import _
    from alliance_conf.security import database_unavailable_response, is_database_unavailable

    @app.errorhandler(AllianceError)
    def _domain_error(exc: AllianceError):
        db.session.rollback()
        if _wants_json():
            return error_response(exc.status, exc.code, exc.message, exc.fields)
        if isinstance(exc, SignInRequired):
            return login_manager.unauthorized()
        return render_template("errors/error.html", status=exc.status, message=exc.message), (
            exc.status
        )

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if _wants_json():
            code = (exc.name or "error").lower().replace(" ", "_")
            response = error_response(exc.code or 500, code, _http_message(exc)[1])
            if exc.code == 405 and exc.valid_methods:
                response.headers["Allow"] = ", ".join(exc.valid_methods)
            return response
        title, message = _http_message(exc)
        return render_template(
            "errors/error.html", status=exc.code, title=title, message=message
        ), exc.code

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if _wants_json():
            return error_response(500, "internal_error", _("Something went wrong on our side."))
        message = _("Something went wrong on our side. The error has been logged.")
        return render_template("errors/error.html", status=500, message=message), 500

    @app.errorhandler(DBAPIError)
    def _database_error(exc: DBAPIError):
        if is_database_unavailable(exc):
            log.error("database unavailable on %s %s: %s", request.method, request.path, exc.orig)
            return database_unavailable_response()
        return _unexpected(exc)


def _register_template_helpers(app: Flask) -> None:
    from markupsafe import Markup

    from alliance_conf.plugins import get_registry

    def nav_items():
        from flask_login import current_user

        items = flatten(get_registry(app).hook.alliance_nav_items(user=current_user))
        visible = []
        for item in items:
            if current_user.is_authenticated:
                if item.roles and not current_user.has_role(*item.roles):
                    continue
            elif not item.anonymous:
                continue
            visible.append(item)
        return sorted(visible, key=lambda i: (i.order, i.label))

    def render_slot(slot: str, **context):
        contents = flatten(
            get_registry(app).hook.alliance_template_slot(slot=slot, context=context)
        )
        parts = []
        for content in sorted(contents, key=lambda c: c.order):
            parts.append(render_template(content.template, **context, **content.context))
        return Markup("\n".join(parts))  # noqa: S704 - each part is an autoescaped template

    app.jinja_env.globals.update(nav_items=nav_items, render_slot=render_slot)
    app.jinja_env.globals["request_id"] = lambda: g.get("request_id", "")

    from alliance_conf.formatting import register_filters
    from alliance_conf.ui import register_ui_helpers

    register_filters(app)
    register_ui_helpers(app)
