from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from alliance_conf.auth.access import (
    is_organiser,
    is_team,
    login_required,
    membership,
    roles_required,
)
from alliance_conf.auth.models import UserRole
from alliance_conf.conferences.models import Conference
from alliance_conf.core.errors import AllianceError, PermissionDenied
from alliance_conf.declarations.models import Declaration
from alliance_conf.declarations.operations import get_declaration
from alliance_conf.extensions import db
from alliance_conf.forms import apply_errors, form_action
from alliance_conf.i18n import _, ngettext
from alliance_conf.plugins import plugin_enabled
from alliance_conf.registrations.models import Registration, RegistrationStatus
from plugins.reporting import (
    access,
    actions,
    charts,
    exports,
    operations,
    overview,
    reports,
    rounds,
)
from plugins.reporting.forms import (
    ButtonForm,
    NationalActionForm,
    ReviewForm,
    RoundForm,
    SubmitReportForm,
    report_form_class,
)
from plugins.reporting.models import ReportState

TEAM = (UserRole.organiser, UserRole.staff)


def _declaration_for(declaration_id: int) -> Declaration:
    """Reporting pages of a declaration; see ``access.can_see_reporting``."""
    declaration = get_declaration(declaration_id)
    access.require_see_reporting(declaration, current_user)
    return declaration


