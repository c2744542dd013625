"""Documents: load what they show from the database, find exporters, manage templates.

Generation is read-only; template upload and removal write an audit event and flush (callers
commit).
"""

from __future__ import annotations

import hashlib
import itertools

import sqlalchemy as sa
from flask import current_app

from alliance_conf.audit.operations import log_event
from alliance_conf.core.db import utcnow
from alliance_conf.core.errors import InvalidState, NotFound, PermissionDenied, ValidationFailed
from alliance_conf.declarations import diff
from alliance_conf.declarations import operations as declaration_ops
from alliance_conf.declarations.models import Declaration, DeclarationRevision
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.i18n import _, ngettext
from alliance_conf.plugins import flatten, get_registry
from alliance_conf.registrations.models import DelegateFunction, Registration, RegistrationStatus
from plugins.documents import builder, seal, word_templates
from plugins.documents.models import DocumentTemplate, SealedDocument

DOCX = builder.DOCX_CONTENT_TYPE
TEAM_ROLES = frozenset({"organiser", "staff"})
FUNCTION_ORDER = {function: n for n, function in enumerate(DelegateFunction)}


# --- who may ---------------------------------------------------------------------------------


def require_team(actor) -> None:
    """Organisers, staff and admins; the CLI acts as the system (``actor=None``)."""
    if actor is None:
        return
    if not getattr(actor, "is_authenticated", False) or not actor.has_role(*TEAM_ROLES):
        raise PermissionDenied(_("Only organisers and staff can download or manage documents."))


def exporter_allowed(exporter, actor) -> bool:
    if actor is None:
        return True
    return getattr(actor, "is_authenticated", False) and actor.has_role(*exporter.roles)


# --- exporters -------------------------------------------------------------------------------


def exporters(kinds: tuple[str, ...] | None = None) -> list:
    """Every ``DocumentExporter`` the enabled plugins offer, optionally of some kinds."""
    found = flatten(get_registry().hook.alliance_document_exporters())
    if kinds is not None:
        found = [e for e in found if e.kind in kinds]
    return sorted(found, key=lambda e: (e.kind, e.name))


def get_exporter(name: str):
    for exporter in exporters():
        if exporter.name == name:
            return exporter
    raise NotFound(_("There is no document “%(name)s”.", name=name))


def generate(name: str, *, actor, **kwargs) -> tuple[bytes, str]:
    """Run one exporter for ``actor`` and return the file and its download name; the download
    is audited (who, which document and revision, the SHA-256 of the bytes): callers commit."""
    exporter = get_exporter(name)
    require_team(actor)
    if not exporter_allowed(exporter, actor):
        raise PermissionDenied(
            _(
                "Your role does not allow downloading this document: %(document)s.",
                document=exporter.label,
            )
        )
    data = exporter.generate(**kwargs)
    declaration = kwargs.get("declaration")
    conference = kwargs.get("conference") or getattr(declaration, "conference", None)
    if "number" in kwargs:
        revision = str(kwargs["number"])
    elif "from_number" in kwargs:
        revision = f"{kwargs['from_number']}:{kwargs['to_number']}"
    elif declaration is not None and declaration.frozen_revision is not None:
        revision = str(declaration.frozen_revision.number)
    else:
        revision = None
    record_download(
        actor,
        document=exporter.name,
        data=data,
        about=declaration if declaration is not None else conference,
        revision=revision,
    )
    return data, download_name(exporter, **kwargs)


def download_name(exporter, **kwargs) -> str:
    declaration = kwargs.get("declaration")
    conference = kwargs.get("conference") or getattr(declaration, "conference", None)
    parts = [conference.slug if conference is not None else "document"]
    if declaration is not None:
        parts.append(f"declaration-{declaration.id}")
    parts.append(exporter.name)
    if "number" in kwargs:
        parts.append(f"r{kwargs['number']}")
    if "from_number" in kwargs:
        parts.append(f"r{kwargs['from_number']}-r{kwargs['to_number']}")
    return "-".join(parts) + "." + exporter.extension


