"""Server-rendered SVG bar charts: no JavaScript, readable without colour (values are printed next to each
bar, over-target bars are hatched), and always paired with the same numbers as a table in the template.

Use: ``{% include "includes/bar_chart.html" with chart=chart %}`` with ``chart = bar_chart(...)``.
"""

from dataclasses import dataclass, field

from django.utils.formats import number_format


@dataclass
class Bar:
    label: str
    value: float
    display: str
    y: float
    width: float
    over: bool = False
    secondary: float | None = None
    secondary_width: float = 0.0
    text_y: float = 0.0
    value_x: float = 0.0


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
    target_x: float | None = None
    secondary_label: str = ""
    ticks: list[tuple[float, str]] = field(default_factory=list)

    @property
    def label_x(self) -> int:
        return self.label_width - 6


BAR_HEIGHT = 22
GAP = 8


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
    marked ``over``. ``secondary`` draws a thinner second bar per row (e.g. language-match rate)."""
    label_width = min(220, max(80, 7 * max((len(label) for label, _ in rows), default=10)))
    plot_width = width - label_width - 70
    values = [v for _, v in rows] + ([target] if target else []) + (secondary or [])
    top = maximum or max(values, default=1) or 1
    bars: list[Bar] = []
    for i, (label, value) in enumerate(rows):
        second = secondary[i] if secondary else None
        bars.append(
            Bar(
                label=label,
                value=value,
                display=f"{number_format(value, decimals, force_grouping=True)}{unit}",
                y=i * (BAR_HEIGHT + GAP) + 10,
                width=max(0.0, plot_width * value / top),
                over=target is not None and value > target,
                secondary=second,
                secondary_width=max(0.0, plot_width * (second or 0) / top),
                text_y=i * (BAR_HEIGHT + GAP) + 25,
                value_x=label_width + max(0.0, plot_width * value / top) + 6,
            )
        )
    ticks = [
        (label_width + plot_width * f, number_format(top * f, decimals, force_grouping=True))
        for f in (0, 0.25, 0.5, 0.75, 1)
    ]
    return BarChart(
        title=title,
        bars=bars,
        width=width,
        height=len(rows) * (BAR_HEIGHT + GAP) + 40,
        label_width=label_width,
        plot_width=plot_width,
        unit=unit,
        target=target,
        target_x=label_width + plot_width * target / top if target else None,
        secondary_label=secondary_label,
        ticks=ticks,
    )
