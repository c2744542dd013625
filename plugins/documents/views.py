from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.utils import secure_filename

from alliance_conf.auth.access import login_required, roles_required
from alliance_conf.auth.models import UserRole
from alliance_conf.conferences.operations import get_conference
from alliance_conf.core.errors import NotFound
from alliance_conf.declarations import operations as declaration_ops
from alliance_conf.declarations.models import Declaration
from alliance_conf.extensions import db
from alliance_conf.forms import form_action
from alliance_conf.i18n import _
from plugins.documents import operations
from plugins.documents.forms import RemoveTemplateForm, SealForm, TemplateUploadForm
from plugins.documents.seal import PDF_CONTENT_TYPE

TEAM = (UserRole.organiser, UserRole.staff)


def file_response(data: bytes, filename: str, content_type: str) -> Response:
    response = Response(data, mimetype=content_type)
    ascii_name = secure_filename(filename) or "document"
    disposition = f'attachment; filename="{ascii_name}"'
    if ascii_name != filename:
        disposition += f"; filename*=UTF-8''{quote(filename, safe='')}"
    response.headers["Content-Disposition"] = disposition
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _declaration(declaration_id: int) -> Declaration:
    declaration = declaration_ops.get_declaration(declaration_id)
    declaration_ops.check_can_view(declaration, current_user)
    return declaration


def _allowed(kinds) -> list:
    return [e for e in operations.exporters(kinds) if operations.exporter_allowed(e, current_user)]


@roles_required(*TEAM)
def declaration_documents(declaration_id: int):
    declaration = _declaration(declaration_id)
    return render_template(
        "documents/declaration.html",
        declaration=declaration,
        conference=declaration.conference,
        exporters=_allowed(operations.DECLARATION_KINDS),
        numbers=list(range(declaration.current_revision_number, 0, -1)),
        sealed=operations.latest_sealed(declaration),
        seal_form=SealForm(),
        languages=operations.conference_languages(declaration.conference),
    )


@roles_required(*TEAM)
def declaration_download(declaration_id: int, name: str, ext: str):
    declaration = _declaration(declaration_id)
    exporter = operations.get_exporter(name)
    if exporter.extension != ext or exporter.kind not in operations.DECLARATION_KINDS:
        raise NotFound(
            _("There is no document %(name)s.%(ext)s for a declaration.", name=name, ext=ext)
        )
    kwargs = operations.exporter_arguments(exporter, args=request.args, declaration=declaration)
    data, filename = operations.generate(name, actor=current_user, **kwargs)
    db.session.commit()  # the download's audit event
    return file_response(data, filename, exporter.content_type)


def _conference_context(conference, form=None, remove_form=None) -> dict:
    declarations = db.session.scalars(
        declaration_ops.visible_declarations(conference, current_user).order_by(Declaration.id)
    ).all()
    kinds = tuple({e.kind for e in operations.exporters()} - set(operations.DECLARATION_KINDS))
    template = operations.get_template(conference)
    return {
        "conference": conference,
        "declarations": declarations,
        "exporters": _allowed(kinds) if kinds else [],
        "template": template,
        "template_size": _("%(size)s bytes", size=format_decimal(template.size))
        if template
        else "",
        "form": form or TemplateUploadForm(),
        "remove_form": remove_form or RemoveTemplateForm(),
        "max_bytes": current_app.config["DOCUMENTS_TEMPLATE_MAX_BYTES"],
        "languages": operations.conference_languages(conference),
        "in_background": operations.runs_in_background(conference),
    }


@roles_required(*TEAM)
def conference_documents(slug: str):
    conference = get_conference(slug)
    return render_template("documents/conference.html", **_conference_context(conference))


@roles_required(*TEAM)
def conference_download(slug: str, name: str, ext: str):
    conference = get_conference(slug)
    exporter = operations.get_exporter(name)
    if exporter.extension != ext or exporter.kind in operations.DECLARATION_KINDS:
        raise NotFound(
            _("There is no document %(name)s.%(ext)s for a conference.", name=name, ext=ext)
        )
    kwargs = operations.exporter_arguments(exporter, args=request.args, conference=conference)
    data, filename = operations.generate(name, actor=current_user, **kwargs)
    db.session.commit()  # the download's audit event
    return file_response(data, filename, exporter.content_type)


@roles_required(*TEAM)
def conference_prepare(slug: str, name: str, ext: str):
    """Start a conference document as a background job (large conferences); its page shows
    progress and then the file."""
    conference = get_conference(slug)
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400, _("The form expired or was sent from elsewhere. Reload the page."))
    exporter = operations.get_exporter(name)
    if exporter.extension != ext:
        raise NotFound(
            _("There is no document %(name)s.%(ext)s for a conference.", name=name, ext=ext)
        )
    job = operations.start_document_job(
        conference, name, actor=current_user, language=request.form.get("language") or None
    )
    db.session.commit()
    return redirect(url_for("jobs.show", job_id=job.id))


@roles_required(*TEAM)
def template_upload(slug: str):
    conference = get_conference(slug)
    form = TemplateUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        with form_action(form) as done:
            operations.upload_template(
                conference, upload.filename or "", upload.read(), actor=current_user
            )
        if done:
            flash(_("The template is saved: new documents use it."), "success")
            return redirect(url_for("documents.conference", slug=slug))
    context = _conference_context(conference, form=form)
    return render_template("documents/conference.html", **context), 422


@roles_required(*TEAM)
def template_remove(slug: str):
    conference = get_conference(slug)
    form = RemoveTemplateForm()
    if not form.validate_on_submit():
        flash(_("The form expired or was sent from elsewhere. Please try again."), "error")
        return redirect(url_for("documents.conference", slug=slug))
    operations.remove_template(conference, actor=current_user)
    db.session.commit()
    flash(_("The uploaded template is removed: documents use the default template."), "success")
    return redirect(url_for("documents.conference", slug=slug))


@roles_required(*TEAM)
def template_download(slug: str):
    conference = get_conference(slug)
    stored = operations.get_template(conference)
    if stored is None:
        from plugins.documents.builder import DOCX_CONTENT_TYPE, default_template_bytes

        return file_response(default_template_bytes(), "default-template.docx", DOCX_CONTENT_TYPE)
    return file_response(stored.content, stored.filename, operations.DOCX)


@roles_required(*TEAM)
def declaration_seal(declaration_id: int):
    declaration = _declaration(declaration_id)
    back = redirect(url_for("documents.declaration", declaration_id=declaration.id))
    if not SealForm().validate_on_submit():
        flash(_("The form expired or was sent from elsewhere. Please try again."), "error")
        return back
    with form_action() as done:
        record = operations.seal_final_declaration(declaration, actor=current_user)
    if not done:
        flash(done.error.message, "error")
        return back
    flash(_("The sealed PDF is ready (SHA-256 %(sha256)s).", sha256=record.sha256), "success")
    return back


@login_required
def sealed_download(declaration_id: int):
    """The newest sealed PDF: for everyone who may read the declaration (signatories' receipts
    link to it)."""
    declaration = _declaration(declaration_id)
    record = operations.get_sealed(declaration)
    operations.record_download(
        current_user,
        document="sealed",
        data=record.content,
        about=declaration,
        revision=str(record.revision_number),
    )
    db.session.commit()
    return file_response(
        record.content, operations.sealed_download_name(declaration), PDF_CONTENT_TYPE
    )
