"""The chart geometry and colours (directory.charts): plain functions, no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.test import SimpleTestCase

from directory.charts import (
    HEAT_CELL_HEIGHT,
    HEAT_CELL_WIDTH,
    HEAT_GAP,
    HEAT_LABEL_WIDTH,
    NO_DATA_FILL,
    STATUS_FILLS,
    TREND_BOTTOM,
    TREND_HEIGHT,
    TREND_TOP,
    HeatFigure,
    bar_chart,
    heat_map,
    nice_maximum,
    percent,
    progress_bar,
    share_colours,
    week_ends,
)

D = dt.date


class ShareColourTests(SimpleTestCase):
    def test_each_band_starts_at_its_bound(self) -> None:
        self.assertEqual(share_colours(Decimal(0))[0], "#b42318")
        self.assertEqual(share_colours(Decimal("49.9"))[0], "#b42318")
        self.assertEqual(share_colours(Decimal(50))[0], "#f08c3a")
        self.assertEqual(share_colours(Decimal(70))[0], "#f5d76e")
        self.assertEqual(share_colours(Decimal(85))[0], "#8cc97a")
        self.assertEqual(share_colours(Decimal(95))[0], "#1a7f37")
        self.assertEqual(share_colours(Decimal(100))[0], "#1a7f37")

    def test_no_rows_is_grey(self) -> None:
        self.assertEqual(share_colours(None)[0], NO_DATA_FILL)

    def test_dark_fills_get_white_text(self) -> None:
        self.assertEqual(share_colours(Decimal(10))[1], "#ffffff")
        self.assertEqual(share_colours(Decimal(75))[1], "#1f1f1f")

    def test_percent_rounds_half_up_to_one_decimal_and_survives_an_empty_whole(self) -> None:
        self.assertEqual(percent(1, 3), Decimal("33.3"))
        self.assertEqual(percent(2, 3), Decimal("66.7"))
        self.assertEqual(percent(1, 0), Decimal(0))


class HeatMapTests(SimpleTestCase):
    def build(self) -> object:
        return heat_map(
            [("A", "城关镇"), ("B", "青山乡")],
            [(1, "1月"), (2, "2月"), (3, "3月")],
            {("A", 1): HeatFigure(4, 3), ("A", 2): HeatFigure(2, 2), ("B", 3): HeatFigure(5, 1)},
            url_for=lambda code, month: f"/u/{code}/{month}",
            title_for=lambda name, month, figure: f"{name} {month}",
        )

    def test_cells_sit_on_a_grid_after_the_labels(self) -> None:
        chart = self.build()
        second_line = chart.lines[1]
        third_cell = second_line.cells[2]
        self.assertEqual(third_cell.x, HEAT_LABEL_WIDTH + 2 * (HEAT_CELL_WIDTH + HEAT_GAP))
        self.assertEqual(third_cell.y, chart.lines[0].cells[0].y + HEAT_CELL_HEIGHT + HEAT_GAP)
        self.assertEqual(chart.width, HEAT_LABEL_WIDTH + 3 * (HEAT_CELL_WIDTH + HEAT_GAP))
        self.assertEqual([c.label for c in chart.columns], ["1月", "2月", "3月"])
        self.assertEqual(chart.columns[0].x, HEAT_LABEL_WIDTH + HEAT_CELL_WIDTH / 2)

    def test_each_cell_has_its_share_colour_and_link(self) -> None:
        chart = self.build()
        a1, a2, a3 = chart.lines[0].cells
        self.assertEqual(a1.share, Decimal("75.0"))
        self.assertEqual(a1.fill, "#f5d76e")
        self.assertEqual(a1.url, "/u/A/1")
        self.assertEqual(a2.share, Decimal("100.0"))
        self.assertEqual(a2.fill, "#1a7f37")
        self.assertEqual(chart.lines[1].cells[2].share, Decimal("20.0"))
        self.assertEqual(chart.lines[1].cells[2].fill, "#b42318")

    def test_a_cell_without_rows_is_grey_and_leads_nowhere(self) -> None:
        a3 = self.build().lines[0].cells[2]
        self.assertIsNone(a3.share)
        self.assertEqual(a3.fill, NO_DATA_FILL)
        self.assertEqual(a3.url, "")

    def test_the_legend_lists_every_band(self) -> None:
        legend = self.build().legend
        self.assertEqual([e.label for e in legend], ["<50%", "≥50%", "≥70%", "≥85%", "≥95%"])


class BarChartTests(SimpleTestCase):
    def test_the_axis_top_is_a_round_number(self) -> None:
        self.assertEqual(
            [nice_maximum(n) for n in (0, 1, 3, 7, 12, 73, 200)], [1, 1, 5, 10, 20, 100, 200]
        )

    def test_bar_heights_are_proportional_to_the_values(self) -> None:
        chart = bar_chart([(D(2026, 11, 1), "11/1", 5), (D(2026, 11, 8), "11/8", 10)])
        plot_height = TREND_HEIGHT - TREND_TOP - TREND_BOTTOM
        self.assertEqual(chart.maximum, 10)
        low, high = chart.bars
        self.assertEqual(high.height, plot_height)
        self.assertEqual(low.height, plot_height / 2)
        self.assertEqual(low.y + low.height, chart.plot_bottom)
        self.assertLess(low.x, high.x)
        self.assertEqual([t.value for t in chart.ticks], [0, 5, 10])

    def test_no_overdue_draws_flat_bars_on_a_unit_axis(self) -> None:
        chart = bar_chart([(D(2026, 11, 1), "11/1", 0)])
        self.assertEqual(chart.maximum, 1)
        self.assertEqual(chart.bars[0].height, 0)

    def test_weeks_end_on_sundays_and_today_for_the_running_week(self) -> None:
        # Thursday 26 November 2026
        self.assertEqual(
            week_ends(D(2026, 11, 26), 3), [D(2026, 11, 15), D(2026, 11, 22), D(2026, 11, 26)]
        )


class ProgressBarTests(SimpleTestCase):
    def test_the_fill_is_the_share_reached(self) -> None:
        bar = progress_bar(Decimal(3), Decimal(12), "open")
        self.assertEqual(bar.percent, Decimal("25.0"))
        self.assertEqual(bar.fill_width, 25.0)
        self.assertEqual(bar.fill, STATUS_FILLS["open"])

    def test_more_than_required_fills_the_bar_once(self) -> None:
        bar = progress_bar(15, 12, "met")
        self.assertEqual(bar.percent, Decimal("125.0"))
        self.assertEqual(bar.fill_width, 100.0)
        self.assertEqual(bar.fill, STATUS_FILLS["met"])

    def test_nothing_required_is_a_full_bar(self) -> None:
        self.assertEqual(progress_bar(0, 0, "met").fill_width, 100.0)
