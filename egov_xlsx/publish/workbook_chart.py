"""The chart sheet of one tier in the results workbook: the ranked units' totals as bars, by band."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from xlsxwriter.workbook import Workbook

from egov_xlsx.model import Results, Tier, UnitResult
from egov_xlsx.publish.sheet_page import set_page_texts
from egov_xlsx.publish.sheets import Styles, index_format, number, total_format
from egov_xlsx.publish.workbook_summary import _ChartRange
from egov_xlsx.rules.index_scale import index_figure, unit_index
from egov_xlsx.rules.scoring import band_figures
from egov_xlsx.style import DRAFT_MARK, FONT
from egov_xlsx.vietnamese import shown_figure

#: Above this many units a chart gets no value labels, and above the next no per-band bar colours.
_CHART_LABELS_UP_TO = 60
_CHART_COLOURS_UP_TO = 300


def add_chart(wb: Workbook, name: str, styles: Styles, results: Results, table: _ChartRange) -> None:
    """A chart sheet: one horizontal bar per ranked unit (rank order, first on top), the tier maximum as the scale.

    Unranked units are left out: the summary lists them after the ranked ones, so the bars are the table's
    first rows. Value labels show each total as the summary does, with the decimals the most demanding needs.
    """
    tier = table.tier.tier
    display = results.campaign.display
    chart = wb.add_chart({"type": "bar"})
    units = table.tier.ranked
    last = table.first + len(units) - 1
    series: dict[str, object] = {
        "name": "Chỉ số" if display.index else "Tổng điểm",
        "categories": [table.sheet, table.first, table.name_col, last, table.name_col],
        "values": [table.sheet, table.first, table.total_col, last, table.total_col],
        "gap": 40,
        "fill": {"color": "#4472C4"},
    }
    if len(units) <= _CHART_COLOURS_UP_TO:
        series["points"] = [{"fill": {"color": styles.band(ur.band)[1]}} if ur.band else None for ur in units]
    if len(units) <= _CHART_LABELS_UP_TO:
        labels = (
            index_format(_index_label_decimals(display.index_decimals, tier, units))
            if display.index
            else total_format(_label_decimals(display.total_decimals, tier, units))
        )
        series["data_labels"] = {
            "value": True,
            "num_format": labels,
            "font": {"name": FONT, "size": 9},
        }
    chart.add_series(series)
    font = {"name": FONT, "size": 10}
    title = f"{'Chỉ số' if display.index else 'Tổng điểm'} khối {tier.name}"
    chart.set_title({"name": title, "name_font": {"name": FONT, "size": 14, "bold": True}})
    if display.index:
        # An index runs from 0 to 1; a bonus may take a unit past 1, and the axis then follows it.
        top = max([Decimal(1), *(unit_index(ur) for ur in units)])
    else:
        top = max([tier.max, *(ur.total for ur in units)])
    chart.set_x_axis(
        {
            "min": 0,
            "max": number(top),
            "num_format": "0.0" if display.index else "#,##0",
            "num_font": font,
            "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
        }
    )
    # Category axis of a bar chart runs bottom-up; reverse it so the table's first unit is on top.
    chart.set_y_axis({"reverse": True, "crossing": "max", "num_font": font})
    chart.set_legend({"none": True})
    sheet = wb.add_chartsheet(name)
    sheet.set_chart(chart)
    set_page_texts(sheet, left=results.campaign.title, right=DRAFT_MARK if results.draft else f"Khối: {tier.name}")


def _index_label_decimals(decimals: int, tier: Tier, units: Sequence[UnitResult]) -> int:
    """Decimals of an index chart's value labels: the usual ones, or more where a unit's index needs them."""
    shown = (shown_figure(index_figure(tier.bands, ur), decimals) for ur in units)
    return max((-int(s.as_tuple().exponent) for s in shown), default=decimals)


def _label_decimals(decimals: int, tier: Tier, units: Sequence[UnitResult]) -> int:
    """Decimals of the chart's value labels: the usual ones, or more where a unit's total needs them."""
    shown = (shown_figure(band_figures(tier.bands, ur)[0], decimals) for ur in units)
    return max((-int(s.as_tuple().exponent) for s in shown), default=decimals)
