from __future__ import annotations

from flask import (
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from alliance_conf.api.framework import error_response
from alliance_conf.auth import operations, passkeys, recovery
from alliance_conf.auth.access import login_required, public
from alliance_conf.auth.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    ChoosePasswordForm,
    ForgotPasswordForm,
    PasskeyAddForm,
    PasskeyRemoveForm,
    PasskeySignInForm,
    SignInForm,
    SignOutForm,
)
from alliance_conf.auth.proofs import EmailProofRequired
from alliance_conf.auth.sessions import RESUME_KEY, start_session
from alliance_conf.core.errors import AllianceError
from alliance_conf.core.redirects import safe_next
from alliance_conf.extensions import db
from alliance_conf.forms import form_action
from alliance_conf.i18n import _
from alliance_conf.security import by_email, by_ip, limit


@public
@limit("RATELIMIT_SIGN_IN", keys=(by_ip, by_email))
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = SignInForm()
    if form.validate_on_submit():
        user = operations.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("The e-mail or the password is wrong."))
        else:
            resume = session.get(RESUME_KEY)
            session.clear()  # a new session at sign-in: nothing from before survives
            if resume and resume.get("user_id") in (None, user.id):
                session[RESUME_KEY] = resume  # the form the person was typing, see sessions.py
            login_user(user, remember=form.remember.data)
            start_session(remember=form.remember.data)
            operations.record_sign_in(user)
            db.session.commit()
            flash(_("Welcome, %(name)s.", name=user.full_name), "success")
            return redirect(safe_next(request.args.get("next")))
    return render_template(
        "auth/login.html", form=form, passkey_form=PasskeySignInForm()
    ), 200 if not form.errors else 422


