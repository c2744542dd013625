from __future__ import annotations

from functools import wraps

import sqlalchemy as sa
from flask import flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user

from alliance_conf.auth.access import public, roles_required
from alliance_conf.auth.models import UserRole
from alliance_conf.auth.proofs import EmailProofRequired
from alliance_conf.conferences.operations import get_conference
from alliance_conf.core.csvfile import csv_template
from alliance_conf.core.errors import AllianceError, Conflict, NotFound
from alliance_conf.core.inputs import int_arg
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.forms import form_action
from alliance_conf.i18n import _, current_language, ngettext
from alliance_conf.invitations import operations
from alliance_conf.invitations.forms import (
    ActionForm,
    ImportForm,
    InviteForm,
    RegistrationForm,
    choice,
)
from alliance_conf.invitations.models import Invitation, InvitationStatus
from alliance_conf.registrations.operations import register_with_invitation

PAGE_SIZE = 200


def delegation_choices(conference) -> list[tuple[int, str]]:
    rows = db.session.execute(
        sa.select(Delegation.id, Delegation.name)
        .where(Delegation.conference_id == conference.id, Delegation.active.is_(True))
        .order_by(Delegation.name)
    ).all()
    return [choice(row.id, row.name) for row in rows]


@roles_required(UserRole.organiser)
def index(slug: str):
    conference = get_conference(slug)
    if operations.expire_due(conference):
        db.session.commit()
    status = request.args.get("status", "")
    statement = (
        sa.select(Invitation)
        .where(Invitation.conference_id == conference.id)
        .options(sa.orm.joinedload(Invitation.delegation))
        .order_by(Invitation.id.desc())
    )
    if status:
        if status not in {s.value for s in InvitationStatus}:
            raise NotFound(_("%(status)s is not an invitation state.", status=repr(status)))
        statement = statement.where(Invitation.status == status)
    counts = dict(
        db.session.execute(
            sa.select(Invitation.status, sa.func.count())
            .where(Invitation.conference_id == conference.id)
            .group_by(Invitation.status)
        ).all()
    )
    return render_template(
        "invitations/index.html",
        conference=conference,
        invitations=db.session.scalars(statement.limit(PAGE_SIZE)).all(),
        status=status,
        counts={s.value: counts.get(s, 0) for s in InvitationStatus},
        statuses=list(InvitationStatus),
        action_form=ActionForm(),
    )


@roles_required(UserRole.organiser)
def create(slug: str):
    conference = get_conference(slug)
    form = InviteForm()
    form.delegation_id.choices = delegation_choices(conference)
    if request.method == "GET" and int_arg("delegation_id", 0) > 0:
        form.delegation_id.data = int_arg("delegation_id", 0)
        delegation = db.session.get(Delegation, form.delegation_id.data)
        if delegation is not None and delegation.conference_id == conference.id:
            form.email.data = delegation.contact_email
    if form.validate_on_submit():
        with form_action(form, summary=True) as done:
            delegation = db.session.get(Delegation, form.delegation_id.data)
            if delegation is None or delegation.conference_id != conference.id:
                raise NotFound(_("Choose a delegation of this conference."))
            invitation, _token = operations.create_invitation(
                delegation, form.email.data, full_name=form.full_name.data, actor=current_user
            )
        if done:
            flash(
                _(
                    "Invitation sent to %(email)s for %(delegation)s.",
                    email=invitation.email,
                    delegation=delegation.name,
                ),
                "success",
            )
            return redirect(url_for("invitations.index", slug=slug))
    status = 422 if form.errors else 200
    return render_template("invitations/create.html", conference=conference, form=form), status


@roles_required(UserRole.organiser)
def import_template(slug: str):
    conference = get_conference(slug)
    return csv_template(
        f"{conference.slug}-invitations.csv",
        ["delegation", "email", "name"],
        ["EE", "kadri.tamm@mfa.example.ee", "Kadri Tamm"],
    )


@roles_required(UserRole.organiser)
def import_csv(slug: str):
    conference = get_conference(slug)
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        with form_action() as done:
            report = operations.import_invitations(
                conference, form.file.data.read(), actor=current_user
            )
        if done:
            flash(
                " ".join(
                    (
                        ngettext(
                            "%(num)d invitation sent,",
                            "%(num)d invitations sent,",
                            len(report.created),
                        ),
                        ngettext(
                            "%(num)d row skipped.", "%(num)d rows skipped.", len(report.skipped)
                        ),
                    )
                ),
                "success",
            )
        else:
            form.form_errors.append(done.error.message)
            form.line_errors = done.error.fields
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "invitations/import.html", conference=conference, form=form, report=report
    ), status


