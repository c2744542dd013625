"""Declaration and amendment state changes. Callers commit; every change writes its audit event.

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

import copy
import re
import secrets
import unicodedata

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from alliance_conf.audit.operations import log_event
from alliance_conf.auth.models import UserRole
from alliance_conf.conferences.models import Conference
from alliance_conf.core.changes import has_pending_changes
from alliance_conf.core.db import utcnow
from alliance_conf.core.errors import (
    Conflict,
    InvalidState,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from alliance_conf.core.inputs import plain_text_error
from alliance_conf.declarations import canonical
from alliance_conf.declarations.models import (
    SECTION_LABELS,
    SECTIONS,
    Amendment,
    AmendmentComment,
    AmendmentKind,
    AmendmentState,
    AmendmentSupport,
    Declaration,
    DeclarationRevision,
    DeclarationState,
)
from alliance_conf.extensions import db
from alliance_conf.plugins import flatten, hook
from alliance_conf.registrations.models import (
    DelegateFunction,
    Registration,
    RegistrationStatus,
)

MAX_TITLE = 300
MAX_PARAGRAPH = 5000
MAX_COMMITMENT_TITLE = 200
MAX_ITEMS = {"preamble": 100, "commitments": 200, "closing": 50}
MAX_MESSAGE = 500
MAX_JUSTIFICATION = 5000
MAX_COMMENT = 5000
MAX_REASON = 2000
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
KEY_PREFIX = {"preamble": "p", "commitments": "k", "closing": "c"}

AUTHORISED_FUNCTIONS = frozenset(
    {
        DelegateFunction.head_of_delegation,
        DelegateFunction.minister,
        DelegateFunction.senior_official,
    }
)
TRANSITIONS: dict[DeclarationState, tuple[DeclarationState, ...]] = {
    DeclarationState.draft: (DeclarationState.consultation,),
    DeclarationState.consultation: (DeclarationState.draft, DeclarationState.open),
    DeclarationState.open: (DeclarationState.consultation, DeclarationState.closed),
    DeclarationState.closed: (),
}


# --- who is who ------------------------------------------------------------------------------


def _signed_in(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def is_organiser(user) -> bool:
    user = _signed_in(user)
    return user is not None and user.has_role(UserRole.organiser)


def is_team(user) -> bool:
    """Organisers and staff (admins included)."""
    user = _signed_in(user)
    return user is not None and user.has_role(UserRole.organiser, UserRole.staff)


def membership(user, conference_id: int) -> Registration | None:
    """The user's approved registration at the conference, if any."""
    user = _signed_in(user)
    if user is None:
        return None
    return db.session.scalar(
        sa.select(Registration).where(
            Registration.conference_id == conference_id,
            Registration.user_id == user.id,
            Registration.status == RegistrationStatus.approved,
        )
    )


def is_authorised(registration: Registration | None) -> bool:
    return registration is not None and (
        registration.function in AUTHORISED_FUNCTIONS or registration.is_signatory
    )


def require_organiser(actor) -> None:
    """Organisers, admins and the system (``actor=None``, the CLI) pass."""
    if actor is not None and not is_organiser(actor):
        raise PermissionDenied("Only organisers can do this.")


