"""Helpers behind the page macros in ``templates/macros/ui.html``: sortable tables and pages.

Both work without JavaScript: sorting and paging are plain links carrying ``?sort=``, ``&dir=``
and ``&page=``, so a table can be bookmarked, shared and read by any browser.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask, request, url_for

from alliance_conf.core.inputs import int_arg
from alliance_conf.extensions import db

ASCENDING = "asc"
DESCENDING = "desc"

# Words used by the domain's status enums, mapped to a badge tone. The text of the badge always
# carries the meaning; the tone only repeats it.
STATUS_TONES = {
    "ok": {
        "approved",
        "accredited",
        "active",
        "signed",
        "final",
        "adopted",
        "open",
        "registration_open",
        "in_session",
        "endorsed",
        "done",
        "valid",
        "verified",
    },
    "warn": {
        "pending",
        "submitted",
        "invited",
        "draft",
        "under_review",
        "frozen",
        "open_for_signature",
        "reservation",
        "awaiting",
    },
    "bad": {
        "rejected",
        "withdrawn",
        "revoked",
        "cancelled",
        "expired",
        "invalid",
        "failed",
        "declined",
    },
    "info": {"preparation", "concluded", "closed", "archived"},
}


def status_tone(value) -> str:
    key = str(getattr(value, "value", value) or "").lower()
    for tone, words in STATUS_TONES.items():
        if key in words:
            return tone
    return "neutral"


def status_label(value) -> str:
    title = getattr(value, "title", None)
    if isinstance(title, str):
        return title
    return str(getattr(value, "value", value) or "").replace("_", " ").capitalize()


def _current_url(**changes) -> str:
    args = {k: v for k, v in request.args.items() if k not in changes}
    args.update({k: v for k, v in changes.items() if v is not None})
    return url_for(request.endpoint, **(request.view_args or {}), **args)


@dataclass
class Sort:
    """The sort a table is shown in, read from ``?sort=<key>&dir=asc|desc``."""

    key: str
    direction: str
    columns: Mapping[str, object]

    @property
    def descending(self) -> bool:
        return self.direction == DESCENDING

    def order_by(self) -> list:
        column = self.columns[self.key]
        return [column.desc() if self.descending else column.asc()]

    def aria_sort(self, key: str) -> str | None:
        if key != self.key:
            return None
        return "descending" if self.descending else "ascending"

    def url(self, key: str) -> str:
        """The link of a column header: the same column again flips the direction."""
        direction = ASCENDING
        if key == self.key and not self.descending:
            direction = DESCENDING
        return _current_url(sort=key, dir=direction, page=None)


def sort_from_request(
    columns: Mapping[str, object], default: str, direction: str = ASCENDING
) -> Sort:
    """Read the requested sort; unknown keys fall back to the default, never to an error."""
    key = request.args.get("sort", default)
    if key not in columns:
        key = default
    wanted = request.args.get("dir", direction)
    if wanted not in (ASCENDING, DESCENDING):
        wanted = direction
    return Sort(key=key, direction=wanted, columns=columns)


@dataclass
class Page:
    """One page of a list, with links to its neighbours."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_index(self) -> int:
        return 0 if self.total == 0 else (self.page - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.per_page)

    def url(self, number: int) -> str:
        return _current_url(page=str(number))

    def numbers(self, around: int = 2) -> list[int | None]:
        """Page numbers to link, with ``None`` where a gap is shown (1 … 4 5 6 … 20)."""
        shown = {1, self.pages}
        shown.update(range(max(1, self.page - around), min(self.pages, self.page + around) + 1))
        result: list[int | None] = []
        previous = 0
        for number in sorted(shown):
            if number - previous > 1:
                result.append(None)
            result.append(number)
            previous = number
        return result


def page_number() -> int:
    return max(1, int_arg("page", 1))


def paginate(statement: sa.Select, per_page: int = 50, page: int | None = None) -> Page:
    """Run ``statement`` for one page (Flask-SQLAlchemy's ``db.paginate``); a page past the end
    shows the last page."""
    page = page_number() if page is None else max(1, page)
    result = db.paginate(statement, page=page, per_page=per_page, error_out=False)
    if page > 1 and not result.items and result.total:
        page = max(1, math.ceil(result.total / per_page))
        result = db.paginate(statement, page=page, per_page=per_page, error_out=False)
    return Page(items=list(result.items), page=page, per_page=per_page, total=result.total or 0)


PROGRESS_COOKIE = "alliance_download"


def mark_download(response):
    """Tell the page's progress indicator that a long download has started (see alliance.js).

    An export view passes its file response through this; the form sends ``progress_token``."""
    token = request.values.get("progress_token", "")
    if token and token.isalnum() and len(token) <= 40:
        response.set_cookie(PROGRESS_COOKIE, token, max_age=60, samesite="Lax", httponly=False)
    return response


def register_ui_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(status_tone=status_tone, status_label=status_label)