@login_required
def logout():
    form = SignOutForm()
    if form.validate_on_submit():
        operations.record_sign_out(current_user)
        db.session.commit()
        logout_user()
        session.clear()
        flash(_("You are signed out."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/logout.html", form=form)


@public
@limit("RATELIMIT_SIGN_IN", keys=(by_ip, by_email))
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        recovery.request_password_reset(form.email.data)
        db.session.commit()
        flash(
            _(
                "If %(email)s belongs to an account, a link to choose a new password is on its "
                "way. It works once, for %(minutes)s minutes.",
                email=form.email.data,
                minutes=current_app.config["PASSWORD_RESET_MINUTES"],
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), 200 if not form.errors else 422


@public
def choose_password(token: str):
    """The single-use link of a reset or of a "set your password" e-mail."""
    try:
        user = recovery.check_link(token)
    except AllianceError as exc:
        response = make_response(
            render_template("errors/error.html", status=410, message=exc.message), 410
        )
        response.headers["Referrer-Policy"] = "no-referrer"
        return response
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        with form_action(form, summary=True) as done:
            recovery.choose_password(token, form.password.data)
        if done:
            if current_user.is_authenticated:
                logout_user()
            session.clear()
            flash(_("Your password is set. Sign in with it."), "success")
            return redirect(url_for("auth.login"))
    response = make_response(
        render_template("auth/choose_password.html", form=form, user=user),
        200 if not form.errors else 422,
    )
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the URL
    return response


@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        with form_action(form, summary=True) as done:
            recovery.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
        if done:
            user = current_user._get_current_object()
            session.clear()
            login_user(user)  # this session carries the new session version; others end
            start_session(remember=False)
            flash(
                _("Your password is changed. Other sessions and your API tokens were ended."),
                "success",
            )
            return redirect(url_for("conferences.index"))
    return render_template("auth/change_password.html", form=form), 200 if not form.errors else 422


@login_required
@limit("RATELIMIT_SIGN_IN", keys=(by_ip,))
def change_email():
    form = ChangeEmailForm()
    needs_code = bool(form.email_code.data)
    if form.validate_on_submit():
        with form_action(form, summary=True) as done:
            recovery.change_email(
                current_user, form.new_email.data, form.password.data, form.email_code.data
            )
        if not done:
            needs_code = needs_code or isinstance(done.error, EmailProofRequired)
        else:
            flash(
                _("Your account's address is now %(email)s.", email=current_user.email), "success"
            )
            return redirect(url_for("registrations.mine"))
    return render_template(
        "auth/change_email.html", form=form, needs_code=needs_code
    ), 200 if not form.errors else 422


# --- passkeys ---------------------------------------------------------------------------------


def _rp() -> passkeys.RelyingParty:
    return passkeys.relying_party(request.host_url)


def _json_error(exc: AllianceError):
    return error_response(exc.status, exc.code, exc.message, exc.fields)


def _form_refused():
    return error_response(
        400, "bad_request", _("The form expired or was sent from elsewhere. Reload the page.")
    )


@login_required
def passkeys_page():
    """List, register (second step: the browser's answer) and offer removal of passkeys."""
    form = PasskeyAddForm()
    status = 200
    if form.validate_on_submit():
        with form_action(form, summary=True) as done:
            credential = passkeys.parse_credential(form.credential.data)
            passkey = passkeys.register(current_user, credential, form.name.data, _rp())
        if done:
            flash(_("Passkey “%(name)s” registered.", name=passkey.name), "success")
            return redirect(
                safe_next(request.args.get("next"))
                if request.args.get("next")
                else url_for("auth.passkeys")
            )
        else:
            status = done.error.status
    elif request.method == "POST":
        status = 422
    form.password.data = ""
    return render_template(
        "auth/passkeys.html",
        form=form,
        remove_form=PasskeyRemoveForm(),
        passkeys=passkeys.passkeys_of(current_user),
    ), status


@login_required
@limit("RATELIMIT_SIGN_IN", keys=(by_ip,))
def passkey_registration_options():
    form = PasskeyAddForm()
    if not form.validate_on_submit():
        return (
            _form_refused()
            if "csrf_token" in form.errors
            else error_response(
                422,
                "validation_failed",
                _("Name the passkey and enter your password."),
                {name: " ".join(errors) for name, errors in form.errors.items()},
            )
        )
    with form_action() as done:
        options = passkeys.registration_options(current_user, form.password.data, _rp())
    return jsonify(options) if done else _json_error(done.error)


@login_required
@limit("RATELIMIT_SIGN_IN", keys=(by_ip,))
def passkey_remove(passkey_id: int):
    passkey = passkeys.get_passkey(current_user, passkey_id)
    form = PasskeyRemoveForm()
    if not form.validate_on_submit():
        flash(_("Enter your password to remove a passkey."), "error")
        return redirect(url_for("auth.passkeys"))
    with form_action() as done:
        passkeys.remove(current_user, passkey.id, form.password.data)
    if done:
        flash(_("Passkey “%(name)s” removed.", name=passkey.name), "success")
    else:
        flash(done.error.message, "error")
    return redirect(url_for("auth.passkeys"))


@public
@limit("RATELIMIT_SIGN_IN", keys=(by_ip,))
def passkey_login_options():
    if not PasskeySignInForm().validate_on_submit():
        return _form_refused()
    options = passkeys.assertion_options("login", None, _rp())
    db.session.commit()
    return jsonify(options)


@public
@limit("RATELIMIT_SIGN_IN", keys=(by_ip,))
def passkey_login():
    form = PasskeySignInForm()
    if form.validate_on_submit():
        with form_action() as done:
            user = passkeys.sign_in(passkeys.parse_credential(form.credential.data), _rp())
            session.clear()  # a new session at sign-in, as with a password
            login_user(user)
            start_session(remember=False)
            operations.record_sign_in(user)
        if done:
            flash(
                _("Welcome, %(name)s. You signed in with a passkey.", name=user.full_name),
                "success",
            )
            return redirect(safe_next(request.args.get("next")))
        flash(done.error.message, "error")
    else:
        flash(_("The form expired or was sent from elsewhere. Please try again."), "error")
    return redirect(url_for("auth.login", next=request.args.get("next")))
