"""Participant list exports: the published list (the shape the UN publishes) and the full list.

The published list holds only approved delegates who consented to appear on it. Every text cell
is neutralised against spreadsheet formula injection. The CSV is streamed in batches from a
server-side cursor, so 100,000 rows never sit in memory at once.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from alliance_conf.auth.models import User
from alliance_conf.conferences.models import Conference
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.registrations.models import DelegateFunction, Registration, RegistrationStatus

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BATCH = 2000
LISTS = ("published", "full")

PUBLISHED_HEADER = ["Delegation", "Name", "Title/position", "Organisation", "Function"]
FULL_HEADER = [
    *PUBLISHED_HEADER,
    "Group",
    "E-mail",
    "Status",
    "Signatory",
    "Listed publicly",
    "Registered",
    "Accessibility needs",
    "Dietary needs",
]
# Protocol order inside a delegation: the head first, then ministers, officials, advisers...
FUNCTION_ORDER = {f.value: rank for rank, f in enumerate(DelegateFunction)}


def safe_cell(value):
    """Prefix text a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _function_rank():
    return sa.case(
        *((Registration.function == f, rank) for f, rank in FUNCTION_ORDER.items()), else_=99
    )


def export_statement(conference: Conference, which: str):
    columns = [
        Delegation.name,
        User.full_name,
        Registration.position,
        Registration.organisation,
        Registration.function,
    ]
    if which == "full":
        columns += [
            Delegation.group,
            User.email,
            Registration.status,
            Registration.is_signatory,
            Registration.consent_participant_list,
            Registration.created_at,
            Registration.accessibility_needs,
            Registration.dietary_needs,
        ]
    statement = (
        sa.select(*columns)
        .join(User, User.id == Registration.user_id)
        .join(Delegation, Delegation.id == Registration.delegation_id)
        .where(Registration.conference_id == conference.id)
    )
    if which == "published":
        statement = statement.where(
            Registration.status == RegistrationStatus.approved,
            Registration.consent_participant_list.is_(True),
            Delegation.active.is_(True),
        )
    return statement.order_by(Delegation.name, _function_rank(), User.full_name, Registration.id)


def _format(row, which: str, conference: Conference) -> list:
    function = DelegateFunction(row[4]).title
    cells = [row[0], row[1], row[2], row[3], function]
    if which == "full":
        cells += [
            conference.group_label(row[5]),
            row[6],
            str(row[7]),
            "yes" if row[8] else "no",
            "yes" if row[9] else "no",
            row[10].strftime("%Y-%m-%d %H:%M") if row[10] else "",
            row[11],
            row[12],
        ]
    return [safe_cell(cell) for cell in cells]


def export_rows(conference: Conference, which: str) -> Iterator[list]:
    """The header, then every row, read in batches (server-side cursor on PostgreSQL)."""
    yield PUBLISHED_HEADER if which == "published" else FULL_HEADER
    result = db.session.execute(
        export_statement(conference, which).execution_options(yield_per=BATCH)
    )
    try:
        for partition in result.partitions():
            for row in partition:
                yield _format(row, which, conference)
    finally:
        result.close()


def stream_csv(rows: Iterable[list]) -> Iterator[str]:
    """CSV text in chunks of about ``BATCH`` rows; starts with a BOM so Excel reads UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    for n, row in enumerate(rows, 1):
        writer.writerow(row)
        if n % BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def build_xlsx(rows: Iterable[list], title: str) -> tempfile.SpooledTemporaryFile:
    """An XLSX workbook written row by row (openpyxl write-only mode) into a spooled file."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in row])
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - send_file closes it
    workbook.save(output)
    output.seek(0)
    return output
