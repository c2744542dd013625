from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from alliance_conf.auth.access import is_organiser, public, roles_required
from alliance_conf.auth.models import UserRole
from alliance_conf.conferences import operations
from alliance_conf.conferences.attention import attention
from alliance_conf.conferences.forms import ConferenceForm
from alliance_conf.conferences.models import Conference
from alliance_conf.delegations.countries import name_order
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.forms import form_action, validate_all
from alliance_conf.i18n import _


@public
def index():
    conferences = db.session.scalars(
        sa.select(Conference).order_by(Conference.start_date.desc())
    ).all()
    return render_template("conferences/index.html", conferences=conferences)


@public
def show(slug: str):
    conference = operations.get_conference(slug)
    rows = db.session.execute(
        sa.select(Delegation.group, Delegation.name, Delegation.country_code, Delegation.kind)
        .where(Delegation.conference_id == conference.id, Delegation.active.is_(True))
        .order_by(name_order(Delegation.name, Delegation.country_code), Delegation.id)
    ).all()
    by_group: dict[str, list] = {}
    for row in rows:
        by_group.setdefault(row.group, []).append(row)
    return render_template(
        "conferences/show.html",
        conference=conference,
        by_group=by_group,
        total=len(rows),
        # Organisers only: the "what needs you now" panel.
        attention=attention(conference) if is_organiser(current_user) else None,
    )


@roles_required(UserRole.organiser)
def create():
    form = ConferenceForm()

    def check():
        operations.check_new_conference(
            slug=(form.slug.data or "").strip().lower(),
            title=form.title.data,
            city=form.city.data,
            venue=form.venue.data,
            start_date=form.start_date.data,
            end_date=form.end_date.data,
            timezone=(form.timezone.data or "").strip(),
            co_chairs=form.co_chair_list(),
            languages=form.language_list(),
        )

    if validate_all(form, check):
        with form_action(form) as done:
            conference = operations.create_conference(
                slug=form.slug.data,
                title=form.title.data,
                city=form.city.data,
                venue=form.venue.data,
                start_date=form.start_date.data,
                end_date=form.end_date.data,
                timezone=form.timezone.data.strip(),
                co_chairs=form.co_chair_list(),
                languages=form.language_list(),
                actor=current_user,
            )
        if done:
            flash(_("Conference “%(title)s” created.", title=conference.title), "success")
            return redirect(url_for("conferences.show", slug=conference.slug))
    status = 422 if form.errors else 200
    return render_template("conferences/create.html", form=form), status
