"""The reporting API: the same operations as the pages, as JSON.

A delegation sees and edits only its own reports and actions; organisers and staff read
everything; only organisers open rounds, review, send back and remind.
"""

from __future__ import annotations

from alliance_conf.api.framework import ApiBlueprint, api_user
from alliance_conf.auth.access import is_organiser, is_team, membership
from alliance_conf.auth.models import UserRole
from alliance_conf.core.errors import PermissionDenied
from alliance_conf.declarations.models import Declaration
from alliance_conf.declarations.operations import get_declaration
from alliance_conf.extensions import db
from alliance_conf.i18n import _
from plugins.reporting import access, actions, operations, overview, reports, rounds
from plugins.reporting.models import NationalAction, Report, ReportingRound, ReportState
from plugins.reporting.schemas import (
    ActionIn,
    ActionOut,
    ActionPatchIn,
    ActionQuery,
    MatrixOut,
    MatrixQuery,
    ReportCreateIn,
    ReportIn,
    ReportOut,
    ReturnIn,
    ReviewIn,
    RoundIn,
    RoundOut,
    RoundReminderOut,
)

api = ApiBlueprint("reporting_api", __name__)
ORGANISERS = [UserRole.organiser]
TEAM = [UserRole.organiser, UserRole.staff]


def _declaration(declaration_id: int) -> Declaration:
    declaration = get_declaration(declaration_id)
    access.require_see_reporting(declaration, api_user())
    return declaration


def _acting_member(declaration: Declaration):
    """The caller's registration, when they may act for their delegation at this conference."""
    registration = membership(api_user(), declaration.conference_id)
    if registration is None:
        raise PermissionDenied(_("Only members of a delegation record national actions."))
    access.require_act_for(api_user(), registration.delegation)
    return registration


def _acting_on_report(report_id: int) -> None:
    report = operations.get_report(report_id, api_user())
    access.require_act_for(api_user(), report.delegation)


def _round(round_id: int) -> ReportingRound:
    round_ = operations.get_round(round_id)
    _declaration(round_.declaration_id)
    return round_


def round_out(round_: ReportingRound) -> dict:
    reports = round_.reports
    return {
        "id": round_.id,
        "declaration_id": round_.declaration_id,
        "title": round_.title,
        "period_start": round_.period_start,
        "period_end": round_.period_end,
        "deadline": round_.deadline,
        "coverage": round_.coverage,
        "reports": len(reports),
        "submitted": sum(1 for r in reports if r.state != ReportState.draft),
        "reviewed": sum(1 for r in reports if r.state == ReportState.reviewed),
        "late": sum(1 for r in reports if r.is_late),
        "created_at": round_.created_at,
    }


def report_out(report: Report) -> dict:
    items = {c["key"]: c for c in operations.commitments(report.round.declaration)}
    locked = report.state != ReportState.draft
    actions = operations.actions_of(report.round.declaration, report.delegation_id)
    entries = []
    for key in report.commitment_keys:
        entry = report.entry(key)
        item = items.get(key, {"number": None, "title": ""})
        progress = (entry.action_progress or {}) if entry else {}
        if locked and entry is not None:
            listed = entry.actions_snapshot or []
        else:
            listed = [
                {
                    "id": a.id,
                    "title": a.title,
                    "lead_agency": a.lead_agency,
                    "status": a.status.value,
                    "target_date": a.target_date.isoformat() if a.target_date else None,
                    "progress": progress.get(str(a.id), ""),
                }
                for a in actions
                if a.commitment_key == key
            ]
        entries.append(
            {
                "commitment_key": key,
                "commitment_number": item["number"],
                "commitment_title": item["title"],
                "status": entry.status.value if entry else "not_started",
                "narrative": entry.narrative if entry else "",
                "figures": {f.indicator: f.value for f in entry.figures} if entry else {},
                "evidence_links": list(entry.evidence_links or []) if entry else [],
                "action_progress": progress,
                "actions": listed,
            }
        )
    return {
        "id": report.id,
        "round_id": report.round_id,
        "delegation_id": report.delegation_id,
        "delegation_name": report.delegation.name,
        "state": report.state.value,
        "late": report.is_late,
        "commitment_keys": list(report.commitment_keys),
        "submitted_at": report.submitted_at,
        "reviewed_at": report.reviewed_at,
        "review_comment": report.review_comment,
        "entries": entries,
    }


# --- rounds ------------------------------------------------------------------------------------


@api.endpoint(
    "/declarations/<int:declaration_id>/reporting/rounds",
    "GET",
    summary="Reporting rounds of a declaration",
    response=list[RoundOut],
    roles=(),
)
def list_rounds(declaration_id: int):
    """Organisers, staff and approved members of the conference's delegations."""
    return [round_out(r) for r in operations.rounds_of(_declaration(declaration_id))]


