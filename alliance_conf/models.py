"""Import every core model so the metadata (and Alembic) sees the whole core schema."""

from alliance_conf.audit.models import AuditEvent
from alliance_conf.auth.models import ApiToken, User
from alliance_conf.badges.models import Badge, CheckIn
from alliance_conf.conferences.models import Conference
from alliance_conf.declarations.models import (
    Amendment,
    AmendmentComment,
    AmendmentSupport,
    Declaration,
    DeclarationRevision,
)
from alliance_conf.delegations.models import Delegation
from alliance_conf.invitations.models import Invitation
from alliance_conf.jobs.models import Job
from alliance_conf.mail.models import MailMessage
from alliance_conf.notifications.models import Notification
from alliance_conf.registrations.models import Registration

__all__ = [
    "Amendment",
    "AmendmentComment",
    "AmendmentSupport",
    "ApiToken",
    "AuditEvent",
    "Badge",
    "CheckIn",
    "Conference",
    "Declaration",
    "DeclarationRevision",
    "Delegation",
    "Invitation",
    "Job",
    "MailMessage",
    "Notification",
    "Registration",
    "User",
]
