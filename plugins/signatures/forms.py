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
from alliance_conf.i18n import _l
from plugins.signatures.operations import MAX_REASON, MAX_STATEMENT


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SignForm(FlaskForm):
    endorsed = CheckboxList(_l("Commitments your country endorses"), validate_choice=False)
    statement_target = SelectField(
        _l("Statement or reservation applies to"), validators=[Optional()], validate_choice=False
    )
    statement_kind = SelectField(
        _l("Kind"),
        choices=[
            SelectChoice(value="statement", label=_l("Statement")),
            SelectChoice(value="reservation", label=_l("Reservation")),
        ],
        validators=[Optional()],
    )
    statement_text = TextAreaField(
        _l("Statement or reservation (optional)"),
        description=_l("Attached to your signature and shown with it. At most 2,000 characters."),
        validators=[PlainText(multiline=True), Optional(), Length(max=MAX_STATEMENT)],
    )
    # Not required: a passkey signature replaces it (the view asks for one or the other).
    password = PasswordField(_l("Your password (again)"), validators=[Optional(), Length(max=1000)])
    code = StringField(
        _l("One-time code sent to you by e-mail"), validators=[Optional(), Length(max=12)]
    )
    typed_name = StringField(
        _l("Type your full name to sign"), validators=[PlainText(), DataRequired(), Length(max=200)]
    )
    confirm = BooleanField(_l("I sign this text on behalf of my delegation"), validators=[])
    passkey_credential = HiddenField()


class PolicyForm(FlaskForm):
    mode = SelectField(
        _l("How signatories confirm that it is them"),
        choices=[
            SelectChoice(value="password", label=_l("Password (and the e-mailed code if ticked)")),
            SelectChoice(
                value="passkey_preferred", label=_l("Passkey preferred (password accepted)")
            ),
            SelectChoice(value="passkey_required", label=_l("Passkey required")),
        ],
    )
    email_code = BooleanField(_l("With a password, also require a one-time code sent by e-mail"))


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for withdrawing"),
        validators=[PlainText(multiline=True), DataRequired(), Length(max=MAX_REASON)],
    )
    password = PasswordField(_l("Your password (again)"), validators=[DataRequired()])
    code = StringField(
        _l("One-time code sent to you by e-mail"), validators=[Optional(), Length(max=12)]
    )


class ActionForm(FlaskForm):
    """Only the CSRF token: sending a code or reminders is one button."""


class VerifyForm(FlaskForm):
    class Meta:
        csrf = False  # a GET lookup that changes nothing

    code = StringField(_l("Verification code"), validators=[DataRequired(), Length(max=20)])


class ReceiptCheckForm(FlaskForm):
    receipt = TextAreaField(
        _l("Receipt (JSON)"),
        description=_l("Paste the whole receipt as downloaded, including its signature."),
        validators=[DataRequired(), Length(max=20000)],
    )
