"""Jinja filters that show dates and times in the conference's own time zone, zone named, in the
language of the page (Babel's month names and patterns).

Times are stored in UTC (``UTCDateTime``); people at a venue read them in local time, so every
page shows them converted, with the zone spelt out ("5 December 2012, 14:30 CET (Europe/Brussels)",
« 5 décembre 2012, 14:30 CET (Europe/Brussels) »). Outside an app context (and for a language
Babel does not know) the words are English.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import Flask, has_app_context

EN_DASH = "\u2013"


def _locale() -> str:
    """The language of the page (or of the e-mail being written, under ``force_locale``)."""
    if not has_app_context():
        return "en"
    from alliance_conf.i18n import current_language

    return current_language()


def conference_zone(conference=None) -> ZoneInfo:
    """The conference's time zone; UTC when there is no conference or its zone is unknown."""
    name = getattr(conference, "timezone", None) or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _zone_label(local: datetime, zone: ZoneInfo) -> str:
    abbreviation = local.tzname() or ""
    if zone.key == "UTC" or abbreviation in ("", zone.key) or abbreviation[0] in "+-":
        return "UTC" if zone.key == "UTC" else f"UTC{local:%z} ({zone.key})"
    return f"{abbreviation} ({zone.key})"


def _day_month(value: date, locale: str) -> str:
    return babel_dates.format_date(value, "d MMMM", locale=locale)


def format_date(value, conference=None) -> str:
    """``5 December 2012`` (« 5 décembre 2012 »); a datetime is first moved into the
    conference's zone."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = to_conference_time(value, conference).date()
    if not isinstance(value, date):
        return str(value)
    return babel_dates.format_date(value, "d MMMM y", locale=_locale())


def format_date_range(start, end, conference=None) -> str:
    """``5 December 2012``, ``4-5 May 2031`` or ``30 April - 2 May 2031`` (with en dashes)."""
    if not start:
        return ""
    if not end or end == start:
        return format_date(start, conference)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}{EN_DASH}{format_date(end, conference)}"
    if start.year == end.year:
        return f"{_day_month(start, _locale())} {EN_DASH} {format_date(end, conference)}"
    return f"{format_date(start, conference)} {EN_DASH} {format_date(end, conference)}"


def to_conference_time(value: datetime, conference=None) -> datetime:
    """Convert to the conference's zone; naive datetimes are taken as UTC (how they are stored)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(conference_zone(conference))


def format_datetime(value, conference=None) -> str:
    """``5 December 2012, 14:30 CET (Europe/Brussels)``: local time with the zone named."""
    if value is None or value == "":
        return ""
    if not isinstance(value, datetime):
        return format_date(value, conference)
    zone = conference_zone(conference)
    local = to_conference_time(value, conference)
    time = babel_dates.format_time(local, "HH:mm", locale=_locale())
    return f"{format_date(local.date())}, {time} {_zone_label(local, zone)}"


def format_time(value, conference=None) -> str:
    """``14:30``: the time of day in the conference's zone, for a page that names the zone once
    (``format_zone``) above a list of times of the same day."""
    if not isinstance(value, datetime):
        return ""
    local = to_conference_time(value, conference)
    return babel_dates.format_time(local, "HH:mm", locale=_locale())


def format_zone(conference=None) -> str:
    """The zone as the conference's pages name it: ``CET (Europe/Brussels)``, or ``UTC``."""
    zone = conference_zone(conference)
    start = getattr(conference, "start_date", None)
    moment = datetime.combine(start, datetime.min.time()) if start else datetime.now(UTC)
    local = moment.replace(tzinfo=zone) if start else moment.astimezone(zone)
    return _zone_label(local, zone)


def format_number(value) -> str:
    """``2,350`` in English, ``2 350`` (narrow no-break space) in French."""
    if value is None or value == "":
        return ""
    return babel_numbers.format_decimal(value, locale=_locale())


def iso_datetime(value) -> str:
    """Machine-readable value for ``<time datetime="...">`` (UTC, ISO 8601)."""
    if not isinstance(value, datetime):
        return value.isoformat() if isinstance(value, date) else ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def declaration_title(declaration) -> str:
    """A declaration's title in the page's language, when its text has one (see
    ``Declaration.title_in``)."""
    from alliance_conf.i18n import current_language

    return declaration.title_in(current_language())


def register_filters(app: Flask) -> None:
    app.jinja_env.filters.update(
        declaration_title=declaration_title,
        format_date=format_date,
        format_datetime=format_datetime,
        format_time=format_time,
        format_date_range=format_date_range,
        format_number=format_number,
        iso_datetime=iso_datetime,
    )
    app.jinja_env.globals["format_zone"] = format_zone
