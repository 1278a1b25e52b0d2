"""The appraisal council's workbook, ``appraisal.xlsx``: written (xlsxwriter), and rewritten by ``--update``.

One sheet per tier: a title block (what the file is, how to fill it, "Mã khối:" and "Mã đợt đánh giá:"
labels the reader uses), then a table whose header reads Mã đơn vị | Đơn vị | Mã tiêu chí | Tiêu chí |
Điểm tối đa | Điểm tự đánh giá | Điểm thẩm định | Lý do. The sheet is protected without a password, so only
the two yellow input columns can be edited (sorting is off, filtering on). An extra sheet "Dòng không còn
dùng" keeps values the council entered that no longer match a row.

``write_appraisal(report, *, now, update=False) -> AppraisalWritten``
    Write the file from a check report: one sheet per tier, one row per unit with a submission (roster
    order) and leaf criterion (tree order), then the unit's bonus/penalty lines. When the file exists it
    raises :class:`AppraisalExists` (an ``OutputError``: exit code 4) unless ``update``; an existing file it
    cannot read, or with a formula in a table row (``appraisal-formula``), is refused (``OutputError``, exit
    code 4, the file untouched). Otherwise it first copies
    the old file to ``appraisal.<YYYYmmdd-HHMMSS>.xlsx`` beside it (``now`` names it), and keeps every value
    and reason already entered (:func:`egov_xlsx.rules.appraisal_update.plan_sheets`). ``pipeline.make_appraisal``
    checks the inbox, then calls it (what ``egov-xlsx appraisal`` calls).

The reader (:mod:`egov_xlsx.read.appraisal`) finds the tables by their header labels, not by position.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from egov_xlsx.atomic import Staging, explain
from egov_xlsx.errors import OutputError
from egov_xlsx.layout import LABEL_CAMPAIGN
from egov_xlsx.model import Appraiser, Campaign, CellValue, CheckReport, Finding, Tier
from egov_xlsx.publish.appraisal_facts import FACT_HEADERS, FACT_WIDTHS, INSTRUCTION_FACTS, validate_facts, write_facts
from egov_xlsx.publish.sheet_page import fit_row, set_widths, setup_page, write_header_row, write_title
from egov_xlsx.publish.sheets import Styles, adjustment_bound, number, open_workbook, write_text
from egov_xlsx.read.appraisal import (
    FILE_NAME,
    HEADER_CRITERION,
    HEADER_CRITERION_NAME,
    HEADER_MAX,
    HEADER_REASON,
    HEADER_SELF,
    HEADER_TIER,
    HEADER_UNIT,
    HEADER_UNIT_NAME,
    HEADER_VALUE,
    HEADER_WHY,
    LABEL_TIER,
    LABEL_TIER_ID,
    ORPHAN_SHEET,
    Entry,
    appraisal_path,
    read_entries,
)
from egov_xlsx.read.appraisers import LABEL_BODY, body_instruction
from egov_xlsx.rules.appraisal import formula_findings
from egov_xlsx.rules.appraisal_update import Orphan, SheetRow, TierSheet, plan_sheets
from egov_xlsx.sheet_names import SheetNames
from egov_xlsx.style import FONT, INPUT_YELLOW
from egov_xlsx.vietnamese import format_number
from egov_xlsx.workbook_files import close_workbook

TITLE = "BẢNG ĐIỂM THẨM ĐỊNH"

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
#: The unit-value cell of a criterion the council scores: the unit gives none, the council enters it.
COUNCIL_TEXT = "Hội đồng nhập"
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


class AppraisalExists(OutputError):
    """``appraisal.xlsx`` exists and ``update`` was not asked for: the council's values must not be lost."""