@api.endpoint(
    "/declarations/<int:declaration_id>/reporting/rounds",
    "POST",
    summary="Open a reporting round",
    body=RoundIn,
    response=RoundOut,
    roles=ORGANISERS,
)
def create_round(declaration_id: int, body: RoundIn):
    """Each covered delegation gets a draft report. The deadline must not be before the end of
    the period covered."""
    round_ = rounds.open_round(
        get_declaration(declaration_id),
        title=body.title,
        period_start=body.period_start,
        period_end=body.period_end,
        deadline=body.deadline,
        actor=api_user(),
    )
    db.session.commit()
    return round_out(round_), 201


@api.endpoint(
    "/reporting/rounds/<int:round_id>", "GET", summary="A reporting round", response=RoundOut
)
def get_round(round_id: int):
    return round_out(_round(round_id))


@api.endpoint(
    "/reporting/rounds/<int:round_id>/matrix",
    "GET",
    summary="Status matrix (delegations by commitments) of a round",
    query=MatrixQuery,
    response=MatrixOut,
    roles=TEAM,
)
def get_matrix(round_id: int, query: MatrixQuery):
    """Cells: achieved, in_progress, not_started (from submitted or reviewed reports),
    not_reported (draft) or not_endorsed."""
    round_ = operations.get_round(round_id)
    data = overview.matrix(round_, query.group)
    return {
        "round_id": round_.id,
        "group": query.group,
        "commitments": [
            {"key": c["key"], "number": c["number"], "title": c["title"]}
            for c in data["commitments"]
        ],
        "rows": [
            {
                "delegation_id": row["delegation"].id,
                "delegation_name": row["delegation"].name,
                "group": row["delegation"].group,
                "report_id": row["report"].id,
                "report_state": row["report"].state.value,
                "late": row["report"].is_late,
                "cells": [
                    {
                        "commitment_key": c["key"],
                        "status": status,
                        "label": overview.cell_label(status),
                    }
                    for c, status in zip(data["commitments"], row["cells"], strict=True)
                ],
            }
            for row in data["rows"]
        ],
    }


@api.endpoint(
    "/reporting/rounds/<int:round_id>/reminders",
    "POST",
    summary="Send the reminders due for a round",
    response=RoundReminderOut,
    roles=ORGANISERS,
    status=200,
    operation_id="send_report_reminders",
)
def remind(round_id: int):
    """Reports due soon or overdue are reminded, at most once a day per report."""
    result = rounds.send_reminders([operations.get_round(round_id)], actor=api_user())
    db.session.commit()
    return {
        "sent": len(result.sent),
        "skipped_recent": result.skipped_recent,
        "skipped_no_address": result.skipped_no_address,
    }


# --- reports -----------------------------------------------------------------------------------


@api.endpoint(
    "/reporting/rounds/<int:round_id>/reports",
    "GET",
    summary="Reports of a round you may see",
    response=list[ReportOut],
)
def list_reports(round_id: int):
    """Organisers and staff see every report; a delegate sees only their delegation's."""
    round_ = _round(round_id)
    reports = db.session.scalars(operations.visible_reports(round_, api_user())).all()
    return [report_out(r) for r in reports]


@api.endpoint(
    "/reporting/rounds/<int:round_id>/reports",
    "POST",
    summary="Add a delegation's report to a round",
    body=ReportCreateIn,
    response=ReportOut,
)
def create_report(round_id: int, body: ReportCreateIn):
    """For a delegation that signed after the round was opened. Authorised members create their
    own delegation's; organisers name ``delegation_id``."""
    round_ = _round(round_id)
    user = api_user()
    if body.delegation_id is not None and is_organiser(user):
        delegation = operations.get_delegation(round_.declaration, body.delegation_id)
    else:
        registration = membership(user, round_.conference_id)
        if registration is None:
            raise PermissionDenied(_("Only members of a delegation can create its report."))
        if body.delegation_id not in (None, registration.delegation_id):
            raise PermissionDenied(_("You can only create your own delegation's report."))
        delegation = registration.delegation
    report = rounds.create_report(round_, delegation, actor=user)
    db.session.commit()
    return report_out(report), 201


@api.endpoint("/reporting/reports/<int:report_id>", "GET", summary="A report", response=ReportOut)
def get_report(report_id: int):
    return report_out(operations.get_report(report_id, api_user()))