def require_authorised_member(actor, conference_id: int) -> Registration:
    if _signed_in(actor) is None:
        raise PermissionDenied("Sign in as a member of a delegation to do this.")
    registration = membership(actor, conference_id)
    if registration is None:
        raise PermissionDenied("Only members of a delegation to this conference can do this.")
    if not is_authorised(registration):
        raise PermissionDenied(
            f"Only the head of delegation, a minister, a senior official or a signatory can act "
            f"for {registration.delegation.name}; you are registered as "
            f"{registration.function.title.lower()}."
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
            "This declaration is not public yet: it is shown to organisers and staff, and to "
            "delegates once it is in consultation."
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
    if _signed_in(user) is None or not can_view(amendment.declaration, user):
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
        raise NotFound(f"There is no declaration {declaration_id}.")
    return declaration


def get_revision(declaration: Declaration, number: int) -> DeclarationRevision:
    revision = declaration.revision(number)
    if revision is None:
        raise NotFound(
            f"Declaration {declaration.id} has no revision {number} "
            f"(its revisions are 1 to {declaration.current_revision_number})."
        )
    return revision


def get_amendment(amendment_id: int, user) -> Amendment:
    """The amendment, or NotFound when it does not exist or the user may not see it."""
    amendment = db.session.get(Amendment, amendment_id)
    if amendment is None or not can_view_amendment(amendment, user):
        raise NotFound(f"There is no amendment {amendment_id} that you can see.")
    return amendment


def _lock(declaration: Declaration) -> None:
    """Reload the declaration row, locked on PostgreSQL, so concurrent edits serialise."""
    db.session.refresh(declaration, with_for_update=True)


# --- the structured text ---------------------------------------------------------------------


def new_key(section: str) -> str:
    return f"{KEY_PREFIX[section]}-{secrets.token_hex(4)}"


def _clean_string(value, *, label: str, limit: int, field: str, errors: dict) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[field] = f"{label} must be text."
        return ""
    text = canonical.normalise_string(value)
    problem = plain_text_error(value, multiline=True)  # the API's ``Text`` rule, on what was sent
    if not text:
        errors[field] = f"{label} is empty."
    elif len(text) > limit:
        errors[field] = f"{label} is {len(text):,} characters long; the limit is {limit:,}."
    elif problem:
        errors[field] = problem
    elif any(unicodedata.category(ch) == "Co" for ch in text):
        errors[field] = f"{label} contains private-use characters; use plain text."
    return text


def clean_content(raw) -> dict:
    """Validate a whole structured text and return it normalised (see ``canonical.py``).

    Plain text only: no markup is interpreted, line breaks inside a paragraph become spaces.
    Items without a key get a new one; keys must be unique in the document.
    """
    if not isinstance(raw, dict):
        raise ValidationFailed(
            "The text must be an object with title, preamble, commitments, closing."
        )
    unknown = set(raw) - {"title", *SECTIONS}
    errors: dict[str, str] = {name: "Unknown part of the text." for name in sorted(unknown)}
    content: dict = {
        "title": _clean_string(
            raw.get("title"), label="The title", limit=MAX_TITLE, field="title", errors=errors
        )
    }
    seen: set[str] = set()
    for section in SECTIONS:
        items = raw.get(section) or []
        if not isinstance(items, list):
            errors[section] = "Must be a list."
            items = []
        if len(items) > MAX_ITEMS[section]:
            errors[section] = (
                f"The text has {len(items)} {SECTION_LABELS[section].lower()}s; "
                f"the limit is {MAX_ITEMS[section]}."
            )
        cleaned = []
        for index, item in enumerate(items):
            where = f"{section}.{index}"
            label = f"{SECTION_LABELS[section]} {index + 1}"
            if not isinstance(item, dict):
                errors[where] = f"{label} must be an object with a key and a text."
                continue
            key = item.get("key") or new_key(section)
            if not isinstance(key, str) or not KEY_PATTERN.match(key):
                errors[f"{where}.key"] = (
                    f"{label}: a key is 1 to 40 lower-case letters, digits, '-' or '_'."
                )
            elif key in seen:
                errors[f"{where}.key"] = f"{label}: the key {key!r} is used twice."
            seen.add(key)
            entry = {"key": key}
            if section == "commitments":
                entry["title"] = _clean_string(
                    item.get("title"),
                    label=f"{label}: the title",
                    limit=MAX_COMMITMENT_TITLE,
                    field=f"{where}.title",
                    errors=errors,
                )
            entry["text"] = _clean_string(
                item.get("text"),
                label=f"{label}: the text",
                limit=MAX_PARAGRAPH,
                field=f"{where}.text",
                errors=errors,
            )
            extra = set(item) - set(entry) - {"key"}
            if extra:
                errors[where] = f"{label} has unknown fields: {', '.join(sorted(extra))}."
            cleaned.append(entry)
        content[section] = cleaned
    if errors:
        first = list(errors.values())[:3]
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        raise ValidationFailed("The text was not saved: " + " ".join(first) + more, errors)
    return content


def find_item(content: dict, key: str) -> tuple[str, int, dict] | None:
    for section in SECTIONS:
        for index, item in enumerate(content.get(section, [])):
            if item["key"] == key:
                return section, index, item
    return None


def item_label(content: dict, key: str) -> str:
    found = find_item(content, key)
    if found is None:
        return f"the removed paragraph {key!r}"
    section, index, _ = found
    return f"{SECTION_LABELS[section].lower()} {index + 1}"


def numbered(content: dict) -> dict:
    """The content with each item's position (``number``), as pages and the API show it."""
    result = {"title": content.get("title", "")}
    for section in SECTIONS:
        result[section] = [
            {**item, "number": n} for n, item in enumerate(content.get(section, []), 1)
        ]
    return result


def _clean_message(message: str | None) -> str:
    problem = plain_text_error(message, multiline=True)
    if problem:
        raise ValidationFailed(f"The revision message: {problem}", {"message": problem})
    message = canonical.normalise_string(message or "")
    if len(message) > MAX_MESSAGE:
        raise ValidationFailed(
            f"The revision message is {len(message):,} characters long; the limit is "
            f"{MAX_MESSAGE}.",
            {"message": f"At most {MAX_MESSAGE} characters."},
        )
    return message


# --- declarations and revisions --------------------------------------------------------------


def create_declaration(
    conference: Conference, *, title: str, content: dict | None = None, message: str = "", actor
) -> Declaration:
    require_organiser(actor)
    raw = {**(content or {}), "title": title}
    cleaned = clean_content(raw)
    message = _clean_message(message) or "First draft"
    declaration = Declaration(
        conference_id=conference.id, title=cleaned["title"], state=DeclarationState.draft
    )
    db.session.add(declaration)
    db.session.flush()
    log_event("declaration.created", declaration, actor=actor, data={"title": cleaned["title"]})
    _add_revision(declaration, cleaned, actor=actor, message=message)
    return declaration


def _add_revision(
    declaration: Declaration, content: dict, *, actor, message: str, amendment=None
) -> DeclarationRevision:
    number = declaration.current_revision_number + 1
    revision = DeclarationRevision(
        declaration_id=declaration.id,
        number=number,
        author_id=getattr(_signed_in(actor), "id", None),
        message=message,
        content=content,
        amendment_id=amendment.id if amendment is not None else None,
    )
    declaration.current_revision_number = number
    declaration.title = content["title"]
    db.session.add(revision)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("Someone saved the text at the same moment; reload and try again.") from None
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
            "The text was frozen when the declaration was opened for signature; it cannot be "
            "edited. Move it back to consultation first (possible only while nobody has signed)."
        )
    if declaration.state == DeclarationState.closed:
        raise InvalidState("The declaration is closed; its text can never change again.")


