from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from alliance_conf.auth.access import roles_required
from alliance_conf.auth.models import UserRole
from alliance_conf.extensions import db
from alliance_conf.i18n import ngettext
from alliance_conf.mail.models import MailMessage, MailStatus
from alliance_conf.mail.operations import deliver

PAGE_SIZE = 100


@roles_required(UserRole.organiser)
def outbox():
    counts = dict(
        db.session.execute(
            sa.select(MailMessage.status, sa.func.count()).group_by(MailMessage.status)
        ).all()
    )
    # Open on what needs attention: failed mail, else mail waiting to go, else everything.
    needs_attention = next(
        (s.value for s in (MailStatus.failed, MailStatus.queued) if counts.get(s)), "all"
    )
    status = request.args.get("status", needs_attention)
    if status not in {s.value for s in MailStatus} and status != "all":
        abort(404)
    statement = sa.select(MailMessage).order_by(MailMessage.id.desc()).limit(PAGE_SIZE)
    if status != "all":
        statement = statement.where(MailMessage.status == status)
    return render_template(
        "mail/outbox.html",
        messages=db.session.scalars(statement).all(),
        status=status,
        counts={s.value: counts.get(s, 0) for s in MailStatus},
        form=FlaskForm(),
    )


@roles_required(UserRole.organiser)
def message(message_id: int):
    """One message with its body, to copy a link when mail bounced; a confidential one (a code,
    a password link) shows everything but its body."""
    mail = db.session.get(MailMessage, message_id)
    if mail is None:
        abort(404)
    return render_template("mail/message.html", message=mail)


@roles_required(UserRole.organiser)
def retry():
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    report = deliver(retry_failed=True)
    category = "success" if not report.failed else "warning"
    flash(
        ngettext(
            "Sent %(num)d message; %(failed)s failed again.",
            "Sent %(num)d messages; %(failed)s failed again.",
            report.sent,
            failed=report.failed,
        ),
        category,
    )
    return redirect(url_for("mail.outbox"))
