from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import jsonify

from alliance_conf.auth.access import public
from alliance_conf.extensions import db

log = logging.getLogger(__name__)


@public
def healthz():
    """200 when the app can reach its database, 503 otherwise (no details leak out)."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        log.warning("health check: database unreachable", exc_info=True)
        try:
            db.session.rollback()
        except sa.exc.SQLAlchemyError:
            log.debug("rollback after a failed health check failed", exc_info=True)
        response = jsonify({"status": "unavailable", "checks": {"database": "unreachable"}})
        response.status_code = 503
    else:
        response = jsonify({"status": "ok", "checks": {"database": "ok"}})
    response.headers["Cache-Control"] = "no-store"
    return response
