"""Column helpers and database behaviour shared by every model."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

from alliance_conf.extensions import db

_CLOCK: ContextVar[Callable[[], datetime] | None] = ContextVar("alliance_clock", default=None)


def utcnow() -> datetime:
    """Now, in UTC; inside ``replayed_time`` the replayed story's moment instead."""
    clock = _CLOCK.get()
    return clock() if clock is not None else datetime.now(UTC)


class StoryClock:
    """The time of a story replayed through the real operations (the demo week of 5 December
    2012), so every timestamp they write, hashed ones included, is the story's own.

    ``at(moment)`` sets the time; each reading moves it on by a millisecond, so the events of one
    step keep their order."""

    TICK = timedelta(milliseconds=1)

    def __init__(self, moment: datetime):
        self.moment = moment.astimezone(UTC)

    def at(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        self.moment = moment.astimezone(UTC)
        return self.moment

    def __call__(self) -> datetime:
        now = self.moment
        self.moment = now + self.TICK
        return now


@contextmanager
def replayed_time(clock: StoryClock) -> Iterator[StoryClock]:
    """``utcnow()`` reads ``clock`` inside the block (this thread or task only)."""
    token = _CLOCK.set(clock)
    try:
        yield clock
    finally:
        _CLOCK.reset(token)


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes on every backend: stored as UTC, read back aware."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def enum_column(enum_cls: type[enum.Enum], name: str, **kwargs) -> sa.Enum:
    """A string enum stored as its values, with a named CHECK constraint on every backend."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
        **kwargs,
    )


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    module = type(dbapi_connection).__module__
    if module.startswith(("sqlite3", "pysqlite")):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


@contextmanager
def transaction():
    """Commit the session when the block succeeds, roll everything back when it raises."""
    try:
        yield db.session
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
