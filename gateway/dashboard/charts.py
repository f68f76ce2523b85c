"""Bar charts as geometry for inline SVG, computed on the server.

No chart library and no script: the page carries a few rectangles whose sizes are worked out here,
each wrapped in a link to the list it counts. Works offline, prints, and reads in any browser.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BarInput:
    label: str
    value: int
    part: int = 0  # the share of ``value`` drawn in the alert colour (e.g. errors)
    href: str = ""


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: int
    part: int
    href: str
    x: float
    width: float
    y: float
    height: float
    part_y: float
    part_height: float
    label_x: float


@dataclass(frozen=True, slots=True)
class ColumnChart:
    title: str
    width: int
    height: int
    plot_top: int
    plot_bottom: int
    bars: tuple[Bar, ...]
    maximum: int


def column_chart(
    title: str, inputs: Sequence[BarInput], *, width: int = 560, height: int = 180
) -> ColumnChart:
    """Columns side by side, scaled to the largest value; ``part`` stacked at the bottom of each."""
    plot_top, plot_bottom = 18, height - 22
    plot_height = plot_bottom - plot_top
    maximum = max((max(i.value, i.part) for i in inputs), default=0)
    slot = width / max(1, len(inputs))
    bar_width = max(4.0, slot * 0.6)
    bars: list[Bar] = []
    for n, item in enumerate(inputs):
        scale = plot_height / maximum if maximum else 0.0
        bar_height = item.value * scale
        part_height = min(item.part, item.value) * scale
        x = n * slot + (slot - bar_width) / 2
        bars.append(
            Bar(
                label=item.label,
                value=item.value,
                part=item.part,
                href=item.href,
                x=round(x, 1),
                width=round(bar_width, 1),
                y=round(plot_bottom - bar_height, 1),
                height=round(bar_height, 1),
                part_y=round(plot_bottom - part_height, 1),
                part_height=round(part_height, 1),
                label_x=round(x + bar_width / 2, 1),
            )
        )
    return ColumnChart(
        title=title,
        width=width,
        height=height,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        bars=tuple(bars),
        maximum=maximum,
    )
