"""Invitations: create, resend, revoke, decline, import. Callers commit.

A link is ``URLSafeTimedSerializer(SECRET_KEY).dumps({"i": id, "n": nonce})``; the row keeps
SHA-256(nonce). The signature proves the link came from us, its timestamp bounds its life, and
the nonce makes it revocable: a resend stores a new nonce, so older links no longer match.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from alliance_conf.audit.operations import log_event
from alliance_conf.auth.models import User, normalise_email
from alliance_conf.auth.operations import check_email, has_control_characters
from alliance_conf.conferences.models import Conference
from alliance_conf.core.db import utcnow
from alliance_conf.core.errors import (
    AllianceError,
    Conflict,
    InvalidState,
    NotFound,
    ValidationFailed,
)
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.i18n import _, _l, ngettext
from alliance_conf.invitations.models import Invitation, InvitationStatus
from alliance_conf.mail.operations import queue_template
from alliance_conf.registrations.models import Registration

TOKEN_SALT = "alliance-conf.invitation"  # noqa: S105 - a salt, not a secret
DEFAULT_LIFETIME_DAYS = 30
MAX_IMPORT_ROWS = 20_000


class InvitationGone(AllianceError):
    """The link worked once but cannot be used any more (expired, revoked or replaced)."""

    status = 410
    code = "gone"


def lifetime() -> timedelta:
    return timedelta(days=current_app.config.get("INVITATION_LIFETIME_DAYS", DEFAULT_LIFETIME_DAYS))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def _hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def _issue_token(invitation: Invitation) -> str:
    """Give the invitation a new nonce and expiry; every older link stops working."""
    nonce = secrets.token_urlsafe(24)
    invitation.nonce_hash = _hash(nonce)
    invitation.expires_at = utcnow() + lifetime()
    if invitation.id is None:
        db.session.add(invitation)
        db.session.flush()
    return _serializer().dumps({"i": invitation.id, "n": nonce})


def public_url(endpoint: str, **values) -> str:
    """An absolute link (e-mail, receipt, document, CLI): always from ``PUBLIC_BASE_URL``, never
    from the request's ``Host`` header, which the client chooses."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return base + current_app.url_map.bind("localhost").build(endpoint, values)