def _download(content, filename: str, mimetype: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _translated(exc: AllianceError, names: dict[str, str]) -> AllianceError:
    fields = {names.get(k, k): v for k, v in exc.fields.items()}
    return type(exc)(exc.message, fields)


@login_required
def index():
    """The declarations the user can follow up: all for the team, their conferences' otherwise."""
    statement = sa.select(Declaration).join(Conference, Conference.id == Declaration.conference_id)
    if not is_team(current_user):
        statement = statement.join(
            Registration, Registration.conference_id == Declaration.conference_id
        ).where(
            Registration.user_id == current_user.id,
            Registration.status == RegistrationStatus.approved,
        )
    declarations = db.session.scalars(
        statement.order_by(Conference.start_date.desc(), Declaration.id)
    ).all()
    return render_template("reporting/index.html", declarations=declarations)


# --- declaration overview ---------------------------------------------------------------------


@login_required
def declaration_overview(declaration_id: int):
    declaration = _declaration_for(declaration_id)
    rounds = operations.rounds_of(declaration)
    context = {
        "declaration": declaration,
        "conference": declaration.conference,
        "rounds": rounds,
        "is_team": is_team(current_user),
        "is_organiser": is_organiser(current_user),
        "button": ButtonForm(),
    }
    if context["is_team"]:
        series = overview.progress_series(declaration)
        context.update(
            series=series,
            progress=charts.progress_bars(series),
            progress_legend=charts.progress_legend(),
        )
    else:
        registration = membership(current_user, declaration.conference_id)
        context["delegation"] = registration.delegation
        context["own_reports"] = [
            report
            for round_ in rounds
            for report in round_.reports
            if report.delegation_id == registration.delegation_id
        ]
        context["can_act"] = access.can_act_for(current_user, registration.delegation)
    return render_template("reporting/overview.html", **context)


@roles_required(*TEAM)
def progress_chart(declaration_id: int):
    declaration = get_declaration(declaration_id)
    svg = charts.progress_svg(overview.progress_series(declaration))
    return Response(str(svg), mimetype="image/svg+xml")


@roles_required(*TEAM)
def figures_export(declaration_id: int, fmt: str):
    declaration = get_declaration(declaration_id)
    if fmt == "csv":
        return _download(
            exports.figures_csv(declaration),
            f"reporting-figures-{declaration.id}.csv",
            "text/csv; charset=utf-8",
        )
    if fmt == "xlsx":
        return _download(
            exports.figures_xlsx(declaration),
            f"reporting-figures-{declaration.id}.xlsx",
            exports.XLSX_TYPE,
        )
    abort(404)


# --- rounds ------------------------------------------------------------------------------------


@roles_required(UserRole.organiser)
def round_new(declaration_id: int):
    declaration = get_declaration(declaration_id)
    form = RoundForm()
    if form.validate_on_submit():
        with form_action(form) as done:
            round_ = rounds.open_round(
                declaration,
                title=form.title.data,
                period_start=form.period_start.data,
                period_end=form.period_end.data,
                deadline=form.deadline.data,
                actor=current_user,
            )
        if done:
            flash(
                ngettext(
                    "Round opened: %(num)d delegation has a report to fill in.",
                    "Round opened: %(num)d delegations have a report to fill in.",
                    len(round_.reports),
                ),
                "success",
            )
            return redirect(url_for("reporting.round_show", round_id=round_.id))
    status = 422 if form.errors else 200
    return render_template(
        "reporting/round_new.html",
        form=form,
        declaration=declaration,
        conference=declaration.conference,
    ), status


@roles_required(*TEAM)
def round_show(round_id: int):
    round_ = operations.get_round(round_id)
    group = request.args.get("group") or None
    conference = round_.conference
    if group is not None and group not in (conference.groups or {}):
        group = None
    reports = round_.reports
    return render_template(
        "reporting/round.html",
        round=round_,
        declaration=round_.declaration,
        conference=conference,
        matrix=overview.matrix(round_, group),
        group=group,
        cell_labels=overview.cell_labels(),
        counts={
            "total": len(reports),
            "submitted": sum(1 for r in reports if r.state != ReportState.draft),
            "reviewed": sum(1 for r in reports if r.state == ReportState.reviewed),
            "late": sum(1 for r in reports if r.is_late),
        },
        is_organiser=is_organiser(current_user),
        documents_on=plugin_enabled("documents"),
        button=ButtonForm(),
    )


@roles_required(UserRole.organiser)
def round_remind(round_id: int):
    round_ = operations.get_round(round_id)
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    result = rounds.send_reminders([round_], actor=current_user)
    db.session.commit()
    flash(reminder_summary(result), "success")
    return redirect(url_for("reporting.round_show", round_id=round_.id))


def reminder_summary(result: rounds.ReminderResult) -> str:
    """What the remind button says it did, with each count in its plural form."""
    parts = [ngettext("%(num)d reminder sent.", "%(num)d reminders sent.", len(result.sent))]
    if result.skipped_recent:
        parts.append(
            ngettext(
                "%(num)d report was already reminded in the last 24 hours.",
                "%(num)d reports were already reminded in the last 24 hours.",
                result.skipped_recent,
            )
        )
    if result.skipped_no_address:
        parts.append(
            ngettext(
                "%(num)d delegation has no address to write to.",
                "%(num)d delegations have no address to write to.",
                result.skipped_no_address,
            )
        )
    return " ".join(parts)


@roles_required(*TEAM)
def round_export(round_id: int, fmt: str):
    round_ = operations.get_round(round_id)
    if fmt == "csv":
        return _download(
            exports.round_csv(round_), f"reporting-round-{round_.id}.csv", "text/csv; charset=utf-8"
        )
    if fmt == "docx" and plugin_enabled("documents"):
        from plugins.documents.operations import record_download

        data = exports.round_docx(round=round_)
        record_download(
            current_user,
            document="reporting-round",
            data=data,
            about=round_.conference,
            revision=str(round_.id),
        )
        db.session.commit()
        return _download(data, f"reporting-round-{round_.id}.docx", exports.DOCX_TYPE)
    abort(404)


# --- reports -----------------------------------------------------------------------------------


def _report_context(report, **extra) -> dict:
    declaration = report.round.declaration
    items = [c for c in operations.commitments(declaration) if c["key"] in report.commitment_keys]
    actions = operations.actions_of(declaration, report.delegation_id)
    return {
        "report": report,
        "round": report.round,
        "declaration": declaration,
        "conference": report.round.conference,
        "items": items,
        "actions": actions,
        "indicators": operations.indicators(),
        "can_edit": report.state == ReportState.draft
        and access.can_act_for(current_user, report.delegation),
        "is_organiser": is_organiser(current_user),
        **extra,
    }


@login_required
def report_show(report_id: int):
    report = operations.get_report(report_id, current_user)
    return render_template(
        "reporting/report.html",
        **_report_context(
            report, button=ButtonForm(), submit_form=SubmitReportForm(), review_form=ReviewForm()
        ),
    )


@login_required
def report_edit(report_id: int):
    report = operations.get_report(report_id, current_user)
    access.require_act_for(current_user, report.delegation)
    reports.require_draft(report)
    context = _report_context(report)
    form_class, names = report_form_class(
        context["items"], context["indicators"], context["actions"]
    )
    if request.method == "GET":
        data = {}
        for i, item in enumerate(context["items"]):
            entry = report.entry(item["key"])
            if entry is None:
                continue
            data[f"c{i}_status"] = entry.status.value
            data[f"c{i}_narrative"] = entry.narrative
            data[f"c{i}_evidence"] = "\n".join(entry.evidence_links or [])
            for figure in entry.figures:
                data[f"c{i}_figure_{figure.indicator}"] = str(figure.value)
            for action_id, text in (entry.action_progress or {}).items():
                data[f"c{i}_action_{action_id}"] = text
        form = form_class(data=data)
    else:
        form = form_class()
    if form.validate_on_submit():
        entries = {}
        for i, item in enumerate(context["items"]):
            figures = {
                indicator: form[f"c{i}_figure_{indicator}"].data
                for indicator in context["indicators"]
            }
            progress = {
                str(a.id): form[f"c{i}_action_{a.id}"].data
                for a in context["actions"]
                if a.commitment_key == item["key"]
            }
            entries[item["key"]] = reports.EntryData(
                status=form[f"c{i}_status"].data,
                narrative=form[f"c{i}_narrative"].data,
                figures=figures,
                evidence_links=[
                    line.strip()
                    for line in (form[f"c{i}_evidence"].data or "").splitlines()
                    if line.strip()
                ],
                action_progress=progress,
            )
        with form_action() as done:
            reports.save_report(report, entries, actor=current_user)
        if done:
            flash(_("Report saved as a draft. Submit it when it is complete."), "success")
            return redirect(url_for("reporting.report_show", report_id=report.id))
        else:
            apply_errors(form, _translated(done.error, names))
    status = 422 if form.errors else 200
    return render_template("reporting/report_edit.html", form=form, **context), status


def _button_action(report_id: int, do, done: str):
    report = operations.get_report(report_id, current_user)
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    do(report)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("reporting.report_show", report_id=report.id))


