"""The results workbook: the annex of the decision, with the details behind it (xlsxwriter).

Sheets, in order: one summary per tier (the annex proper, so the first sheets are the ones to print), one
bar chart of totals per tier, one detail sheet per tier (every criterion), one appraisal sheet per tier that
has appraised scores or bonus/penalty values (each with the council's reason), one statistics sheet per tier,
the findings, and the provenance of the data.

Every figure is a number cell with a number format (the reader's Excel shows its own decimal separator);
Decimal becomes float only when a cell is written. Identical results give a byte-identical file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from egov_xlsx.atomic import scratch_folder
from egov_xlsx.model import ZERO, Results, Tier, TierResult, UnitResult
from egov_xlsx.publish.breakdown import has_appraisal, write_appraisal_sheet, write_detail_sheet, write_statistics_sheet
from egov_xlsx.publish.report import FINDINGS_SHEET, write_findings_sheet
from egov_xlsx.publish.sheets import (
    NOT_APPLICABLE_MARK,
    Styles,
    adjustment_bound,
    close_workbook,
    discard_workbook,
    fit_row,
    number,
    open_workbook,
    set_page_texts,
    set_widths,
    setup_page,
    small,
    total_format,
    write_header_row,
    write_heading,
    write_text,
)
from egov_xlsx.rules.scoring import band_figures
from egov_xlsx.sheet_names import SheetNames
from egov_xlsx.style import DRAFT_MARK, FONT
from egov_xlsx.vietnamese import format_number, format_rank_change, join, shown_figure

PROVENANCE_SHEET = "Nguồn dữ liệu"
MAX_ROW_LABEL = "Điểm tối đa"
#: Above this many units a chart gets no value labels, and above the next no per-band bar colours.
_CHART_LABELS_UP_TO = 60
_CHART_COLOURS_UP_TO = 300


def write_results_workbook(results: Results, path: Path) -> None:
    """Write the results workbook to ``path`` (a plain write: the caller stages it atomically)."""
    # xlsxwriter's streaming row files go to a scratch folder beside the output, removed afterwards (a killed
    # run's are removed by the next run): never into the system's temporary folder.
    with scratch_folder(path) as scratch:
        _write_results_workbook(results, path, scratch)


def _write_results_workbook(results: Results, path: Path, scratch: Path) -> None:
    campaign = results.campaign
    wb = open_workbook(
        path, campaign, title="Kết quả đánh giá, xếp hạng mức độ Chính quyền điện tử", streaming=True, tmpdir=scratch
    )
    try:
        styles = Styles(wb, campaign.display)
        names = SheetNames()
        tables = [
            _write_summary(wb.add_worksheet(names.add(tr.tier.name)), styles, results, tr) for tr in results.tiers
        ]
        for table in tables:
            if table.tier.ranked:
                _add_chart(wb, names.add(f"Biểu đồ - {table.tier.tier.name}"), styles, results, table)
        for tr in results.tiers:
            write_detail_sheet(wb.add_worksheet(names.add(f"Chi tiết - {tr.tier.name}")), styles, results, tr)
        for tr in results.tiers:
            if has_appraisal(tr):
                write_appraisal_sheet(wb.add_worksheet(names.add(f"Thẩm định - {tr.tier.name}")), styles, results, tr)
        for tr in results.tiers:
            write_statistics_sheet(wb.add_worksheet(names.add(f"Thống kê - {tr.tier.name}")), styles, results, tr)
        ws = wb.add_worksheet(names.add(FINDINGS_SHEET))
        write_findings_sheet(ws, styles, campaign, results.findings, draft=results.draft)
        _write_provenance(wb.add_worksheet(names.add(PROVENANCE_SHEET)), styles, results)
    except BaseException:
        discard_workbook(wb)
        raise
    close_workbook(wb, path)


# --------------------------------------------------------------------------- summary


@dataclass(frozen=True)
class _Columns:
    """Column positions of a tier's summary table (0-based)."""

    criteria: int
    adjustments: int
    total: int
    percent: int
    rank: int
    band: int
    previous: int | None
    note: int


def _columns(tier: Tier, previous_year: int | None) -> _Columns:
    adjustments = 2 + len(tier.criteria)
    total = adjustments + len(tier.adjustments)
    previous = total + 4 if previous_year is not None else None
    note = total + (6 if previous is not None else 4)
    return _Columns(2, adjustments, total, total + 1, total + 2, total + 3, previous, note)


@dataclass(frozen=True)
class _ChartRange:
    """Where a summary sheet put its units (for the chart)."""

    tier: TierResult
    sheet: str
    first: int
    last: int
    name_col: int
    total_col: int


