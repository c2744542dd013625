"""Helpers for the ``flask`` commands of every area."""

from __future__ import annotations

from functools import wraps

import click

from alliance_conf.core.errors import AllianceError
from alliance_conf.extensions import db


def domain_errors(command):
    """Turn domain errors into a clean message and exit code 1, rolling the transaction back."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except AllianceError as exc:
            db.session.rollback()
            details = "".join(f"\n  {name}: {msg}" for name, msg in exc.fields.items())
            raise click.ClickException(exc.message + details) from None

    return wrapper
