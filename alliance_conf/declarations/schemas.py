from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from alliance_conf.api.framework import ApiModel
from alliance_conf.core.inputs import Line, Text, plain_text_pattern
from alliance_conf.declarations.amendments import MAX_COMMENT, MAX_JUSTIFICATION, MAX_REASON
from alliance_conf.declarations.content import (
    KEY_PATTERN,
    MAX_COMMITMENT_TITLE,
    MAX_ITEMS,
    MAX_PARAGRAPH,
    MAX_TITLE,
)
from alliance_conf.declarations.operations import MAX_MESSAGE


def text(limit: int, default=..., *, required: bool = True, **kwargs):
    """A text field the operations clean and check (``_clean_string``: white space collapsed,
    plain text by ``plain_text_error``, at most ``limit`` characters, not empty when required).
    The same numbers and rule are documented here; the check itself runs once, in the
    operation, for the API and the web forms alike, with its own clear messages."""

    def document(schema: dict) -> None:
        schema["maxLength"] = limit
        schema["pattern"] = plain_text_pattern(True, not_blank=required)
        if required:
            schema["minLength"] = 1

    return Field(default, json_schema_extra=document, **kwargs)


def items(limit: int):
    return Field(default_factory=list, json_schema_extra={"maxItems": limit})


class ParagraphIn(ApiModel):
    key: str | None = Field(
        None,
        json_schema_extra={"maxLength": 40, "pattern": KEY_PATTERN.pattern},
        description="Keep it to keep the identity",
    )
    text: str = text(MAX_PARAGRAPH)


class CommitmentIn(ParagraphIn):
    title: str = text(MAX_COMMITMENT_TITLE)


class ContentIn(ApiModel):
    title: str = text(MAX_TITLE)
    preamble: list[ParagraphIn] = items(MAX_ITEMS["preamble"])
    commitments: list[CommitmentIn] = items(MAX_ITEMS["commitments"])
    closing: list[ParagraphIn] = items(MAX_ITEMS["closing"])


LANGUAGE = Field(
    None,
    max_length=16,
    description="A language of the conference (default: the one the text is drafted in)",
    examples=["fr"],
)


class DeclarationCreateIn(ContentIn):
    message: str = text(MAX_MESSAGE, "", required=False)
    translations: dict[str, ContentIn] | None = Field(
        None,
        description="The text in the conference's other languages ({language: text}, same item "
        "keys in the same order); a language not given starts as a copy marked out of step",
    )


class DeclarationPatchIn(ApiModel):
    content: ContentIn
    message: str = text(MAX_MESSAGE, "", required=False)
    base_revision: int | None = Field(
        None, ge=1, description="The revision you edited; refused if another was saved since"
    )
    language: Line | None = LANGUAGE


class TranslationIn(ApiModel):
    """One language's whole text, same item keys in the same order; only items marked
    "translation needed" in that language may differ. Clears that language's marks."""

    content: ContentIn
    message: str = text(MAX_MESSAGE, "", required=False)
    base_revision: int | None = Field(
        None, ge=1, description="The revision you translated; refused if another was saved since"
    )


class LanguageQuery(ApiModel):
    language: Line | None = LANGUAGE


class ParagraphOut(BaseModel):
    key: str
    number: int
    text: str


class CommitmentOut(ParagraphOut):
    title: str


class ContentOut(BaseModel):
    title: str
    preamble: list[ParagraphOut]
    commitments: list[CommitmentOut]
    closing: list[ParagraphOut]


class DeclarationSummary(ApiModel):
    id: int
    title: str
    state: str
    current_revision_number: int
    text_hash: str | None
    updated_at: datetime


class DeclarationOut(BaseModel):
    id: int
    conference_slug: str
    title: str
    state: str
    state_title: str
    current_revision: int
    frozen_revision: int | None = Field(description="The revision opened for signature")
    text_hash: str | None = Field(
        description="SHA-256 of the canonical manifest of the frozen text's language hashes"
    )
    language_hashes: dict[str, str] | None = Field(
        description="Once frozen: SHA-256 of each language's canonical text"
    )
    frozen_at: datetime | None
    languages: list[str] = Field(description="The languages of the text, drafting language first")
    language: str = Field(description="The language of ``content``")
    out_of_step: dict[str, list[str]] = Field(
        description="Per language, the item keys marked translation needed ('title': the title)"
    )
    allowed_transitions: list[str]
    content: ContentOut
    created_at: datetime
    updated_at: datetime


