"""The accreditation dashboard as bars: registrations per delegation group by status, and
arrivals per group. The figures are the dashboard's own (``queries.dashboard`` and
``badges.operations.checkin_counts``); the page's tables give them again."""

from __future__ import annotations

from alliance_conf.badges.operations import CheckInCounts
from alliance_conf.charts.bars import Bar, Segment, layout
from alliance_conf.conferences.models import Conference
from alliance_conf.i18n import _
from alliance_conf.participants.queries import Dashboard

# Withdrawn and cancelled registrations share one segment: both are people no longer coming.
SEGMENTS = (
    ("approved", ("approved",), "ok"),
    ("pending", ("pending",), "warn"),
    ("rejected", ("rejected",), "bad"),
    ("left", ("withdrawn", "cancelled"), "neutral"),
)


def segment_labels() -> dict[str, str]:
    return {
        "approved": _("Approved"),
        "pending": _("Pending"),
        "rejected": _("Rejected"),
        "left": _("Withdrawn or cancelled"),
    }


def legend() -> list[Segment]:
    labels = segment_labels()
    return [Segment(key, labels[key], 0, tone) for key, _statuses, tone in SEGMENTS]


def registration_bars(conference: Conference, board: Dashboard) -> list[Bar]:
    """One stacked bar per group, drawn against the largest group, so groups compare."""
    labels = segment_labels()
    bars = []
    for group, counts in board.by_group.items():
        values = {key: sum(counts[s] for s in statuses) for key, statuses, _t in SEGMENTS}
        bars.append(
            Bar(
                label=conference.group_label(group),
                text=_(
                    "%(approved)s approved, %(pending)s pending, %(rejected)s rejected, "
                    "%(left)s withdrawn or cancelled",
                    **values,
                ),
                segments=[
                    Segment(key, labels[key], values[key], tone) for key, _s, tone in SEGMENTS
                ],
            )
        )
    return layout(bars)


def checkin_bars(conference: Conference, checkins: CheckInCounts) -> list[Bar]:
    """Per group, the holders of a valid badge who have arrived (a full bar: all of them)."""
    bars = []
    for group, (badges, arrived) in checkins.by_group.items():
        bars.append(
            Bar(
                label=conference.group_label(group),
                text=_("%(arrived)s of %(badges)s arrived", arrived=arrived, badges=badges),
                segments=[Segment("arrived", _("Checked in"), arrived, "info")],
                total=badges,
            )
        )
    return layout(bars)
