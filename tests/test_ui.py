"""The design system's Python side: dates in the conference's zone, sorting, paging, macros."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa
from flask import render_template_string
from flask_wtf import FlaskForm
from wtforms import RadioField

from alliance_conf.conferences.models import Conference
from alliance_conf.formatting import format_date, format_date_range, format_datetime, format_zone
from alliance_conf.ui import Page, mark_download, paginate, sort_from_request, status_tone

BRUSSELS = SimpleNamespace(timezone="Europe/Brussels", start_date=date(2012, 12, 5))
PROJECT = Path(__file__).resolve().parents[1]


def test_datetimes_are_shown_in_the_conference_zone_with_the_zone_named():
    winter = datetime(2012, 12, 5, 13, 30, tzinfo=UTC)
    summer = datetime(2031, 5, 4, 7, 0, tzinfo=UTC)
    assert format_datetime(winter, BRUSSELS) == "5 December 2012, 14:30 CET (Europe/Brussels)"
    assert format_datetime(summer, BRUSSELS) == "4 May 2031, 09:00 CEST (Europe/Brussels)"
    assert format_datetime(datetime(2012, 12, 5, 13, 30), BRUSSELS).startswith(
        "5 December 2012, 14:30 CET"
    ), "naive datetimes are stored UTC"
    assert format_datetime(winter, None) == "5 December 2012, 13:30 UTC"
    assert format_datetime(winter, SimpleNamespace(timezone="Nowhere/Land")).endswith("UTC")
    assert format_datetime(None, BRUSSELS) == ""
    late = datetime(2012, 12, 5, 23, 30, tzinfo=UTC)
    assert format_date(late, BRUSSELS) == "6 December 2012", "the local date, not the UTC one"
    assert format_zone(BRUSSELS) == "CET (Europe/Brussels)"
    assert format_zone(SimpleNamespace(timezone="Asia/Dubai", start_date=date(2030, 1, 1))) == (
        "UTC+0400 (Asia/Dubai)"
    )


def test_date_ranges_read_naturally():
    assert format_date_range(date(2012, 12, 5), date(2012, 12, 5)) == "5 December 2012"
    assert format_date_range(date(2031, 5, 4), date(2031, 5, 5)) == "4\u20135 May 2031"
    assert format_date_range(date(2031, 4, 30), date(2031, 5, 2)) == "30 April \u2013 2 May 2031"
    assert format_date_range(date(2031, 12, 31), date(2032, 1, 1)) == (
        "31 December 2031 \u2013 1 January 2032"
    )


def test_sort_reads_the_query_and_links_flip_the_direction(app):
    columns = {"title": Conference.title, "start": Conference.start_date}
    with app.test_request_context("/?sort=title&dir=desc&page=3&group=eu"):
        sort = sort_from_request(columns, default="start")
        assert (sort.key, sort.direction) == ("title", "desc")
        assert sort.aria_sort("title") == "descending" and sort.aria_sort("start") is None
        assert sort.url("title") == "/?group=eu&sort=title&dir=asc", "page resets, filters stay"
        assert sort.url("start") == "/?group=eu&sort=start&dir=asc"
    with app.test_request_context("/?sort=password_hash&dir=sideways"):
        sort = sort_from_request(columns, default="start", direction="desc")
        assert (sort.key, sort.direction) == ("start", "desc"), "unknown input falls back"


def test_paginate_counts_and_clamps(app, make_conference):
    for n in range(7):
        make_conference(slug=f"conf-{n}")
    statement = sa.select(Conference).order_by(Conference.slug)
    with app.test_request_context("/?page=3"):
        page = paginate(statement, per_page=3)
        assert [c.slug for c in page.items] == ["conf-6"]
        assert (page.pages, page.first_index, page.last_index) == (3, 7, 7)
        assert page.has_previous and not page.has_next
    with app.test_request_context("/?page=99"):
        assert paginate(statement, per_page=3).page == 3
    with app.test_request_context("/?page=abc"):
        assert paginate(statement, per_page=3).page == 1
    assert Page(items=[], page=10, per_page=10, total=200).numbers() == [
        1, None, 8, 9, 10, 11, 12, None, 20,
    ]  # fmt: skip


def test_macros_render_accessible_markup(app):
    columns = {"title": Conference.title}
    with app.test_request_context("/?sort=title"):
        sort = sort_from_request(columns, default="title")
        page = Page(items=[], page=2, per_page=10, total=35)
        html = render_template_string(
            """{% from "macros/ui.html" import sort_header, pagination, status_badge,
                  confirm_action, empty_state %}
            {{ sort_header('Title', 'title', sort) }}
            {{ pagination(page) }}
            {{ status_badge('withdrawn') }}
            {{ confirm_action('/freeze', 'Freeze the text', 'Nobody can amend it afterwards.') }}
            {{ empty_state('No delegate yet.', 'Invite the delegations first.', '/invite', 'Invite') }}""",
            sort=sort,
            page=page,
        )
    assert 'aria-sort="ascending"' in html and 'href="/?sort=title&amp;dir=desc"' in html
    assert 'aria-current="page"' in html and "Showing 11\u201320 of 35" in html
    assert 'class="badge badge-bad"' in html and "Withdrawn</span>" in html
    assert '<details class="confirm' in html and 'name="confirm" value="yes"' in html
    assert 'name="csrf_token"' in html and "This cannot be undone." in html
    assert "No delegate yet." in html and 'href="/invite"' in html
    assert status_tone("approved") == "ok" and status_tone("something_new") == "neutral"


def test_choice_fields_are_fieldsets_with_a_legend_and_tied_errors(app):
    class ChoiceForm(FlaskForm):
        stance = RadioField("Your stance", choices=["Endorse", "Reserve"])

    with app.test_request_context("/", method="POST", data={}):
        form = ChoiceForm()
        form.validate()
        html = render_template_string(
            '{% from "macros/forms.html" import field %}{{ field(form.stance) }}', form=form
        )
    assert "<legend>Your stance</legend>" in html
    assert 'aria-describedby="stance-error"' in html and 'id="stance-error"' in html
    assert 'value="Endorse"' in html
    assert html.count('type="radio"') == 2 and "<span>Endorse</span>" in html


def test_download_progress_cookie_only_for_a_clean_token(app):
    with app.test_request_context("/?progress_token=abc123"):
        response = mark_download(app.response_class("file"))
        assert "alliance_download=abc123" in response.headers["Set-Cookie"]
    with app.test_request_context("/?progress_token=%3Cx%3E"):
        assert "Set-Cookie" not in mark_download(app.response_class("file")).headers


def test_templates_have_no_inline_scripts_or_styles():
    """A strict Content-Security-Policy forbids both: scripts and styles come from /static."""
    offenders = []
    paths = [*PROJECT.glob("alliance_conf/**/*.html"), *PROJECT.glob("plugins/**/*.html")]
    assert paths
    for path in paths:
        text = path.read_text("utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\sstyle=", text):
            offenders.append(str(path.relative_to(PROJECT)))
        if re.search(r"\son[a-z]+=", text):
            offenders.append(f"{path.relative_to(PROJECT)} (inline event handler)")
    assert not offenders, offenders


def test_pages_link_only_assets_served_by_the_app(client, seed):
    page = client.get("/conferences/global-alliance-2012").get_data(as_text=True)
    assets = re.findall(r'(?:href|src)="([^"]+\.(?:css|js|svg|woff2?))"', page)
    assert assets and all(url.startswith("/static/") for url in assets), assets
    for url in assets:
        response = client.get(url)
        response.close()  # static files are streamed from disk
        assert response.status_code == 200


def test_design_reference_is_for_organisers_and_staff(client, make_user, login):
    assert client.get("/design/").status_code == 302
    login(make_user(role="delegate"))
    assert client.get("/design/").status_code == 403
    client.post("/auth/logout")
    login(make_user(role="staff"))
    page = client.get("/design/?sort=status&dir=desc&page=2")
    assert page.status_code == 200
    assert b'aria-sort="descending"' in page.data and b'aria-current="page"' in page.data


def test_sample_irreversible_action_needs_the_confirmation(client, make_user, login):
    login(make_user(role="organiser"))
    assert client.post("/design/confirm").status_code == 400
    response = client.post("/design/confirm", data={"confirm": "yes"}, follow_redirects=True)
    assert "Confirmed." in response.get_data(as_text=True)


def test_sample_export_marks_its_download(client, make_user, login, monkeypatch):
    from alliance_conf.design import views

    monkeypatch.setattr(views, "EXPORT_DELAY_SECONDS", 0)
    login(make_user(role="staff"))
    response = client.get("/design/export.csv?progress_token=42")
    assert response.mimetype == "text/csv"
    assert "alliance_download=42" in response.headers["Set-Cookie"]
    assert response.get_data(as_text=True).startswith("code,name,status\n")


def test_sample_form_errors_are_tied_to_their_fields(client, make_user, login):
    login(make_user(role="organiser"))
    response = client.post("/design/", data={"email": "nope"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'role="alert"' in html and "Choose a function." in html
    assert 'aria-describedby="email-hint email-error"' in html
