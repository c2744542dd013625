"""Declarations: who may see or act, loading with the access check, creating a declaration and
saving its revisions. Callers commit; every change writes its audit event.

Rooms beside this one: ``content`` (cleaning the structured text), ``transitions`` (moving a
declaration between states), ``amendments`` (proposing, discussing, accepting, rejecting).

Who may do what:

* organisers (and admins) create declarations, save revisions, move states, accept and reject
  amendments; the CLI acts as the system (``actor=None``) and may do the same;
* an *authorised member* of a delegation (approved registration in it whose function is head of
  delegation, minister or senior official, or who holds full powers) proposes, updates, submits
  and withdraws that delegation's amendments, comments, and declares support for other
  delegations' amendments;
* reading: open and closed declarations are public; a declaration in consultation is visible to
  organisers, staff and approved delegates of its conference; a draft only to organisers and
  staff. A draft amendment is visible only to its own delegation and to organisers.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import format_number
from sqlalchemy.exc import IntegrityError

from alliance_conf.audit.operations import log_event
from alliance_conf.auth.access import (
    is_organiser,
    is_team,
    is_translator,
    membership,
    require_organiser,
    signed_in,
)
from alliance_conf.conferences.models import Conference
from alliance_conf.core.errors import (
    Conflict,
    InvalidState,
    NotFound,
    PermissionDenied,
    SignInRequired,
    ValidationFailed,
)
from alliance_conf.core.inputs import plain_text_error
from alliance_conf.declarations import canonical, versions
from alliance_conf.declarations.content import clean_content
from alliance_conf.declarations.models import (
    TITLE_KEY,
    Amendment,
    Declaration,
    DeclarationRevision,
    DeclarationState,
)
from alliance_conf.extensions import db
from alliance_conf.i18n import _
from alliance_conf.registrations.models import DelegateFunction, Registration

MAX_MESSAGE = 500

AUTHORISED_FUNCTIONS = frozenset(
    {
        DelegateFunction.head_of_delegation,
        DelegateFunction.minister,
        DelegateFunction.senior_official,
    }
)


# --- who is who ------------------------------------------------------------------------------


def is_authorised(registration: Registration | None) -> bool:
    return registration is not None and (
        registration.function in AUTHORISED_FUNCTIONS or registration.is_signatory
    )


def require_authorised_member(actor, conference_id: int) -> Registration:
    if signed_in(actor) is None:
        raise PermissionDenied(_("Sign in as a member of a delegation to do this."))
    registration = membership(actor, conference_id)
    if registration is None:
        raise PermissionDenied(_("Only members of a delegation to this conference can do this."))
    if not is_authorised(registration):
        raise PermissionDenied(
            _(
                "Only the head of delegation, a minister, a senior official or a signatory can "
                "act for %(delegation)s; you are registered as %(function)s.",
                delegation=registration.delegation.name,
                function=registration.function.title.lower(),
            )
        )
    return registration


def can_view(declaration: Declaration, user) -> bool:
    if declaration.state in (DeclarationState.open, DeclarationState.closed):
        return True
    if is_team(user):
        return True
    if declaration.state == DeclarationState.consultation:
        return membership(user, declaration.conference_id) is not None
    return False


def check_can_view(declaration: Declaration, user) -> None:
    if not can_view(declaration, user):
        raise PermissionDenied(
            _(
                "This declaration is not public yet: it is shown to organisers and staff, and to "
                "delegates once it is in consultation."
            )
        )


def visible_declarations(conference: Conference, user) -> sa.Select:
    statement = sa.select(Declaration).where(Declaration.conference_id == conference.id)
    if is_team(user):
        return statement
    states = [DeclarationState.open, DeclarationState.closed]
    if membership(user, conference.id) is not None:
        states.append(DeclarationState.consultation)
    return statement.where(Declaration.state.in_(states))


def can_view_amendment(amendment: Amendment, user) -> bool:
    if signed_in(user) is None or not can_view(amendment.declaration, user):
        return False
    if is_organiser(user):
        return True
    registration = membership(user, amendment.declaration.conference_id)
    if amendment.submitted_at is None:
        return registration is not None and registration.delegation_id == amendment.delegation_id
    return registration is not None or is_team(user)


def visible_amendments(declaration: Declaration, user) -> sa.Select:
    statement = sa.select(Amendment).where(Amendment.declaration_id == declaration.id)
    if is_organiser(user):
        return statement
    registration = membership(user, declaration.conference_id)
    if registration is None and not is_team(user):
        return statement.where(sa.false())
    own = (
        Amendment.delegation_id == registration.delegation_id
        if registration is not None
        else sa.false()
    )
    return statement.where(sa.or_(Amendment.submitted_at.is_not(None), own))


# --- loading ---------------------------------------------------------------------------------


def get_declaration(declaration_id: int) -> Declaration:
    declaration = db.session.get(Declaration, declaration_id)
    if declaration is None:
        raise NotFound(_("There is no declaration %(id)s.", id=declaration_id))
    return declaration


def load_declaration(declaration_id: int, user) -> Declaration:
    """The declaration, if ``user`` may see it: SignInRequired for anonymous visitors who may
    not (sign-in page / 401), PermissionDenied for signed-in users who may not."""
    declaration = get_declaration(declaration_id)
    if not can_view(declaration, user):
        if signed_in(user) is None:
            raise SignInRequired(
                _("This declaration is not public; sign in (API: send a bearer token) to see it.")
            )
        check_can_view(declaration, user)
    return declaration


def get_revision(declaration: Declaration, number: int) -> DeclarationRevision:
    revision = declaration.revision(number)
    if revision is None:
        raise NotFound(
            _(
                "Declaration %(id)s has no revision %(number)s (its revisions are 1 to %(last)s).",
                id=declaration.id,
                number=number,
                last=declaration.current_revision_number,
            )
        )
    return revision


def get_amendment(amendment_id: int, user) -> Amendment:
    """The amendment, or NotFound when it does not exist or the user may not see it."""
    amendment = db.session.get(Amendment, amendment_id)
    if amendment is None or not can_view_amendment(amendment, user):
        raise NotFound(_("There is no amendment %(id)s that you can see.", id=amendment_id))
    return amendment


def lock_declaration(declaration: Declaration) -> None:
    """Reload the declaration row, locked on PostgreSQL, so concurrent edits serialise."""
    db.session.refresh(declaration, with_for_update=True)


def _clean_message(message: str | None) -> str:
    problem = plain_text_error(message, multiline=True)
    if problem:
        raise ValidationFailed(
            _("The revision message: %(problem)s", problem=problem), {"message": problem}
        )
    message = canonical.normalise_string(message or "")
    if len(message) > MAX_MESSAGE:
        raise ValidationFailed(
            _(
                "The revision message is %(length)s characters long; the limit is %(limit)s.",
                length=format_number(len(message)),
                limit=MAX_MESSAGE,
            ),
            {"message": _("At most %(limit)s characters.", limit=MAX_MESSAGE)},
        )
    return message


# --- declarations and revisions --------------------------------------------------------------


def create_declaration(
    conference: Conference,
    *,
    title: str,
    content: dict | None = None,
    translations: dict[str, dict] | None = None,
    message: str = "",
    actor,
) -> Declaration:
    """A new declaration drafted in the conference's first language. ``translations`` may give
    its text in other languages of the conference ({language: whole text}, same item keys in the
    same order); a language not given starts as a copy with every item marked "translation
    needed"."""
    require_organiser(actor)
    raw = {**(content or {}), "title": title}
    cleaned = clean_content(raw)
    message = _clean_message(message) or "First draft"
    languages = list(conference.languages or ["en"])
    texts = versions.Texts(
        languages,
        {language: cleaned for language in languages},
        {
            language: [TITLE_KEY] + [key for _, key in versions.keys_in_order(cleaned)]
            for language in languages[1:]
        },
    )
    for language, text in (translations or {}).items():
        if language not in languages[1:]:
            problem = _(
                "“%(code)s” is not one of the conference's other languages (%(choices)s).",
                code=str(language),
                choices=", ".join(languages[1:]) or "—",
            )
            raise ValidationFailed(problem, {f"translations.{language}": problem})
        texts, _keys = versions.after_translation(
            texts, language, text, field_prefix=f"translations.{language}."
        )
    declaration = Declaration(
        conference_id=conference.id, title=cleaned["title"], state=DeclarationState.draft
    )
    db.session.add(declaration)
    db.session.flush()
    log_event("declaration.created", declaration, actor=actor, data={"title": cleaned["title"]})
    add_revision(declaration, texts, actor=actor, message=message)
    return declaration


