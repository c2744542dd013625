"""Forms of the declaration pages."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from alliance_conf.core.forms import PlainText
from alliance_conf.declarations.models import KIND_TITLES, SECTIONS, AmendmentKind
from alliance_conf.i18n import _l

# The most paragraphs per section the editor reads from one submission.
MAX_EDITOR_ITEMS = 1000


class DeclarationCreateForm(FlaskForm):
    title = StringField(
        _l("Title"), validators=[PlainText(multiline=True), DataRequired(), Length(max=300)]
    )


class ItemForm(Form):
    """One paragraph of the editor: its stable key and its text. The text's rules (plain text,
    length) are the operations' (``clean_content``), so that the API and the CLI share them."""

    key = HiddenField()
    text = TextAreaField()


class CommitmentItemForm(ItemForm):
    title = StringField()


class EditForm(FlaskForm):
    """The structured text editor: ``title``, then ``<section>-<i>-key|title|text`` per
    paragraph (as many as were sent, up to ``MAX_EDITOR_ITEMS`` per section)."""

    title = StringField()
    preamble = FieldList(FormField(ItemForm), max_entries=MAX_EDITOR_ITEMS)
    commitments = FieldList(FormField(CommitmentItemForm), max_entries=MAX_EDITOR_ITEMS)
    closing = FieldList(FormField(ItemForm), max_entries=MAX_EDITOR_ITEMS)
    message = StringField(
        _l("What changed (revision message)"),
        description=_l("Shown in the history, e.g. “Tightened commitment 2”."),
        validators=[PlainText(multiline=True), Optional(), Length(max=500)],
    )
    base_revision = HiddenField()

    def content(self) -> dict:
        """The text as submitted, in the shape the operations take."""
        content: dict = {"title": self.title.data or ""}
        for section in SECTIONS:
            items = []
            for entry in getattr(self, section):
                item = {"key": entry.key.data or ""}
                if section == "commitments":
                    item["title"] = entry.title.data or ""
                item["text"] = entry.text.data or ""
                items.append(item)
            content[section] = items
        return content


class TransitionForm(FlaskForm):
    to = HiddenField()
    confirm = BooleanField(
        _l("I understand that the text will be frozen and can never change again")
    )


class ActionForm(FlaskForm):
    """Only the CSRF token: submit, withdraw and support are single buttons."""


class AcceptForm(FlaskForm):
    """Accepting changes the text for every delegation: the organiser confirms it first."""

    confirm = BooleanField(
        _l("I have read the change: apply it to the text as a new revision"),
        validators=[
            DataRequired(_l("Tick the box to confirm that the change goes into the text."))
        ],
    )


class AmendmentForm(FlaskForm):
    target_key = SelectField(_l("Paragraph or commitment to amend"), validators=[DataRequired()])
    kind = SelectField(
        _l("Change proposed"),
        choices=[SelectChoice(k.value, KIND_TITLES[k.value]) for k in AmendmentKind],
        validators=[DataRequired()],
    )
    proposed_title = StringField(
        _l("Proposed commitment title"),
        description=_l("For a commitment: required when inserting, optional when replacing."),
        validators=[PlainText(multiline=True), Optional()],
    )
    proposed_text = TextAreaField(
        _l("Proposed text"),
        description=_l(
            "Plain text: no formatting; line breaks become spaces. At most 5,000 characters. "
            "Not needed to delete."
        ),
        validators=[PlainText(multiline=True), Optional()],
    )
    justification = TextAreaField(
        _l("Justification"), validators=[PlainText(multiline=True), DataRequired()]
    )
    submit_now = BooleanField(
        _l(
            "Submit it now (otherwise it stays a draft that only your delegation and the "
            "organisers see)"
        )
    )


class AmendmentUpdateForm(FlaskForm):
    proposed_title = StringField(
        _l("Proposed commitment title"),
        description=_l("Commitments only."),
        validators=[PlainText(multiline=True), Optional()],
    )
    proposed_text = TextAreaField(
        _l("Proposed text"),
        description=_l(
            "Plain text: no formatting; line breaks become spaces. At most 5,000 characters. "
            "Not needed to delete."
        ),
        validators=[PlainText(multiline=True), Optional()],
    )
    justification = TextAreaField(
        _l("Justification"), validators=[PlainText(multiline=True), DataRequired()]
    )


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for rejecting"), validators=[PlainText(multiline=True), DataRequired()]
    )


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Your comment"), validators=[PlainText(multiline=True), DataRequired()])
