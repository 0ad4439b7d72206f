"""Server-rendered SVG bar charts: no JavaScript, readable without colour, and in both colour schemes.

- Every bar has its value printed next to it; bars past the target are hatched, not only red; the optional
  second measure is a thinner bar and is named in the legend.
- The SVG is one image with an accessible name (its title) and a description that says where the numbers
  are; the page keeps the same numbers in a table (or the include renders one with ``table=True``).
- Coordinates are formatted here, in Python, as plain decimals: a Dutch page would otherwise print
  ``width="28,3"`` (the locale's decimal comma), which the browser rejects. Displayed values do follow the
  active language (``1.234,5`` in Dutch, ``1,234.5`` in English).

Use: ``{% include "includes/bar_chart.html" with chart=chart chart_id="fill" %}`` with
``chart = bar_chart(...)``.
"""

import math
from dataclasses import dataclass, field

from core.numbers import show as show_number

BAR_HEIGHT = 22
SECONDARY_HEIGHT = 8
GAP = 10
TOP = 8
AXIS_SPACE = 30  # room under the bars for the axis and its tick labels
CHAR_WIDTH = 7.2  # average width of a 12px label character, to size the label column


def nice_ceiling(value: float) -> float:
    """The smallest "round" maximum at or above ``value`` whose quarters are round too (120: 30, 60, 90)."""
    if value <= 0:
        return 1.0
    power: float = 10 ** math.floor(math.log10(value))
    for step in (1, 1.2, 1.6, 2, 2.4, 3.2, 4, 6, 8, 10):
        if value <= step * power + 1e-9:
            return round(step * power, 10)
    return 10 * power


def _coord(value: float) -> str:
    """An SVG coordinate: always a dot as decimal separator, whatever the active language."""
    return f"{value:.1f}"


@dataclass
class Bar:
    label: str
    value: float
    display: str
    y: str
    width: str
    text_y: str
    value_x: str
    height: int = BAR_HEIGHT
    over: bool = False
    secondary: float | None = None
    secondary_display: str = ""
    secondary_y: str = ""
    secondary_width: str = "0.0"


@dataclass
class Tick:
    x: str
    label: str


@dataclass
class BarChart:
    title: str
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    plot_width: int
    unit: str = ""
    target: float | None = None
    target_x: str | None = None
    target_display: str = ""
    secondary_label: str = ""
    ticks: list[Tick] = field(default_factory=list)
    axis_y: str = "0.0"
    tick_end_y: str = "0.0"
    tick_label_y: str = "0.0"

    @property
    def label_x(self) -> int:
        return self.label_width - 6

    @property
    def plot_end(self) -> int:
        return self.label_width + self.plot_width

    @property
    def has_over(self) -> bool:
        return any(bar.over for bar in self.bars)


@dataclass(frozen=True)
class _Format:
    """A displayed value: the active language's digits, then the unit."""

    decimals: int
    unit: str

    def show(self, value: float) -> str:
        return f"{show_number(value, self.decimals)}{self.unit}"


@dataclass(frozen=True)
class _Scale:
    """Where a value lands: the plot starts right of the label column and ends at ``top``."""

    label_width: int
    plot_width: int
    top: float

    def x(self, value: float) -> float:
        return self.label_width + self.plot_width * max(0.0, min(value, self.top)) / self.top

    def length(self, value: float) -> str:
        return _coord(self.x(value) - self.label_width)


def _scale(
    rows: list[tuple[str, float]],
    width: int,
    target: float | None,
    maximum: float | None,
    secondary: list[float] | None,
) -> _Scale:
    """A label column as wide as the longest label (within bounds), and a top that every value fits under."""
    longest = max((len(label[:34]) for label, _ in rows), default=10)
    label_width = min(250, max(80, int(CHAR_WIDTH * longest) + 12))
    plot_width = width - label_width - 80  # room right of the longest bar for its value
    values = [v for _, v in rows] + ([target] if target else []) + (secondary or [])
    top = maximum or nice_ceiling(max(values, default=1))
    return _Scale(label_width, plot_width, top)


def _bar(
    label: str,
    value: float,
    y: float,
    second: float | None,
    target: float | None,
    scale: _Scale,
    fmt: _Format,
) -> Bar:
    """One row at height ``y``: the bar, its printed value, and the thinner second bar below it."""
    return Bar(
        label=label,
        value=value,
        display=fmt.show(value),
        y=_coord(y),
        width=scale.length(value),
        text_y=_coord(y + BAR_HEIGHT / 2 + 4),
        value_x=_coord(scale.x(value) + 6),
        over=target is not None and value > target,
        secondary=second,
        secondary_display=fmt.show(second) if second is not None else "",
        secondary_y=_coord(y + BAR_HEIGHT + 2),
        secondary_width=scale.length(second or 0),
    )


def _ticks(scale: _Scale, fmt: _Format) -> list[Tick]:
    """The axis at 0, a quarter, a half, three quarters and the top."""
    return [Tick(_coord(scale.x(scale.top * f)), fmt.show(scale.top * f)) for f in (0, 0.25, 0.5, 0.75, 1)]


def bar_chart(
    title: str,
    rows: list[tuple[str, float]],
    *,
    unit: str = "",
    target: float | None = None,
    maximum: float | None = None,
    secondary: list[float] | None = None,
    secondary_label: str = "",
    decimals: int = 0,
    width: int = 640,
) -> BarChart:
    """Horizontal bars, one per row. ``target`` draws a dashed line (e.g. contracted hours); bars past it are
    marked ``over`` and hatched. ``secondary`` draws a thinner second bar per row (e.g. language-match rate),
    named by ``secondary_label`` in the legend."""
    fmt = _Format(decimals, unit)
    scale = _scale(rows, width, target, maximum, secondary)
    row_height = BAR_HEIGHT + (SECONDARY_HEIGHT + 2 if secondary else 0) + GAP
    bars = [
        _bar(label, value, TOP + i * row_height, secondary[i] if secondary else None, target, scale, fmt)
        for i, (label, value) in enumerate(rows)
    ]
    axis_y = TOP + len(rows) * row_height - GAP / 2
    return BarChart(
        title=title,
        bars=bars,
        width=width,
        height=int(axis_y + AXIS_SPACE),
        label_width=scale.label_width,
        plot_width=scale.plot_width,
        unit=unit,
        target=target,
        target_x=_coord(scale.x(target)) if target else None,
        target_display=fmt.show(target) if target else "",
        secondary_label=secondary_label,
        ticks=_ticks(scale, fmt),
        axis_y=_coord(axis_y),
        tick_end_y=_coord(axis_y + 4),
        tick_label_y=_coord(axis_y + 17),
    )
