"""The signature board as a CSV file for organisers and staff (one row per signature, and one
per delegation that has not signed); cells a spreadsheet would run as a formula are quoted."""

from __future__ import annotations

from alliance_conf.core.csvfile import csv_text
from alliance_conf.declarations.models import Declaration
from plugins.signatures.board import status_board
from plugins.signatures.chain import iso
from plugins.signatures.receipts import format_code

BOARD_HEADER = [
    "delegation",
    "group",
    "status",
    "kind",
    "signed_at_utc",
    "signatory",
    "signatory_title",
    "endorsed_commitments",
    "statements",
    "withdrawn_at_utc",
    "withdrawal_reason",
    "verification_code",
]


def _statements(signature) -> str:
    return " | ".join(
        f"{st['kind']}"
        f"{' on ' + st['commitment_key'] if st.get('commitment_key') else ''}"
        f": {st['text']}"
        for st in signature.statements
    )


def board_rows(declaration: Declaration) -> list[list]:
    rows = []
    for row in status_board(declaration)["rows"]:
        records = ([row.active] if row.active else []) + row.withdrawn
        if not records:
            rows.append([row.delegation.name, row.delegation.group, row.status] + [""] * 9)
        for s in records:
            rows.append(
                [
                    row.delegation.name,
                    row.delegation.group,
                    s.status_title,
                    s.kind.value,
                    iso(s.signed_at),
                    s.signatory_name,
                    s.signatory_title,
                    " ".join(s.endorsed_keys),
                    _statements(s),
                    iso(s.withdrawn_at) if s.withdrawn_at else "",
                    s.withdrawal_reason or "",
                    format_code(s.verification_code),
                ]
            )
    return rows


def board_csv(declaration: Declaration) -> str:
    return csv_text([BOARD_HEADER, *board_rows(declaration)])
