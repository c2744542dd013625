"""Export one conference to a versioned dict, and restore one into a database without it.

The core section holds the conference, its delegations, its registrations, its invitations, its
declarations (with their revisions, amendments, comments and supports), the accounts of the
registered people and of everyone who acted on the conference (with their password hashes, so
they can still sign in after a restore; API tokens are not exported) and the conference's audit
events. Into an empty database every row keeps its id, so hashes and signed receipts that name
ids stay valid. Each enabled plugin adds its own
section through ``alliance_backup_export`` / ``alliance_backup_import``.
"""

from __future__ import annotations

import sqlalchemy as sa

from alliance_conf import __version__
from alliance_conf.audit.models import AuditEvent
from alliance_conf.audit.operations import log_event
from alliance_conf.auth.models import User
from alliance_conf.auth.operations import find_user_by_email
from alliance_conf.backup.serialise import IdMap, dump_row, dump_rows, load_row, load_rows
from alliance_conf.conferences.models import Conference
from alliance_conf.core.db import utcnow
from alliance_conf.core.errors import Conflict, ValidationFailed
from alliance_conf.declarations.models import (
    Amendment,
    AmendmentComment,
    AmendmentSupport,
    Declaration,
    DeclarationRevision,
)
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.i18n import _, ngettext
from alliance_conf.invitations.models import Invitation
from alliance_conf.plugins import get_registry, hook
from alliance_conf.registrations.models import FullPowers, Registration

FORMAT = "alliance-conf-backup"
VERSION = 1
CORE_SECTIONS = ("conference", "delegations", "users", "registrations", "audit_events")


def _ordered(model, *conditions):
    return db.session.scalars(sa.select(model).where(*conditions).order_by(model.id)).all()


def export_conference(conference: Conference) -> dict:
    registrations = _ordered(Registration, Registration.conference_id == conference.id)
    audit_events = _ordered(AuditEvent, AuditEvent.conference_id == conference.id)
    declarations = _ordered(Declaration, Declaration.conference_id == conference.id)
    declaration_ids = [d.id for d in declarations]
    amendments = _ordered(Amendment, Amendment.declaration_id.in_(declaration_ids))
    amendment_ids = [a.id for a in amendments]
    user_ids = {e.actor_id for e in audit_events if e.actor_id is not None}
    for registration in registrations:
        user_ids.update(
            i
            for i in (
                registration.user_id,
                registration.decided_by_id,
                registration.signatory_designated_by_id,
            )
            if i is not None
        )
    full_powers = _ordered(FullPowers, FullPowers.conference_id == conference.id)
    for powers in full_powers:
        user_ids.update(i for i in (powers.granted_by_id, powers.revoked_by_id) if i is not None)
    plugins: dict[str, dict] = {}
    for name, data in hook().alliance_backup_export(conference=conference):
        if name in plugins:
            raise Conflict(f"Two plugins export a backup section named {name!r}.")
        plugins[name] = data
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": utcnow().isoformat(),
        "app_version": __version__,
        "conference_slug": conference.slug,
        "core": {
            "conference": dump_row(conference),
            "delegations": dump_rows(
                _ordered(Delegation, Delegation.conference_id == conference.id)
            ),
            "users": dump_rows(_ordered(User, User.id.in_(user_ids))),
            "registrations": dump_rows(registrations),
            "full_powers": dump_rows(full_powers),
            "invitations": dump_rows(
                _ordered(Invitation, Invitation.conference_id == conference.id)
            ),
            "declarations": dump_rows(declarations),
            "declaration_revisions": dump_rows(
                _ordered(
                    DeclarationRevision, DeclarationRevision.declaration_id.in_(declaration_ids)
                )
            ),
            "amendments": dump_rows(amendments),
            "amendment_comments": dump_rows(
                _ordered(AmendmentComment, AmendmentComment.amendment_id.in_(amendment_ids))
            ),
            "amendment_supports": dump_rows(
                _ordered(AmendmentSupport, AmendmentSupport.amendment_id.in_(amendment_ids))
            ),
            "audit_events": dump_rows(audit_events),
        },
        "plugins": plugins,
    }


def _check_envelope(data) -> None:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValidationFailed(
            _("This is not an alliance-conf backup (no format '%(format)s').", format=FORMAT)
        )
    if data.get("version") != VERSION:
        raise ValidationFailed(
            _(
                "This backup has format version %(found)s; this alliance-conf reads version "
                "%(version)s.",
                found=repr(data.get("version")),
                version=VERSION,
            )
        )
    core = data.get("core")
    missing = [s for s in CORE_SECTIONS if not isinstance(core, dict) or s not in core]
    if missing:
        raise ValidationFailed(
            ngettext(
                "The backup lacks its core section: %(sections)s.",
                "The backup lacks its core sections: %(sections)s.",
                len(missing),
                sections=", ".join(missing),
            )
        )
    if not isinstance(data.get("plugins", {}), dict):
        raise ValidationFailed(_("The backup's plugins section must be an object."))


