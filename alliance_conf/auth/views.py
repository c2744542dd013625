from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from alliance_conf.api.framework import error_response
from alliance_conf.auth import operations, passkeys
from alliance_conf.auth.access import login_required, public
from alliance_conf.auth.forms import (
    PasskeyAddForm,
    PasskeyRemoveForm,
    PasskeySignInForm,
    SignInForm,
    SignOutForm,
)
from alliance_conf.core.errors import AllianceError
from alliance_conf.extensions import db
from alliance_conf.forms import apply_errors
from alliance_conf.security import by_email, by_ip, limit


def _safe_next(target: str | None) -> str:
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return url_for("conferences.index")


@public
@limit("RATELIMIT_SIGN_IN", keys=(by_ip, by_email))
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = SignInForm()
    if form.validate_on_submit():
        user = operations.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append("The e-mail or the password is wrong.")
        else:
            session.clear()  # a new session at sign-in: nothing from before survives
            login_user(user, remember=form.remember.data)
            operations.record_sign_in(user)
            db.session.commit()
            flash(f"Welcome, {user.full_name}.", "success")
            return redirect(_safe_next(request.args.get("next")))
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
        flash("You are signed out.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/logout.html", form=form)


# --- passkeys ---------------------------------------------------------------------------------


def _rp() -> passkeys.RelyingParty:
    return passkeys.relying_party(request.host_url)


def _json_error(exc: AllianceError):
    db.session.rollback()
    return error_response(exc.status, exc.code, exc.message, exc.fields)


def _form_refused():
    return error_response(
        400, "bad_request", "The form expired or was sent from elsewhere. Reload the page."
    )


@login_required
def passkeys_page():
    """List, register (second step: the browser's answer) and offer removal of passkeys."""
    form = PasskeyAddForm()
    status = 200
    if form.validate_on_submit():
        try:
            credential = passkeys.parse_credential(form.credential.data)
            passkey = passkeys.register(current_user, credential, form.name.data, _rp())
            db.session.commit()
        except AllianceError as exc:
            db.session.rollback()
            apply_errors(form, exc)
            status = exc.status
        else:
            flash(f"Passkey “{passkey.name}” registered.", "success")
            return redirect(
                _safe_next(request.args.get("next"))
                if request.args.get("next")
                else url_for("auth.passkeys")
            )
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
                "Name the passkey and enter your password.",
                {name: " ".join(errors) for name, errors in form.errors.items()},
            )
        )
    try:
        options = passkeys.registration_options(current_user, form.password.data, _rp())
        db.session.commit()
    except AllianceError as exc:
        return _json_error(exc)
    return jsonify(options)


@login_required
@limit("RATELIMIT_SIGN_IN", keys=(by_ip,))
def passkey_remove(passkey_id: int):
    passkey = passkeys.get_passkey(current_user, passkey_id)
    form = PasskeyRemoveForm()
    if not form.validate_on_submit():
        flash("Enter your password to remove a passkey.", "error")
        return redirect(url_for("auth.passkeys"))
    try:
        passkeys.remove(current_user, passkey.id, form.password.data)
        db.session.commit()
    except AllianceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        flash(f"Passkey “{passkey.name}” removed.", "success")
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
        try:
            user = passkeys.sign_in(passkeys.parse_credential(form.credential.data), _rp())
        except AllianceError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            session.clear()
            login_user(user)
            operations.record_sign_in(user)
            db.session.commit()
            flash(f"Welcome, {user.full_name}. You signed in with a passkey.", "success")
            return redirect(_safe_next(request.args.get("next")))
    else:
        flash("The form expired or was sent from elsewhere. Please try again.", "error")
    return redirect(url_for("auth.login", next=request.args.get("next")))
