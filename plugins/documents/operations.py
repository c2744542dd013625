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
from alliance_conf.i18n import _, force_locale, ngettext
from alliance_conf.plugins import flatten, get_registry
from alliance_conf.registrations.models import DelegateFunction, Registration, RegistrationStatus
from plugins.documents import bilingual, builder, seal, word_templates, wording
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


def allowed_exporter(name: str, actor):
    """The exporter ``name`` if ``actor`` may have its document (NotFound, PermissionDenied)."""
    exporter = get_exporter(name)
    require_team(actor)
    if not exporter_allowed(exporter, actor):
        raise PermissionDenied(
            _(
                "Your role does not allow downloading this document: %(document)s.",
                document=exporter.label,
            )
        )
    return exporter


def generate(name: str, *, actor, **kwargs) -> tuple[bytes, str]:
    """Run one exporter for ``actor`` and return the file and its download name; the download
    is audited (who, which document and revision, the SHA-256 of the bytes): callers commit."""
    exporter = allowed_exporter(name, actor)
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
        language="/".join(str(kwargs[k]) for k in ("language", "left", "right") if kwargs.get(k))
        or None,
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
    for name in ("language", "left", "right"):
        if kwargs.get(name):
            parts.append(str(kwargs[name]))
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


def conference_languages(conference) -> list[str]:
    """The conference's authentic languages, the drafting language first."""
    languages = list(getattr(conference, "languages", None) or [])
    return languages or [current_app.config.get("BABEL_DEFAULT_LOCALE") or "en"]


def check_language(conference, language: str | None) -> str:
    """``language`` if the conference has it (its first language when None); otherwise a 422
    naming the conference's languages."""
    languages = conference_languages(conference)
    if language is None:
        return languages[0]
    code = str(language).strip()
    if code in languages:
        return code
    message = _(
        "“%(code)s” is not one of the languages of %(conference)s (%(choices)s).",
        code=code,
        conference=conference.title,
        choices=", ".join(languages),
    )
    raise ValidationFailed(message, {"language": message})


def document_language(conference, language: str | None = None) -> str:
    """The proofing language (BCP 47, ``w:lang``) of a document in ``language`` (default: the
    conference's first language): ``DOCUMENTS_LANGUAGE`` decides the region (``en-GB``, or
    {code: tag}), otherwise the language's usual one (``fr`` -> ``fr-FR``)."""
    code = language or conference_languages(conference)[0]
    return wording.word_tag(code, current_app.config.get("DOCUMENTS_LANGUAGE"))


def lead_in_text(language: str) -> str:
    """The operative lead-in in ``language``: ``DOCUMENTS_OPERATIVE_LEAD_IN`` as {code: text} or
    one text for every language; by default "Have agreed as follows:" translated."""
    configured = current_app.config.get("DOCUMENTS_OPERATIVE_LEAD_IN")
    if isinstance(configured, dict):
        configured = configured.get(wording.code_of(language))
    if configured and configured != builder.DEFAULT_LEAD_IN:
        return configured
    with force_locale(wording.code_of(language)):
        return _("Have agreed as follows:")


def organisation(conference) -> str:
    return current_app.config.get("DOCUMENTS_ORGANISATION") or conference.title


def revision_text(revision: DeclarationRevision, language: str) -> dict:
    """The revision's whole text in ``language``; a clear 422 when it has none in it."""
    try:
        return revision.text_in(language)
    except KeyError:
        message = _(
            "Revision %(number)s has no text in %(language)s.",
            number=revision.number,
            language=language,
        )
        raise ValidationFailed(message, {"language": message}) from None


