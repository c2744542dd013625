"""The declarations API: the same operations as the pages, as JSON."""

from __future__ import annotations

import sqlalchemy as sa

from alliance_conf.api.framework import ApiBlueprint, api_user
from alliance_conf.auth.models import UserRole
from alliance_conf.conferences.operations import get_conference
from alliance_conf.core.errors import ValidationFailed
from alliance_conf.declarations import amendments, content, diff, operations, transitions
from alliance_conf.declarations.models import (
    Amendment,
    AmendmentComment,
    Declaration,
    DeclarationRevision,
)
from alliance_conf.declarations.schemas import (
    AmendmentIn,
    AmendmentOut,
    AmendmentPatchIn,
    AmendmentQuery,
    CommentIn,
    CommentOut,
    CompareOut,
    CompareQuery,
    DeclarationCreateIn,
    DeclarationOut,
    DeclarationPatchIn,
    DeclarationSummary,
    LanguageQuery,
    RevisionOut,
    RevisionSummary,
    SupportOut,
    TransitionIn,
    TranslationIn,
)
from alliance_conf.extensions import db
from alliance_conf.i18n import _

api = ApiBlueprint("declarations_api", __name__)
ORGANISERS = [UserRole.organiser]


def _declaration(declaration_id: int) -> Declaration:
    return operations.load_declaration(declaration_id, api_user())


def _language(revision: DeclarationRevision, language: str | None) -> str:
    """The language asked for, if the revision has a text in it (422 naming ``language``)."""
    if language is None:
        return revision.language
    if language not in revision.languages:
        message = _(
            "Revision %(number)s has no text in “%(code)s”; its languages are %(choices)s.",
            number=revision.number,
            code=language,
            choices=", ".join(revision.languages),
        )
        raise ValidationFailed(message, {"language": message})
    return language


def declaration_out(declaration: Declaration, language: str | None = None) -> dict:
    frozen = declaration.frozen_revision
    current = declaration.current_revision
    language = _language(current, language)
    user = api_user()
    return {
        "id": declaration.id,
        "conference_slug": declaration.conference.slug,
        "title": declaration.title,
        "state": declaration.state.value,
        "state_title": declaration.state.title,
        "current_revision": declaration.current_revision_number,
        "frozen_revision": frozen.number if frozen is not None else None,
        "text_hash": declaration.text_hash,
        "language_hashes": declaration.language_hashes,
        "frozen_at": declaration.frozen_at,
        "languages": current.languages,
        "language": language,
        "out_of_step": current.out_of_step,
        "allowed_transitions": [s.value for s in transitions.allowed_transitions(declaration)]
        if operations.is_organiser(user)
        else [],
        "content": content.numbered(current.text_in(language)),
        "created_at": declaration.created_at,
        "updated_at": declaration.updated_at,
    }


def revision_summary(revision: DeclarationRevision) -> dict:
    return {
        "number": revision.number,
        "author": revision.author.full_name if revision.author is not None else None,
        "created_at": revision.created_at,
        "message": revision.message,
        "amendment_id": revision.amendment_id,
    }


def revision_out(
    declaration: Declaration, revision: DeclarationRevision, language: str | None = None
) -> dict:
    language = _language(revision, language)
    frozen = revision.id == declaration.frozen_revision_id
    return {
        **revision_summary(revision),
        "declaration_id": declaration.id,
        "frozen": frozen,
        # a declaration frozen before language versions existed keeps the hash it recorded
        "text_hash": declaration.text_hash if frozen else revision.manifest_hash(),
        "language_hashes": revision.language_hashes(),
        "languages": revision.languages,
        "language": language,
        "out_of_step": revision.out_of_step,
        "content": content.numbered(revision.text_in(language)),
    }


