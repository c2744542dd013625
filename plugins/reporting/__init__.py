"""Follow-up reporting: national actions per endorsed commitment, reporting rounds, reports,
the overview matrix and chart, exports, reminders. A plugin (entry point ``reporting``)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from alliance_conf.hooks import DocumentExporter, NavItem, SlotContent, hookimpl
from alliance_conf.i18n import _l
from plugins.reporting import models  # noqa: F401 - registers the tables

MIGRATIONS = Path(__file__).resolve().parent / "migrations" / "versions"


@hookimpl
def alliance_settings():
    import json

    from alliance_conf.config import Setting
    from plugins.reporting.operations import DEFAULT_INDICATORS

    return {
        "REPORTING_INDICATORS": Setting(dict(DEFAULT_INDICATORS), json.loads),
        "REPORTING_REMINDER_DAYS_BEFORE": 14,
    }


@hookimpl
def alliance_blueprints(app: Flask):
    from plugins.reporting.api import api
    from plugins.reporting.blueprint import bp

    return [bp, api]


@hookimpl
def alliance_cli_commands(app: Flask):
    from plugins.reporting.cli import reporting_cli

    return [reporting_cli]


@hookimpl
def alliance_migration_dirs():
    return [str(MIGRATIONS)]


@hookimpl
def alliance_nav_items(user):
    return [NavItem(_l("Reporting"), "reporting.index", order=40)]


def _can_see_reporting(declaration) -> bool:
    from flask_login import current_user

    from plugins.reporting.access import can_see_reporting

    return can_see_reporting(declaration, current_user)


@hookimpl
def alliance_template_slot(slot, context):
    if slot == "conference-links-documents":
        import sqlalchemy as sa

        from alliance_conf.declarations.models import Declaration
        from alliance_conf.extensions import db

        conference = context.get("conference")
        if conference is None:
            return None
        declarations = [
            declaration
            for declaration in db.session.scalars(
                sa.select(Declaration)
                .where(Declaration.conference_id == conference.id)
                .order_by(Declaration.id)
            )
            if _can_see_reporting(declaration)
        ]
        if not declarations:
            return None
        return SlotContent(
            "reporting/_conference_links.html",
            {"reporting_declarations": declarations},
            order=20,
        )
    if slot == "declaration-page":
        declaration = context.get("declaration")
        if declaration is None:
            return None
        return SlotContent(
            "reporting/_declaration_slot.html",
            {"reporting_visible": _can_see_reporting(declaration)},
            order=40,
        )
    return None


@hookimpl
def alliance_signature_recorded(signature, actor):
    """A delegation signing after a round was opened gets its report in the open rounds
    (run after the signature's commit, outside the signing lock)."""
    from alliance_conf.declarations.models import Declaration
    from alliance_conf.extensions import db
    from plugins.reporting.rounds import add_signatory_reports

    declaration_id = getattr(signature, "declaration_id", None)
    delegation_id = getattr(signature, "delegation_id", None)
    if declaration_id is None or delegation_id is None:
        return
    declaration = db.session.get(Declaration, declaration_id)
    if declaration is not None:
        add_signatory_reports(declaration, delegation_id, signature=signature)


@hookimpl
def alliance_demo_load(conference, accounts):
    from plugins.reporting.demo import load_demo_reporting

    load_demo_reporting(conference, accounts)


@hookimpl
def alliance_document_exporters():
    from plugins.reporting.exports import DOCX_TYPE, round_docx

    return [
        DocumentExporter(
            name="reporting-round",
            label=_l("Consolidated progress report"),
            kind="reporting_round",
            extension="docx",
            content_type=DOCX_TYPE,
            generate=round_docx,
        )
    ]


@hookimpl
def alliance_backup_export(conference):
    from plugins.reporting.backup import export_section

    return "reporting", export_section(conference)


@hookimpl
def alliance_backup_import(conference, data, id_map):
    from plugins.reporting.backup import import_section

    import_section(data, id_map)