def _source(
    declaration: Declaration, revision: DeclarationRevision, language: str | None = None
) -> builder.DeclarationSource:
    conference = declaration.conference
    code = check_language(conference, language)
    tag = document_language(conference, code)
    return builder.DeclarationSource(
        conference=conference,
        title=declaration.title,
        revision_number=revision.number,
        revision_date=revision.created_at,
        content=revision_text(revision, code),
        frozen=declaration.frozen_revision_id == revision.id,
        author=organisation(conference),
        language=tag,
        symbol=document_symbol(declaration, revision),
        lead_in=lead_in_text(tag),
        authentic_languages=[code for code in conference_languages(conference)],
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


def signature_rows(declaration: Declaration, language: str | None = None) -> list:
    """Active signatures from whichever plugin provides them, in protocol order (alphabetical
    in ``language``, a BCP 47 tag; default English)."""
    rows = flatten(get_registry().hook.alliance_signature_rows(declaration=declaration))
    return protocol_sorted(
        rows,
        name=lambda r: r.delegation_name,
        is_state=lambda r: r.country_code is not None,
        group=lambda r: r.group,
        code=lambda r: r.country_code,
        conference=declaration.conference,
        language=language,
    )


def protocol_sorted(items, *, name, is_state, group, code, conference, language=None) -> list:
    """Sort delegations in protocol order (``DOCUMENTS_PROTOCOL_ORDER``).

    ``"alphabetical"`` (the default): states by short name in the document's ``language``,
    then organisations; ``"group"``: by the conference's delegation groups in their order,
    alphabetical within; a list of country codes or names: those first in that order, the
    others alphabetically.
    """
    order = current_app.config.get("DOCUMENTS_PROTOCOL_ORDER", "alphabetical")

    def local_name(item):
        if language is None or not is_state(item):
            return name(item)
        return wording.country_name(code(item), language, name(item))

    def alphabetical(item):
        return (0 if is_state(item) else 1, builder.sort_name(local_name(item)))

    if order == "group":
        groups = list((conference.groups or {}).keys())

        def key(item):
            g = group(item)
            return (groups.index(g) if g in groups else len(groups), *alphabetical(item))

    elif isinstance(order, list | tuple):
        wanted = [str(v).strip().casefold() for v in order]

        def key(item):
            labels = {
                str(code(item) or "").casefold(),
                name(item).casefold(),
                local_name(item).casefold(),
            }
            position = next((n for n, w in enumerate(wanted) if w in labels), len(wanted))
            return (position, *alphabetical(item))

    else:
        key = alphabetical
    return sorted(items, key=key)


def _require_final(declaration: Declaration) -> None:
    if not declaration.is_frozen or not declaration.text_hash:
        raise InvalidState(
            _(
                "“%(title)s” is not frozen for signature yet (%(state)s), so it has no final "
                "text: download a draft revision instead.",
                title=declaration.title,
                state=declaration.state.title,
            )
        )


def _final_source(declaration: Declaration, language: str) -> builder.FinalSource:
    revision = declaration.frozen_revision
    source = _source(declaration, revision, language)
    return builder.FinalSource(
        declaration=source,
        text_hash=declaration.text_hash,
        frozen_at=declaration.frozen_at or revision.created_at,
        rows=signature_rows(declaration, source.language),
        language_hashes=dict(declaration.language_hashes or {}),
    )


def final_declaration(declaration: Declaration, language: str | None = None) -> bytes:
    """The final declaration in one of the conference's languages (default: its first): the
    document's own words (headings, dates, country names) are in that language too."""
    code = check_language(declaration.conference, language)
    _require_final(declaration)
    with force_locale(code):
        source = _final_source(declaration, code)
        return builder.build_final(template_bytes(declaration.conference), source)


def draft_revision(declaration: Declaration, number: int, language: str | None = None) -> bytes:
    code = check_language(declaration.conference, language)
    revision = declaration_ops.get_revision(declaration, number)
    with force_locale(code):
        return builder.build_draft(
            template_bytes(declaration.conference), _source(declaration, revision, code)
        )


def comparison(
    declaration: Declaration, from_number: int, to_number: int, language: str | None = None
) -> bytes:
    if from_number == to_number:
        raise ValidationFailed(
            _("Choose two different revisions to compare."),
            {"to": _("Pick a revision other than the first one.")},
        )
    code = check_language(declaration.conference, language)
    old = declaration_ops.get_revision(declaration, from_number)
    new = declaration_ops.get_revision(declaration, to_number)
    result = diff.compare(revision_text(old, code), revision_text(new, code))
    author = organisation(declaration.conference)
    with force_locale(code):
        return builder.build_comparison(
            template_bytes(declaration.conference),
            _source(declaration, old, code),
            _source(declaration, new, code),
            result,
            change_author=author,
            attribution=change_attribution(declaration, from_number, to_number, code),
        )


def bilingual_languages(conference, left: str | None, right: str | None) -> tuple[str, str]:
    """The two columns of a bilingual edition: by default the conference's first two
    languages; each must be one of its languages, and they must differ."""
    languages = conference_languages(conference)
    if left is None and right is None and len(languages) < 2:
        message = _(
            "%(conference)s has one authentic language (%(language)s): there is no bilingual "
            "edition.",
            conference=conference.title,
            language=languages[0],
        )
        raise ValidationFailed(message, {"language": message})
    left = check_language(conference, left)
    if right is None:
        right = next((code for code in languages if code != left), None)
    right = check_language(conference, right)
    if left == right:
        message = _("Choose two different languages for the two columns.")
        raise ValidationFailed(message, {"right": message})
    return left, right


def bilingual_declaration(
    declaration: Declaration,
    left: str | None = None,
    right: str | None = None,
    number: int | None = None,
) -> bytes:
    """The side-by-side edition: two columns aligned item by item, each in its language. The
    frozen text (with its signatories) by default, or revision ``number`` as a draft."""
    left, right = bilingual_languages(declaration.conference, left, right)
    if number is None:
        _require_final(declaration)
        revision = declaration.frozen_revision
    else:
        revision = declaration_ops.get_revision(declaration, number)
    final = number is None or revision.id == declaration.frozen_revision_id
    sides = []
    for code in (left, right):
        with force_locale(code):
            if final and declaration.is_frozen:
                sides.append(_final_source(declaration, code))
            else:
                sides.append(_source(declaration, revision, code))
    with force_locale(left):
        return bilingual.build_bilingual(
            template_bytes(declaration.conference), sides[0], sides[1], translate=_in_language
        )


def _in_language(language: str, function, *args, **kwargs):
    """Run ``function`` with gettext in ``language`` (a tag or code)."""
    with force_locale(wording.code_of(language)):
        return function(*args, **kwargs)


def _touched(before: dict, after: dict) -> set[str]:
    """Keys of the items one revision inserted, deleted, moved or reworded ("title" too)."""
    result = diff.compare(before, after)
    touched = {"title"} if result["title"]["changed"] else set()
    for section in result["sections"]:
        for item in section["items"]:
            if item["status"] != "unchanged" or item["moved"]:
                touched.add(item["key"])
    return touched


def change_attribution(
    declaration: Declaration, from_number: int, to_number: int, language: str | None = None
) -> dict:
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
        if language is not None and not (
            before.has_language(language) and after.has_language(language)
        ):
            continue
        texts = (
            (before.text_in(language), after.text_in(language))
            if language is not None
            else (before.content, after.content)
        )
        for key in _touched(*texts):
            attribution[key] = (author, after.created_at)
    return attribution


def participant_groups(conference, language: str | None = None) -> list[builder.ParticipantGroup]:
    """Approved delegates who consented to the published list, by delegation in protocol order;
    states named in ``language`` (a BCP 47 tag; default: as stored)."""
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
        language=language,
    )
    groups = []
    for delegation, people in ordered:
        people.sort(
            key=lambda p: (FUNCTION_ORDER[p[0].function], builder.sort_name(p[1].full_name))
        )
        groups.append(
            builder.ParticipantGroup(
                wording.country_name(delegation.country_code, language, delegation.name)
                if language is not None and delegation.is_state
                else delegation.name,
                [
                    (
                        user.full_name,
                        str(registration.function.title),
                        ", ".join(
                            x for x in (registration.position, registration.organisation) if x
                        ),
                    )
                    for registration, user in people
                ],
            )
        )
    return groups


