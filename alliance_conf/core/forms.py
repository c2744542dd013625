"""Field validators shared by the web forms of every area: the rules the JSON API and the
operations apply, with the same messages, so a person typing into a form, a client of the API
and a script get the same answer for the same input."""

from __future__ import annotations

from wtforms.validators import ValidationError

from alliance_conf.core.inputs import plain_text_error


class PlainText:
    """No control character (tab and line breaks allowed when ``multiline``) and no invisible
    format character (``plain_text_error``: the rule of the API's ``Line`` and ``Text``)."""

    def __init__(self, multiline: bool = False):
        self.multiline = multiline
        self.field_flags = {}

    def __call__(self, form, field) -> None:
        if isinstance(field.data, str):
            problem = plain_text_error(field.data, multiline=self.multiline)
            if problem:
                raise ValidationError(problem)
