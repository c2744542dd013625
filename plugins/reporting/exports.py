"""Downloads: the consolidated report of a round (CSV, or .docx for the documents plugin) and
every figure of a declaration (CSV, XLSX). Built in memory; text cells that a spreadsheet would
read as a formula are neutralised."""

from __future__ import annotations

import csv
import io

from docx import Document
from openpyxl import Workbook

from alliance_conf.declarations.models import Declaration
from plugins.reporting import operations
from plugins.reporting.models import Report, ReportingRound, ReportState

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value):
    """Prefix text that starts like a formula with an apostrophe; numbers pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(v) if v is not None else "" for v in row])
    return out.getvalue()


def _report_state(report: Report) -> str:
    return report.state.title + (" (late)" if report.is_late else "")


ROUND_HEADER = [
    "Delegation",
    "Country code",
    "Group",
    "Report state",
    "Submitted at",
    "Commitment",
    "Commitment title",
    "Status",
    "Narrative",
    "National actions",
    "Evidence links",
]


def round_rows(round_: ReportingRound) -> tuple[list[str], list[list]]:
    known = operations.indicators()
    header = ROUND_HEADER + list(known.values())
    items = operations.commitments(round_.declaration)
    rows = []
    for report in sorted(round_.reports, key=lambda r: r.delegation.name):
        published = report.state != ReportState.draft
        for item in items:
            if item["key"] not in report.commitment_keys:
                continue
            entry = report.entry(item["key"]) if published else None
            status = operations.cell_status(report, item["key"])
            actions = "; ".join(
                f"{a['title']} ({a['status'].replace('_', ' ')})"
                + (f": {a['progress']}" if a.get("progress") else "")
                for a in (entry.actions_snapshot if entry else [])
            )
            rows.append(
                [
                    report.delegation.name,
                    report.delegation.country_code or "",
                    round_.conference.group_label(report.delegation.group),
                    _report_state(report),
                    report.submitted_at.isoformat() if report.submitted_at else "",
                    item["number"],
                    item["title"],
                    operations.CELL_LABELS[status][0],
                    entry.narrative if entry else "",
                    actions,
                    " ".join(entry.evidence_links) if entry else "",
                    *[(entry.figure(k) if entry else None) for k in known],
                ]
            )
    return header, rows


def round_csv(round_: ReportingRound) -> str:
    return _csv(*round_rows(round_))


FIGURE_HEADER = [
    "Round",
    "Period start",
    "Period end",
    "Delegation",
    "Country code",
    "Group",
    "Report state",
    "Commitment",
    "Commitment title",
    "Indicator",
    "Indicator label",
    "Value",
]


def figure_rows(declaration: Declaration) -> list[list]:
    known = operations.indicators()
    titles = {c["key"]: c for c in operations.commitments(declaration)}
    rows = []
    for round_ in operations.rounds_of(declaration):
        for report in sorted(round_.reports, key=lambda r: r.delegation.name):
            if report.state == ReportState.draft:
                continue
            for entry in report.entries:
                item = titles.get(entry.commitment_key, {"number": "", "title": ""})
                for figure in entry.figures:
                    rows.append(
                        [
                            round_.title,
                            round_.period_start.isoformat(),
                            round_.period_end.isoformat(),
                            report.delegation.name,
                            report.delegation.country_code or "",
                            round_.conference.group_label(report.delegation.group),
                            report.state.title,
                            item["number"],
                            item["title"],
                            figure.indicator,
                            known.get(figure.indicator, figure.indicator),
                            figure.value,
                        ]
                    )
    return rows


def figures_csv(declaration: Declaration) -> str:
    return _csv(FIGURE_HEADER, figure_rows(declaration))


def figures_xlsx(declaration: Declaration) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Figures"
    sheet.append(FIGURE_HEADER)
    for row in figure_rows(declaration):
        sheet.append([neutralise(v) for v in row])
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def round_docx(round: ReportingRound) -> bytes:
    """The consolidated progress report of a round, as a Word document."""
    round_ = round
    document = Document()
    document.add_heading(round_.title, level=0)
    document.add_paragraph(
        f"{round_.declaration.title} — {round_.conference.title}. Period covered "
        f"{round_.period_start:%-d %B %Y} to {round_.period_end:%-d %B %Y}; deadline "
        f"{round_.deadline:%-d %B %Y}."
    )
    if round_.coverage == "assumed":
        document.add_paragraph(
            "No signature was recorded when this round was opened: every active delegation was "
            "asked to report on every commitment."
        )
    reports = sorted(round_.reports, key=lambda r: r.delegation.name)
    submitted = [r for r in reports if r.state != ReportState.draft]
    document.add_paragraph(
        f"{len(submitted)} of {len(reports)} reports submitted; "
        f"{sum(1 for r in reports if r.is_late)} late."
    )
    items = operations.commitments(round_.declaration)
    document.add_heading("Summary per commitment", level=1)
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells,
        ("Commitment", "Achieved", "In progress", "Not started", "Not reported"),
        strict=True,
    ):
        cell.text = text
    for item in items:
        counts = dict.fromkeys(("achieved", "in_progress", "not_started", "not_reported"), 0)
        for report in reports:
            status = operations.cell_status(report, item["key"])
            if status in counts:
                counts[status] += 1
        cells = table.add_row().cells
        cells[0].text = f"{item['number']}. {item['title']}"
        for i, key in enumerate(("achieved", "in_progress", "not_started", "not_reported"), 1):
            cells[i].text = str(counts[key])
    known = operations.indicators()
    document.add_heading("Reports", level=1)
    for report in reports:
        document.add_heading(report.delegation.name, level=2)
        document.add_paragraph(f"State: {_report_state(report)}")
        if report.state == ReportState.draft:
            continue
        for item in items:
            if item["key"] not in report.commitment_keys:
                continue
            entry = report.entry(item["key"])
            status = operations.cell_status(report, item["key"])
            document.add_heading(
                f"{item['number']}. {item['title']}: {operations.CELL_LABELS[status][0]}", level=3
            )
            if entry is None:
                continue
            if entry.narrative:
                document.add_paragraph(entry.narrative)
            for action in entry.actions_snapshot or []:
                text = f"{action['title']} ({action['status'].replace('_', ' ')})"
                if action.get("progress"):
                    text += f": {action['progress']}"
                document.add_paragraph(text, style="List Bullet")
            for figure in entry.figures:
                document.add_paragraph(
                    f"{known.get(figure.indicator, figure.indicator)}: {figure.value}"
                )
            for link in entry.evidence_links or []:
                document.add_paragraph(f"Evidence: {link}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
