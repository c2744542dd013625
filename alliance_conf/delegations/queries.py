"""Read-side queries about delegations, batched over a page of delegations (no N+1)."""

from __future__ import annotations

import sqlalchemy as sa

from alliance_conf.auth.models import User
from alliance_conf.extensions import db
from alliance_conf.registrations.models import DelegateFunction, Registration, RegistrationStatus


def registration_counts(delegation_ids: list[int]) -> dict[int, dict[str, int]]:
    """``{delegation_id: {status: count}}`` for the given delegations, in one query."""
    counts: dict[int, dict[str, int]] = {i: {} for i in delegation_ids}
    if not delegation_ids:
        return counts
    rows = db.session.execute(
        sa.select(Registration.delegation_id, Registration.status, sa.func.count())
        .where(Registration.delegation_id.in_(delegation_ids))
        .group_by(Registration.delegation_id, Registration.status)
    )
    for delegation_id, status, count in rows:
        counts[delegation_id][str(status)] = count
    return counts


def heads_of_delegation(delegation_ids: list[int]) -> dict[int, dict]:
    """The approved (else pending) head of each delegation: name, e-mail and status."""
    heads: dict[int, dict] = {}
    if not delegation_ids:
        return heads
    rows = db.session.execute(
        sa.select(Registration.delegation_id, Registration.status, User.full_name, User.email)
        .join(User, User.id == Registration.user_id)
        .where(
            Registration.delegation_id.in_(delegation_ids),
            Registration.function == DelegateFunction.head_of_delegation,
            Registration.status.in_([RegistrationStatus.approved, RegistrationStatus.pending]),
        )
        .order_by(Registration.delegation_id, Registration.status, Registration.id)
    )
    for row in rows:
        current = heads.get(row.delegation_id)
        if current is None or (
            current["status"] != RegistrationStatus.approved
            and row.status == RegistrationStatus.approved
        ):
            heads[row.delegation_id] = {
                "full_name": row.full_name,
                "email": row.email,
                "status": RegistrationStatus(row.status),  # a StrEnum: its title is shown
            }
    return heads
