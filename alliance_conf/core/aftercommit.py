"""Work that reacts to a committed change runs after the commit, outside its transaction.

An operation that holds a row lock (signing holds the declaration's) must not spend that time
on other plugins' reactions: it calls ``after_commit(func, *args)`` instead of running them.
When the caller commits, each call runs in an app context of its own (so a session of its own,
committed on success); a failure is logged and never undoes the committed change. A rollback
forgets the calls. Pass ids, not ORM objects: the reaction loads what it needs in its session.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from alliance_conf.extensions import db

AFTER_COMMIT_KEY = "alliance_after_commit"
log = logging.getLogger(__name__)


def after_commit(func: Callable, *args, **kwargs) -> None:
    """Run ``func(*args, **kwargs)`` once the current transaction of ``db.session`` commits."""
    db.session.info.setdefault(AFTER_COMMIT_KEY, []).append((func, args, kwargs))


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    calls = session.info.pop(AFTER_COMMIT_KEY, None)
    if not calls or not has_app_context():
        return
    app = current_app._get_current_object()
    for func, args, kwargs in calls:
        with app.app_context():  # a fresh scoped session: the committing one cannot run SQL now
            try:
                func(*args, **kwargs)
                db.session.commit()
            except Exception:
                db.session.rollback()
                log.exception("after-commit reaction %s failed", getattr(func, "__name__", func))


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(AFTER_COMMIT_KEY, None)
