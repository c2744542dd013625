"""Forms of the declaration pages. The structured text editor's paragraphs are read from the
request by ``views.content_from_form`` (their number varies); its form carries the CSRF token."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from alliance_conf.core.forms import PlainText
from alliance_conf.declarations.models import AmendmentKind

TEXT_HINT = "Plain text: no formatting; line breaks become spaces. At most 5,000 characters."


class DeclarationCreateForm(FlaskForm):
    title = StringField(
        "Title", validators=[PlainText(multiline=True), DataRequired(), Length(max=300)]
    )


class EditForm(FlaskForm):
    message = StringField(
        "What changed (revision message)",
        description="Shown in the history, e.g. “Tightened commitment 2”.",
        validators=[PlainText(multiline=True), Optional(), Length(max=500)],
    )
    base_revision = HiddenField()


class TransitionForm(FlaskForm):
    to = HiddenField()
    confirm = BooleanField("I understand that the text will be frozen and can never change again")


class ActionForm(FlaskForm):
    """Only the CSRF token: submit, withdraw and support are single buttons."""


class AcceptForm(FlaskForm):
    """Accepting changes the text for every delegation: the organiser confirms it first."""

    confirm = BooleanField(
        "I have read the change: apply it to the text as a new revision",
        validators=[DataRequired("Tick the box to confirm that the change goes into the text.")],
    )


class AmendmentForm(FlaskForm):
    target_key = SelectField("Paragraph or commitment to amend", validators=[DataRequired()])
    kind = SelectField(
        "Change proposed",
        choices=[SelectChoice(k.value, k.title) for k in AmendmentKind],
        validators=[DataRequired()],
    )
    proposed_title = StringField(
        "Proposed commitment title",
        description="For a commitment: required when inserting, optional when replacing.",
        validators=[PlainText(multiline=True), Optional()],
    )
    proposed_text = TextAreaField(
        "Proposed text",
        description=TEXT_HINT + " Not needed to delete.",
        validators=[PlainText(multiline=True), Optional()],
    )
    justification = TextAreaField(
        "Justification", validators=[PlainText(multiline=True), DataRequired()]
    )
    submit_now = BooleanField(
        "Submit it now (otherwise it stays a draft that only your delegation and the organisers see)"
    )


class AmendmentUpdateForm(FlaskForm):
    proposed_title = StringField(
        "Proposed commitment title",
        description="Commitments only.",
        validators=[PlainText(multiline=True), Optional()],
    )
    proposed_text = TextAreaField(
        "Proposed text",
        description=TEXT_HINT + " Not needed to delete.",
        validators=[PlainText(multiline=True), Optional()],
    )
    justification = TextAreaField(
        "Justification", validators=[PlainText(multiline=True), DataRequired()]
    )


class RejectForm(FlaskForm):
    reason = TextAreaField(
        "Reason for rejecting", validators=[PlainText(multiline=True), DataRequired()]
    )


class CommentForm(FlaskForm):
    body = TextAreaField("Your comment", validators=[PlainText(multiline=True), DataRequired()])
