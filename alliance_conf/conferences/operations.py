"""Conference state changes. Callers commit; every change writes its audit event."""

from __future__ import annotations

import re
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa

from alliance_conf.audit.operations import log_event
from alliance_conf.conferences.models import DEFAULT_GROUPS, SLUG_PATTERN, Conference
from alliance_conf.core.errors import Conflict, FieldErrors, NotFound, ValidationFailed
from alliance_conf.core.inputs import unprintable
from alliance_conf.extensions import db
from alliance_conf.i18n import _


def get_conference(slug: str) -> Conference:
    conference = db.session.scalar(sa.select(Conference).where(Conference.slug == slug))
    if conference is None:
        raise NotFound(_("There is no conference '%(slug)s'.", slug=slug))
    return conference


def clean_conference_languages(languages, field: str = "languages") -> list[str]:
    """The conference's authentic languages, the drafting language first: at least one, each
    one of the installation's ``LANGUAGES``, none twice. None: the installation's default."""
    from alliance_conf.i18n import _, configured_languages
    from alliance_conf.i18n.languages import default_language

    if languages is None:
        return [default_language()]
    if isinstance(languages, str) or not isinstance(languages, list | tuple):
        message = _("List the language codes, e.g. en, fr.")
        raise ValidationFailed(message, {field: message})
    configured = configured_languages()
    cleaned: list[str] = []
    for code in languages:
        code = code.strip() if isinstance(code, str) else code
        if not isinstance(code, str) or code not in configured:
            message = _(
                "“%(code)s” is not one of this site's languages (%(choices)s).",
                code=str(code),
                choices=", ".join(configured),
            )
            raise ValidationFailed(message, {field: message})
        if code in cleaned:
            message = _("“%(code)s” is listed twice.", code=code)
            raise ValidationFailed(message, {field: message})
        cleaned.append(code)
    if not cleaned:
        message = _("A conference has at least one language.")
        raise ValidationFailed(message, {field: message})
    return cleaned


def set_conference_languages(conference: Conference, languages, *, actor=None) -> Conference:
    """Change the authentic languages. The drafting language (the first) cannot change once the
    conference has a declaration; a language added later starts as a copy of the text with
    every item marked "translation needed"."""
    from alliance_conf.declarations.models import Declaration
    from alliance_conf.i18n import _

    cleaned = clean_conference_languages(languages)
    has_declaration = db.session.scalar(
        sa.select(Declaration.id).where(Declaration.conference_id == conference.id).limit(1)
    )
    old = list(conference.languages or ["en"])
    if has_declaration is not None and cleaned[0] != old[0]:
        message = _(
            "The declarations of this conference are drafted in “%(code)s”; it stays the first "
            "language.",
            code=old[0],
        )
        raise ValidationFailed(message, {"languages": message})
    if cleaned != old:
        conference.languages = cleaned
        db.session.flush()
        log_event(
            "conference.languages_changed",
            conference,
            actor=actor,
            conference_id=conference.id,
            data={"from": old, "to": cleaned},
        )
    return conference


def validate_conference_fields(
    *, slug: str, title: str, city: str, start_date: date, end_date: date, timezone: str
) -> None:
    errors = {}
    if not re.match(SLUG_PATTERN, slug or "") or not 3 <= len(slug) <= 80:
        errors["slug"] = _("Use 3 to 80 lower-case letters, digits and single hyphens.")
    if not (title or "").strip():
        errors["title"] = _("A title is required.")
    if not (city or "").strip():
        errors["city"] = _("A city is required.")
    if start_date and end_date and end_date < start_date:
        errors["end_date"] = _("The conference cannot end before it starts.")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = _(
            "'%(zone)s' is not a known time zone (e.g. Europe/Brussels).", zone=timezone
        )
    if errors:
        raise ValidationFailed(_("The conference has invalid fields."), errors)


def check_new_conference(
    *,
    slug: str,
    title: str,
    city: str,
    start_date: date | None,
    end_date: date | None,
    venue: str = "",
    timezone: str = "UTC",
    co_chairs: list[dict] | None = None,
    groups: dict[str, str] | None = None,
    languages: list[str] | None = None,
) -> list[str]:
    """Every check of a new conference's fields at once: one ValidationFailed naming each
    refused field. Returns the cleaned languages. Reads nothing from the database."""
    errors = FieldErrors()
    cleaned_languages = errors.check(clean_conference_languages, languages)
    texts = {"title": title, "city": city, "venue": venue}
    for index, chair in enumerate(co_chairs or []):
        texts[f"co_chairs.{index}.name"] = chair.get("name")
        texts[f"co_chairs.{index}.title"] = chair.get("title")
    for key, label in (groups or {}).items():
        texts[f"groups.{key}"] = f"{key}{label}"
    bad = {
        field: _("Control characters cannot be stored; use plain text.")
        for field, text in texts.items()
        if isinstance(text, str) and unprintable(text)
    }
    if bad:
        errors.add(_("The conference has invalid fields."), bad)
    errors.check(
        validate_conference_fields,
        slug=slug,
        title=title,
        city=city,
        start_date=start_date,
        end_date=end_date,
        timezone=timezone,
    )
    errors.raise_any()
    return cleaned_languages


def create_conference(
    *,
    slug: str,
    title: str,
    city: str,
    start_date: date,
    end_date: date,
    venue: str = "",
    timezone: str = "UTC",
    co_chairs: list[dict] | None = None,
    groups: dict[str, str] | None = None,
    languages: list[str] | None = None,
    actor=None,
) -> Conference:
    slug = (slug or "").strip().lower()
    languages = check_new_conference(
        slug=slug,
        title=title,
        city=city,
        venue=venue,
        start_date=start_date,
        end_date=end_date,
        timezone=timezone,
        co_chairs=co_chairs,
        groups=groups,
        languages=languages,
    )
    if db.session.scalar(sa.select(Conference.id).where(Conference.slug == slug)) is not None:
        raise Conflict(
            _("The slug '%(slug)s' is already taken.", slug=slug), {"slug": _("Already taken.")}
        )
    conference = Conference(
        slug=slug,
        title=title.strip(),
        city=city.strip(),
        venue=(venue or "").strip(),
        start_date=start_date,
        end_date=end_date,
        timezone=timezone,
        co_chairs=[
            {"name": c["name"].strip(), "title": (c.get("title") or "").strip()}
            for c in co_chairs or []
        ],
        groups=dict(groups or DEFAULT_GROUPS),
        languages=languages,
    )
    db.session.add(conference)
    db.session.flush()
    log_event("conference.created", conference, actor=actor, conference_id=conference.id)
    return conference
