"""Proof that a person reads an e-mail address: a one-time code sent to it.

Used before an account is created for an address other than the invited one, and before an
account's address changes. Only an HMAC of the code is stored; a code works once, for
``EMAIL_PROOF_MINUTES``, and ``EMAIL_PROOF_MAX_ATTEMPTS`` wrong codes spend it.

The one exception to "callers commit": a wrong code's attempt is committed at once (like the
signing lock), so a refusal's rollback cannot give the guesser their attempts back; and the
code sent before a refusal ("enter the code we sent") is committed with its e-mail.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from alliance_conf.audit.operations import log_event
from alliance_conf.auth.models import EmailProof, EmailProofPurpose, normalise_email
from alliance_conf.core.db import utcnow
from alliance_conf.core.errors import AllianceError, ValidationFailed
from alliance_conf.extensions import db
from alliance_conf.i18n import _, _l
from alliance_conf.mail.operations import queue_mail

RESEND_SECONDS = 30


class EmailProofRequired(AllianceError):
    """A code was sent to the address; the request must be repeated with it."""

    status = 422
    code = "email_proof_required"


def _digest(code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"email-proof:" + code.encode(), hashlib.sha256).hexdigest()


def _latest(email: str, purpose: EmailProofPurpose, *, invitation_id=None, user_id=None):
    statement = sa.select(EmailProof).where(
        EmailProof.email == email,
        EmailProof.purpose == purpose,
        EmailProof.used_at.is_(None),
    )
    if invitation_id is not None:
        statement = statement.where(EmailProof.invitation_id == invitation_id)
    if user_id is not None:
        statement = statement.where(EmailProof.user_id == user_id)
    return db.session.scalar(statement.order_by(EmailProof.created_at.desc()).limit(1))


def send_code(
    email: str,
    purpose: EmailProofPurpose,
    *,
    invitation_id: int | None = None,
    user_id: int | None = None,
    what: str,
) -> None:
    """Send a fresh code to ``email`` (not more often than every 30 seconds); commits."""
    email = normalise_email(email)
    latest = _latest(email, purpose, invitation_id=invitation_id, user_id=user_id)
    if latest is not None and utcnow() - latest.created_at < timedelta(seconds=RESEND_SECONDS):
        return  # the code sent a moment ago is still the one to use
    code = f"{secrets.randbelow(10**6):06d}"
    minutes = current_app.config["EMAIL_PROOF_MINUTES"]
    proof = EmailProof(
        email=email,
        purpose=purpose,
        invitation_id=invitation_id,
        user_id=user_id,
        code_hash=_digest(code),
        expires_at=utcnow() + timedelta(minutes=minutes),
    )
    db.session.add(proof)
    queue_mail(
        email,
        _l("Confirm your e-mail address"),  # no code in the subject: organisers see subjects
        lambda: _(
            "Your code to confirm this address for %(what)s is %(code)s.\n\nIt is valid for "
            "%(minutes)s minutes. If you did not ask for it, ignore this e-mail.",
            what=str(what),
            code=code,
            minutes=minutes,
        ),
        confidential=True,
    )
    db.session.flush()
    log_event("email_proof.sent", proof, actor=None, data={"purpose": str(purpose)})
    db.session.commit()


def require_proof(
    email: str,
    code: str | None,
    purpose: EmailProofPurpose,
    *,
    invitation_id: int | None = None,
    user_id: int | None = None,
    what: str,
) -> None:
    """Pass when ``code`` is the live code sent to ``email``; otherwise send one (no code
    given) and raise EmailProofRequired, or count the wrong attempt and raise."""
    email = normalise_email(email)
    code = "".join((code or "").split())
    if not code:
        send_code(email, purpose, invitation_id=invitation_id, user_id=user_id, what=what)
        raise EmailProofRequired(
            _(
                "We sent a 6-digit code to %(email)s. Enter it to confirm that the address is "
                "yours.",
                email=email,
            ),
            {"email_code": _("Enter the code sent to %(email)s.", email=email)},
        )
    proof = _latest(email, purpose, invitation_id=invitation_id, user_id=user_id)
    limit = current_app.config["EMAIL_PROOF_MAX_ATTEMPTS"]
    if proof is None or proof.expires_at <= utcnow() or proof.attempts >= limit:
        raise ValidationFailed(
            _(
                "This code has expired or was tried too often: leave the code empty to get a "
                "new one."
            ),
            {"email_code": _("Expired: ask for a new code.")},
        )
    if not hmac.compare_digest(proof.code_hash, _digest(code)):
        proof.attempts += 1
        db.session.commit()  # the attempt counts even though the request is refused
        raise ValidationFailed(
            _("The code is not the one we sent."), {"email_code": _("Wrong code.")}
        )
    proof.used_at = utcnow()
