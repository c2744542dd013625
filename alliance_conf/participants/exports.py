"""Participant list exports: the published list (the shape the UN publishes) and the full list.

The published list holds only approved delegates who consented to appear on it. Both writers
neutralise every text cell against spreadsheet formula injection (``core.csvfile.safe_cell``).
The CSV is streamed in batches from a server-side cursor, so 100,000 rows never sit in memory.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from alliance_conf.auth.models import User
from alliance_conf.conferences.models import Conference
from alliance_conf.core.csvfile import csv_chunks, safe_cell
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.i18n import _, _l, current_language, force_locale
from alliance_conf.registrations.models import DelegateFunction, Registration, RegistrationStatus

BATCH = 2000
LISTS = ("published", "full")

# People read these lists: the header row is in the language of the person exporting.
PUBLISHED_HEADER = [
    _l("Delegation"),
    _l("Name"),
    _l("Title/position"),
    _l("Organisation"),
    _l("Function"),
]
FULL_HEADER = [
    *PUBLISHED_HEADER,
    _l("Group"),
    _l("E-mail"),
    _l("Status"),
    _l("Signatory"),
    _l("Listed publicly"),
    _l("Registered (UTC)"),
    _l("Accessibility needs"),
    _l("Dietary needs"),
]
# Protocol order inside a delegation: the head first, then ministers, officials, advisers...
FUNCTION_ORDER = {f.value: rank for rank, f in enumerate(DelegateFunction)}


def sheet_title(which: str) -> str:
    return _("Participants (published)") if which == "published" else _("Participants (full)")


def _function_rank():
    return sa.case(
        *((Registration.function == f, rank) for f, rank in FUNCTION_ORDER.items()), else_=99
    )


def _raw(column):
    """Read an enum column as its stored string, skipping per-row enum conversion."""
    return sa.type_coerce(column, sa.String)


def export_statement(conference: Conference, which: str):
    columns = [
        Delegation.name,
        User.full_name,
        Registration.position,
        Registration.organisation,
        _raw(Registration.function),
    ]
    if which == "full":
        columns += [
            Delegation.group,
            User.email,
            _raw(Registration.status),
            Registration.is_signatory,
            Registration.consent_participant_list,
            sa.type_coerce(Registration.created_at, sa.String),
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


def _published_row(row, functions) -> list:
    return [
        row[0],
        row[1],
        row[2],
        row[3],
        functions.get(row[4], row[4]),
    ]


def _minute(value) -> str:
    """``YYYY-MM-DD HH:MM`` in UTC from the raw column: SQLite hands back the stored UTC text,
    PostgreSQL an aware datetime in the session's time zone."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value[:16]
    if value.utcoffset():
        value = value.astimezone(UTC)
    return value.isoformat(" ", "minutes")[:16]


def _full_row(row, functions, group_label, yes_no) -> list:
    return [
        row[0],
        row[1],
        row[2],
        row[3],
        functions.get(row[4], row[4]),
        group_label(row[5]),
        row[6],
        row[7],
        yes_no[row[8]],
        yes_no[row[9]],
        _minute(row[10]),
        row[11] or "",
        row[12] or "",
    ]


def export_rows(conference: Conference, which: str, language: str | None = None) -> Iterator[list]:
    """The header, then every row, read in batches (server-side cursor on PostgreSQL).

    The header, functions, groups and yes/no are in ``language`` (default: the interface's),
    translated once before the first row; the data stays as stored (delegation names
    included, so the list keeps its order)."""
    with force_locale(language) if language else nullcontext():
        header = PUBLISHED_HEADER if which == "published" else FULL_HEADER
        words = ExportWords(
            header=[str(title) for title in header],
            functions={f.value: str(f.title) for f in DelegateFunction},
            groups={key: str(conference.group_label(key)) for key in conference.groups or {}},
            # 1 and 0 hash like True and False
            yes_no={True: _("yes"), False: _("no"), None: _("no")},
        )
    return _export_rows(conference, which, words)


