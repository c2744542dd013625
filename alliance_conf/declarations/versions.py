"""Language versions of a declaration: one text per authentic language, aligned item by item.

A revision holds a text in each of the conference's languages (``Conference.languages``), all
with the same item keys in the same order. Work happens in one language at a time:

* an *edit* or an accepted *amendment* in one language changes that language's text; every item
  whose text changed there is marked "translation needed" (out of step) in the other languages.
  Items added in one language are added to all (their text elsewhere starts as a copy of the new
  text, marked out of step); items removed are removed from all; moves apply to all;
* a *translation update* (translators, organisers) replaces one language's text of the marked
  items with the same item keys in the same order, and clears that language's marks. It may not
  add, drop or reorder items, nor change items that are not marked (that is an edit);
* a language the conference lists but the revision lacks starts as a copy of the drafting
  text with every item marked; a language the conference no longer lists is dropped at the
  next revision.

The declaration can be frozen only when every language is in step (``out_of_step_problems``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from babel import Locale, UnknownLocaleError

from alliance_conf.core.errors import ValidationFailed
from alliance_conf.declarations.content import clean_content, item_label
from alliance_conf.declarations.models import (
    LEGACY_LANGUAGE,
    SECTIONS,
    TITLE_KEY,
    Declaration,
    DeclarationRevision,
)
from alliance_conf.i18n import _, current_language


@dataclass
class Texts:
    """The texts of a revision to be saved: languages in order, {language: text}, marks."""

    languages: list[str]
    texts: dict[str, dict]
    marks: dict[str, list[str]] = field(default_factory=dict)

    @property
    def first(self) -> dict:
        return self.texts[self.languages[0]]

    def translations(self) -> dict[str, dict]:
        return {language: self.texts[language] for language in self.languages[1:]}

    def stored_marks(self) -> dict[str, list[str]]:
        return {language: list(self.marks.get(language) or []) for language in self.languages}


def name(language: str) -> str:
    """The language's name in the reader's language, as written inside a sentence (“French”,
    « anglais »)."""
    try:
        return Locale.parse(language).get_display_name(current_language()) or language
    except (UnknownLocaleError, ValueError):
        return language


def conference_languages(declaration: Declaration) -> list[str]:
    return list(declaration.conference.languages or [LEGACY_LANGUAGE])


def check_language(declaration: Declaration, language: str | None, field: str = "language") -> str:
    """``language`` if it is one of the conference's languages (None: the drafting language),
    else a 422 naming the field and the choices."""
    languages = conference_languages(declaration)
    if language is None or language == "":
        return languages[0]
    if not isinstance(language, str) or language not in languages:
        message = _(
            "“%(code)s” is not a language of this conference; use one of %(choices)s.",
            code=str(language),
            choices=", ".join(languages),
        )
        raise ValidationFailed(message, {field: message})
    return language


def keys_in_order(text: dict) -> list[tuple[str, str]]:
    """[(section, key)] of every item in document order."""
    return [(section, item["key"]) for section in SECTIONS for item in text.get(section, [])]


def _items(text: dict) -> dict[str, dict]:
    return {item["key"]: item for section in SECTIONS for item in text.get(section, [])}


def changed_keys(old: dict, new: dict) -> list[str]:
    """Keys present in both texts whose item changed (``"title"`` when the title changed)."""
    before, after = _items(old), _items(new)
    changed = [TITLE_KEY] if old.get("title") != new.get("title") else []
    changed += [key for key, item in after.items() if key in before and before[key] != item]
    return changed


def current_texts(declaration: Declaration, revision: DeclarationRevision | None = None) -> Texts:
    """The texts of ``revision`` (default: the current one) arranged in the conference's
    languages: a language it lacks starts as a copy of its first text, every item marked."""
    revision = revision or declaration.current_revision
    languages = conference_languages(declaration)
    marks = revision.out_of_step
    texts: dict[str, dict] = {}
    result_marks: dict[str, list[str]] = {}
    for language in languages:
        if revision.has_language(language):
            texts[language] = copy.deepcopy(revision.text_in(language))
            result_marks[language] = list(marks.get(language, []))
        else:
            source = revision.content
            texts[language] = copy.deepcopy(source)
            result_marks[language] = [TITLE_KEY] + [key for _, key in keys_in_order(source)]
    return Texts(languages, texts, result_marks)


def _realign(other: dict, structure: dict) -> dict:
    """``other`` (a text in another language) given ``structure``'s items and order: items it has
    keep their text, new items take ``structure``'s text."""
    existing = _items(other)
    result = {"title": other.get("title", structure.get("title", ""))}
    for section in SECTIONS:
        result[section] = [
            copy.deepcopy(existing.get(item["key"], item)) for item in structure.get(section, [])
        ]
    return result


