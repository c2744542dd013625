from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from alliance_conf.conferences.models import SLUG_PATTERN
from alliance_conf.core.forms import PlainText
from alliance_conf.i18n import _l

# The operation's own words (``validate_conference_fields``), not WTForms' "Invalid input."
SLUG_MESSAGE = _l("Use 3 to 80 lower-case letters, digits and single hyphens.")


class ConferenceForm(FlaskForm):
    title = StringField(_l("Title"), validators=[PlainText(), DataRequired(), Length(max=300)])
    slug = StringField(
        _l("Short name in addresses"),
        description=_l("Lower-case letters, digits and hyphens, e.g. global-alliance-2012."),
        validators=[
            DataRequired(),
            Length(min=3, max=80, message=SLUG_MESSAGE),
            Regexp(SLUG_PATTERN, message=SLUG_MESSAGE),
        ],
    )
    city = StringField(_l("City"), validators=[PlainText(), DataRequired(), Length(max=120)])
    venue = StringField(_l("Venue"), validators=[PlainText(), Optional(), Length(max=200)])
    start_date = DateField(_l("First day"), validators=[DataRequired()])
    end_date = DateField(_l("Last day"), validators=[DataRequired()])
    timezone = StringField(
        _l("Time zone"), default="UTC", validators=[PlainText(), DataRequired(), Length(max=64)]
    )
    languages = StringField(
        _l("Authentic languages"),
        default="en",
        description=_l(
            "Language codes separated by commas, the language the declaration is drafted in "
            "first, e.g. en, fr."
        ),
        validators=[PlainText(), DataRequired(), Length(max=200)],
    )
    co_chairs = TextAreaField(
        _l("Co-chairs or hosts"),
        description=_l("One per line: name, then a comma, then the title."),
        validators=[PlainText(multiline=True), Optional(), Length(max=4000)],
    )

    def language_list(self) -> list[str]:
        return [code.strip() for code in (self.languages.data or "").split(",") if code.strip()]

    def co_chair_list(self) -> list[dict]:
        chairs = []
        for line in (self.co_chairs.data or "").splitlines():
            if line.strip():
                name, _, title = line.partition(",")
                chairs.append({"name": name.strip(), "title": title.strip()})
        return chairs
