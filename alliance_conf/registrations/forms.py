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
from alliance_conf.i18n import _l
from alliance_conf.invitations.forms import choice, function_choices
from alliance_conf.registrations.models import IssuingAuthority


class OnBehalfForm(FlaskForm):
    delegation_id = SelectField(_l("Delegation"), coerce=int, validators=[DataRequired()])
    full_name = StringField(
        _l("Full name"), validators=[PlainText(), DataRequired(), Length(max=MAX_FULL_NAME)]
    )
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=320)])
    position = StringField(
        _l("Position or title"), validators=[PlainText(), Optional(), Length(max=200)]
    )
    organisation = StringField(
        _l("Ministry or organisation"), validators=[PlainText(), Optional(), Length(max=200)]
    )
    function = SelectField(
        _l("Function in the delegation"), choices=function_choices, validators=[DataRequired()]
    )
    accessibility_needs = TextAreaField(
        _l("Accessibility needs (optional)"),
        validators=[PlainText(multiline=True), Optional(), Length(max=2000)],
    )
    dietary_needs = TextAreaField(
        _l("Dietary needs (optional)"),
        validators=[PlainText(multiline=True), Optional(), Length(max=2000)],
    )
    consent_participant_list = BooleanField(
        _l("The person agreed to appear on the published list of participants")
    )


DECISIONS = [choice("approved", _l("Approve")), choice("rejected", _l("Reject"))]


class BulkDecisionForm(FlaskForm):
    decision = SelectField(_l("Decision for the selected registrations"), choices=DECISIONS)
    reason = TextAreaField(
        _l("Reason (required to reject; sent to the delegates)"),
        validators=[PlainText(multiline=True), Optional(), Length(max=2000)],
    )


class StatusForm(FlaskForm):
    status = SelectField(
        _l("New status"),
        choices=[
            choice("approved", _l("Approve")),
            choice("rejected", _l("Reject")),
            choice("cancelled", _l("Cancel")),
            choice("withdrawn", _l("Withdraw")),
        ],
    )
    reason = TextAreaField(
        _l("Reason"), validators=[PlainText(multiline=True), Optional(), Length(max=2000)]
    )
    function = SelectField(
        _l("Confirmed function"), choices=function_choices, validators=[Optional()]
    )


class FunctionForm(FlaskForm):
    function = SelectField(
        _l("Confirmed function"), choices=function_choices, validators=[DataRequired()]
    )


class InstrumentForm(FlaskForm):
    instrument_reference = StringField(
        _l("Instrument reference"), validators=[PlainText(), DataRequired(), Length(max=200)]
    )
    issuing_authority = RadioField(
        _l("Issued by"),
        choices=[],  # filled per request, in its language (see __init__)
        validators=[DataRequired()],
    )
    issuing_authority_text = StringField(
        _l("Issuing authority, when “Other”"), validators=[PlainText(), Optional(), Length(max=200)]
    )
    instrument_date = DateField(_l("Date of the instrument"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.issuing_authority.choices = [choice(a.value, a.title) for a in IssuingAuthority]


class GrantPowersForm(InstrumentForm):
    document = FileField(
        _l("Scanned letter of full powers (PDF, optional)"),
        validators=[Optional(), FileAllowed(["pdf"], _l("A PDF file."))],
    )


class RevokePowersForm(InstrumentForm):
    reason = TextAreaField(
        _l("Reason (optional)"),
        validators=[PlainText(multiline=True), Optional(), Length(max=2000)],
    )


class ActionForm(FlaskForm):
    """Only the CSRF token."""


class EraseForm(FlaskForm):
    confirm = BooleanField(
        _l(
            "I understand that my name, e-mail and answers will be erased and my account closed; "
            "this cannot be undone"
        ),
        validators=[DataRequired(message=_l("Tick the box to confirm the erasure."))],
    )
