from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from alliance_conf.auth.passkeys import MAX_NAME
from alliance_conf.core.forms import PlainText


class SignInForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1000)])
    remember = BooleanField("Keep me signed in on this device")


class SignOutForm(FlaskForm):
    """Only the CSRF token: signing out is a POST so no link can sign anyone out."""


class ForgotPasswordForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=320)])


class ChoosePasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        description="At least 12 characters; not a common word, name or pattern.",
        validators=[DataRequired(), Length(max=1000)],
    )
    password_again = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=1000)]
    )
    new_password = PasswordField(
        "New password",
        description="At least 12 characters; not a common word, name or pattern.",
        validators=[DataRequired(), Length(max=1000)],
    )
    new_password_again = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("new_password", message="The two passwords differ.")],
    )


class ChangeEmailForm(FlaskForm):
    new_email = EmailField(
        "New e-mail address", validators=[DataRequired(), Email(), Length(max=320)]
    )
    password = PasswordField("Your password", validators=[DataRequired(), Length(max=1000)])
    email_code = StringField(
        "Code sent to the new address", validators=[Optional(), Length(max=12)]
    )


class PasskeyAddForm(FlaskForm):
    name = StringField(
        "Name of the passkey",
        description="To recognise it later, e.g. “work laptop” or “phone”.",
        validators=[PlainText(), DataRequired(), Length(max=MAX_NAME)],
    )
    password = PasswordField("Your password (again)", validators=[DataRequired(), Length(max=1000)])
    credential = HiddenField()


class PasskeyRemoveForm(FlaskForm):
    password = PasswordField("Your password (again)", validators=[DataRequired(), Length(max=1000)])


class PasskeySignInForm(FlaskForm):
    credential = HiddenField()