# --- templates -------------------------------------------------------------------------------


def get_template(conference) -> DocumentTemplate | None:
    return db.session.scalar(
        sa.select(DocumentTemplate).where(DocumentTemplate.conference_id == conference.id)
    )


def template_bytes(conference) -> bytes:
    stored = get_template(conference)
    return stored.content if stored is not None else builder.default_template_bytes()


def upload_template(conference, filename: str, data: bytes, *, actor) -> DocumentTemplate:
    """Validate and store (or replace) the conference's template."""
    require_team(actor)
    filename = (filename or "").strip().replace("\\", "/").rsplit("/", 1)[-1][:255]
    if not filename:
        raise ValidationFailed(_("Choose a .docx file to upload."), {"file": _("Choose a file.")})
    config = current_app.config
    word_templates.validate_template(
        data,
        filename,
        max_bytes=config["DOCUMENTS_TEMPLATE_MAX_BYTES"],
        max_uncompressed=config["DOCUMENTS_TEMPLATE_MAX_UNCOMPRESSED_BYTES"],
        max_ratio=config["DOCUMENTS_TEMPLATE_MAX_RATIO"],
    )
    stored = get_template(conference)
    replaced = stored is not None
    if stored is None:
        stored = DocumentTemplate(conference_id=conference.id)
        db.session.add(stored)
    stored.filename = filename
    stored.content = data
    stored.size = len(data)
    stored.sha256 = hashlib.sha256(data).hexdigest()
    stored.uploaded_by_id = getattr(actor, "id", None)
    stored.uploaded_at = utcnow()
    db.session.flush()
    log_event(
        "documents.template_uploaded",
        stored,
        actor=actor,
        data={
            "filename": filename,
            "size": len(data),
            "sha256": stored.sha256,
            "replaced": replaced,
        },
    )
    return stored


def remove_template(conference, *, actor) -> None:
    require_team(actor)
    stored = get_template(conference)
    if stored is None:
        raise NotFound(
            _(
                "%(conference)s has no uploaded template; the default one is used.",
                conference=conference.title,
            )
        )
    log_event("documents.template_removed", stored, actor=actor, data={"filename": stored.filename})
    db.session.delete(stored)
    db.session.flush()


# --- what the documents show -----------------------------------------------------------------


def document_language(conference) -> str:
    """The language documents are written in (BCP 47), from one place: ``DOCUMENTS_LANGUAGE``.

    The languages issue will make this per document; every builder already takes it from here.
    """
    return current_app.config.get("DOCUMENTS_LANGUAGE") or builder.DEFAULT_LANGUAGE


def organisation(conference) -> str:
    return current_app.config.get("DOCUMENTS_ORGANISATION") or conference.title


def _source(declaration: Declaration, revision: DeclarationRevision) -> builder.DeclarationSource:
    return builder.DeclarationSource(
        conference=declaration.conference,
        title=declaration.title,
        revision_number=revision.number,
        revision_date=revision.created_at,
        content=revision.content,
        frozen=declaration.frozen_revision_id == revision.id,
        author=organisation(declaration.conference),
        language=document_language(declaration.conference),
        symbol=document_symbol(declaration, revision),
        lead_in=current_app.config.get("DOCUMENTS_OPERATIVE_LEAD_IN", builder.DEFAULT_LEAD_IN),
    )


def document_symbol(declaration: Declaration, revision: DeclarationRevision) -> str:
    """The reference line's symbol, ``DOCUMENTS_SYMBOL`` with {conference} (the slug in capitals),
    {declaration} (its id) and {revision}; drafts other than the frozen text add "/Rev.N"."""
    pattern = current_app.config.get("DOCUMENTS_SYMBOL") or "{conference}/DECL.{declaration}"
    symbol = pattern.format(
        conference=declaration.conference.slug.upper(),
        declaration=declaration.id,
        revision=revision.number,
    )
    if declaration.frozen_revision_id != revision.id and "{revision}" not in pattern:
        symbol += f"/Rev.{revision.number}"
    return symbol


