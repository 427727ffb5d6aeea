"""Charts drawn on the server as SVG: the compliance heat map (units × months), the weekly
trend of overdue deadlines and the progress bar of a quota.

Each function takes plain figures and returns a frozen data object with every coordinate,
colour and label computed, which a template turns into SVG (templates/charts/): no JavaScript,
nothing fetched, the same on screen, in print and offline. Every chart's template also renders
its figures as a table for screen readers. Geometry is in SVG user units; the SVG scales to
its container through its viewBox.

It lives in `directory`, the app every other one builds on, because quota bars are drawn by
visits and assistance as well as reports (nothing imports `reports`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# --- colours ------------------------------------------------------------------------------------

#: Share met (percent) → fill, from the lowest bound up; colour-blind safe (ColorBrewer RdYlBu
#: reversed would lose red for "short"; this red–yellow–green keeps lightness steps) and each
#: cell also prints its number, so nothing depends on the colour alone.
SHARE_BANDS: tuple[tuple[Decimal, str, str], ...] = (
    (Decimal(0), "#b42318", "#ffffff"),
    (Decimal(50), "#f08c3a", "#1f1f1f"),
    (Decimal(70), "#f5d76e", "#1f1f1f"),
    (Decimal(85), "#8cc97a", "#1f1f1f"),
    (Decimal(95), "#1a7f37", "#ffffff"),
)
NO_DATA_FILL = "#eef0f2"
NO_DATA_TEXT = "#6b6f76"

STATUS_FILLS = {
    "met": "#1a7f37",
    "short": "#b42318",
    "open": "#1f5fbf",
    "excused": "#6b6f76",
}


def share_colours(share: Decimal | None) -> tuple[str, str]:
    """(fill, text colour) of a cell showing `share` percent met (None: no rows)."""
    if share is None:
        return NO_DATA_FILL, NO_DATA_TEXT
    fill, text = SHARE_BANDS[0][1], SHARE_BANDS[0][2]
    for bound, band_fill, band_text in SHARE_BANDS:
        if share >= bound:
            fill, text = band_fill, band_text
    return fill, text


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal:
    """part/whole as a percentage with one decimal, 0 for an empty whole."""
    if not whole:
        return Decimal(0)
    value = Decimal(100) * Decimal(part) / Decimal(whole)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- heat map -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatCell:
    x: float
    y: float
    width: float
    height: float
    share: Decimal | None
    rows: int
    fill: str
    text_colour: str
    url: str
    title: str

    @property
    def text_x(self) -> float:
        return self.x + self.width / 2

    @property
    def text_y(self) -> float:
        return self.y + self.height / 2 + 4


@dataclass(frozen=True)
class HeatLine:
    """One unit: its label (right-aligned at `label_x`) and its cells in column order."""

    code: str
    name: str
    label_x: float
    label_y: float
    cells: tuple[HeatCell, ...]


@dataclass(frozen=True)
class Axis:
    label: str
    x: float


@dataclass(frozen=True)
class LegendEntry:
    x: float
    fill: str
    label: str


@dataclass(frozen=True)
class HeatMap:
    width: float
    height: float
    columns: tuple[Axis, ...]
    lines: tuple[HeatLine, ...]
    legend: tuple[LegendEntry, ...]
    legend_y: float
    label_width: float


@dataclass(frozen=True)
class HeatFigure:
    """A cell's figures: rows counted and rows met (an excused row counts as met)."""

    rows: int
    met: int

    @property
    def share(self) -> Decimal | None:
        return percent(self.met, self.rows) if self.rows else None


HEAT_LABEL_WIDTH = 150.0
HEAT_CELL_WIDTH = 48.0
HEAT_CELL_HEIGHT = 24.0
HEAT_GAP = 2.0
HEAT_HEADER = 22.0
HEAT_LEGEND = 30.0


