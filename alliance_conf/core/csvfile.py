"""CSV files in and out: uploads for the bulk imports, exports for spreadsheets.

Every import validates the whole file first and stores nothing when any row is bad; the
problems are reported with the line number they were found on. Every export goes through
:func:`csv_chunks`, which quotes the cells a spreadsheet would run as a formula.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from flask import Response, current_app, has_app_context
from flask_babel import format_number

from alliance_conf.core.errors import ValidationFailed
from alliance_conf.i18n import _, ngettext

DEFAULT_MAX_BYTES = 16 * 1024 * 1024
MAX_REPORTED_PROBLEMS = 200
# A spreadsheet runs a cell starting with one of these as a formula (or a DDE command).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
EXPORT_BATCH = 2000


@dataclass
class CsvRow:
    line: int
    values: dict[str, str]
    error: str | None = None

    def get(self, name: str) -> str:
        return (self.values.get(name) or "").strip()


@dataclass
class RowProblems:
    """Collects ``line: reason`` problems; ``raise_if_any`` turns them into one domain error."""

    problems: list[tuple[int, str]] = field(default_factory=list)

    def add(self, line: int, reason: str) -> None:
        self.problems.append((line, reason))

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self, what) -> None:
        """``what`` is the file's name in a sentence (``"participants"``), or a function of
        the number of bad rows that returns the whole translated message (plurals differ)."""
        if not self.problems:
            return
        count = len({line for line, _ in self.problems})
        shown = sorted(self.problems)[:MAX_REPORTED_PROBLEMS]
        fields: dict[str, str] = {}
        for line, reason in shown:
            key = f"line {line}"
            fields[key] = f"{fields[key]}; {reason}" if key in fields else reason
        more = len(self.problems) - len(shown)
        if more > 0:
            fields["more"] = ngettext(
                "%(num)d more problem not shown", "%(num)d more problems not shown", more
            )
        if callable(what):
            message = what(count)
        else:
            message = ngettext(
                "The %(what)s file has %(num)d bad row; nothing was imported.",
                "The %(what)s file has %(num)d bad rows; nothing was imported.",
                count,
                what=what,
            )
        raise ValidationFailed(message, fields)


def max_import_bytes() -> int:
    """``IMPORT_MAX_BYTES`` from the configuration (16 MiB by default)."""
    if has_app_context():
        return int(current_app.config.get("IMPORT_MAX_BYTES") or DEFAULT_MAX_BYTES)
    return DEFAULT_MAX_BYTES


def decode_csv(data: bytes, *, max_bytes: int | None = None) -> str:
    """UTF-8 text of an uploaded file (a UTF-8 byte-order mark is accepted and dropped)."""
    max_bytes = max_bytes or max_import_bytes()
    if not data:
        raise ValidationFailed(_("The file is empty."), {"file": _("The file is empty.")})
    if len(data) > max_bytes:
        message = _(
            "The file is too large (%(size)s bytes; at most %(max)s bytes). "
            "Split it into several files.",
            size=format_number(len(data)),
            max=format_number(max_bytes),
        )
        raise ValidationFailed(message, {"file": message})
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = _(
            "The file is not UTF-8 text (bad byte on line %(line)d). "
            "Save it as “CSV UTF-8” and try again.",
            line=line,
        )
        raise ValidationFailed(message, {"file": message}) from None
    if "\x00" in text:
        message = _("The file contains NUL bytes; it does not look like a CSV text file.")
        raise ValidationFailed(message, {"file": message})
    if not text.strip():
        raise ValidationFailed(_("The file is empty."), {"file": _("The file is empty.")})
    return text


def normalise_header(name: str) -> str:
    return (name or "").strip().lower().replace(" ", "_").replace("-", "_")


def read_csv(
    data: bytes,
    *,
    required: set[str],
    optional: set[str],
    one_of: tuple[str, ...] = (),
    max_bytes: int | None = None,
) -> tuple[list[str], list[CsvRow]]:
    """Check the header row and return ``(columns, rows)``; blank lines are skipped.

    ``one_of`` names columns of which at least one must be present.
    """
    text = decode_csv(data, max_bytes=max_bytes)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise ValidationFailed(
            _("The file has no header row."), {"file": _("No header row.")}
        ) from None
    columns = [normalise_header(h) for h in header]
    known = required | optional | set(one_of)
    problems = []
    missing = sorted(required - set(columns))
    if missing:
        problems.append(
            ngettext(
                "missing column %(columns)s",
                "missing columns %(columns)s",
                len(missing),
                columns=", ".join(missing),
            )
        )
    if one_of and not set(one_of) & set(columns):
        problems.append(_("missing column: one of %(columns)s", columns=_or_list(one_of)))
    unknown = [c for c in columns if c not in known]
    if unknown:
        problems.append(
            ngettext(
                "unknown column %(columns)s",
                "unknown columns %(columns)s",
                len(unknown),
                columns=", ".join(unknown),
            )
        )
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        problems.append(
            ngettext(
                "repeated column %(columns)s",
                "repeated columns %(columns)s",
                len(duplicated),
                columns=", ".join(duplicated),
            )
        )
    if problems:
        expected = ", ".join(sorted(required)) + (", " + _or_list(one_of) if one_of else "")
        if optional:
            message = _(
                "The header row is wrong: %(problems)s. Expected columns: %(expected)s "
                "(optional: %(optional)s).",
                problems="; ".join(problems),
                expected=expected,
                optional=", ".join(sorted(optional)),
            )
        else:
            message = _(
                "The header row is wrong: %(problems)s. Expected columns: %(expected)s.",
                problems="; ".join(problems),
                expected=expected,
            )
        raise ValidationFailed(message, {"header": "; ".join(problems)})
    rows = list(_rows(reader, columns))
    if not rows:
        raise ValidationFailed(
            _("The file has a header row but no data rows."), {"file": _("No data rows.")}
        )
    return columns, rows


def _rows(reader, columns: list[str]) -> Iterator[CsvRow]:
    previous_end = 1
    while True:
        try:
            raw = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            message = _(
                "The file is not valid CSV near line %(line)d: %(reason)s.",
                line=reader.line_num,
                reason=exc,
            )
            raise ValidationFailed(message, {f"line {reader.line_num}": str(exc)}) from None
        line = previous_end + 1
        previous_end = reader.line_num
        if not any(cell.strip() for cell in raw):
            continue
        error = None
        if len(raw) > len(columns) and any(cell.strip() for cell in raw[len(columns) :]):
            error = ngettext(
                "%(cells)d cells but the header row has %(num)d column",
                "%(cells)d cells but the header row has %(num)d columns",
                len(columns),
                cells=len(raw),
            )
        yield CsvRow(line=line, values=dict(zip(columns, raw, strict=False)), error=error)


def _or_list(columns) -> str:
    """``a or b`` (``a ou b``)."""
    joined = columns[0]
    for column in columns[1:]:
        joined = _("%(first)s or %(second)s", first=joined, second=column)
    return joined


def safe_cell(value):
    """Prefix text a spreadsheet would run as a formula with an apostrophe; numbers, dates and
    ``None`` pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_chunks(
    rows: Iterable[Sequence], *, bom: bool = False, batch: int = EXPORT_BATCH
) -> Iterator[str]:
    """CSV text of ``rows`` (header included) in chunks of about ``batch`` rows, every cell
    through :func:`safe_cell`. ``bom`` starts it with a byte-order mark so Excel reads UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if bom:
        buffer.write("\ufeff")
    starts = FORMULA_STARTS
    for n, row in enumerate(rows, 1):
        # Inline safe_cell: this is the hot path of a 100,000-row participant list.
        writer.writerow(
            ["'" + c if isinstance(c, str) and c.startswith(starts) else c for c in row]
        )
        if n % batch == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_text(rows: Iterable[Sequence], *, bom: bool = False) -> str:
    """The whole CSV text of ``rows`` at once (see :func:`csv_chunks`)."""
    return "".join(csv_chunks(rows, bom=bom))


def csv_template(filename: str, header: list[str], *examples: list[str]) -> Response:
    """A CSV file to fill in: the columns an import reads, with example rows to overwrite."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(examples)
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
