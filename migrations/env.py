"""Alembic environment: one history for the core, one branch per plugin (see README)."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

db = current_app.extensions["migrate"].db
configure_args = dict(current_app.extensions["migrate"].configure_args)
configure_args.setdefault("compare_type", True)


def _render_item(type_, obj, autogen_context):
    """Write the project's column types as plain SQLAlchemy types in revision files."""
    from alliance_conf.core.db import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


configure_args.setdefault("render_item", _render_item)


def _skip_empty_autogenerate(context_, revision, directives):
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logging.getLogger("alembic.env").info("No changes in schema detected.")


def run_migrations_offline():
    context.configure(
        url=db.engine.url.render_as_string(hide_password=False),
        target_metadata=db.metadata,
        literal_binds=True,
        **configure_args,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    configure_args.setdefault("process_revision_directives", _skip_empty_autogenerate)
    with db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=db.metadata, **configure_args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
