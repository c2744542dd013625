"""The signatures plugin's part of a conference backup.

Signatures, their hash-chain links and reminders are kept as they are (ids included, into an
empty database), so ``flask signatures verify`` passes after a restore. One-time codes and
failed re-authentications are short-lived security state and are not exported.
"""

from __future__ import annotations

import sqlalchemy as sa

from alliance_conf.backup.serialise import IdMap, dump_rows, load_rows
from alliance_conf.declarations.models import Declaration
from alliance_conf.extensions import db
from plugins.signatures.models import Signature, SignatureEvent, SignatureReminder


def _rows(model, declaration_ids, *order):
    return db.session.scalars(
        sa.select(model).where(model.declaration_id.in_(declaration_ids)).order_by(*order)
    ).all()


def export_section(conference) -> dict:
    declaration_ids = db.session.scalars(
        sa.select(Declaration.id).where(Declaration.conference_id == conference.id)
    ).all()
    return {
        "signatures": dump_rows(_rows(Signature, declaration_ids, Signature.id)),
        "events": dump_rows(
            _rows(
                SignatureEvent,
                declaration_ids,
                SignatureEvent.declaration_id,
                SignatureEvent.sequence,
            )
        ),
        "reminders": dump_rows(_rows(SignatureReminder, declaration_ids, SignatureReminder.id)),
    }


def import_section(data: dict, id_map: IdMap) -> None:
    load_rows(Signature, data.get("signatures", []), id_map)
    load_rows(SignatureEvent, data.get("events", []), id_map)
    load_rows(SignatureReminder, data.get("reminders", []), id_map)
