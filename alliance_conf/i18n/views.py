"""The language switch in every page's header."""

from __future__ import annotations

from flask import abort, redirect, request, session
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField

from alliance_conf.auth.access import public
from alliance_conf.core.redirects import safe_next
from alliance_conf.extensions import db
from alliance_conf.i18n.languages import SESSION_KEY, validate_language
from alliance_conf.i18n.operations import set_user_language


class LanguageForm(FlaskForm):
    next = HiddenField()


@public
def choose_language():
    """Save the language chosen in the header (for the account, or this browser's session)
    and go back to the page it was chosen on."""
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        language = set_user_language(current_user, request.form.get("language"))
        db.session.commit()
    else:
        language = validate_language(request.form.get("language"))
    session[SESSION_KEY] = language
    return redirect(safe_next(form.next.data))