def save_revision(
    declaration: Declaration,
    *,
    content: dict,
    message: str = "",
    actor,
    base_revision: int | None = None,
) -> DeclarationRevision:
    """Save an organiser's edit of the whole text as a new revision."""
    require_organiser(actor)
    _lock(declaration)
    require_editable(declaration)
    current = declaration.current_revision_number
    if base_revision is not None and base_revision != current:
        raise Conflict(
            f"Revision {current} was saved after the revision {base_revision} you edited; "
            "reload the text and apply your changes again."
        )
    message = _clean_message(message)
    cleaned = clean_content(content)
    if cleaned == declaration.current_revision.content:
        raise ValidationFailed(f"Nothing changed: the text is the same as revision {current}.")
    return _add_revision(declaration, cleaned, actor=actor, message=message or "Edited")


def allowed_transitions(declaration: Declaration) -> tuple[DeclarationState, ...]:
    return TRANSITIONS[declaration.state]


def reopen_vetoes(declaration: Declaration) -> list[str]:
    """Reasons plugins give (e.g. someone has signed) why it cannot go back to consultation."""
    results = hook().alliance_declaration_can_reopen(declaration=declaration)
    return [str(reason) for reason in flatten(results) if reason]


def check_transition(declaration: Declaration, to: DeclarationState) -> None:
    old = declaration.state
    if to not in TRANSITIONS[old]:
        allowed = " or ".join(s.title.lower() for s in TRANSITIONS[old]) or "nothing (it is final)"
        raise InvalidState(
            f"A declaration cannot move from {old.title.lower()} to {to.title.lower()}; "
            f"from {old.title.lower()} it can move to {allowed}."
        )


