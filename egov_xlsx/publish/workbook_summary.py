"""The summary sheet of one tier in the results workbook: the annex proper (ranks, totals, bands, notes)."""

from __future__ import annotations

from dataclasses import dataclass

from xlsxwriter.worksheet import Worksheet

from egov_xlsx.model import ZERO, Results, Tier, TierResult, UnitResult
from egov_xlsx.publish.council_notes import council_notes
from egov_xlsx.publish.sheet_page import fit_row, set_widths, setup_page, small, write_header_row, write_heading
from egov_xlsx.publish.sheets import NOT_APPLICABLE_MARK, Styles, adjustment_bound, number, write_text
from egov_xlsx.rules.index_scale import equal_index_notes, index_figure
from egov_xlsx.rules.scoring import band_figures
from egov_xlsx.style import DRAFT_MARK
from egov_xlsx.vietnamese import format_number, format_rank_change, join

MAX_ROW_LABEL = "Điểm tối đa"
#: Added to the legend of an index campaign's summary: what the Chỉ số column holds.
INDEX_LEGEND = " Chỉ số = tổng điểm / điểm tối đa của đơn vị (từ 0 đến 1)."


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


def write_summary(ws: Worksheet, styles: Styles, results: Results, tr: TierResult) -> _ChartRange:
    """STT | Đơn vị | criteria | adjustments | Tổng điểm | Tỷ lệ % | Xếp hạng | Xếp loại | (last year) | Ghi chú."""
    tier, cols = tr.tier, _columns(tr.tier, results.previous_year)
    display = results.campaign.display
    index_notes = equal_index_notes(tr, display.index_decimals) if display.index else {}
    headers = [
        "STT",
        "Đơn vị",
        *(f"{c.code}. {c.name}" for c in tier.criteria),
        *(a.name for a in tier.adjustments),
        "Tổng điểm",
        "Chỉ số" if display.index else "Tỷ lệ %",
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
        legend=_legend(tr) + (INDEX_LEGEND if display.index else ""),
    )
    write_header_row(ws, header, headers, widths, styles.header)
    _write_max_row(ws, styles, header + 1, tier, cols, index=display.index)
    first = header + 2
    for i, ur in enumerate(tr.units):
        note = "\n".join(unit_notes(tier, ur, index_notes.get(ur.unit.code, "")))
        _write_unit_row(ws, styles, first + i, i + 1, tier, ur, cols, note, index=display.index)
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
    return _ChartRange(tr, ws.get_name(), first, last, 1, cols.percent if display.index else cols.total)


def _legend(tr: TierResult) -> str:
    """Maximum and band rule of the tier, in words, e.g. "... Tốt từ 85%, Khá từ 70%, ... Yếu dưới 50%."."""
    tier = tr.tier
    parts: list[str] = []
    for i, band in enumerate(tier.bands):
        if band.min_percent > 0 or i == 0:
            parts.append(f"{band.name} {band.threshold} {format_number(band.min_percent)}%")
        else:
            above = tier.bands[i - 1]
            below = "không quá" if above.exclusive else "dưới"
            parts.append(f"{band.name} {below} {format_number(above.min_percent)}%")
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


def _write_max_row(ws: Worksheet, styles: Styles, row: int, tier: Tier, cols: _Columns, *, index: bool) -> None:
    for col in range(cols.note + 1):
        ws.write_blank(row, col, None, styles.max_score)
    ws.write_string(row, 1, MAX_ROW_LABEL, styles.label)
    for j, criterion in enumerate(tier.criteria):
        ws.write_number(row, cols.criteria + j, number(criterion.max), styles.max_score)
    for j, adj in enumerate(tier.adjustments):
        ws.write(row, cols.adjustments + j, adjustment_bound(adj), styles.max_score)
    ws.write_number(row, cols.total, number(tier.max), styles.max_total)
    if index:  # a full score's index
        ws.write_number(row, cols.percent, 1, styles.max_score)


def _write_unit_row(
    ws: Worksheet,
    styles: Styles,
    row: int,
    seq: int,
    tier: Tier,
    ur: UnitResult,
    cols: _Columns,
    note: str,
    *,
    index: bool = False,
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
    if index:
        ws.write_number(row, cols.percent, *styles.index_cell(index_figure(tier.bands, ur)))
    else:
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


def unit_notes(tier: Tier, ur: UnitResult, index_note: str = "") -> list[str]:
    """The Ghi chú of a unit: shared rank, how a tie was broken, an equal printed index ranked on the exact one,
    why it is not ranked, criteria not applicable."""
    notes: list[str] = []
    if ur.shares_rank:
        notes.append("Đồng hạng")
    if ur.tie_note:
        notes.append(ur.tie_note)
    if index_note:
        notes.append(index_note)
    if not ur.unit.ranked:
        reason = ur.unit.unranked_reason
        notes.append(f"Không xếp hạng: {reason}" if reason else "Không xếp hạng")
    skipped = skipped_criteria(tier, ur)
    if skipped:
        notes.append(f"Không áp dụng tiêu chí {join(skipped)}; điểm tối đa của đơn vị: {format_number(ur.max)}")
    return notes + council_notes(ur)


def skipped_criteria(tier: Tier, ur: UnitResult) -> list[str]:
    """Codes of the highest criteria not applicable to the unit, in tree order.

    When 4.1 and 4.2 both are, criterion 4 is too, and "4" alone says it.
    """
    scores = ur.scores
    return [
        c.code
        for c in tier.in_order
        if c.code not in scores
        and (tier.parent_code(c.code) is None or tier.parent_code(c.code) in scores)
        and not (ur.council_missing and all(x.code in ur.council_missing for x in c.walk() if x.is_leaf))
    ]


def _write_excluded(ws: Worksheet, styles: Styles, row: int, tr: TierResult) -> None:
    """Below the table: roster units left out (a draft built with invalid or missing forms), with the reason."""
    if not tr.excluded:
        return
    ws.write_string(row, 1, "Chưa xếp hạng (biểu chưa hợp lệ hoặc chưa nộp):", styles.plain_bold)
    for i, (unit, reason) in enumerate(tr.excluded, start=1):
        ws.write_number(row + i, 0, i, styles.plain)
        write_text(ws, row + i, 1, unit.name, styles.plain)
        write_text(ws, row + i, 2, reason, styles.plain)
