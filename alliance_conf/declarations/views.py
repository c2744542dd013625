from __future__ import annotations

import sqlalchemy as sa
from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from alliance_conf.auth.access import is_translator, login_required, public, roles_required
from alliance_conf.auth.models import UserRole
from alliance_conf.conferences.operations import get_conference
from alliance_conf.core.errors import InvalidState, ValidationFailed
from alliance_conf.core.inputs import int_arg
from alliance_conf.declarations import canonical, diff, operations, transitions, versions
from alliance_conf.declarations.amendments import (
    accept_amendment,
    add_comment,
    amendment_actions,
    amendment_language,
    amendment_text,
    propose_amendment,
    reject_amendment,
    require_own_delegation,
    stale_reason,
    submit_amendment,
    support_amendment,
    update_amendment,
    withdraw_amendment,
)
from alliance_conf.declarations.content import find_item, item_label, new_key, numbered
from alliance_conf.declarations.forms import (
    AcceptForm,
    ActionForm,
    AmendmentForm,
    AmendmentUpdateForm,
    CommentForm,
    DeclarationCreateForm,
    EditForm,
    RejectForm,
    TransitionForm,
)
from alliance_conf.declarations.models import (
    SECTION_LABELS,
    SECTIONS,
    Amendment,
    AmendmentKind,
    Declaration,
    DeclarationRevision,
    DeclarationState,
)
from alliance_conf.extensions import db
from alliance_conf.forms import form_action
from alliance_conf.i18n import _, current_language


def declaration_for_page(declaration_id: int) -> Declaration:
    return operations.load_declaration(declaration_id, current_user)


def _amendment(amendment_id: int) -> Amendment:
    return operations.get_amendment(amendment_id, current_user)


def _context(declaration: Declaration, **extra) -> dict:
    return {
        "declaration": declaration,
        "conference": declaration.conference,
        "is_organiser": operations.is_organiser(current_user),
        "is_translator": is_translator(current_user),
        "section_labels": SECTION_LABELS,
        "language_name": versions.name,
        **extra,
    }


def _language(revision: DeclarationRevision) -> str:
    """The text language asked for with ``?lang=`` (a language of the revision), else the
    reader's language when the revision has a text in it, else the revision's first; an unknown
    code is a 422 naming the languages."""
    asked = request.values.get("lang") or None
    if asked is None:
        reader = current_language()
        return reader if revision.has_language(reader) else revision.language
    if asked not in revision.languages:
        raise ValidationFailed(
            _(
                "Revision %(number)s has no text in “%(code)s”; its languages are %(choices)s.",
                number=revision.number,
                code=asked,
                choices=", ".join(revision.languages),
            ),
            {"lang": _("Unknown language.")},
        )
    return asked


# --- declarations ----------------------------------------------------------------------------


@public
def index(slug: str):
    conference = get_conference(slug)
    declarations = db.session.scalars(
        operations.visible_declarations(conference, current_user).order_by(Declaration.id)
    ).all()
    return render_template(
        "declarations/index.html",
        conference=conference,
        declarations=declarations,
        is_organiser=operations.is_organiser(current_user),
    )


@roles_required(UserRole.organiser)
def create(slug: str):
    conference = get_conference(slug)
    form = DeclarationCreateForm()
    if form.validate_on_submit():
        with form_action(form) as done:
            declaration = operations.create_declaration(
                conference, title=form.title.data, actor=current_user
            )
        if done:
            flash(_("Declaration created. Add its paragraphs and commitments."), "success")
            return redirect(url_for("declarations.edit", declaration_id=declaration.id))
    status = 422 if form.errors else 200
    return render_template("declarations/new.html", form=form, conference=conference), status


def _can_amend(declaration: Declaration) -> bool:
    return declaration.state == DeclarationState.consultation and operations.is_authorised(
        operations.membership(current_user, declaration.conference_id)
    )


@public
def show(declaration_id: int):
    declaration = declaration_for_page(declaration_id)
    revision = declaration.current_revision
    language = _language(revision)
    return render_template(
        "declarations/show.html",
        **_context(
            declaration,
            revision=revision,
            language=language,
            marks=revision.out_of_step.get(language, []),
            content=numbered(revision.text_in(language)),
            can_amend=_can_amend(declaration),
            transitions=transitions.allowed_transitions(declaration),
        ),
    )


