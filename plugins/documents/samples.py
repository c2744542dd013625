"""Sample signatures for tests, the benchmark and the README picture.

The real signatures come from the signatures plugin through ``alliance_signature_rows``; this
stand-in implements the same hook for a fixed list of rows, so documents can be shown and
tested without that plugin.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alliance_conf.hooks import SignatureRow, SignatureStatement, hookimpl


class StaticSignatures:
    """A pluggy plugin answering ``alliance_signature_rows`` with the rows it was given."""

    def __init__(self, rows_by_declaration: dict[int, list[SignatureRow]]):
        self.rows_by_declaration = rows_by_declaration

    @hookimpl
    def alliance_signature_rows(self, declaration):
        return list(self.rows_by_declaration.get(declaration.id, []))


FICTIONAL_NAMES = (
    "Anna Keller",
    "Marc Dubois",
    "Elena Rossi",
    "Jan de Vries",
    "Sofia Lindqvist",
    "Tomás Novák",
    "Maria Santos",
    "Peter Walsh",
    "Ioana Popescu",
    "Kenji Sato",
    "Grace Mensah",
    "Liam O'Connor",
)
SIGNATORY_TITLES = (
    "Minister of Justice",
    "Minister of the Interior",
    "Secretary of State for Security",
    "Ambassador, Permanent Representative",
    "Deputy Minister of Justice",
)


def sample_rows(
    delegations,
    commitment_keys: list[str],
    *,
    partial_every: int = 7,
    statement_every: int = 5,
    start: datetime | None = None,
) -> list[SignatureRow]:
    """One signature per delegation; some endorse only part of the text, some add statements."""
    start = start or datetime(2012, 12, 5, 11, 0, tzinfo=UTC)
    rows = []
    for n, delegation in enumerate(delegations):
        partial = partial_every and n % partial_every == partial_every - 1 and commitment_keys
        endorsed = tuple(commitment_keys[:-1] if partial else commitment_keys)
        statements = ()
        if statement_every and n % statement_every == 2:
            statements = (
                SignatureStatement(
                    kind="reservation",
                    text=(
                        f"{delegation.name} will implement this commitment in accordance with "
                        "its constitutional order and its obligations under international law."
                    ),
                    commitment_key=commitment_keys[-1] if commitment_keys else None,
                ),
                SignatureStatement(
                    kind="statement",
                    text=f"{delegation.name} welcomes the launch of the Global Alliance.",
                ),
            )
        code = f"{(n * 7919 + 104729) % 0xFFFFFFFF:08X}"
        rows.append(
            SignatureRow(
                delegation_id=delegation.id,
                delegation_name=delegation.name,
                country_code=delegation.country_code,
                group=delegation.group,
                signatory_name=FICTIONAL_NAMES[n % len(FICTIONAL_NAMES)],
                signatory_title=SIGNATORY_TITLES[n % len(SIGNATORY_TITLES)],
                signed_at=start + timedelta(minutes=7 * n),
                endorsed_commitment_keys=endorsed,
                endorses_all=not partial,
                statements=statements,
                verification_code=f"{code[:4]}-{code[4:]}",
                verification_url=f"https://alliance-conf.example.org/verify/{code.lower()}",
            )
        )
    return rows
