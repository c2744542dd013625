from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, logout_user

from alliance_conf.auth.access import login_required, public, roles_required
from alliance_conf.auth.models import User, UserRole
from alliance_conf.conferences.operations import get_conference
from alliance_conf.core.csvfile import csv_text
from alliance_conf.core.errors import NotFound, PermissionDenied
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.forms import form_action
from alliance_conf.i18n import _, ngettext
from alliance_conf.invitations.views import delegation_choices
from alliance_conf.registrations import operations, powers
from alliance_conf.registrations.forms import (
    ActionForm,
    BulkDecisionForm,
    EraseForm,
    FunctionForm,
    GrantPowersForm,
    OnBehalfForm,
    RevokePowersForm,
    StatusForm,
)
from alliance_conf.registrations.models import (
    DelegateFunction,
    FullPowers,
    Registration,
    RegistrationStatus,
)

PENDING_PAGE_SIZE = 500


@public
def privacy():
    return render_template("registrations/privacy.html")


@login_required
def mine():
    return render_template(
        "registrations/mine.html", registrations=operations.own_registrations(current_user)
    )


@login_required
def show(registration_id: int):
    registration = operations.view_registration(current_user, registration_id)
    return render_template(
        "registrations/show.html",
        registration=registration,
        conference=registration.conference,
        show_needs=operations.can_see_needs(current_user, registration),
        is_organiser=operations.is_organiser(current_user),
        can_designate=operations.can_designate(current_user, registration.delegation_id),
        form=_status_form(registration),
        action_form=ActionForm(),
        function_form=_function_form(registration),
    )


def _function_form(registration: Registration) -> FunctionForm:
    form = FunctionForm(formdata=None)
    form.function.data = (registration.requested_function or registration.function).value
    return form


def _status_form(registration: Registration) -> StatusForm:
    form = StatusForm()
    if not form.is_submitted():
        form.function.data = (registration.requested_function or registration.function).value
    return form


@login_required
def change_status(registration_id: int):
    registration = operations.view_registration(current_user, registration_id)
    form = StatusForm()
    if not form.validate_on_submit():
        flash(_("The form expired or was incomplete; please try again."), "error")
        return redirect(url_for("registrations.show", registration_id=registration_id))
    with form_action() as done:
        confirm = (
            form.function.data
            if form.status.data == RegistrationStatus.approved and form.function.data
            else None
        )
        operations.change_status(
            registration,
            form.status.data,
            actor=current_user,
            reason=form.reason.data,
            function=confirm,
        )
    if not done:
        flash(done.error.message, "error")
        return render_template(
            "registrations/show.html",
            registration=operations.get_registration(registration_id),
            conference=registration.conference,
            show_needs=operations.can_see_needs(current_user, registration),
            is_organiser=operations.is_organiser(current_user),
            can_designate=operations.can_designate(current_user, registration.delegation_id),
            form=form,
            action_form=ActionForm(),
            function_form=_function_form(registration),
        ), done.error.status
    flash(
        _("The registration is now %(status)s.", status=registration.status.title.lower()),
        "success",
    )
    return redirect(url_for("registrations.show", registration_id=registration_id))


@roles_required(UserRole.organiser)
def pending(slug: str):
    conference = get_conference(slug)
    form = BulkDecisionForm()
    if form.validate_on_submit():
        ids = [int(v) for v in request.form.getlist("ids") if v.isdigit()]
        with form_action(form, summary=True) as done:
            decided = operations.decide_many(
                conference.id, ids, form.decision.data, actor=current_user, reason=form.reason.data
            )
        if done:
            if form.decision.data == "approved":
                message = ngettext(
                    "%(num)d registration approved.",
                    "%(num)d registrations approved.",
                    len(decided),
                )
            else:
                message = ngettext(
                    "%(num)d registration rejected.",
                    "%(num)d registrations rejected.",
                    len(decided),
                )
            flash(message, "success")
            return redirect(url_for("registrations.pending", slug=slug))
    rows = db.session.execute(
        sa.select(Registration, User, Delegation)
        .join(User, User.id == Registration.user_id)
        .join(Delegation, Delegation.id == Registration.delegation_id)
        .where(
            Registration.conference_id == conference.id,
            Registration.status == RegistrationStatus.pending,
        )
        .order_by(Delegation.name, Registration.created_at)
        .limit(PENDING_PAGE_SIZE)
    ).all()
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "registrations/pending.html",
        conference=conference,
        rows=rows,
        form=form,
        selected={int(v) for v in request.form.getlist("ids") if v.isdigit()},
    ), status


