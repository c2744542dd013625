from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from alliance_conf.i18n import _l
from alliance_conf.registrations.models import DelegateFunction

try:  # WTForms 3.3 deprecates (value, label) tuples
    from wtforms.fields.choices import SelectChoice as choice
except ImportError:  # pragma: no cover - older WTForms

    def choice(value, label):
        return (value, label)


from alliance_conf.auth.operations import MAX_FULL_NAME
from alliance_conf.core.forms import PlainText


class InviteForm(FlaskForm):
    delegation_id = SelectField(_l("Delegation"), coerce=int, validators=[DataRequired()])
    email = EmailField(
        _l("E-mail of the person invited"),
        description=_l("The delegation's contact, or anyone the delegation should include."),
        validators=[DataRequired(), Email(), Length(max=320)],
    )
    full_name = StringField(
        _l("Name (optional)"), validators=[PlainText(), Optional(), Length(max=MAX_FULL_NAME)]
    )


class ImportForm(FlaskForm):
    file = FileField(
        _l("CSV file (UTF-8)"),
        description=_l(
            "Header line: delegation,email,name. Delegation is a country code "
            "(BE) or an organisation name; name is optional."
        ),
        validators=[FileRequired()],
    )


class ActionForm(FlaskForm):
    """Only the CSRF token: resend, revoke and decline are POSTs."""


def function_choices():
    return [choice(f.value, f.title) for f in DelegateFunction]


class RegistrationForm(FlaskForm):
    full_name = StringField(
        _l("Full name"), validators=[PlainText(), DataRequired(), Length(max=MAX_FULL_NAME)]
    )
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=320)])
    position = StringField(
        _l("Position or title"),
        description=_l("For example: Minister of Justice."),
        validators=[PlainText(), DataRequired(), Length(max=200)],
    )
    organisation = StringField(
        _l("Ministry or organisation"), validators=[PlainText(), DataRequired(), Length(max=200)]
    )
    function = SelectField(
        _l("Function in the delegation"), choices=function_choices, validators=[DataRequired()]
    )
    accessibility_needs = TextAreaField(
        _l("Accessibility needs (optional)"),
        description=_l("Seen only by the organisers."),
        validators=[PlainText(multiline=True), Optional(), Length(max=2000)],
    )
    dietary_needs = TextAreaField(
        _l("Dietary needs (optional)"),
        description=_l("Seen only by the organisers."),
        validators=[PlainText(multiline=True), Optional(), Length(max=2000)],
    )
    consent_participant_list = BooleanField(
        _l("I agree to appear (name, title, organisation) on the published list of participants")
    )
    privacy_accepted = BooleanField(
        _l(
            "I have read the privacy notice and agree to my data being processed for this conference"
        ),
        validators=[DataRequired(message=_l("You must accept the privacy notice to register."))],
    )
    email_code = StringField(
        _l("Code sent to your e-mail address"),
        description=_l(
            "Registering with an address other than the invited one needs the 6-digit "
            "code we send to it."
        ),
        validators=[Optional(), Length(max=12)],
    )
    password = PasswordField(
        _l("Password for your new account"),
        description=_l("At least 12 characters; not a common word, name or pattern."),
        validators=[Optional(), Length(max=1000)],
    )
    password_again = PasswordField(
        _l("Password again"),
        validators=[Optional(), EqualTo("password", message=_l("The two passwords differ."))],
    )
