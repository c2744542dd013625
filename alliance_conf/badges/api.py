from __future__ import annotations

import io
import math

import sqlalchemy as sa
from flask import send_file

from alliance_conf.api.framework import ApiBlueprint, api_user
from alliance_conf.auth.models import User, UserRole
from alliance_conf.badges import operations, pdf
from alliance_conf.badges.models import Badge, CheckIn
from alliance_conf.badges.schemas import (
    BadgeOut,
    BadgePage,
    BadgeQuery,
    CheckInCountsOut,
    CheckInIn,
    CheckInOut,
    IssuedOut,
    IssueIn,
    IssueMissingIn,
    PrintJobIn,
    RevokeIn,
)
from alliance_conf.conferences.operations import get_conference
from alliance_conf.core.errors import AllianceError, NotFound
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.i18n import _
from alliance_conf.jobs.api import JobOut, job_out
from alliance_conf.registrations.models import Registration

api = ApiBlueprint("badges_api", __name__)


class ScanRefused(AllianceError):
    """A scan that records nothing: the ``code`` says why (the page shows it loudly)."""

    status = 409

    def __init__(self, scan: operations.Scan):
        super().__init__(scan.message)
        self.code = scan.outcome
        if scan.outcome == operations.Outcome.unknown:
            self.status = 404


def _badge_out(badge: Badge, checked_in_at=None) -> dict:
    registration = badge.registration
    return {
        "id": badge.id,
        "registration_id": badge.registration_id,
        "delegation_id": badge.delegation_id,
        "full_name": registration.user.full_name,
        "position": registration.position or "",
        "excellency": badge.excellency,
        "issued_at": badge.issued_at,
        "revoked_at": badge.revoked_at,
        "revocation_reason": badge.revocation_reason,
        "checked_in_at": checked_in_at,
        "qr": None if badge.revoked else operations.qr_text(badge),
    }


def _delegation(conference, delegation_id: int) -> Delegation:
    delegation = db.session.get(Delegation, delegation_id)
    if delegation is None or delegation.conference_id != conference.id:
        raise NotFound(_("There is no delegation %(id)s here.", id=delegation_id))
    return delegation


@api.endpoint(
    "/conferences/<slug>/badges",
    "GET",
    roles=[UserRole.organiser],
    query=BadgeQuery,
    response=BadgePage,
    summary="The conference's badges (valid ones, or all), by delegation and name",
)
def list_badges(slug: str, query: BadgeQuery):
    conference = get_conference(slug)
    statement = (
        sa.select(Badge, CheckIn.checked_in_at)
        .join(Registration, Registration.id == Badge.registration_id)
        .join(User, User.id == Registration.user_id)
        .outerjoin(CheckIn, CheckIn.badge_id == Badge.id)
        .where(Badge.conference_id == conference.id)
    )
    if query.delegation_id is not None:
        statement = statement.where(Badge.delegation_id == query.delegation_id)
    if not query.include_revoked:
        statement = statement.where(Badge.revoked_at.is_(None))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(statement.subquery()))
    rows = db.session.execute(
        statement.order_by(Badge.delegation_id, User.full_name, Badge.id)
        .limit(query.per_page)
        .offset((query.page - 1) * query.per_page)
    ).all()
    return {
        "items": [_badge_out(badge, at) for badge, at in rows],
        "page": query.page,
        "per_page": query.per_page,
        "total": total,
        "pages": math.ceil(total / query.per_page) if total else 0,
    }


@api.endpoint(
    "/conferences/<slug>/badges",
    "POST",
    roles=[UserRole.organiser],
    body=IssueIn,
    response=BadgeOut,
    summary="Issue a badge to an approved registration (a new one revokes the old)",
)
def issue_badge(slug: str, body: IssueIn):
    conference = get_conference(slug)
    registration = db.session.get(Registration, body.registration_id)
    if registration is None or registration.conference_id != conference.id:
        raise NotFound(_("There is no registration %(id)s here.", id=body.registration_id))
    badge = operations.issue_badge(registration, actor=api_user(), excellency=body.excellency)
    db.session.commit()
    return _badge_out(badge), 201


