"""National actions: a delegation's record of what it does on an endorsed commitment.
Callers commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from alliance_conf.audit.operations import log_event
from alliance_conf.core.errors import (
    ValidationFailed,
)
from alliance_conf.declarations.models import Declaration
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.i18n import _
from plugins.reporting.access import require_act_for
from plugins.reporting.models import (
    ActionStatus,
    NationalAction,
)
from plugins.reporting.operations import (
    MAX_AGENCY,
    MAX_TEXT,
    MAX_TITLE,
    clean_enum,
    clean_text,
    endorsed_keys,
)

# --- national actions ------------------------------------------------------------------------


@dataclass
class ActionData:
    commitment_key: str
    title: str
    description: str = ""
    lead_agency: str = ""
    target_date: date | None = None
    status: str = ActionStatus.planned.value


def _clean_action(declaration: Declaration, delegation: Delegation, data: ActionData) -> dict:
    errors: dict[str, str] = {}
    values = {
        "title": clean_text(
            data.title,
            field="title",
            label=_("Title"),
            limit=MAX_TITLE,
            errors=errors,
            required=True,
        ),
        "description": clean_text(
            data.description,
            field="description",
            label=_("Description"),
            limit=MAX_TEXT,
            errors=errors,
        ),
        "lead_agency": clean_text(
            data.lead_agency,
            field="lead_agency",
            label=_("Lead agency"),
            limit=MAX_AGENCY,
            errors=errors,
        ),
        "status": clean_enum(
            ActionStatus, data.status, field="status", label=_("Status"), errors=errors
        ),
        "target_date": data.target_date,
        "commitment_key": data.commitment_key,
    }
    if data.target_date is not None and not isinstance(data.target_date, date):
        errors["target_date"] = _("Target date must be a date (YYYY-MM-DD).")
    if data.commitment_key not in endorsed_keys(declaration, delegation.id):
        errors["commitment_key"] = _(
            "%(delegation)s did not endorse commitment %(key)s: national actions can only be "
            "recorded for the commitments it endorsed.",
            delegation=delegation.name,
            key=repr(data.commitment_key),
        )
    if errors:
        raise ValidationFailed(_("The national action has invalid fields."), errors)
    return values


def create_action(
    declaration: Declaration, delegation: Delegation, data: ActionData, *, actor
) -> NationalAction:
    require_act_for(actor, delegation)
    values = _clean_action(declaration, delegation, data)
    action = NationalAction(
        declaration_id=declaration.id,
        delegation_id=delegation.id,
        created_by_id=getattr(actor, "id", None),
        **values,
    )
    db.session.add(action)
    db.session.flush()
    log_event(
        "reporting.action_created",
        action,
        actor=actor,
        conference_id=delegation.conference_id,
        data={"commitment_key": action.commitment_key, "title": action.title},
    )
    return action


def update_action(action: NationalAction, data: ActionData, *, actor) -> NationalAction:
    require_act_for(actor, action.delegation)
    values = _clean_action(action.declaration, action.delegation, data)
    changed = {k: str(v) for k, v in values.items() if getattr(action, k) != v}
    for key, value in values.items():
        setattr(action, key, value)
    db.session.flush()
    log_event(
        "reporting.action_updated",
        action,
        actor=actor,
        conference_id=action.delegation.conference_id,
        data={"changed": sorted(changed)},
    )
    return action
