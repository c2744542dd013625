"""An empty or no-op change is refused: a PATCH or PUT of the JSON API that would commit no
change to any row (the audit log aside) is a 422, rolled back, on every such endpoint.

The API framework runs those views inside :func:`refuse_no_op`; it watches the session's unit
of work (``before_flush`` and ``before_commit``) instead of asking each view, so an endpoint
added later is covered too. Operations keep it honest by touching nothing when nothing changed
(no ``updated_at`` bump for the same values; :func:`has_pending_changes` tells them).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import g, has_app_context

from alliance_conf.core.errors import ValidationFailed
from alliance_conf.extensions import db
from alliance_conf.i18n import _, _l

NOTHING_TO_CHANGE = "Nothing to change: every field sent already has that value."
_NOTHING_TO_CHANGE = _l("Nothing to change: every field sent already has that value.")
IGNORED_TABLES = frozenset({"audit_events"})  # the record of a change is not a change


class NothingToChange(ValidationFailed):
    def __init__(self, fields=()):
        super().__init__(str(_NOTHING_TO_CHANGE), dict.fromkeys(sorted(fields), _("Unchanged.")))


def _counts(obj) -> bool:
    return getattr(type(obj), "__tablename__", None) not in IGNORED_TABLES


def has_pending_changes(session=None) -> bool:
    """Whether the session holds an unflushed insert, delete or real update (an attribute set
    to the value it had is none) of a row other than the audit log."""
    session = session or db.session()
    if any(_counts(obj) for obj in (*session.new, *session.deleted)):
        return True
    return any(_counts(obj) and session.is_modified(obj) for obj in session.dirty)


@dataclass
class _Watch:
    fields: frozenset[str]
    changed: bool = False
    committed: bool = False
    session: object = field(default=None)


def _watch(session):
    if not has_app_context():
        return None
    watch = g.get("_change_watch")
    return watch if watch is not None and watch.session is session else None


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _note_flush(session, flush_context, instances):
    watch = _watch(session)
    if watch is not None and not watch.changed and has_pending_changes(session):
        watch.changed = True


@sa.event.listens_for(sa.orm.Session, "before_commit")
def _refuse_empty_commit(session):
    watch = _watch(session)
    if watch is None:
        return
    if not watch.changed and not has_pending_changes(session):
        raise NothingToChange(watch.fields)
    watch.changed = watch.committed = True


@contextmanager
def refuse_no_op(fields=()):
    """Run a change request: if it commits (or leaves) no change, :class:`NothingToChange`."""
    watch = _Watch(frozenset(fields), session=db.session())
    previous = g.get("_change_watch")
    g._change_watch = watch
    try:
        yield watch
        if not watch.changed and not has_pending_changes(watch.session):
            raise NothingToChange(watch.fields)
    finally:
        g._change_watch = previous