def _organiser_action(slug: str, invitation_id: int, action):
    conference = get_conference(slug)
    form = ActionForm()
    if not form.validate_on_submit():
        flash(_("The form expired; please try again."), "error")
        return redirect(url_for("invitations.index", slug=slug))
    invitation = operations.get_invitation(conference, invitation_id)
    with form_action() as done:
        message = action(invitation)
    if done:
        flash(message, "success")
    else:
        flash(done.error.message, "error")
    return redirect(url_for("invitations.index", slug=slug))


@roles_required(UserRole.organiser)
def resend(slug: str, invitation_id: int):
    def action(invitation):
        operations.resend_invitation(invitation, actor=current_user)
        return _(
            "A new link was sent to %(email)s; the old one no longer works.",
            email=invitation.email,
        )

    return _organiser_action(slug, invitation_id, action)


@roles_required(UserRole.organiser)
def revoke(slug: str, invitation_id: int):
    def action(invitation):
        operations.revoke_invitation(invitation, actor=current_user)
        return _("The invitation of %(email)s was revoked.", email=invitation.email)

    return _organiser_action(slug, invitation_id, action)


def _unusable(exc: AllianceError):
    return render_template(
        "invitations/unusable.html", status=exc.status, message=exc.message
    ), exc.status


def _private_link(view):
    """Pages under a token URL never leak it to other sites through the Referer header."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    return wrapper


def _open(token: str) -> Invitation:
    """The invitation behind a link; a computed expiry is committed before the check."""
    invitation = operations.open_invitation(token)
    db.session.commit()
    return operations.require_pending(invitation)


@public
@_private_link
def register(token: str):
    try:
        invitation = _open(token)
    except (operations.InvitationGone, Conflict, NotFound) as exc:
        return _unusable(exc)
    conference = invitation.conference
    signed_in = current_user if current_user.is_authenticated else None
    form = RegistrationForm()
    if signed_in is not None:
        del form.password
        del form.password_again
        form.full_name.data = signed_in.full_name
        form.email.data = signed_in.email
    elif request.method == "GET":
        form.email.data = invitation.email
        form.full_name.data = invitation.full_name
    needs_sign_in = needs_code = False
    if form.validate_on_submit():
        fields = {
            "function": form.function.data,
            "position": form.position.data,
            "organisation": form.organisation.data,
            "accessibility_needs": form.accessibility_needs.data,
            "dietary_needs": form.dietary_needs.data,
            "consent_participant_list": form.consent_participant_list.data,
            "privacy_accepted": form.privacy_accepted.data,
        }
        with form_action(form, summary=True) as done:
            registration = register_with_invitation(
                invitation,
                user=signed_in,
                email=form.email.data,
                full_name=form.full_name.data,
                password=form.password.data if signed_in is None else None,
                email_code=form.email_code.data,
                language=current_language(),
                **fields,
            )
        if isinstance(done.error, EmailProofRequired):
            needs_code = True
        elif not done:
            needs_sign_in = done.error.fields.get("email") == _("An account exists: sign in first.")
            needs_code = "email_code" in done.error.fields
        else:
            if signed_in is None:
                session.clear()  # a new session at sign-in: nothing fixed beforehand survives
                login_user(registration.user)
            flash(
                _(
                    "Thank you: your registration is received and awaits the organisers' decision. "
                    "We sent you a confirmation e-mail."
                ),
                "success",
            )
            return redirect(url_for("registrations.show", registration_id=registration.id))
    status = 422 if form.errors else 200
    return render_template(
        "invitations/register.html",
        form=form,
        invitation=invitation,
        conference=conference,
        delegation=invitation.delegation,
        signed_in=signed_in,
        needs_sign_in=needs_sign_in,
        needs_code=needs_code or bool(form.email_code.data),
        token=token,
    ), status


@public
@_private_link
def decline(token: str):
    try:
        invitation = _open(token)
    except (operations.InvitationGone, Conflict, NotFound) as exc:
        return _unusable(exc)
    form = ActionForm()
    if form.validate_on_submit():
        operations.decline_invitation(invitation)
        db.session.commit()
        return render_template(
            "invitations/declined.html", conference=invitation.conference, invitation=invitation
        )
    return render_template(
        "invitations/decline.html",
        form=form,
        invitation=invitation,
        conference=invitation.conference,
    )
