"""Access rules for web views. Every view declares one; a test walks the URL map to prove it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import abort
from flask_login import current_user

from alliance_conf.extensions import login_manager


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
