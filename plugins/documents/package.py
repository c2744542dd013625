"""Make any Word package (the default template, an uploaded one, every document) truthful.

Every document is normalised on its way out, whatever template it was written on:

- Word 2013+ mode: ``compatibilityMode`` 15, so Word does not open it in Compatibility Mode;
- our own ``docProps/app.xml``: the application is alliance-conf, with no page or word counts
  (a reader computes them) and no template, company or version left over from elsewhere;
- no stale parts: ``stylesWithEffects.xml`` (a Word 2010 copy of the styles that no longer
  matches them), the thumbnail, the bibliography ``customXml`` item, claims about spelling
  having been checked;
- one language everywhere (``w:lang`` of the document defaults, of every style and run, the
  theme font language and the core properties), from the single value the caller passes;
  only runs the document marks on purpose with another of its languages (``keep``, the other
  column of a bilingual edition) keep theirs.
"""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from alliance_conf import __version__ as APP_VERSION

WORD_URI = "http://schemas.microsoft.com/office/word"
COMPATIBILITY_MODE = "15"
DEFAULT_LANGUAGE = "en-GB"
STALE_DOCUMENT_RELS = (
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml",
)
STALE_PACKAGE_RELS = (
    "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail",
)
EXTENDED_PROPERTIES = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties"
)
STALE_SETTINGS = ("w:proofState", "w:savePreviewPicture", "w:attachedTemplate", "w:rsids")


def app_xml() -> bytes:
    major, minor = [*APP_VERSION.split("."), "0"][:2]
    # AppVersion must read XX.YYYY (ECMA-376 part 1, 22.2.2.2).
    app_version = (
        f"{int(major):02d}.{int(minor):04d}" if major.isdigit() and minor.isdigit() else ""
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        'docPropsVTypes"><Application>alliance-conf</Application><DocSecurity>0</DocSecurity>'
        "<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate>"
        "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
        + (f"<AppVersion>{app_version}</AppVersion>" if app_version else "")
        + "</Properties>"
    ).encode()


def _drop_rels(owner, reltypes) -> None:
    for r_id, rel in list(owner.rels.items()):
        if rel.reltype in reltypes:
            owner.rels.pop(r_id)


def _compat_mode(settings) -> None:
    compat = settings.find(qn("w:compat"))
    if compat is None:
        compat = OxmlElement("w:compat")
        # w:compat comes after these in CT_Settings; the rest follow it.
        after = None
        for tag in (
            "w:doNotAutoCompressPictures",
            "w:clickAndTypeStyle",
            "w:defaultTableStyle",
            "w:evenAndOddHeaders",
            "w:defaultTabStop",
            "w:zoom",
            "w:writeProtection",
        ):
            after = settings.find(qn(tag))
            if after is not None:
                break
        if after is not None:
            after.addnext(compat)
        else:
            settings.insert(0, compat)
    found = [
        el
        for el in compat.findall(qn("w:compatSetting"))
        if el.get(qn("w:name")) == "compatibilityMode"
    ]
    for extra in found[1:]:
        compat.remove(extra)
    if found:
        setting = found[0]
    else:
        setting = OxmlElement("w:compatSetting")
        compat.append(setting)
    setting.set(qn("w:name"), "compatibilityMode")
    setting.set(qn("w:uri"), WORD_URI)
    setting.set(qn("w:val"), COMPATIBILITY_MODE)


def _set_language(element, language: str, keep: tuple[str, ...] = ()) -> None:
    for lang in element.iter(qn("w:lang")):
        if lang.get(qn("w:val")) in keep:
            continue
        lang.set(qn("w:val"), language)
        lang.attrib.pop(qn("w:eastAsia"), None)


def _default_language(styles, language: str) -> None:
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    r_pr_default = defaults.find(qn("w:rPrDefault"))
    if r_pr_default is None:
        r_pr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, r_pr_default)
    r_pr = r_pr_default.find(qn("w:rPr"))
    if r_pr is None:
        r_pr = OxmlElement("w:rPr")
        r_pr_default.append(r_pr)
    if r_pr.find(qn("w:lang")) is None:
        lang = OxmlElement("w:lang")
        # w:lang is near the end of CT_RPr: only eastAsianLayout, specVanish, oMath follow.
        later = [r_pr.find(qn(t)) for t in ("w:eastAsianLayout", "w:specVanish", "w:oMath")]
        later = [el for el in later if el is not None]
        if later:
            later[0].addprevious(lang)
        else:
            r_pr.append(lang)
    _set_language(styles, language)


def normalise(document, language: str = DEFAULT_LANGUAGE, keep: tuple[str, ...] = ()) -> None:
    """Rewrite ``document`` (a python-docx ``Document``) in place; see the module docstring."""
    package = document.part.package
    _drop_rels(document.part, STALE_DOCUMENT_RELS)
    _drop_rels(package, STALE_PACKAGE_RELS)
    for rel in package.rels.values():
        if rel.reltype == EXTENDED_PROPERTIES:
            rel.target_part._blob = app_xml()

    settings = document.settings.element
    _compat_mode(settings)
    for tag in STALE_SETTINGS:
        for element in settings.findall(qn(tag)):
            settings.remove(element)
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), language)
        theme_lang.attrib.pop(qn("w:eastAsia"), None)

    _default_language(document.styles.element, language)
    _set_language(document.element, language, tuple(keep))
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header):
            if not part.is_linked_to_previous:
                _set_language(part._element, language)
    document.core_properties.language = language