def after_edit(before: Texts, language: str, new_text: dict) -> Texts:
    """The texts once ``language``'s text became ``new_text`` (already cleaned)."""
    old_text = before.texts[language]
    old_keys = {key for _, key in keys_in_order(old_text)}
    new_keys = [key for _, key in keys_in_order(new_text)]
    added = [key for key in new_keys if key not in old_keys]
    kept = set(new_keys)
    changed = changed_keys(old_text, new_text)
    texts: dict[str, dict] = {}
    marks: dict[str, list[str]] = {}
    for other in before.languages:
        previous = [key for key in before.marks.get(other, []) if key in kept or key == TITLE_KEY]
        if other == language:
            texts[other] = new_text
            marks[other] = [key for key in previous if key not in changed]
        else:
            texts[other] = _realign(before.texts[other], new_text)
            marks[other] = _ordered(previous + changed + added, new_text)
    return Texts(list(before.languages), texts, marks)


def _ordered(keys, text: dict) -> list[str]:
    """The keys without repeats, the title first, then in document order."""
    wanted = set(keys)
    ordered = [TITLE_KEY] if TITLE_KEY in wanted else []
    return ordered + [key for _, key in keys_in_order(text) if key in wanted]


def item_problems(reference: dict, text: dict, language: str) -> dict[str, str]:
    """Field -> message for every item ``text`` drops, adds or moves compared with
    ``reference`` (the same declaration in another language)."""
    errors: dict[str, str] = {}
    where = {key: section for section, key in keys_in_order(text)}
    expected = {key: section for section, key in keys_in_order(reference)}
    for section in SECTIONS:
        for index, item in enumerate(reference.get(section, [])):
            key = item["key"]
            if key not in where:
                errors[f"{section}.{index}.key"] = _(
                    "The %(language)s text has no %(item)s (key “%(key)s”); a translation keeps "
                    "every item of the text.",
                    language=name(language),
                    item=item_label(reference, key),
                    key=key,
                )
    for section in SECTIONS:
        for index, item in enumerate(text.get(section, [])):
            key = item["key"]
            if key not in expected:
                errors[f"{section}.{index}.key"] = _(
                    "The %(language)s text has an item (key “%(key)s”) that the declaration does "
                    "not have; add items with the editor, not in a translation.",
                    language=name(language),
                    key=key,
                )
    if not errors and keys_in_order(reference) != keys_in_order(text):
        errors["text"] = _(
            "The %(language)s text has the items in another order; a translation keeps the "
            "order of the text.",
            language=name(language),
        )
    return errors


def after_translation(
    before: Texts, language: str, raw, *, field_prefix: str = ""
) -> tuple[Texts, list[str]]:
    """The texts once a translator updated ``language``; returns them and the keys updated.

    ``raw`` is the whole text in that language (title, preamble, commitments, closing), with the
    same item keys in the same order. Only items marked out of step in that language may differ;
    all of that language's marks are cleared."""
    try:
        cleaned = clean_content(raw)
    except ValidationFailed as error:
        raise ValidationFailed(
            error.message, {f"{field_prefix}{k}": v for k, v in error.fields.items()}
        ) from None
    reference = before.texts[language]  # every language has the same items in the same order
    errors = item_problems(reference, cleaned, language)
    if errors:
        raise ValidationFailed(
            _(
                "The %(language)s text was not saved: %(problems)s",
                language=name(language),
                problems=" ".join(list(errors.values())[:3]),
            ),
            {f"{field_prefix}{k}": v for k, v in errors.items()},
        )
    marked = set(before.marks.get(language, []))
    changed = changed_keys(before.texts[language], cleaned)
    unmarked = [key for key in changed if key not in marked]
    if unmarked:
        labels = ", ".join(
            _("the title") if key == TITLE_KEY else item_label(cleaned, key) for key in unmarked
        )
        message = _(
            "Only items marked “translation needed” can be updated in a translation; "
            "%(items)s in %(language)s is not marked. Change it with the editor.",
            items=labels,
            language=name(language),
        )
        raise ValidationFailed(message, {f"{field_prefix}text": message})
    if not marked and not changed:
        message = _(
            "Nothing to update: the %(language)s text is in step and unchanged.",
            language=name(language),
        )
        raise ValidationFailed(message, {f"{field_prefix}text": message})
    texts = dict(before.texts)
    texts[language] = cleaned
    marks = dict(before.marks)
    marks[language] = []
    return Texts(list(before.languages), texts, marks), sorted(marked | set(changed))


def out_of_step_problems(declaration: Declaration, revision: DeclarationRevision) -> list[str]:
    """Why ``revision`` cannot be frozen: every language of the conference it lacks, and per
    language the items marked "translation needed". [] when every language is in step."""
    problems = []
    for language in conference_languages(declaration):
        if not revision.has_language(language):
            problems.append(_("there is no %(language)s text yet", language=name(language)))
            continue
        keys = revision.out_of_step.get(language) or []
        if keys:
            text = revision.text_in(language)
            labels = ", ".join(
                _("the title") if key == TITLE_KEY else item_label(text, key) for key in keys
            )
            problems.append(_("%(language)s: %(items)s", language=name(language), items=labels))
    return problems
