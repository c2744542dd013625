"""Amendments: proposed by a delegation, discussed (comments, support), accepted into a new
revision or rejected with a reason. Callers commit; every change writes its audit event."""

from __future__ import annotations

import copy

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from alliance_conf.audit.operations import log_event
from alliance_conf.auth.access import (
    is_organiser,
    membership,
    require_organiser,
    signed_in,
)
from alliance_conf.core.changes import has_pending_changes
from alliance_conf.core.db import utcnow
from alliance_conf.core.errors import (
    Conflict,
    InvalidState,
    PermissionDenied,
    ValidationFailed,
)
from alliance_conf.declarations import versions
from alliance_conf.declarations.content import (
    MAX_COMMITMENT_TITLE,
    MAX_PARAGRAPH,
    clean_content,
    clean_string,
    find_item,
    item_label,
    new_key,
)
from alliance_conf.declarations.models import (
    LEGACY_LANGUAGE,
    Amendment,
    AmendmentComment,
    AmendmentKind,
    AmendmentState,
    AmendmentSupport,
    Declaration,
    DeclarationRevision,
    DeclarationState,
)
from alliance_conf.declarations.operations import (
    add_revision,
    is_authorised,
    lock_declaration,
    require_authorised_member,
)
from alliance_conf.extensions import db
from alliance_conf.i18n import _, _l
from alliance_conf.plugins import hook
from alliance_conf.registrations.models import Registration

MAX_JUSTIFICATION = 5000
MAX_COMMENT = 5000
MAX_REASON = 2000


# --- amendments ------------------------------------------------------------------------------


# What can happen only in consultation, as whole sentences for the translators.
ONLY_IN_CONSULTATION = {
    "propose": _l(
        "Amendments can be proposed only while the declaration is in consultation; it is %(state)s."
    ),
    "change": _l(
        "Amendments can be changed only while the declaration is in consultation; it is %(state)s."
    ),
    "submit": _l(
        "Amendments can be submitted only while the declaration is in consultation; it is "
        "%(state)s."
    ),
    "accept": _l(
        "Amendments can be accepted only while the declaration is in consultation; it is %(state)s."
    ),
    "reject": _l(
        "Amendments can be rejected only while the declaration is in consultation; it is %(state)s."
    ),
    "comment": _l(
        "Comments can be added only while the declaration is in consultation; it is %(state)s."
    ),
    "support": _l(
        "Support can be declared only while the declaration is in consultation; it is %(state)s."
    ),
}
ONLY_SUBMITTED = {
    "accepted": _l("Only submitted amendments can be accepted; this one is %(state)s."),
    "rejected": _l("Only submitted amendments can be rejected; this one is %(state)s."),
    "supported": _l("Only submitted amendments can be supported; this one is %(state)s."),
}


def _require_consultation(declaration: Declaration, what: str) -> None:
    if declaration.state != DeclarationState.consultation:
        raise InvalidState(
            str(ONLY_IN_CONSULTATION[what]) % {"state": declaration.state.title.lower()}
        )


def require_own_delegation(amendment: Amendment, actor) -> Registration:
    registration = require_authorised_member(actor, amendment.declaration.conference_id)
    if registration.delegation_id != amendment.delegation_id:
        raise PermissionDenied(
            _(
                "This amendment belongs to %(delegation)s; only its authorised members can "
                "change it.",
                delegation=amendment.delegation.name,
            )
        )
    return registration


