"""Check an uploaded Word template before it is stored or opened.

The checks run cheapest first and read the ZIP directory before any part is decompressed, so
a hostile file (a ZIP bomb, a macro-enabled document renamed .docx) is refused without being
expanded or parsed by python-docx.
"""

from __future__ import annotations

import zipfile
from io import BytesIO

from docx import Document
from lxml import etree

from alliance_conf.core.errors import ValidationFailed
from alliance_conf.i18n import _, ngettext
from plugins.documents.builder import REQUIRED_STYLES

MAIN_DOCUMENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
MACRO_TYPES = (
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
    "application/vnd.ms-office.vbaProject",
)
TEMPLATE_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
MAX_ENTRIES = 1000
CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
RELS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Fields that fetch something when the document is opened or its fields are updated.
NETWORK_FIELDS = ("INCLUDEPICTURE", "INCLUDETEXT", "IMPORT", "LINK", "DDEAUTO", "DDE")
# A hyperlink is followed only when someone clicks it: not a fetch.
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
MAX_PART_BYTES = 20_000_000


def _refuse(message: str) -> None:
    raise ValidationFailed(message, {"file": message})


def _macro_enabled(name: str) -> str:
    return _(
        "%(name)s is a macro-enabled Word file; save it as a plain .docx without macros.",
        name=name,
    )


def _megabytes(size: int) -> str:
    if size < 1_000_000:
        return f"{round(size / 1000)} KB"
    return f"{size / 1_000_000:.1f} MB"


def check_size(name: str, size: int, max_bytes: int) -> None:
    if size > max_bytes:
        _refuse(
            _(
                "%(name)s is %(size)s; templates are limited to %(limit)s.",
                name=name,
                size=_megabytes(size),
                limit=_megabytes(max_bytes),
            )
        )


def validate_template(
    data: bytes, filename: str, *, max_bytes: int, max_uncompressed: int, max_ratio: float
) -> None:
    """Raise ``ValidationFailed`` (field ``file``) saying what is wrong with the template."""
    name = filename or _("the file")
    lower = (filename or "").lower()
    if lower.endswith((".docm", ".dotm")):
        _refuse(_macro_enabled(name))
    if not data:
        _refuse(_("%(name)s is empty.", name=name))
    check_size(name, len(data), max_bytes)
    if not zipfile.is_zipfile(BytesIO(data)):
        _refuse(_("%(name)s is not a Word .docx file (it is not a ZIP package).", name=name))
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        _refuse(
            _("%(name)s is not a Word .docx file (its ZIP directory cannot be read).", name=name)
        )
    if len(entries) > MAX_ENTRIES:
        _refuse(
            _(
                "%(name)s has %(count)s parts; a Word template has far fewer.",
                name=name,
                count=len(entries),
            )
        )
    total = sum(entry.file_size for entry in entries)
    if total > max_uncompressed:
        _refuse(
            _(
                "%(name)s expands to %(size)s, over the %(limit)s limit for templates (a "
                "compressed archive that expands this much is refused).",
                name=name,
                size=_megabytes(total),
                limit=_megabytes(max_uncompressed),
            )
        )
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > 1_000_000 and ratio > max_ratio:
            _refuse(
                _(
                    "%(name)s looks like a ZIP bomb: its part %(part)s expands %(ratio)s times "
                    "(the limit is %(limit)s).",
                    name=name,
                    part=entry.filename,
                    ratio=format(ratio, ".0f"),
                    limit=format(max_ratio, "g"),
                )
            )
    names = {entry.filename for entry in entries}
    if any(n.lower().rsplit("/", 1)[-1] == "vbaproject.bin" for n in names):
        _refuse(
            _("%(name)s contains macros (vbaProject.bin); save it as a plain .docx.", name=name)
        )
    if "[Content_Types].xml" not in names:
        _refuse(_("%(name)s is not a Word .docx file (it has no [Content_Types].xml).", name=name))
    content_types = _content_types(archive, name)
    if any(t in MACRO_TYPES for t in content_types):
        _refuse(_macro_enabled(name))
    if TEMPLATE_TYPE in content_types:
        _refuse(
            _(
                "%(name)s is a Word template (.dotx); open it in Word and save it as a .docx.",
                name=name,
            )
        )
    if MAIN_DOCUMENT not in content_types:
        _refuse(_("%(name)s is not a Word .docx file (it has no Word document part).", name=name))
    _refuse_network_fetches(archive, names, name)
    try:
        document = Document(BytesIO(data))
    except Exception:  # python-docx raises many kinds on broken parts
        _refuse(_("%(name)s could not be read as a Word document; is it damaged?", name=name))
    present = {style.name for style in document.styles}
    missing = [style for style in REQUIRED_STYLES if style not in present]
    if missing:
        which = ", ".join(f"“{style}”" for style in missing)
        _refuse(
            ngettext(
                "%(name)s lacks the required style %(which)s. A template needs the styles "
                "%(required)s.",
                "%(name)s lacks the required styles %(which)s. A template needs the styles "
                "%(required)s.",
                len(missing),
                name=name,
                which=which,
                required=", ".join(REQUIRED_STYLES),
            )
        )


