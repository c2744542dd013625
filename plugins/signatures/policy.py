"""The signing policy of a declaration, chosen by the organisers: password (with the e-mailed
code when they want it), passkey preferred, or passkey required. Callers commit."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from alliance_conf.audit.operations import log_event
from alliance_conf.auth.access import is_organiser
from alliance_conf.core.db import utcnow
from alliance_conf.core.errors import PermissionDenied, ValidationFailed
from alliance_conf.declarations.models import Declaration
from alliance_conf.extensions import db
from alliance_conf.i18n import _
from plugins.signatures.models import PolicyMode, SigningPolicy


class PasskeyRequired(PermissionDenied):
    code = "passkey_required"


@dataclass(frozen=True)
class Policy:
    mode: PolicyMode
    email_code: bool

    @property
    def explanation(self) -> str:
        if self.mode == PolicyMode.passkey_required:
            return _(
                "The organisers require a passkey for this declaration: your own device signs "
                "the exact text and choices you endorse, after you unlock it (PIN, fingerprint "
                "or face). Nobody else, not even the server, can make that signature."
            )
        if self.mode == PolicyMode.passkey_preferred:
            return _(
                "The organisers prefer a passkey: your own device signs the exact text and "
                "choices you endorse, which anyone can check later without trusting the server. "
                "Your password is still accepted."
            )
        if self.email_code:
            return _("Confirm that it is you with your password and a one-time code we e-mail you.")
        return _("Confirm that it is you with your password.")

    @property
    def allows_password(self) -> bool:
        return self.mode != PolicyMode.passkey_required


def policy_for(declaration: Declaration) -> Policy:
    row = db.session.get(SigningPolicy, declaration.id)
    default_code = bool(current_app.config["SIGNATURES_REQUIRE_EMAIL_CODE"])
    if row is None:
        return Policy(PolicyMode.password, default_code)
    return Policy(row.mode, row.email_code or default_code)


def require_email_code(declaration: Declaration) -> bool:
    return policy_for(declaration).email_code


def require_password_allowed(declaration: Declaration) -> None:
    if not policy_for(declaration).allows_password:
        raise PasskeyRequired(
            _(
                "This declaration must be signed with a passkey; a password is not enough. "
                "Register a passkey on your account page, then sign with it."
            )
        )


def set_policy(
    declaration: Declaration, *, actor, mode: str, email_code: bool
) -> SigningPolicy | None:
    if actor is not None and not is_organiser(actor):
        raise PermissionDenied(_("Only organisers choose how a declaration is signed."))
    try:
        chosen = PolicyMode(mode)
    except ValueError:
        raise ValidationFailed(
            _("Choose password, passkey_preferred or passkey_required."),
            {"mode": _("Unknown mode.")},
        ) from None
    row = db.session.get(SigningPolicy, declaration.id)
    stored = (row.mode, row.email_code) if row is not None else (PolicyMode.password, False)
    if stored == (chosen, bool(email_code)):
        return row  # the choice in force (or the default) again changes nothing: the API's 422
    if row is None:
        row = SigningPolicy(declaration_id=declaration.id)
        db.session.add(row)
    row.mode, row.email_code = chosen, bool(email_code)
    row.updated_at, row.updated_by_id = utcnow(), getattr(actor, "id", None)
    db.session.flush()
    log_event(
        "signature.policy_changed",
        declaration,
        actor=actor,
        data={"mode": chosen.value, "email_code": bool(email_code)},
    )
    return row
