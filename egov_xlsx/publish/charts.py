"""What the charts show (pure), whatever draws them: the results page (SVG) and the Word documents (DrawingML).

* :func:`tier_chart`: one bar per ranked unit of a tier (rank order), its percent of its own maximum (units may
  have different maxima), coloured by band, with the bands' thresholds; unranked units are left out.
* :func:`unit_chart`: one bar per top-level criterion, the unit's percent of the criterion's maximum against the
  tier's average (a criterion the unit marked not applicable has no bar).

Values are exact percents; the printed label of each goes through :mod:`egov_xlsx.vietnamese`, as in the texts.
An index campaign (``[display] scale = "index"``) charts indices (0-1) instead, printed as the texts print them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from egov_xlsx.model import Results, Tier, TierResult
from egov_xlsx.publish.sheets import BAND_COLOURS, NEUTRAL_COLOURS
from egov_xlsx.publish.unit_summary import UnitSummary
from egov_xlsx.rules.index_scale import index_figure
from egov_xlsx.rules.scoring import band_figures
from egov_xlsx.vietnamese import clean, format_number, format_percent, shown_figure

#: The colour of a unit's own bars (card chart) and of the tier's average beside them.
UNIT_COLOUR = "#4472C4"
AVERAGE_COLOUR = "#A5A5A5"


@dataclass(frozen=True)
class Bar:
    label: str
    #: The bar's percent (0-100) as the texts print it (truncated, kept inside the unit's band), so that a bar
    #: and its label read as the decision; ``None`` draws no bar (not applicable).
    value: Decimal | None
    #: The printed value ("92%").
    text: str
    colour: str
    #: The comparison value beside the bar (the tier's average), when the chart has one.
    reference: Decimal | None = None
    reference_text: str = ""
    #: A short name where room is scarce (the Word chart's axis): the criterion's code.
    short: str = ""


@dataclass(frozen=True)
class Threshold:
    """A band's lower bound drawn across the chart."""

    name: str
    percent: Decimal
    colour: str


@dataclass(frozen=True)
class BarChart:
    title: str
    #: Names of the bars' series and of the comparison series ("" when there is none).
    series: str
    reference_series: str
    bars: tuple[Bar, ...]
    thresholds: tuple[Threshold, ...] = ()
    #: One sentence saying what the chart shows, for readers who cannot see it (alt text).
    description: str = ""
    #: Values are indices (0-1, thresholds too) rather than percents; ``decimals``: those of the printed values.
    index: bool = False
    decimals: int = 0

    @property
    def full(self) -> Decimal:
        """The value of a full score: 100 (%), or 1 for an index."""
        return Decimal(1) if self.index else Decimal(100)

    @property
    def scale(self) -> Decimal:
        """The value axis' end: 100 % (an index: 1), or more when a value exceeds it (a bonus line)."""
        values = [v for b in self.bars for v in (b.value, b.reference) if v is not None]
        return max([self.full, *values])


def band_colours(tier: Tier) -> dict[str, tuple[str, str, str]]:
    """Each band's (fill, font, bar) colours: the workbook's named palette, the neutral one in turn for others."""
    colours: dict[str, tuple[str, str, str]] = {}
    neutral = 0
    for band in tier.bands:
        named = BAND_COLOURS.get(" ".join(band.name.casefold().split()))
        if named is None:
            named = NEUTRAL_COLOURS[neutral % len(NEUTRAL_COLOURS)]
            neutral += 1
        colours[band.name] = named
    return colours


def _printed(value: Decimal, decimals: int, index: bool) -> tuple[Decimal, str]:
    """A value as a bar draws it and as its label prints it: a percent truncated (it stays inside its band, as
    in the texts), an index as :func:`shown_figure` keeps it."""
    if index:
        return shown_figure(value, decimals), format_number(value, decimals)
    return shown_figure(value, decimals, truncate=True), format_percent(value, decimals)


