"""The documents API: each document as a file download (the OpenAPI document says so)."""

from __future__ import annotations

from alliance_conf.api.framework import ApiBlueprint, api_user
from alliance_conf.auth.models import UserRole
from alliance_conf.conferences.operations import get_conference
from alliance_conf.core.errors import NotFound
from alliance_conf.declarations import operations as declaration_ops
from alliance_conf.extensions import db
from alliance_conf.i18n import _
from alliance_conf.jobs.api import JobOut, job_out
from plugins.documents import operations
from plugins.documents.builder import DOCX_CONTENT_TYPE
from plugins.documents.schemas import (
    BilingualDocumentQuery,
    CompareDocumentQuery,
    DocumentJobIn,
    DocumentLanguageQuery,
    ExporterOut,
    SealedOut,
)
from plugins.documents.seal import PDF_CONTENT_TYPE
from plugins.documents.views import file_response

api = ApiBlueprint("documents_api", __name__)
TEAM = [UserRole.organiser, UserRole.staff]


def _declaration(declaration_id: int):
    declaration = declaration_ops.get_declaration(declaration_id)
    declaration_ops.check_can_view(declaration, api_user())
    return declaration


def _download(name: str, **kwargs):
    exporter = operations.get_exporter(name)
    data, filename = operations.generate(name, actor=api_user(), **kwargs)
    db.session.commit()  # the download's audit event
    return file_response(data, filename, exporter.content_type)


@api.endpoint(
    "/documents/exporters",
    "GET",
    roles=TEAM,
    response=list[ExporterOut],
    summary="The documents the installed plugins can generate",
)
def list_exporters():
    """Declaration kinds (declaration, revision, comparison) are under
    ``/declarations/<id>/documents/``; every other kind under ``/conferences/<slug>/documents/``."""
    user = api_user()
    return [
        ExporterOut(
            name=e.name,
            label=str(e.label),
            kind=e.kind,
            extension=e.extension,
            content_type=e.content_type,
        )
        for e in operations.exporters()
        if operations.exporter_allowed(e, user)
    ]


@api.endpoint(
    "/declarations/<int:declaration_id>/documents/final.docx",
    "GET",
    roles=TEAM,
    query=DocumentLanguageQuery,
    content_type=DOCX_CONTENT_TYPE,
    summary="The final declaration as a Word document, in one of its authentic languages",
    operation_id="download_final_declaration",
)
def final_docx(declaration_id: int, query: DocumentLanguageQuery):
    """The frozen text, the signatories in protocol order, statements and reservations, and
    the signature record, every word of the document in ``language``. 409 while the text is
    not frozen."""
    return _download("final", declaration=_declaration(declaration_id), **_language(query.language))


def _language(language: str | None) -> dict:
    return {"language": language} if language else {}


@api.endpoint(
    "/declarations/<int:declaration_id>/documents/bilingual.docx",
    "GET",
    roles=TEAM,
    query=BilingualDocumentQuery,
    content_type=DOCX_CONTENT_TYPE,
    summary="The bilingual edition: two language versions side by side, aligned item by item",
    operation_id="download_bilingual_declaration",
)
def bilingual_docx(declaration_id: int, query: BilingualDocumentQuery):
    """The frozen text (or ``revision``, as a draft) in two columns, ``left`` and ``right``
    (default: the conference's first two languages). 409 while the text is not frozen and no
    revision is given; 422 for a language the conference does not have."""
    kwargs = {k: v for k, v in (("left", query.left), ("right", query.right)) if v}
    if query.revision is not None:
        kwargs["number"] = query.revision
    return _download("bilingual", declaration=_declaration(declaration_id), **kwargs)


@api.endpoint(
    "/declarations/<int:declaration_id>/documents/revisions/<int:number>.docx",
    "GET",
    roles=TEAM,
    query=DocumentLanguageQuery,
    content_type=DOCX_CONTENT_TYPE,
    summary="One revision as a Word document (DRAFT unless it is the frozen text)",
    operation_id="download_revision",
)
def revision_docx(declaration_id: int, number: int, query: DocumentLanguageQuery):
    return _download(
        "revision",
        declaration=_declaration(declaration_id),
        number=number,
        **_language(query.language),
    )


