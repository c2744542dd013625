from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from alliance_conf.auth.access import login_required
from alliance_conf.core.errors import NotFound
from alliance_conf.extensions import db
from alliance_conf.i18n import _, ngettext
from alliance_conf.notifications import operations
from alliance_conf.notifications.operations import PAGE_SIZE
from alliance_conf.ui import paginate


@login_required
def index():
    """Your notifications, newest first, a page at a time; unread ones are marked."""
    return render_template(
        "notifications/index.html",
        page=paginate(operations.own_notifications(current_user), per_page=PAGE_SIZE),
        unread=operations.unread_count(current_user),
        form=FlaskForm(),
    )


@login_required
def mark_all_read():
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    marked = operations.mark_all_read(current_user)
    db.session.commit()
    if marked:
        flash(
            ngettext(
                "%(num)d notification marked read.", "%(num)d notifications marked read.", marked
            ),
            "success",
        )
    else:
        flash(_("Every notification was already read."), "success")
    return redirect(url_for("notifications.index"))


@login_required
def open_notification(notification_id: int):
    """Mark the notification read and go to the page it is about."""
    try:
        notification = operations.get_own(notification_id, current_user)
    except NotFound:
        abort(404)
    operations.mark_read(notification)
    db.session.commit()
    return redirect(notification.link)
