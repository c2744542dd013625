"""Progress from round to round per commitment, drawn on the server.

On the overview page the chart is HTML bars (``progress_bars``: the round's name and the counts
are page text at page size; only the bar is a small SVG); ``progress_svg`` draws the same as a
standalone SVG image (``/declarations/<id>/reporting/progress.svg``) with ``role="img"``, a
``<title>`` and a ``<desc>`` that says in words what it shows, a ``<title>`` on every bar
segment and the counts next to each bar. The page carries the same figures as a table.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from alliance_conf.charts.bars import Bar, Segment, layout
from alliance_conf.i18n import _, _l

SEGMENTS = (
    ("achieved", _l("Achieved"), "#1b7f3b"),
    ("in_progress", _l("In progress"), "#b26a00"),
    ("not_started", _l("Not started"), "#6b7682"),
    ("not_reported", _l("Not reported"), "#ffffff"),
)
WIDTH = 900
LABEL_W = 200
BAR_W = 300
BAR_H = 18
GAP = 6


def _summary(series: dict) -> str:
    parts = []
    for line in series["series"]:
        item = line["commitment"]
        steps = [
            _(
                "%(round)s: %(achieved)s of %(total)s achieved, %(in_progress)s in progress",
                round=p["round"].title,
                achieved=p["counts"]["achieved"],
                total=p["total"],
                in_progress=p["counts"]["in_progress"],
            )
            for p in line["points"]
        ]
        parts.append(
            _(
                "Commitment %(number)s (%(title)s): %(steps)s.",
                number=item["number"],
                title=item["title"],
                steps="; ".join(steps),
            )
        )
    return " ".join(parts) or _("No reporting round yet.")


def progress_svg(series: dict, chart_id: str = "progress-chart") -> Markup:
    rounds = series["rounds"]
    rows = series["series"]
    y = 40
    body: list[str] = []
    for line in rows:
        item = line["commitment"]
        body.append(
            f'<text x="0" y="{y}" class="chart-heading" font-weight="700" font-size="14">'
            f"{escape(item['number'])}. {escape(item['title'] or item['key'])}</text>"
        )
        y += 8
        for point in line["points"]:
            total = point["total"]
            body.append(
                f'<text x="0" y="{y + BAR_H - 5}" font-size="12">{escape(point["round"].title[:32])}</text>'
            )
            x = LABEL_W
            for key, label, colour in SEGMENTS:
                count = point["counts"][key]
                if not count or not total:
                    continue
                width = BAR_W * count / total
                tip = _("%(label)s: %(count)s of %(total)s", label=label, count=count, total=total)
                body.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR_H}" '
                    f'fill="{colour}" stroke="#1f2a36" stroke-width="1">'
                    f"<title>{escape(tip)}</title></rect>"
                )
                x += width
            if not total:
                no_report = _("No report")
                body.append(
                    f'<rect x="{LABEL_W}" y="{y}" width="{BAR_W}" height="{BAR_H}" fill="none" '
                    f'stroke="#6b7682" stroke-dasharray="4 3"><title>{escape(no_report)}</title></rect>'
                )
            c = point["counts"]
            counts = _counts_text(c)
            body.append(
                f'<text x="{LABEL_W + BAR_W + 8}" y="{y + BAR_H - 5}" font-size="12">'
                f"{escape(counts)}</text>"
            )
            y += BAR_H + GAP
        y += 18
    legend_y = 16
    legend = []
    x = 0
    for _key, label, colour in SEGMENTS:
        legend.append(
            f'<rect x="{x}" y="{legend_y - 11}" width="12" height="12" fill="{colour}" '
            f'stroke="#1f2a36"/><text x="{x + 16}" y="{legend_y}" font-size="12">{escape(str(label))}</text>'
        )
        x += 130
    height = max(y, 60)
    title = _("Progress per commitment, round by round")
    desc = _summary(series)
    if not rounds:
        desc = _("No reporting round yet.")
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'class="progress-chart" font-family="sans-serif">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
        + "".join(legend)
        + "".join(body)
        + "</svg>"
    )
    return Markup(svg)  # noqa: S704 - every text inserted above is escaped


BAR_TONES = {
    "achieved": "ok",
    "in_progress": "warn",
    "not_started": "neutral",
    "not_reported": "none",
}


def progress_legend() -> list[Segment]:
    return [Segment(key, str(label), 0, BAR_TONES[key]) for key, label, _c in SEGMENTS]


def _counts_text(counts: dict) -> str:
    return _(
        "%(achieved)s achieved, %(in_progress)s in progress, "
        "%(not_started)s not started, %(not_reported)s not reported",
        **counts,
    )


def progress_bars(series: dict) -> list[dict]:
    """Per commitment, a bar per round: the delegations that report each status, out of the
    delegations covered (what is not reported is the empty part of the bar)."""
    groups = []
    for line in series["series"]:
        bars = [
            Bar(
                label=point["round"].title,
                text=_counts_text(point["counts"]),
                segments=[
                    Segment(key, str(label), point["counts"][key], BAR_TONES[key])
                    for key, label, _c in SEGMENTS
                    if key != "not_reported"
                ],
                total=point["total"],
            )
            for point in line["points"]
        ]
        groups.append({"commitment": line["commitment"], "bars": layout(bars)})
    return groups
