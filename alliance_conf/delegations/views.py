from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from alliance_conf.auth.access import roles_required
from alliance_conf.auth.models import UserRole
from alliance_conf.conferences.operations import get_conference
from alliance_conf.core.csvfile import csv_template
from alliance_conf.delegations import operations, queries
from alliance_conf.delegations.countries import countries_named, name_order
from alliance_conf.delegations.forms import (
    ConfirmForm,
    DelegationEditForm,
    DelegationForm,
    ImportForm,
)
from alliance_conf.delegations.imports import import_delegations
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.forms import form_action, import_page, validate_all
from alliance_conf.i18n import _
from alliance_conf.ui import paginate

PER_PAGE = 100


@roles_required(UserRole.organiser)
def index(slug: str):
    conference = get_conference(slug)
    group = request.args.get("group") or None
    q = (request.args.get("q") or "").strip()
    statement = sa.select(Delegation).where(Delegation.conference_id == conference.id)
    if group:
        statement = statement.where(Delegation.group == group)
    if q:
        pattern = f"%{q.lower()}%"
        statement = statement.where(
            sa.or_(
                sa.func.lower(Delegation.name).like(pattern),
                sa.func.lower(Delegation.country_code) == q.lower(),
                Delegation.country_code.in_(countries_named(q)),
            )
        )
    order = name_order(Delegation.name, Delegation.country_code)
    listed = paginate(statement.order_by(order, Delegation.id), per_page=PER_PAGE)
    delegations = listed.items
    ids = [d.id for d in delegations]
    return render_template(
        "delegations/index.html",
        conference=conference,
        delegations=delegations,
        counts=queries.registration_counts(ids),
        heads=queries.heads_of_delegation(ids),
        total=listed.total,
        page=listed.page,
        pages=listed.pages,
        group=group,
        q=q,
    )


@roles_required(UserRole.organiser)
def create(slug: str):
    conference = get_conference(slug)
    form = DelegationForm()
    form.set_groups(conference)

    def fields():
        is_state = form.kind.data != "organisation"
        return {
            "group": form.group.data,
            "country_code": form.country_code.data if is_state else None,
            "organisation_name": None if is_state else form.organisation_name.data,
            "contact_email": form.contact_email.data or None,
            "delegate_quota": form.delegate_quota.data,
        }

    if validate_all(form, lambda: operations.clean_delegation(conference, **fields())):
        with form_action(form) as done:
            delegation = operations.create_delegation(conference, **fields(), actor=current_user)
        if done:
            flash(_("Delegation “%(name)s” added.", name=delegation.display_name), "success")
            return redirect(url_for("delegations.index", slug=conference.slug))
    status = 422 if form.errors else 200
    return render_template("delegations/form.html", conference=conference, form=form), status


@roles_required(UserRole.organiser)
def edit(slug: str, delegation_id: int):
    conference = get_conference(slug)
    delegation = operations.get_delegation(conference, delegation_id)
    form = DelegationEditForm(obj=delegation)
    if delegation.is_state:
        del form.organisation_name  # a state is named after its country
    form.set_groups(conference)

    def fields():
        values = {
            "group": form.group.data,
            "contact_email": form.contact_email.data or None,
            "delegate_quota": form.delegate_quota.data,
        }
        if not delegation.is_state:
            values["organisation_name"] = form.organisation_name.data
        return values

    if validate_all(form, lambda: operations.delegation_changes(delegation, **fields())):
        with form_action(form) as done:
            operations.update_delegation(delegation, **fields(), actor=current_user)
        if done:
            flash(_("Delegation “%(name)s” saved.", name=delegation.display_name), "success")
            return redirect(url_for("delegations.index", slug=conference.slug))
    status = 422 if form.errors else 200
    return render_template(
        "delegations/form.html",
        conference=conference,
        form=form,
        delegation=delegation,
        head=queries.heads_of_delegation([delegation.id]).get(delegation.id),
        counts=queries.registration_counts([delegation.id])[delegation.id],
        confirm=ConfirmForm(),
    ), status


@roles_required(UserRole.organiser)
def deactivate(slug: str, delegation_id: int):
    """GET asks for confirmation; the POST (with its CSRF token) deactivates."""
    conference = get_conference(slug)
    delegation = operations.get_delegation(conference, delegation_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        operations.deactivate_delegation(delegation, actor=current_user)
        db.session.commit()
        flash(_("Delegation “%(name)s” deactivated.", name=delegation.display_name), "success")
        return redirect(url_for("delegations.index", slug=conference.slug))
    return render_template(
        "delegations/deactivate.html",
        conference=conference,
        delegation=delegation,
        form=form,
        counts=queries.registration_counts([delegation.id])[delegation.id],
    ), 400 if form.errors else 200


@roles_required(UserRole.organiser)
def reactivate(slug: str, delegation_id: int):
    conference = get_conference(slug)
    delegation = operations.get_delegation(conference, delegation_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(_("The form expired or was sent from elsewhere. Please try again."), "error")
    else:
        operations.reactivate_delegation(delegation, actor=current_user)
        db.session.commit()
        flash(_("Delegation “%(name)s” reactivated.", name=delegation.display_name), "success")
    return redirect(url_for("delegations.edit", slug=conference.slug, delegation_id=delegation.id))


@roles_required(UserRole.organiser)
def import_template(slug: str):
    conference = get_conference(slug)
    groups = list(conference.groups or {}) or ["partner"]
    return csv_template(
        f"{conference.slug}-delegations.csv",
        ["country_code", "organisation_name", "group", "contact_email", "delegate_quota"],
        ["EE", "", groups[0], "protocol@mfa.example.ee", "3"],
        ["", "Example Organisation", groups[-1], "", ""],
    )


@roles_required(UserRole.organiser)
def import_csv(slug: str):
    conference = get_conference(slug)
    form = ImportForm()
    return import_page(
        form,
        lambda data: import_delegations(conference, data, actor=current_user),
        "delegations/import.html",
        conference=conference,
    )