class _Formats:
    """The formats this workbook needs beyond the shared :class:`~egov_xlsx.publish.sheets.Styles`, made once."""

    def __init__(self, wb: Workbook, styles: Styles) -> None:
        cell: dict[str, Any] = {"font_name": FONT, "font_size": 11, "valign": "vcenter", "border": 1}
        self.styles = styles
        self.label = wb.add_format({"font_name": FONT, "italic": True, "valign": "top"})
        self.value = wb.add_format({"font_name": FONT, "bold": True, "text_wrap": True, "valign": "top"})
        self.instruction = wb.add_format(
            {
                "font_name": FONT,
                "italic": True,
                "text_wrap": True,
                "valign": "top",
                "font_color": "#C00000",
            }
        )
        self.code = wb.add_format({**cell, "align": "center"})
        self.adjustment = wb.add_format({**cell, "italic": True, "text_wrap": True})
        self.input = wb.add_format({**cell, "locked": False, "bg_color": INPUT_YELLOW, "num_format": "General"})
        self.reason = wb.add_format(
            {**cell, "locked": False, "bg_color": INPUT_YELLOW, "text_wrap": True, "num_format": "@"}
        )


def write_appraisal_workbook(
    campaign: Campaign,
    sheets: Sequence[TierSheet],
    orphans: Sequence[Orphan],
    path: Path,
    *,
    body: Appraiser | None = None,
) -> None:
    """Write ``appraisal.xlsx`` to ``path`` (a plain write: the caller stages it atomically).

    ``body``: an appraising body's own file instead (``[[appraisers]]``), titled with its name.
    """
    wb = open_workbook(path, campaign, title="Điểm thẩm định" if body is None else f"Điểm thẩm định - {body.name}")
    fmt = _Formats(wb, Styles(wb, campaign.display))
    names = SheetNames()
    for sheet in sheets:
        _write_tier(wb.add_worksheet(names.add(sheet.tier.name)), fmt, campaign, sheet, body)
    if orphans:
        _write_orphans(wb.add_worksheet(names.add(ORPHAN_SHEET)), fmt, campaign, orphans)
    close_workbook(wb, path)


def _write_block(
    ws: Worksheet, fmt: _Formats, campaign: Campaign, tier: Tier, widths: Sequence[float], body: Appraiser | None
) -> int:
    """Title, campaign, the labelled tier and campaign ids (and body), the instruction; return the header row."""
    styles, last, width = fmt.styles, len(widths) - 1, sum(widths)
    rules = len(widths) > len(_WIDTHS)
    row = write_title(ws, 0, last, f"{TITLE} {campaign.measured.upper()}", styles.title, width=width, font_size=14)
    row = write_title(ws, row, last, campaign.title, styles.subtitle, width=width, font_size=12)
    labels = [(LABEL_TIER, tier.name), (LABEL_TIER_ID, tier.id), (LABEL_CAMPAIGN, campaign.id)]
    if body is not None:
        labels.insert(0, (LABEL_BODY, body.name))
    for label, value in labels:
        ws.merge_range(row, 0, row, 1, "", fmt.label)
        ws.write_string(row, 0, label, fmt.label)
        ws.merge_range(row, 2, row, last, "", fmt.value)
        ws.write_string(row, 2, value, fmt.value)
        row += 1
    text = INSTRUCTION + (INSTRUCTION_FACTS if rules else "")
    if body is not None:
        text = body_instruction(text, body)
    row = write_title(ws, row, last, text, fmt.instruction, width=width, font_size=11)
    return row + 1


