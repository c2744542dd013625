"""The seed conference's draft declaration, written from the launch press release, in English
and in French (both texts equally authentic)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from alliance_conf.conferences.models import Conference
from alliance_conf.declarations.models import Declaration
from alliance_conf.declarations.operations import create_declaration
from alliance_conf.extensions import db

TITLE = "Declaration on launching the Global Alliance against Child Sexual Abuse Online"


def seed_content(seed: dict) -> dict:
    conference = seed["conference"]
    groups = seed["delegations"]
    day = date.fromisoformat(conference["start_date"])
    chairs = " and the ".join(chair["title"] for chair in conference["co_chairs"])
    return {
        "title": TITLE,
        "preamble": [
            {
                "key": "participants",
                "text": (
                    f"We, the representatives of the {len(groups['eu_member'])} Member States "
                    f"of the European Union and of {len(groups['partner'])} partner countries, "
                    f"meeting in {conference['city']} on {day.day} {day:%B %Y} at the launch of the "
                    f"Global Alliance against Child Sexual Abuse Online, co-chaired by the "
                    f"{chairs},"
                ),
            },
            {
                "key": "purpose",
                "text": (
                    "Determined to unite our efforts so that more victims of child sexual abuse "
                    "online are identified and assisted, more offenders are investigated and "
                    "prosecuted, children are more aware of the risks they face online, and "
                    "less child abuse material is available online,"
                ),
            },
        ],
        "commitments": [
            {"key": c["key"], "title": c["title"], "text": c["text"]} for c in seed["commitments"]
        ],
        "closing": [
            {
                "key": "follow-up",
                "text": (
                    "We commit to pursuing these goals at home and together, as members of the "
                    "Global Alliance against Child Sexual Abuse Online."
                ),
            }
        ],
    }


def seed_content_fr(seed: dict) -> dict:
    """The French text of the seed declaration, item by item (same keys, same order), from the
    seed's ``french`` part and the French of each commitment."""
    french = seed["french"]
    groups = seed["delegations"]
    day = date.fromisoformat(seed["conference"]["start_date"])
    values = {
        "eu_members": len(groups["eu_member"]),
        "partners": len(groups["partner"]),
        "city": french["city"],
        "date": f"{'1er' if day.day == 1 else day.day} {french['months'][day.month - 1]} "
        f"{day.year}",
    }
    return {
        "title": french["title"],
        "preamble": [
            {"key": key, "text": text.format(**values)} for key, text in french["preamble"].items()
        ],
        "commitments": [
            {"key": c["key"], "title": c["fr"]["title"], "text": c["fr"]["text"]}
            for c in seed["commitments"]
        ],
        "closing": [{"key": key, "text": text} for key, text in french["closing"].items()],
    }


SEED_TEXTS = {"fr": seed_content_fr}


def load_demo_declaration(conference: Conference, seed: dict, author=None) -> Declaration | None:
    """Create the draft unless the conference already has a declaration (idempotent)."""
    exists = db.session.scalar(
        sa.select(Declaration.id).where(Declaration.conference_id == conference.id).limit(1)
    )
    if exists is not None:
        return None
    content = seed_content(seed)
    translations = {
        language: SEED_TEXTS[language](seed)
        for language in (conference.languages or ["en"])[1:]
        if language in SEED_TEXTS
    }
    return create_declaration(
        conference,
        title=content.pop("title"),
        content=content,
        translations=translations,
        message="First draft, from the launch press release",
        actor=author,
    )
