"""Who may do what.

Access rules for web views (every view declares one; a test walks the URL map to prove it), and the
plain predicates operations, views, the API and plugins share: who is signed in, who is an organiser
or on the conference team, who is an approved member of a conference.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from alliance_conf.auth.models import UserRole
from alliance_conf.core.errors import PermissionDenied
from alliance_conf.extensions import db, login_manager
from alliance_conf.registrations.models import Registration, RegistrationStatus

# --- who is who ------------------------------------------------------------------------------


def signed_in(user):
    """``user`` when it is a signed-in user, else None (anonymous visitors and the CLI's None)."""
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def is_organiser(user) -> bool:
    user = signed_in(user)
    return user is not None and user.has_role(UserRole.organiser)


def is_team(user) -> bool:
    """Organisers and staff (admins included)."""
    user = signed_in(user)
    return user is not None and user.has_role(UserRole.organiser, UserRole.staff)


def is_translator(user) -> bool:
    """Staff granted the translator permission, and organisers (admins included), who may do
    anything to a declaration's text."""
    user = signed_in(user)
    if user is None:
        return False
    return is_organiser(user) or (bool(user.is_translator) and is_team(user))


def membership(user, conference_id: int) -> Registration | None:
    """The user's approved registration at the conference, if any."""
    user = signed_in(user)
    if user is None:
        return None
    return db.session.scalar(
        sa.select(Registration).where(
            Registration.conference_id == conference_id,
            Registration.user_id == user.id,
            Registration.status == RegistrationStatus.approved,
        )
    )


def require_organiser(actor) -> None:
    """Organisers, admins and the system (``actor=None``, the CLI) pass."""
    if actor is not None and not is_organiser(actor):
        raise PermissionDenied("Only organisers can do this.")


# --- web views -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    """``public``: anyone; otherwise a signed-in user, of one of ``roles`` when roles are named.

    Admins pass every role check. Object-level rules (own delegation only) are checked by the
    operations and views on top of this.
    """

    public: bool = False
    roles: frozenset[str] = frozenset()

    def allows(self, user) -> bool:
        if self.public:
            return True
        if user is None or not user.is_authenticated:
            return False
        return not self.roles or user.has_role(*self.roles)


def _guard(rule: Access):
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not rule.public:
                if not current_user.is_authenticated:
                    return login_manager.unauthorized()
                if not rule.allows(current_user):
                    abort(403)
            return view(*args, **kwargs)

        wrapper.access = rule
        return wrapper

    return decorator


def public(view):
    """Open to anonymous visitors."""
    return _guard(Access(public=True))(view)


def login_required(view):
    """Any signed-in user; the view narrows further by object."""
    return _guard(Access())(view)


def roles_required(*roles):
    """Signed-in users holding one of ``roles`` (admins always pass)."""
    return _guard(Access(roles=frozenset(str(r) for r in roles)))