def parse_state(value) -> DeclarationState:
    try:
        return DeclarationState(value)
    except ValueError:
        known = ", ".join(s.value for s in DeclarationState)
        raise ValidationFailed(
            f"{value!r} is not a declaration state; use one of {known}.", {"to": "Unknown state."}
        ) from None


def transition(declaration: Declaration, to, *, actor) -> Declaration:
    """Move the declaration; opening freezes the current revision and records its hash."""
    require_organiser(actor)
    to = parse_state(to)
    _lock(declaration)
    old = declaration.state
    check_transition(declaration, to)
    data = {"from": old.value, "to": to.value}
    if to == DeclarationState.open:
        undecided = db.session.scalar(
            sa.select(sa.func.count(Amendment.id)).where(
                Amendment.declaration_id == declaration.id,
                Amendment.state == AmendmentState.submitted,
            )
        )
        if undecided:
            raise InvalidState(
                f"{undecided} submitted amendment(s) are not decided yet; accept or reject them "
                "before opening the declaration for signature."
            )
        revision = declaration.current_revision
        declaration.frozen_revision_id = revision.id
        declaration.text_hash = canonical.text_hash(revision.content)
        declaration.frozen_at = utcnow()
        data.update(revision=revision.number, text_hash=declaration.text_hash)
    elif old == DeclarationState.open and to == DeclarationState.consultation:
        vetoes = reopen_vetoes(declaration)
        if vetoes:
            raise InvalidState(
                "The declaration cannot go back to consultation: " + "; ".join(vetoes)
            )
        data.update(unfrozen_hash=declaration.text_hash)
        declaration.frozen_revision_id = None
        declaration.text_hash = None
        declaration.frozen_at = None
    declaration.state = to
    db.session.flush()
    log_event("declaration.state_changed", declaration, actor=actor, data=data)
    hook().alliance_declaration_state_changed(
        declaration=declaration, old_state=old, new_state=to, actor=actor
    )
    return declaration


# --- amendments ------------------------------------------------------------------------------


def _require_consultation(declaration: Declaration, what: str) -> None:
    if declaration.state != DeclarationState.consultation:
        raise InvalidState(
            f"{what} only while the declaration is in consultation; it is "
            f"{declaration.state.title.lower()}."
        )


def require_own_delegation(amendment: Amendment, actor) -> Registration:
    registration = require_authorised_member(actor, amendment.declaration.conference_id)
    if registration.delegation_id != amendment.delegation_id:
        raise PermissionDenied(
            f"This amendment belongs to {amendment.delegation.name}; only its authorised "
            "members can change it."
        )
    return registration


def parse_kind(value) -> AmendmentKind:
    try:
        return AmendmentKind(value)
    except ValueError:
        known = ", ".join(k.value for k in AmendmentKind)
        raise ValidationFailed(
            f"{value!r} is not a kind of amendment; use one of {known}.",
            {"kind": "Unknown kind."},
        ) from None


