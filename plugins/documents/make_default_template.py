"""Build the default Word template shipped with the plugin (``data/default-template.docx``).

Run ``.venv/bin/python -m plugins.documents.make_default_template`` after changing it and
commit the result. The package is written part by part from this file (not python-docx's own
default document, a Word 2010 file with its leftovers): only the parts a template needs, the
styles the documents use, A4 page set-up, a letterhead paragraph, a header and footers. The
generator clears everything else from the body.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

from plugins.documents.package import COMPATIBILITY_MODE, DEFAULT_LANGUAGE, app_xml

OUTPUT = Path(__file__).resolve().parent / "data" / "default-template.docx"
SERIF = "Times New Roman"
NAVY = "1F2A44"
GREY = "595959"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
WORDML = "application/vnd.openxmlformats-officedocument.wordprocessingml"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# A4 and 25 mm margins, header and footer 12 mm from the edge (twentieths of a point).
PAGE = {"w": 11906, "h": 16838, "margin": 1417, "header": 680}
FIXED_DATE = "2026-01-01T00:00:00Z"


def _rpr(*, size=None, bold=False, italic=False, color=None, small_caps=False, fonts=False):
    parts = []
    if fonts:
        parts.append(
            f'<w:rFonts w:ascii="{SERIF}" w:hAnsi="{SERIF}" w:eastAsia="{SERIF}" w:cs="{SERIF}"/>'
        )
    if bold:
        parts.append("<w:b/><w:bCs/>")
    if italic:
        parts.append("<w:i/><w:iCs/>")
    if small_caps:
        parts.append("<w:smallCaps/>")
    if color:
        parts.append(f'<w:color w:val="{color}"/>')
    if size:
        half_points = round(size * 2)
        parts.append(f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>')
    return f"<w:rPr>{''.join(parts)}</w:rPr>" if parts else ""


def _ppr(
    *,
    keep_next=False,
    keep_lines=False,
    numbering=None,
    border=None,
    before=None,
    after=None,
    line=None,
    indent=None,
    contextual=None,
    align=None,
    outline=None,
):
    """Children in the order of CT_PPrBase (ECMA-376 part 1, 17.3.1.26)."""
    parts = []
    if keep_next:
        parts.append("<w:keepNext/>")
    if keep_lines:
        parts.append("<w:keepLines/>")
    if numbering is not None:
        parts.append(f'<w:numPr><w:ilvl w:val="0"/><w:numId w:val="{numbering}"/></w:numPr>')
    if border:
        size, space, color = border
        parts.append(
            f'<w:pBdr><w:bottom w:val="single" w:sz="{size}" w:space="{space}" '
            f'w:color="{color}"/></w:pBdr>'
        )
    if before is not None or after is not None or line is not None:
        spacing = ""
        if before is not None:
            spacing += f' w:before="{round(before * 20)}"'
        if after is not None:
            spacing += f' w:after="{round(after * 20)}"'
        if line is not None:
            spacing += f' w:line="{round(line * 240)}" w:lineRule="auto"'
        parts.append(f"<w:spacing{spacing}/>")
    if indent:
        left, hanging = indent
        parts.append(
            f'<w:ind w:left="{left}"' + (f' w:hanging="{hanging}"' if hanging else "") + "/>"
        )
    if contextual is not None:
        parts.append("<w:contextualSpacing/>" if contextual else '<w:contextualSpacing w:val="0"/>')
    if align:
        parts.append(f'<w:jc w:val="{align}"/>')
    if outline is not None:
        parts.append(f'<w:outlineLvl w:val="{outline}"/>')
    return f"<w:pPr>{''.join(parts)}</w:pPr>" if parts else ""


def _style(
    style_id,
    name,
    *,
    kind="paragraph",
    based_on=None,
    next_style=None,
    priority=None,
    quick=False,
    default=False,
    ppr="",
    rpr="",
    extra="",
):
    """A w:style with its children in the order of CT_Style (17.7.4.17)."""
    attributes = f' w:type="{kind}" w:styleId="{style_id}"' + (' w:default="1"' if default else "")
    parts = [f'<w:name w:val="{name}"/>']
    if based_on:
        parts.append(f'<w:basedOn w:val="{based_on}"/>')
    if next_style:
        parts.append(f'<w:next w:val="{next_style}"/>')
    if priority is not None:
        parts.append(f'<w:uiPriority w:val="{priority}"/>')
    if quick:
        parts.append("<w:qFormat/>")
    parts += [ppr, rpr, extra]
    return f"<w:style{attributes}>{''.join(parts)}</w:style>"


def styles_xml() -> str:
    styles = [
        _style("Normal", "Normal", default=True, quick=True, priority=0, rpr=_rpr(fonts=True)),
        _style(
            "DefaultParagraphFont",
            "Default Paragraph Font",
            kind="character",
            default=True,
            priority=1,
        ),
        _style(
            "TableNormal",
            "Normal Table",
            kind="table",
            default=True,
            priority=99,
            extra='<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar>'
            '<w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
            '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>'
            "</w:tblCellMar></w:tblPr>",
        ),
        _style("NoList", "No List", kind="numbering", default=True, priority=99),
        _style(
            "Title",
            "Title",
            based_on="Normal",
            next_style="Normal",
            priority=10,
            quick=True,
            ppr=_ppr(before=6, after=6, line=1.05, align="center", contextual=True),
            rpr=_rpr(size=19, bold=True, color=NAVY),
        ),
        _style(
            "Subtitle",
            "Subtitle",
            based_on="Normal",
            next_style="Normal",
            priority=11,
            quick=True,
            ppr=_ppr(after=24, align="center"),
            rpr=_rpr(size=12, italic=True, color=GREY),
        ),
        _style(
            "Heading1",
            "heading 1",
            based_on="Normal",
            next_style="Normal",
            priority=9,
            quick=True,
            ppr=_ppr(keep_next=True, keep_lines=True, before=18, after=8, outline=0),
            rpr=_rpr(size=14, bold=True, color=NAVY),
        ),
        _style(
            "Heading2",
            "heading 2",
            based_on="Normal",
            next_style="Normal",
            priority=9,
            quick=True,
            ppr=_ppr(keep_next=True, keep_lines=True, before=12, after=4, outline=1),
            rpr=_rpr(size=12, bold=True, color=NAVY),
        ),
        _style(
            "Heading3",
            "heading 3",
            based_on="Normal",
            next_style="Normal",
            priority=9,
            quick=True,
            ppr=_ppr(keep_next=True, keep_lines=True, before=10, after=4, outline=2),
            rpr=_rpr(size=11.5, bold=True, italic=True, color=NAVY),
        ),
        _style(
            "Header",
            "header",
            based_on="Normal",
            priority=99,
            ppr=_ppr(border=(4, 4, "8C8C8C"), after=0, line=1.0, align="right"),
            rpr=_rpr(size=8.5, color=GREY),
        ),
        _style(
            "Footer",
            "footer",
            based_on="Normal",
            priority=99,
            ppr=_ppr(after=0, line=1.0, align="center"),
            rpr=_rpr(size=8.5, color=GREY),
        ),
        _style(
            "ListParagraph",
            "List Paragraph",
            based_on="Normal",
            priority=34,
            quick=True,
            ppr=_ppr(indent=(720, 0), contextual=True),
        ),
        _style(
            "ListBullet",
            "List Bullet",
            based_on="Normal",
            priority=99,
            ppr=_ppr(numbering=1, contextual=True),
        ),
        _style(
            "TableGrid",
            "Table Grid",
            kind="table",
            based_on="TableNormal",
            priority=59,
            ppr=_ppr(after=0, line=1.0),
            extra="<w:tblPr><w:tblBorders>"
            + "".join(
                f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
                for side in ("top", "left", "bottom", "right", "insideH", "insideV")
            )
            + "</w:tblBorders></w:tblPr>",
        ),
        _style(
            "Commitment",
            "Commitment",
            based_on="ListParagraph",
            quick=True,
            ppr=_ppr(
                keep_lines=True,
                after=10,
                line=1.15,
                indent=(567, 567),
                contextual=False,
                align="both",
            ),
        ),
        _style(
            "Letterhead",
            "Letterhead",
            based_on="Normal",
            quick=True,
            ppr=_ppr(border=(8, 6, NAVY), after=30, align="center"),
            rpr=_rpr(size=10.5, bold=True, color=NAVY, small_caps=True),
        ),
    ]
    defaults = (
        "<w:docDefaults><w:rPrDefault>"
        + _rpr(size=11.5, fonts=True).replace(
            "</w:rPr>", f'<w:lang w:val="{DEFAULT_LANGUAGE}" w:bidi="ar-SA"/></w:rPr>'
        )
        + "</w:rPrDefault><w:pPrDefault>"
        + _ppr(after=8, line=1.15)
        + "</w:pPrDefault></w:docDefaults>"
    )
    return f'{DECLARATION}<w:styles xmlns:w="{W}">{defaults}{"".join(styles)}</w:styles>'


def numbering_xml() -> str:
    bullet = (
        '<w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="singleLevel"/>'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/>'
        '<w:pStyle w:val="ListBullet"/><w:lvlText w:val="\u2022"/><w:lvlJc w:val="left"/>'
        '<w:pPr><w:ind w:left="567" w:hanging="283"/></w:pPr></w:lvl></w:abstractNum>'
    )
    return (
        f'{DECLARATION}<w:numbering xmlns:w="{W}">{bullet}'
        '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>'
    )


def settings_xml() -> str:
    compat = "".join(
        f'<w:compatSetting w:name="{name}" w:uri="http://schemas.microsoft.com/office/word" '
        f'w:val="{value}"/>'
        for name, value in (
            ("compatibilityMode", COMPATIBILITY_MODE),
            ("overrideTableStyleFontSizeAndJustification", "1"),
            ("enableOpenTypeFeatures", "1"),
            ("doNotFlipMirrorIndents", "1"),
        )
    )
    return (
        f'{DECLARATION}<w:settings xmlns:w="{W}"><w:zoom w:percent="100"/>'
        '<w:defaultTabStop w:val="720"/><w:characterSpacingControl w:val="doNotCompress"/>'
        f"<w:compat><w:doNotExpandShiftReturn/>{compat}</w:compat>"
        f'<w:themeFontLang w:val="{DEFAULT_LANGUAGE}"/>'
        '<w:decimalSymbol w:val="."/><w:listSeparator w:val=","/></w:settings>'
    )


def _header_footer(tag: str, style: str, text: str = "") -> str:
    run = f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>' if text else ""
    return (
        f'{DECLARATION}<w:{tag} xmlns:w="{W}" xmlns:r="{R}">'
        f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{run}</w:p></w:{tag}>'
    )


def document_xml() -> str:
    section = (
        '<w:sectPr><w:headerReference w:type="default" r:id="rIdHeader"/>'
        '<w:headerReference w:type="first" r:id="rIdFirstHeader"/>'
        '<w:footerReference w:type="default" r:id="rIdFooter"/>'
        '<w:footerReference w:type="first" r:id="rIdFirstFooter"/>'
        f'<w:pgSz w:w="{PAGE["w"]}" w:h="{PAGE["h"]}"/>'
        f'<w:pgMar w:top="{PAGE["margin"]}" w:right="{PAGE["margin"]}" '
        f'w:bottom="{PAGE["margin"]}" w:left="{PAGE["margin"]}" w:header="{PAGE["header"]}" '
        f'w:footer="{PAGE["header"]}" w:gutter="0"/><w:cols w:space="720"/><w:titlePg/>'
        '<w:docGrid w:linePitch="360"/></w:sectPr>'
    )
    return (
        f'{DECLARATION}<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>'
        '<w:p><w:pPr><w:pStyle w:val="Letterhead"/></w:pPr>'
        "<w:r><w:t>{conference}</w:t></w:r></w:p>"
        f"{section}</w:body></w:document>"
    )


def font_table_xml() -> str:
    return (
        f'{DECLARATION}<w:fonts xmlns:w="{W}"><w:font w:name="{SERIF}">'
        '<w:panose1 w:val="02020603050405020304"/><w:charset w:val="00"/>'
        '<w:family w:val="roman"/><w:pitch w:val="variable"/></w:font></w:fonts>'
    )


A = "http://schemas.openxmlformats.org/drawingml/2006/main"


def theme_xml() -> str:
    """A small DrawingML theme: our colours, Times New Roman, plain fills and lines."""
    colours = (
        '<a:dk1><a:srgbClr val="000000"/></a:dk1><a:lt1><a:srgbClr val="FFFFFF"/></a:lt1>'
        f'<a:dk2><a:srgbClr val="{NAVY}"/></a:dk2><a:lt2><a:srgbClr val="E6E9EF"/></a:lt2>'
        + "".join(
            f'<a:accent{n}><a:srgbClr val="{value}"/></a:accent{n}>'
            for n, value in enumerate(
                ("1F2A44", "3E5C8A", "8C8C8C", "B01E1E", "5B7F3A", "C08A2B"), 1
            )
        )
        + '<a:hlink><a:srgbClr val="1F4E99"/></a:hlink>'
        '<a:folHlink><a:srgbClr val="6B3E8A"/></a:folHlink>'
    )
    font = f'<a:latin typeface="{SERIF}"/><a:ea typeface=""/><a:cs typeface=""/>'
    solid = '<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>'
    line = f'<a:ln w="9525">{solid}</a:ln>'
    return (
        f'{DECLARATION}<a:theme xmlns:a="{A}" name="alliance-conf"><a:themeElements>'
        f'<a:clrScheme name="alliance-conf">{colours}</a:clrScheme>'
        f'<a:fontScheme name="alliance-conf"><a:majorFont>{font}</a:majorFont>'
        f"<a:minorFont>{font}</a:minorFont></a:fontScheme>"
        '<a:fmtScheme name="alliance-conf">'
        f"<a:fillStyleLst>{solid * 3}</a:fillStyleLst>"
        f"<a:lnStyleLst>{line * 3}</a:lnStyleLst>"
        f"<a:effectStyleLst>{'<a:effectStyle><a:effectLst/></a:effectStyle>' * 3}"
        "</a:effectStyleLst>"
        f"<a:bgFillStyleLst>{solid * 3}</a:bgFillStyleLst></a:fmtScheme>"
        "</a:themeElements></a:theme>"
    )


def core_xml() -> str:
    return (
        f"{DECLARATION}<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:title>alliance-conf default template</dc:title><dc:creator>alliance-conf</dc:creator>"
        "<dc:description>Styles: Title, Subtitle, Heading 1, Heading 2, Heading 3, Normal, "
        "Commitment, Letterhead, List Bullet, Table Grid.</dc:description>"
        "<cp:lastModifiedBy>alliance-conf</cp:lastModifiedBy><cp:revision>1</cp:revision>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{FIXED_DATE}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{FIXED_DATE}</dcterms:modified>'
        f"<dc:language>{DEFAULT_LANGUAGE}</dc:language></cp:coreProperties>"
    )


def _relationships(rels) -> str:
    body = "".join(
        f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"/>' for rid, kind, target in rels
    )
    return (
        f"{DECLARATION}<Relationships "
        f'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{body}'
        "</Relationships>"
    )


def parts() -> dict[str, str | bytes]:
    overrides = {
        "/word/document.xml": f"{WORDML}.document.main+xml",
        "/word/styles.xml": f"{WORDML}.styles+xml",
        "/word/settings.xml": f"{WORDML}.settings+xml",
        "/word/numbering.xml": f"{WORDML}.numbering+xml",
        "/word/fontTable.xml": f"{WORDML}.fontTable+xml",
        "/word/theme/theme1.xml": "application/vnd.openxmlformats-officedocument.theme+xml",
        "/word/header1.xml": f"{WORDML}.header+xml",
        "/word/header2.xml": f"{WORDML}.header+xml",
        "/word/footer1.xml": f"{WORDML}.footer+xml",
        "/word/footer2.xml": f"{WORDML}.footer+xml",
        "/docProps/core.xml": "application/vnd.openxmlformats-package.core-properties+xml",
        "/docProps/app.xml": "application/vnd.openxmlformats-officedocument.extended-properties+xml",
    }
    content_types = (
        f"{DECLARATION}<Types "
        'xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(
            f'<Override PartName="{name}" ContentType="{kind}"/>'
            for name, kind in overrides.items()
        )
        + "</Types>"
    )
    package_rels = _relationships(
        [
            ("rId1", f"{REL}/officeDocument", "word/document.xml"),
            (
                "rId2",
                "http://schemas.openxmlformats.org/package/2006/relationships/metadata/"
                "core-properties",
                "docProps/core.xml",
            ),
            ("rId3", f"{REL}/extended-properties", "docProps/app.xml"),
        ]
    )
    document_rels = _relationships(
        [
            ("rIdStyles", f"{REL}/styles", "styles.xml"),
            ("rIdSettings", f"{REL}/settings", "settings.xml"),
            ("rIdNumbering", f"{REL}/numbering", "numbering.xml"),
            ("rIdFonts", f"{REL}/fontTable", "fontTable.xml"),
            ("rIdTheme", f"{REL}/theme", "theme/theme1.xml"),
            ("rIdHeader", f"{REL}/header", "header1.xml"),
            ("rIdFirstHeader", f"{REL}/header", "header2.xml"),
            ("rIdFooter", f"{REL}/footer", "footer1.xml"),
            ("rIdFirstFooter", f"{REL}/footer", "footer2.xml"),
        ]
    )
    return {
        "[Content_Types].xml": content_types,
        "_rels/.rels": package_rels,
        "docProps/core.xml": core_xml(),
        "docProps/app.xml": app_xml(),
        "word/_rels/document.xml.rels": document_rels,
        "word/document.xml": document_xml(),
        "word/styles.xml": styles_xml(),
        "word/settings.xml": settings_xml(),
        "word/numbering.xml": numbering_xml(),
        "word/fontTable.xml": font_table_xml(),
        "word/theme/theme1.xml": theme_xml(),
        "word/header1.xml": _header_footer("hdr", "Header", "{conference}"),
        "word/header2.xml": _header_footer("hdr", "Normal"),
        "word/footer1.xml": _header_footer("ftr", "Footer"),
        "word/footer2.xml": _header_footer("ftr", "Footer"),
    }


def build(target: Path) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts().items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content if isinstance(content, bytes) else content.encode())


def main(argv: list[str]) -> int:
    target = Path(argv[1]) if len(argv) > 1 else OUTPUT
    target.parent.mkdir(parents=True, exist_ok=True)
    build(target)
    print(f"wrote {target} ({target.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
