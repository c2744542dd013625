"""Forms of the signing pages. Every form carries the CSRF token."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from alliance_conf.core.forms import PlainText
from plugins.signatures.operations import MAX_REASON, MAX_STATEMENT


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SignForm(FlaskForm):
    endorsed = CheckboxList("Commitments your country endorses", validate_choice=False)
    statement_target = SelectField(
        "Statement or reservation applies to", validators=[Optional()], validate_choice=False
    )
    statement_kind = SelectField(
        "Kind",
        choices=[
            SelectChoice(value="statement", label="Statement"),
            SelectChoice(value="reservation", label="Reservation"),
        ],
        validators=[Optional()],
    )
    statement_text = TextAreaField(
        "Statement or reservation (optional)",
        description="Attached to your signature and shown with it. At most 2,000 characters.",
        validators=[PlainText(multiline=True), Optional(), Length(max=MAX_STATEMENT)],
    )
    # Not required: a passkey signature replaces it (the view asks for one or the other).
    password = PasswordField("Your password (again)", validators=[Optional(), Length(max=1000)])
    code = StringField(
        "One-time code sent to you by e-mail", validators=[Optional(), Length(max=12)]
    )
    typed_name = StringField(
        "Type your full name to sign", validators=[PlainText(), DataRequired(), Length(max=200)]
    )
    confirm = BooleanField("I sign this text on behalf of my delegation", validators=[])
    passkey_credential = HiddenField()


class PolicyForm(FlaskForm):
    mode = SelectField(
        "How signatories confirm that it is them",
        choices=[
            SelectChoice(value="password", label="Password (and the e-mailed code if ticked)"),
            SelectChoice(value="passkey_preferred", label="Passkey preferred (password accepted)"),
            SelectChoice(value="passkey_required", label="Passkey required"),
        ],
    )
    email_code = BooleanField("With a password, also require a one-time code sent by e-mail")


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        "Reason for withdrawing",
        validators=[PlainText(multiline=True), DataRequired(), Length(max=MAX_REASON)],
    )
    password = PasswordField("Your password (again)", validators=[DataRequired()])
    code = StringField(
        "One-time code sent to you by e-mail", validators=[Optional(), Length(max=12)]
    )


class ActionForm(FlaskForm):
    """Only the CSRF token: sending a code or reminders is one button."""


class VerifyForm(FlaskForm):
    class Meta:
        csrf = False  # a GET lookup that changes nothing

    code = StringField("Verification code", validators=[DataRequired(), Length(max=20)])


class ReceiptCheckForm(FlaskForm):
    receipt = TextAreaField(
        "Receipt (JSON)",
        description="Paste the whole receipt as downloaded, including its signature.",
        validators=[DataRequired(), Length(max=20000)],
    )
