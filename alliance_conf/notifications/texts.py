"""The words of each notification, in the language of whoever reads them.

One place for the in-app list, the API and the e-mail: ``title`` is the one-line summary,
``detail`` the reason, comment or code that goes with it ("" when there is none). Names, titles
and reasons are data, shown as they were typed.
"""

from __future__ import annotations

from datetime import date

from babel import Locale
from flask_babel import format_date, get_locale

from alliance_conf.i18n import _l
from alliance_conf.notifications.models import Notification, NotificationKind


def _with_names(notification: Notification) -> dict:
    """The stored data, with a country delegation named in the reader's language."""
    d = dict(notification.data or {})
    code = d.get("country")
    if code:
        d["delegation"] = country_name(code, str(get_locale() or "en")) or d.get("delegation")
    return d


def country_name(code: str, language: str) -> str | None:
    try:
        return Locale.parse(language).territories.get(code)
    except (ValueError, TypeError):
        return None


K = NotificationKind

TITLES = {
    K.full_powers_granted: _l("You hold full powers to sign for %(delegation)s"),
    K.full_powers_revoked: _l("Your full powers to sign for %(delegation)s were revoked"),
    K.declaration_opened: _l("“%(declaration)s” is open for signature"),
    K.signature_recorded: _l("Your signature of “%(declaration)s” was recorded"),
    K.signature_withdrawn: _l("Your signature of “%(declaration)s” was withdrawn"),
    K.amendment_accepted: _l(
        "Amendment #%(number)s of %(delegation)s to “%(declaration)s” was accepted"
    ),
    K.amendment_rejected: _l(
        "Amendment #%(number)s of %(delegation)s to “%(declaration)s” was rejected"
    ),
    K.report_returned: _l("The report of %(delegation)s for “%(round)s” was returned for changes"),
    K.report_reviewed: _l("The report of %(delegation)s for “%(round)s” was reviewed"),
    K.report_overdue: _l("The report of %(delegation)s for “%(round)s” is overdue"),
}

REASON = _l("Reason: %(reason)s")
COMMENT = _l("Comment: %(comment)s")
# What goes with a title; a kind with two entries uses the first when its field is filled.
DETAILS = {
    K.full_powers_granted: [(None, _l("Instrument: %(reference)s."))],
    K.full_powers_revoked: [
        ("reason", REASON),
        (None, _l("Instrument of revocation: %(reference)s.")),
    ],
    K.declaration_opened: [(None, _l("The text is frozen; you may sign it for %(delegation)s."))],
    K.signature_recorded: [
        (None, _l("Verification code: %(code)s. Anyone can check the signature with it."))
    ],
    K.signature_withdrawn: [("reason", REASON)],
    K.amendment_accepted: [(None, _l("It is part of revision %(revision)s of the text."))],
    K.amendment_rejected: [("reason", REASON)],
    K.report_returned: [("comment", COMMENT)],
    K.report_reviewed: [("comment", COMMENT)],
    K.report_overdue: [(None, _l("It was due on %(deadline)s."))],
}


class _Fields(dict):
    """The stored data as format fields; a field the data lacks reads as nothing."""

    def __missing__(self, key):
        return ""


def _fields(notification: Notification) -> _Fields:
    d = _with_names(notification)
    d["number"] = d.get("amendment")
    if "deadline" in d:
        d["deadline"] = _long_date(d.get("deadline"))
    return _Fields({key: "" if value is None else value for key, value in d.items()})


def title(notification: Notification) -> str:
    template = TITLES.get(notification.kind)
    return str(template) % _fields(notification) if template else str(notification.kind)


def detail(notification: Notification) -> str:
    fields = _fields(notification)
    for needs, template in DETAILS.get(notification.kind, []):
        if needs is None or fields.get(needs):
            return str(template) % fields
    return ""


def _long_date(value: str | None) -> str:
    try:
        return format_date(date.fromisoformat(value or ""), "long")
    except ValueError:
        return value or ""