def apply_editor_action(content: dict, action: str) -> dict:
    """Add, remove or move an item in the editor without saving (works without JavaScript)."""
    verb, _sep, rest = action.partition(":")
    section, _sep, index = rest.partition(":")
    if section not in SECTIONS:
        return content
    items = content[section]
    if verb == "add":
        item = {"key": new_key(section), "text": ""}
        if section == "commitments":
            item = {"key": item["key"], "title": "", "text": ""}
        items.append(item)
        return content
    try:
        i = int(index)
    except ValueError:
        return content
    if not 0 <= i < len(items):
        return content
    if verb == "remove":
        del items[i]
    elif verb == "up" and i > 0:
        items[i - 1], items[i] = items[i], items[i - 1]
    elif verb == "down" and i < len(items) - 1:
        items[i + 1], items[i] = items[i], items[i + 1]
    return content


@roles_required(UserRole.organiser)
def edit(declaration_id: int):
    """The editor, in one language (``?lang=``): changed items are marked "translation needed"
    in the other languages; added, removed and moved items apply to every language."""
    declaration = declaration_for_page(declaration_id)
    operations.require_editable(declaration)
    language = _language(declaration.current_revision)
    return _text_form(declaration, language, translating=False)


@roles_required(UserRole.organiser, UserRole.staff)
def translate(declaration_id: int, language: str):
    """A translator updates one language's text of the items marked "translation needed"."""
    declaration = declaration_for_page(declaration_id)
    operations.require_translator(current_user)
    operations.require_editable(declaration)
    language = versions.check_language(declaration, language, "lang")
    return _text_form(declaration, language, translating=True)


def _text_form(declaration: Declaration, language: str, *, translating: bool):
    form = EditForm()
    errors: dict[str, str] = {}
    status = 200
    texts = versions.current_texts(declaration)
    if request.method == "POST":
        content = form.content()
        action = request.form.get("action", "save")
        if not form.validate_on_submit():
            status = 422
        elif action != "save":
            if not translating:
                content = apply_editor_action(content, action)
        else:
            try:
                base = int(form.base_revision.data) if form.base_revision.data else None
            except ValueError:
                base = None
            with form_action() as done:
                if translating:
                    revision = operations.save_translation(
                        declaration,
                        language=language,
                        content=content,
                        message=form.message.data,
                        base_revision=base,
                        actor=current_user,
                    )
                else:
                    revision = operations.save_revision(
                        declaration,
                        content=content,
                        message=form.message.data,
                        base_revision=base,
                        language=language,
                        actor=current_user,
                    )
            if done:
                flash(_("Saved as revision %(number)s.", number=revision.number), "success")
                return redirect(
                    url_for("declarations.show", declaration_id=declaration.id, lang=language)
                )
            else:
                errors = done.error.fields
                form.form_errors.append(done.error.message)
                status = done.error.status
    else:
        content = texts.texts[language]
        form.base_revision.data = str(declaration.current_revision_number)
    others = {code: numbered(text) for code, text in texts.texts.items() if code != language}
    return render_template(
        "declarations/edit.html",
        **_context(
            declaration,
            form=form,
            content=content,
            errors=errors,
            language=language,
            languages=texts.languages,
            marks=texts.marks.get(language, []),
            translating=translating,
            others=others,
        ),
    ), status


@public
def history(declaration_id: int):
    declaration = declaration_for_page(declaration_id)
    revisions = db.session.scalars(
        sa.select(DeclarationRevision)
        .where(DeclarationRevision.declaration_id == declaration.id)
        .order_by(DeclarationRevision.number.desc())
    ).all()
    return render_template(
        "declarations/history.html", **_context(declaration, revisions=revisions)
    )


