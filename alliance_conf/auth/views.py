from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from alliance_conf.auth import operations
from alliance_conf.auth.access import login_required, public
from alliance_conf.auth.forms import SignInForm, SignOutForm
from alliance_conf.extensions import db
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
    return render_template("auth/login.html", form=form), 200 if not form.errors else 422


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
