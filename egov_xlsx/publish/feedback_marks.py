"""Making one marked-up copy: the unit's own file marked, or a fresh form with its values; every problem cell
coloured and commented, and the "Cần sửa" sheet listing every finding.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from egov_xlsx import findings, layout
from egov_xlsx.errors import OutputError
from egov_xlsx.findings import sort_key
from egov_xlsx.model import Finding, FormRow, Severity, SourceFile, Tier
from egov_xlsx.publish.feedback import (
    _FILLS,
    _INPUT_FILL,
    _WIDTHS,
    AUTHOR,
    FRESH_NOTE,
    HEADERS,
    INSTRUCTION,
    REBUILT_NOTE,
    SHEET_TITLE,
    STALE_NOTE,
    FeedbackJob,
    Kind,
)
from egov_xlsx.publish.report import SEVERITY_LABELS
from egov_xlsx.rules.checked import MARKED_IN_PLACE
from egov_xlsx.rules.score_values import parse_score
from egov_xlsx.vietnamese import clean, format_number


@dataclass(frozen=True)
class _Mark:
    """A finding and the cell it was put on in the copy (``None``: only listed, with its own address)."""

    finding: Finding
    sheet: str
    cell: str | None


def write_marked_copy(job: FeedbackJob, path: Path) -> None:
    from openpyxl import load_workbook

    if job.kind == Kind.FRESH:
        wb = _fresh(job, path)
        marks = [_Mark(f, f.sheet or "", None) for f in job.findings]
        note = FRESH_NOTE.format(file=job.source.name)
    else:
        wb = None
        if job.source.kind in MARKED_IN_PLACE and job.kind == Kind.OWN:
            content = _checked_content(job.source)
            with contextlib.suppress(Exception):  # a file openpyxl cannot parse is rebuilt instead
                wb = load_workbook(io.BytesIO(content))
        if wb is None:
            wb, marks = _rebuild(job, path)
            if job.kind == Kind.STALE:
                note = STALE_NOTE
            else:
                note = REBUILT_NOTE.format(kind=Path(job.source.name).suffix.lower() or job.source.kind)
        else:
            _clear_old_marks(wb)
            marks = [_mark_in_own(wb, f) for f in job.findings]
            note = INSTRUCTION
    _apply(wb, marks)
    _summary(wb, job, marks, note)
    wb.calculation.fullCalcOnLoad = True  # openpyxl drops cached formula values: let Excel recompute
    wb.save(path)


def _checked_content(source: SourceFile) -> bytes:
    """The unit's file as `check` read it: the same bytes (by their SHA-256), so the gate's verdict holds.

    A file changed or removed since the check is not marked (the copy would not be what the report says).
    """
    try:
        content = source.path.read_bytes()
    except OSError as exc:
        raise OutputError(f"không đọc lại được tệp ({exc.strerror or exc})") from exc
    if hashlib.sha256(content).hexdigest() != source.sha256:
        raise OutputError("tệp đã thay đổi sau khi kiểm tra; chạy lại lệnh kiểm tra")
    return content


def _fresh(job: FeedbackJob, path: Path) -> Any:
    """A fresh, empty form of this campaign for the job's unit, written at ``path`` and opened."""
    from openpyxl import load_workbook

    from egov_xlsx.forms import write_form

    found = job.campaign.find_unit(job.unit_code)
    if found is None:
        raise OutputError(f"đơn vị {job.unit_code} không có trong danh sách")
    write_form(job.campaign, *found, path)
    return load_workbook(path)


def _mark_in_own(wb: Any, f: Finding) -> _Mark:
    # Findings name sheets as the reader does: NFC, spaces collapsed.
    ws = next((ws for ws in wb.worksheets if clean(ws.title) == clean(f.sheet or layout.FORM_SHEET)), None)
    if ws is None or not f.cell or layout.split_address(f.cell) == (0, 0):
        return _Mark(f, f.sheet or "", None)
    return _Mark(f, ws.title, _top_left(ws, f.cell))


def _top_left(ws: Any, address: str) -> str:
    """The cell that holds a merged range's value and comment (the others cannot take a comment)."""
    return next((str(r.start_cell.coordinate) for r in ws.merged_cells.ranges if address in r), address)


def _clear_old_marks(wb: Any) -> None:
    """Drop the marks of an earlier feedback copy the unit filled in and sent back."""
    from openpyxl.styles import PatternFill

    for ws in list(wb.worksheets):
        if clean(ws.title) == SHEET_TITLE:
            wb.remove(ws)
            continue
        for row in ws.iter_rows():
            for cell in row:
                if cell.comment is None or cell.comment.author != AUTHOR:
                    continue
                cell.comment = None
                if cell.fill.fgColor.rgb in _FILLS.values():
                    unlocked = not cell.protection.locked
                    cell.fill = PatternFill("solid", fgColor=_INPUT_FILL) if unlocked else PatternFill()


