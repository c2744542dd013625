"""Badges as PDF: A6 portrait, one badge per page (fpdf2), the QR code drawn by segno.

The text uses a Unicode TrueType font so that every name prints as typed (Łukasz, Ἀθηνᾶ,
Иван): ``BADGES_FONT`` (a .ttf path) or the first of DejaVu Sans and Liberation Sans the system
has (Debian: fonts-dejavu-core, fonts-liberation); without one, Helvetica with the characters
it lacks replaced, and a warning in the log.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import segno
from babel import Locale
from babel.dates import format_date
from flask import current_app
from fpdf import FPDF

from alliance_conf.badges.models import Badge
from alliance_conf.badges.operations import badge_language, qr_text
from alliance_conf.conferences.models import DEFAULT_GROUPS
from alliance_conf.delegations.countries import country_name
from alliance_conf.i18n import _, _l, force_locale

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 105.0, 148.0  # A6, millimetres
MARGIN = 7.0
QR_SIZE = 42.0
FONT_CANDIDATES = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
)
# Group colours (RGB): EU blue, a partner green, an observer grey; other groups get a stable
# colour of the palette from their key. The group is also printed as words: colour only repeats.
GROUP_COLOURS = {
    "eu_member": (0, 51, 153),
    "partner": (0, 110, 81),
    "observer": (96, 96, 96),
}
PALETTE = ((128, 40, 120), (176, 72, 0), (0, 96, 140), (120, 84, 0), (150, 20, 40))
# The default groups' labels, translated on badges printed in another language.
DEFAULT_GROUP_TITLES = {
    "eu_member": _l("EU member state"),
    "partner": _l("Partner country"),
    "observer": _l("Observer"),
}


def group_colour(group: str) -> tuple[int, int, int]:
    if group in GROUP_COLOURS:
        return GROUP_COLOURS[group]
    return PALETTE[hashlib.sha256(group.encode()).digest()[0] % len(PALETTE)]


def group_title(conference, group: str) -> str:
    label = conference.group_label(group)
    if group in DEFAULT_GROUP_TITLES and label == DEFAULT_GROUPS.get(group):
        return str(DEFAULT_GROUP_TITLES[group])
    return label


def delegation_title(delegation, language: str) -> str:
    """A state's name in the badge's language (Belgique, Belgium); an organisation as named."""
    if not delegation.is_state or not delegation.country_code:
        return delegation.name
    if language.split("_")[0] == "en":
        return country_name(delegation.country_code)
    try:
        return Locale.parse(language).territories.get(delegation.country_code, delegation.name)
    except (ValueError, LookupError):
        return delegation.name


def _dates(conference, language: str) -> str:
    start = format_date(conference.start_date, "long", locale=language)
    if conference.end_date == conference.start_date:
        return start
    return f"{start} \u2013 {format_date(conference.end_date, 'long', locale=language)}"


@dataclass
class BadgeFace:
    """What one badge shows, in its language."""

    conference_title: str
    conference_when: str
    honorific: str
    full_name: str
    position: str
    delegation: str
    group: str
    colour: tuple[int, int, int]
    qr: str


def badge_face(badge: Badge, language: str | None = None) -> BadgeFace:
    registration = badge.registration
    conference = badge.conference
    language = language or badge_language(registration)
    with force_locale(language):
        return BadgeFace(
            conference_title=conference.title,
            conference_when=f"{conference.city} · {_dates(conference, language)}",
            honorific=_("H.E.") if badge.excellency else "",
            full_name=registration.user.full_name,
            position=registration.position or "",
            delegation=delegation_title(badge.delegation, language),
            group=group_title(conference, badge.delegation.group),
            colour=group_colour(badge.delegation.group),
            qr=qr_text(badge),
        )


@lru_cache(maxsize=4)
def _font_files(configured: str | None) -> tuple[str, str] | None:
    if configured and Path(configured).is_file():
        return configured, configured
    for regular, bold in FONT_CANDIDATES:
        path = Path(regular)
        if path.is_file():
            bold_path = path.with_name(bold)
            return str(path), str(bold_path if bold_path.is_file() else path)
    return None


class _Document(FPDF):
    def __init__(self):
        super().__init__(orientation="P", unit="mm", format=(WIDTH, HEIGHT))
        self.set_auto_page_break(False)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_creator("alliance-conf")
        fonts = _font_files(current_app.config.get("BADGES_FONT"))
        if fonts:
            self.add_font("Badge", "", fonts[0])
            self.add_font("Badge", "B", fonts[1])
            self.badge_font, self.unicode = "Badge", True
        else:
            log.warning("no Unicode font found for badges: set BADGES_FONT to a .ttf file")
            self.badge_font, self.unicode = "Helvetica", False

    def text_of(self, value: str) -> str:
        if self.unicode:
            return value
        return value.encode("latin-1", "replace").decode("latin-1")

    def fitted(self, text: str, style: str, size: float, minimum: float, lines: int = 2):
        """Print ``text`` centred at the largest size down to ``minimum`` that fits ``lines``."""
        width = WIDTH - 2 * MARGIN
        text = self.text_of(text)
        while True:
            self.set_font(self.badge_font, style, size)
            if self.get_string_width(text) <= width * lines * 0.95 or size <= minimum:
                break
            size -= 1
        self.multi_cell(width, size * 0.45, text, align="C", new_x="LMARGIN", new_y="NEXT")

    def badge(self, face: BadgeFace) -> None:
        self.add_page()
        width = WIDTH - 2 * MARGIN
        red, green, blue = face.colour
        # Head band: the conference, white on the group colour.
        self.set_fill_color(red, green, blue)
        self.rect(0, 0, WIDTH, 24, style="F")
        self.set_text_color(255, 255, 255)
        self.set_xy(MARGIN, 4)
        self.fitted(face.conference_title, "B", 10, 7)
        self.set_font(self.badge_font, "", 7.5)
        self.cell(width, 4, self.text_of(face.conference_when), align="C")
        # The person.
        self.set_text_color(0, 0, 0)
        self.set_xy(MARGIN, 31)
        if face.honorific:
            self.set_font(self.badge_font, "", 11)
            self.cell(width, 5, self.text_of(face.honorific), align="C")
            self.ln(6)
        self.fitted(face.full_name, "B", 20, 11)
        if face.position:
            self.ln(1)
            self.fitted(face.position, "", 10, 7)
        self.ln(3)
        self.fitted(face.delegation.upper(), "B", 14, 9)
        # QR code, above the foot band.
        qr = segno.make(face.qr, error="m")
        image = io.BytesIO()
        qr.save(image, kind="png", scale=8, border=4)
        image.seek(0)
        foot = HEIGHT - 16
        self.image(image, x=(WIDTH - QR_SIZE) / 2, y=foot - QR_SIZE - 3, w=QR_SIZE, h=QR_SIZE)
        # Foot band: the group, in words, on its colour.
        self.set_fill_color(red, green, blue)
        self.rect(0, foot, WIDTH, HEIGHT - foot, style="F")
        self.set_text_color(255, 255, 255)
        self.set_xy(MARGIN, foot + 4)
        self.set_font(self.badge_font, "B", 12)
        self.cell(width, 8, self.text_of(face.group.upper()), align="C")


def render(badges, language: str | None = None, progress=None) -> bytes:
    """One PDF, one A6 page per badge, in the given order. ``progress(n)`` after each."""
    document = _Document()
    document.set_title("Badges")
    for n, badge in enumerate(badges, 1):
        document.badge(badge_face(badge, language))
        if progress is not None:
            progress(n)
    if document.page == 0:
        document.add_page()
    return bytes(document.output())


def badge_filename(badge) -> str:
    return f"{badge.conference.slug}-badge-{badge.public_id}.pdf"


def delegation_filename(delegation) -> str:
    name = (delegation.country_code or f"delegation-{delegation.id}").lower()
    return f"{delegation.conference.slug}-badges-{name}.pdf"


# --- batch printing (a background job) --------------------------------------------------------


def delegation_badges(delegation) -> list[Badge]:
    """The delegation's valid badges of approved members, by name."""
    import sqlalchemy as sa

    from alliance_conf.auth.models import User
    from alliance_conf.extensions import db
    from alliance_conf.registrations.models import Registration, RegistrationStatus

    return list(
        db.session.scalars(
            sa.select(Badge)
            .join(Registration, Registration.id == Badge.registration_id)
            .join(User, User.id == Registration.user_id)
            .where(
                Badge.delegation_id == delegation.id,
                Badge.revoked_at.is_(None),
                Registration.status == RegistrationStatus.approved,
            )
            .order_by(User.full_name, Badge.id)
        )
    )


