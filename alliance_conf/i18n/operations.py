"""Choosing the interface language."""

from __future__ import annotations

from alliance_conf.audit.operations import log_event
from alliance_conf.i18n.languages import validate_language


def set_user_language(user, code: str | None) -> str:
    """Save ``user``'s interface language (a configured code); returns it. Callers commit."""
    language = validate_language(code)
    if user.language != language:
        user.language = language
        log_event("user.language_changed", user, actor=user, data={"language": language})
    return language