def get_invitation(conference: Conference, invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.conference_id != conference.id:
        raise NotFound(_("There is no such invitation in this conference."))
    return invitation


def find_delegation(conference: Conference, key: str) -> Delegation | None:
    """A delegation by country code, organisation name or display name (case-insensitive)."""
    key = (key or "").strip()
    if not key:
        return None
    return db.session.scalar(
        sa.select(Delegation).where(
            Delegation.conference_id == conference.id,
            sa.or_(
                Delegation.country_code == key.upper(),
                sa.func.lower(Delegation.organisation_name) == key.lower(),
                sa.func.lower(Delegation.name) == key.lower(),
            ),
        )
    )


def _send_invitation_mail(invitation: Invitation, token: str) -> None:
    delegation = invitation.delegation
    conference = delegation.conference
    queue_template(
        invitation.email,
        _l("Invitation to register: %(conference)s", conference=conference.title),
        "invitation",
        conference_id=conference.id,
        invitation=invitation,
        conference=conference,
        delegation=delegation,
        register_url=public_url("invitations.register", token=token),
        decline_url=public_url("invitations.decline", token=token),
    )


def _check_not_taken(conference: Conference, email: str) -> None:
    pending = db.session.scalar(
        sa.select(Invitation).where(
            Invitation.conference_id == conference.id,
            Invitation.email == email,
            Invitation.status == InvitationStatus.pending,
            Invitation.expires_at > utcnow(),
        )
    )
    if pending is not None:
        raise Conflict(
            _(
                "%(email)s already has a pending invitation for %(delegation)s; resend or "
                "revoke it instead.",
                email=email,
                delegation=pending.delegation.name,
            ),
            {"email": _("Already invited.")},
        )
    registered = db.session.scalar(
        sa.select(Registration.id)
        .join(User, User.id == Registration.user_id)
        .where(Registration.conference_id == conference.id, User.email == email)
    )
    if registered is not None:
        raise Conflict(
            _("%(email)s is already registered for this conference.", email=email),
            {"email": _("Already registered.")},
        )


def create_invitation(
    delegation: Delegation, email: str, *, full_name: str = "", actor=None
) -> tuple[Invitation, str]:
    """Invite ``email`` to register for ``delegation``; returns the row and its link token."""
    email = check_email(email)
    if not delegation.active:
        raise ValidationFailed(
            _(
                "%(delegation)s is deactivated; reactivate it before inviting.",
                delegation=delegation.name,
            ),
            {"delegation_id": _("Deactivated delegation.")},
        )
    conference = delegation.conference
    _check_not_taken(conference, email)
    invitation = Invitation(
        conference_id=conference.id,
        delegation_id=delegation.id,
        delegation=delegation,
        email=email,
        full_name=(full_name or "").strip()[:200],
        status=InvitationStatus.pending,
        created_by_id=getattr(actor, "id", None),
        last_sent_at=utcnow(),
    )
    token = _issue_token(invitation)
    log_event("invitation.created", invitation, actor=actor, data={"delegation_id": delegation.id})
    _send_invitation_mail(invitation, token)
    return invitation, token


def refresh_expiry(invitation: Invitation) -> Invitation:
    """Store ``expired`` on a pending invitation whose time is up (computed at use)."""
    if invitation.status == InvitationStatus.pending and invitation.is_past_expiry:
        invitation.status = InvitationStatus.expired
        log_event("invitation.expired", invitation)
    return invitation


def expire_due(conference: Conference) -> int:
    """Mark every overdue pending invitation of a conference expired, in one statement."""
    result = db.session.execute(
        sa.update(Invitation)
        .where(
            Invitation.conference_id == conference.id,
            Invitation.status == InvitationStatus.pending,
            Invitation.expires_at <= utcnow(),
        )
        .values(status=InvitationStatus.expired)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def resend_invitation(invitation: Invitation, *, actor=None) -> str:
    """A new link (and a new expiry) by e-mail; the old link dies."""
    refresh_expiry(invitation)
    if invitation.status not in (InvitationStatus.pending, InvitationStatus.expired):
        raise InvalidState(
            _(
                "This invitation is %(status)s; only pending or expired ones can be resent.",
                status=invitation.status.title.lower(),
            )
        )
    token = _issue_token(invitation)
    invitation.status = InvitationStatus.pending
    invitation.sent_count += 1
    invitation.last_sent_at = utcnow()
    log_event("invitation.resent", invitation, actor=actor)
    _send_invitation_mail(invitation, token)
    return token


def revoke_invitation(invitation: Invitation, *, actor=None) -> Invitation:
    refresh_expiry(invitation)
    if invitation.status not in (InvitationStatus.pending, InvitationStatus.expired):
        raise InvalidState(
            _(
                "This invitation is %(status)s; only pending or expired ones can be revoked.",
                status=invitation.status.title.lower(),
            )
        )
    invitation.status = InvitationStatus.revoked
    invitation.nonce_hash = _hash(secrets.token_urlsafe(24))
    log_event("invitation.revoked", invitation, actor=actor)
    return invitation


def open_invitation(token: str) -> Invitation:
    """The invitation a link names, with a due expiry stored; raises if the link is not ours.

    Callers commit (so a computed expiry is kept) and then call :func:`require_pending`.
    """
    serializer = _serializer()
    max_age = int(lifetime().total_seconds())
    try:
        data = serializer.loads(token, max_age=max_age)
    except SignatureExpired as exc:
        try:
            data = serializer.load_payload(exc.payload)
        except BadSignature:
            data = None
    except BadSignature:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("i"), int) or "n" not in data:
        raise NotFound(
            _("This invitation link is not valid. Check that you copied the whole link.")
        )
    invitation = db.session.get(Invitation, data["i"])
    if invitation is None:
        raise InvitationGone(
            _("This invitation no longer exists. Ask the organisers for a new one.")
        )
    if not hmac.compare_digest(invitation.nonce_hash, _hash(str(data["n"]))):
        if invitation.status == InvitationStatus.revoked:
            raise InvitationGone(_("The organisers withdrew this invitation."))
        raise InvitationGone(
            _("This link has been replaced by a newer invitation e-mail; use the latest one.")
        )
    return refresh_expiry(invitation)


def require_pending(invitation: Invitation) -> Invitation:
    """Raise a clear error unless the invitation can still be answered."""
    status = invitation.status
    if status == InvitationStatus.pending and not invitation.is_past_expiry:
        return invitation
    if status in (InvitationStatus.expired, InvitationStatus.pending):
        from alliance_conf.formatting import format_date

        when = format_date(invitation.expires_at, invitation.conference)
        raise InvitationGone(
            _(
                "This invitation expired on %(date)s. Ask the organisers to send it again.",
                date=when,
            )
        )
    if status == InvitationStatus.revoked:
        raise InvitationGone(_("The organisers withdrew this invitation."))
    if status == InvitationStatus.accepted:
        raise Conflict(_("This invitation has already been used to register. Sign in instead."))
    raise Conflict(_("This invitation was declined. Ask the organisers if that was a mistake."))


def decline_invitation(invitation: Invitation) -> Invitation:
    require_pending(invitation)
    invitation.status = InvitationStatus.declined
    invitation.responded_at = utcnow()
    log_event("invitation.declined", invitation)
    return invitation


def mark_accepted(invitation: Invitation, registration: Registration, *, actor=None) -> None:
    require_pending(invitation)
    invitation.status = InvitationStatus.accepted
    invitation.responded_at = utcnow()
    invitation.registration_id = registration.id
    log_event(
        "invitation.accepted", invitation, actor=actor, data={"registration_id": registration.id}
    )


# --- CSV import ---------------------------------------------------------------------------------

DELEGATION_COLUMNS = ("delegation", "country_code", "organisation_name", "organisation")
EMAIL_COLUMNS = ("email", "e-mail", "contact_email")
NAME_COLUMNS = ("name", "full_name")


@dataclass
class ImportReport:
    created: list[Invitation] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "line 4: already invited"


def _pick(row: dict, names: tuple[str, ...]) -> str:
    for name in names:
        if row.get(name):
            return str(row[name]).strip()
    return ""


def parse_csv(data: bytes) -> list[tuple[int, dict]]:
    """Rows of a UTF-8 CSV as (line number, {lower-case column: value})."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            _(
                "The file is not UTF-8 text (bad byte at position %(position)s). Save it as "
                "'CSV UTF-8' and import it again; nothing was imported.",
                position=exc.start,
            ),
            {"file": _("Not UTF-8.")},
        ) from None
    if not text.strip():
        raise ValidationFailed(
            _("The file is empty; nothing was imported."), {"file": _("Empty file.")}
        )
    reader = csv.DictReader(io.StringIO(text))
    headers = {(h or "").strip().lower() for h in reader.fieldnames or []}
    missing = []
    if not headers & set(DELEGATION_COLUMNS):
        missing.append("delegation")
    if not headers & set(EMAIL_COLUMNS):
        missing.append("email")
    if missing:
        raise ValidationFailed(
            ngettext(
                "The file lacks the column %(columns)s. Expected a header line "
                "'delegation,email,name' (name optional); nothing was imported.",
                "The file lacks the columns %(columns)s. Expected a header line "
                "'delegation,email,name' (name optional); nothing was imported.",
                len(missing),
                columns=", ".join(missing),
            ),
            {"file": _("Missing columns: %(columns)s", columns=", ".join(missing))},
        )
    rows = []
    try:
        for raw in reader:
            if len(rows) >= MAX_IMPORT_ROWS:
                raise ValidationFailed(
                    _("The file has more than %(limit)s rows; split it.", limit=MAX_IMPORT_ROWS),
                    {"file": _("Too big.")},
                )
            row = {(k or "").strip().lower(): (v or "") for k, v in raw.items() if k is not None}
            if any(str(v).strip() for v in row.values()):
                rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise ValidationFailed(
            _(
                "The file is not valid CSV (line %(line)s: %(problem)s); nothing was imported.",
                line=reader.line_num,
                problem=exc,
            ),
            {"file": _("Not CSV.")},
        ) from None
    return rows


def import_invitations(conference: Conference, data: bytes, *, actor=None) -> ImportReport:
    """Check every row first; if any is bad nothing is stored and each bad line is reported.

    Rows whose e-mail already has a pending invitation or a registration in this conference are
    skipped (so importing the same file twice sends nothing twice).
    """
    rows = parse_csv(data)
    errors: dict[str, str] = {}
    planned: list[tuple[int, Delegation, str, str]] = []
    seen: dict[str, int] = {}
    report = ImportReport()
    for line, row in rows:
        key = _pick(row, DELEGATION_COLUMNS)
        email = _pick(row, EMAIL_COLUMNS)
        name = _pick(row, NAME_COLUMNS)
        delegation = find_delegation(conference, key)
        if not key:
            errors[f"line {line}"] = _("no delegation given")
            continue
        if delegation is None:
            errors[f"line {line}"] = _("no delegation %(key)s in this conference", key=repr(key))
            continue
        if not delegation.active:
            errors[f"line {line}"] = _("%(delegation)s is deactivated", delegation=delegation.name)
            continue
        try:
            email = check_email(email)
        except ValidationFailed:
            errors[f"line {line}"] = _("%(email)s is not a valid e-mail address", email=repr(email))
            continue
        if email in seen:
            errors[f"line {line}"] = _(
                "%(email)s is also on line %(line)s", email=email, line=seen[email]
            )
            continue
        if len(name) > 200:
            errors[f"line {line}"] = _("the name is longer than 200 characters")
            continue
        if has_control_characters(name):
            errors[f"line {line}"] = _("the name contains control characters")
            continue
        seen[email] = line
        try:
            _check_not_taken(conference, normalise_email(email))
        except Conflict as exc:
            report.skipped.append(_("line %(line)s: %(reason)s", line=line, reason=exc.message))
            continue
        planned.append((line, delegation, email, name))
    if errors:
        raise ValidationFailed(
            ngettext(
                "%(num)d row of the file is invalid; nothing was imported.",
                "%(num)d rows of the file are invalid; nothing was imported.",
                len(errors),
            ),
            errors,
        )
    for _line, delegation, email, name in planned:
        invitation, _token = create_invitation(delegation, email, full_name=name, actor=actor)
        report.created.append(invitation)
    log_event(
        "invitations.imported",
        conference,
        actor=actor,
        conference_id=conference.id,
        data={"created": len(report.created), "skipped": len(report.skipped)},
    )
    return report
