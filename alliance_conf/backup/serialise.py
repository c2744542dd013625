"""Turn model rows into JSON-ready dicts and back, remapping ids: what every backup section uses.

A plugin's export and import are a few lines::

    @hookimpl
    def alliance_backup_export(conference):
        rows = db.session.scalars(select(Declaration).where(...).order_by(Declaration.id))
        return "declarations", {"declarations": dump_rows(rows)}

    @hookimpl
    def alliance_backup_import(conference, data, id_map):
        load_rows(Declaration, data["declarations"], id_map)

A restore keeps each row's primary key when that id is free in its table (always, into an empty
database), so ids recorded inside hashes and signed receipts stay true; a row whose id is taken
gets a new one. ``id_map`` records old -> new per table either way, so foreign keys of later rows
(any table already loaded) are rewritten automatically. Load parents before children (rows in id
order for self-references).
"""

from __future__ import annotations

import base64
import enum
import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

from alliance_conf.core.errors import ValidationFailed
from alliance_conf.extensions import db
from alliance_conf.i18n import _


class IdMap:
    """Old id -> new id, per table name; with ``keep_ids``, old ids are reused when free."""

    def __init__(self, *, keep_ids: bool = False):
        self._tables: dict[str, dict] = defaultdict(dict)
        self.keep_ids = keep_ids
        self._taken: dict[str, set] = {}
        self._kept_tables: dict[str, sa.Column] = {}

    def _claim(self, column: sa.Column, old) -> bool:
        """Reserve ``old`` as the new row's id if no row of the table has it."""
        table = column.table.name
        if table not in self._taken:
            self._taken[table] = set(db.session.scalars(sa.select(column)))
        if old in self._taken[table]:
            return False
        self._taken[table].add(old)
        self._kept_tables[table] = column
        return True

    def sync_sequence(self, table: str) -> None:
        """PostgreSQL does not move a sequence past ids inserted explicitly: move it."""
        column = self._kept_tables.get(table)
        if column is None or db.session.get_bind().dialect.name != "postgresql":
            return
        highest = sa.select(sa.func.max(column)).scalar_subquery()
        db.session.execute(
            sa.select(
                sa.func.setval(
                    sa.func.pg_get_serial_sequence(table, column.name),
                    sa.func.coalesce(highest, 0) + 1,
                    False,
                )
            )
        )

    def sync_sequences(self) -> None:
        for table in list(self._kept_tables):
            self.sync_sequence(table)

    def record(self, table: str, old, new) -> None:
        self._tables[table][old] = new

    def get(self, table: str, old, default=None):
        return self._tables.get(table, {}).get(old, default)

    def table(self, table: str) -> dict:
        return dict(self._tables.get(table, {}))


def _columns(model) -> list[tuple[str, sa.Column]]:
    return [(attr.key, attr.columns[0]) for attr in sa.inspect(model).column_attrs]


def _base_type(column: sa.Column):
    kind = column.type
    while isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    return kind


def _dump_value(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _load_value(column: sa.Column, value):
    if value is None:
        return None
    kind = _base_type(column)
    if isinstance(kind, sa.Enum) and kind.enum_class is not None:
        return kind.enum_class(value)
    if isinstance(kind, sa.DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, sa.Date):
        return date.fromisoformat(value)
    if isinstance(kind, sa.Time):
        return time.fromisoformat(value)
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        return Decimal(value)
    if isinstance(kind, sa.LargeBinary):
        return base64.b64decode(value)
    if isinstance(kind, sa.Uuid):
        return uuid.UUID(value)
    return value


def dump_row(obj, *, exclude: Iterable[str] = ()) -> dict:
    """Every column attribute of ``obj`` as a JSON-ready value (enums by value, ISO dates)."""
    skip = set(exclude)
    return {
        key: _dump_value(getattr(obj, key)) for key, _ in _columns(type(obj)) if key not in skip
    }


def dump_rows(objs: Iterable, *, exclude: Iterable[str] = ()) -> list[dict]:
    return [dump_row(obj, exclude=exclude) for obj in objs]


def _generated_key(model) -> sa.Column | None:
    primary = sa.inspect(model).primary_key
    if len(primary) == 1 and isinstance(_base_type(primary[0]), sa.Integer):
        return primary[0]
    return None


def load_row(model, data: dict, id_map: IdMap, **overrides):
    """Add one row from ``dump_row`` output: new id, foreign keys through ``id_map``.

    A foreign key whose target is not in the backup becomes NULL when the column allows it
    (e.g. "decided by" a user who was not exported); otherwise the row is refused.
    """
    table = sa.inspect(model).local_table.name
    generated = _generated_key(model)
    values = {}
    for key, column in _columns(model):
        if key in overrides or key not in data:
            continue
        value = data[key]
        if generated is not None and column is generated:
            continue
        if column.foreign_keys and value is not None:
            target = next(iter(column.foreign_keys)).column
            mapped = id_map.get(target.table.name, value)
            if mapped is None and not column.nullable:
                raise ValidationFailed(
                    _(
                        "The backup's %(table)s row %(id)s refers to %(target)s %(value)s, "
                        "which is not in the backup.",
                        table=table,
                        id=data.get("id"),
                        target=target.table.name,
                        value=value,
                    ),
                    {table: f"unknown {target.table.name} {value}"},
                )
            value = mapped
        else:
            value = _load_value(column, value)
        values[key] = value
    values.update(overrides)
    old_id = data.get(generated.key) if generated is not None else None
    if old_id is not None and id_map.keep_ids and generated.key not in overrides:
        if id_map._claim(generated, old_id):
            values[generated.key] = old_id
        else:
            id_map.sync_sequence(table)
    obj = model(**values)
    db.session.add(obj)
    db.session.flush()
    if generated is not None and table in id_map._taken:
        id_map._taken[table].add(getattr(obj, generated.key))
    if generated is not None and data.get(generated.key) is not None:
        id_map.record(table, data[generated.key], getattr(obj, generated.key))
    return obj


def load_rows(model, rows: Iterable[dict], id_map: IdMap, **overrides) -> list:
    return [load_row(model, row, id_map, **overrides) for row in rows]
