"""The documents plugin's part of a conference backup: the conference's Word template and the
sealed PDFs of its declarations."""

from __future__ import annotations

import sqlalchemy as sa

from alliance_conf.backup.serialise import IdMap, dump_rows, load_rows
from alliance_conf.declarations.models import Declaration
from alliance_conf.extensions import db
from plugins.documents.models import DocumentTemplate, SealedDocument


def export_section(conference) -> dict:
    templates = db.session.scalars(
        sa.select(DocumentTemplate)
        .where(DocumentTemplate.conference_id == conference.id)
        .order_by(DocumentTemplate.id)
    ).all()
    sealed = db.session.scalars(
        sa.select(SealedDocument)
        .join(Declaration, SealedDocument.declaration_id == Declaration.id)
        .where(Declaration.conference_id == conference.id)
        .order_by(SealedDocument.id)
    ).all()
    return {"templates": dump_rows(templates), "sealed": dump_rows(sealed)}


def import_section(data: dict, id_map: IdMap) -> None:
    load_rows(DocumentTemplate, data.get("templates", []), id_map)
    load_rows(SealedDocument, data.get("sealed", []), id_map)