@login_required
def report_submit(report_id: int):
    report = operations.get_report(report_id, current_user)
    access.require_act_for(current_user, report.delegation)
    form = SubmitReportForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash(" ".join(str(e) for e in form.confirm.errors), "error")
        return redirect(url_for("reporting.report_show", report_id=report.id))
    reports.submit_report(report, actor=current_user)
    db.session.commit()
    flash(_("Report submitted. It is locked now; the organisers will review it."), "success")
    return redirect(url_for("reporting.report_show", report_id=report.id))


@roles_required(UserRole.organiser)
def report_review(report_id: int):
    report = operations.get_report(report_id, current_user)
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    reports.review_report(report, comment=form.comment.data or "", actor=current_user)
    db.session.commit()
    flash(_("Report marked as reviewed."), "success")
    return redirect(url_for("reporting.report_show", report_id=report.id))


@roles_required(UserRole.organiser)
def report_return(report_id: int):
    report = operations.get_report(report_id, current_user)
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    with form_action(form) as done:
        reports.return_report(report, comment=form.comment.data or "", actor=current_user)
    if not done:
        return render_template(
            "reporting/report.html",
            **_report_context(
                report, button=ButtonForm(), submit_form=SubmitReportForm(), review_form=form
            ),
        ), done.error.status
    flash(_("Report sent back to the delegation with your comment."), "success")
    return redirect(url_for("reporting.report_show", report_id=report.id))


