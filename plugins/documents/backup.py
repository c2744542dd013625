"""The documents plugin's part of a conference backup: the conference's Word template."""

from __future__ import annotations

import sqlalchemy as sa

from alliance_conf.backup.serialise import IdMap, dump_rows, load_rows
from alliance_conf.extensions import db
from plugins.documents.models import DocumentTemplate


def export_section(conference) -> dict:
    templates = db.session.scalars(
        sa.select(DocumentTemplate)
        .where(DocumentTemplate.conference_id == conference.id)
        .order_by(DocumentTemplate.id)
    ).all()
    return {"templates": dump_rows(templates)}


def import_section(data: dict, id_map: IdMap) -> None:
    load_rows(DocumentTemplate, data.get("templates", []), id_map)