def _rebuild(job: FeedbackJob, path: Path) -> tuple[Any, list[_Mark]]:
    """A fresh form for the unit at ``path``, with the values of its submission (as `check` read them) written in."""
    from openpyxl import load_workbook

    from egov_xlsx.forms import write_form

    found = job.campaign.find_unit(job.unit_code)
    if found is None or not job.rows:
        raise OutputError("không đọc lại được bảng chấm điểm trong tệp")
    tier, unit = found
    write_form(job.campaign, tier, unit, path)
    wb = load_workbook(path)
    ws = wb[layout.FORM_SHEET]
    rows = _form_rows(ws)
    has_na = ws.cell(layout.HEADER_ROW, layout.COL_NA + 1).value == layout.HEADER_NA
    header = [cell.value for cell in ws[layout.HEADER_ROW]]
    # A rule-based criterion's facts go back into their columns; its points cell keeps the form's formula.
    facts = [header.index(h) + 1 for h in (layout.HEADER_FACT, layout.HEADER_FACT_B) if h in header]
    seen: set[str] = set()
    for r in job.rows:
        if r.code in seen or r.code not in rows:
            continue
        seen.add(r.code)
        row = rows[r.code]
        _put(ws.cell(row, layout.COL_NOTE + 1), r.note or None)
        criterion = tier.criterion(r.code)
        if criterion.is_leaf and criterion.rule is not None and len(facts) == 2:
            _put(ws.cell(row, facts[0]), r.fact)
            if criterion.rule.inputs[1:]:  # a ratio's b
                _put(ws.cell(row, facts[1]), r.fact_b)
        elif criterion.is_leaf:  # a parent's score cell keeps the form's subtotal formula
            _put(ws.cell(row, layout.COL_SCORE + 1), r.score)
        if criterion.is_leaf and r.not_applicable and has_na:
            _put(ws.cell(row, layout.COL_NA + 1), layout.NA_MARK)
    marks = [_mark_in_fresh(ws, rows, job.rows, f) for f in job.findings]
    if job.kind == Kind.STALE:
        marks += _changed_criteria(tier, job.rows, rows)
    return wb, marks


def _changed_criteria(tier: Tier, own_rows: Sequence[FormRow], rows: dict[str, int]) -> list[_Mark]:
    """On a stale form made fresh: a mark on each leaf whose maximum changed, or that the old form lacked."""
    printed = {r.code: r.max for r in own_rows}
    marks: list[_Mark] = []
    for c in tier.leaves():
        if c.code not in rows:
            continue
        cell = layout.cell_address(rows[c.code], layout.COL_SCORE)
        if c.code not in printed:
            detail = "tiêu chí mới, chưa có trong biểu cũ: nhập điểm"
        else:
            old, problem = parse_score(printed[c.code])
            if problem is not None or old is None or old == c.max:
                continue
            detail = f"điểm tối đa đổi từ {format_number(old)} thành {format_number(c.max)}: kiểm tra lại điểm đã điền"
        found = findings.make(
            "criterion-changed", file=None, sheet=layout.FORM_SHEET, cell=cell, criterion=c.code, detail=detail
        )
        marks.append(_Mark(found, layout.FORM_SHEET, cell))
    return marks


def _form_rows(ws: Any) -> dict[str, int]:
    """Criterion code -> 1-based row of a freshly written form."""
    rows: dict[str, int] = {}
    for row in range(layout.FIRST_DATA_ROW, ws.max_row + 1):
        code = clean(ws.cell(row, layout.COL_CODE + 1).value)
        if not code:
            break
        rows.setdefault(code, row)
    return rows


def _mark_in_fresh(ws: Any, rows: dict[str, int], own_rows: Sequence[FormRow], f: Finding) -> _Mark:
    """Map a finding on the unit's own file to the fresh form: same criterion row, same column role."""
    if not f.criterion or f.criterion not in rows:
        return _Mark(f, f.sheet or "", None)
    col = layout.COL_SCORE
    own = next((r for r in own_rows if r.code == f.criterion), None)
    if f.cell and own is not None:
        # Column relative to the unit's score column: the note and maximum keep their place beside it.
        col += layout.split_address(f.cell)[1] - layout.split_address(own.score_cell)[1]
        col = min(max(col, 0), ws.max_column - 1)
    return _Mark(f, ws.title, layout.cell_address(rows[f.criterion], col))