def amendment_out(amendment: Amendment) -> dict:
    declaration = amendment.declaration
    language = amendments.amendment_language(amendment)
    current_content = amendments.amendment_text(declaration.current_revision, language)
    stale = amendments.stale_reason(amendment, current_content) if amendment.is_open else None
    return {
        "id": amendment.id,
        "declaration_id": declaration.id,
        "delegation_id": amendment.delegation_id,
        "delegation": amendment.delegation.name,
        "state": amendment.state.value,
        "kind": amendment.kind.value,
        "target_key": amendment.target_key,
        "language": language,
        "target": content.item_label(current_content, amendment.target_key),
        "base_revision": amendment.base_revision_number,
        "proposed_title": amendment.proposed_title,
        "proposed_text": amendment.proposed_text,
        "justification": amendment.justification,
        "rejection_reason": amendment.rejection_reason,
        "accepted_revision": amendment.accepted_revision_number,
        "stale": stale is not None,
        "stale_reason": stale,
        "supports": [
            {
                "delegation_id": s.delegation_id,
                "delegation": s.delegation.name,
                "created_at": s.created_at,
            }
            for s in amendment.supports
        ],
        "comment_count": len(amendment.comments),
        "actions": sorted(amendments.amendment_actions(amendment, api_user())),
        "created_at": amendment.created_at,
        "submitted_at": amendment.submitted_at,
        "decided_at": amendment.decided_at,
    }


def comment_out(comment: AmendmentComment) -> dict:
    return {
        "id": comment.id,
        "delegation_id": comment.delegation_id,
        "by": comment.delegation.name if comment.delegation is not None else "Organisers",
        "body": comment.body,
        "created_at": comment.created_at,
    }


# --- declarations ----------------------------------------------------------------------------


@api.endpoint(
    "/conferences/<slug>/declarations",
    "GET",
    public=True,
    paginated=True,
    response=list[DeclarationSummary],
    summary="Declarations of a conference that you can see",
)
def list_declarations(slug: str, query):
    """Open and closed declarations are public; drafts and consultations need a bearer token."""
    conference = get_conference(slug)
    return operations.visible_declarations(conference, api_user()).order_by(Declaration.id)


@api.endpoint(
    "/conferences/<slug>/declarations",
    "POST",
    roles=ORGANISERS,
    body=DeclarationCreateIn,
    response=DeclarationOut,
    summary="Create a declaration (its revision 1)",
)
def create_declaration(slug: str, body: DeclarationCreateIn):
    conference = get_conference(slug)
    content = body.model_dump(exclude={"message", "title", "translations"})
    declaration = operations.create_declaration(
        conference,
        title=body.title,
        content=content,
        translations={k: v.model_dump() for k, v in (body.translations or {}).items()},
        message=body.message,
        actor=api_user(),
    )
    db.session.commit()
    return declaration_out(declaration)


@api.endpoint(
    "/declarations/<int:declaration_id>",
    "GET",
    public=True,
    query=LanguageQuery,
    response=DeclarationOut,
    summary="A declaration with its current text (in one of its languages)",
)
def get_declaration(declaration_id: int, query: LanguageQuery):
    return declaration_out(_declaration(declaration_id), query.language)


@api.endpoint(
    "/declarations/<int:declaration_id>",
    "PATCH",
    roles=ORGANISERS,
    body=DeclarationPatchIn,
    response=DeclarationOut,
    authorise=lambda declaration_id: _declaration(declaration_id),
    summary="Save an edit of the whole text in one language as a new revision",
)
def patch_declaration(declaration_id: int, body: DeclarationPatchIn):
    """Send the full structured text in ``language``; items keep their identity through their
    ``key``. Items changed are marked "translation needed" in the other languages; items added
    or removed are added to or removed from every language."""
    declaration = _declaration(declaration_id)
    revision = operations.save_revision(
        declaration,
        content=body.content.model_dump(),
        message=body.message,
        base_revision=body.base_revision,
        language=body.language,
        actor=api_user(),
    )
    db.session.commit()
    return declaration_out(
        declaration, revision.language if body.language is None else body.language
    )