def parse_kind(value) -> AmendmentKind:
    try:
        return AmendmentKind(value)
    except ValueError:
        known = ", ".join(k.value for k in AmendmentKind)
        raise ValidationFailed(
            _(
                "“%(value)s” is not a kind of amendment; use one of %(known)s.",
                value=str(value),
                known=known,
            ),
            {"kind": _("Unknown kind.")},
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
        text = clean_string(
            proposed_text,
            label=_("The proposed text"),
            limit=MAX_PARAGRAPH,
            field="proposed_text",
            errors=errors,
        )
        wants_title = section == "commitments" and (
            kind == AmendmentKind.insert_after or (proposed_title or "").strip()
        )
        if wants_title:
            title = clean_string(
                proposed_title,
                label=_("The proposed commitment title"),
                limit=MAX_COMMITMENT_TITLE,
                field="proposed_title",
                errors=errors,
            )
        elif (proposed_title or "").strip():
            errors["proposed_title"] = _("Only commitments have a title.")
    reason = clean_string(
        justification,
        label=_("The justification"),
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
        errors["proposed_text"] = _("The proposed text is the same as the current one.")
    if errors:
        raise ValidationFailed(
            _("The amendment was not saved: %(problems)s", problems=" ".join(errors.values())),
            errors,
        )
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
    language: str | None = None,
    actor,
) -> Amendment:
    """A draft (or submitted) amendment written in ``language`` (default: the drafting
    language), against that language's text."""
    registration = require_authorised_member(actor, declaration.conference_id)
    _require_consultation(declaration, "propose")
    kind = parse_kind(kind)
    language = versions.check_language(declaration, language)
    current = declaration.current_revision
    found = find_item(amendment_text(current, language), target_key or "")
    if found is None:
        raise ValidationFailed(
            _(
                "Choose the paragraph or commitment to amend: there is none with this key in the "
                "current text."
            ),
            {"target_key": _("No paragraph or commitment has this key.")},
        )
    section, _index, target = found
    fields = _clean_proposal(kind, section, target, proposed_text, proposed_title, justification)
    amendment = Amendment(
        declaration_id=declaration.id,
        delegation_id=registration.delegation_id,
        author_id=actor.id,
        state=AmendmentState.draft,
        kind=kind,
        target_key=target_key,
        language=language,
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
        data={
            "kind": kind.value,
            "target_key": target_key,
            "language": language,
            "base_revision": current.number,
        },
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
        raise InvalidState(
            _(
                "This amendment is %(state)s; it can no longer change.",
                state=amendment.state.title.lower(),
            )
        )
    declaration = amendment.declaration
    _require_consultation(declaration, "change")
    current = declaration.current_revision
    found = find_item(amendment_text(current, amendment_language(amendment)), amendment.target_key)
    if found is None:
        raise InvalidState(
            _(
                "The paragraph this amendment targets is no longer in the text; withdraw it and "
                "propose a new one."
            )
        )
    section, _index, target = found
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
    _require_consultation(amendment.declaration, "submit")
    if amendment.state != AmendmentState.draft:
        raise InvalidState(
            _(
                "Only a draft can be submitted; this amendment is %(state)s.",
                state=amendment.state.title.lower(),
            )
        )
    amendment.state = AmendmentState.submitted
    amendment.submitted_at = utcnow()
    db.session.flush()
    _log_amendment("amendment.submitted", amendment, actor)
    return amendment


def withdraw_amendment(amendment: Amendment, *, actor) -> Amendment:
    require_own_delegation(amendment, actor)
    if not amendment.is_open:
        raise InvalidState(
            _(
                "This amendment is %(state)s; it cannot be withdrawn.",
                state=amendment.state.title.lower(),
            )
        )
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


def amendment_language(amendment: Amendment) -> str:
    """The language the amendment is written in (amendments from before language versions are
    in the drafting language of the revision they were written against)."""
    if amendment.language:
        return amendment.language
    base = amendment.declaration.revision(amendment.base_revision_number)
    return base.language if base is not None else LEGACY_LANGUAGE


def amendment_text(revision: DeclarationRevision, language: str) -> dict:
    """The revision's text in ``language`` ({} when it has none, so nothing is found in it)."""
    try:
        return revision.text_in(language)
    except KeyError:
        return {}


def stale_reason(amendment: Amendment, current_content: dict | None = None) -> str | None:
    """Why an amendment no longer fits the current text (in its language), or None when it
    still does."""
    declaration = amendment.declaration
    if amendment.base_revision_number == declaration.current_revision_number:
        return None
    language = amendment_language(amendment)
    if current_content is None:
        current_content = amendment_text(declaration.current_revision, language)
    base = declaration.revision(amendment.base_revision_number)
    before = (
        find_item(amendment_text(base, language), amendment.target_key)
        if base is not None
        else None
    )
    now = find_item(current_content, amendment.target_key)
    if now is None:
        return _("the paragraph it targets was removed from the text")
    if before is None or before[2] != now[2]:
        return _(
            "%(item)s changed after it was written (against revision %(number)s)",
            item=item_label(current_content, amendment.target_key),
            number=amendment.base_revision_number,
        )
    return None


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
        raise InvalidState(str(ONLY_SUBMITTED[what]) % {"state": amendment.state.title.lower()})


def accept_amendment(amendment: Amendment, *, actor) -> DeclarationRevision:
    """Apply the amendment to the current text as a new revision that records it."""
    require_organiser(actor)
    declaration = amendment.declaration
    lock_declaration(declaration)
    _require_consultation(declaration, "accept")
    _require_submitted(amendment, "accepted")
    current = declaration.current_revision
    language = amendment_language(amendment)
    before = versions.current_texts(declaration)
    if language not in before.texts:
        raise InvalidState(
            _(
                "This amendment is written in “%(code)s”, which is no longer a language of the "
                "conference; it cannot be accepted.",
                code=language,
            )
        )
    reason = stale_reason(amendment, amendment_text(current, language))
    if reason:
        raise InvalidState(
            _(
                "This amendment is stale: %(reason)s. %(delegation)s must update it before it "
                "can be accepted.",
                reason=reason,
                delegation=amendment.delegation.name,
            )
        )
    content = clean_content(apply_amendment(before.texts[language], amendment))
    revision = add_revision(
        declaration,
        versions.after_edit(before, language, content),
        actor=actor,
        message=f"Accepted amendment #{amendment.id} from {amendment.delegation.name}",
        amendment=amendment,
    )
    amendment.state = AmendmentState.accepted
    amendment.accepted_revision_number = revision.number
    amendment.decided_at = utcnow()
    amendment.decided_by_id = getattr(signed_in(actor), "id", None)
    db.session.flush()
    _log_amendment("amendment.accepted", amendment, actor, revision=revision.number)
    hook().alliance_amendment_decided(
        amendment=amendment, decision="accepted", reason="", actor=actor
    )
    return revision


def reject_amendment(amendment: Amendment, *, reason: str, actor) -> Amendment:
    require_organiser(actor)
    _require_consultation(amendment.declaration, "reject")
    _require_submitted(amendment, "rejected")
    errors: dict[str, str] = {}
    reason = clean_string(
        reason, label=_("The reason for rejecting"), limit=MAX_REASON, field="reason", errors=errors
    )
    if errors:
        raise ValidationFailed(
            _("%(problem)s A rejection always states its reason.", problem=errors["reason"]),
            errors,
        )
    amendment.state = AmendmentState.rejected
    amendment.rejection_reason = reason
    amendment.decided_at = utcnow()
    amendment.decided_by_id = getattr(signed_in(actor), "id", None)
    db.session.flush()
    _log_amendment("amendment.rejected", amendment, actor)
    hook().alliance_amendment_decided(
        amendment=amendment, decision="rejected", reason=reason, actor=actor
    )
    return amendment


def add_comment(amendment: Amendment, *, body: str, actor) -> AmendmentComment:
    if is_organiser(actor):
        delegation_id = None
    else:
        delegation_id = require_authorised_member(
            actor, amendment.declaration.conference_id
        ).delegation_id
    _require_consultation(amendment.declaration, "comment")
    if amendment.submitted_at is None:
        raise InvalidState(_("Comments open once the amendment is submitted."))
    errors: dict[str, str] = {}
    body = clean_string(
        body, label=_("The comment"), limit=MAX_COMMENT, field="body", errors=errors
    )
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
        raise PermissionDenied(_("A delegation cannot declare support for its own amendment."))
    _require_consultation(amendment.declaration, "support")
    _require_submitted(amendment, "supported")
    delegation = registration.delegation
    already = db.session.scalar(
        sa.select(AmendmentSupport.id).where(
            AmendmentSupport.amendment_id == amendment.id,
            AmendmentSupport.delegation_id == delegation.id,
        )
    )
    if already is not None:
        raise Conflict(
            _("%(delegation)s already supports this amendment.", delegation=delegation.name)
        )
    support = AmendmentSupport(
        amendment_id=amendment.id, delegation_id=delegation.id, user_id=actor.id
    )
    db.session.add(support)
    try:
        db.session.flush()
    except IntegrityError:
        raise Conflict(
            _("%(delegation)s already supports this amendment.", delegation=delegation.name)
        ) from None
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