def _clean_proposal(
    kind: AmendmentKind,
    section: str,
    target: dict,
    proposed_text: str | None,
    proposed_title: str | None,
    justification: str | None,
) -> dict:
    errors: dict[str, str] = {}
    text = title = None
    if kind != AmendmentKind.delete:
        text = _clean_string(
            proposed_text,
            label="The proposed text",
            limit=MAX_PARAGRAPH,
            field="proposed_text",
            errors=errors,
        )
        wants_title = section == "commitments" and (
            kind == AmendmentKind.insert_after or (proposed_title or "").strip()
        )
        if wants_title:
            title = _clean_string(
                proposed_title,
                label="The proposed commitment title",
                limit=MAX_COMMITMENT_TITLE,
                field="proposed_title",
                errors=errors,
            )
        elif (proposed_title or "").strip():
            errors["proposed_title"] = "Only commitments have a title."
    reason = _clean_string(
        justification,
        label="The justification",
        limit=MAX_JUSTIFICATION,
        field="justification",
        errors=errors,
    )
    if (
        not errors
        and kind == AmendmentKind.replace
        and text == target.get("text")
        and (title is None or title == target.get("title"))
    ):
        errors["proposed_text"] = "The proposed text is the same as the current one."
    if errors:
        raise ValidationFailed("The amendment was not saved: " + " ".join(errors.values()), errors)
    return {"proposed_text": text, "proposed_title": title, "justification": reason}


def propose_amendment(
    declaration: Declaration,
    *,
    kind,
    target_key: str,
    justification: str,
    proposed_text: str | None = None,
    proposed_title: str | None = None,
    submit: bool = False,
    actor,
) -> Amendment:
    registration = require_authorised_member(actor, declaration.conference_id)
    _require_consultation(declaration, "Amendments can be proposed")
    kind = parse_kind(kind)
    current = declaration.current_revision
    found = find_item(current.content, target_key or "")
    if found is None:
        raise ValidationFailed(
            "Choose the paragraph or commitment to amend: there is none with this key in the "
            "current text.",
            {"target_key": "No paragraph or commitment has this key."},
        )
    section, _, target = found
    fields = _clean_proposal(kind, section, target, proposed_text, proposed_title, justification)
    amendment = Amendment(
        declaration_id=declaration.id,
        delegation_id=registration.delegation_id,
        author_id=actor.id,
        state=AmendmentState.draft,
        kind=kind,
        target_key=target_key,
        base_revision_number=current.number,
        **fields,
    )
    db.session.add(amendment)
    db.session.flush()
    log_event(
        "amendment.created",
        amendment,
        actor=actor,
        conference_id=declaration.conference_id,
        data={"kind": kind.value, "target_key": target_key, "base_revision": current.number},
    )
    if submit:
        submit_amendment(amendment, actor=actor)
    return amendment


def update_amendment(
    amendment: Amendment,
    *,
    justification: str,
    proposed_text: str | None = None,
    proposed_title: str | None = None,
    actor,
) -> Amendment:
    """Rewrite an open amendment against the current text (this is how a stale one is fixed)."""
    require_own_delegation(amendment, actor)
    if not amendment.is_open:
        raise InvalidState(f"This amendment is {amendment.state.value}; it can no longer change.")
    declaration = amendment.declaration
    _require_consultation(declaration, "Amendments can be changed")
    current = declaration.current_revision
    found = find_item(current.content, amendment.target_key)
    if found is None:
        raise InvalidState(
            "The paragraph this amendment targets is no longer in the text; withdraw it and "
            "propose a new one."
        )
    section, _, target = found
    fields = _clean_proposal(
        amendment.kind, section, target, proposed_text, proposed_title, justification
    )
    for name, value in fields.items():
        setattr(amendment, name, value)
    amendment.base_revision_number = current.number
    if not has_pending_changes():
        return amendment  # the same text again changes nothing (the API answers 422)
    amendment.updated_at = utcnow()
    db.session.flush()
    log_event(
        "amendment.updated",
        amendment,
        actor=actor,
        conference_id=declaration.conference_id,
        data={"base_revision": current.number},
    )
    return amendment