@public
def revision(declaration_id: int, number: int):
    declaration = declaration_for_page(declaration_id)
    revision = operations.get_revision(declaration, number)
    language = _language(revision)
    frozen = revision.id == declaration.frozen_revision_id
    # Saved (and, if frozen, frozen) before language versions: hashed as one text.
    legacy = revision.is_legacy and not (frozen and declaration.language_hashes)
    if legacy:
        revision_hash = canonical.text_hash(revision.content)
    else:
        revision_hash = declaration.text_hash if frozen else revision.manifest_hash()
    return render_template(
        "declarations/revision.html",
        **_context(
            declaration,
            revision=revision,
            language=language,
            marks=revision.out_of_step.get(language, []),
            content=numbered(revision.text_in(language)),
            revision_hash=revision_hash,
            legacy=legacy,
            language_hashes=revision.language_hashes(),
        ),
    )


@public
def canonical_json(declaration_id: int, number: int):
    """The exact bytes a language's hash is computed from (``?lang=``, default the first
    language): ``sha256sum`` of this file is that language's hash."""
    declaration = declaration_for_page(declaration_id)
    revision = operations.get_revision(declaration, number)
    language = _language(revision)
    response = Response(
        canonical.canonical_bytes(revision.text_in(language)), mimetype="application/json"
    )
    suffix = "" if language == revision.language else f"-{language}"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="declaration-{declaration.id}-revision-{number}{suffix}.json"'
    )
    return response


@public
def manifest_json(declaration_id: int, number: int):
    """The manifest of the language hashes: ``sha256sum`` of this file is the text hash."""
    declaration = declaration_for_page(declaration_id)
    revision = operations.get_revision(declaration, number)
    response = Response(
        canonical.manifest_bytes(revision.language_hashes()), mimetype="application/json"
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="declaration-{declaration.id}-revision-{number}-manifest.json"'
    )
    return response


@public
def compare(declaration_id: int):
    declaration = declaration_for_page(declaration_id)
    last = declaration.current_revision_number
    old_number, new_number = int_arg("from", 1), int_arg("to", last)
    old = operations.get_revision(declaration, old_number)
    new = operations.get_revision(declaration, new_number)
    language = _language(new)
    old_text = old.text_in(language) if old.has_language(language) else old.content
    return render_template(
        "declarations/compare.html",
        **_context(
            declaration,
            old=old,
            new=new,
            language=language,
            languages=new.languages,
            marks=new.out_of_step.get(language, []),
            numbers=list(range(1, last + 1)),
            result=diff.compare(old_text, new.text_in(language)),
        ),
    )


@roles_required(UserRole.organiser)
def transition(declaration_id: int):
    declaration = declaration_for_page(declaration_id)
    form = TransitionForm()
    to = request.values.get("to", "")
    target = transitions.parse_state(to)
    transitions.check_transition(declaration, target)
    freezing = target == DeclarationState.open
    status = 200
    if form.validate_on_submit():
        if freezing and not form.confirm.data:
            form.confirm.errors = [_("Tick the box to confirm that the text will be frozen.")]
            status = 422
        else:
            with form_action(form) as done:
                transitions.transition(declaration, target, actor=current_user)
            if done:
                flash(_("The declaration is now %(state)s.", state=target.title.lower()), "success")
                return redirect(url_for("declarations.show", declaration_id=declaration.id))
            else:
                status = done.error.status
    elif request.method == "POST":
        status = 422
    form.to.data = target.value
    return render_template(
        "declarations/transition.html",
        **_context(declaration, form=form, target=target, freezing=freezing),
    ), status


# --- amendments ------------------------------------------------------------------------------


@login_required
def amendments(declaration_id: int):
    declaration = declaration_for_page(declaration_id)
    rows = db.session.scalars(
        operations.visible_amendments(declaration, current_user).order_by(Amendment.id)
    ).all()
    current = declaration.current_revision
    texts = {a.id: amendment_text(current, amendment_language(a)) for a in rows}
    stale = {a.id: stale_reason(a, texts[a.id]) for a in rows if a.is_open}
    return render_template(
        "declarations/amendments.html",
        **_context(
            declaration,
            amendments=rows,
            stale=stale,
            labels={a.id: item_label(texts[a.id], a.target_key) for a in rows},
            can_amend=_can_amend(declaration),
        ),
    )


