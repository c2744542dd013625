"""The words of each notification, in the language of whoever reads them.

One place for the in-app list, the API and the e-mail: ``title`` is the one-line summary,
``detail`` the reason, comment or code that goes with it ("" when there is none). Names, titles
and reasons are data, shown as they were typed.
"""

from __future__ import annotations

from datetime import date

from babel import Locale
from flask_babel import format_date, get_locale

from alliance_conf.i18n import _
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


def title(notification: Notification) -> str:
    d = _with_names(notification)
    kind = notification.kind
    if kind == NotificationKind.full_powers_granted:
        return _("You hold full powers to sign for %(delegation)s", delegation=d.get("delegation"))
    if kind == NotificationKind.full_powers_revoked:
        return _(
            "Your full powers to sign for %(delegation)s were revoked",
            delegation=d.get("delegation"),
        )
    if kind == NotificationKind.declaration_opened:
        return _("“%(declaration)s” is open for signature", declaration=d.get("declaration"))
    if kind == NotificationKind.signature_recorded:
        return _(
            "Your signature of “%(declaration)s” was recorded", declaration=d.get("declaration")
        )
    if kind == NotificationKind.signature_withdrawn:
        return _(
            "Your signature of “%(declaration)s” was withdrawn", declaration=d.get("declaration")
        )
    if kind == NotificationKind.amendment_accepted:
        return _(
            "Amendment #%(number)s of %(delegation)s to “%(declaration)s” was accepted",
            number=d.get("amendment"),
            delegation=d.get("delegation"),
            declaration=d.get("declaration"),
        )
    if kind == NotificationKind.amendment_rejected:
        return _(
            "Amendment #%(number)s of %(delegation)s to “%(declaration)s” was rejected",
            number=d.get("amendment"),
            delegation=d.get("delegation"),
            declaration=d.get("declaration"),
        )
    if kind == NotificationKind.report_returned:
        return _(
            "The report of %(delegation)s for “%(round)s” was returned for changes",
            delegation=d.get("delegation"),
            round=d.get("round"),
        )
    if kind == NotificationKind.report_reviewed:
        return _(
            "The report of %(delegation)s for “%(round)s” was reviewed",
            delegation=d.get("delegation"),
            round=d.get("round"),
        )
    if kind == NotificationKind.report_overdue:
        return _(
            "The report of %(delegation)s for “%(round)s” is overdue",
            delegation=d.get("delegation"),
            round=d.get("round"),
        )
    return str(kind)


def detail(notification: Notification) -> str:
    d = _with_names(notification)
    kind = notification.kind
    if kind == NotificationKind.full_powers_granted:
        return _("Instrument: %(reference)s.", reference=d.get("reference"))
    if kind == NotificationKind.full_powers_revoked:
        if d.get("reason"):
            return _("Reason: %(reason)s", reason=d["reason"])
        return _("Instrument of revocation: %(reference)s.", reference=d.get("reference"))
    if kind == NotificationKind.declaration_opened:
        return _(
            "The text is frozen; you may sign it for %(delegation)s.",
            delegation=d.get("delegation"),
        )
    if kind == NotificationKind.signature_recorded:
        return _(
            "Verification code: %(code)s. Anyone can check the signature with it.",
            code=d.get("code"),
        )
    if kind == NotificationKind.signature_withdrawn:
        return _("Reason: %(reason)s", reason=d.get("reason"))
    if kind == NotificationKind.amendment_accepted:
        return _("It is part of revision %(revision)s of the text.", revision=d.get("revision"))
    if kind == NotificationKind.amendment_rejected:
        return _("Reason: %(reason)s", reason=d.get("reason"))
    if kind in (NotificationKind.report_returned, NotificationKind.report_reviewed):
        if d.get("comment"):
            return _("Comment: %(comment)s", comment=d["comment"])
        return ""
    if kind == NotificationKind.report_overdue:
        return _("It was due on %(deadline)s.", deadline=_long_date(d.get("deadline")))
    return ""


def _long_date(value: str | None) -> str:
    try:
        return format_date(date.fromisoformat(value or ""), "long")
    except ValueError:
        return value or ""
