"""Chart geometry for server-drawn SVG: pure functions from numbers to coordinates. Templates draw the shapes
and always put the same numbers in a table beside the chart."""
import math
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from lms.clock import format_date
from lms.reports.rules import month_ends


@dataclass
class LineChart:
    width: int = 640
    height: int = 300
    left: int = 48
    right: int = 16
    top: int = 16
    bottom: int = 40
    start: date = date.min
    end: date = date.max
    actual: list[tuple[float, float, str]] = field(default_factory=list)  # (x, y, label) a point
    target: list[tuple[float, float]] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)

    def x(self, day: date) -> float:
        span = max(1, (self.end - self.start).days)
        return round(self.left + (self.width - self.left - self.right) * (day - self.start).days / span, 1)

    def y(self, percent: Fraction | float) -> float:
        return round(self.top + (self.height - self.top - self.bottom) * (1 - float(percent) / 100), 1)

    @property
    def actual_points(self) -> str:
        return " ".join(f"{x},{y}" for x, y, _ in self.actual)

    @property
    def target_points(self) -> str:
        return " ".join(f"{x},{y}" for x, y in self.target)

    @property
    def baseline(self) -> float:
        return self.y(0)


def target_line(starts_on: date, milestones: list[tuple[date, Fraction]], end: date) -> list[tuple[date, Fraction]]:
    """The plan's trajectory as corner points: 0% at the start, each milestone, then level to the end."""
    points = [(starts_on, Fraction(0))] + sorted(milestones)
    if points[-1][0] < end:
        points.append((end, points[-1][1]))
    return points


def line_chart(percents: list[tuple[date, Fraction | None]], trajectory: list[tuple[date, Fraction]],
               start: date, end: date) -> LineChart:
    """Percent trained at each month end (gaps where nobody was in scope) against the target line."""
    chart = LineChart(start=start, end=end)
    chart.actual = [(chart.x(day), chart.y(value), f"{format_date(day)}: {float(value):.1f}%")
                    for day, value in percents if value is not None and start <= day <= end]
    chart.target = [(chart.x(max(start, min(day, end))), chart.y(value)) for day, value in trajectory]
    chart.y_ticks = [(chart.y(p), f"{p}%") for p in (0, 25, 50, 75, 100)]
    months = [d.replace(day=1) for d in month_ends(start, end)]
    step = math.ceil(len(months) / 6)  # at most six labels, whatever the span
    chart.x_ticks = [(chart.x(max(start, m)), f"{m:%b %Y}") for m in months[::step]]
    return chart


@dataclass(frozen=True)
class Bar:
    label: str
    percent: Fraction | None
    target: Fraction | None
    rag: str

    @property
    def colour(self) -> str:
        return RAG_COLOURS[self.rag]


@dataclass
class BarChart:
    bars: list[Bar]
    width: int = 640
    label_width: int = 240
    value_width: int = 110
    row: int = 28

    @property
    def height(self) -> int:
        return self.row * len(self.bars) + 24

    @property
    def plot_width(self) -> int:
        return self.width - self.label_width - self.value_width

    def length(self, percent: Fraction | None) -> float:
        return round(self.plot_width * float(percent or 0) / 100, 1)


RAG_COLOURS = {"green": "#00703c", "amber": "#f47738", "red": "#d4351c", "n/a": "#b1b4b6", "": "#1d70b8"}


def ranked_bars(rows: list[tuple[str, Fraction | None, Fraction | None, str]]) -> BarChart:
    """Organisations ranked by percent trained, each with its target marker; nobody in scope goes last."""
    ordered = sorted(rows, key=lambda r: (r[1] is None, -(r[1] or 0), r[0]))
    return BarChart([Bar(label, percent, target, rag) for label, percent, target, rag in ordered])


@dataclass
class ColumnChart:
    """One column a quarter, for a measure's trend."""

    columns: list[tuple[float, float, float, str, str]]  # (x, y, height, value label, quarter label)
    width: int = 640
    height: int = 240
    bottom: int = 40
    top: int = 24
    column_width: float = 0


def column_chart(values: list[tuple[date, int]]) -> ColumnChart:
    chart = ColumnChart([])
    if not values:
        return chart
    most = max(v for _, v in values) or 1
    slot = (chart.width - 20) / max(len(values), 1)
    plot = chart.height - chart.top - chart.bottom
    for index, (day, value) in enumerate(values):
        height = round(plot * value / most, 1)
        chart.columns.append((round(10 + index * slot + slot * 0.15, 1), round(chart.top + plot - height, 1), height,
                              f"{value:,}", f"Q{(day.month - 1) // 3 + 1} {day.year}"))
    chart.column_width = round(slot * 0.7, 1)
    return chart