def _model_tables() -> dict[str, str]:
    """Audit events name objects by class; ids are remapped through the class's table."""
    return {mapper.class_.__name__: mapper.local_table.name for mapper in db.Model.registry.mappers}


def _restore_audit_event(row: dict, id_map: IdMap, tables: dict[str, str]) -> AuditEvent:
    object_id = row.get("object_id")
    table = tables.get(row.get("object_type"))
    if table and object_id is not None and str(object_id).isdigit():
        object_id = str(id_map.get(table, int(object_id), object_id))
    return load_row(AuditEvent, row, id_map, object_id=object_id)


def import_backup(data: dict, *, actor=None) -> Conference:
    """Restore a backup; the caller commits (or rolls back: nothing is half-written)."""
    _check_envelope(data)
    core = data["core"]
    slug = core["conference"].get("slug")
    if db.session.scalar(sa.select(Conference.id).where(Conference.slug == slug)) is not None:
        raise Conflict(
            _(
                "A conference with the slug '%(slug)s' already exists: a backup is restored "
                "only into a database without it.",
                slug=slug,
            ),
            {"slug": _("Already exists.")},
        )
    sections = data.get("plugins", {})
    importers = {
        impl.plugin_name: impl.function
        for impl in get_registry().hook.alliance_backup_import.get_hookimpls()
    }
    unknown = sorted(set(sections) - set(importers))
    if unknown:
        raise ValidationFailed(
            ngettext(
                "The backup has data for the plugin %(plugins)s, which is not enabled here: "
                "install and enable it first.",
                "The backup has data for the plugins %(plugins)s, which are not enabled here: "
                "install and enable them first.",
                len(unknown),
                plugins=", ".join(unknown),
            )
        )

    id_map = IdMap(keep_ids=True)
    conference = load_row(Conference, core["conference"], id_map)
    load_rows(Delegation, core["delegations"], id_map)
    for row in core["users"]:
        existing = find_user_by_email(row["email"])
        if existing is not None:  # an account that already exists here is kept as it is
            id_map.record("users", row["id"], existing.id)
        else:
            load_row(User, row, id_map)
    load_rows(Registration, core["registrations"], id_map)
    _restore_full_powers(core, id_map, conference)
    load_rows(Invitation, core.get("invitations", []), id_map)
    _restore_declarations(core, id_map)
    for name, section in sections.items():
        importers[name](conference=conference, data=section, id_map=id_map)
    tables = _model_tables()
    for row in core["audit_events"]:
        _restore_audit_event(row, id_map, tables)
    log_event(
        "conference.restored",
        conference,
        actor=actor,
        conference_id=conference.id,
        data={"exported_at": data.get("exported_at"), "plugins": sorted(sections)},
    )
    db.session.flush()
    id_map.sync_sequences()
    return conference


def _restore_full_powers(core: dict, id_map: IdMap, conference: Conference) -> None:
    """Full powers come back with their instruments; a registration flagged as signatory
    without a live grant in the backup (edited or older file) loses the flag: a restore never
    creates powers that organisers did not grant."""
    load_rows(FullPowers, core.get("full_powers", []), id_map)
    db.session.flush()
    granted = sa.select(FullPowers.registration_id).where(FullPowers.revoked_at.is_(None))
    db.session.execute(
        sa.update(Registration)
        .where(
            Registration.conference_id == conference.id,
            Registration.is_signatory.is_(True),
            Registration.id.not_in(granted),
        )
        .values(is_signatory=False, signatory_designated_at=None, signatory_designated_by_id=None)
        .execution_options(synchronize_session=False)
    )


def _restore_declarations(core: dict, id_map: IdMap) -> None:
    """Declarations point to their frozen revision, revisions to the amendment they accepted:
    declarations first without it, then amendments, revisions (insert only: they are
    immutable), and the frozen revision last, keeping ``updated_at``."""
    rows = core.get("declarations", [])
    declarations = [load_row(Declaration, row, id_map, frozen_revision_id=None) for row in rows]
    load_rows(Amendment, core.get("amendments", []), id_map)
    load_rows(DeclarationRevision, core.get("declaration_revisions", []), id_map)
    load_rows(AmendmentComment, core.get("amendment_comments", []), id_map)
    load_rows(AmendmentSupport, core.get("amendment_supports", []), id_map)
    for declaration, row in zip(declarations, rows, strict=True):
        frozen = row.get("frozen_revision_id")
        if frozen is None:
            continue
        new_frozen = id_map.get("declaration_revisions", frozen)
        if new_frozen is None:
            raise ValidationFailed(
                _(
                    "The backup's declaration %(id)s is frozen on revision %(revision)s, "
                    "which is not in the backup.",
                    id=row.get("id"),
                    revision=frozen,
                )
            )
        db.session.execute(
            sa.update(Declaration)
            .where(Declaration.id == declaration.id)
            .values(frozen_revision_id=new_frozen, updated_at=declaration.updated_at)
        )
    db.session.expire_all()
