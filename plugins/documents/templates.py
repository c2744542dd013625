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


def _refuse(message: str) -> None:
    raise ValidationFailed(message, {"file": message})


def _megabytes(size: int) -> str:
    if size < 1_000_000:
        return f"{round(size / 1000)} KB"
    return f"{size / 1_000_000:.1f} MB"


def check_size(name: str, size: int, max_bytes: int) -> None:
    if size > max_bytes:
        _refuse(f"{name} is {_megabytes(size)}; templates are limited to {_megabytes(max_bytes)}.")


def validate_template(
    data: bytes, filename: str, *, max_bytes: int, max_uncompressed: int, max_ratio: float
) -> None:
    """Raise ``ValidationFailed`` (field ``file``) saying what is wrong with the template."""
    name = filename or "the file"
    lower = (filename or "").lower()
    if lower.endswith((".docm", ".dotm")):
        _refuse(f"{name} is a macro-enabled Word file; save it as a plain .docx without macros.")
    if not data:
        _refuse(f"{name} is empty.")
    check_size(name, len(data), max_bytes)
    if not zipfile.is_zipfile(BytesIO(data)):
        _refuse(f"{name} is not a Word .docx file (it is not a ZIP package).")
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        _refuse(f"{name} is not a Word .docx file (its ZIP directory cannot be read).")
    if len(entries) > MAX_ENTRIES:
        _refuse(f"{name} has {len(entries)} parts; a Word template has far fewer.")
    total = sum(entry.file_size for entry in entries)
    if total > max_uncompressed:
        _refuse(
            f"{name} expands to {_megabytes(total)}, over the {_megabytes(max_uncompressed)} "
            "limit for templates (a compressed archive that expands this much is refused)."
        )
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > 1_000_000 and ratio > max_ratio:
            _refuse(
                f"{name} looks like a ZIP bomb: its part {entry.filename} expands "
                f"{ratio:.0f} times (the limit is {max_ratio:g})."
            )
    names = {entry.filename for entry in entries}
    if any(n.lower().rsplit("/", 1)[-1] == "vbaproject.bin" for n in names):
        _refuse(f"{name} contains macros (vbaProject.bin); save it as a plain .docx.")
    if "[Content_Types].xml" not in names:
        _refuse(f"{name} is not a Word .docx file (it has no [Content_Types].xml).")
    content_types = _content_types(archive, name)
    if any(t in MACRO_TYPES for t in content_types):
        _refuse(f"{name} is a macro-enabled Word file; save it as a plain .docx without macros.")
    if TEMPLATE_TYPE in content_types:
        _refuse(f"{name} is a Word template (.dotx); open it in Word and save it as a .docx.")
    if MAIN_DOCUMENT not in content_types:
        _refuse(f"{name} is not a Word .docx file (it has no Word document part).")
    try:
        document = Document(BytesIO(data))
    except Exception:  # python-docx raises many kinds on broken parts
        _refuse(f"{name} could not be read as a Word document; is it damaged?")
    present = {style.name for style in document.styles}
    missing = [style for style in REQUIRED_STYLES if style not in present]
    if missing:
        which = ", ".join(f"“{style}”" for style in missing)
        noun = "style" if len(missing) == 1 else "styles"
        _refuse(
            f"{name} lacks the required {noun} {which}. A template needs the styles "
            + ", ".join(REQUIRED_STYLES)
            + "."
        )


def _content_types(archive: zipfile.ZipFile, name: str) -> set[str]:
    with archive.open("[Content_Types].xml") as handle:
        raw = handle.read(1_000_001)
    if len(raw) > 1_000_000:
        _refuse(f"{name} has an oversized [Content_Types].xml.")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError:
        _refuse(f"{name} is not a Word .docx file ([Content_Types].xml is not valid XML).")
    types = set()
    for element in root:
        if element.tag in (f"{CT_NS}Override", f"{CT_NS}Default"):
            value = element.get("ContentType")
            if value:
                types.add(value)
    return types
