"""Demo data: nothing is signed, but the Belgian head of delegation holds full powers."""

from __future__ import annotations

import sqlalchemy as sa

from alliance_conf.core.db import utcnow
from alliance_conf.extensions import db
from alliance_conf.registrations.models import Registration, RegistrationStatus


def designate_demo_signatory(conference, accounts) -> None:
    head = accounts.get("head")
    if head is None:
        return
    registration = db.session.scalar(
        sa.select(Registration).where(
            Registration.conference_id == conference.id,
            Registration.user_id == head.id,
            Registration.status == RegistrationStatus.approved,
        )
    )
    if registration is not None and not registration.is_signatory:
        registration.is_signatory = True
        registration.signatory_designated_at = utcnow()
        db.session.flush()