# --- national actions --------------------------------------------------------------------------


def _actions_delegation(declaration: Declaration):
    """The delegation whose actions are shown: one's own, or ``?delegation=`` for the team."""
    if is_team(current_user) and request.args.get("delegation", type=int):
        return operations.get_delegation(declaration, request.args.get("delegation", type=int))
    registration = membership(current_user, declaration.conference_id)
    if registration is None:
        if is_team(current_user):
            return None
        raise PermissionDenied(_("Only members of a delegation record national actions."))
    return registration.delegation


@login_required
def actions_index(declaration_id: int):
    declaration = _declaration_for(declaration_id)
    delegation = _actions_delegation(declaration)
    items = operations.commitments(declaration)
    actions = operations.actions_of(declaration, delegation.id) if delegation else []
    endorsed = operations.endorsed_keys(declaration, delegation.id) if delegation else []
    return render_template(
        "reporting/actions.html",
        declaration=declaration,
        conference=declaration.conference,
        delegation=delegation,
        items=[c for c in items if c["key"] in endorsed],
        actions=actions,
        can_act=delegation is not None and access.can_act_for(current_user, delegation),
        delegations=sorted(declaration.conference.delegations, key=lambda d: d.name)
        if is_team(current_user)
        else [],
    )


def _action_form(declaration, delegation, obj=None) -> NationalActionForm:
    form = NationalActionForm(obj=obj)
    endorsed = set(operations.endorsed_keys(declaration, delegation.id))
    form.commitment_key.choices = [
        SelectChoice(c["key"], f"{c['number']}. {c['title']}")
        for c in operations.commitments(declaration)
        if c["key"] in endorsed
    ]
    return form


def _action_data(form) -> actions.ActionData:
    return actions.ActionData(
        commitment_key=form.commitment_key.data,
        title=form.title.data,
        description=form.description.data or "",
        lead_agency=form.lead_agency.data or "",
        target_date=form.target_date.data,
        status=form.status.data,
    )


@login_required
def action_new(declaration_id: int):
    declaration = _declaration_for(declaration_id)
    registration = membership(current_user, declaration.conference_id)
    if registration is None:
        raise PermissionDenied(_("Only members of a delegation record national actions."))
    delegation = registration.delegation
    access.require_act_for(current_user, delegation)
    form = _action_form(declaration, delegation)
    if form.validate_on_submit():
        with form_action(form) as done:
            actions.create_action(declaration, delegation, _action_data(form), actor=current_user)
        if done:
            flash(_("National action recorded."), "success")
            return redirect(url_for("reporting.actions_index", declaration_id=declaration.id))
    status = 422 if form.errors else 200
    return render_template(
        "reporting/action_form.html",
        form=form,
        declaration=declaration,
        conference=declaration.conference,
        delegation=delegation,
        action=None,
    ), status


@login_required
def action_edit(action_id: int):
    action = operations.get_action(action_id, current_user)
    access.require_act_for(current_user, action.delegation)
    declaration = action.declaration
    form = _action_form(declaration, action.delegation, obj=action)
    if request.method == "GET":
        form.status.data = action.status.value
    if form.validate_on_submit():
        with form_action(form) as done:
            actions.update_action(action, _action_data(form), actor=current_user)
        if done:
            flash(_("National action updated."), "success")
            return redirect(url_for("reporting.actions_index", declaration_id=declaration.id))
    status = 422 if form.errors else 200
    return render_template(
        "reporting/action_form.html",
        form=form,
        declaration=declaration,
        conference=declaration.conference,
        delegation=action.delegation,
        action=action,
    ), status
