"""Helpers shared by the WTForms of every area."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import flash, render_template

from alliance_conf.core.db import transaction
from alliance_conf.core.errors import AllianceError, ValidationFailed


def apply_errors(form, exc: AllianceError, *, summary: bool = False) -> None:
    """Show a domain error on the form: on its fields where named, else on the form itself.

    With ``summary`` the whole message is also put on top, so the reason is always read.
    """
    placed = False
    for name, message in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), message]
            placed = True
    if (summary or not placed) and exc.message not in form.form_errors:
        form.form_errors.append(exc.message)


class FormAction:
    """What happened to one form action: true when it was committed."""

    def __init__(self) -> None:
        self.error: AllianceError | None = None

    def __bool__(self) -> bool:
        return self.error is None

    @property
    def status(self) -> int:
        """The HTTP status of the refusal (its own), 200 when nothing was refused."""
        return self.error.status if self.error is not None else 200


@contextmanager
def form_action(
    form=None, *, summary: bool = False, catch: type[AllianceError] = AllianceError
) -> Iterator[FormAction]:
    """Run the operations of the block and commit; on a domain error roll back and show it.

    ``with form_action(form) as done: ...`` then ``if done:`` for the success path. The error
    lands on the form (see :func:`apply_errors`) and stays on ``done.error``.
    """
    outcome = FormAction()
    try:
        with transaction():
            yield outcome
    except catch as exc:
        outcome.error = exc
        if form is not None:
            apply_errors(form, exc, summary=summary)


def validate_all(form, check) -> bool:
    """``form.validate_on_submit()``, and when the form's own validators refused a field, the
    operation's checks too (``check()``, which raises the domain error naming its fields), so
    the page shows every error at once, each by its field, instead of the next one on the next
    submit. A field the form already refused keeps its own message. Nothing is written:
    ``check`` only reads, and is run only when the form is refused anyway."""
    if form.validate_on_submit():
        return True
    if form.is_submitted():
        try:
            check()
        except AllianceError as exc:
            fields = {
                name: message
                for name, message in exc.fields.items()
                if not getattr(getattr(form, name, None), "errors", None)
            }
            if fields or not exc.fields:
                apply_errors(form, type(exc)(exc.message, fields))
    return False


def form_status(form, *extra) -> int:
    """422 when the form (or anything else given) holds errors, else 200."""
    return 422 if form.errors or any(extra) else 200


def import_page(form, importer, template: str, **context):
    """The page of a CSV import: on a valid upload run ``importer(data)``, commit and flash its
    report's summary; a file with bad rows stores nothing and its problems are listed (422)."""
    report = problems = None
    if form.validate_on_submit():
        with form_action(catch=ValidationFailed) as done:
            report = importer(form.file.data.read())
        if done:
            flash(report.summary(), "success")
        else:
            problems = done.error
    page = render_template(template, form=form, report=report, problems=problems, **context)
    return page, form_status(form, problems)