def signature_rows(declaration: Declaration) -> list:
    """Active signatures from whichever plugin provides them, in protocol order."""
    rows = flatten(get_registry().hook.alliance_signature_rows(declaration=declaration))
    return protocol_sorted(
        rows,
        name=lambda r: r.delegation_name,
        is_state=lambda r: r.country_code is not None,
        group=lambda r: r.group,
        code=lambda r: r.country_code,
        conference=declaration.conference,
    )


def protocol_sorted(items, *, name, is_state, group, code, conference) -> list:
    """Sort delegations in protocol order (``DOCUMENTS_PROTOCOL_ORDER``).

    ``"alphabetical"`` (the default): states by English short name, then organisations;
    ``"group"``: by the conference's delegation groups in their order, alphabetical within;
    a list of country codes or names: those first in that order, the others alphabetically.
    """
    order = current_app.config.get("DOCUMENTS_PROTOCOL_ORDER", "alphabetical")

    def alphabetical(item):
        return (0 if is_state(item) else 1, builder.sort_name(name(item)))

    if order == "group":
        groups = list((conference.groups or {}).keys())

        def key(item):
            g = group(item)
            return (groups.index(g) if g in groups else len(groups), *alphabetical(item))

    elif isinstance(order, list | tuple):
        wanted = [str(v).strip().casefold() for v in order]

        def key(item):
            labels = {str(code(item) or "").casefold(), name(item).casefold()}
            position = next((n for n, w in enumerate(wanted) if w in labels), len(wanted))
            return (position, *alphabetical(item))

    else:
        key = alphabetical
    return sorted(items, key=key)


def final_declaration(declaration: Declaration) -> bytes:
    if not declaration.is_frozen or not declaration.text_hash:
        raise InvalidState(
            _(
                "“%(title)s” is not frozen for signature yet (%(state)s), so it has no final "
                "text: download a draft revision instead.",
                title=declaration.title,
                state=declaration.state.title,
            )
        )
    revision = declaration.frozen_revision
    source = builder.FinalSource(
        declaration=_source(declaration, revision),
        text_hash=declaration.text_hash,
        frozen_at=declaration.frozen_at or revision.created_at,
        rows=signature_rows(declaration),
    )
    return builder.build_final(template_bytes(declaration.conference), source)


def draft_revision(declaration: Declaration, number: int) -> bytes:
    revision = declaration_ops.get_revision(declaration, number)
    return builder.build_draft(
        template_bytes(declaration.conference), _source(declaration, revision)
    )


def comparison(declaration: Declaration, from_number: int, to_number: int) -> bytes:
    if from_number == to_number:
        raise ValidationFailed(
            _("Choose two different revisions to compare."),
            {"to": _("Pick a revision other than the first one.")},
        )
    old = declaration_ops.get_revision(declaration, from_number)
    new = declaration_ops.get_revision(declaration, to_number)
    result = diff.compare(old.content, new.content)
    author = organisation(declaration.conference)
    return builder.build_comparison(
        template_bytes(declaration.conference),
        _source(declaration, old),
        _source(declaration, new),
        result,
        change_author=author,
        attribution=change_attribution(declaration, from_number, to_number),
    )


def _touched(before: dict, after: dict) -> set[str]:
    """Keys of the items one revision inserted, deleted, moved or reworded ("title" too)."""
    result = diff.compare(before, after)
    touched = {"title"} if result["title"]["changed"] else set()
    for section in result["sections"]:
        for item in section["items"]:
            if item["status"] != "unchanged" or item["moved"]:
                touched.add(item["key"])
    return touched


