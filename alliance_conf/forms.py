"""Helpers shared by the WTForms of every area."""

from __future__ import annotations

from alliance_conf.core.errors import AllianceError


def apply_errors(form, exc: AllianceError) -> None:
    """Show a domain error on the form: on its fields where named, else on the form itself."""
    placed = False
    for name, message in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), message]
            placed = True
    if not placed:
        form.form_errors.append(exc.message)
