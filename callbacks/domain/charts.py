"""Where the bars of a chart go: the geometry of a vertical bar chart, as numbers ready for SVG.

Pure. The SVG itself is drawn by templates/callbacks/dashboard/_bar_chart.html; the coordinates are
handed over as text so that a Dutch locale never turns 12.5 into "12,5".
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Room around the plot in the viewBox: the tick labels on the left, the bar labels below.
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 12, 28


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    title: str  # the tooltip, also read out by screen readers
    x: str
    y: str
    width: str
    height: str
    label_x: str
    value_y: str


@dataclass(frozen=True)
class Tick:
    y: str
    label: str


@dataclass(frozen=True)
class BarChart:
    title: str
    description: str
    bars: list[Bar]
    ticks: list[Tick]
    width: int
    height: int
    plot_left: int
    plot_right: int
    baseline: str
    label_y: str


def _coordinate(value: float) -> str:
    return f"{value:.1f}"


def tick_step(top: int) -> int:
    """A round step giving at most five grid lines."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000):
        if top / step <= 5:
            return step
    return math.ceil(top / 5)


def bar_chart(
    *,
    title: str,
    description: str,
    items: Sequence[tuple[str, int, str]],
    width: int = 640,
    height: int = 240,
    top: int | None = None,
) -> BarChart:
    """Vertical bars for ``(label, value, tooltip)`` items, laid out in a ``width`` × ``height`` viewBox.

    ``top``: a fixed top of the scale (100 for percentages), instead of the highest value rounded up."""
    plot_width, plot_height = width - LEFT - RIGHT, height - TOP - BOTTOM
    highest = top if top is not None else max((value for _label, value, _title in items), default=0)
    step = tick_step(highest) if highest else 1
    scale_top = max(step, math.ceil(highest / step) * step)
    slot = plot_width / max(len(items), 1)
    bar_width = slot * 0.7
    baseline = TOP + plot_height
    bars = []
    for index, (label, value, tooltip) in enumerate(items):
        bar_height = plot_height * value / scale_top
        x = LEFT + index * slot + (slot - bar_width) / 2
        bars.append(
            Bar(
                label=label,
                value=value,
                title=tooltip,
                x=_coordinate(x),
                y=_coordinate(baseline - bar_height),
                width=_coordinate(bar_width),
                height=_coordinate(bar_height),
                label_x=_coordinate(x + bar_width / 2),
                value_y=_coordinate(baseline - bar_height - 3),
            )
        )
    ticks = [
        Tick(y=_coordinate(baseline - plot_height * value / scale_top), label=str(value))
        for value in range(0, scale_top + 1, step)
    ]
    return BarChart(
        title=title,
        description=description,
        bars=bars,
        ticks=ticks,
        width=width,
        height=height,
        plot_left=LEFT,
        plot_right=width - RIGHT,
        baseline=_coordinate(baseline),
        label_y=_coordinate(baseline + 16),
    )


def hour_chart(hours: Sequence[int]) -> BarChart:
    """Messages taken per local hour, 0 to 23."""
    items = [
        (
            str(hour),
            count,
            ngettext("%(from)s:00–%(to)s:00: %(count)s message", "%(from)s:00–%(to)s:00: %(count)s messages", count)
            % {"from": f"{hour:02d}", "to": f"{(hour + 1) % 24:02d}", "count": count},
        )
        for hour, count in enumerate(hours)
    ]
    return bar_chart(
        title=_("Messages taken per hour of the day"),
        description=_("Bar chart; the table next to it lists the same numbers."),
        items=items,
    )


def call_type_chart(taken: Sequence[tuple[str, int]]) -> BarChart:
    """Messages taken per type of call, given as ``(label, taken)``."""
    items = [
        (
            label,
            count,
            ngettext("%(type)s: %(count)s message", "%(type)s: %(count)s messages", count)
            % {"type": label, "count": count},
        )
        for label, count in taken
    ]
    return bar_chart(
        title=_("Messages taken per type of call"),
        description=_("Bar chart; the table next to it lists the same numbers."),
        items=items,
    )


def trend_chart(*, team: str, weeks: Sequence[tuple[date, float | None, int, int]]) -> BarChart:
    """One team's promise percentage per week, given as ``(monday, percentage or None, within, due)``; a week
    in which no promise fell due has no bar (and says so in its tooltip)."""
    items = []
    for monday, percentage, within, due in weeks:
        week = monday.isocalendar().week
        if percentage is None:
            tooltip = _("Week %(week)s: no promise fell due") % {"week": week}
        else:
            tooltip = _("Week %(week)s: %(within)s of %(due)s promises kept (%(percentage)s%%)") % {
                "week": week,
                "within": within,
                "due": due,
                "percentage": round(percentage),
            }
        items.append((_("wk %(week)s") % {"week": week}, round(percentage or 0), tooltip))
    return bar_chart(
        title=_("Promise kept per week: %(team)s") % {"team": team},
        description=_(
            "Bar chart of the percentage of promises kept per week; the table next to it lists the same numbers."
        ),
        items=items,
        top=100,
        height=200,
    )
