"""A :class:`~egov_xlsx.publish.charts.BarChart` drawn as inline SVG for the results page (no script, no network).

Horizontal bars, first on top; the value axis in percent with grid lines; the band thresholds as dashed lines
named at the top; the comparison series (the tier's average) as a thin grey bar under each bar. The chart is an
image with its title and a description (``role="img"``, ``<title>``, ``<desc>``) for screen readers. Every text
is escaped. Above :data:`LABELS_UP_TO` bars the names and values are left out (the table beside it has them) and
the bars are thin, so a tier of thousands of units stays a picture of its distribution.
"""

from __future__ import annotations

from decimal import Decimal

from markupsafe import Markup, escape

from egov_xlsx.publish.charts import AVERAGE_COLOUR, BarChart
from egov_xlsx.vietnamese import format_number

WIDTH = 720
LABEL_WIDTH = 250
VALUE_WIDTH = 56
TOP = 34
LABELS_UP_TO = 60
_LABEL_CHARS = 42


def _n(value: float) -> str:
    """A coordinate, with at most one decimal and never "-0": the same chart gives the same bytes."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _short(label: str) -> str:
    return label if len(label) <= _LABEL_CHARS else label[: _LABEL_CHARS - 1].rstrip() + "…"


def render_svg(chart: BarChart, ident: str) -> Markup:
    """The chart as one ``<svg>`` element; ``ident`` makes its title and description ids unique in the page."""
    labelled = len(chart.bars) <= LABELS_UP_TO
    compared = any(b.reference is not None for b in chart.bars)
    row = (30 if compared else 22) if labelled else 3
    bar_h = (row - 8) if labelled else 3
    left = LABEL_WIDTH if labelled else 12
    plot = WIDTH - left - VALUE_WIDTH
    scale = chart.scale
    height = TOP + row * max(len(chart.bars), 1) + (44 if compared else 24)

    def x(value: Decimal) -> float:
        return left + float(value / scale) * plot

    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {_n(height)}" '
        f'width="{WIDTH}" height="{_n(height)}" role="img" aria-labelledby="{ident}-t {ident}-d">',
        f'<title id="{ident}-t">{escape(chart.title)}</title><desc id="{ident}-d">{escape(chart.description)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{_n(height)}" fill="#ffffff"/>',
    ]
    bottom = TOP + row * max(len(chart.bars), 1)
    for tick, tick_label in _ticks(chart):
        tx = x(tick)
        out.append(
            f'<line x1="{_n(tx)}" y1="{TOP - 4}" x2="{_n(tx)}" y2="{_n(bottom)}" stroke="#d9d9d9" stroke-width="1"/>'
            f'<text x="{_n(tx)}" y="{_n(bottom + 14)}" font-size="11" text-anchor="middle" fill="#404040">'
            f"{tick_label}</text>"
        )
    for n, threshold in enumerate(chart.thresholds):
        tx = x(threshold.percent)
        out.append(
            f'<line x1="{_n(tx)}" y1="{TOP - 6}" x2="{_n(tx)}" y2="{_n(bottom)}" stroke="{threshold.colour}" '
            f'stroke-width="1.5" stroke-dasharray="5 3"/>'
            f'<text x="{_n(tx)}" y="{_n(10 + 12 * (n % 2))}" font-size="11" text-anchor="middle" '
            f'fill="#262626">{escape(threshold.name)}</text>'
        )
    for i, bar in enumerate(chart.bars):
        y = TOP + i * row
        if labelled:
            out.append(
                f'<text x="{left - 6}" y="{_n(y + bar_h / 2 + 4)}" font-size="12" text-anchor="end" '
                f'fill="#000000">{escape(_short(bar.label))}</text>'
            )
        if bar.value is not None:
            width = max(x(bar.value) - left, 0.0)
            out.append(
                f'<rect x="{left}" y="{_n(y)}" width="{_n(width)}" height="{_n(bar_h)}" fill="{bar.colour}">'
                f"<title>{escape(bar.label)}: {escape(bar.text)}</title></rect>"
            )
        if labelled:
            end = left + 4 + (max(x(bar.value) - left, 0.0) if bar.value is not None else 0.0)
            out.append(
                f'<text x="{_n(end)}" y="{_n(y + bar_h / 2 + 4)}" font-size="11" fill="#000000">{escape(bar.text)}</text>'
            )
        if bar.reference is not None:
            out.append(
                f'<rect x="{left}" y="{_n(y + bar_h + 1)}" width="{_n(max(x(bar.reference) - left, 0.0))}" '
                f'height="5" fill="{AVERAGE_COLOUR}"><title>{escape(chart.reference_series)}: '
                f"{escape(bar.reference_text)}</title></rect>"
            )
    if compared:
        ly = bottom + 26
        out.append(
            f'<rect x="{left}" y="{_n(ly)}" width="12" height="10" fill="{chart.bars[0].colour}"/>'
            f'<text x="{left + 16}" y="{_n(ly + 9)}" font-size="11">{escape(chart.series)}</text>'
            f'<rect x="{left + 140}" y="{_n(ly + 2)}" width="12" height="5" fill="{AVERAGE_COLOUR}"/>'
            f'<text x="{left + 156}" y="{_n(ly + 9)}" font-size="11">{escape(chart.reference_series)}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))


def _ticks(chart: BarChart) -> list[tuple[Decimal, str]]:
    """The value axis' grid: every 25 % ("0%" ... "100%"), or every 0,25 of an index ("0" ... "1")."""
    if not chart.index:
        return [(Decimal(tick), f"{tick}%") for tick in range(0, int(chart.scale) + 1, 25)]
    quarters = int(chart.scale * 4)
    return [(Decimal(q) / 4, format_number(Decimal(q) / 4)) for q in range(quarters + 1)]