def _target_choices(content: dict) -> list[SelectChoice]:
    choices = []
    for section in SECTIONS:
        for n, item in enumerate(content.get(section, []), 1):
            label = item.get("title") or item["text"]
            if len(label) > 70:
                label = label[:70] + "…"
            choices.append(
                SelectChoice(
                    item["key"],
                    _("%(item)s %(n)s: %(text)s", item=SECTION_LABELS[section], n=n, text=label),
                )
            )
    return choices


@login_required
def amendment_new(declaration_id: int):
    declaration = declaration_for_page(declaration_id)
    registration = operations.require_authorised_member(current_user, declaration.conference_id)
    if declaration.state != DeclarationState.consultation:
        raise InvalidState(
            _(
                "Amendments can be proposed only while the declaration is in consultation; it is "
                "%(state)s.",
                state=declaration.state.title.lower(),
            )
        )
    revision = declaration.current_revision
    language = _language(revision)
    content = revision.text_in(language)
    form = AmendmentForm()
    form.target_key.choices = _target_choices(content)
    if request.method == "GET" and request.args.get("target"):
        form.target_key.data = request.args["target"]
    status = 200
    if form.validate_on_submit():
        with form_action(form) as done:
            amendment = propose_amendment(
                declaration,
                kind=form.kind.data,
                target_key=form.target_key.data,
                proposed_title=form.proposed_title.data,
                proposed_text=form.proposed_text.data,
                justification=form.justification.data,
                submit=form.submit_now.data,
                language=language,
                actor=current_user,
            )
        if done:
            if form.submit_now.data:
                flash(_("Amendment #%(id)s submitted.", id=amendment.id), "success")
            else:
                flash(_("Amendment #%(id)s saved as a draft.", id=amendment.id), "success")
            return redirect(url_for("declarations.amendment", amendment_id=amendment.id))
        else:
            status = done.error.status
    elif request.method == "POST":
        status = 422
    return render_template(
        "declarations/amendment_form.html",
        **_context(
            declaration,
            form=form,
            delegation=registration.delegation,
            amendment=None,
            content=numbered(content),
            language=language,
            languages=revision.languages,
        ),
    ), status


@login_required
def amendment(amendment_id: int):
    amendment = _amendment(amendment_id)
    declaration = amendment.declaration
    language = amendment_language(amendment)
    current = amendment_text(declaration.current_revision, language)
    base = declaration.revision(amendment.base_revision_number)
    found = find_item(amendment_text(base, language), amendment.target_key)
    return render_template(
        "declarations/amendment.html",
        **_context(
            declaration,
            amendment=amendment,
            language=language,
            target_label=item_label(current, amendment.target_key),
            original=found[2] if found else None,
            stale=stale_reason(amendment, current) if amendment.is_open else None,
            actions=amendment_actions(amendment, current_user),
            action_form=ActionForm(),
            accept_form=AcceptForm(),
            reject_form=RejectForm(),
            comment_form=CommentForm(),
            kinds=AmendmentKind,
        ),
    )


@login_required
def amendment_edit(amendment_id: int):
    amendment = _amendment(amendment_id)
    declaration = amendment.declaration
    require_own_delegation(amendment, current_user)
    form = AmendmentUpdateForm(obj=amendment)
    status = 200
    if form.validate_on_submit():
        with form_action(form) as done:
            update_amendment(
                amendment,
                proposed_title=form.proposed_title.data,
                proposed_text=form.proposed_text.data,
                justification=form.justification.data,
                actor=current_user,
            )
        if done:
            flash(
                _("Amendment #%(id)s updated against the current text.", id=amendment.id),
                "success",
            )
            return redirect(url_for("declarations.amendment", amendment_id=amendment.id))
        else:
            status = done.error.status
    elif request.method == "POST":
        status = 422
    current = amendment_text(declaration.current_revision, amendment_language(amendment))
    found = find_item(current, amendment.target_key)
    return render_template(
        "declarations/amendment_form.html",
        **_context(
            declaration,
            form=form,
            delegation=amendment.delegation,
            amendment=amendment,
            current_target=found[2] if found else None,
            target_label=item_label(current, amendment.target_key),
        ),
    ), status


