from __future__ import annotations

from alliance_conf.audit.models import AuditEvent
from alliance_conf.core.request_meta import current_origin
from alliance_conf.extensions import db


def log_event(action: str, obj, *, actor=None, conference_id=None, data=None) -> AuditEvent:
    """Add an audit event to the current transaction (it commits or rolls back with the change)."""
    if getattr(obj, "id", None) is None:
        db.session.flush()
    if conference_id is None:
        conference_id = getattr(obj, "conference_id", None)
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        actor_label=getattr(actor, "email", None) or "system",
        action=action,
        object_type=type(obj).__name__,
        object_id=str(obj.id),
        conference_id=conference_id,
        ip_address=current_origin().ip,
        data=data or {},
    )
    db.session.add(event)
    return event
