"""Downloads: the consolidated report of a round (CSV, or .docx for the documents plugin) and
every figure of a declaration (CSV, XLSX). Built in memory; text cells that a spreadsheet would
read as a formula are neutralised.

Headers, states and labels people read are in the reader's language; the machine columns
(country code, indicator key, ISO dates) stay as they are whatever the language."""

from __future__ import annotations

import io

from openpyxl import Workbook

from alliance_conf.core.csvfile import csv_text, safe_cell
from alliance_conf.declarations.models import Declaration
from alliance_conf.formatting import format_date
from alliance_conf.i18n import _, _l, current_language, force_locale, ngettext
from plugins.reporting import operations, overview
from plugins.reporting.models import Report, ReportingRound, ReportState, action_status_title

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv(header: list[str], rows: list[list]) -> str:
    return csv_text([header, *rows])


def _report_state(report: Report) -> str:
    if report.is_late:
        return _("%(state)s (late)", state=report.state.title)
    return report.state.title


ROUND_HEADER = [
    _l("Delegation"),
    _l("Country code"),
    _l("Group"),
    _l("Report state"),
    _l("Submitted at"),
    _l("Commitment"),
    _l("Commitment title"),
    _l("Status"),
    _l("Narrative"),
    _l("National actions"),
    _l("Evidence links"),
]


def _action_line(action: dict) -> str:
    status = action_status_title(action["status"])
    if action.get("progress"):
        return _(
            "%(title)s (%(status)s): %(progress)s",
            title=action["title"],
            status=status,
            progress=action["progress"],
        )
    return _("%(title)s (%(status)s)", title=action["title"], status=status)


def round_rows(round_: ReportingRound) -> tuple[list[str], list[list]]:
    known = operations.indicators()
    header = [str(h) for h in ROUND_HEADER] + list(known.values())
    items = operations.commitments(round_.declaration)
    rows = []
    for report in sorted(round_.reports, key=lambda r: r.delegation.name):
        published = report.state != ReportState.draft
        for item in items:
            if item["key"] not in report.commitment_keys:
                continue
            entry = report.entry(item["key"]) if published else None
            status = overview.cell_status(report, item["key"])
            actions = "; ".join(_action_line(a) for a in (entry.actions_snapshot if entry else []))
            rows.append(
                [
                    report.delegation.name,
                    report.delegation.country_code or "",
                    round_.conference.group_label(report.delegation.group),
                    _report_state(report),
                    report.submitted_at.isoformat() if report.submitted_at else "",
                    item["number"],
                    item["title"],
                    overview.cell_label(status),
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
    _l("Round"),
    _l("Period start"),
    _l("Period end"),
    _l("Delegation"),
    _l("Country code"),
    _l("Group"),
    _l("Report state"),
    _l("Commitment"),
    _l("Commitment title"),
    _l("Indicator"),
    _l("Indicator label"),
    _l("Value"),
]


def figure_header() -> list[str]:
    return [str(h) for h in FIGURE_HEADER]


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
    return _csv(figure_header(), figure_rows(declaration))


def figures_xlsx(declaration: Declaration) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Figures")[:31]
    sheet.append(figure_header())
    for row in figure_rows(declaration):
        sheet.append([safe_cell(v) for v in row])
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def round_docx(
    round: ReportingRound | None = None, conference=None, language: str | None = None
) -> bytes:
    """The consolidated progress report of a round, as a Word document, in ``language`` (default:
    the current one).

    Built by the documents plugin's builder on the conference's template (header, footer with
    page numbers, properties), like every other document. Given only the ``conference`` (the
    conference documents page and API), the report is that of its latest round.
    """
    language = language or current_language()
    with force_locale(language):
        return _round_docx(round, conference, language)


def _round_docx(round: ReportingRound | None, conference, language: str) -> bytes:
    from plugins.documents import builder
    from plugins.documents import operations as documents_ops

    round_ = round if round is not None else operations.latest_round(conference)
    conference = round_.conference
    configured = documents_ops.document_language(conference)
    tag = configured if configured.split("-")[0].lower() == language else language
    name = _("Consolidated progress report")
    label = f"{name} {builder.DASH} {round_.title}"
    writer = builder.DocumentWriter(
        documents_ops.template_bytes(conference),
        conference,
        builder.Marking(draft=False, label=name),
        language=tag,
    )
    writer.paragraph(round_.title, "Title")
    writer.paragraph(
        _("Consolidated progress report on %(declaration)s", declaration=round_.declaration.title),
        "Subtitle",
        fallback=builder.NOTE_STYLE,
    )
    writer.paragraph(
        _(
            "Period covered %(start)s to %(end)s; deadline %(deadline)s.",
            start=format_date(round_.period_start, conference),
            end=format_date(round_.period_end, conference),
            deadline=format_date(round_.deadline, conference),
        )
    )
    if round_.coverage == "assumed":
        writer.paragraph(
            _(
                "No signature was recorded when this round was opened: every active delegation "
                "was asked to report on every commitment."
            )
        )
    reports = sorted(round_.reports, key=lambda r: builder.sort_name(r.delegation.name))
    submitted = [r for r in reports if r.state != ReportState.draft]
    late = sum(1 for r in reports if r.is_late)
    writer.paragraph(
        ngettext(
            "%(submitted)s of %(num)d report submitted; %(late)s late.",
            "%(submitted)s of %(num)d reports submitted; %(late)s late.",
            len(reports),
            submitted=len(submitted),
            late=late,
        )
    )
    items = operations.commitments(round_.declaration)
    writer.heading(_("Summary per commitment"), 1)
    rows = []
    for item in items:
        counts = dict.fromkeys(("achieved", "in_progress", "not_started", "not_reported"), 0)
        for report in reports:
            status = overview.cell_status(report, item["key"])
            if status in counts:
                counts[status] += 1
        rows.append([f"{item['number']}. {item['title']}", *(str(v) for v in counts.values())])
    writer.table(
        [
            _("Commitment"),
            overview.cell_label("achieved"),
            overview.cell_label("in_progress"),
            overview.cell_label("not_started"),
            overview.cell_label("not_reported"),
        ],
        rows or [[_("No commitment."), "", "", "", ""]],
        widths_cm=[6.8, 2.3, 2.3, 2.3, 2.3],
    )
    known = operations.indicators()
    writer.heading(_("Reports"), 1)
    for report in reports:
        writer.heading(report.delegation.name, 2)
        writer.paragraph(_("State: %(state)s", state=_report_state(report)))
        if report.state == ReportState.draft:
            continue
        for item in items:
            if item["key"] not in report.commitment_keys:
                continue
            entry = report.entry(item["key"])
            status = overview.cell_status(report, item["key"])
            writer.heading(
                _(
                    "%(number)s. %(title)s: %(status)s",
                    number=item["number"],
                    title=item["title"],
                    status=overview.cell_label(status),
                ),
                3,
            )
            if entry is None:
                continue
            if entry.narrative:
                writer.paragraph(entry.narrative)
            for action in entry.actions_snapshot or []:
                writer.paragraph(_action_line(action), "List Bullet")
            for figure in entry.figures:
                writer.paragraph(
                    _(
                        "%(indicator)s: %(value)s",
                        indicator=known.get(figure.indicator, figure.indicator),
                        value=figure.value,
                    )
                )
            for link in entry.evidence_links or []:
                writer.paragraph(_("Evidence: %(link)s", link=link))
    builder.set_properties(
        writer,
        title=label,
        subject=f"{round_.declaration.title}, {conference.title}",
        author=documents_ops.organisation(conference),
        created=round_.created_at,
        revision=1,
        category=name,
    )
    return writer.save()
