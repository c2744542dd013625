from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_login import current_user

from alliance_conf.auth.access import login_required, roles_required
from alliance_conf.auth.models import UserRole
from alliance_conf.badges import operations, pdf
from alliance_conf.badges.forms import CheckInForm, IssueForm, PrintForm, RevokeForm
from alliance_conf.conferences.operations import get_conference
from alliance_conf.core.errors import NotFound
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.forms import form_action
from alliance_conf.i18n import _, ngettext
from alliance_conf.registrations.models import Registration

# Web page status per scan outcome: the page always shows the facts; the status tells tools.
SCAN_STATUS = {
    operations.Outcome.checked_in: 200,
    operations.Outcome.already_checked_in: 409,
    operations.Outcome.revoked: 409,
    operations.Outcome.not_approved: 409,
    operations.Outcome.unknown: 404,
}


def _delegation(conference, delegation_id: int) -> Delegation:
    delegation = db.session.get(Delegation, delegation_id)
    if delegation is None or delegation.conference_id != conference.id:
        abort(404)
    return delegation


def _pdf_response(data: bytes, name: str):
    return send_file(
        io.BytesIO(data), mimetype="application/pdf", as_attachment=True, download_name=name
    )


@roles_required(UserRole.organiser)
def index(slug: str):
    """Every delegation with approved delegates: badges issued, arrivals, batch printing."""
    conference = get_conference(slug)
    return render_template(
        "badges/index.html",
        conference=conference,
        rows=operations.delegation_overview(conference),
        counts=operations.checkin_counts(conference),
        form=PrintForm(),
    )


@roles_required(UserRole.organiser)
def issue_missing(slug: str):
    conference = get_conference(slug)
    form = PrintForm()
    if not form.validate_on_submit():
        abort(400)
    with form_action() as done:
        issued = operations.issue_missing(conference, actor=current_user)
    if done:
        flash(ngettext("%(num)d badge issued.", "%(num)d badges issued.", issued), "success")
    else:
        flash(done.error.message, "error")
    return redirect(url_for("badges.index", slug=slug))


@roles_required(UserRole.organiser)
def delegation(slug: str, delegation_id: int):
    """A delegation's approved members: their badge, arrival, and what organisers can do."""
    conference = get_conference(slug)
    found = _delegation(conference, delegation_id)
    return render_template(
        "badges/delegation.html",
        conference=conference,
        delegation=found,
        members=operations.delegation_members(found),
        issue_form=IssueForm(),
        revoke_form=RevokeForm(),
        form=PrintForm(),
    )


@roles_required(UserRole.organiser)
def print_delegation(slug: str, delegation_id: int):
    """One PDF of the delegation's badges, one per page, prepared in the background."""
    conference = get_conference(slug)
    found = _delegation(conference, delegation_id)
    form = PrintForm()
    if not form.validate_on_submit():
        abort(400)
    with form_action() as done:
        job = pdf.start_delegation_print(found, actor=current_user)
    if not done:
        flash(done.error.message, "error")
        return redirect(url_for("badges.delegation", slug=slug, delegation_id=delegation_id))
    return redirect(url_for("jobs.show", job_id=job.id))


@roles_required(UserRole.organiser)
def issue(slug: str, registration_id: int):
    """Issue a badge (or a new one, which revokes the old) to an approved registration."""
    conference = get_conference(slug)
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.conference_id != conference.id:
        abort(404)
    form = IssueForm()
    if not form.validate_on_submit():
        abort(400)
    excellency = {"yes": True, "no": False}.get(form.excellency.data)
    with form_action() as done:
        operations.issue_badge(registration, actor=current_user, excellency=excellency)
    if done:
        flash(_("Badge issued to %(name)s.", name=registration.user.full_name), "success")
    else:
        flash(done.error.message, "error")
    return redirect(
        url_for("badges.delegation", slug=slug, delegation_id=registration.delegation_id)
    )


@roles_required(UserRole.organiser)
def revoke(slug: str, badge_id: int):
    conference = get_conference(slug)
    badge = operations.get_badge(badge_id, conference)
    form = RevokeForm()
    if form.validate_on_submit():
        with form_action(form) as done:
            operations.revoke_badge(badge, actor=current_user, reason=form.reason.data)
        if done:
            flash(
                _("The badge of %(name)s is revoked.", name=badge.registration.user.full_name),
                "success",
            )
            return redirect(
                url_for("badges.delegation", slug=slug, delegation_id=badge.delegation_id)
            )
    for errors in form.errors.values():
        flash(" ".join(errors), "error")
    return redirect(url_for("badges.delegation", slug=slug, delegation_id=badge.delegation_id))


@roles_required(UserRole.organiser)
def download(slug: str, badge_id: int):
    """One badge as PDF (organisers; a delegate downloads theirs at ``own``)."""
    conference = get_conference(slug)
    badge = operations.get_badge(badge_id, conference)
    if badge.revoked:
        abort(404)
    return _pdf_response(pdf.render([badge]), pdf.badge_filename(badge))


@login_required
def own(slug: str):
    """The signed-in delegate's own valid badge, as PDF."""
    conference = get_conference(slug)
    badge = operations.own_badge(current_user, conference)
    if badge is None:
        raise NotFound(_("You have no badge for this conference yet."))
    return _pdf_response(pdf.render([badge]), pdf.badge_filename(badge))


@roles_required(UserRole.organiser, UserRole.staff)
def checkin(slug: str):
    """The door: scan (camera, handheld scanner) or type a badge's code; one arrival each."""
    conference = get_conference(slug)
    form = CheckInForm()
    scan = None
    status = 200
    if form.validate_on_submit():
        with form_action(form) as done:
            scan = operations.check_in(
                conference, form.code.data, actor=current_user, door=form.door.data or ""
            )
        if done:
            status = SCAN_STATUS[scan.outcome]
            door = form.door.data
            form = CheckInForm(formdata=None)  # an empty field, ready for the next badge
            form.door.data = door
    elif form.is_submitted():
        status = 422
    page = render_template(
        "badges/checkin.html",
        conference=conference,
        form=form,
        scan=scan,
        counts=operations.checkin_counts(conference),
    )
    return page, status
