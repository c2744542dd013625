from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from alliance_conf.badges.operations import MAX_DOOR, MAX_REASON
from alliance_conf.core.forms import PlainText
from alliance_conf.i18n import _l

MAX_CODE = 200


class CheckInForm(FlaskForm):
    code = StringField(
        _l("Badge code"),
        description=_l(
            "Scan the QR code with the camera or a handheld scanner, or type the code printed "
            "under it, then press Enter."
        ),
        validators=[DataRequired(), Length(max=MAX_CODE)],
    )
    door = HiddenField(validators=[Optional(), PlainText(), Length(max=MAX_DOOR)])


class IssueForm(FlaskForm):
    excellency = SelectField(
        _l("“H.E.” before the name"),
        choices=[
            SelectChoice("auto", _l("As the protocol rule decides")),
            SelectChoice("yes", _l("Yes")),
            SelectChoice("no", _l("No")),
        ],
        default="auto",
    )


class RevokeForm(FlaskForm):
    reason = StringField(
        _l("Reason"),
        validators=[PlainText(), DataRequired(), Length(max=MAX_REASON)],
    )


class PrintForm(FlaskForm):
    pass
