"""Full powers: the instrument that lets one person sign for a delegation. Callers commit.

Only organisers grant or revoke full powers, after checking the instrument (its reference, who
issued it, its date, optionally the scanned letter). Nobody grants powers to themselves, on any
route. A head of delegation only *nominates* (``operations.nominate_signatory``).
``Registration.is_signatory`` is set here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from alliance_conf.audit.operations import log_event
from alliance_conf.auth.operations import check_plain_text
from alliance_conf.core.db import utcnow
from alliance_conf.core.errors import Conflict, InvalidState, PermissionDenied, ValidationFailed
from alliance_conf.extensions import db
from alliance_conf.formatting import format_number
from alliance_conf.i18n import _
from alliance_conf.plugins import hook
from alliance_conf.registrations.models import (
    FullPowers,
    IssuingAuthority,
    Registration,
    RegistrationStatus,
)

PDF_MAGIC = b"%PDF-"
DEFAULT_MAX_PDF_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Instrument:
    """What organisers read off the letter of full powers (or of their revocation)."""

    reference: str
    authority: IssuingAuthority | str
    authority_text: str = ""
    issued_on: date | str | None = None


def _is_organiser(actor) -> bool:
    from alliance_conf.auth.access import is_organiser

    return is_organiser(actor)


def _require_organiser_not_self(registration: Registration, actor, verb: str) -> None:
    if not _is_organiser(actor):
        raise PermissionDenied(
            _(
                "Only organisers grant full powers, after checking the instrument; a head of "
                "delegation nominates the signatory."
            )
            if verb == "grant"
            else _(
                "Only organisers revoke full powers, after checking the instrument; a head of "
                "delegation nominates the signatory."
            )
        )
    if actor.id == registration.user_id:
        raise PermissionDenied(
            _("Nobody grants full powers for themselves; ask another organiser.")
            if verb == "grant"
            else _("Nobody revokes full powers for themselves; ask another organiser.")
        )


def _clean_instrument(instrument: Instrument) -> tuple[str, IssuingAuthority, str, date]:
    errors: dict[str, str] = {}
    reference = (instrument.reference or "").strip()
    if not reference:
        errors["instrument_reference"] = _("Give the instrument's reference.")
    elif len(reference) > 200:
        errors["instrument_reference"] = _("At most 200 characters.")
    try:
        authority = IssuingAuthority(instrument.authority)
    except ValueError:
        known = ", ".join(a.value for a in IssuingAuthority)
        errors["issuing_authority"] = _("One of %(choices)s.", choices=known)
        authority = IssuingAuthority.other
    authority_text = (instrument.authority_text or "").strip()
    if authority == IssuingAuthority.other and not authority_text:
        errors["issuing_authority_text"] = _("Name the issuing authority.")
    elif len(authority_text) > 200:
        errors["issuing_authority_text"] = _("At most 200 characters.")
    issued_on = instrument.issued_on
    if isinstance(issued_on, str):
        try:
            issued_on = date.fromisoformat(issued_on.strip())
        except ValueError:
            issued_on = None
    if not isinstance(issued_on, date):
        errors["instrument_date"] = _("Give the instrument's date (YYYY-MM-DD).")
    elif issued_on > utcnow().date():
        errors["instrument_date"] = _("The date is in the future.")
    for name, value in (
        ("instrument_reference", reference),
        ("issuing_authority_text", authority_text),
    ):
        if name not in errors:
            try:
                check_plain_text(value, name, _("This field"))
            except ValidationFailed as exc:
                errors.update(exc.fields)
    if errors:
        raise ValidationFailed(_("The instrument's details are incomplete or wrong."), errors)
    if authority != IssuingAuthority.other:
        authority_text = ""
    return reference, authority, authority_text, issued_on


def max_pdf_bytes() -> int:
    return int(current_app.config.get("FULL_POWERS_MAX_PDF_BYTES", DEFAULT_MAX_PDF_BYTES))


def _check_document(
    document: bytes | None, filename: str | None
) -> tuple[bytes | None, str | None]:
    if not document:
        return None, None
    limit = max_pdf_bytes()
    if len(document) > limit:
        raise ValidationFailed(
            _(
                "The scanned letter is %(size)s bytes; the limit is %(limit)s.",
                size=format_number(len(document)),
                limit=format_number(limit),
            ),
            {"document": _("Too large.")},
        )
    if not document.startswith(PDF_MAGIC):
        raise ValidationFailed(
            _("The scanned letter must be a PDF file."), {"document": _("Not a PDF file.")}
        )
    name = (filename or "full-powers.pdf").replace("/", "_").replace("\\", "_").strip()[:200]
    return document, name or "full-powers.pdf"


def active_powers(registration_id: int) -> FullPowers | None:
    return db.session.scalar(
        sa.select(FullPowers).where(
            FullPowers.registration_id == registration_id, FullPowers.revoked_at.is_(None)
        )
    )


def grant_full_powers(
    registration: Registration,
    instrument: Instrument,
    *,
    actor,
    document: bytes | None = None,
    document_filename: str | None = None,
) -> FullPowers:
    _require_organiser_not_self(registration, actor, "grant")
    if registration.status != RegistrationStatus.approved:
        raise InvalidState(_("Full powers are granted to an approved delegate only."))
    reference, authority, authority_text, issued_on = _clean_instrument(instrument)
    document, document_filename = _check_document(document, document_filename)
    if registration.is_signatory or active_powers(registration.id) is not None:
        raise Conflict(
            _(
                "%(name)s already holds full powers; revoke them first to record another "
                "instrument.",
                name=registration.user.full_name,
            )
        )
    now = utcnow()
    powers = FullPowers(
        conference_id=registration.conference_id,
        delegation_id=registration.delegation_id,
        registration_id=registration.id,
        instrument_reference=reference,
        issuing_authority=authority,
        issuing_authority_text=authority_text,
        instrument_date=issued_on,
        document=document,
        document_filename=document_filename,
        document_size=len(document) if document else None,
        granted_at=now,
        granted_by_id=actor.id,
    )
    registration.is_signatory = True
    registration.signatory_designated_at = now
    registration.signatory_designated_by_id = actor.id
    db.session.add(powers)
    try:
        db.session.flush()
    except IntegrityError:
        raise Conflict(
            _("Full powers were recorded at the same moment; nothing was stored.")
        ) from None
    log_event(
        "registration.full_powers_granted",
        registration,
        actor=actor,
        data={
            "full_powers_id": powers.id,
            "reference": reference,
            "authority": str(authority),
            "authority_text": authority_text,
            "date": issued_on.isoformat(),
            "document": bool(document),
        },
    )
    hook().alliance_full_powers_granted(registration=registration, powers=powers, actor=actor)
    return powers


def _end(registration: Registration, powers: FullPowers | None, actor, **fields) -> None:
    now = utcnow()
    if powers is not None:
        powers.revoked_at = now
        powers.revoked_by_id = getattr(actor, "id", None)
        for name, value in fields.items():
            setattr(powers, name, value)
    registration.is_signatory = False
    registration.signatory_designated_at = None
    registration.signatory_designated_by_id = None


def revoke_full_powers(
    registration: Registration, instrument: Instrument, *, actor, reason: str = ""
) -> FullPowers:
    """Record the revocation on the grant, with the instrument that revokes it."""
    _require_organiser_not_self(registration, actor, "revoke")
    powers = active_powers(registration.id)
    if powers is None:
        raise InvalidState(_("%(name)s holds no full powers.", name=registration.user.full_name))
    reference, authority, authority_text, issued_on = _clean_instrument(instrument)
    reason = (reason or "").strip()
    if len(reason) > 2000:
        raise ValidationFailed(
            _("The reason is too long."), {"reason": _("At most 2000 characters.")}
        )
    _end(
        registration,
        powers,
        actor,
        revocation_reference=reference,
        revocation_authority=authority,
        revocation_authority_text=authority_text,
        revocation_date=issued_on,
        revocation_reason=reason,
    )
    db.session.flush()
    log_event(
        "registration.full_powers_revoked",
        registration,
        actor=actor,
        data={
            "full_powers_id": powers.id,
            "reference": reference,
            "authority": str(authority),
            "date": issued_on.isoformat(),
            "reason": reason,
        },
    )
    hook().alliance_full_powers_revoked(registration=registration, powers=powers, actor=actor)
    return powers


def end_active_powers(registration: Registration, *, actor, reason: str) -> None:
    """Powers end with the registration (withdrawn or cancelled): recorded with the reason."""
    with db.session.no_autoflush:  # the status already moved; the flag must move with it
        powers = active_powers(registration.id)
    _end(registration, powers, actor, revocation_reason=f"registration {reason}")
    log_event("registration.signatory_revoked", registration, actor=actor, data={"because": reason})


def full_powers_register(conference_id: int) -> list[FullPowers]:
    """Every grant (active and revoked) of a conference, newest first."""
    return list(
        db.session.scalars(
            sa.select(FullPowers)
            .where(FullPowers.conference_id == conference_id)
            .options(
                sa.orm.joinedload(FullPowers.registration).joinedload(Registration.user),
                sa.orm.joinedload(FullPowers.delegation),
                sa.orm.joinedload(FullPowers.granted_by),
                sa.orm.joinedload(FullPowers.revoked_by),
            )
            .order_by(FullPowers.granted_at.desc(), FullPowers.id.desc())
        ).unique()
    )


REGISTER_COLUMNS = (
    "Delegation",
    "Signatory",
    "E-mail",
    "Instrument reference",
    "Issuing authority",
    "Instrument date",
    "Scanned letter",
    "Granted at (UTC)",
    "Granted by",
    "Revoked at (UTC)",
    "Revoked by",
    "Revocation reference",
    "Revocation authority",
    "Revocation date",
    "Revocation reason",
)


def _stamp(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def register_rows(conference_id: int) -> list[list[str]]:
    rows = []
    for p in full_powers_register(conference_id):
        revocation_authority = ""
        if p.revocation_authority is not None:
            revocation_authority = (
                p.revocation_authority_text
                if p.revocation_authority == IssuingAuthority.other
                else p.revocation_authority.title
            )
        rows.append(
            [
                p.delegation.name,
                p.registration.user.full_name,
                p.registration.user.email,
                p.instrument_reference,
                p.authority_label,
                p.instrument_date.isoformat(),
                p.document_filename or "",
                _stamp(p.granted_at),
                p.granted_by.full_name if p.granted_by else "",
                _stamp(p.revoked_at),
                p.revoked_by.full_name if p.revoked_by else "",
                p.revocation_reference or "",
                revocation_authority,
                p.revocation_date.isoformat() if p.revocation_date else "",
                p.revocation_reason or "",
            ]
        )
    return rows
