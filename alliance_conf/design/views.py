from __future__ import annotations

import time
from datetime import UTC, date, datetime
from types import SimpleNamespace

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for

from alliance_conf.auth.access import roles_required
from alliance_conf.auth.models import UserRole
from alliance_conf.conferences.models import Conference
from alliance_conf.delegations.countries import country_name
from alliance_conf.design.forms import SampleForm
from alliance_conf.extensions import db
from alliance_conf.i18n import _, _l
from alliance_conf.ui import Page, mark_download, page_number, sort_from_request

SAMPLE_CONFERENCE = SimpleNamespace(
    slug="sample",
    title="Sample ministerial conference",
    city="Brussels",
    venue="",
    co_chairs=[],
    timezone="Europe/Brussels",
    start_date=date(2031, 5, 4),
    end_date=date(2031, 5, 5),
)
SAMPLE_CODES = [
    "AL",
    "AT",
    "AU",
    "BE",
    "BG",
    "CA",
    "CH",
    "CY",
    "CZ",
    "DE",
    "DK",
    "EE",
    "ES",
    "FI",
    "FR",
    "GB",
    "GE",
    "GH",
    "GR",
    "HR",
    "HU",
    "IE",
    "IT",
    "JP",
    "KH",
    "KR",
    "LT",
    "LU",
    "LV",
    "MD",
    "ME",
    "MT",
    "NG",
    "NL",
    "NO",
    "NZ",
    "PH",
    "PL",
    "PT",
    "RO",
    "RS",
    "SE",
    "SI",
    "SK",
    "TH",
    "TR",
    "UA",
    "US",
    "VN",
]
STATUS_LABELS = {
    "approved": _l("Approved"),
    "pending": _l("Pending"),
    "invited": _l("Invited"),
    "withdrawn": _l("Withdrawn"),
    "concluded": _l("Concluded"),
    "draft_note": _l("Draft note"),
}
STATUSES = ("approved", "pending", "invited", "withdrawn")
PER_PAGE = 10
EXPORT_DELAY_SECONDS = 1.0
SORT_KEYS = {"name": None, "status": None, "updated": None}


def _sample_rows() -> list[SimpleNamespace]:
    rows = []
    for n, code in enumerate(SAMPLE_CODES):
        rows.append(
            SimpleNamespace(
                code=code,
                name=country_name(code),
                status=STATUSES[n % len(STATUSES)],
                delegates=(n * 7) % 5,
                updated=datetime(2031, 4, 1 + n % 28, 8 + n % 10, (n * 13) % 60, tzinfo=UTC),
            )
        )
    return rows


allowed = roles_required(UserRole.organiser, UserRole.staff)


@allowed
def reference():
    form = SampleForm()
    submitted = request.method == "POST" and form.validate_on_submit()
    if submitted:
        flash(_("The sample form is valid (nothing was stored)."), "success")
        return redirect(url_for("design.reference"))
    sort = sort_from_request(SORT_KEYS, default="name")
    rows = sorted(_sample_rows(), key=lambda r: getattr(r, sort.key), reverse=sort.descending)
    number = page_number()
    pages = max(1, -(-len(rows) // PER_PAGE))
    number = min(number, pages)
    page = Page(
        items=rows[(number - 1) * PER_PAGE : number * PER_PAGE],
        page=number,
        per_page=PER_PAGE,
        total=len(rows),
    )
    status = 422 if form.errors else 200
    # The newest real conference, if any, so that the header shows its conference bar.
    conference = db.session.scalar(sa.select(Conference).order_by(Conference.start_date.desc()))
    return render_template(
        "design/reference.html",
        conference=conference,
        form=form,
        sort=sort,
        page=page,
        sample_conference=SAMPLE_CONFERENCE,
        sample_time=datetime(2031, 5, 4, 7, 30, tzinfo=UTC),
        status_labels=STATUS_LABELS,
    ), status


@allowed
def confirm():
    """The target of the sample irreversible action: refuses a POST without ``confirm=yes``."""
    if request.form.get("confirm") != "yes":
        abort(400, _("Confirm the action first."))
    flash(_("Confirmed. (A sample action: nothing was changed.)"), "success")
    return redirect(url_for("design.reference"))


@allowed
def export():
    """A sample long export: a small CSV after a short wait, to show the progress indicator."""
    time.sleep(EXPORT_DELAY_SECONDS)
    rows = _sample_rows()
    body = "code,name,status\n" + "".join(f"{r.code},{r.name},{r.status}\n" for r in rows)
    response = current_app.response_class(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="sample-delegations.csv"'
    return mark_download(response)
