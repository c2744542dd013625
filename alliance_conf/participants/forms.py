from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class ParticipantImportForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file.")])
