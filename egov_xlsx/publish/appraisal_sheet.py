"""The appraisal council's workbook, ``appraisal.xlsx``: its layout and its writer (xlsxwriter).

One sheet per tier: a title block (what the file is, how to fill it, "Mã khối:" and "Mã đợt đánh giá:"
labels the reader uses), then a table whose header reads Mã đơn vị | Đơn vị | Mã tiêu chí | Tiêu chí |
Điểm tối đa | Điểm tự đánh giá | Điểm thẩm định | Lý do. The sheet is protected without a password, so only
the two yellow input columns can be edited (sorting is off, filtering on). An extra sheet "Dòng không còn
dùng" keeps values the council entered that no longer match a row.

The reader (:mod:`egov_xlsx.rules.appraisal`) finds the tables by these header labels, not by position.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from egov_xlsx.layout import cell_address
from egov_xlsx.model import Adjustment, Campaign, CellValue, Submission, Tier, Unit
from egov_xlsx.publish.sheets import (
    SheetNames,
    Styles,
    adjustment_bound,
    close_workbook,
    fit_row,
    number,
    open_workbook,
    set_widths,
    setup_page,
    write_header_row,
    write_text,
    write_title,
)
from egov_xlsx.vietnamese import format_number

FILE_NAME = "appraisal.xlsx"
TITLE = "BẢNG ĐIỂM THẨM ĐỊNH MỨC ĐỘ CHÍNH QUYỀN ĐIỆN TỬ"
ORPHAN_SHEET = "Dòng không còn dùng"

LABEL_TIER = "Khối:"
LABEL_TIER_ID = "Mã khối:"
LABEL_CAMPAIGN = "Mã đợt đánh giá:"

HEADER_UNIT = "Mã đơn vị"
HEADER_UNIT_NAME = "Đơn vị"
HEADER_CRITERION = "Mã tiêu chí"
HEADER_CRITERION_NAME = "Tiêu chí"
HEADER_MAX = "Điểm tối đa"
HEADER_SELF = "Điểm tự đánh giá"
HEADER_VALUE = "Điểm thẩm định"
HEADER_REASON = "Lý do"
#: Only in the orphan sheet: the tier of each kept value, and why it has no row any more.
HEADER_TIER = "Mã khối"
HEADER_WHY = "Ghi chú"

HEADERS = (
    HEADER_UNIT,
    HEADER_UNIT_NAME,
    HEADER_CRITERION,
    HEADER_CRITERION_NAME,
    HEADER_MAX,
    HEADER_SELF,
    HEADER_VALUE,
    HEADER_REASON,
)
ORPHAN_HEADERS = (
    HEADER_TIER,
    HEADER_UNIT,
    HEADER_UNIT_NAME,
    HEADER_CRITERION,
    HEADER_CRITERION_NAME,
    HEADER_VALUE,
    HEADER_REASON,
    HEADER_WHY,
)
_WIDTHS = (10.0, 26.0, 8.0, 42.0, 8.0, 10.0, 10.0, 36.0)
_ORPHAN_WIDTHS = (12.0, 10.0, 26.0, 8.0, 36.0, 10.0, 34.0, 34.0)
COL_VALUE, COL_REASON = HEADERS.index(HEADER_VALUE), HEADERS.index(HEADER_REASON)
NOT_APPLICABLE_TEXT = "Không áp dụng"
#: The self-assessed cell of a leaf whose score the unit typed but that cannot be used.
INVALID_CLAIM = "{claim} (không hợp lệ)"

INSTRUCTION = (
    "Tệp của Hội đồng thẩm định: mỗi dòng là một tiêu chí của một đơn vị, kèm điểm đơn vị tự đánh giá. "
    "Chỉ nhập vào hai cột màu vàng. Điểm thẩm định: nhập số (dấu thập phân theo máy); để trống nếu giữ "
    "điểm tự đánh giá. Lý do: bắt buộc khi điểm thẩm định khác điểm tự đánh giá. Các dòng điểm cộng/điểm "
    "trừ do Hội đồng quyết định (điểm trừ ghi số âm; lý do bắt buộc khi khác 0). Không sửa mã, không đổi tên "
    "tệp. Khi có thêm biểu của đơn vị, chạy: egov-xlsx appraisal --update (giữ nguyên điểm và lý do đã nhập)."
)
ORPHAN_LEGEND = (
    "Giá trị Hội đồng đã nhập nhưng không còn dòng tương ứng (đơn vị hoặc tiêu chí đã bỏ khỏi egov.toml, "
    "hoặc đơn vị chưa có biểu). Các giá trị này không được dùng để chấm điểm; khi dòng tương ứng có lại, "
    "lệnh egov-xlsx appraisal --update đưa giá trị trở lại dòng đó."
)


@dataclass(frozen=True)
class SheetRow:
    """One row of a tier sheet: a unit's leaf criterion or bonus/penalty line, with what is already entered."""

    unit: Unit
    code: str
    name: str
    #: The leaf's maximum; ``None`` for a bonus/penalty line (``adjustment`` set).
    max: Decimal | None
    adjustment: Adjustment | None = None
    self_score: Decimal | None = None
    not_applicable: bool = False
    value: CellValue = None
    reason: str = ""
    #: What the unit typed where its score could not be used ("abc", "25" above the maximum), shown so that
    #: the council sees the claim.
    claim: str = ""