def change_attribution(declaration: Declaration, from_number: int, to_number: int) -> dict:
    """Who made each item's change between two revisions, and when it was accepted.

    Each revision between the two is compared with the one before it; an item (or the title)
    it inserted, deleted, moved or reworded is credited to the delegation whose accepted
    amendment produced the revision, or to the organiser for an editorial revision, at the
    revision's time. The last revision that touched an item wins.
    """
    from alliance_conf.declarations.models import Amendment

    low, high = sorted((from_number, to_number))
    revisions = db.session.scalars(
        sa.select(DeclarationRevision)
        .where(
            DeclarationRevision.declaration_id == declaration.id,
            DeclarationRevision.number.between(low, high),
        )
        .order_by(DeclarationRevision.number)
    ).all()
    editor = organisation(declaration.conference)
    attribution: dict[str, tuple[str, object]] = {}
    for before, after in itertools.pairwise(revisions):
        author = editor
        if after.amendment_id is not None:
            amendment = db.session.get(Amendment, after.amendment_id)
            delegation = db.session.get(Delegation, amendment.delegation_id) if amendment else None
            if delegation is not None:
                author = delegation.name
        for key in _touched(before.content, after.content):
            attribution[key] = (author, after.created_at)
    return attribution


def participant_groups(conference) -> list[builder.ParticipantGroup]:
    """Approved delegates who consented to the published list, by delegation in protocol order."""
    from alliance_conf.auth.models import User

    rows = db.session.execute(
        sa.select(Registration, Delegation, User)
        .join(Delegation, Registration.delegation_id == Delegation.id)
        .join(User, Registration.user_id == User.id)
        .where(
            Registration.conference_id == conference.id,
            Registration.status == RegistrationStatus.approved,
            Registration.consent_participant_list.is_(True),
        )
    ).all()
    by_delegation: dict[int, tuple[Delegation, list]] = {}
    for registration, delegation, user in rows:
        by_delegation.setdefault(delegation.id, (delegation, []))[1].append((registration, user))
    ordered = protocol_sorted(
        list(by_delegation.values()),
        name=lambda entry: entry[0].name,
        is_state=lambda entry: entry[0].is_state,
        group=lambda entry: entry[0].group,
        code=lambda entry: entry[0].country_code,
        conference=conference,
    )
    groups = []
    for delegation, people in ordered:
        people.sort(
            key=lambda p: (FUNCTION_ORDER[p[0].function], builder.sort_name(p[1].full_name))
        )
        groups.append(
            builder.ParticipantGroup(
                delegation.name,
                [
                    (
                        user.full_name,
                        registration.function.title,
                        ", ".join(
                            x for x in (registration.position, registration.organisation) if x
                        ),
                    )
                    for registration, user in people
                ],
            )
        )
    return groups


def participant_list(conference) -> bytes:
    return builder.build_participants(
        template_bytes(conference),
        conference,
        participant_groups(conference),
        organisation(conference),
        language=document_language(conference),
    )


# --- what an exporter is called with ---------------------------------------------------------

DECLARATION_KINDS = ("declaration", "revision", "comparison")


def _number_messages(name: str) -> tuple[str, str, str]:
    """What to say when the query parameter ``name`` is missing, not a number, or below 1."""
    if name == "from":
        return (
            _("Give the revision to compare from."),
            _("The revision to compare from must be a whole number."),
            _("The revision to compare from must be 1 or more."),
        )
    if name == "to":
        return (
            _("Give the revision to compare to."),
            _("The revision to compare to must be a whole number."),
            _("The revision to compare to must be 1 or more."),
        )
    return (
        _("Give the revision number."),
        _("The revision number must be a whole number."),
        _("The revision number must be 1 or more."),
    )


def _number(args, name: str) -> int:
    missing, not_whole, too_small = _number_messages(name)
    raw = (args.get(name) or "").strip()
    if not raw:
        raise ValidationFailed(missing, {name: missing})
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed(not_whole, {name: _("Enter a whole number.")}) from None
    if value < 1:
        raise ValidationFailed(too_small, {name: _("Enter 1 or more.")})
    return value