@roles_required(UserRole.organiser)
def create_on_behalf(slug: str):
    conference = get_conference(slug)
    form = OnBehalfForm()
    form.delegation_id.choices = delegation_choices(conference)
    if form.validate_on_submit():
        with form_action(form, summary=True) as done:
            delegation = db.session.get(Delegation, form.delegation_id.data)
            if delegation is None or delegation.conference_id != conference.id:
                raise NotFound(_("Choose a delegation of this conference."))
            registration = operations.register_on_behalf(
                delegation,
                email=form.email.data,
                full_name=form.full_name.data,
                function=form.function.data,
                position=form.position.data,
                organisation=form.organisation.data,
                accessibility_needs=form.accessibility_needs.data,
                dietary_needs=form.dietary_needs.data,
                consent_participant_list=form.consent_participant_list.data,
                actor=current_user,
            )
        if done:
            flash(
                _("%(name)s is registered (pending).", name=registration.user.full_name),
                "success",
            )
            return redirect(url_for("registrations.show", registration_id=registration.id))
    status = 422 if form.errors else 200
    return render_template("registrations/on_behalf.html", conference=conference, form=form), status


def _delegation(conference, delegation_id: int) -> Delegation:
    delegation = db.session.get(Delegation, delegation_id)
    if delegation is None or delegation.conference_id != conference.id:
        raise NotFound(_("There is no such delegation in this conference."))
    return delegation


@login_required
def members(slug: str, delegation_id: int):
    conference = get_conference(slug)
    delegation = _delegation(conference, delegation_id)
    if not operations.can_view_delegation(current_user, delegation):
        raise PermissionDenied(_("You can only see the members of your own delegation."))
    members = operations.delegation_members(delegation)
    can_designate = operations.can_designate(current_user, delegation.id)
    if not can_designate and not current_user.has_role(UserRole.staff):
        # fellow delegates see who is accredited, not who applied or was refused
        members = [
            m
            for m in members
            if m.status == RegistrationStatus.approved or m.user_id == current_user.id
        ]
    return render_template(
        "registrations/members.html",
        conference=conference,
        delegation=delegation,
        members=members,
        is_organiser=operations.is_organiser(current_user),
        can_designate=can_designate,
        approved=operations.approved_count(delegation.id),
        action_form=ActionForm(),
        functions=DelegateFunction,
    )


@login_required
def my_delegation(slug: str):
    conference = get_conference(slug)
    own = operations.own_approved_registration(current_user, conference.id)
    if own is None:
        raise NotFound(_("You have no approved registration in this conference yet."))
    return redirect(url_for("registrations.members", slug=slug, delegation_id=own.delegation_id))


@roles_required(UserRole.organiser, UserRole.staff)
def signatories(slug: str):
    conference = get_conference(slug)
    delegations = db.session.scalars(
        sa.select(Delegation)
        .where(Delegation.conference_id == conference.id, Delegation.active.is_(True))
        .order_by(Delegation.name)
    ).all()
    rows = db.session.execute(
        sa.select(Registration, User)
        .join(User, User.id == Registration.user_id)
        .where(
            Registration.conference_id == conference.id,
            Registration.status == RegistrationStatus.approved,
            sa.or_(
                Registration.is_signatory.is_(True),
                Registration.function == DelegateFunction.head_of_delegation,
            ),
        )
    ).all()
    heads, signers = {}, {}
    for registration, user in rows:
        if registration.function == DelegateFunction.head_of_delegation:
            heads[registration.delegation_id] = user
        if registration.is_signatory:
            signers.setdefault(registration.delegation_id, []).append(user)
    return render_template(
        "registrations/signatories.html",
        conference=conference,
        delegations=delegations,
        heads=heads,
        signers=signers,
    )


def _signatory_action(registration_id: int, designate: bool):
    registration = operations.get_registration(registration_id)
    if not operations.can_view_registration(current_user, registration):
        raise NotFound(_("There is no such registration, or it is not yours to see."))
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    with form_action() as done:
        if designate:
            operations.nominate_signatory(registration, actor=current_user)
            message = _(
                "%(name)s is nominated to sign for %(delegation)s; the organisers grant full "
                "powers once they have checked the instrument.",
                name=registration.user.full_name,
                delegation=registration.delegation.name,
            )
        else:
            operations.withdraw_nomination(registration, actor=current_user)
            message = _(
                "The nomination of %(name)s was withdrawn.", name=registration.user.full_name
            )
    if done:
        flash(message, "success")
    else:
        flash(done.error.message, "error")
    return redirect(
        url_for(
            "registrations.members",
            slug=registration.conference.slug,
            delegation_id=registration.delegation_id,
        )
    )


