from __future__ import annotations

from flask import (
    Response,
    abort,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm

from alliance_conf.auth.access import login_required, roles_required
from alliance_conf.auth.models import UserRole
from alliance_conf.badges.operations import checkin_counts
from alliance_conf.conferences.operations import get_conference
from alliance_conf.core.csvfile import csv_template
from alliance_conf.core.errors import ValidationFailed
from alliance_conf.delegations.countries import delegation_name, sort_key
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.forms import import_page
from alliance_conf.i18n import _, current_language
from alliance_conf.participants import charts, exports, queries
from alliance_conf.participants.forms import ParticipantImportForm
from alliance_conf.participants.imports import import_participants
from alliance_conf.registrations.models import DelegateFunction, RegistrationStatus

MAX_DELEGATIONS_IN_SELECT = 300


def filters_from_args(args) -> queries.ParticipantFilters:
    def integer(name, default=None):
        value = args.get(name)
        if value in (None, ""):
            return default
        try:
            return int(value)
        except ValueError:
            raise ValidationFailed(
                _("%(name)s must be a number.", name=name), {name: _("A number.")}
            ) from None

    return queries.ParticipantFilters(
        status=args.get("status") or None,
        group=args.get("group") or None,
        delegation_id=integer("delegation_id"),
        function=args.get("function") or None,
        q=args.get("q") or "",
        sort=args.get("sort") or "name",
        direction=args.get("direction") or "asc",
        page=integer("page", 1),
        per_page=integer("per_page", queries.DEFAULT_PER_PAGE),
        after=(args.get("after") or None),
        before=(args.get("before") or None),
    ).check()


@login_required
def index(slug: str):
    """Organisers, staff and admins see everyone; a delegate only their own delegation."""
    conference = get_conference(slug)
    scope = queries.viewer_scope(conference, current_user)
    filters = filters_from_args(request.args)
    page = queries.participant_page(conference, scope, filters)
    choices = []
    own_delegation = None
    if scope.delegation_id is None:
        choices = queries.delegation_choices(conference, limit=MAX_DELEGATIONS_IN_SELECT)
    else:
        own_delegation = db.session.get(Delegation, scope.delegation_id)
    return render_template(
        "participants/index.html",
        conference=conference,
        scope=scope,
        filters=filters,
        page=page,
        delegation_choices=choices,
        own_delegation=own_delegation,
        statuses=list(RegistrationStatus),
        functions=list(DelegateFunction),
        sorts=queries.SORTS,
        sort_labels={
            "name": _("Name"),
            "delegation": _("Delegation"),
            "status": _("Status"),
            "registered": _("Registered"),
        },
    )


@roles_required(UserRole.organiser, UserRole.staff)
def export(slug: str, fmt: str):
    """``?list=published`` (approved, consenting) for organisers and staff; ``?list=full``
    (every registration with its status and needs) for organisers only."""
    conference = get_conference(slug)
    which = request.args.get("list", "published")
    if which not in exports.LISTS:
        abort(400, _("list must be published or full"))
    if which == "full" and not current_user.has_role(UserRole.organiser):
        abort(403)
    filename = f"{conference.slug}-participants-{which}.{fmt}"
    rows = exports.export_rows(conference, which, language=current_language())
    if fmt == "csv":
        return Response(
            stream_with_context(exports.stream_csv(rows)),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    output = exports.build_xlsx(rows, title=exports.sheet_title(which))
    return send_file(
        output,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=filename,
    )


@roles_required(UserRole.organiser, UserRole.staff)
def export_job(slug: str):
    """Prepare the Excel list in the background (large conferences); its page shows progress."""
    conference = get_conference(slug)
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    job = exports.start_xlsx_export(
        conference,
        request.form.get("list", "published"),
        actor=current_user,
        language=current_language(),
    )
    db.session.commit()
    return redirect(url_for("jobs.show", job_id=job.id))


@roles_required(UserRole.organiser)
def import_template(slug: str):
    conference = get_conference(slug)
    return csv_template(
        f"{conference.slug}-participants.csv",
        ["delegation", "email", "full_name", "position", "organisation", "function", "consent"],
        ["EE", "kadri.tamm@mfa.example.ee", "Kadri Tamm", "Adviser", "", "adviser", "yes"],
    )


@roles_required(UserRole.organiser)
def import_csv(slug: str):
    conference = get_conference(slug)
    form = ParticipantImportForm()
    return import_page(
        form,
        lambda data: import_participants(conference, data, actor=current_user),
        "participants/import.html",
        conference=conference,
    )


@roles_required(UserRole.organiser)
def dashboard(slug: str):
    conference = get_conference(slug)
    board = queries.dashboard(conference)
    for rows in (
        (board.without_approved, board.without_signatory) if current_language() != "en" else ()
    ):
        # in the order of the names the page shows (in English: the stored names' order)
        rows.sort(key=lambda d: sort_key(delegation_name(d.name, d.country_code)))
    checkins = checkin_counts(conference)
    return render_template(
        "participants/dashboard.html",
        conference=conference,
        board=board,
        checkins=checkins,
        statuses=list(RegistrationStatus),
        registration_bars=charts.registration_bars(conference, board),
        registration_legend=charts.legend(),
        checkin_bars=charts.checkin_bars(conference, checkins),
    )
