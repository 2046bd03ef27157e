"""The geometry of the statistics' bar charts (callbacks.domain.charts): pure, no database."""

import pytest
from django.utils import translation

from callbacks.domain import charts


def test_bars_stand_on_the_baseline_in_proportion_to_their_values():
    chart = charts.bar_chart(
        title="t", description="d", items=[("a", 10, "A"), ("b", 5, "B"), ("c", 0, "C")], width=640, height=240
    )
    baseline = float(chart.baseline)
    assert baseline == 240 - charts.BOTTOM
    heights = [float(bar.height) for bar in chart.bars]
    assert heights[0] == pytest.approx(2 * heights[1]) and heights[2] == 0
    for bar in chart.bars:
        assert float(bar.y) + float(bar.height) == pytest.approx(baseline)
    # Three equal slots across the plot, each bar centred in its own.
    slot = (640 - charts.LEFT - charts.RIGHT) / 3
    assert [float(bar.label_x) for bar in chart.bars] == pytest.approx(
        [charts.LEFT + slot * (index + 0.5) for index in range(3)], abs=0.1
    )


@pytest.mark.parametrize("highest, step, top", [(0, 1, 1), (3, 1, 3), (7, 2, 8), (23, 5, 25), (101, 25, 125)])
def test_the_grid_has_at_most_five_round_steps_above_the_highest_bar(highest, step, top):
    chart = charts.bar_chart(title="t", description="d", items=[("a", highest, "A")])
    labels = [int(tick.label) for tick in chart.ticks]
    assert labels == list(range(0, top + 1, step)) and len(labels) <= 6
    assert float(chart.ticks[-1].y) == charts.TOP


def test_coordinates_are_svg_numbers_whatever_the_language():
    with translation.override("nl"):
        chart = charts.hour_chart([0] * 9 + [3] + [0] * 14)
    assert len(chart.bars) == 24 and "," not in chart.bars[9].x + chart.bars[9].width + chart.bars[9].height
    assert chart.bars[9].title == "09:00–10:00: 3 berichten"
    assert chart.title == "Aangenomen berichten per uur van de dag"
