"""The overview of a round (a status per delegation and commitment) and the progress
series across rounds."""

from __future__ import annotations

import sqlalchemy as sa

from alliance_conf.declarations.models import Declaration
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.i18n import _l
from plugins.reporting.models import (
    CommitmentStatus,
    Report,
    ReportingRound,
    ReportState,
)
from plugins.reporting.operations import commitments, rounds_of

# --- overview --------------------------------------------------------------------------------


def cell_status(report: Report | None, key: str) -> str:
    """What the matrix shows for one delegation and commitment."""
    if report is None or key not in report.commitment_keys:
        return "not_endorsed"
    if report.state == ReportState.draft:
        return "not_reported"
    entry = report.entry(key)
    return entry.status.value if entry is not None else CommitmentStatus.not_started.value


CELL_LABELS = {
    "achieved": (_l("Achieved"), "●"),
    "in_progress": (_l("In progress"), "◐"),
    "not_started": (_l("Not started"), "○"),
    "not_reported": (_l("Not reported"), "?"),
    "not_endorsed": (_l("Not endorsed"), "\u2013"),
}


def cell_labels() -> dict[str, tuple[str, str]]:
    """The matrix's labels and symbols in the current language."""
    return {status: (str(label), symbol) for status, (label, symbol) in CELL_LABELS.items()}


def cell_label(status: str) -> str:
    return str(CELL_LABELS[status][0])


def matrix(round_: ReportingRound, group: str | None = None) -> dict:
    items = commitments(round_.declaration)
    statement = (
        sa.select(Report)
        .join(Delegation, Delegation.id == Report.delegation_id)
        .where(Report.round_id == round_.id)
        .order_by(Delegation.name)
    )
    if group:
        statement = statement.where(Delegation.group == group)
    rows = []
    for report in db.session.scalars(statement):
        rows.append(
            {
                "report": report,
                "delegation": report.delegation,
                "cells": [cell_status(report, c["key"]) for c in items],
            }
        )
    return {"commitments": items, "rows": rows}


def progress_series(declaration: Declaration) -> dict:
    """Per commitment and round, how many covered delegations report each status."""
    rounds = rounds_of(declaration)
    items = commitments(declaration)
    series = []
    for item in items:
        points = []
        for round_ in rounds:
            counts = dict.fromkeys(("achieved", "in_progress", "not_started", "not_reported"), 0)
            for report in round_.reports:
                status = cell_status(report, item["key"])
                if status in counts:
                    counts[status] += 1
            points.append({"round": round_, "counts": counts, "total": sum(counts.values())})
        series.append({"commitment": item, "points": points})
    return {"rounds": rounds, "series": series}
