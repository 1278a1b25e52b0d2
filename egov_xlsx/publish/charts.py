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


def tier_chart(results: Results, tier: TierResult) -> BarChart:
    """The tier's ranked units' percents, rank order, coloured by band, the band thresholds drawn."""
    if results.campaign.display.index:
        return _tier_index_chart(results, tier)
    decimals = results.campaign.display.percent_decimals
    colours = band_colours(tier.tier)
    bars = []
    for r in tier.ranked:
        percent = band_figures(tier.tier.bands, r)[1]
        colour = colours[r.band][2] if r.band in colours else UNIT_COLOUR
        shown = shown_figure(percent, decimals, truncate=True)
        bars.append(Bar(clean(r.unit.name), shown, format_percent(percent, decimals), colour))
    thresholds = tuple(
        Threshold(clean(b.name), b.min_percent, colours[b.name][2]) for b in tier.tier.bands if b.min_percent > 0
    )
    name = clean(tier.tier.name)
    described = ", ".join(f"{t.name} từ {format_percent(t.percent, 2)}" for t in thresholds)
    return BarChart(
        title=f"Tỷ lệ điểm đạt được so với điểm tối đa - khối {name}",
        series="Tỷ lệ % điểm tối đa",
        reference_series="",
        bars=tuple(bars),
        thresholds=thresholds,
        description=(
            f"Biểu đồ cột ngang: {len(bars)} đơn vị được xếp hạng của khối {name}, theo thứ hạng, mỗi cột là tỷ lệ "
            f"điểm đạt được so với điểm tối đa của đơn vị, tô màu theo xếp loại"
            + (f"; các ngưỡng xếp loại: {described}." if described else ".")
        ),
    )


def _tier_index_chart(results: Results, tier: TierResult) -> BarChart:
    """The tier's ranked units' indices, rank order, coloured by band, the band thresholds drawn (as indices)."""
    decimals = results.campaign.display.index_decimals
    colours = band_colours(tier.tier)
    bars = []
    for r in tier.ranked:
        index = index_figure(tier.tier.bands, r)
        colour = colours[r.band][2] if r.band in colours else UNIT_COLOUR
        bars.append(Bar(clean(r.unit.name), shown_figure(index, decimals), format_number(index, decimals), colour))
    thresholds = tuple(
        Threshold(clean(b.name), b.min_percent / 100, colours[b.name][2]) for b in tier.tier.bands if b.min_percent > 0
    )
    name = clean(tier.tier.name)
    described = ", ".join(f"{t.name} từ {format_number(t.percent)}" for t in thresholds)
    return BarChart(
        title=f"Chỉ số - khối {name}",
        series="Chỉ số",
        reference_series="",
        bars=tuple(bars),
        thresholds=thresholds,
        description=(
            f"Biểu đồ cột ngang: {len(bars)} đơn vị được xếp hạng của khối {name}, theo thứ hạng, mỗi cột là chỉ số "
            f"của đơn vị (tổng điểm chia cho điểm tối đa của đơn vị), tô màu theo xếp loại"
            + (f"; các ngưỡng xếp loại: {described}." if described else ".")
        ),
        index=True,
        decimals=_places(bars, decimals),
    )


def _places(bars: list[Bar], decimals: int) -> int:
    """The decimals the printed values need: the usual ones, or more where a band needs them."""
    places = (-int(v.as_tuple().exponent) for b in bars for v in (b.value, b.reference) if v is not None)
    return max([decimals, *places])


def unit_chart(summary: UnitSummary) -> BarChart:
    """The unit's percent of each top-level criterion's maximum, beside the tier's average."""
    if summary.index is not None:
        return _unit_index_chart(summary)
    decimals = summary.percent_decimals
    bars = []
    for line in summary.top_lines:
        label = f"{line.criterion.code}. {clean(line.criterion.name)}"
        value, average = line.percent, line.average_percent
        bars.append(
            Bar(
                label,
                None if value is None else shown_figure(value, decimals, truncate=True),
                "không áp dụng" if value is None else format_percent(value, decimals),
                UNIT_COLOUR,
                None if average is None else shown_figure(average, decimals, truncate=True),
                "" if average is None else format_percent(average, decimals),
                f"TC {line.criterion.code}",
            )
        )
    return BarChart(
        title=f"{summary.name}: tỷ lệ điểm theo tiêu chí",
        series="Đơn vị",
        reference_series="Trung bình khối",
        bars=tuple(bars),
        description=(
            f"Biểu đồ cột ngang: với mỗi tiêu chí, tỷ lệ điểm của {summary.name} so với điểm tối đa của tiêu chí, "
            "bên cạnh tỷ lệ trung bình của các đơn vị được xếp hạng trong khối."
        ),
    )


def _unit_index_chart(summary: UnitSummary) -> BarChart:
    """An index campaign's card chart: the unit's index of each top-level criterion, beside the tier's average."""
    decimals = summary.index_decimals
    bars = []
    for line in summary.top_lines:
        label = f"{line.criterion.code}. {clean(line.criterion.name)}"
        value, average = line.index, line.average_index
        bars.append(
            Bar(
                label,
                None if value is None else shown_figure(value, decimals),
                "không áp dụng" if value is None else format_number(value, decimals),
                UNIT_COLOUR,
                None if average is None else shown_figure(average, decimals),
                "" if average is None else format_number(average, decimals),
                f"TC {line.criterion.code}",
            )
        )
    return BarChart(
        title=f"{summary.name}: chỉ số theo tiêu chí",
        series="Đơn vị",
        reference_series="Trung bình khối",
        bars=tuple(bars),
        description=(
            f"Biểu đồ cột ngang: với mỗi tiêu chí, chỉ số của {summary.name} (điểm chia cho điểm tối đa của tiêu "
            "chí), bên cạnh chỉ số trung bình của các đơn vị được xếp hạng trong khối."
        ),
        index=True,
        decimals=decimals,
    )
