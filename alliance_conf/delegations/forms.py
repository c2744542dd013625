from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

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
        self.group.choices = [(key, label) for key, label in (conference.groups or {}).items()]


class DelegationForm(DelegationEditForm):
    kind = RadioField(
        "Kind of delegation",
        choices=[
            (DelegationKind.state.value, "A state"),
            (DelegationKind.organisation.value, "An organisation"),
        ],
        default=DelegationKind.state.value,
        validators=[DataRequired()],
    )
    country_code = StringField(
        "Country code",
        description="ISO 3166-1 alpha-2, e.g. BE for Belgium (for a state).",
        validators=[Optional(), Length(max=2)],
    )
    organisation_name = StringField(
        "Organisation name",
        description="For an organisation.",
        validators=[Optional(), Length(max=200)],
    )


class ImportForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file.")])


class ConfirmForm(FlaskForm):
    """An empty form: its CSRF token confirms a POST action."""
