from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length


class SampleForm(FlaskForm):
    full_name = StringField("Full name", validators=[DataRequired(), Length(max=200)])
    email = StringField(
        "E-mail",
        description="We send the confirmation of accreditation here.",
        validators=[DataRequired(), Email()],
    )
    function = RadioField(
        "Function in the delegation",
        choices=["Head of delegation", "Minister", "Adviser"],
        validators=[DataRequired(message="Choose a function.")],
    )
    needs = TextAreaField(
        "Accessibility needs",
        description="Only the organisers see this.",
        validators=[Length(max=2000)],
    )
    consent = BooleanField(
        "Show my name in the published list of participants",
    )