@dataclass(frozen=True)
class TierSheet:
    tier: Tier
    rows: tuple[SheetRow, ...]


@dataclass(frozen=True)
class Orphan:
    """A value the council entered whose row is gone, kept so that nothing is lost."""

    tier_id: str
    unit_code: str
    unit_name: str
    criterion: str
    criterion_name: str
    value: CellValue
    reason: str
    why: str


@dataclass(frozen=True)
class Entry:
    """One table row of the file as read back: raw values, 1-based row, 0-based columns by header key."""

    sheet: str
    row: int
    tier_id: str | None
    unit_code: str
    criterion: str
    value: CellValue
    reason: str
    columns: Mapping[str, int]
    unit_name: str = ""
    criterion_name: str = ""
    #: Read from the "Dòng không còn dùng" sheet (kept values, not used for scoring).
    orphan: bool = False

    @property
    def entered(self) -> bool:
        return self.value is not None or bool(self.reason)

    def cell(self, key: str) -> str:
        return cell_address(self.row, self.columns[key])


def tier_of(campaign: Campaign, e: Entry) -> Tier | None:
    """The entry's tier: its sheet's (or orphan row's) tier id, else the tier of its unit code."""
    if e.tier_id is not None:
        return campaign.tier(e.tier_id)
    found = campaign.find_unit(e.unit_code)
    return found[0] if found else None


Key = tuple[str, str, str]


def plan(
    campaign: Campaign, submissions: Sequence[Submission], previous: Sequence[Entry]
) -> tuple[list[TierSheet], list[Orphan], int]:
    """Every tier sheet's rows with the values already entered put back; the orphans; how many were put back.

    Rows: units with a submission (valid or not) in roster order, each with its leaves in tree order, then
    the tier's bonus/penalty lines. Entered values are matched by (tier id, unit code, criterion code). A value
    from a tier sheet wins over one kept in the orphan sheet for the same row; the other stays an orphan.
    """
    subs = {s.unit_code: s for s in submissions}
    carried: dict[Key, Entry] = {}
    leftovers: list[tuple[Key, Entry]] = []
    for e in sorted(previous, key=lambda e: e.orphan):  # tier sheets first
        tier = tier_of(campaign, e)
        key = (tier.id if tier else e.tier_id or "", e.unit_code, e.criterion)
        if key in carried:
            leftovers.append((key, e))
        else:
            carried[key] = e
    sheets: list[TierSheet] = []
    used: set[Key] = set()
    for tier in campaign.tiers:
        rows: list[SheetRow] = []
        for unit in tier.units:
            sub = subs.get(unit.code)
            if sub is None or sub.tier_id != tier.id:
                continue
            lines: list[tuple[str, str, Decimal | None, Adjustment | None]] = [
                *((c.code, c.name, c.max, None) for c in tier.leaves()),
                *((a.code, a.name, None, a) for a in tier.adjustments),
            ]
            for code, name, top, adj in lines:
                key = (tier.id, unit.code, code)
                used.add(key)
                found = carried.get(key)
                rows.append(
                    SheetRow(
                        unit,
                        code,
                        name,
                        top,
                        adj,
                        self_score=sub.scores.get(code) if adj is None else None,
                        not_applicable=code in sub.not_applicable,
                        value=found.value if found else None,
                        reason=found.reason if found else "",
                        claim=sub.claims.get(code, "") if adj is None else "",
                    )
                )
        sheets.append(TierSheet(tier, tuple(rows)))
    orphans = [_orphan(campaign, subs, k, e, False) for k, e in carried.items() if k not in used]
    orphans += [_orphan(campaign, subs, k, e, True) for k, e in leftovers]
    return sheets, orphans, sum(1 for k in carried if k in used)


