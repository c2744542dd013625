# ruff: noqa: RUF001 - the French text uses the typographic apostrophe (U+2019) on purpose
"""The seed conference's week, played through the real operations at the story's own times.

Monday 3 December 2012: delegates register and are accredited (some stay pending), the staff
member Samuel Staff becomes the translator and the draft goes to consultation. Tuesday 4: four
amendments (two accepted, one rejected with its reason, one withdrawn by its delegation) and the
French text brought back in step. Wednesday 5, in Brussels: full powers checked, the text opened
for signature at 10:00, then the plugins play their part (``alliance_demo_week``): signatures
(one with a reservation, one withdrawn and signed again), then the first reporting round.

Every step runs under a ``StoryClock`` (``alliance_conf.core.db``), so the timestamps the
operations write, the hashed ones of the signature chain included, are the story's. Each step
commits (signing commits its re-authentication anyway, and the reactions that run after a commit
must run at the story's time too); a step already played, or a text someone has already moved on,
is left as it is, so playing the week again changes nothing. The mail the story writes is held
in the outbox (queued, never sent on commit): it is 2012's mail.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from alliance_conf.auth.models import User, UserRole
from alliance_conf.auth.operations import create_user, find_user_by_email, set_translator
from alliance_conf.conferences.models import Conference
from alliance_conf.core.db import StoryClock, replayed_time
from alliance_conf.declarations import amendments, transitions
from alliance_conf.declarations.models import (
    Amendment,
    AmendmentState,
    Declaration,
    DeclarationRevision,
    DeclarationState,
)
from alliance_conf.declarations.operations import save_translation
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.i18n import _
from alliance_conf.plugins import hook
from alliance_conf.registrations.models import Registration, RegistrationStatus
from alliance_conf.registrations.operations import (
    change_status,
    create_registration,
    register_on_behalf,
)
from alliance_conf.registrations.powers import Instrument, grant_full_powers

BRUSSELS = ZoneInfo("Europe/Brussels")
EMAIL_DOMAIN = "demo.alliance-conf.org"
TRANSLATED = "French brought in step with the accepted amendments"


def brussels(day: int, hour: int, minute: int = 0, *, month: int = 12, year: int = 2012):
    """A wall-clock time in Brussels (the conference's zone), as an aware datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=BRUSSELS)


# The day-one state is dated the Thursday before the conference (the Belgian head's instrument
# of full powers is dated 28 November).
DAY_ONE = brussels(29, 10, month=11)


@dataclass(frozen=True)
class Person:
    """One delegate of the week. ``signs``: an instrument of full powers (reference, authority,
    date) is checked for them on 5 December; they register themselves (with a password);
    the others are registered by the organiser (no password until they set one)."""

    key: str
    code: str
    full_name: str
    function: str
    position: str
    organisation: str = ""
    approved: bool = True
    signs: tuple[str, str, date] | None = None

    @property
    def email(self) -> str:
        return f"{self.key}@{EMAIL_DOMAIN}"


PEOPLE = (
    Person("head.us", "US", "Daniel Whitaker", "head_of_delegation", "Deputy Attorney General",
           "U.S. Department of Justice", signs=("US/DOS/2012/FP-0412", "foreign_minister", date(2012, 11, 26))),
    Person("adviser.us", "US", "Emily Carter", "adviser", "Senior Counsel", "U.S. Department of Justice"),
    Person("minister.fr", "FR", "Camille Laurent", "minister", "Minister of Justice",
           "Ministère de la Justice", signs=("FR/MAE/2012/PP-0987", "foreign_minister", date(2012, 11, 27))),
    Person("adviser.fr", "FR", "Julien Moreau", "adviser", "Legal Adviser", "Ministère de la Justice"),
    Person("head.de", "DE", "Markus Brandt", "head_of_delegation", "Parliamentary State Secretary",
           "Federal Ministry of the Interior", signs=("DE/AA/2012/VM-2231", "foreign_minister", date(2012, 11, 23))),
    Person("adviser.de", "DE", "Anna Schneider", "adviser", "Head of Unit", "Bundeskriminalamt", approved=False),
    Person("minister.nl", "NL", "Pieter van Dijk", "minister", "Minister of Security and Justice",
           "Ministerie van Veiligheid en Justitie", signs=("NL/BZ/2012/VM-0318", "foreign_minister", date(2012, 11, 28))),
    Person("adviser.nl", "NL", "Sanne de Vries", "adviser", "Policy Adviser", "Ministerie van Veiligheid en Justitie"),
    Person("head.ro", "RO", "Andrei Popescu", "head_of_delegation", "State Secretary",
           "Ministry of Internal Affairs", signs=("RO/MAE/2012/DP-1452", "foreign_minister", date(2012, 11, 29))),
    Person("minister.se", "SE", "Karin Lindqvist", "minister", "Minister for Justice",
           "Ministry of Justice", signs=("SE/UD/2012/FM-0077", "head_of_government", date(2012, 11, 22))),
    Person("head.jp", "JP", "Hiroshi Tanaka", "head_of_delegation", "Ambassador to the European Union",
           "Mission of Japan to the European Union", signs=("JP/MOFA/2012/FP-3310", "foreign_minister", date(2012, 11, 30))),
    Person("head.au", "AU", "Sarah Mitchell", "head_of_delegation", "Ambassador to Belgium and the European Union",
           "Embassy of Australia", signs=("AU/DFAT/2012/FP-0562", "foreign_minister", date(2012, 11, 27))),
    Person("adviser.be", "BE", "Thomas Peeters", "adviser", "Attaché", "Federal Public Service Justice"),
    Person("head.gb", "GB", "James Whitfield", "head_of_delegation", "Director, Safeguarding",
           "Home Office"),
    Person("head.ca", "CA", "Marie Tremblay", "head_of_delegation", "Assistant Deputy Minister",
           "Public Safety Canada", approved=False),
    Person("official.it", "IT", "Giulia Rossi", "senior_official", "Director, Postal and Communications Police",
           "Ministero dell’Interno", approved=False),
)  # fmt: skip


@dataclass(frozen=True)
class Proposal:
    """An amendment of Tuesday 4 December and what became of it (``fate``: accepted, rejected,
    withdrawn), with the French of an accepted replacement for the translator."""

    author: str
    at: datetime
    kind: str
    target_key: str
    justification: str
    fate: str
    text: str | None = None
    title: str | None = None
    reason: str = ""
    supporters: tuple[str, ...] = ()
    french: str = ""


PROPOSALS = (
    Proposal(
        "head.us",
        brussels(4, 9, 30),
        "replace",
        "offenders",
        "Most of these cases cross borders: the text should name the cooperation between police "
        "forces that makes the investigations possible.",
        "accepted",
        text="Enhancing efforts to investigate cases of child sexual abuse online and to "
        "identify and prosecute offenders, including through cooperation between law "
        "enforcement authorities across borders.",
        supporters=("minister.fr", "minister.nl"),
        french="Intensifier les efforts visant à enquêter sur les cas d’abus sexuels commis "
        "contre des enfants en ligne ainsi qu’à identifier et à poursuivre les auteurs de ces "
        "infractions, y compris par la coopération transfrontière entre les services répressifs.",
    ),
    Proposal(
        "minister.fr",
        brussels(4, 9, 50),
        "replace",
        "awareness",
        "Parents and teachers are children's first protection; they should be named with them.",
        "accepted",
        text="Increasing the awareness of children, parents and teachers of online risks, "
        "including the self-production of images and 'grooming' methods used by paedophiles.",
        supporters=("head.de",),
        french="Sensibiliser davantage les enfants, les parents et les enseignants aux risques en "
        "ligne, notamment la production d’images par les enfants eux-mêmes et les méthodes de "
        "« pédopiégeage » utilisées par les pédophiles.",
    ),
    Proposal(
        "head.de",
        brussels(4, 10, 15),
        "insert_after",
        "availability",
        "Internet service providers hold most of the material; the Alliance should commit to "
        "working with them.",
        "rejected",
        title="Cooperation with the private sector",
        text="Working with internet service providers to detect and remove child abuse "
        "material online.",
        reason="The four goals are those the co-chairs announced for the launch; cooperation "
        "with industry is part of commitment 4 and will be reported on in the follow-up.",
    ),
    Proposal(
        "minister.se",
        brussels(4, 10, 40),
        "replace",
        "victims",
        "Victims should also be heard in the proceedings that concern them.",
        "withdrawn",
        text="Enhancing efforts to identify victims and ensuring that they receive the "
        "necessary assistance, support and protection, and are heard in the proceedings that "
        "concern them.",
    ),
)


@dataclass
class Week:
    """What the week's steps share: the conference, its declaration, the people, the passwords
    of the accounts this run created (by e-mail) and the story's clock."""

    conference: Conference
    declaration: Declaration
    accounts: dict[str, User]
    clock: StoryClock
    passwords: dict[str, str] = field(default_factory=dict)
    new_passwords: dict[str, tuple[User, str]] = field(default_factory=dict)

    def at(self, moment: datetime) -> datetime:
        """Move the story's clock to ``moment`` (an aware datetime; Brussels wall time)."""
        return self.clock.at(moment)

    def commit(self) -> None:
        db.session.commit()

    @property
    def organiser(self) -> User:
        return self.accounts["organiser"]

    def registration(self, key: str) -> Registration | None:
        user = self.accounts.get(key)
        if user is None:
            return None
        return db.session.scalar(
            sa.select(Registration).where(
                Registration.conference_id == self.conference.id,
                Registration.user_id == user.id,
            )
        )

    def delegation(self, code: str) -> Delegation:
        return db.session.scalar(
            sa.select(Delegation).where(
                Delegation.conference_id == self.conference.id, Delegation.country_code == code
            )
        )


@dataclass
class WeekResult:
    summary: list[str]
    new_passwords: dict[str, tuple[User, str]]


@contextmanager
def held_mail() -> Iterator[None]:
    """The story's mail stays in the outbox (queued): nobody is written to about 2012."""
    config = current_app.config
    previous = config.get("MAIL_SEND_ON_COMMIT", True)
    config["MAIL_SEND_ON_COMMIT"] = False
    try:
        yield
    finally:
        config["MAIL_SEND_ON_COMMIT"] = previous


def play_demo_week(conference: Conference, accounts: dict[str, User]) -> WeekResult | None:
    """Play the week on the seed conference loaded by ``load_demo`` (idempotent; commits).
    ``None`` when the conference has no declaration."""
    declaration = db.session.scalar(
        sa.select(Declaration)
        .where(Declaration.conference_id == conference.id)
        .order_by(Declaration.id)
        .limit(1)
    )
    if declaration is None:
        return None
    clock = StoryClock(brussels(3, 9))
    week = Week(conference, declaration, dict(accounts), clock)
    with replayed_time(clock), held_mail():
        accredit(week)
        prepare_text(week)
        check_full_powers(week)
        open_for_signature(week)
        summary = [*core_summary(week)]
        for lines in hook().alliance_demo_week(week=week):
            summary.extend(lines or [])
        week.commit()
    return WeekResult(summary=summary, new_passwords=week.new_passwords)


# --- Monday 3 December: accreditation ---------------------------------------------------------


def accredit(week: Week) -> None:
    organiser = week.organiser
    for n, person in enumerate(PEOPLE):
        user = find_user_by_email(person.email)
        if user is not None:
            week.accounts[person.key] = user
            continue  # what exists is never changed
        delegation = week.delegation(person.code)
        week.at(brussels(3, 9, 2 * n))
        if person.signs:
            password = secrets.token_urlsafe(12)
            user = create_user(
                email=person.email,
                full_name=person.full_name,
                password=password,
                role=UserRole.delegate,
            )
            week.passwords[person.email] = password
            week.new_passwords[person.key] = (user, password)
            create_registration(
                delegation,
                user,
                function=person.function,
                position=person.position,
                organisation=person.organisation,
                consent_participant_list=True,
                privacy_accepted=True,
                actor=user,
            )
        else:
            registration = register_on_behalf(
                delegation,
                email=person.email,
                full_name=person.full_name,
                actor=organiser,
                function=person.function,
                position=person.position,
                organisation=person.organisation,
            )
            user = registration.user
        week.accounts[person.key] = user
        if person.approved:
            week.at(brussels(3, 14, 2 * n))
            change_status(week.registration(person.key), "approved", actor=organiser,
                          function=person.function)  # fmt: skip
        week.commit()
    staff = week.accounts.get("staff")
    if staff is not None and not staff.is_translator:
        week.at(brussels(3, 16))
        set_translator(staff, True, actor=organiser)
        week.commit()


# --- Monday evening to Tuesday: consultation, amendments, translation --------------------------


def _untouched_draft(declaration: Declaration) -> bool:
    revisions = db.session.scalar(
        sa.select(sa.func.count(DeclarationRevision.id)).where(
            DeclarationRevision.declaration_id == declaration.id
        )
    )
    proposed = db.session.scalar(
        sa.select(sa.func.count(Amendment.id)).where(Amendment.declaration_id == declaration.id)
    )
    return declaration.state == DeclarationState.draft and revisions == 1 and not proposed


def prepare_text(week: Week) -> None:
    """From the untouched draft only: consultation, the amendments and their fate, the
    French brought back in step. A text someone already moved on is left as it is."""
    declaration = week.declaration
    if not _untouched_draft(declaration):
        return
    organiser = week.organiser
    week.at(brussels(3, 17))
    transitions.transition(declaration, "consultation", actor=organiser)
    week.commit()
    proposed = []
    for proposal in PROPOSALS:
        week.at(proposal.at)
        amendment = amendments.propose_amendment(
            declaration,
            kind=proposal.kind,
            target_key=proposal.target_key,
            justification=proposal.justification,
            proposed_text=proposal.text,
            proposed_title=proposal.title,
            submit=True,
            actor=week.accounts[proposal.author],
        )
        for supporter in proposal.supporters:
            amendments.support_amendment(amendment, actor=week.accounts[supporter])
        proposed.append((proposal, amendment))
        week.commit()
    week.at(brussels(4, 15))
    for proposal, amendment in proposed:
        if proposal.fate == "accepted":
            amendments.accept_amendment(amendment, actor=organiser)
        elif proposal.fate == "rejected":
            amendments.reject_amendment(amendment, reason=proposal.reason, actor=organiser)
        else:
            amendments.withdraw_amendment(amendment, actor=week.accounts[proposal.author])
        week.commit()
    week.at(brussels(4, 18))
    french = copy.deepcopy(declaration.current_revision.text_in("fr"))
    replacements = {p.target_key: p.french for p in PROPOSALS if p.fate == "accepted"}
    for item in french["commitments"]:
        if item["key"] in replacements:
            item["text"] = replacements[item["key"]]
    save_translation(
        declaration,
        language="fr",
        content=french,
        message=TRANSLATED,
        actor=week.accounts.get("staff") or organiser,
    )
    week.commit()


# --- Wednesday 5 December: full powers, opening -----------------------------------------------


def check_full_powers(week: Week) -> None:
    """Organisers check each signatory's instrument of full powers on the morning."""
    for n, person in enumerate(p for p in PEOPLE if p.signs):
        registration = week.registration(person.key)
        if (
            registration is None
            or registration.status != RegistrationStatus.approved
            or registration.is_signatory
        ):
            continue
        reference, authority, issued_on = person.signs
        week.at(brussels(5, 8, 30 + 3 * n))
        grant_full_powers(
            registration,
            Instrument(reference=reference, authority=authority, issued_on=issued_on),
            actor=week.organiser,
        )
        week.commit()


def open_for_signature(week: Week) -> None:
    """Open the text the week prepared (its last revision is the translator's); a text in
    consultation for any other reason is someone else's to open."""
    declaration = week.declaration
    if declaration.state != DeclarationState.consultation:
        return
    if declaration.current_revision.message != TRANSLATED:
        return
    week.at(brussels(5, 10))
    transitions.transition(declaration, "open", actor=week.organiser)
    week.commit()


# --- summary ---------------------------------------------------------------------------------


def core_summary(week: Week) -> list[str]:
    conference_id = week.conference.id
    counts = dict(
        db.session.execute(
            sa.select(Registration.status, sa.func.count(Registration.id))
            .where(Registration.conference_id == conference_id)
            .group_by(Registration.status)
        ).all()
    )
    delegations = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Registration.delegation_id))).where(
            Registration.conference_id == conference_id,
            Registration.status == RegistrationStatus.approved,
        )
    )
    states = dict(
        db.session.execute(
            sa.select(Amendment.state, sa.func.count(Amendment.id))
            .where(Amendment.declaration_id == week.declaration.id)
            .group_by(Amendment.state)
        ).all()
    )
    declaration = week.declaration
    return [
        _(
            "Accredited delegates: %(approved)s in %(delegations)s delegations; pending: "
            "%(pending)s.",
            approved=counts.get(RegistrationStatus.approved, 0),
            delegations=delegations,
            pending=counts.get(RegistrationStatus.pending, 0),
        ),
        _(
            "Amendments: %(accepted)s accepted, %(rejected)s rejected, %(withdrawn)s withdrawn.",
            accepted=states.get(AmendmentState.accepted, 0),
            rejected=states.get(AmendmentState.rejected, 0),
            withdrawn=states.get(AmendmentState.withdrawn, 0),
        ),
        _(
            "Declaration: %(state)s, revision %(number)s.",
            state=declaration.state.title.lower(),
            number=(declaration.frozen_revision or declaration.current_revision).number,
        ),
    ]