def heat_map(
    units: Sequence[tuple[str, str]],
    columns: Sequence[tuple[str, str]],
    figures: dict[tuple[str, str], HeatFigure],
    *,
    url_for: Callable[[str, str], str],
    title_for: Callable[[str, str, HeatFigure | None], str],
) -> HeatMap:
    """Units (code, name) down, columns (key, label) across; each cell coloured by the share
    met of its figures (no figure: grey, no link) and linked to `url_for(unit, column)`."""
    lines = []
    for row, (code, name) in enumerate(units):
        y = HEAT_HEADER + row * (HEAT_CELL_HEIGHT + HEAT_GAP)
        cells = []
        for col, (key, _label) in enumerate(columns):
            figure = figures.get((code, key))
            share = figure.share if figure is not None else None
            fill, text = share_colours(share)
            cells.append(
                HeatCell(
                    x=HEAT_LABEL_WIDTH + col * (HEAT_CELL_WIDTH + HEAT_GAP),
                    y=y,
                    width=HEAT_CELL_WIDTH,
                    height=HEAT_CELL_HEIGHT,
                    share=share,
                    rows=figure.rows if figure is not None else 0,
                    fill=fill,
                    text_colour=text,
                    url=url_for(code, key) if figure is not None and figure.rows else "",
                    title=title_for(name, key, figure),
                )
            )
        label_y = y + HEAT_CELL_HEIGHT / 2 + 4
        lines.append(HeatLine(code, name, HEAT_LABEL_WIDTH - 6, label_y, tuple(cells)))
    grid_width = len(columns) * (HEAT_CELL_WIDTH + HEAT_GAP)
    grid_height = len(units) * (HEAT_CELL_HEIGHT + HEAT_GAP)
    legend_y = HEAT_HEADER + grid_height + 8
    legend = tuple(
        LegendEntry(
            x=HEAT_LABEL_WIDTH + index * 70.0, fill=fill, label=f"≥{bound}%" if bound else "<50%"
        )
        for index, (bound, fill, _text) in enumerate(SHARE_BANDS)
    )
    return HeatMap(
        width=HEAT_LABEL_WIDTH + grid_width,
        height=legend_y + HEAT_LEGEND,
        columns=tuple(
            Axis(label, HEAT_LABEL_WIDTH + i * (HEAT_CELL_WIDTH + HEAT_GAP) + HEAT_CELL_WIDTH / 2)
            for i, (_key, label) in enumerate(columns)
        ),
        lines=tuple(lines),
        legend=legend,
        legend_y=legend_y,
        label_width=HEAT_LABEL_WIDTH,
    )


# --- weekly trend -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str
    day: dt.date

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 2)


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class BarChart:
    width: float
    height: float
    plot_left: float
    plot_bottom: float
    plot_right: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    maximum: int
    fill: str


TREND_WIDTH = 640.0
TREND_HEIGHT = 220.0
TREND_LEFT = 40.0
TREND_RIGHT = 10.0
TREND_TOP = 12.0
TREND_BOTTOM = 36.0
OVERDUE_FILL = "#8f1d14"


def nice_maximum(value: int) -> int:
    """The top of the value axis: the smallest of 1, 2, 5 × 10^k at or above `value` (≥ 1)."""
    top = 1
    while True:
        for step in (1, 2, 5):
            if step * top >= value:
                return max(step * top, 1)
        top *= 10


def bar_chart(points: Sequence[tuple[dt.date, str, int]], *, fill: str = OVERDUE_FILL) -> BarChart:
    """Bars for (day, label, value) points left to right, on an axis from 0 to a round top
    with ticks at 0, half and the top."""
    maximum = nice_maximum(max((value for _day, _label, value in points), default=0))
    plot_width = TREND_WIDTH - TREND_LEFT - TREND_RIGHT
    plot_height = TREND_HEIGHT - TREND_TOP - TREND_BOTTOM
    bottom = TREND_TOP + plot_height
    slot = plot_width / max(len(points), 1)
    bar_width = slot * 0.7
    bars = []
    for index, (day, label, value) in enumerate(points):
        height = plot_height * value / maximum
        bars.append(
            Bar(
                x=round(TREND_LEFT + index * slot + (slot - bar_width) / 2, 2),
                y=round(bottom - height, 2),
                width=round(bar_width, 2),
                height=round(height, 2),
                value=value,
                label=label,
                day=day,
            )
        )
    ticks = tuple(
        Tick(y=round(bottom - plot_height * value / maximum, 2), value=value)
        for value in sorted({0, maximum // 2, maximum})
    )
    return BarChart(
        width=TREND_WIDTH,
        height=TREND_HEIGHT,
        plot_left=TREND_LEFT,
        plot_bottom=bottom,
        plot_right=TREND_WIDTH - TREND_RIGHT,
        bars=tuple(bars),
        ticks=ticks,
        maximum=maximum,
        fill=fill,
    )


def week_ends(today: dt.date, weeks: int) -> list[dt.date]:
    """The last day of each of the last `weeks` weeks, oldest first: Sundays, and `today`
    for the week running now."""
    this_sunday = today + dt.timedelta(days=6 - today.weekday())
    ends = [this_sunday - dt.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    return [min(end, today) for end in ends]


# --- progress bar of a quota --------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressBar:
    actual: Decimal
    required: Decimal
    percent: Decimal
    fill_width: float
    fill: str
    status: str

    width: float = 100.0
    height: float = 10.0


def progress_bar(actual: Decimal | int, required: Decimal | int, status: str) -> ProgressBar:
    """A bar of `actual` against `required` (full when required is 0 or reached), coloured by
    the row's status (met / short / open / excused)."""
    actual, required = Decimal(actual), Decimal(required)
    share = percent(actual, required) if required else Decimal(100)
    return ProgressBar(
        actual=actual,
        required=required,
        percent=share,
        fill_width=float(min(share, Decimal(100))),
        fill=STATUS_FILLS.get(status, STATUS_FILLS["open"]),
        status=status,
    )
