from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from alliance_conf.i18n import _l


class TemplateUploadForm(FlaskForm):
    file = FileField(
        _l("Word template (.docx)"),
        description=_l(
            "Styles it must have: Title, Heading 1, Heading 2, Normal, Commitment, Letterhead. "
            "Paragraphs in the Letterhead style (a logo, the conference name) are kept at the top "
            "of every document; {conference}, {city} and {dates} are filled in."
        ),
        validators=[FileRequired(_l("Choose a .docx file to upload."))],
    )


class RemoveTemplateForm(FlaskForm):
    """Only the CSRF token."""


class SealForm(FlaskForm):
    """Only the CSRF token."""