@api.endpoint(
    "/declarations/<int:declaration_id>/documents/compare.docx",
    "GET",
    roles=TEAM,
    query=CompareDocumentQuery,
    content_type=DOCX_CONTENT_TYPE,
    summary="A redline between two revisions, with Word tracked changes",
    operation_id="download_comparison",
)
def compare_docx(declaration_id: int, query: CompareDocumentQuery):
    return _download(
        "compare",
        declaration=_declaration(declaration_id),
        from_number=query.from_,
        to_number=query.to,
        **_language(query.language),
    )


@api.endpoint(
    "/conferences/<slug>/documents/participants.docx",
    "GET",
    roles=TEAM,
    query=DocumentLanguageQuery,
    content_type=DOCX_CONTENT_TYPE,
    summary="The list of participants by delegation, in protocol order",
    operation_id="download_participant_list",
)
def participants_docx(slug: str, query: DocumentLanguageQuery):
    """Approved delegates who consented to the published list; no contact or needs data.
    Headings and country names in ``language``."""
    return _download("participants", conference=get_conference(slug), **_language(query.language))


@api.endpoint(
    "/conferences/<slug>/documents/<name>.<ext>",
    "GET",
    roles=TEAM,
    content_type="application/octet-stream",
    summary="Any conference document a plugin offers (see /documents/exporters)",
    operation_id="download_conference_document",
)
def conference_document(slug: str, name: str, ext: str):
    conference = get_conference(slug)
    exporter = operations.get_exporter(name)
    if exporter.extension != ext or exporter.kind in operations.DECLARATION_KINDS:
        raise NotFound(_("There is no conference document %(name)s.%(ext)s.", name=name, ext=ext))
    return _download(name, conference=conference)


@api.endpoint(
    "/conferences/<slug>/documents/<name>.<ext>/jobs",
    "POST",
    roles=TEAM,
    body=DocumentJobIn,
    response=JobOut,
    status=202,
    summary="Prepare a conference document in the background",
    operation_id="prepare_conference_document",
)
def prepare_conference_document(slug: str, name: str, ext: str, body: DocumentJobIn):
    """For large conferences. Follow the job at ``GET /api/v1/jobs/<id>``; its
    ``download_url`` appears when the file is ready."""
    conference = get_conference(slug)
    exporter = operations.get_exporter(name)
    if exporter.extension != ext or exporter.kind in operations.DECLARATION_KINDS:
        raise NotFound(_("There is no conference document %(name)s.%(ext)s.", name=name, ext=ext))
    job = operations.start_document_job(conference, name, actor=api_user(), language=body.language)
    db.session.commit()
    return job_out(job), 202


def _sealed_out(declaration, record) -> SealedOut:
    return SealedOut(
        declaration_id=declaration.id,
        revision=record.revision_number,
        signature_count=record.signature_count,
        sha256=record.sha256,
        size=record.size,
        sealed_at=record.sealed_at,
        certificate_subject=record.certificate_subject,
        certificate_sha256=record.certificate_sha256,
        download_path=f"/api/v1/declarations/{declaration.id}/documents/sealed.pdf",
    )


@api.endpoint(
    "/declarations/<int:declaration_id>/documents/seal",
    "POST",
    roles=TEAM,
    response=SealedOut,
    status=201,
    summary="Seal the final declaration as a PDF/A-2b with a PAdES seal",
)
def seal_declaration(declaration_id: int):
    """Converts the final declaration (with the signatures so far) and seals it with the
    sealing certificate. 409 while the text is not frozen or without a usable certificate."""
    declaration = _declaration(declaration_id)
    record = operations.seal_final_declaration(declaration, actor=api_user())
    db.session.commit()
    return _sealed_out(declaration, record)


@api.endpoint(
    "/declarations/<int:declaration_id>/documents/sealed.pdf",
    "GET",
    content_type=PDF_CONTENT_TYPE,
    summary="The newest sealed PDF of the final declaration",
)
def sealed_pdf(declaration_id: int):
    """For everyone who may read the declaration. 404 until it has been sealed."""
    declaration = _declaration(declaration_id)
    record = operations.get_sealed(declaration)
    operations.record_download(
        api_user(),
        document="sealed",
        data=record.content,
        about=declaration,
        revision=str(record.revision_number),
    )
    db.session.commit()
    return file_response(
        record.content, operations.sealed_download_name(declaration), PDF_CONTENT_TYPE
    )
