"""The core's answers to the domain hooks: who is told what (registered with the core plugin).

Full powers, amendments and reports are told inside the action's transaction (the outbox
sends the mail once it commits; a rollback forgets both). Opening a declaration holds its row
lock, so its signatories are told after the commit (``after_commit``); signatures are already
reported after their commit by the signatures plugin.
"""

from __future__ import annotations

from alliance_conf.core.aftercommit import after_commit
from alliance_conf.extensions import db
from alliance_conf.hooks import hookimpl
from alliance_conf.notifications.models import NotificationKind as Kind
from alliance_conf.notifications.operations import (
    already_told,
    conference_signatories,
    delegation_authorised,
    delegation_data,
    notify,
    notify_each,
)

__all__ = [
    "alliance_amendment_decided",
    "alliance_declaration_state_changed",
    "alliance_full_powers_granted",
    "alliance_full_powers_revoked",
    "alliance_report_overdue",
    "alliance_report_returned",
    "alliance_report_reviewed",
    "alliance_signature_recorded",
    "alliance_signature_withdrawn",
]


def _powers(registration, powers, kind: Kind, **data) -> None:
    notify(
        registration.user,
        kind,
        endpoint="registrations.show",
        values={"registration_id": registration.id},
        data={**delegation_data(registration.delegation), **data},
        conference_id=registration.conference_id,
        subject_key=f"full_powers:{powers.id}",
    )


@hookimpl
def alliance_full_powers_granted(registration, powers):
    _powers(registration, powers, Kind.full_powers_granted, reference=powers.instrument_reference)


@hookimpl
def alliance_full_powers_revoked(registration, powers):
    _powers(
        registration,
        powers,
        Kind.full_powers_revoked,
        reference=powers.revocation_reference or "",
        reason=powers.revocation_reason or "",
    )


@hookimpl
def alliance_declaration_state_changed(declaration, new_state):
    from alliance_conf.declarations.models import DeclarationState

    if new_state == DeclarationState.open:
        after_commit(notify_declaration_opened, declaration.id)


def notify_declaration_opened(declaration_id: int) -> None:
    from alliance_conf.declarations.models import Declaration, DeclarationState

    declaration = db.session.get(Declaration, declaration_id)
    if declaration is None or declaration.state != DeclarationState.open:
        return
    stamp = declaration.frozen_at.isoformat() if declaration.frozen_at else ""
    for registration in conference_signatories(declaration.conference_id):
        notify(
            registration.user,
            Kind.declaration_opened,
            endpoint="declarations.show",
            values={"declaration_id": declaration.id},
            data={"declaration": declaration.title, **delegation_data(registration.delegation)},
            conference_id=declaration.conference_id,
            subject_key=f"declaration:{declaration.id}:{stamp}",
        )


def _signature(signature, actor, kind: Kind, **data) -> None:
    from alliance_conf.auth.models import User

    if getattr(signature, "id", None) is None:  # not a recorded signature (nothing to link)
        return
    signer = db.session.get(User, signature.signatory_id) if signature.signatory_id else actor
    notify(
        signer,
        kind,
        endpoint="signatures.receipt",
        values={"signature_id": signature.id},
        data={
            "declaration": signature.declaration.title,
            **delegation_data(signature.delegation),
            **data,
        },
        conference_id=signature.conference_id,
        subject_key=f"signature:{signature.id}",
    )


@hookimpl
def alliance_signature_recorded(signature, actor):
    _signature(
        signature, actor, Kind.signature_recorded, code=getattr(signature, "verification_code", "")
    )


@hookimpl
def alliance_signature_withdrawn(signature, actor):
    _signature(
        signature,
        actor,
        Kind.signature_withdrawn,
        reason=getattr(signature, "withdrawal_reason", "") or "",
    )


@hookimpl
def alliance_amendment_decided(amendment, decision, reason):
    from alliance_conf.auth.models import User

    author = db.session.get(User, amendment.author_id) if amendment.author_id else None
    notify_each(
        [author, *delegation_authorised(amendment.delegation_id)],
        Kind.amendment_accepted if decision == "accepted" else Kind.amendment_rejected,
        endpoint="declarations.amendment",
        values={"amendment_id": amendment.id},
        data={
            "amendment": amendment.id,
            **delegation_data(amendment.delegation),
            "declaration": amendment.declaration.title,
            "revision": amendment.accepted_revision_number,
            "reason": reason or "",
        },
        conference_id=amendment.declaration.conference_id,
        subject_key=f"amendment:{amendment.id}",
    )


def _report(report, kind: Kind, *, mail: bool = True, only_new: bool = False, **data) -> None:
    people = delegation_authorised(report.delegation_id)
    key = f"report:{report.id}"
    if only_new:
        told = already_told([u.id for u in people], kind, key)
        people = [u for u in people if u.id not in told]
    notify_each(
        people,
        kind,
        endpoint="reporting.report_show",
        values={"report_id": report.id},
        data={**delegation_data(report.delegation), "round": report.round.title, **data},
        conference_id=report.round.conference_id,
        subject_key=key,
        mail=mail,
    )


@hookimpl
def alliance_report_returned(report, comment):
    _report(report, Kind.report_returned, comment=comment or "")


@hookimpl
def alliance_report_reviewed(report, comment):
    _report(report, Kind.report_reviewed, comment=comment or "")


@hookimpl
def alliance_report_overdue(report):
    # The overdue reminder the reporting plugin sends is the e-mail; the app keeps one notice
    # per report and person, however many daily reminders follow.
    _report(
        report,
        Kind.report_overdue,
        mail=False,
        only_new=True,
        deadline=report.round.deadline.isoformat(),
    )