@api.endpoint(
    "/declarations/<int:declaration_id>/translations/<language>",
    "PUT",
    roles=[UserRole.organiser, UserRole.staff],
    body=TranslationIn,
    response=DeclarationOut,
    status=200,
    authorise=lambda declaration_id, language: operations.require_translator(api_user()),
    summary="Bring one language version back in step (translators)",
)
def put_translation(declaration_id: int, language: str, body: TranslationIn):
    """Translators (staff granted the permission) and organisers. Same item keys in the same
    order; only the items marked "translation needed" in that language may change."""
    declaration = _declaration(declaration_id)
    operations.save_translation(
        declaration,
        language=language,
        content=body.content.model_dump(),
        message=body.message,
        base_revision=body.base_revision,
        actor=api_user(),
    )
    db.session.commit()
    return declaration_out(declaration, language)


@api.endpoint(
    "/declarations/<int:declaration_id>/transitions",
    "POST",
    roles=ORGANISERS,
    body=TransitionIn,
    response=DeclarationOut,
    status=200,
    summary="Move the declaration to another state",
    operation_id="transition_declaration",
)
def post_transition(declaration_id: int, body: TransitionIn):
    """``open`` freezes the current revision and records its SHA-256 (``text_hash``)."""
    declaration = _declaration(declaration_id)
    transitions.transition(declaration, body.to, actor=api_user())
    db.session.commit()
    return declaration_out(declaration)


@api.endpoint(
    "/declarations/<int:declaration_id>/revisions",
    "GET",
    public=True,
    response=list[RevisionSummary],
    summary="Every revision of a declaration, oldest first",
)
def list_revisions(declaration_id: int):
    declaration = _declaration(declaration_id)
    revisions = db.session.scalars(
        sa.select(DeclarationRevision)
        .where(DeclarationRevision.declaration_id == declaration.id)
        .order_by(DeclarationRevision.number)
    )
    return [revision_summary(r) for r in revisions]


@api.endpoint(
    "/declarations/<int:declaration_id>/revisions/<int:number>",
    "GET",
    public=True,
    response=RevisionOut,
    query=LanguageQuery,
    summary="One revision, as it was saved (in one of its languages)",
)
def get_revision(declaration_id: int, number: int, query: LanguageQuery):
    declaration = _declaration(declaration_id)
    return revision_out(declaration, operations.get_revision(declaration, number), query.language)


@api.endpoint(
    "/declarations/<int:declaration_id>/compare",
    "GET",
    public=True,
    authorise=lambda declaration_id: _declaration(declaration_id),
    query=CompareQuery,
    response=CompareOut,
    summary="Word-level comparison of two revisions, aligned by key",
)
def compare_revisions(declaration_id: int, query: CompareQuery):
    declaration = _declaration(declaration_id)
    old = operations.get_revision(declaration, query.from_)
    new = operations.get_revision(declaration, query.to)
    language = _language(new, query.language)
    return {
        "declaration_id": declaration.id,
        "from_revision": old.number,
        "to_revision": new.number,
        "language": language,
        "out_of_step": new.out_of_step.get(language, []),
        **diff.compare(
            amendments.amendment_text(old, language) or old.content, new.text_in(language)
        ),
    }


# --- amendments ------------------------------------------------------------------------------


def _amendment(amendment_id: int) -> Amendment:
    return operations.get_amendment(amendment_id, api_user())


@api.endpoint(
    "/declarations/<int:declaration_id>/amendments",
    "GET",
    query=AmendmentQuery,
    response=list[AmendmentOut],
    summary="Amendments you can see (drafts only of your own delegation)",
)
def list_amendments(declaration_id: int, query: AmendmentQuery):
    declaration = _declaration(declaration_id)
    statement = operations.visible_amendments(declaration, api_user())
    if query.state:
        statement = statement.where(Amendment.state == query.state)
    return [amendment_out(a) for a in db.session.scalars(statement.order_by(Amendment.id))]