def print_delegation_job(job, *, delegation_id: int, language: str | None = None) -> None:
    """A background job (``alliance_conf.jobs``): one PDF of a delegation's badges, kept on
    the job for the organiser who started it."""
    from alliance_conf.delegations.models import Delegation
    from alliance_conf.extensions import db
    from alliance_conf.jobs.operations import report_progress

    delegation = db.session.get(Delegation, delegation_id)
    if delegation is None:
        raise ValueError("the delegation is gone")
    badges = delegation_badges(delegation)
    report_progress(job, 0, len(badges), _("Printing the badges"))

    def progress(n):
        if n % 10 == 0:
            report_progress(job, n, len(badges), _("Printing the badges"))

    job.result = render(badges, language, progress)
    job.result_name = delegation_filename(delegation)
    job.result_type = "application/pdf"
    job.done, job.total, job.message = len(badges), len(badges), _("Ready")


def start_delegation_print(delegation, *, actor, language: str | None = None):
    """Start printing a delegation's badges in the background (organisers)."""
    from alliance_conf.auth.access import require_organiser
    from alliance_conf.i18n import configured_languages
    from alliance_conf.jobs.operations import start_job

    require_organiser(actor)
    if language is not None and language not in configured_languages():
        from alliance_conf.core.errors import ValidationFailed

        raise ValidationFailed(
            _("This language is not offered."), {"language": _("Choose an offered language.")}
        )
    params = {"delegation_id": delegation.id}
    if language:
        params["language"] = language
    return start_job(
        "alliance_conf.badges.pdf:print_delegation_job",
        title=_("Badges of %(delegation)s (PDF)", delegation=delegation.name),
        owner=actor,
        conference_id=delegation.conference_id,
        **params,
    )
