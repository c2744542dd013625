from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length


class SignInForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1000)])
    remember = BooleanField("Keep me signed in on this device")


class SignOutForm(FlaskForm):
    """Only the CSRF token: signing out is a POST so no link can sign anyone out."""


class ApiTokenForm(FlaskForm):
    name = StringField("Token name", validators=[DataRequired(), Length(max=100)])


class PasskeyAddForm(FlaskForm):
    name = StringField(
        "Name of the passkey",
        description="To recognise it later, e.g. “work laptop” or “phone”.",
        validators=[DataRequired(), Length(max=100)],
    )
    password = PasswordField("Your password (again)", validators=[DataRequired(), Length(max=1000)])
    credential = HiddenField()


class PasskeyRemoveForm(FlaskForm):
    password = PasswordField("Your password (again)", validators=[DataRequired(), Length(max=1000)])


class PasskeySignInForm(FlaskForm):
    credential = HiddenField()