@api.endpoint(
    "/declarations/<int:declaration_id>/amendments",
    "POST",
    body=AmendmentIn,
    response=AmendmentOut,
    authorise=lambda declaration_id: operations.require_authorised_member(
        api_user(), _declaration(declaration_id).conference_id
    ),
    summary="Propose an amendment for your delegation",
)
def create_amendment(declaration_id: int, body: AmendmentIn):
    """Authorised members of a delegation only, while the declaration is in consultation."""
    declaration = _declaration(declaration_id)
    amendment = amendments.propose_amendment(
        declaration,
        kind=body.kind,
        target_key=body.target_key,
        proposed_title=body.proposed_title,
        proposed_text=body.proposed_text,
        justification=body.justification,
        submit=body.submit,
        language=body.language,
        actor=api_user(),
    )
    db.session.commit()
    return amendment_out(amendment)


@api.endpoint(
    "/amendments/<int:amendment_id>", "GET", response=AmendmentOut, summary="One amendment"
)
def get_amendment(amendment_id: int):
    return amendment_out(_amendment(amendment_id))


@api.endpoint(
    "/amendments/<int:amendment_id>",
    "PATCH",
    body=AmendmentPatchIn,
    response=AmendmentOut,
    authorise=_amendment,
    summary="Update an amendment's text, or move its state",
)
def patch_amendment(amendment_id: int, body: AmendmentPatchIn):
    """Its delegation updates the text (this also clears a stale mark) and submits or
    withdraws; organisers accept or reject (``reason`` required)."""
    amendment = _amendment(amendment_id)
    user = api_user()
    text_fields = {"proposed_title", "proposed_text", "justification"} & body.model_fields_set
    if text_fields:
        amendments.update_amendment(
            amendment,
            proposed_title=body.proposed_title
            if "proposed_title" in text_fields
            else amendment.proposed_title,
            proposed_text=body.proposed_text
            if "proposed_text" in text_fields
            else amendment.proposed_text,
            justification=body.justification
            if "justification" in text_fields
            else amendment.justification,
            actor=user,
        )
    if body.state == "submitted":
        amendments.submit_amendment(amendment, actor=user)
    elif body.state == "withdrawn":
        amendments.withdraw_amendment(amendment, actor=user)
    elif body.state == "accepted":
        amendments.accept_amendment(amendment, actor=user)
    elif body.state == "rejected":
        amendments.reject_amendment(amendment, reason=body.reason or "", actor=user)
    elif not text_fields:
        raise ValidationFailed(_("Nothing to change: send a state or new text."))
    db.session.commit()
    return amendment_out(amendment)


@api.endpoint(
    "/amendments/<int:amendment_id>/comments",
    "GET",
    response=list[CommentOut],
    summary="Comments on an amendment, oldest first",
)
def list_comments(amendment_id: int):
    return [comment_out(c) for c in _amendment(amendment_id).comments]


@api.endpoint(
    "/amendments/<int:amendment_id>/comments",
    "POST",
    body=CommentIn,
    response=CommentOut,
    authorise=_amendment,
    summary="Comment on a submitted amendment",
)
def create_comment(amendment_id: int, body: CommentIn):
    comment = amendments.add_comment(_amendment(amendment_id), body=body.body, actor=api_user())
    db.session.commit()
    return comment_out(comment)


@api.endpoint(
    "/amendments/<int:amendment_id>/support",
    "POST",
    response=SupportOut,
    summary="Declare your delegation's support for another delegation's amendment",
)
def create_support(amendment_id: int):
    support = amendments.support_amendment(_amendment(amendment_id), actor=api_user())
    db.session.commit()
    return {
        "delegation_id": support.delegation_id,
        "delegation": support.delegation.name,
        "created_at": support.created_at,
    }
