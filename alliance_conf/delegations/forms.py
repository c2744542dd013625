from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from alliance_conf.core.forms import PlainText
from alliance_conf.delegations.countries import country_choices
from alliance_conf.delegations.models import DelegationKind
from alliance_conf.delegations.operations import MAX_ORGANISATION_NAME, MAX_QUOTA
from alliance_conf.i18n import _, _l


class DelegationEditForm(FlaskForm):
    organisation_name = StringField(
        _l("Organisation name"),
        validators=[PlainText(), DataRequired(), Length(max=MAX_ORGANISATION_NAME)],
    )
    group = SelectField(_l("Group"), validators=[DataRequired()])
    contact_email = EmailField(
        _l("Contact e-mail"),
        description=_l("Where invitations and notices for this delegation are sent."),
        validators=[Optional(), Length(max=320)],
    )
    delegate_quota = IntegerField(
        _l("Delegate quota"),
        description=_l("How many delegates may be approved; leave empty for no limit."),
        validators=[Optional(), NumberRange(min=0, max=MAX_QUOTA)],
    )

    def set_groups(self, conference) -> None:
        self.group.choices = [
            SelectChoice(key, conference.group_label(key)) for key in (conference.groups or {})
        ]


class DelegationForm(DelegationEditForm):
    kind = RadioField(
        _l("Kind of delegation"),
        choices=[
            SelectChoice(DelegationKind.state.value, _l("A state")),
            SelectChoice(DelegationKind.organisation.value, _l("An organisation")),
        ],
        default=DelegationKind.state.value,
        validators=[DataRequired()],
    )
    country_code = SelectField(
        _l("Country"),
        description=_l("For a state: choose it by name (type the first letters to jump to it)."),
        # The choices are the country names in the interface's language (set per request).
        # The operation checks the code and says what is wrong with it.
        validate_choice=False,
        validators=[Optional(), Length(max=2)],
    )
    organisation_name = StringField(
        _l("Organisation name"),
        description=_l("For an organisation."),
        validators=[PlainText(), Optional(), Length(max=MAX_ORGANISATION_NAME)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country_code.choices = [SelectChoice("", _("Choose a country…"))] + [
            SelectChoice(code, name) for code, name in country_choices()
        ]


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))])


class ConfirmForm(FlaskForm):
    """An empty form: its CSRF token confirms a POST action."""
