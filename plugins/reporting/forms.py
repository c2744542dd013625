"""Forms of the reporting pages. The report form is built per report: its fields depend on the
commitments the delegation endorsed, the configured indicators and the delegation's actions."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from alliance_conf.core.forms import PlainText
from alliance_conf.i18n import _, _l
from plugins.reporting.models import ActionStatus, CommitmentStatus


class RoundForm(FlaskForm):
    title = StringField(
        _l("Title"),
        description=_l("For example “First annual progress report”."),
        validators=[PlainText(), InputRequired(), Length(max=200)],
    )
    period_start = DateField(_l("Period covered: from"), validators=[InputRequired()])
    period_end = DateField(_l("Period covered: to"), validators=[InputRequired()])
    deadline = DateField(
        _l("Deadline"),
        description=_l("On or after the end of the period covered."),
        validators=[InputRequired()],
    )


class NationalActionForm(FlaskForm):
    commitment_key = SelectField(_l("Commitment"), validators=[InputRequired()])
    title = StringField(_l("Title"), validators=[PlainText(), InputRequired(), Length(max=300)])
    description = TextAreaField(
        _l("Description"), validators=[PlainText(multiline=True), Optional(), Length(max=10_000)]
    )
    lead_agency = StringField(
        _l("Lead agency"), validators=[PlainText(), Optional(), Length(max=200)]
    )
    target_date = DateField(_l("Target date"), validators=[Optional()])
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(s.value, s.label) for s in ActionStatus],
        validators=[InputRequired()],
    )


class ButtonForm(FlaskForm):
    """Only the CSRF token: review and remind are single buttons."""


class SubmitReportForm(FlaskForm):
    """Submitting locks the report: the delegation confirms it is complete first."""

    confirm = BooleanField(
        _l("The report is complete: submit it to the organisers (it is locked once submitted)"),
        validators=[DataRequired(_l("Tick the box to confirm that the report is complete."))],
    )


class ReviewForm(FlaskForm):
    comment = TextAreaField(
        _l("Comment (optional when marking reviewed, required when sending back)"),
        validators=[PlainText(multiline=True), Optional(), Length(max=10_000)],
    )


def report_form_class(items: list[dict], indicators: dict[str, str], actions: list):
    """A form with, per commitment, ``c<i>_status``, ``c<i>_narrative``,
    ``c<i>_figure_<indicator>``, ``c<i>_evidence`` and ``c<i>_action_<id>``.

    Returns the class and a map from the operation's error keys to the form's field names.
    """

    class ReportForm(FlaskForm):
        pass

    names: dict[str, str] = {}
    for i, item in enumerate(items):
        key = item["key"]
        n = item["number"]
        setattr(
            ReportForm,
            f"c{i}_status",
            SelectField(
                _("Status of commitment %(number)s", number=n),
                choices=[SelectChoice(s.value, s.title) for s in CommitmentStatus],
            ),
        )
        names[f"{key}.status"] = f"c{i}_status"
        setattr(
            ReportForm,
            f"c{i}_narrative",
            TextAreaField(_("What was done (commitment %(number)s)", number=n)),
        )
        names[f"{key}.narrative"] = f"c{i}_narrative"
        for indicator, label in indicators.items():
            field = f"c{i}_figure_{indicator}"
            setattr(
                ReportForm,
                field,
                StringField(
                    _("%(indicator)s (commitment %(number)s)", indicator=label, number=n),
                    description=_("A whole number from 0 up; leave empty if unknown."),
                ),
            )
            names[f"{key}.figures.{indicator}"] = field
        setattr(
            ReportForm,
            f"c{i}_evidence",
            TextAreaField(
                _("Evidence links (commitment %(number)s)", number=n),
                description=_("One web address per line, starting with http:// or https://."),
            ),
        )
        names[f"{key}.evidence_links"] = f"c{i}_evidence"
        for action in actions:
            if action.commitment_key != key:
                continue
            field = f"c{i}_action_{action.id}"
            setattr(
                ReportForm, field, TextAreaField(_("Progress of “%(action)s”", action=action.title))
            )
            names[f"{key}.action_progress.{action.id}"] = field
    return ReportForm, names