def _content_types(archive: zipfile.ZipFile, name: str) -> set[str]:
    with archive.open("[Content_Types].xml") as handle:
        raw = handle.read(1_000_001)
    if len(raw) > 1_000_000:
        _refuse(_("%(name)s has an oversized [Content_Types].xml.", name=name))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError:
        _refuse(
            _(
                "%(name)s is not a Word .docx file ([Content_Types].xml is not valid XML).",
                name=name,
            )
        )
    types = set()
    for element in root:
        if element.tag in (f"{CT_NS}Override", f"{CT_NS}Default"):
            value = element.get("ContentType")
            if value:
                types.add(value)
    return types


def _parse_part(archive: zipfile.ZipFile, part: str, name: str):
    with archive.open(part) as handle:
        raw = handle.read(MAX_PART_BYTES + 1)
    if len(raw) > MAX_PART_BYTES:
        _refuse(_("%(name)s has an oversized part %(part)s.", name=name, part=part))
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        return etree.fromstring(raw, parser)
    except etree.XMLSyntaxError:
        _refuse(_("%(name)s is damaged: its part %(part)s is not valid XML.", name=name, part=part))


def _refuse_network_fetches(archive: zipfile.ZipFile, names: set[str], name: str) -> None:
    """External relationships (linked images, a remote attached template, OLE links...) and
    fields that fetch from the network (INCLUDEPICTURE, INCLUDETEXT...) would pass into every
    document as tracking beacons: refuse them, saying which and where."""
    for part in sorted(n for n in names if n.endswith(".rels")):
        root = _parse_part(archive, part, name)
        for rel in root.iter(f"{RELS_NS}Relationship"):
            if rel.get("TargetMode") != "External" or rel.get("Type") == HYPERLINK:
                continue
            kind = (rel.get("Type") or "").rsplit("/", 1)[-1] or "unknown"
            target = (rel.get("Target") or "")[:120]
            _refuse(
                _(
                    "%(name)s links to an outside address (%(kind)s → %(target)s): a template "
                    "must not fetch anything from the network when a document is opened. Embed "
                    "the %(kind)s instead of linking it.",
                    name=name,
                    kind=kind,
                    target=target,
                )
            )
    for part in sorted(n for n in names if n.startswith("word/") and n.endswith(".xml")):
        root = _parse_part(archive, part, name)
        instructions = []
        for paragraph in root.iter(f"{W_NS}p"):
            # A field's instruction may be split across runs: read each paragraph's whole.
            instructions.append("".join(t.text or "" for t in paragraph.iter(f"{W_NS}instrText")))
        instructions += [el.get(f"{W_NS}instr") or "" for el in root.iter(f"{W_NS}fldSimple")]
        for instruction in instructions:
            words = instruction.upper().split()
            found = next((w for w in words if w in NETWORK_FIELDS), None)
            if found:
                _refuse(
                    _(
                        "%(name)s has a %(field)s field (%(part)s), which fetches content from "
                        "the network or another file when the document is opened: remove the "
                        "field or replace it with the content itself.",
                        name=name,
                        field=found,
                        part=part.rsplit("/", 1)[-1],
                    )
                )
