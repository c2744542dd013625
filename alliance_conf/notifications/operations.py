"""Writing notifications (one per recipient, with its e-mail) and reading one's own.

``notify`` is called by the hook reactions (``reactions.py``) inside the transaction of the
action, or after its commit where the action holds a lock; the caller commits. Nobody reads
another person's notifications: every reader here takes the user and filters by them.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask import current_app

from alliance_conf.core.db import utcnow
from alliance_conf.core.errors import NotFound
from alliance_conf.extensions import db
from alliance_conf.i18n import _, force_locale
from alliance_conf.mail.operations import queue_template
from alliance_conf.notifications.models import Notification, NotificationKind

PAGE_SIZE = 20


def _path(endpoint: str, values: dict) -> str:
    """The page's path, built without a request (reactions may run after commit)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def absolute(path: str) -> str:
    """An absolute link from ``PUBLIC_BASE_URL``, never from the request's ``Host``."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def recipient_language(user) -> str:
    languages = current_app.config["LANGUAGES"]
    language = getattr(user, "language", None)
    return language if language in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def notify(
    user,
    kind: NotificationKind,
    *,
    endpoint: str,
    values: dict,
    data: dict,
    conference_id: int | None = None,
    subject_key: str = "",
    mail: bool = True,
) -> Notification | None:
    """Tell ``user`` (an active account) what happened: the in-app notice and, with ``mail``,
    an e-mail in their language linking to the page concerned. Returns None for nobody."""
    if user is None or not user.is_active:
        return None
    notification = Notification(
        user_id=user.id,
        conference_id=conference_id,
        kind=kind,
        subject_key=subject_key[:100],
        data=data,
        link=_path(endpoint, values),
    )
    db.session.add(notification)
    db.session.flush()
    if mail:
        with force_locale(recipient_language(user)):
            from alliance_conf.notifications.texts import detail, title

            subject = title(notification)
            message = queue_template(
                user.email,
                subject,
                "notifications/notification",
                conference_id=conference_id,
                name=user.full_name,
                title=subject,
                detail=detail(notification),
                url=absolute(notification.link),
                list_url=absolute(_path("notifications.index", {})),
            )
        notification.mail_message_id = message.id
    return notification


def notify_each(users: Iterable, kind: NotificationKind, **kwargs) -> list[Notification]:
    """One notification per distinct person (a person listed twice is told once)."""
    seen: set[int] = set()
    written = []
    for user in users:
        if user is None or user.id in seen:
            continue
        seen.add(user.id)
        notification = notify(user, kind, **kwargs)
        if notification is not None:
            written.append(notification)
    return written


def already_told(user_ids: Iterable[int], kind: NotificationKind, subject_key: str) -> set[int]:
    """The people among ``user_ids`` who already have this notice about this subject."""
    ids = list(user_ids)
    if not ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(Notification.user_id).where(
                Notification.kind == kind,
                Notification.subject_key == subject_key,
                Notification.user_id.in_(ids),
            )
        )
    )


# --- recipients ------------------------------------------------------------------------------


def _approved(conference_id: int | None = None, delegation_id: int | None = None):
    from alliance_conf.registrations.models import Registration, RegistrationStatus

    statement = (
        sa.select(Registration)
        .where(Registration.status == RegistrationStatus.approved)
        .options(sa.orm.joinedload(Registration.user), sa.orm.joinedload(Registration.delegation))
        .order_by(Registration.id)
    )
    if conference_id is not None:
        statement = statement.where(Registration.conference_id == conference_id)
    if delegation_id is not None:
        statement = statement.where(Registration.delegation_id == delegation_id)
    return db.session.scalars(statement).unique().all()


def delegation_data(delegation) -> dict:
    """A delegation as a notification keeps it: its name as stored, and its country code so a
    country is named in the language of whoever reads it."""
    return {"delegation": delegation.name, "country": delegation.country_code or ""}


def conference_signatories(conference_id: int) -> list:
    """Approved registrations holding full powers in the conference."""
    return [r for r in _approved(conference_id=conference_id) if r.is_signatory]


def delegation_authorised(delegation_id: int) -> list:
    """The people who act for a delegation: head, minister, senior official or signatory."""
    from alliance_conf.declarations.operations import is_authorised

    return [r.user for r in _approved(delegation_id=delegation_id) if is_authorised(r)]


# --- reading one's own -----------------------------------------------------------------------


def own_notifications(user, *, unread_only: bool = False) -> sa.Select:
    """The person's notifications, newest first."""
    statement = (
        sa.select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.id.desc())
    )
    if unread_only:
        statement = statement.where(Notification.read_at.is_(None))
    return statement


def unread_count(user) -> int:
    """One count on the (user_id, read_at) index."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def total_count(user) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Notification).where(Notification.user_id == user.id)
    )


def get_own(notification_id: int, user) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        raise NotFound(_("You have no such notification."))  # the same answer for someone else's
    return notification


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = utcnow()


def mark_all_read(user) -> int:
    """Mark every unread notification of ``user`` read; returns how many were."""
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def unread_for_current_user() -> int:
    """The header's count: signed-in people only, counted once per request."""
    from flask import g
    from flask_login import current_user

    if not current_user.is_authenticated:
        return 0
    if "alliance_unread_notifications" not in g:
        g.alliance_unread_notifications = unread_count(current_user)
    return g.alliance_unread_notifications


def init_app(app) -> None:
    app.jinja_env.globals["unread_notifications"] = unread_for_current_user
