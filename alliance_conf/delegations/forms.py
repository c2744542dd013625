from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from alliance_conf.core.forms import PlainText
from alliance_conf.delegations.countries import country_choices
from alliance_conf.delegations.models import DelegationKind
from alliance_conf.delegations.operations import MAX_QUOTA


class DelegationEditForm(FlaskForm):
    group = SelectField("Group", validators=[DataRequired()])
    contact_email = EmailField(
        "Contact e-mail",
        description="Where invitations and notices for this delegation are sent.",
        validators=[Optional(), Length(max=320)],
    )
    delegate_quota = IntegerField(
        "Delegate quota",
        description="How many delegates may be approved; leave empty for no limit.",
        validators=[Optional(), NumberRange(min=0, max=MAX_QUOTA)],
    )

    def set_groups(self, conference) -> None:
        self.group.choices = [
            SelectChoice(key, label) for key, label in (conference.groups or {}).items()
        ]


class DelegationForm(DelegationEditForm):
    kind = RadioField(
        "Kind of delegation",
        choices=[
            SelectChoice(DelegationKind.state.value, "A state"),
            SelectChoice(DelegationKind.organisation.value, "An organisation"),
        ],
        default=DelegationKind.state.value,
        validators=[DataRequired()],
    )
    country_code = SelectField(
        "Country",
        description="For a state: choose it by name (type the first letters to jump to it).",
        choices=[SelectChoice("", "Choose a country…")]
        + [SelectChoice(code, name) for code, name in country_choices()],
        # The operation checks the code and says what is wrong with it.
        validate_choice=False,
        validators=[Optional(), Length(max=2)],
    )
    organisation_name = StringField(
        "Organisation name",
        description="For an organisation.",
        validators=[PlainText(), Optional(), Length(max=200)],
    )


class ImportForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file.")])


class ConfirmForm(FlaskForm):
    """An empty form: its CSRF token confirms a POST action."""
