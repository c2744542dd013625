"""Helpers the reporting tests import: the declaration text, the world's shape, a fake
signatures provider and its rows (the fixtures that use them are in ``conftest.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from alliance_conf.hooks import SignatureRow, hookimpl

CONTENT = {
    "preamble": [{"key": "p-1", "text": "We, the participants,"}],
    "commitments": [
        {"key": "victims", "title": "Victims", "text": "Identify and assist more victims."},
        {"key": "offenders", "title": "Offenders", "text": "Prosecute more offenders."},
        {"key": "awareness", "title": "Awareness", "text": "Raise awareness among children."},
    ],
    "closing": [{"key": "c-1", "text": "Done in Brussels."}],
}


@dataclass
class World:
    conference: object
    declaration: object
    be: object
    us: object
    fr: object
    organiser: object
    staff: object
    be_head: object
    be_adviser: object
    us_head: object
    outsider: object


class FakeSignatures:
    def __init__(self, rows):
        self.rows = rows

    @hookimpl
    def alliance_signature_rows(self, declaration):
        return list(self.rows)


def signature_row(delegation, keys=(), endorses_all=False) -> SignatureRow:
    return SignatureRow(
        delegation_id=delegation.id,
        delegation_name=delegation.name,
        country_code=delegation.country_code,
        group=delegation.group,
        signatory_name="Signatory",
        signatory_title="Minister",
        signed_at=datetime(2030, 3, 2, 12, 0, tzinfo=UTC),
        endorsed_commitment_keys=tuple(keys),
        endorses_all=endorses_all,
    )


def report_of(round_, delegation):
    return next(r for r in round_.reports if r.delegation_id == delegation.id)