def _write_summary(ws: Worksheet, styles: Styles, results: Results, tr: TierResult) -> _ChartRange:
    """STT | Đơn vị | criteria | adjustments | Tổng điểm | Tỷ lệ % | Xếp hạng | Xếp loại | (last year) | Ghi chú."""
    tier, cols = tr.tier, _columns(tr.tier, results.previous_year)
    headers = [
        "STT",
        "Đơn vị",
        *(f"{c.code}. {c.name}" for c in tier.criteria),
        *(a.name for a in tier.adjustments),
        "Tổng điểm",
        "Tỷ lệ %",
        "Xếp hạng",
        "Xếp loại",
    ]
    widths = [5.0, 34.0, *[11.0] * len(tier.criteria), *[10.0] * len(tier.adjustments), 11, 8, 8, 11]
    if results.previous_year is not None:
        headers += [f"Xếp hạng năm {results.previous_year}", "Thay đổi"]
        widths += [10, 11]
    headers.append("Ghi chú")
    widths.append(40)
    set_widths(ws, widths)
    header = write_heading(
        ws,
        styles,
        last_col=cols.note,
        width=sum(widths),
        title=results.campaign.title,
        subtitles=(f"Khối: {tier.name}",),
        draft=results.draft,
        legend=_legend(tr),
    )
    write_header_row(ws, header, headers, widths, styles.header)
    _write_max_row(ws, styles, header + 1, tier, cols)
    first = header + 2
    for i, ur in enumerate(tr.units):
        note = "\n".join(unit_notes(tier, ur))
        _write_unit_row(ws, styles, first + i, i + 1, tier, ur, cols, note)
        fit_row(ws, first + i, ((ur.unit.name, widths[1]), (note, small(widths[cols.note]))))
    last = first + len(tr.units) - 1
    if tr.units:
        for band in tier.bands:
            ws.conditional_format(
                first,
                cols.band,
                last,
                cols.band,
                {
                    "type": "cell",
                    "criteria": "==",
                    "value": _formula_string(band.name),
                    "format": styles.band(band.name)[0],
                },
            )
    _write_excluded(ws, styles, last + 2, tr)
    ws.freeze_panes(first, 2)
    right = DRAFT_MARK if results.draft else f"Khối: {tier.name}"
    setup_page(ws, left=results.campaign.title, right=right, repeat=(header, header + 1))
    return _ChartRange(tr, ws.get_name(), first, last, 1, cols.total)


def _legend(tr: TierResult) -> str:
    """Maximum and band rule of the tier, in words, e.g. "... Tốt từ 85%, Khá từ 70%, ... Yếu dưới 50%."."""
    tier = tr.tier
    parts: list[str] = []
    for i, band in enumerate(tier.bands):
        if band.min_percent > 0 or i == 0:
            parts.append(f"{band.name} từ {format_number(band.min_percent)}%")
        else:
            parts.append(f"{band.name} dưới {format_number(tier.bands[i - 1].min_percent)}%")
    legend = (
        f"Điểm tối đa của khối: {format_number(tier.max)} điểm. Xếp loại theo tỷ lệ tổng điểm so với "
        f"điểm tối đa của đơn vị: {', '.join(parts)}."
    )
    if any(skipped_criteria(tier, ur) for ur in tr.units):
        legend += f" Dấu {NOT_APPLICABLE_MARK}: tiêu chí không áp dụng với đơn vị."
    return legend


def _formula_string(value: str) -> str:
    """A string literal for a conditional-format formula ("Tốt" -> '"Tốt"', quotes doubled)."""
    return '"' + value.replace('"', '""') + '"'


def _write_max_row(ws: Worksheet, styles: Styles, row: int, tier: Tier, cols: _Columns) -> None:
    for col in range(cols.note + 1):
        ws.write_blank(row, col, None, styles.max_score)
    ws.write_string(row, 1, MAX_ROW_LABEL, styles.label)
    for j, criterion in enumerate(tier.criteria):
        ws.write_number(row, cols.criteria + j, number(criterion.max), styles.max_score)
    for j, adj in enumerate(tier.adjustments):
        ws.write(row, cols.adjustments + j, adjustment_bound(adj), styles.max_score)
    ws.write_number(row, cols.total, number(tier.max), styles.max_total)