def exporter_arguments(exporter, *, args, declaration=None, conference=None) -> dict:
    """The keyword arguments of ``exporter.generate`` from a request's query string.

    Declaration kinds take the declaration (``revision`` also ``?revision=N``, ``comparison``
    ``?from=N&to=M``); every other kind is a conference document and takes the conference.
    """
    if exporter.kind in DECLARATION_KINDS:
        if declaration is None:
            raise NotFound(
                _(
                    "This document (%(document)s) belongs to a declaration, not a conference.",
                    document=exporter.label,
                )
            )
        kwargs = {"declaration": declaration}
        if exporter.kind == "revision":
            kwargs["number"] = _number(args, "revision")
        elif exporter.kind == "comparison":
            kwargs["from_number"] = _number(args, "from")
            kwargs["to_number"] = _number(args, "to")
        return kwargs
    if conference is None:
        raise NotFound(
            _(
                "This document (%(document)s) belongs to a conference, not a declaration.",
                document=exporter.label,
            )
        )
    return {"conference": conference}


# --- the sealed PDF --------------------------------------------------------------------------


def sealing_key():
    config = current_app.config
    return seal.load_sealing_key(
        config.get("DOCUMENTS_SEAL_PKCS12"), config.get("DOCUMENTS_SEAL_PASSWORD")
    )


def latest_sealed(declaration: Declaration) -> SealedDocument | None:
    return db.session.scalar(
        sa.select(SealedDocument)
        .where(SealedDocument.declaration_id == declaration.id)
        .order_by(SealedDocument.id.desc())
        .limit(1)
    )


def get_sealed(declaration: Declaration) -> SealedDocument:
    found = latest_sealed(declaration)
    if found is None:
        raise NotFound(_("“%(title)s” has no sealed PDF yet.", title=declaration.title))
    return found


def seal_final_declaration(declaration: Declaration, *, actor) -> SealedDocument:
    """The final declaration as PDF/A-2b, sealed (PAdES) with the sealing certificate, stored
    with its SHA-256 in the audit log. The certificate is checked before any work; if anything
    fails nothing is stored."""
    require_team(actor)
    docx = final_declaration(declaration)  # refuses a text that is not frozen
    key = sealing_key()
    rows = signature_rows(declaration)
    conference = declaration.conference
    pdf = seal.to_pdfa(docx)
    sealed_pdf = seal.seal_pdf(
        pdf,
        key,
        reason=ngettext(
            "Final text of “%(title)s” with %(num)d signature",
            "Final text of “%(title)s” with %(num)d signatures",
            len(rows),
            title=declaration.title,
        ),
        location=conference.city,
        name=organisation(conference),
    )
    record = SealedDocument(
        declaration_id=declaration.id,
        revision_number=declaration.frozen_revision.number,
        signature_count=len(rows),
        content=sealed_pdf,
        size=len(sealed_pdf),
        sha256=hashlib.sha256(sealed_pdf).hexdigest(),
        certificate_subject=key.subject[:500],
        certificate_sha256=key.fingerprint,
        sealed_by_id=getattr(actor, "id", None),
        sealed_at=utcnow(),
    )
    db.session.add(record)
    db.session.flush()
    log_event(
        "documents.sealed",
        record,
        actor=actor,
        conference_id=conference.id,
        data={
            "declaration_id": declaration.id,
            "revision": record.revision_number,
            "signatures": record.signature_count,
            "sha256": record.sha256,
            "size": record.size,
            "certificate_sha256": key.fingerprint,
        },
    )
    return record


def sealed_download_name(declaration: Declaration) -> str:
    return f"{declaration.conference.slug}-declaration-{declaration.id}-sealed.pdf"


# --- downloads are audited -------------------------------------------------------------------


def record_download(actor, *, document: str, data: bytes, about, revision=None) -> None:
    """Who downloaded which document (and revision), and the SHA-256 of the bytes they got.

    ``about`` is the declaration, or the conference for a conference-wide document."""
    conference_id = getattr(about, "conference_id", None) or getattr(about, "id", None)
    log_event(
        "documents.downloaded",
        about,
        actor=actor,
        conference_id=conference_id,
        data={
            "document": document,
            "revision": revision,
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
        },
    )
