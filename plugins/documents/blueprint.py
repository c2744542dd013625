from flask import Blueprint

from plugins.documents import views

bp = Blueprint("documents", __name__, template_folder="templates")

bp.add_url_rule(
    "/declarations/<int:declaration_id>/documents", "declaration", views.declaration_documents
)
bp.add_url_rule(
    "/declarations/<int:declaration_id>/documents/seal",
    "seal",
    views.declaration_seal,
    methods=["POST"],
)
bp.add_url_rule(
    "/declarations/<int:declaration_id>/documents/sealed.pdf", "sealed", views.sealed_download
)
bp.add_url_rule(
    "/declarations/<int:declaration_id>/documents/<name>.<ext>",
    "declaration_download",
    views.declaration_download,
)
bp.add_url_rule("/conferences/<slug>/documents", "conference", views.conference_documents)
bp.add_url_rule(
    "/conferences/<slug>/documents/template",
    "template_upload",
    views.template_upload,
    methods=["POST"],
)
bp.add_url_rule(
    "/conferences/<slug>/documents/template/remove",
    "template_remove",
    views.template_remove,
    methods=["POST"],
)
bp.add_url_rule(
    "/conferences/<slug>/documents/template.docx", "template_download", views.template_download
)
bp.add_url_rule(
    "/conferences/<slug>/documents/<name>.<ext>", "conference_download", views.conference_download
)
bp.add_url_rule(
    "/conferences/<slug>/documents/<name>.<ext>/prepare",
    "conference_prepare",
    views.conference_prepare,
    methods=["POST"],
)
