"""The signature status board for organisers, reminders to delegations that have not
signed, and the signature rows other plugins (documents) show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from alliance_conf.audit.operations import log_event
from alliance_conf.auth.access import is_organiser
from alliance_conf.core.db import utcnow
from alliance_conf.core.errors import PermissionDenied
from alliance_conf.declarations.models import Declaration
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.hooks import SignatureRow, SignatureStatement
from alliance_conf.i18n import _, force_locale
from alliance_conf.registrations.models import Registration, RegistrationStatus
from plugins.signatures import mail
from plugins.signatures.access import require_open, signing_kind
from plugins.signatures.models import Signature, SignatureKind, SignatureReminder
from plugins.signatures.operations import frozen_commitments, lock_declaration
from plugins.signatures.receipts import format_code, verification_url

# --- status board, reminders, rows for other plugins -----------------------------------------


def eligible_delegations(declaration: Declaration) -> list[Delegation]:
    delegations = db.session.scalars(
        sa.select(Delegation)
        .where(Delegation.conference_id == declaration.conference_id, Delegation.active)
        .order_by(Delegation.name)
    ).all()
    return [d for d in delegations if signing_kind(d) is not None]


def all_signatures(declaration: Declaration) -> list[Signature]:
    return db.session.scalars(
        sa.select(Signature)
        .options(selectinload(Signature.delegation))
        .where(Signature.declaration_id == declaration.id)
        .order_by(Signature.signed_at, Signature.id)
    ).all()


@dataclass
class BoardRow:
    delegation: Delegation
    kind: SignatureKind
    active: Signature | None
    withdrawn: list[Signature]

    @property
    def status(self) -> str:
        if self.active is not None:
            return self.active.status_title
        if self.withdrawn:
            return _("Withdrawn")
        return _("Not yet supported") if self.kind == SignatureKind.support else _("Not yet signed")


def status_board(declaration: Declaration) -> dict:
    signatures = all_signatures(declaration)
    rows = []
    for delegation in eligible_delegations(declaration):
        own = [s for s in signatures if s.delegation_id == delegation.id]
        active = next((s for s in own if s.withdrawn_at is None), None)
        rows.append(
            BoardRow(
                delegation,
                signing_kind(delegation),
                active,
                [s for s in own if s.withdrawn_at is not None],
            )
        )
    totals: dict[str, dict] = {}
    for row in rows:
        group = totals.setdefault(
            row.delegation.group,
            {
                "label": declaration.conference.group_label(row.delegation.group),
                "eligible": 0,
                "signed": 0,
                "withdrawn": 0,
            },
        )
        group["eligible"] += 1
        group["signed"] += row.active is not None
        group["withdrawn"] += bool(row.withdrawn) and row.active is None
    # The bars above the table: per group, how many of those who sign have signed (and, apart,
    # how many of the organisations that may only support the text support it).
    progress: dict[tuple[str, SignatureKind], dict] = {}
    for row in rows:
        entry = progress.setdefault(
            (row.delegation.group, row.kind),
            {
                "group": row.delegation.group,
                "label": totals[row.delegation.group]["label"],
                "kind": row.kind,
                "eligible": 0,
                "done": 0,
            },
        )
        entry["eligible"] += 1
        entry["done"] += row.active is not None
    order = {key: i for i, key in enumerate(declaration.conference.groups or {})}
    signed_rows = [r for r in rows if r.active is not None]
    return {
        "progress": sorted(
            progress.values(),
            key=lambda e: (
                e["kind"] != SignatureKind.signature,
                order.get(e["group"], len(order)),
                e["label"],
            ),
        ),
        "rows": rows,
        "totals": totals,
        "signed": sum(1 for r in signed_rows if r.kind == SignatureKind.signature),
        "supported": sum(1 for r in signed_rows if r.kind == SignatureKind.support),
        "eligible": sum(1 for r in rows if r.kind == SignatureKind.signature),
        "supporters": sum(1 for r in rows if r.kind == SignatureKind.support),
        "commitments": frozen_commitments(declaration),
        "matrix_rows": signed_rows,
    }


@dataclass
class ReminderResult:
    reminded: list[str] = field(default_factory=list)
    recently_reminded: list[str] = field(default_factory=list)
    no_signatory: list[str] = field(default_factory=list)
    mails: int = 0


def send_reminders(declaration: Declaration, *, actor) -> ReminderResult:
    """E-mail the signatories of every delegation that has not signed; never the same
    delegation twice within ``SIGNATURES_REMINDER_HOURS``."""
    if actor is not None and not is_organiser(actor):
        raise PermissionDenied(_("Only organisers can send reminders."))
    require_open(declaration)
    lock_declaration(declaration)
    since = utcnow() - timedelta(hours=current_app.config["SIGNATURES_REMINDER_HOURS"])
    recent = set(
        db.session.scalars(
            sa.select(SignatureReminder.delegation_id).where(
                SignatureReminder.declaration_id == declaration.id,
                SignatureReminder.sent_at > since,
            )
        )
    )
    result = ReminderResult()
    for row in status_board(declaration)["rows"]:
        if row.active is not None:
            continue
        delegation = row.delegation
        if delegation.id in recent:
            result.recently_reminded.append(delegation.name)
            continue
        signatories = db.session.scalars(
            sa.select(Registration).where(
                Registration.delegation_id == delegation.id,
                Registration.status == RegistrationStatus.approved,
                Registration.is_signatory,
            )
        ).all()
        if not signatories:
            result.no_signatory.append(delegation.name)
            continue
        for registration in signatories:
            send_reminder(declaration, delegation, registration.user)
            result.mails += 1
        db.session.add(
            SignatureReminder(
                declaration_id=declaration.id,
                delegation_id=delegation.id,
                sent_by_id=getattr(actor, "id", None),
                recipients=len(signatories),
            )
        )
        result.reminded.append(delegation.name)
    db.session.flush()
    log_event(
        "signature.reminders_sent",
        declaration,
        actor=actor,
        data={
            "reminded": result.reminded,
            "recently_reminded": result.recently_reminded,
            "no_signatory": result.no_signatory,
            "mails": result.mails,
        },
    )
    return result


def send_reminder(declaration: Declaration, delegation: Delegation, user) -> None:
    """One reminder, written in the recipient's language."""
    with force_locale(mail.language_of(user)):
        mail.send_mail(
            user.email,
            _("Reminder: “%(title)s” is open for signature", title=declaration.title),
            _("Dear %(name)s,", name=user.full_name)
            + "\n\n"
            + _(
                "“%(title)s” is open for signature and %(delegation)s has not signed it yet. As "
                "your delegation's signatory you can sign it online after signing in.",
                title=declaration.title,
                delegation=delegation.name,
            )
            + "\n\n"
            + _("The organisers"),
        )


def signature_rows(declaration: Declaration) -> list[SignatureRow]:
    rows = []
    for signature in all_signatures(declaration):
        if signature.withdrawn_at is not None or signature.kind != SignatureKind.signature:
            continue
        delegation = signature.delegation
        rows.append(
            SignatureRow(
                delegation_id=delegation.id,
                delegation_name=delegation.name,
                country_code=delegation.country_code,
                group=delegation.group,
                signatory_name=signature.signatory_name,
                signatory_title=signature.signatory_title,
                signed_at=signature.signed_at,
                endorsed_commitment_keys=tuple(signature.endorsed_keys),
                endorses_all=signature.endorses_all,
                statements=tuple(
                    SignatureStatement(s["kind"], s["text"], s.get("commitment_key"))
                    for s in signature.statements
                ),
                verification_code=format_code(signature.verification_code),
                verification_url=verification_url(signature.verification_code),
            )
        )
    return rows