class RevisionSummary(BaseModel):
    number: int
    author: str | None
    created_at: datetime
    message: str
    amendment_id: int | None


class RevisionOut(RevisionSummary):
    declaration_id: int
    frozen: bool
    text_hash: str = Field(
        description="SHA-256 of the canonical manifest of this revision's language hashes"
    )
    language_hashes: dict[str, str] = Field(description="SHA-256 of each language's text")
    languages: list[str]
    language: str = Field(description="The language of ``content``")
    out_of_step: dict[str, list[str]]
    content: ContentOut


class CompareQuery(ApiModel):
    from_: int = Field(alias="from", ge=1, description="The older revision number")
    to: int = Field(ge=1, description="The newer revision number")
    language: Line | None = LANGUAGE


class Segment(BaseModel):
    op: Literal["equal", "insert", "delete"]
    text: str


class ItemDiff(BaseModel):
    key: str
    status: Literal["unchanged", "changed", "inserted", "deleted"]
    moved: bool
    old_number: int | None
    new_number: int | None
    title_ops: list[Segment] | None
    text_ops: list[Segment]


class SectionDiff(BaseModel):
    section: Literal["preamble", "commitments", "closing"]
    items: list[ItemDiff]


class TitleDiff(BaseModel):
    changed: bool
    ops: list[Segment]


class DiffSummary(BaseModel):
    inserted: int
    deleted: int
    changed: int
    moved: int


class CompareOut(BaseModel):
    declaration_id: int
    from_revision: int
    to_revision: int
    language: str
    out_of_step: list[str] = Field(
        description="Item keys marked translation needed in this language in the newer revision"
    )
    title: TitleDiff
    sections: list[SectionDiff]
    summary: DiffSummary


class TransitionIn(ApiModel):
    to: Literal["draft", "consultation", "open", "closed"]


class AmendmentIn(ApiModel):
    kind: Literal["replace", "insert_after", "delete"]
    target_key: Line = Field(max_length=40, description="Key of the paragraph or commitment")
    proposed_title: Text | None = text(MAX_COMMITMENT_TITLE, None, required=False)
    proposed_text: Text | None = text(MAX_PARAGRAPH, None, required=False)
    justification: Text = text(MAX_JUSTIFICATION)
    submit: bool = Field(False, description="Submit at once instead of keeping a draft")
    language: Line | None = LANGUAGE


class AmendmentPatchIn(ApiModel):
    """Change the text (own delegation), then move the state if ``state`` is given."""

    state: Literal["submitted", "withdrawn", "accepted", "rejected"] | None = None
    reason: Text | None = text(MAX_REASON, None, required=False, description="Required to reject")
    proposed_title: Text | None = text(MAX_COMMITMENT_TITLE, None, required=False)
    proposed_text: Text | None = text(MAX_PARAGRAPH, None, required=False)
    justification: Text | None = text(MAX_JUSTIFICATION, None, required=False)


class SupportOut(BaseModel):
    delegation_id: int
    delegation: str
    created_at: datetime


class CommentIn(ApiModel):
    body: Text = text(MAX_COMMENT)


class CommentOut(BaseModel):
    id: int
    delegation_id: int | None
    by: str = Field(description="The delegation's name, or 'Organisers'")
    body: str
    created_at: datetime


class AmendmentOut(BaseModel):
    id: int
    declaration_id: int
    delegation_id: int
    delegation: str
    state: str
    kind: str
    target_key: str
    language: str = Field(description="The language the amendment is written in")
    target: str = Field(description="Where the target is in the current text, e.g. commitment 2")
    base_revision: int
    proposed_title: str | None
    proposed_text: str | None
    justification: str
    rejection_reason: str | None
    accepted_revision: int | None
    stale: bool
    stale_reason: str | None
    supports: list[SupportOut]
    comment_count: int
    actions: list[str] = Field(description="What the requesting user may do with it now")
    created_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None


class AmendmentQuery(ApiModel):
    state: Literal["draft", "submitted", "accepted", "rejected", "withdrawn"] | None = None