def tier_chart(results: Results, tier: TierResult) -> BarChart:
    """The tier's ranked units' percents (an index campaign: indices), rank order, coloured by band, the band
    thresholds drawn."""
    index = results.campaign.display.index
    display = results.campaign.display
    decimals = display.index_decimals if index else display.percent_decimals
    colours = band_colours(tier.tier)
    bars = []
    for r in tier.ranked:
        value = index_figure(tier.tier.bands, r) if index else band_figures(tier.tier.bands, r)[1]
        colour = colours[r.band][2] if r.band in colours else UNIT_COLOUR
        bars.append(Bar(clean(r.unit.name), *_printed(value, decimals, index), colour))
    thresholds = tuple(
        Threshold(clean(b.name), b.min_percent / 100 if index else b.min_percent, colours[b.name][2])
        for b in tier.tier.bands
        if b.min_percent > 0
    )
    name = clean(tier.tier.name)
    if index:
        described = ", ".join(f"{t.name} từ {format_number(t.percent)}" for t in thresholds)
        title, series = f"Chỉ số - khối {name}", "Chỉ số"
        bar = "chỉ số của đơn vị (tổng điểm chia cho điểm tối đa của đơn vị)"
    else:
        described = ", ".join(f"{t.name} từ {format_percent(t.percent, 2)}" for t in thresholds)
        title, series = f"Tỷ lệ điểm đạt được so với điểm tối đa - khối {name}", "Tỷ lệ % điểm tối đa"
        bar = "tỷ lệ điểm đạt được so với điểm tối đa của đơn vị"
    return BarChart(
        title=title,
        series=series,
        reference_series="",
        bars=tuple(bars),
        thresholds=thresholds,
        description=(
            f"Biểu đồ cột ngang: {len(bars)} đơn vị được xếp hạng của khối {name}, theo thứ hạng, mỗi cột là {bar}, "
            "tô màu theo xếp loại" + (f"; các ngưỡng xếp loại: {described}." if described else ".")
        ),
        index=index,
        decimals=_places(bars, decimals) if index else 0,
    )


def _places(bars: list[Bar], decimals: int) -> int:
    """The decimals the printed values need: the usual ones, or more where a band needs them."""
    places = (-int(v.as_tuple().exponent) for b in bars for v in (b.value, b.reference) if v is not None)
    return max([decimals, *places])


def unit_chart(summary: UnitSummary) -> BarChart:
    """The unit's percent (an index campaign: index) of each top-level criterion's maximum, beside the tier's
    average."""
    index = summary.index is not None
    decimals = summary.index_decimals if index else summary.percent_decimals
    bars = []
    for line in summary.top_lines:
        value, average = (line.index, line.average_index) if index else (line.percent, line.average_percent)
        shown, text = (None, "không áp dụng") if value is None else _printed(value, decimals, index)
        reference, reference_text = (None, "") if average is None else _printed(average, decimals, index)
        bars.append(
            Bar(
                f"{line.criterion.code}. {clean(line.criterion.name)}",
                shown,
                text,
                UNIT_COLOUR,
                reference,
                reference_text,
                f"TC {line.criterion.code}",
            )
        )
    if index:
        title = f"{summary.name}: chỉ số theo tiêu chí"
        what = (
            f"chỉ số của {summary.name} (điểm chia cho điểm tối đa của tiêu chí), bên cạnh chỉ số trung bình của "
            "các đơn vị được xếp hạng trong khối."
        )
    else:
        title = f"{summary.name}: tỷ lệ điểm theo tiêu chí"
        what = (
            f"tỷ lệ điểm của {summary.name} so với điểm tối đa của tiêu chí, bên cạnh tỷ lệ trung bình của các đơn "
            "vị được xếp hạng trong khối."
        )
    return BarChart(
        title=title,
        series="Đơn vị",
        reference_series="Trung bình khối",
        bars=tuple(bars),
        description=f"Biểu đồ cột ngang: với mỗi tiêu chí, {what}",
        index=index,
        decimals=decimals if index else 0,
    )