@api.endpoint(
    "/reporting/reports/<int:report_id>",
    "PUT",
    summary="Update a draft report",
    authorise=lambda report_id: _acting_on_report(report_id),
    body=ReportIn,
    response=ReportOut,
)
def update_report(report_id: int, body: ReportIn):
    """Writes the entries given (keyed by commitment); only endorsed commitments, only while
    the report is a draft, only by an authorised member of its delegation. All or nothing."""
    report = operations.get_report(report_id, api_user())
    entries = {
        key: reports.EntryData(
            status=entry.status,
            narrative=entry.narrative,
            figures=dict(entry.figures),
            evidence_links=list(entry.evidence_links),
            action_progress=dict(entry.action_progress),
        )
        for key, entry in body.entries.items()
    }
    reports.save_report(report, entries, actor=api_user())
    db.session.commit()
    return report_out(report)


@api.endpoint(
    "/reporting/reports/<int:report_id>/submit",
    "POST",
    summary="Submit a report (it is locked)",
    response=ReportOut,
    status=200,
)
def submit_report(report_id: int):
    report = operations.get_report(report_id, api_user())
    reports.submit_report(report, actor=api_user())
    db.session.commit()
    return report_out(report)


@api.endpoint(
    "/reporting/reports/<int:report_id>/review",
    "POST",
    summary="Mark a submitted report as reviewed",
    body=ReviewIn,
    response=ReportOut,
    roles=ORGANISERS,
    status=200,
)
def review_report(report_id: int, body: ReviewIn):
    report = operations.get_report(report_id, api_user())
    reports.review_report(report, comment=body.comment, actor=api_user())
    db.session.commit()
    return report_out(report)


@api.endpoint(
    "/reporting/reports/<int:report_id>/return",
    "POST",
    summary="Send a submitted report back to draft with a comment",
    body=ReturnIn,
    response=ReportOut,
    roles=ORGANISERS,
    status=200,
)
def return_report(report_id: int, body: ReturnIn):
    report = operations.get_report(report_id, api_user())
    reports.return_report(report, comment=body.comment, actor=api_user())
    db.session.commit()
    return report_out(report)


# --- national actions --------------------------------------------------------------------------


@api.endpoint(
    "/declarations/<int:declaration_id>/reporting/actions",
    "GET",
    summary="National actions of a delegation",
    query=ActionQuery,
    response=list[ActionOut],
)
def list_actions(declaration_id: int, query: ActionQuery):
    """Your delegation's actions; organisers and staff name ``delegation_id`` (else all)."""
    declaration = _declaration(declaration_id)
    user = api_user()
    if is_team(user):
        statement = db.select(NationalAction).where(NationalAction.declaration_id == declaration.id)
        if query.delegation_id is not None:
            statement = statement.where(NationalAction.delegation_id == query.delegation_id)
        return db.session.scalars(statement.order_by(NationalAction.id)).all()
    registration = membership(user, declaration.conference_id)
    if query.delegation_id not in (None, registration.delegation_id):
        raise PermissionDenied(_("You can only see your own delegation's national actions."))
    return operations.actions_of(declaration, registration.delegation_id)


@api.endpoint(
    "/declarations/<int:declaration_id>/reporting/actions",
    "POST",
    summary="Record a national action",
    authorise=lambda declaration_id: _acting_member(_declaration(declaration_id)),
    body=ActionIn,
    response=ActionOut,
)
def create_action(declaration_id: int, body: ActionIn):
    """Authorised members of a delegation, for a commitment it endorsed."""
    declaration = _declaration(declaration_id)
    registration = membership(api_user(), declaration.conference_id)
    if registration is None:
        raise PermissionDenied(_("Only members of a delegation record national actions."))
    action = actions.create_action(
        declaration,
        registration.delegation,
        actions.ActionData(**body.model_dump()),
        actor=api_user(),
    )
    db.session.commit()
    return action, 201


@api.endpoint(
    "/reporting/actions/<int:action_id>",
    "PATCH",
    summary="Update a national action",
    body=ActionPatchIn,
    response=ActionOut,
    authorise=lambda action_id: access.require_act_for(
        api_user(), operations.get_action(action_id, api_user()).delegation
    ),
)
def update_action(action_id: int, body: ActionPatchIn):
    action = operations.get_action(action_id, api_user())
    changes = body.model_dump(exclude_unset=True)
    current = {
        "commitment_key": action.commitment_key,
        "title": action.title,
        "description": action.description,
        "lead_agency": action.lead_agency,
        "target_date": action.target_date,
        "status": action.status.value,
    }
    current.update({k: v for k, v in changes.items() if v is not None or k == "target_date"})
    actions.update_action(action, actions.ActionData(**current), actor=api_user())
    db.session.commit()
    return action
