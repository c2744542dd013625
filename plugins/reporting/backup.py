"""The reporting plugin's part of a conference backup: national actions, rounds, reports, their
entries and figures (ids kept into an empty database, so an entry's progress per action still
names the right action)."""

from __future__ import annotations

import sqlalchemy as sa

from alliance_conf.backup.serialise import IdMap, dump_rows, load_rows
from alliance_conf.declarations.models import Declaration
from alliance_conf.extensions import db
from plugins.reporting.models import (
    NationalAction,
    Report,
    ReportEntry,
    ReportFigure,
    ReportingRound,
)


def _ordered(statement, model):
    return dump_rows(db.session.scalars(statement.order_by(model.id)).all())


def export_section(conference) -> dict:
    declaration_ids = sa.select(Declaration.id).where(Declaration.conference_id == conference.id)
    round_ids = sa.select(ReportingRound.id).where(ReportingRound.conference_id == conference.id)
    report_ids = sa.select(Report.id).where(Report.round_id.in_(round_ids))
    entry_ids = sa.select(ReportEntry.id).where(ReportEntry.report_id.in_(report_ids))
    return {
        "national_actions": _ordered(
            sa.select(NationalAction).where(NationalAction.declaration_id.in_(declaration_ids)),
            NationalAction,
        ),
        "rounds": _ordered(
            sa.select(ReportingRound).where(ReportingRound.conference_id == conference.id),
            ReportingRound,
        ),
        "reports": _ordered(sa.select(Report).where(Report.round_id.in_(round_ids)), Report),
        "entries": _ordered(
            sa.select(ReportEntry).where(ReportEntry.report_id.in_(report_ids)), ReportEntry
        ),
        "figures": _ordered(
            sa.select(ReportFigure).where(ReportFigure.entry_id.in_(entry_ids)), ReportFigure
        ),
    }


def import_section(data: dict, id_map: IdMap) -> None:
    load_rows(NationalAction, data.get("national_actions", []), id_map)
    load_rows(ReportingRound, data.get("rounds", []), id_map)
    load_rows(Report, data.get("reports", []), id_map)
    load_rows(ReportEntry, data.get("entries", []), id_map)
    load_rows(ReportFigure, data.get("figures", []), id_map)
