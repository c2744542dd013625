"""The board's pictures: a bar per delegation group (how many have signed) and a world map of
the signatory states. Both are drawn from :func:`plugins.signatures.board.status_board`, the
same figures as the board's tables, which stay on the page as the text alternative."""

from __future__ import annotations

from alliance_conf.charts.bars import Bar, Segment, layout
from alliance_conf.charts.worldmap import Category, missing_codes, swatch, world_map_svg
from alliance_conf.delegations.countries import delegation_name
from alliance_conf.i18n import _, ngettext
from plugins.signatures.models import SignatureKind

MAP_ID = "signature-map"


def summary(board: dict) -> str:
    """The board's lead sentence: "23 of 49 delegations have signed"."""
    return ngettext(
        "%(signed)s of %(num)d delegation has signed",
        "%(signed)s of %(num)d delegations have signed",
        board["eligible"],
        signed=board["signed"],
    )


def progress_bars(board: dict) -> list[Bar]:
    bars = []
    for entry in board["progress"]:
        signs = entry["kind"] == SignatureKind.signature
        done_label = _("Signed") if signs else _("Supports the text")
        text = (
            _("%(done)s of %(total)s signed", done=entry["done"], total=entry["eligible"])
            if signs
            else _(
                "%(done)s of %(total)s support the text",
                done=entry["done"],
                total=entry["eligible"],
            )
        )
        bars.append(
            Bar(
                label=entry["label"],
                text=text,
                segments=[Segment("signed", done_label, entry["done"], "ok")],
                total=entry["eligible"],
            )
        )
    return layout(bars)


def map_categories() -> list[Category]:
    return [
        Category("signed", _("Signed"), "solid"),
        Category("not-yet", _("Not yet signed"), "hatched"),
        Category("none", _("Not participating"), "plain"),
    ]


def signatory_map(board: dict) -> dict:
    """The world map of the states that sign (``svg`` is ``None`` without the atlas), its
    legend, and the states too small to be drawn at its scale, named with their status."""
    categories = map_categories()
    labels = {c.key: c.label for c in categories}
    statuses = {
        row.delegation.country_code: "signed" if row.active is not None else "not-yet"
        for row in board["rows"]
        if row.kind == SignatureKind.signature and row.delegation.country_code
    }
    svg = world_map_svg(
        statuses,
        categories,
        default="none",
        title=_("Map of the states that sign the declaration"),
        summary=summary(board)
        + ". "
        + _(
            "Each state is coloured by whether it has signed; the table of delegations below gives the same information."
        ),
        chart_id=MAP_ID,
    )
    not_drawn = [
        _(
            "%(name)s: %(status)s",
            name=delegation_name(code, code),
            status=labels[statuses[code]],
        )
        for code in missing_codes(sorted(statuses))
    ]
    return {
        "svg": svg,
        "legend": [(swatch(c, MAP_ID + "-legend"), c.label) for c in categories],
        "not_drawn": not_drawn if svg is not None else [],
    }