def _orphan(campaign: Campaign, subs: Mapping[str, Submission], key: Key, e: Entry, duplicate: bool) -> Orphan:
    tier = campaign.tier(key[0])
    if duplicate:
        why = "Trùng với một giá trị khác đã nhập cho cùng đơn vị và tiêu chí"
    elif tier is None:
        why = "Khối không còn trong egov.toml"
    elif tier.unit(e.unit_code) is None:
        why = "Đơn vị không còn trong danh sách của khối (egov.toml)"
    elif not _is_line(tier, e.criterion):
        why = "Tiêu chí không còn trong bộ tiêu chí của khối"
    elif e.unit_code not in subs:
        why = "Đơn vị chưa có biểu trong inbox/"
    else:
        why = "Không còn dòng tương ứng"
    return Orphan(key[0], e.unit_code, e.unit_name, e.criterion, e.criterion_name, e.value, e.reason, why)


def _is_line(tier: Tier, code: str) -> bool:
    """A leaf criterion or a bonus/penalty line of the tier: what a row of the tier sheet stands for."""
    if tier.has_criterion(code):
        return tier.criterion(code).is_leaf
    return any(a.code == code for a in tier.adjustments)


class _Formats:
    """The formats this workbook needs beyond the shared :class:`~egov_xlsx.publish.sheets.Styles`, made once."""

    def __init__(self, wb: Workbook, styles: Styles) -> None:
        cell: dict[str, Any] = {"font_name": "Times New Roman", "font_size": 11, "valign": "vcenter", "border": 1}
        self.styles = styles
        self.label = wb.add_format({"font_name": "Times New Roman", "italic": True, "valign": "top"})
        self.value = wb.add_format({"font_name": "Times New Roman", "bold": True, "text_wrap": True, "valign": "top"})
        self.instruction = wb.add_format(
            {
                "font_name": "Times New Roman",
                "italic": True,
                "text_wrap": True,
                "valign": "top",
                "font_color": "#C00000",
            }
        )
        self.code = wb.add_format({**cell, "align": "center"})
        self.adjustment = wb.add_format({**cell, "italic": True, "text_wrap": True})
        self.input = wb.add_format({**cell, "locked": False, "bg_color": "#FFFF99", "num_format": "General"})
        self.reason = wb.add_format(
            {**cell, "locked": False, "bg_color": "#FFFF99", "text_wrap": True, "num_format": "@"}
        )


def write_appraisal_workbook(
    campaign: Campaign, sheets: Sequence[TierSheet], orphans: Sequence[Orphan], path: Path
) -> None:
    """Write ``appraisal.xlsx`` to ``path`` (a plain write: the caller stages it atomically)."""
    wb = open_workbook(path, campaign, title="Điểm thẩm định")
    fmt = _Formats(wb, Styles(wb, campaign.display))
    names = SheetNames()
    for sheet in sheets:
        _write_tier(wb.add_worksheet(names.add(sheet.tier.name)), fmt, campaign, sheet)
    if orphans:
        _write_orphans(wb.add_worksheet(names.add(ORPHAN_SHEET)), fmt, campaign, orphans)
    close_workbook(wb, path)


