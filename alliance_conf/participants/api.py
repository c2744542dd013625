from __future__ import annotations

from flask import jsonify
from pydantic import Field

from alliance_conf.api.framework import ApiBlueprint, ApiModel, api_user
from alliance_conf.auth.models import UserRole
from alliance_conf.conferences.operations import get_conference
from alliance_conf.extensions import db
from alliance_conf.jobs.api import JobOut, job_out
from alliance_conf.participants import exports, queries
from alliance_conf.participants.schemas import DashboardOut, RegistrationPage, RegistrationQuery

api = ApiBlueprint("participants_api", __name__)

ITEM_FIELDS = (
    "id",
    "full_name",
    "email",
    "delegation_id",
    "delegation_name",
    "delegation_group",
    "position",
    "organisation",
    "is_signatory",
    "consent_participant_list",
)


def _item(row, scope: queries.Scope) -> dict:
    item = {name: getattr(row, name) for name in ITEM_FIELDS}
    item["function"] = str(row.function)
    item["status"] = str(row.status)
    item["created_at"] = row.created_at.isoformat()
    if scope.needs:
        item["accessibility_needs"] = row.accessibility_needs
        item["dietary_needs"] = row.dietary_needs
    return item


@api.endpoint(
    "/conferences/<slug>/registrations",
    "GET",
    roles=[],
    query=RegistrationQuery,
    response=RegistrationPage,
    summary="The participant list: filters, search, sorting and pages",
)
def list_registrations(slug: str, query: RegistrationQuery):
    """Organisers, staff and admins see every registration; a delegate only those of their own
    delegation. Accessibility and dietary needs are included for organisers only. Walk the
    pages with ``next_cursor``/``prev_cursor`` (as ``after``/``before``): constant cost at any
    depth; ``page=N`` alone still works. Past 10,000 matching rows ``total`` stops counting
    (``total_exact`` is false)."""
    conference = get_conference(slug)
    scope = queries.viewer_scope(conference, api_user())
    filters = queries.ParticipantFilters(
        status=query.status,
        group=query.group,
        delegation_id=query.delegation_id,
        function=query.function,
        q=query.q or "",
        sort=query.sort,
        direction=query.direction,
        page=query.page,
        per_page=query.per_page or queries.DEFAULT_PER_PAGE,
        after=query.after,
        before=query.before,
    )
    page = queries.participant_page(conference, scope, filters)
    return jsonify(
        {
            "items": [_item(row, scope) for row in page.items],
            "page": page.page,
            "per_page": page.per_page,
            "total": page.total,
            "pages": page.pages,
            "total_exact": page.total_exact,
            "next_cursor": page.next_cursor,
            "prev_cursor": page.prev_cursor,
        }
    )


@api.endpoint(
    "/conferences/<slug>/dashboard",
    "GET",
    roles=[UserRole.organiser],
    response=DashboardOut,
    summary="Accreditation counts by status and group; delegations lacking delegates",
)
def get_dashboard(slug: str):
    conference = get_conference(slug)
    return queries.dashboard(conference).as_dict(conference)


class ExportJobIn(ApiModel):
    list: str = Field("published", pattern="^(published|full)$")


@api.endpoint(
    "/conferences/<slug>/participants/export-jobs",
    "POST",
    roles=[UserRole.organiser, UserRole.staff],
    body=ExportJobIn,
    response=JobOut,
    status=202,
    summary="Prepare the participant list as XLSX in the background",
)
def start_export_job(slug: str, body: ExportJobIn):
    """Follow the job at ``GET /api/v1/jobs/<id>``; its ``download_url`` appears when done.
    The full list: organisers only."""
    conference = get_conference(slug)
    job = exports.start_xlsx_export(conference, body.list, actor=api_user())
    db.session.commit()
    return job_out(job), 202
