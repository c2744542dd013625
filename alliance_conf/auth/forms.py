from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from alliance_conf.auth.passkeys import MAX_NAME
from alliance_conf.core.forms import PlainText
from alliance_conf.i18n import _l


class SignInForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=320)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class SignOutForm(FlaskForm):
    """Only the CSRF token: signing out is a POST so no link can sign anyone out."""


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=320)])


class ChoosePasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        description=_l("At least 12 characters; not a common word, name or pattern."),
        validators=[DataRequired(), Length(max=1000)],
    )
    password_again = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=1000)]
    )
    new_password = PasswordField(
        _l("New password"),
        description=_l("At least 12 characters; not a common word, name or pattern."),
        validators=[DataRequired(), Length(max=1000)],
    )
    new_password_again = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The two passwords differ.")),
        ],
    )


class ChangeEmailForm(FlaskForm):
    new_email = EmailField(
        _l("New e-mail address"), validators=[DataRequired(), Email(), Length(max=320)]
    )
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=1000)])
    email_code = StringField(
        _l("Code sent to the new address"), validators=[Optional(), Length(max=12)]
    )


class PasskeyAddForm(FlaskForm):
    name = StringField(
        _l("Name of the passkey"),
        description=_l("To recognise it later, e.g. “work laptop” or “phone”."),
        validators=[PlainText(), DataRequired(), Length(max=MAX_NAME)],
    )
    password = PasswordField(
        _l("Your password (again)"), validators=[DataRequired(), Length(max=1000)]
    )
    credential = HiddenField()


class PasskeyRemoveForm(FlaskForm):
    password = PasswordField(
        _l("Your password (again)"), validators=[DataRequired(), Length(max=1000)]
    )


class PasskeySignInForm(FlaskForm):
    credential = HiddenField()
