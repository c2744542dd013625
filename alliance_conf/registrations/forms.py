from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from alliance_conf.auth.operations import MAX_FULL_NAME
from alliance_conf.core.forms import PlainText
from alliance_conf.invitations.forms import choice, function_choices
from alliance_conf.registrations.models import IssuingAuthority


class OnBehalfForm(FlaskForm):
    delegation_id = SelectField("Delegation", coerce=int, validators=[DataRequired()])
    full_name = StringField(
        "Full name", validators=[PlainText(), DataRequired(), Length(max=MAX_FULL_NAME)]
    )
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=320)])
    position = StringField(
        "Position or title", validators=[PlainText(), Optional(), Length(max=200)]
    )
    organisation = StringField(
        "Ministry or organisation", validators=[PlainText(), Optional(), Length(max=200)]
    )
    function = SelectField(
        "Function in the delegation", choices=function_choices, validators=[DataRequired()]
    )
    accessibility_needs = TextAreaField(
        "Accessibility needs (optional)",
        validators=[PlainText(multiline=True), Optional(), Length(max=2000)],
    )
    dietary_needs = TextAreaField(
        "Dietary needs (optional)",
        validators=[PlainText(multiline=True), Optional(), Length(max=2000)],
    )
    consent_participant_list = BooleanField(
        "The person agreed to appear on the published list of participants"
    )


DECISIONS = [choice("approved", "Approve"), choice("rejected", "Reject")]


class BulkDecisionForm(FlaskForm):
    decision = SelectField("Decision for the selected registrations", choices=DECISIONS)
    reason = TextAreaField(
        "Reason (required to reject; sent to the delegates)",
        validators=[PlainText(multiline=True), Optional(), Length(max=2000)],
    )


class StatusForm(FlaskForm):
    status = SelectField(
        "New status",
        choices=[
            choice("approved", "Approve"),
            choice("rejected", "Reject"),
            choice("cancelled", "Cancel"),
            choice("withdrawn", "Withdraw"),
        ],
    )
    reason = TextAreaField(
        "Reason", validators=[PlainText(multiline=True), Optional(), Length(max=2000)]
    )
    function = SelectField("Confirmed function", choices=function_choices, validators=[Optional()])


class FunctionForm(FlaskForm):
    function = SelectField(
        "Confirmed function", choices=function_choices, validators=[DataRequired()]
    )


class InstrumentForm(FlaskForm):
    instrument_reference = StringField(
        "Instrument reference", validators=[PlainText(), DataRequired(), Length(max=200)]
    )
    issuing_authority = RadioField(
        "Issued by",
        choices=[choice(a.value, a.title) for a in IssuingAuthority],
        validators=[DataRequired()],
    )
    issuing_authority_text = StringField(
        "Issuing authority, when “Other”", validators=[PlainText(), Optional(), Length(max=200)]
    )
    instrument_date = DateField("Date of the instrument", validators=[DataRequired()])


class GrantPowersForm(InstrumentForm):
    document = FileField(
        "Scanned letter of full powers (PDF, optional)",
        validators=[Optional(), FileAllowed(["pdf"], "A PDF file.")],
    )


class RevokePowersForm(InstrumentForm):
    reason = TextAreaField(
        "Reason (optional)", validators=[PlainText(multiline=True), Optional(), Length(max=2000)]
    )


class ActionForm(FlaskForm):
    """Only the CSRF token."""


class EraseForm(FlaskForm):
    confirm = BooleanField(
        "I understand that my name, e-mail and answers will be erased and my account closed; "
        "this cannot be undone",
        validators=[DataRequired(message="Tick the box to confirm the erasure.")],
    )