def add_revision(
    declaration: Declaration, texts, *, actor, message: str, amendment=None
) -> DeclarationRevision:
    """Save the next revision. ``texts`` is a ``versions.Texts`` (one text per language), or a
    bare text for a declaration of a one-language conference."""
    if not isinstance(texts, versions.Texts):
        languages = list(declaration.conference.languages or ["en"])
        if len(languages) != 1:
            raise ValueError("a declaration in several languages needs a text per language")
        texts = versions.Texts(languages, {languages[0]: texts}, {})
    content = texts.first
    number = declaration.current_revision_number + 1
    revision = DeclarationRevision(
        declaration_id=declaration.id,
        number=number,
        author_id=getattr(signed_in(actor), "id", None),
        message=message,
        content=content,
        language_codes=list(texts.languages),
        translations=texts.translations(),
        out_of_step_marks=texts.stored_marks(),
        amendment_id=amendment.id if amendment is not None else None,
    )
    declaration.current_revision_number = number
    declaration.title = content["title"]
    db.session.add(revision)
    try:
        db.session.flush()
    except IntegrityError:
        raise Conflict(
            _("Someone saved the text at the same moment; reload and try again.")
        ) from None
    log_event(
        "declaration.revised",
        declaration,
        actor=actor,
        data={"number": number, "amendment_id": revision.amendment_id, "message": message},
    )
    return revision


