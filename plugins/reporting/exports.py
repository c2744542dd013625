"""Downloads: the consolidated report of a round (CSV, or .docx for the documents plugin) and
every figure of a declaration (CSV, XLSX). Built in memory; text cells that a spreadsheet would
read as a formula are neutralised."""

from __future__ import annotations

import io

from openpyxl import Workbook

from alliance_conf.core.csvfile import csv_text, safe_cell
from alliance_conf.declarations.models import Declaration
from plugins.reporting import operations, overview
from plugins.reporting.models import Report, ReportingRound, ReportState

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv(header: list[str], rows: list[list]) -> str:
    return csv_text([header, *rows])


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
            status = overview.cell_status(report, item["key"])
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
                    overview.CELL_LABELS[status][0],
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
        sheet.append([safe_cell(v) for v in row])
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def round_docx(round: ReportingRound | None = None, conference=None) -> bytes:
    """The consolidated progress report of a round, as a Word document.

    Built by the documents plugin's builder on the conference's template (header, footer with
    page numbers, properties), like every other document. Given only the ``conference`` (the
    conference documents page and API), the report is that of its latest round.
    """
    from plugins.documents import builder
    from plugins.documents import operations as documents_ops

    round_ = round if round is not None else operations.latest_round(conference)
    conference = round_.conference
    label = f"Consolidated progress report {builder.DASH} {round_.title}"
    writer = builder.DocumentWriter(
        documents_ops.template_bytes(conference),
        conference,
        builder.Marking(draft=False, label="Consolidated progress report"),
        language=documents_ops.document_language(conference),
    )
    writer.paragraph(round_.title, "Title")
    writer.paragraph(
        f"Consolidated progress report on {round_.declaration.title}",
        "Subtitle",
        fallback=builder.NOTE_STYLE,
    )
    writer.paragraph(
        f"Period covered {builder.long_date(round_.period_start)} to "
        f"{builder.long_date(round_.period_end)}; deadline {builder.long_date(round_.deadline)}."
    )
    if round_.coverage == "assumed":
        writer.paragraph(
            "No signature was recorded when this round was opened: every active delegation was "
            "asked to report on every commitment."
        )
    reports = sorted(round_.reports, key=lambda r: builder.sort_name(r.delegation.name))
    submitted = [r for r in reports if r.state != ReportState.draft]
    writer.paragraph(
        f"{len(submitted)} of {len(reports)} reports submitted; "
        f"{sum(1 for r in reports if r.is_late)} late."
    )
    items = operations.commitments(round_.declaration)
    writer.heading("Summary per commitment", 1)
    rows = []
    for item in items:
        counts = dict.fromkeys(("achieved", "in_progress", "not_started", "not_reported"), 0)
        for report in reports:
            status = overview.cell_status(report, item["key"])
            if status in counts:
                counts[status] += 1
        rows.append([f"{item['number']}. {item['title']}", *(str(v) for v in counts.values())])
    writer.table(
        ["Commitment", "Achieved", "In progress", "Not started", "Not reported"],
        rows or [["No commitment.", "", "", "", ""]],
        widths_cm=[6.8, 2.3, 2.3, 2.3, 2.3],
    )
    known = operations.indicators()
    writer.heading("Reports", 1)
    for report in reports:
        writer.heading(report.delegation.name, 2)
        writer.paragraph(f"State: {_report_state(report)}")
        if report.state == ReportState.draft:
            continue
        for item in items:
            if item["key"] not in report.commitment_keys:
                continue
            entry = report.entry(item["key"])
            status = overview.cell_status(report, item["key"])
            writer.heading(
                f"{item['number']}. {item['title']}: {overview.CELL_LABELS[status][0]}", 3
            )
            if entry is None:
                continue
            if entry.narrative:
                writer.paragraph(entry.narrative)
            for action in entry.actions_snapshot or []:
                text = f"{action['title']} ({action['status'].replace('_', ' ')})"
                if action.get("progress"):
                    text += f": {action['progress']}"
                writer.paragraph(text, "List Bullet")
            for figure in entry.figures:
                writer.paragraph(f"{known.get(figure.indicator, figure.indicator)}: {figure.value}")
            for link in entry.evidence_links or []:
                writer.paragraph(f"Evidence: {link}")
    builder.set_properties(
        writer,
        title=label,
        subject=f"{round_.declaration.title}, {conference.title}",
        author=documents_ops.organisation(conference),
        created=round_.created_at,
        revision=1,
        category="Progress report",
    )
    return writer.save()