def participant_list(conference, language: str | None = None) -> bytes:
    code = check_language(conference, language)
    tag = document_language(conference, code)
    with force_locale(code):
        return builder.build_participants(
            template_bytes(conference),
            conference,
            participant_groups(conference, tag),
            organisation(conference),
            language=tag,
        )


# --- what an exporter is called with ---------------------------------------------------------

DECLARATION_KINDS = ("declaration", "revision", "comparison", "bilingual")


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
        if exporter.kind == "bilingual":
            for name in ("left", "right"):
                if (args.get(name) or "").strip():
                    kwargs[name] = args.get(name).strip()
            if (args.get("revision") or "").strip():
                kwargs["number"] = _number(args, "revision")
        elif (args.get("language") or "").strip():
            kwargs["language"] = args.get("language").strip()
        return kwargs
    if conference is None:
        raise NotFound(
            _(
                "This document (%(document)s) belongs to a conference, not a declaration.",
                document=exporter.label,
            )
        )
    kwargs = {"conference": conference}
    if exporter.name == "participants" and (args.get("language") or "").strip():
        kwargs["language"] = args.get("language").strip()
    return kwargs


# --- conference documents as background jobs -------------------------------------------------

DOCUMENT_JOB = "plugins.documents.jobs:document_job"


def runs_in_background(conference) -> bool:
    """Whether the conference's documents are prepared as background jobs: more approved
    registrations than ``DOCUMENTS_BACKGROUND_ABOVE`` (counted no further than that)."""
    threshold = int(current_app.config["DOCUMENTS_BACKGROUND_ABOVE"])
    approved = (
        sa.select(Registration.id)
        .where(
            Registration.conference_id == conference.id,
            Registration.status == RegistrationStatus.approved,
        )
        .limit(threshold + 1)
        .subquery()
    )
    return db.session.scalar(sa.select(sa.func.count()).select_from(approved)) > threshold


def start_document_job(conference, name: str, *, actor, language: str | None = None):
    """Prepare a conference document in the background for ``actor`` (same checks as a
    download); the file waits on the job's page. Callers commit."""
    from alliance_conf.jobs.operations import start_job

    exporter = allowed_exporter(name, actor)
    if exporter.kind in DECLARATION_KINDS:
        raise NotFound(
            _(
                "This document (%(document)s) belongs to a declaration, not a conference.",
                document=exporter.label,
            )
        )
    args = {"language": language} if language else {}
    kwargs = exporter_arguments(exporter, args=args, conference=conference)
    if "language" in kwargs:
        kwargs["language"] = check_language(conference, kwargs["language"])
    return start_job(
        DOCUMENT_JOB,
        title=_(
            "%(document)s: %(conference)s", document=exporter.label, conference=conference.title
        ),
        owner=actor,
        conference_id=conference.id,
        name=name,
        language=kwargs.get("language"),
    )


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
    with force_locale(conference_languages(conference)[0]):  # the sealed document's language
        reason = ngettext(
            "Final text of “%(title)s” with %(num)d signature",
            "Final text of “%(title)s” with %(num)d signatures",
            len(rows),
            title=declaration.title,
        )
    sealed_pdf = seal.seal_pdf(
        pdf,
        key,
        reason=reason,
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


def record_download(
    actor, *, document: str, data: bytes, about, revision=None, language=None
) -> None:
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
            **({"language": language} if language else {}),
        },
    )