def require_editable(declaration: Declaration) -> None:
    if declaration.state == DeclarationState.open:
        raise InvalidState(
            _(
                "The text was frozen when the declaration was opened for signature; it cannot be "
                "edited. Move it back to consultation first (possible only while nobody has "
                "signed)."
            )
        )
    if declaration.state == DeclarationState.closed:
        raise InvalidState(_("The declaration is closed; its text can never change again."))


def _check_base(declaration: Declaration, base_revision: int | None) -> None:
    current = declaration.current_revision_number
    if base_revision is not None and base_revision != current:
        raise Conflict(
            _(
                "Revision %(current)s was saved after the revision %(base)s you edited; reload "
                "the text and apply your changes again.",
                current=current,
                base=base_revision,
            )
        )


def save_revision(
    declaration: Declaration,
    *,
    content: dict,
    message: str = "",
    actor,
    base_revision: int | None = None,
    language: str | None = None,
) -> DeclarationRevision:
    """Save an organiser's edit of the whole text in one language (default: the drafting
    language) as a new revision; changed items are marked out of step in the other languages."""
    require_organiser(actor)
    language = versions.check_language(declaration, language)
    lock_declaration(declaration)
    require_editable(declaration)
    _check_base(declaration, base_revision)
    current = declaration.current_revision_number
    message = _clean_message(message)
    cleaned = clean_content(content)
    before = versions.current_texts(declaration)
    if (
        cleaned == before.texts[language]
        and before.languages == declaration.current_revision.languages
    ):
        raise ValidationFailed(
            _("Nothing changed: the text is the same as revision %(number)s.", number=current)
        )
    texts = versions.after_edit(before, language, cleaned)
    return add_revision(declaration, texts, actor=actor, message=message or "Edited")


def save_translation(
    declaration: Declaration,
    *,
    language: str,
    content: dict,
    message: str = "",
    actor,
    base_revision: int | None = None,
) -> DeclarationRevision:
    """A translator brings one language back in step: its text of the items marked
    "translation needed" is replaced (same item keys, same order) and its marks are cleared."""
    require_translator(actor)
    language = versions.check_language(declaration, language)
    lock_declaration(declaration)
    require_editable(declaration)
    _check_base(declaration, base_revision)
    message = _clean_message(message)
    before = versions.current_texts(declaration)
    texts, keys = versions.after_translation(before, language, content)
    revision = add_revision(
        declaration,
        texts,
        actor=actor,
        message=message or f"Translation updated ({language})",
    )
    log_event(
        "declaration.translated",
        declaration,
        actor=actor,
        data={"number": revision.number, "language": language, "keys": keys},
    )
    return revision


def require_translator(actor) -> None:
    """Translators, organisers, admins and the system (``actor=None``, the CLI) pass."""
    if actor is not None and not is_translator(actor):
        raise PermissionDenied(
            _("Only translators and organisers can update a language version of the text.")
        )
