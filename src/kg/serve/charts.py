"""The chart of an indicator's series, drawn on the server as SVG (no script, nothing fetched).

One mark per figure and source, drawn as the source states it: an exact figure is a
dot; an approximate one ("sekitar") a hollow dot with whiskers (of a fixed length:
the source gives no margin); a bound ("lebih dari", "kurang dari") a tick at the
value with an arrow pointing where the figure lies; a range ("antara 8 hingga 10") a
bar from its lower to its upper figure. Figures of the same period from different
sources stand side by side in the period's band, coloured by source (the legend
names each). Growth the graph derives (never stated by a source) is a diamond.

The geometry is computed here; ``templates/chart.svg`` writes it, with autoescape on
like every page (the labels are the graph's text). Figures in different units get a
panel each.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from markupsafe import Markup

#: Colours of the sources, in the order they first appear (colour-blind safe, Okabe-Ito).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
           "#F0E442")
DERIVED_COLOUR = "#555555"

WIDTH = 760
PANEL_HEIGHT = 300
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 84, 24, 28, 46
#: the length of an approximate figure's whiskers and of a bound's arrow (pixels)
WHISKER, ARROW = 10, 34

#: a qualifier's local name -> the kind of mark that draws it
KINDS = {"exact": "exact", "approximate": "approximate", "lower-bound": "lower-bound",
         "upper-bound": "upper-bound", "range": "range"}


class Figure:
    """One figure of a series as a mark: where it goes and what its tooltip says."""

    __slots__ = ("period", "order", "value", "low", "high", "kind", "source", "source_label",
                 "stated", "group", "unit", "derived")

    def __init__(self, *, period: str, order: str, value: str | None, low: str | None = None,
                 high: str | None = None, kind: str = "exact", source: str = "",
                 source_label: str = "", stated: str = "", group: str = "", unit: str = "",
                 derived: bool = False) -> None:
        self.period = period
        #: the sort key of the period (its first day as text; "~" sorts a period not printed last)
        self.order = order
        self.value = number(value)
        self.low = number(low)
        self.high = number(high)
        self.kind = kind if kind in KINDS else "exact"
        self.source = source
        self.source_label = source_label
        self.stated = stated
        self.group = group
        self.unit = unit
        self.derived = derived

    def extent(self) -> list[float]:
        return [v for v in (self.value, self.low, self.high) if v is not None]

    def describe(self) -> str:
        """The mark's tooltip: the figure as a sentence."""
        how = {"exact": "", "approximate": "about ", "lower-bound": "more than / at least ",
               "upper-bound": "less than / at most ", "range": "between "}[self.kind]
        if self.kind == "range":
            figure = f"{how}{shown_number(self.low)} and {shown_number(self.high)}"
        else:
            figure = f"{how}{shown_number(self.value)}"
        parts = [f"{self.period}: {figure} {self.unit}".rstrip()]
        if self.group:
            parts.append(self.group)
        if self.stated:
            parts.append(f"stated as “{self.stated}”")
        parts.append("derived by kg from the figures (stated by no source)" if self.derived
                     else f"source: {self.source_label or self.source}")
        return "; ".join(parts)