@login_required
def designate_signatory(registration_id: int):
    return _signatory_action(registration_id, designate=True)


@login_required
def revoke_signatory(registration_id: int):
    return _signatory_action(registration_id, designate=False)


@login_required
def my_data():
    payload = json.dumps(operations.personal_data(current_user), indent=2, ensure_ascii=False)
    return Response(
        payload,
        mimetype="application/json",
        headers={
            "Content-Disposition": "attachment; filename=my-data.json",
            "Cache-Control": "no-store",
        },
    )


@login_required
def erase():
    form = EraseForm()
    if form.validate_on_submit():
        with form_action(form, summary=True) as done:
            operations.erase_personal_data(current_user, actor=current_user)
        if done:
            logout_user()
            flash(_("Your personal data was erased and your account closed."), "info")
            return redirect(url_for("conferences.index"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("registrations/erase.html", form=form), status


@roles_required(UserRole.organiser)
def confirm_function(registration_id: int):
    """Confirm or change the function of an approved registration (a request left by a bulk
    approval, or a change of role)."""
    registration = operations.get_registration(registration_id)
    form = FunctionForm()
    if form.validate_on_submit():
        with form_action() as done:
            operations.confirm_function(registration, form.function.data, actor=current_user)
        if done:
            flash(
                _("Function confirmed: %(function)s.", function=registration.function.title),
                "success",
            )
        else:
            flash(done.error.message, "error")
    else:
        flash(_("Choose a function."), "error")
    return redirect(url_for("registrations.show", registration_id=registration_id))


# --- full powers (organisers) ------------------------------------------------------------------


def _instrument(form) -> powers.Instrument:
    return powers.Instrument(
        reference=form.instrument_reference.data or "",
        authority=form.issuing_authority.data or "",
        authority_text=form.issuing_authority_text.data or "",
        issued_on=form.instrument_date.data,
    )


@roles_required(UserRole.organiser)
def full_powers(registration_id: int):
    """Grant full powers (with the instrument) or, when held, record their revocation."""
    registration = operations.get_registration(registration_id)
    active = powers.active_powers(registration.id)
    form = RevokePowersForm() if active else GrantPowersForm()
    if form.validate_on_submit():
        with form_action(form, summary=True) as done:
            if active:
                powers.revoke_full_powers(
                    registration, _instrument(form), actor=current_user, reason=form.reason.data
                )
                message = _("Full powers of %(name)s revoked.", name=registration.user.full_name)
            else:
                upload = form.document.data
                document = upload.read(powers.max_pdf_bytes() + 1) if upload else None
                powers.grant_full_powers(
                    registration,
                    _instrument(form),
                    actor=current_user,
                    document=document,
                    document_filename=upload.filename if upload else None,
                )
                message = _(
                    "%(name)s holds full powers for %(delegation)s.",
                    name=registration.user.full_name,
                    delegation=registration.delegation.name,
                )
        if done:
            flash(message, "success")
            return redirect(url_for("registrations.show", registration_id=registration.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "registrations/full_powers.html",
        registration=registration,
        active=active,
        form=form,
        conference=registration.conference,
    ), status


@roles_required(UserRole.organiser)
def full_powers_document(powers_id: int):
    """The scanned letter: organisers only, never cached."""
    grant = db.session.get(FullPowers, powers_id)
    if grant is None or grant.document is None:
        raise NotFound(_("There is no scanned letter for these full powers."))
    return Response(
        grant.document,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="full-powers-{grant.id}.pdf"',
            "Cache-Control": "no-store",
        },
    )


@roles_required(UserRole.organiser)
def full_powers_register(slug: str):
    conference = get_conference(slug)
    return render_template(
        "registrations/full_powers_register.html",
        conference=conference,
        grants=powers.full_powers_register(conference.id),
    )


@roles_required(UserRole.organiser)
def full_powers_csv(slug: str):
    conference = get_conference(slug)
    rows = [powers.REGISTER_COLUMNS, *powers.register_rows(conference.id)]
    return Response(
        csv_text(rows, bom=True),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{conference.slug}-full-powers.csv"'
        },
    )
