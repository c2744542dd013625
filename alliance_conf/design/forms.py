from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length

from alliance_conf.i18n import _, _l
from alliance_conf.invitations.forms import choice


class SampleForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = StringField(
        _l("E-mail"),
        description=_l("We send the confirmation of accreditation here."),
        validators=[DataRequired(), Email()],
    )
    function = RadioField(
        _l("Function in the delegation"),
        choices=[],  # filled per request, in its language (see __init__)
        validators=[DataRequired(message=_l("Choose a function."))],
    )
    needs = TextAreaField(
        _l("Accessibility needs"),
        description=_l("Only the organisers see this."),
        validators=[Length(max=2000)],
    )
    consent = BooleanField(
        _l("Show my name in the published list of participants"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.function.choices = [
            choice("Head of delegation", _("Head of delegation")),
            choice("Minister", _("Minister")),
            choice("Adviser", _("Adviser")),
        ]
