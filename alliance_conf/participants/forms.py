from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from alliance_conf.i18n import _l


class ParticipantImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))])