@api.endpoint(
    "/conferences/<slug>/badges/issue-missing",
    "POST",
    roles=[UserRole.organiser],
    body=IssueMissingIn,
    response=IssuedOut,
    summary="Issue a badge to every approved registration without one",
)
def issue_missing_badges(slug: str, body: IssueMissingIn):
    conference = get_conference(slug)
    delegation = None
    if body.delegation_id is not None:
        delegation = _delegation(conference, body.delegation_id)
    issued = operations.issue_missing(conference, actor=api_user(), delegation=delegation)
    db.session.commit()
    return {"issued": issued}, 201


@api.endpoint(
    "/badges/<int:badge_id>",
    "GET",
    roles=[],
    response=BadgeOut,
    summary="A badge (organisers; a delegate their own)",
)
def get_badge(badge_id: int):
    badge = operations.badge_for_viewer(badge_id, api_user())
    arrived = db.session.scalar(
        sa.select(CheckIn.checked_in_at).where(CheckIn.badge_id == badge.id)
    )
    return _badge_out(badge, arrived)


@api.endpoint(
    "/badges/<int:badge_id>/pdf",
    "GET",
    roles=[],
    summary="A valid badge as PDF, A6 (organisers; a delegate their own)",
    content_type="application/pdf",
)
def download_badge(badge_id: int):
    badge = operations.badge_for_viewer(badge_id, api_user())
    if badge.revoked:
        raise NotFound(_("This badge is revoked."))
    return send_file(
        io.BytesIO(pdf.render([badge])),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=pdf.badge_filename(badge),
    )


@api.endpoint(
    "/badges/<int:badge_id>/revoke",
    "POST",
    roles=[UserRole.organiser],
    body=RevokeIn,
    response=BadgeOut,
    status=200,
    summary="Revoke a badge: its QR code is refused at the door from now on",
)
def revoke_badge(badge_id: int, body: RevokeIn):
    badge = operations.get_badge(badge_id)
    operations.revoke_badge(badge, actor=api_user(), reason=body.reason)
    db.session.commit()
    return _badge_out(badge)


@api.endpoint(
    "/conferences/<slug>/badges/print-jobs",
    "POST",
    roles=[UserRole.organiser],
    body=PrintJobIn,
    response=JobOut,
    status=202,
    summary="Print a delegation's badges as one PDF (one per page) in the background",
)
def start_badge_print(slug: str, body: PrintJobIn):
    """Follow the job at ``GET /api/v1/jobs/<id>``; its ``download_url`` appears when done."""
    conference = get_conference(slug)
    delegation = _delegation(conference, body.delegation_id)
    job = pdf.start_delegation_print(delegation, actor=api_user(), language=body.language)
    db.session.commit()
    return job_out(job), 202


@api.endpoint(
    "/conferences/<slug>/check-ins",
    "POST",
    roles=[UserRole.organiser, UserRole.staff],
    body=CheckInIn,
    response=CheckInOut,
    summary="Check a badge in at the door from its scanned QR code (once per badge)",
)
def check_in(slug: str, body: CheckInIn):
    """201 with the badge's facts when recorded. Refused, nothing recorded: 409
    ``already_checked_in`` (the message tells when), ``badge_revoked``,
    ``registration_not_approved``; 404 ``unknown_badge`` (a forged, mistyped or foreign code)."""
    conference = get_conference(slug)
    scan = operations.check_in(conference, body.code, actor=api_user(), door=body.door)
    if not scan.ok:
        db.session.rollback()
        raise ScanRefused(scan)
    db.session.commit()
    return {
        "outcome": scan.outcome,
        "message": scan.message,
        "badge_id": scan.badge_id,
        "full_name": scan.full_name,
        "position": scan.position,
        "excellency": scan.excellency,
        "delegation": scan.delegation,
        "group": scan.group,
        "checked_in_at": scan.checked_in_at,
    }, 201


@api.endpoint(
    "/conferences/<slug>/check-ins/counts",
    "GET",
    roles=[UserRole.organiser, UserRole.staff],
    response=CheckInCountsOut,
    summary="Valid badges and arrivals, in all and per delegation group",
)
def get_check_in_counts(slug: str):
    counts = operations.checkin_counts(get_conference(slug))
    return {
        "badges": counts.badges,
        "checked_in": counts.checked_in,
        "by_group": {
            group: {"badges": badges, "checked_in": arrived}
            for group, (badges, arrived) in counts.by_group.items()
        },
    }