def tier_sheet_names(campaign: Campaign) -> dict[str, str]:
    """Sheet name -> tier id, as :func:`write_appraisal_workbook` names the tier sheets."""
    names = SheetNames()
    return {names.add(t.name): t.id for t in campaign.tiers}


def _write_block(ws: Worksheet, fmt: _Formats, campaign: Campaign, tier: Tier) -> int:
    """Title, campaign, the labelled tier and campaign ids, the instruction; return the header row."""
    styles, last, width = fmt.styles, len(HEADERS) - 1, sum(_WIDTHS)
    row = write_title(ws, 0, last, TITLE, styles.title, width=width, font_size=14)
    row = write_title(ws, row, last, campaign.title, styles.subtitle, width=width, font_size=12)
    for label, value in ((LABEL_TIER, tier.name), (LABEL_TIER_ID, tier.id), (LABEL_CAMPAIGN, campaign.id)):
        ws.merge_range(row, 0, row, 1, "", fmt.label)
        ws.write_string(row, 0, label, fmt.label)
        ws.merge_range(row, 2, row, last, "", fmt.value)
        ws.write_string(row, 2, value, fmt.value)
        row += 1
    row = write_title(ws, row, last, INSTRUCTION, fmt.instruction, width=width, font_size=11)
    return row + 1


def _write_tier(ws: Worksheet, fmt: _Formats, campaign: Campaign, sheet: TierSheet) -> None:
    styles = fmt.styles
    set_widths(ws, _WIDTHS)
    header = _write_block(ws, fmt, campaign, sheet.tier)
    write_header_row(ws, header, HEADERS, _WIDTHS, styles.header)
    validations: dict[tuple[str, bool], list[str]] = {}
    targets: dict[tuple[str, bool], SheetRow] = {}
    row = header
    for item in sheet.rows:
        row += 1
        ws.write_string(row, 0, item.unit.code, fmt.code)
        write_text(ws, row, 1, item.unit.name, styles.text)
        ws.write_string(row, 2, item.code, fmt.code)
        write_text(ws, row, 3, item.name, fmt.adjustment if item.adjustment else styles.text)
        if item.adjustment is not None:
            ws.write(row, 4, adjustment_bound(item.adjustment), styles.center)
        elif item.max is not None:
            ws.write_number(row, 4, number(item.max), styles.score)
        if item.not_applicable:
            ws.write_string(row, 5, NOT_APPLICABLE_TEXT, styles.not_applicable)
        elif item.self_score is not None:
            ws.write_number(row, 5, number(item.self_score), styles.score)
        elif item.claim:
            write_text(ws, row, 5, INVALID_CLAIM.format(claim=item.claim), styles.text)
        else:
            ws.write_blank(row, 5, None, styles.score)
        write_value(ws, row, COL_VALUE, item.value, fmt.input)
        write_text(ws, row, COL_REASON, item.reason, fmt.reason)
        key = (item.code, item.adjustment is not None)
        validations.setdefault(key, []).append(f"G{row + 1}")
        targets.setdefault(key, item)
        fit_row(ws, row, ((item.unit.name, _WIDTHS[1]), (item.name, _WIDTHS[3]), (item.reason, _WIDTHS[7])))
    for key, cells in validations.items():
        _validate(ws, targets[key], cells)
    last = len(HEADERS) - 1
    ws.autofilter(header, 0, max(row, header), last)
    if row > header:
        ws.ignore_errors({"number_stored_as_text": f"A{header + 2}:A{row + 1} C{header + 2}:C{row + 1}"})
    ws.freeze_panes(header + 1, 0)
    setup_page(ws, left=campaign.title, right=f"Thẩm định - Khối: {sheet.tier.name}", repeat=(header, header))
    # No password: protection only keeps codes and self scores from being overwritten by mistake.
    ws.protect("", {"autofilter": True, "format_columns": True, "format_rows": True})