def _write_unit_row(
    ws: Worksheet, styles: Styles, row: int, seq: int, tier: Tier, ur: UnitResult, cols: _Columns, note: str
) -> None:
    ws.write_number(row, 0, seq, styles.center)
    write_text(ws, row, 1, ur.unit.name, styles.text)
    for j, criterion in enumerate(tier.criteria):
        score = ur.scores.get(criterion.code)
        if score is None:
            ws.write_string(row, cols.criteria + j, NOT_APPLICABLE_MARK, styles.not_applicable)
        else:
            ws.write_number(row, cols.criteria + j, number(score), styles.score)
    for j, adj in enumerate(tier.adjustments):
        ws.write_number(row, cols.adjustments + j, number(ur.adjustments.get(adj.code, ZERO)), styles.score)
    total, percent = band_figures(tier.bands, ur)
    ws.write_number(row, cols.total, number(ur.total), styles.total_for(total))
    ws.write_number(row, cols.percent, *styles.percent_cell(percent))
    if ur.rank is None:
        ws.write_blank(row, cols.rank, None, styles.rank)
    else:
        ws.write_number(row, cols.rank, ur.rank, styles.rank)
    write_text(ws, row, cols.band, ur.band or "", styles.band_cell)
    if cols.previous is not None:
        previous = ur.previous.rank if ur.previous is not None else None
        if previous is None:
            ws.write_blank(row, cols.previous, None, styles.rank)
        else:
            ws.write_number(row, cols.previous, previous, styles.rank)
        write_text(ws, row, cols.previous + 1, _rank_change(ur), styles.band_cell)
    write_text(ws, row, cols.note, note, styles.note)


def _rank_change(ur: UnitResult) -> str:
    """ "tăng 3 bậc" / "giảm 1 bậc" / "giữ nguyên"; "mới" without a ranked previous standing; blank when unranked."""
    if ur.rank is None:
        return ""
    if ur.previous is None or ur.previous.rank is None:
        return "mới"
    return format_rank_change(ur.previous.rank - ur.rank)


def unit_notes(tier: Tier, ur: UnitResult) -> list[str]:
    """The Ghi chú of a unit: shared rank, how a tie was broken, why it is not ranked, criteria not applicable."""
    notes: list[str] = []
    if ur.shares_rank:
        notes.append("Đồng hạng")
    if ur.tie_note:
        notes.append(ur.tie_note)
    if not ur.unit.ranked:
        reason = ur.unit.unranked_reason
        notes.append(f"Không xếp hạng: {reason}" if reason else "Không xếp hạng")
    skipped = skipped_criteria(tier, ur)
    if skipped:
        notes.append(f"Không áp dụng tiêu chí {join(skipped)}; điểm tối đa của đơn vị: {format_number(ur.max)}")
    return notes


def skipped_criteria(tier: Tier, ur: UnitResult) -> list[str]:
    """Codes of the highest criteria not applicable to the unit, in tree order.

    When 4.1 and 4.2 both are, criterion 4 is too, and "4" alone says it.
    """
    scores = ur.scores
    return [code for code, parent in _tree(tier) if code not in scores and (parent is None or parent in scores)]


_TREES: dict[int, tuple[Tier, tuple[tuple[str, str | None], ...]]] = {}


def _tree(tier: Tier) -> tuple[tuple[str, str | None], ...]:
    """(code, parent code) of every criterion in tree order, worked out once per tier (not once per unit)."""
    cached = _TREES.get(id(tier))
    if cached is None or cached[0] is not tier:
        if len(_TREES) >= 64:
            _TREES.clear()
        cached = _TREES[id(tier)] = (tier, tuple((c.code, tier.parent_code(c.code)) for c in tier.walk()))
    return cached[1]


def _write_excluded(ws: Worksheet, styles: Styles, row: int, tr: TierResult) -> None:
    """Below the table: roster units left out (a draft built with invalid or missing forms), with the reason."""
    if not tr.excluded:
        return
    ws.write_string(row, 1, "Chưa xếp hạng (biểu chưa hợp lệ hoặc chưa nộp):", styles.plain_bold)
    for i, (unit, reason) in enumerate(tr.excluded, start=1):
        ws.write_number(row + i, 0, i, styles.plain)
        write_text(ws, row + i, 1, unit.name, styles.plain)
        write_text(ws, row + i, 2, reason, styles.plain)


# --------------------------------------------------------------------------- chart


