"""Word documents plugin: the final declaration, drafts, redlines and the participant list.

Every document is a ``DocumentExporter`` (``alliance_document_exporters``); the download pages,
the API and the CLI work from the collected exporters, so other plugins add documents the same
way. Signatures come only through ``alliance_signature_rows``.
"""

from __future__ import annotations

from pathlib import Path

from alliance_conf.hooks import DocumentExporter, SlotContent, hookimpl
from alliance_conf.i18n import _l
from plugins.documents import models  # noqa: F401 - registers the table

MIGRATIONS = Path(__file__).resolve().parent / "migrations" / "versions"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEAM = frozenset({"organiser", "staff"})


@hookimpl
def alliance_settings():
    return {
        "DOCUMENTS_PROTOCOL_ORDER": "alphabetical",
        "DOCUMENTS_TEMPLATE_MAX_BYTES": 5 * 1024 * 1024,
        "DOCUMENTS_TEMPLATE_MAX_UNCOMPRESSED_BYTES": 50 * 1024 * 1024,
        "DOCUMENTS_TEMPLATE_MAX_RATIO": 100,
        "DOCUMENTS_ORGANISATION": None,
        # The proofing language's region: a tag for its own language ("en-GB") or {code: tag};
        # other languages take their usual region (fr -> fr-FR).
        "DOCUMENTS_LANGUAGE": "en-GB",
        # None: "Have agreed as follows:" in each document's language; a text, or {code: text}.
        "DOCUMENTS_OPERATIVE_LEAD_IN": None,
        "DOCUMENTS_SYMBOL": "{conference}/DECL.{declaration}",
        # The sealing certificate: a PKCS#12 file and its password (config file or environment).
        "DOCUMENTS_SEAL_PKCS12": None,
        "DOCUMENTS_SEAL_PASSWORD": None,
        # Conference documents are prepared as background jobs above this many approved
        # registrations (the participant list of a COP-sized conference takes minutes).
        "DOCUMENTS_BACKGROUND_ABOVE": 2000,
    }


@hookimpl
def alliance_blueprints(app):
    from plugins.documents.api import api
    from plugins.documents.blueprint import bp

    return [bp, api]


@hookimpl
def alliance_cli_commands(app):
    from plugins.documents.cli import documents_cli

    return [documents_cli]


@hookimpl
def alliance_migration_dirs():
    return [str(MIGRATIONS)]


@hookimpl
def alliance_template_slot(slot, context):
    if slot == "declaration-actions" and context.get("declaration") is not None:
        return SlotContent("documents/_declaration_actions.html", order=50)
    if slot in ("signature-board", "signature-receipt") and context.get("declaration"):
        from plugins.documents.operations import latest_sealed

        sealed = latest_sealed(context["declaration"])
        if sealed is not None:
            return SlotContent(
                "documents/_sealed_slot.html",
                {"sealed": sealed, "sealed_conference": context["declaration"].conference},
                order=40,
            )
        return None
    if slot == "participants-actions" and context.get("conference"):
        return SlotContent("documents/_conference_actions.html", order=60)
    if slot == "conference-links-documents" and context.get("conference"):
        return SlotContent("documents/_conference_links.html", order=10)
    return None


@hookimpl
def alliance_document_exporters():
    from plugins.documents import operations

    return [
        DocumentExporter(
            name="final",
            label=_l("Final declaration"),
            kind="declaration",
            extension="docx",
            content_type=DOCX,
            generate=lambda declaration, language=None: operations.final_declaration(
                declaration, language
            ),
            roles=TEAM,
        ),
        DocumentExporter(
            name="bilingual",
            label=_l("Bilingual edition (two languages side by side)"),
            kind="bilingual",
            extension="docx",
            content_type=DOCX,
            generate=lambda declaration, left=None, right=None, number=None: (
                operations.bilingual_declaration(declaration, left, right, number)
            ),
            roles=TEAM,
        ),
        DocumentExporter(
            name="revision",
            label=_l("Draft of a revision"),
            kind="revision",
            extension="docx",
            content_type=DOCX,
            generate=lambda declaration, number, language=None: operations.draft_revision(
                declaration, number, language
            ),
            roles=TEAM,
        ),
        DocumentExporter(
            name="compare",
            label=_l("Redline between two revisions"),
            kind="comparison",
            extension="docx",
            content_type=DOCX,
            generate=lambda declaration, from_number, to_number, language=None: (
                operations.comparison(declaration, from_number, to_number, language)
            ),
            roles=TEAM,
        ),
        DocumentExporter(
            name="participants",
            label=_l("List of participants"),
            kind="participants",
            extension="docx",
            content_type=DOCX,
            generate=lambda conference, language=None: operations.participant_list(
                conference, language
            ),
            roles=TEAM,
        ),
    ]


@hookimpl
def alliance_backup_export(conference):
    from plugins.documents.backup import export_section

    return "documents", export_section(conference)


@hookimpl
def alliance_backup_import(conference, data, id_map):
    from plugins.documents.backup import import_section

    import_section(data, id_map)