def _validate(ws: Worksheet, item: SheetRow, cells: list[str]) -> None:
    """One decimal validation per criterion (or bonus/penalty line) over all its cells in the sheet."""
    if item.adjustment is not None:
        low, high = item.adjustment.min, item.adjustment.max
        what = f"Điểm cộng/trừ {item.code}"
    else:
        low, high = Decimal(0), item.max or Decimal(0)
        what = f"Tiêu chí {item.code}"
    shown = f"từ {format_number(low)} đến {format_number(high)}"
    first = cells[0]
    options: dict[str, Any] = {
        "validate": "decimal",
        "criteria": "between",
        "minimum": _literal(low),
        "maximum": _literal(high),
        "input_title": what[:32],  # Excel's limit
        "input_message": f"Nhập điểm thẩm định {shown}; để trống nếu giữ điểm tự đánh giá."[:255],
        "error_title": "Điểm không hợp lệ",
        "error_message": f"Điểm thẩm định phải là số {shown}."[:255],
        "ignore_blank": True,
    }
    if len(cells) > 1:
        options["multi_range"] = " ".join(cells)
    ws.data_validation(first, options)


def _literal(value: Decimal) -> int | float:
    """A bound as Excel shows it in the validation dialog: 20, not 20.0."""
    return int(value) if value == value.to_integral_value() else number(value)


def write_value(ws: Worksheet, row: int, col: int, value: CellValue, fmt: Format) -> None:
    """A value the council typed, written back as it was: a number stays a number, text stays text."""
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_string(row, col, "TRUE" if value else "FALSE", fmt)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, fmt)
    elif isinstance(value, datetime | date):
        ws.write_string(row, col, value.strftime("%d/%m/%Y"), fmt)
    elif isinstance(value, time | timedelta):
        ws.write_string(row, col, str(value), fmt)
    else:
        write_text(ws, row, col, str(value), fmt)


def _write_orphans(ws: Worksheet, fmt: _Formats, campaign: Campaign, orphans: Sequence[Orphan]) -> None:
    styles, last, width = fmt.styles, len(ORPHAN_HEADERS) - 1, sum(_ORPHAN_WIDTHS)
    set_widths(ws, _ORPHAN_WIDTHS)
    row = write_title(
        ws, 0, last, "GIÁ TRỊ THẨM ĐỊNH KHÔNG CÒN DÒNG TƯƠNG ỨNG", styles.title, width=width, font_size=14
    )
    row = write_title(ws, row, last, campaign.title, styles.subtitle, width=width, font_size=12)
    header = write_title(ws, row, last, ORPHAN_LEGEND, fmt.instruction, width=width, font_size=11) + 1
    write_header_row(ws, header, ORPHAN_HEADERS, _ORPHAN_WIDTHS, styles.header)
    row = header
    for o in orphans:
        row += 1
        ws.write_string(row, 0, o.tier_id, fmt.code)
        ws.write_string(row, 1, o.unit_code, fmt.code)
        write_text(ws, row, 2, o.unit_name, styles.text)
        ws.write_string(row, 3, o.criterion, fmt.code)
        write_text(ws, row, 4, o.criterion_name, styles.text)
        write_value(ws, row, 5, o.value, styles.score)
        write_text(ws, row, 6, o.reason, styles.text)
        write_text(ws, row, 7, o.why, styles.text)
        fit_row(ws, row, ((o.unit_name, _ORPHAN_WIDTHS[2]), (o.reason, _ORPHAN_WIDTHS[6]), (o.why, _ORPHAN_WIDTHS[7])))
    ws.autofilter(header, 0, row, last)
    ws.freeze_panes(header + 1, 0)
    setup_page(ws, left=campaign.title, right=ORPHAN_SHEET, repeat=(header, header))