def _amendment_action(amendment_id: int, perform, done):
    amendment = _amendment(amendment_id)
    form = ActionForm()
    if not form.validate_on_submit():
        flash(_("The form expired or was sent from elsewhere. Please try again."), "error")
    else:
        perform(amendment)
        db.session.commit()
        flash(done(amendment.id), "success")
    return redirect(url_for("declarations.amendment", amendment_id=amendment.id))


@login_required
def amendment_submit(amendment_id: int):
    return _amendment_action(
        amendment_id,
        lambda a: submit_amendment(a, actor=current_user),
        lambda n: _("Amendment #%(id)s submitted.", id=n),
    )


@login_required
def amendment_withdraw(amendment_id: int):
    return _amendment_action(
        amendment_id,
        lambda a: withdraw_amendment(a, actor=current_user),
        lambda n: _("Amendment #%(id)s withdrawn.", id=n),
    )


@login_required
def amendment_support(amendment_id: int):
    return _amendment_action(
        amendment_id,
        lambda a: support_amendment(a, actor=current_user),
        lambda n: _("Your delegation's support for amendment #%(id)s is recorded.", id=n),
    )


@roles_required(UserRole.organiser)
def amendment_accept(amendment_id: int):
    amendment = _amendment(amendment_id)
    form = AcceptForm()
    if form.validate_on_submit():
        accept_amendment(amendment, actor=current_user)
        db.session.commit()
        flash(
            _("Amendment #%(id)s accepted: the text has a new revision.", id=amendment.id),
            "success",
        )
    else:
        flash(
            " ".join(map(str, form.confirm.errors)) or _("The form expired. Please try again."),
            "error",
        )
    return redirect(url_for("declarations.amendment", amendment_id=amendment.id))


@roles_required(UserRole.organiser)
def amendment_reject(amendment_id: int):
    amendment = _amendment(amendment_id)
    form = RejectForm()
    if form.validate_on_submit():
        reject_amendment(amendment, reason=form.reason.data, actor=current_user)
        db.session.commit()
        flash(_("Amendment #%(id)s rejected.", id=amendment.id), "success")
        return redirect(url_for("declarations.amendment", amendment_id=amendment.id))
    flash(_("Give the reason for rejecting the amendment."), "error")
    return redirect(url_for("declarations.amendment", amendment_id=amendment.id))


@login_required
def amendment_comment(amendment_id: int):
    amendment = _amendment(amendment_id)
    form = CommentForm()
    if form.validate_on_submit():
        add_comment(amendment, body=form.body.data, actor=current_user)
        db.session.commit()
        flash(_("Comment added."), "success")
    else:
        flash(_("Write a comment first."), "error")
    return redirect(url_for("declarations.amendment", amendment_id=amendment.id) + "#comments")


# --- translators -----------------------------------------------------------------------------


@roles_required(UserRole.organiser)
def translators():
    """Organisers grant the staff the translator permission, or take it back."""
    from alliance_conf.auth.models import User
    from alliance_conf.auth.operations import set_translator

    form = ActionForm()
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            flash(_("The form expired or was sent from elsewhere. Please try again."), "error")
            status = 400
        else:
            user_id = request.form.get("user_id", 0, type=int)
            user = db.session.get(User, user_id) if 0 < user_id < 2**31 else None
            if user is None:
                flash(_("There is no such member of the secretariat."), "error")
                status = 404
            else:
                grant = request.form.get("grant") == "1"
                with form_action() as done:
                    set_translator(user, grant, actor=current_user)
                if done:
                    if grant:
                        flash(_("%(name)s is now a translator.", name=user.full_name), "success")
                    else:
                        flash(
                            _("%(name)s is no longer a translator.", name=user.full_name),
                            "success",
                        )
                    return redirect(url_for("declarations.translators"))
                flash(done.error.message, "error")
                status = done.error.status
    staff = db.session.scalars(
        sa.select(User)
        .where(User.role.in_([UserRole.staff, UserRole.organiser]))
        .order_by(User.full_name)
    ).all()
    return render_template("declarations/translators.html", staff=staff, form=form), status
