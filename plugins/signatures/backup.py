"""The signatures plugin's part of a conference backup.

Signatures (with their passkey evidence), their hash-chain links, the signed checkpoints, the
signing policies and reminders are kept as they are (ids included, into an empty database), so
``flask signatures verify`` passes after a restore. One-time codes, WebAuthn challenges and
failed re-authentications are short-lived security state and are not exported.
"""

from __future__ import annotations

import sqlalchemy as sa

from alliance_conf.backup.serialise import IdMap, dump_rows, load_row, load_rows
from alliance_conf.declarations.models import Declaration
from alliance_conf.extensions import db
from plugins.signatures.models import (
    Signature,
    SignatureCheckpoint,
    SignatureEvent,
    SignatureReminder,
    SigningPolicy,
)


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
        "checkpoints": dump_rows(
            _rows(
                SignatureCheckpoint,
                declaration_ids,
                SignatureCheckpoint.declaration_id,
                SignatureCheckpoint.sequence,
            )
        ),
        "policies": dump_rows(_rows(SigningPolicy, declaration_ids, SigningPolicy.declaration_id)),
    }


def import_section(data: dict, id_map: IdMap) -> None:
    load_rows(Signature, data.get("signatures", []), id_map)
    load_rows(SignatureEvent, data.get("events", []), id_map)
    load_rows(SignatureReminder, data.get("reminders", []), id_map)
    load_rows(SignatureCheckpoint, data.get("checkpoints", []), id_map)
    for row in data.get("policies", []):  # keyed by its declaration: map it by hand
        declaration_id = id_map.get("declarations", row.get("declaration_id"))
        if declaration_id is not None:
            load_row(SigningPolicy, row, id_map, declaration_id=declaration_id)