def submit_amendment(amendment: Amendment, *, actor) -> Amendment:
    require_own_delegation(amendment, actor)
    _require_consultation(amendment.declaration, "Amendments can be submitted")
    if amendment.state != AmendmentState.draft:
        raise InvalidState(f"Only a draft can be submitted; this amendment is {amendment.state}.")
    amendment.state = AmendmentState.submitted
    amendment.submitted_at = utcnow()
    db.session.flush()
    _log_amendment("amendment.submitted", amendment, actor)
    return amendment


def withdraw_amendment(amendment: Amendment, *, actor) -> Amendment:
    require_own_delegation(amendment, actor)
    if not amendment.is_open:
        raise InvalidState(f"This amendment is {amendment.state}; it cannot be withdrawn.")
    amendment.state = AmendmentState.withdrawn
    amendment.updated_at = utcnow()
    db.session.flush()
    _log_amendment("amendment.withdrawn", amendment, actor)
    return amendment


def _log_amendment(action: str, amendment: Amendment, actor, **data) -> None:
    log_event(
        action,
        amendment,
        actor=actor,
        conference_id=amendment.declaration.conference_id,
        data={"state": amendment.state.value, **data},
    )


def stale_reason(amendment: Amendment, current_content: dict | None = None) -> str | None:
    """Why an amendment no longer fits the current text, or None when it still does."""
    declaration = amendment.declaration
    if amendment.base_revision_number == declaration.current_revision_number:
        return None
    if current_content is None:
        current_content = declaration.current_revision.content
    base = declaration.revision(amendment.base_revision_number)
    before = find_item(base.content, amendment.target_key) if base is not None else None
    now = find_item(current_content, amendment.target_key)
    if now is None:
        return "the paragraph it targets was removed from the text"
    if before is None or before[2] != now[2]:
        return (
            f"{item_label(current_content, amendment.target_key)} changed after it was written "
            f"(against revision {amendment.base_revision_number})"
        )
    return None


def is_stale(amendment: Amendment) -> bool:
    return amendment.is_open and stale_reason(amendment) is not None


def apply_amendment(content: dict, amendment: Amendment) -> dict:
    new = copy.deepcopy(content)
    section, index, item = find_item(new, amendment.target_key)
    if amendment.kind == AmendmentKind.replace:
        item["text"] = amendment.proposed_text
        if amendment.proposed_title:
            item["title"] = amendment.proposed_title
    elif amendment.kind == AmendmentKind.insert_after:
        entry = {"key": new_key(section), "text": amendment.proposed_text}
        if section == "commitments":
            entry = {"key": entry["key"], "title": amendment.proposed_title, "text": entry["text"]}
        new[section].insert(index + 1, entry)
    else:
        del new[section][index]
    return new


def _require_submitted(amendment: Amendment, what: str) -> None:
    if amendment.state != AmendmentState.submitted:
        raise InvalidState(
            f"Only submitted amendments can be {what}; this one is {amendment.state}."
        )


def accept_amendment(amendment: Amendment, *, actor) -> DeclarationRevision:
    """Apply the amendment to the current text as a new revision that records it."""
    require_organiser(actor)
    declaration = amendment.declaration
    _lock(declaration)
    _require_consultation(declaration, "Amendments can be accepted")
    _require_submitted(amendment, "accepted")
    current = declaration.current_revision
    reason = stale_reason(amendment, current.content)
    if reason:
        raise InvalidState(
            f"This amendment is stale: {reason}. {amendment.delegation.name} must update it "
            "before it can be accepted."
        )
    content = clean_content(apply_amendment(current.content, amendment))
    revision = _add_revision(
        declaration,
        content,
        actor=actor,
        message=f"Accepted amendment #{amendment.id} from {amendment.delegation.name}",
        amendment=amendment,
    )
    amendment.state = AmendmentState.accepted
    amendment.accepted_revision_number = revision.number
    amendment.decided_at = utcnow()
    amendment.decided_by_id = getattr(_signed_in(actor), "id", None)
    db.session.flush()
    _log_amendment("amendment.accepted", amendment, actor, revision=revision.number)
    return revision