def _write_tier(ws: Worksheet, fmt: _Formats, campaign: Campaign, sheet: TierSheet, body: Appraiser | None) -> None:
    styles = fmt.styles
    rules = any(c.rule is not None for c in sheet.tier.leaves())
    headers, widths = (HEADERS + FACT_HEADERS, _WIDTHS + FACT_WIDTHS) if rules else (HEADERS, _WIDTHS)
    set_widths(ws, widths)
    header = _write_block(ws, fmt, campaign, sheet.tier, widths, body)
    write_header_row(ws, header, headers, widths, styles.header)
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
        if item.council:
            ws.write_string(row, 5, COUNCIL_TEXT, styles.not_applicable)
        elif item.not_applicable:
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
        if rules:
            write_facts(ws, len(HEADERS), row, item, fmt.input, fmt.styles.text)
        fit_row(ws, row, ((item.unit.name, _WIDTHS[1]), (item.name, _WIDTHS[3]), (item.reason, _WIDTHS[7])))
    for key, cells in validations.items():
        _validate(ws, targets[key], cells)
        if rules and targets[key].rule is not None:
            validate_facts(ws, len(HEADERS), targets[key], [int(cell[1:]) - 1 for cell in cells])
    last = len(headers) - 1
    ws.autofilter(header, 0, max(row, header), last)
    if row > header:
        ws.ignore_errors({"number_stored_as_text": f"A{header + 2}:A{row + 1} C{header + 2}:C{row + 1}"})
    ws.freeze_panes(header + 1, 0)
    right = f"{'Thẩm định' if body is None else body.name} - Khối: {sheet.tier.name}"
    setup_page(ws, left=campaign.title, right=right, repeat=(header, header))
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
        "input_message": (
            f"Nhập điểm do Hội đồng chấm {shown} (không cần lý do); hoặc nhập bằng lệnh egov-xlsx import."
            if item.council
            else f"Nhập điểm thẩm định {shown}; để trống nếu giữ điểm tự đánh giá."
        )[:255],
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


@dataclass(frozen=True)
class AppraisalWritten:
    """What :func:`write_appraisal` did."""

    path: Path
    #: The copy of the previous file (``update`` only).
    backup: Path | None
    rows: int
    #: Entered values put back into their rows, and values kept in the orphan sheet.
    kept: int = 0
    orphans: int = 0
    #: The appraising body whose file this is (``[[appraisers]]``); "" for ``appraisal.xlsx``.
    appraiser: str = ""


def write_appraisal(report: CheckReport, *, now: datetime, update: bool = False) -> AppraisalWritten:
    """Write (or, with ``update``, rewrite) ``appraisal.xlsx`` of the report's campaign; see the module docstring.

    Raises :class:`AppraisalExists` when the file exists without ``update``, and :class:`OutputError` when
    the existing file cannot be read (it is then left untouched) or a file cannot be written.
    """
    campaign = report.campaign
    path = appraisal_path(campaign)
    previous: list[Entry] = []
    old: bytes | None = None
    backup: Path | None = None
    if path.exists():
        if not update:
            raise AppraisalExists(
                f"đã có {FILE_NAME} trong {campaign.folder} (có thể chứa điểm Hội đồng đã nhập); dùng --update "
                "để cập nhật: giữ nguyên điểm và lý do đã nhập, thêm dòng cho biểu mới, sao lưu tệp cũ."
            )
        previous, old, backup = kept_for_update(campaign, path, *read_entries(path, campaign), now)
    sheets, orphans, kept = plan_sheets(campaign, report.submissions, previous)
    with Staging() as staging:
        if old is not None and backup is not None:
            data = old
            staging.write(backup, lambda p: p.write_bytes(data))
        staging.write(path, lambda p: write_appraisal_workbook(campaign, sheets, orphans, p))
    rows = sum(len(s.rows) for s in sheets)
    return AppraisalWritten(path, backup, rows, kept, len(orphans))


def kept_for_update(
    campaign: Campaign, path: Path, entries: Sequence[Entry], problems: Sequence[Finding], now: datetime
) -> tuple[list[Entry], bytes, Path]:
    """What ``--update`` keeps of a council workbook read back: the entered rows, its bytes, and its backup's
    name. A file that could not be read, or with a formula in the council's cells, is refused (left untouched):
    a formula's cached value is never carried over, nor is its formula written back."""
    problems = problems or formula_findings(campaign, entries)
    if problems:
        more = f" (và {len(problems) - 1} ô khác có công thức)" if len(problems) > 1 else ""
        raise OutputError(f"{problems[0].message}{more} Tệp {path} không bị thay đổi.")
    try:
        old = path.read_bytes()
    except OSError as exc:
        raise explain(path, exc) from exc
    return [e for e in entries if e.entered], old, backup_path(path, now)


def backup_path(path: Path, now: datetime) -> Path:
    stem = f"{path.stem}.{now:%Y%m%d-%H%M%S}"
    candidate, n = path.with_name(f"{stem}{path.suffix}"), 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{stem}-{n}{path.suffix}")
    return candidate