def _add_chart(wb: Workbook, name: str, styles: Styles, results: Results, table: _ChartRange) -> None:
    """A chart sheet: one horizontal bar per ranked unit (rank order, first on top), the tier maximum as the scale.

    Unranked units are left out: the summary lists them after the ranked ones, so the bars are the table's
    first rows. Value labels show each total as the summary does, with the decimals the most demanding needs.
    """
    tier = table.tier.tier
    chart = wb.add_chart({"type": "bar"})
    units = table.tier.ranked
    last = table.first + len(units) - 1
    series: dict[str, object] = {
        "name": "Tổng điểm",
        "categories": [table.sheet, table.first, table.name_col, last, table.name_col],
        "values": [table.sheet, table.first, table.total_col, last, table.total_col],
        "gap": 40,
        "fill": {"color": "#4472C4"},
    }
    if len(units) <= _CHART_COLOURS_UP_TO:
        series["points"] = [{"fill": {"color": styles.band(ur.band)[1]}} if ur.band else None for ur in units]
    if len(units) <= _CHART_LABELS_UP_TO:
        series["data_labels"] = {
            "value": True,
            "num_format": total_format(_label_decimals(results.campaign.display.total_decimals, tier, units)),
            "font": {"name": FONT, "size": 9},
        }
    chart.add_series(series)
    font = {"name": FONT, "size": 10}
    chart.set_title({"name": f"Tổng điểm khối {tier.name}", "name_font": {"name": FONT, "size": 14, "bold": True}})
    top = max([tier.max, *(ur.total for ur in units)])
    chart.set_x_axis(
        {
            "min": 0,
            "max": number(top),
            "num_format": "#,##0",
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


def _label_decimals(decimals: int, tier: Tier, units: Sequence[UnitResult]) -> int:
    """Decimals of the chart's value labels: the usual ones, or more where a unit's total needs them."""
    shown = (shown_figure(band_figures(tier.bands, ur)[0], decimals) for ur in units)
    return max((-int(s.as_tuple().exponent) for s in shown), default=decimals)


# --------------------------------------------------------------------------- provenance


_PROVENANCE_HEADERS = (
    "STT",
    "Tệp",
    "SHA-256",
    "Dung lượng (byte)",
    "Khối",
    "Mã đơn vị",
    "Tên đơn vị",
    "Phiên bản biểu",
)
_PROVENANCE_WIDTHS = (5.0, 30.0, 58.0, 11.0, 18.0, 11.0, 30.0, 9.0)


def _write_provenance(ws: Worksheet, styles: Styles, results: Results) -> None:
    """Where the results come from: the campaign and config hash, the tool version, then every file used.

    The campaign block comes first so it stays in view above a table that may run to thousands of rows.
    """
    campaign = results.campaign
    set_widths(ws, _PROVENANCE_WIDTHS)
    row = write_heading(
        ws,
        styles,
        last_col=len(_PROVENANCE_HEADERS) - 1,
        width=sum(_PROVENANCE_WIDTHS),
        title="NGUỒN DỮ LIỆU",
        subtitles=(campaign.title,),
        draft=results.draft,
    )
    facts: Sequence[tuple[str, str | int]] = (
        ("Mã đợt đánh giá", campaign.id),
        ("SHA-256 của tệp cấu hình (egov.toml)", campaign.config_sha256),
        ("Phiên bản egov-xlsx", results.tool_version),
        ("Trạng thái", "Dự thảo" if results.draft else "Chính thức"),
        ("Số biểu được sử dụng", len(results.submissions)),
    )
    for label, value in facts:
        ws.merge_range(row, 0, row, 1, "", styles.label)
        ws.write_string(row, 0, label, styles.label)
        if isinstance(value, int):
            ws.write_number(row, 2, value, styles.integer)
        else:
            write_text(ws, row, 2, value, styles.mono if label.startswith("SHA") else styles.text)
        row += 1
    header = row + 1
    write_header_row(ws, header, _PROVENANCE_HEADERS, _PROVENANCE_WIDTHS, styles.header)
    row = header + 1
    for i, sub in enumerate(results.submissions, start=1):
        tier = campaign.tier(sub.tier_id)
        unit = tier.unit(sub.unit_code) if tier is not None else None
        ws.write_number(row, 0, i, styles.center)
        write_text(ws, row, 1, sub.source.name, styles.text)
        ws.write_string(row, 2, sub.source.sha256, styles.mono)
        ws.write_number(row, 3, sub.source.size, styles.integer)
        write_text(ws, row, 4, tier.name if tier is not None else sub.tier_id, styles.text)
        write_text(ws, row, 5, sub.unit_code, styles.center)
        write_text(ws, row, 6, unit.name if unit is not None else "", styles.text)
        write_text(ws, row, 7, sub.form_version, styles.center)
        fit_row(ws, row, ((sub.source.name, _PROVENANCE_WIDTHS[1]), (unit.name if unit else "", _PROVENANCE_WIDTHS[6])))
        row += 1
    ws.freeze_panes(header + 1, 0)
    ws.ignore_errors({"number_stored_as_text": f"A1:H{max(row, header + 1)}"})
    setup_page(
        ws, left=campaign.title, right=DRAFT_MARK if results.draft else PROVENANCE_SHEET, repeat=(header, header)
    )