@dataclass
class ExportWords:
    header: list[str]
    functions: dict[str, str]
    groups: dict[str, str]
    yes_no: dict


def _export_rows(conference: Conference, which: str, words: ExportWords) -> Iterator[list]:
    yield words.header
    # Core execution on the session's connection: no ORM row processing for 100,000 rows.
    # Options on the statement, not on the connection: the session's connection must not stay
    # in streaming mode for what the transaction does next (a background job writes its row).
    statement = export_statement(conference, which).execution_options(
        stream_results=True, max_row_buffer=BATCH
    )
    result = db.session.connection().execute(statement)
    functions, yes_no = words.functions, words.yes_no

    def group_label(key):
        return words.groups.get(key, key)

    try:
        for partition in result.partitions(BATCH):
            if which == "published":
                for row in partition:
                    yield _published_row(row, functions)
            else:
                for row in partition:
                    yield _full_row(row, functions, group_label, yes_no)
    finally:
        result.close()


def stream_csv(rows: Iterable[list]) -> Iterator[str]:
    """CSV text in chunks of about ``BATCH`` rows; starts with a BOM so Excel reads UTF-8."""
    return csv_chunks(rows, bom=True, batch=BATCH)


def build_xlsx(rows: Iterable[list], title: str) -> tempfile.SpooledTemporaryFile:
    """An XLSX workbook written row by row (openpyxl write-only mode) into a spooled file."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for row in rows:
        sheet.append(
            [ILLEGAL_CHARACTERS_RE.sub("", safe_cell(c)) if isinstance(c, str) else c for c in row]
        )
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - send_file closes it
    workbook.save(output)
    output.seek(0)
    return output


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROGRESS_EVERY = 1000


def xlsx_export_job(job, *, which: str, language: str | None = None) -> None:
    """A background job (``alliance_conf.jobs``): the Excel list of a large conference, with
    its progress reported every 1,000 rows; the file is kept on the job for its owner, in the
    language of the page it was started from."""
    if language:
        with force_locale(language):
            return _xlsx_export(job, which)
    return _xlsx_export(job, which)


def _xlsx_export(job, which: str) -> None:
    from alliance_conf.jobs.operations import report_progress

    conference = db.session.get(Conference, job.conference_id)
    if conference is None or which not in LISTS:
        raise ValueError("the conference or the list is gone")
    statement = export_statement(conference, which).order_by(None)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(statement.subquery()))
    report_progress(job, 0, total, _("Reading the participants"))

    def counted(rows):
        for n, row in enumerate(rows):  # row 0 is the header
            if n and n % PROGRESS_EVERY == 0:
                report_progress(job, n, total, _("Writing the workbook"))
            yield row

    with build_xlsx(counted(export_rows(conference, which)), title=sheet_title(which)) as output:
        job.result = output.read()
    job.result_name = f"{conference.slug}-participants-{which}.xlsx"
    job.result_type = XLSX_TYPE
    job.done, job.total, job.message = total, total, _("Ready")


def start_xlsx_export(conference: Conference, which: str, *, actor, language: str | None = None):
    """Start the Excel list as a background job for ``actor`` (the full list: organisers),
    its headers and messages in ``language`` (default: the interface's)."""
    from alliance_conf.auth.models import UserRole
    from alliance_conf.core.errors import PermissionDenied, ValidationFailed
    from alliance_conf.jobs.operations import start_job

    if which not in LISTS:
        raise ValidationFailed(
            _("The list is published or full."), {"list": _("published or full")}
        )
    if which == "full" and not actor.has_role(UserRole.organiser):
        raise PermissionDenied(_("Only organisers can export the full list."))
    if which == "published":
        title = _("%(conference)s: published participant list (XLSX)", conference=conference.title)
    else:
        title = _("%(conference)s: full participant list (XLSX)", conference=conference.title)
    return start_job(
        "alliance_conf.participants.exports:xlsx_export_job",
        title=title,
        owner=actor,
        conference_id=conference.id,
        which=which,
        language=language or current_language(),
    )