def number(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(Decimal(text))
    except (InvalidOperation, ValueError):
        return None
    return value if math.isfinite(value) else None


def shown_number(value: float | None) -> str:
    """A number as a person reads it: thousands separated, no needless decimals."""
    if value is None:
        return "?"
    if value == int(value) and abs(value) < 1e18:
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def tick_text(value: float) -> str:
    """An axis label, short: 87,000 / 1.5 M / 142.5 T."""
    size = abs(value)
    for limit, suffix in ((1e12, " T"), (1e9, " B"), (1e6, " M")):
        if size >= limit:
            return f"{value / limit:,.2f}".rstrip("0").rstrip(".") + suffix
    return shown_number(round(value, 6))


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]."""
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 10))
    return ticks


class Panel:
    """The figures of one unit: axes, period bands and marks."""

    def __init__(self, unit: str, figures: Sequence[Figure], colours: dict[str, str],
                 top: float) -> None:
        self.unit = unit
        self.top = top
        self.left = MARGIN_LEFT
        self.right = WIDTH - MARGIN_RIGHT
        self.plot_top = top + MARGIN_TOP
        self.bottom = top + PANEL_HEIGHT - MARGIN_BOTTOM
        values = [v for f in figures for v in f.extent()]
        low = min([0.0, *values])
        high = max([0.0, *values])
        if any(f.kind == "lower-bound" for f in figures):
            high += (high - low) * 0.15  # room for the arrows
        self.ticks_values = nice_ticks(low, high)
        self.low, self.high = self.ticks_values[0], self.ticks_values[-1]
        periods = sorted({(f.order, f.period) for f in figures})
        band = (self.right - self.left) / max(len(periods), 1)
        self.bands: list[dict[str, Any]] = []
        self.marks: list[dict[str, Any]] = []
        for index, (order, period) in enumerate(periods):
            x0 = self.left + index * band
            self.bands.append({"x": x0, "width": band, "middle": x0 + band / 2, "label": period,
                               "shade": index % 2 == 1})
            here = [f for f in figures if (f.order, f.period) == (order, period)]
            slot = band / (len(here) + 1)
            for place, figure in enumerate(here, start=1):
                self.marks.append(self.mark(figure, x0 + place * slot, colours))
        self.ticks = [{"y": self.y(v), "label": tick_text(v)} for v in self.ticks_values]

    def y(self, value: float) -> float:
        span = (self.high - self.low) or 1.0
        return round(self.bottom - (value - self.low) / span * (self.bottom - self.plot_top), 2)

    def mark(self, figure: Figure, x: float, colours: dict[str, str]) -> dict[str, Any]:
        colour = DERIVED_COLOUR if figure.derived else colours.get(figure.source, PALETTE[0])
        mark: dict[str, Any] = {"x": round(x, 2), "kind": figure.kind, "colour": colour,
                                "derived": figure.derived, "title": figure.describe(),
                                "source": figure.source}
        if figure.kind == "range":
            low = figure.low if figure.low is not None else figure.value or 0.0
            high = figure.high if figure.high is not None else low
            mark["y"], mark["y2"] = self.y(high), self.y(low)
            return mark
        mark["y"] = self.y(figure.value or 0.0)
        if figure.kind == "lower-bound":
            mark["tip"] = max(mark["y"] - ARROW, self.plot_top - MARGIN_TOP / 2)
        elif figure.kind == "upper-bound":
            mark["tip"] = min(mark["y"] + ARROW, self.bottom)
        return mark


def chart_svg(render: Callable[..., str], figures: Sequence[Figure], *, title: str,
              description: str, chart_id: str = "chart") -> Markup:
    """The SVG of ``figures`` (one panel per unit), rendered by ``render`` (autoescaped).

    The answer is markup written by an autoescaping template: safe to put in a page.
    """
    sources: dict[str, str] = {}
    for figure in figures:
        if not figure.derived and figure.source not in sources:
            sources[figure.source] = figure.source_label or figure.source
    colours = {source: PALETTE[i % len(PALETTE)] for i, source in enumerate(sources)}
    units = list(dict.fromkeys(f.unit for f in figures))
    panels = [Panel(unit, [f for f in figures if f.unit == unit], colours,
                    top=i * PANEL_HEIGHT) for i, unit in enumerate(units)]
    kinds = list(dict.fromkeys(f.kind for f in figures if not f.derived))
    legend = [{"colour": colours[s], "label": label} for s, label in sources.items()]
    if any(f.derived for f in figures):
        legend.append({"colour": DERIVED_COLOUR, "label": "derived by kg (stated by no source)"})
    height = max(len(panels), 1) * PANEL_HEIGHT + 24 + 20 * (len(legend) + len(kinds))
    text = render("chart.svg", id=chart_id, title=title, description=description, width=WIDTH,
                  height=height, panels=panels, legend=legend, kinds=kinds,
                  legend_top=max(len(panels), 1) * PANEL_HEIGHT + 8,
                  empty=not figures)
    return Markup(text)  # autoescaped by the template: every graph text in it is escaped


__all__ = ["Figure", "chart_svg", "shown_number"]