def reject_amendment(amendment: Amendment, *, reason: str, actor) -> Amendment:
    require_organiser(actor)
    _require_consultation(amendment.declaration, "Amendments can be rejected")
    _require_submitted(amendment, "rejected")
    errors: dict[str, str] = {}
    reason = _clean_string(
        reason, label="The reason for rejecting", limit=MAX_REASON, field="reason", errors=errors
    )
    if errors:
        raise ValidationFailed(errors["reason"] + " A rejection always states its reason.", errors)
    amendment.state = AmendmentState.rejected
    amendment.rejection_reason = reason
    amendment.decided_at = utcnow()
    amendment.decided_by_id = getattr(_signed_in(actor), "id", None)
    db.session.flush()
    _log_amendment("amendment.rejected", amendment, actor)
    return amendment


def add_comment(amendment: Amendment, *, body: str, actor) -> AmendmentComment:
    if is_organiser(actor):
        delegation_id = None
    else:
        delegation_id = require_authorised_member(
            actor, amendment.declaration.conference_id
        ).delegation_id
    _require_consultation(amendment.declaration, "Comments can be added")
    if amendment.submitted_at is None:
        raise InvalidState("Comments open once the amendment is submitted.")
    errors: dict[str, str] = {}
    body = _clean_string(body, label="The comment", limit=MAX_COMMENT, field="body", errors=errors)
    if errors:
        raise ValidationFailed(errors["body"], errors)
    comment = AmendmentComment(
        amendment_id=amendment.id, delegation_id=delegation_id, author_id=actor.id, body=body
    )
    db.session.add(comment)
    db.session.flush()
    log_event(
        "amendment.commented",
        amendment,
        actor=actor,
        conference_id=amendment.declaration.conference_id,
        data={"comment_id": comment.id},
    )
    return comment


def support_amendment(amendment: Amendment, *, actor) -> AmendmentSupport:
    registration = require_authorised_member(actor, amendment.declaration.conference_id)
    if registration.delegation_id == amendment.delegation_id:
        raise PermissionDenied("A delegation cannot declare support for its own amendment.")
    _require_consultation(amendment.declaration, "Support can be declared")
    _require_submitted(amendment, "supported")
    delegation = registration.delegation
    already = db.session.scalar(
        sa.select(AmendmentSupport.id).where(
            AmendmentSupport.amendment_id == amendment.id,
            AmendmentSupport.delegation_id == delegation.id,
        )
    )
    if already is not None:
        raise Conflict(f"{delegation.name} already supports this amendment.")
    support = AmendmentSupport(
        amendment_id=amendment.id, delegation_id=delegation.id, user_id=actor.id
    )
    db.session.add(support)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(f"{delegation.name} already supports this amendment.") from None
    _log_amendment("amendment.supported", amendment, actor, delegation_id=delegation.id)
    return support


# --- actions a user may take (pages and API use them to show what is possible) ----------------


def amendment_actions(amendment: Amendment, user) -> set[str]:
    actions: set[str] = set()
    declaration = amendment.declaration
    if declaration.state != DeclarationState.consultation:
        return actions
    if is_organiser(user):
        if amendment.state == AmendmentState.submitted:
            actions |= {"accept", "reject"}
        if amendment.submitted_at is not None:
            actions.add("comment")
        return actions
    registration = membership(user, declaration.conference_id)
    if not is_authorised(registration):
        return actions
    if registration.delegation_id == amendment.delegation_id:
        if amendment.is_open:
            actions |= {"update", "withdraw"}
        if amendment.state == AmendmentState.draft:
            actions.add("submit")
    elif amendment.state == AmendmentState.submitted:
        supported = any(s.delegation_id == registration.delegation_id for s in amendment.supports)
        if not supported:
            actions.add("support")
    if amendment.submitted_at is not None:
        actions.add("comment")
    return actions