def _apply(wb: Any, marks: Sequence[_Mark]) -> None:
    """Colour each marked cell by its worst finding and comment it with every message on it."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    cells: dict[tuple[str, str], list[Finding]] = {}
    for m in marks:
        if m.cell is not None and m.sheet in wb.sheetnames:
            cells.setdefault((m.sheet, m.cell), []).append(m.finding)
    for (sheet, address), found in cells.items():
        cell = wb[sheet][address]
        worst = Severity.ERROR if any(f.is_error for f in found) else Severity.WARNING
        cell.fill = PatternFill("solid", fgColor=_FILLS[worst])
        text = _safe("\n".join(f"{SEVERITY_LABELS[f.severity]}: {f.message}" for f in found))
        # Sized in pixels: about 45 characters a line at 340 px; Excel's default box shows three short lines.
        lines = sum(math.ceil(max(len(line), 1) / 45) for line in text.splitlines())
        cell.comment = Comment(text, AUTHOR, height=min(24 + 16 * lines, 480), width=340)


def _summary(wb: Any, job: FeedbackJob, marks: Sequence[_Mark], note: str) -> None:
    """Insert the first sheet, "Cần sửa", and make it the one shown on opening."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(SHEET_TITLE, 0)
    last = len(HEADERS)
    hit = job.campaign.find_unit(job.unit_code)
    errors = sum(f.is_error for f in job.findings)
    _row(ws, 1, ["DANH SÁCH NỘI DUNG CẦN SỬA"], Font(bold=True, size=13))
    for row, (label, value) in enumerate(
        (
            ("Đơn vị:", job.unit_code if hit is None else f"{hit[1].code} - {hit[1].name}"),
            ("Tệp:", job.source.name),
            ("Đợt đánh giá:", job.campaign.title),
            ("Kết quả kiểm tra:", f"{errors} lỗi, {len(job.findings) - errors} cảnh báo"),
        ),
        start=2,
    ):
        # Labels in column B: column A (STT) is too narrow for "Đợt đánh giá:".
        _row(ws, row, [None, label], Font(italic=True))
        _row(ws, row, [None, None, value], Font(bold=True))
        ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=last)
    row = 6
    _row(ws, row, [note], Font(italic=True, color="FFC00000"), Alignment(wrap_text=True, vertical="top"))
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
    ws.row_dimensions[row].height = 15 * math.ceil(len(note) / 130) + 3  # merged cells never autofit
    row += 1
    header = row + 1
    _row(ws, header, HEADERS, Font(bold=True), fill=PatternFill("solid", fgColor="FFD9D9D9"))
    wrap = Alignment(wrap_text=True, vertical="top")
    for n, m in enumerate(sorted(marks, key=lambda m: sort_key(m.finding)), start=1):
        f = m.finding
        _row(
            ws,
            header + n,
            [n, m.sheet, m.cell or f.cell or "", f.criterion or "", SEVERITY_LABELS[f.severity], f.message],
            None,
            wrap,
        )
        ws.cell(header + n, last - 1).fill = PatternFill("solid", fgColor=_FILLS[f.severity])
        # LibreOffice keeps a row's default height on opening: give long messages the lines they need.
        ws.row_dimensions[header + n].height = 15 * max(1, math.ceil(len(f.message) / (_WIDTHS[-1] * 1.1))) + 2
    for col, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = ws.cell(header + 1, 1)
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToHeight = 0
    ws.page_setup.orientation = "landscape"
    for other in wb.worksheets:
        other.sheet_view.tabSelected = other is ws
    wb.active = 0


def _row(ws: Any, row: int, values: Iterable[object], font: Any = None, align: Any = None, fill: Any = None) -> None:
    """Write ``values`` from column A (``None`` skips a cell), with an optional font, alignment and fill."""
    for col, value in enumerate(values, start=1):
        if value is None:
            continue
        cell = ws.cell(row, col)
        _put(cell, value)
        for name, style in (("font", font), ("alignment", align), ("fill", fill)):
            if style is not None:
                setattr(cell, name, style)


def _put(cell: Any, value: object) -> None:
    """Write a value; text stays text even when it starts with "=" (openpyxl would make it a formula)."""
    if isinstance(value, str):
        cell.value = _safe(value)
        cell.data_type = "s"
    else:
        cell.value = value


def _safe(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    # NFC line by line: ``clean`` alone would fold the line breaks of a comment into spaces.
    text = "\n".join(clean(line) for line in text.split("\n"))
    return str(ILLEGAL_CHARACTERS_RE.sub("", text))
