"""Marked-up copies of units' own files, to send back: every problem cell coloured and commented.

:func:`feedback_jobs` decides, without any I/O, which copies to make: one per file of a roster unit with at
least one error, or a warning the unit has to act on (warnings that need nothing from the unit, such as a
recomputed subtotal, get no copy). Copies are named like forms ("SKHDT - So Ke hoach va Dau tu.xlsx").
:meth:`FeedbackJob.write` makes one, in one of three ways:

* the unit's own .xlsx/.xlsm, opened with openpyxl (read from memory: the unit's file is never written) and
  saved as a copy whose first sheet, "Cần sửa", lists every finding; the form sheet keeps its protection and
  the hidden metadata sheet stays as it was, so the unit can fill the copy in and send it back;
* a fresh form of this campaign with the unit's values written in, when openpyxl cannot edit the file (.xls,
  .ods, some files other programs write) or the form is stale (the criteria changed since it was made:
  the criteria whose maximum changed, or that are new, are marked);
* a fresh, empty form of this campaign when the file is no usable form at all (empty, unreadable, not a
  form, a form of another campaign, year or tier).

:func:`stage_copy_pruning` keeps a small manifest of the copies the tool wrote in ``tra-lai/`` and removes those
that no longer apply (only its own, and only while unchanged since it wrote them).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from egov_xlsx import findings, layout
from egov_xlsx.errors import OutputError
from egov_xlsx.findings import sort_key
from egov_xlsx.model import Campaign, CheckReport, Finding, Reading, Severity, SourceFile, Tier
from egov_xlsx.rules.score_values import parse_score
from egov_xlsx.style import INPUT_YELLOW
from egov_xlsx.vietnamese import clean, format_number, safe_filename

if TYPE_CHECKING:
    from egov_xlsx.atomic import Staging

SHEET_TITLE = "Cần sửa"
AUTHOR = "egov-xlsx"
#: One instruction a copy, by how it was made (``{kind}``: the submitted file's extension).
INSTRUCTION = (
    "Đơn vị sửa các ô được tô màu trong trang 'Chấm điểm' của tệp này rồi gửi lại chính tệp này "
    "(không đổi tên cột, không thêm/xóa dòng)."
)
REBUILT_NOTE = (
    "Tệp đơn vị gửi ({kind}) không sửa trực tiếp được nên biểu này được tạo lại từ biểu mẫu chuẩn, "
    "đã điền sẵn điểm và ghi chú đơn vị đã nhập. Đơn vị sửa các ô được tô màu trong trang 'Chấm điểm' rồi gửi "
    "lại chính tệp .xlsx này (không gửi lại tệp {kind} cũ)."
)
STALE_NOTE = (
    "Bộ tiêu chí đã thay đổi sau khi biểu của đơn vị được tạo nên biểu này được tạo lại theo bộ tiêu chí hiện "
    "hành, đã điền sẵn điểm và ghi chú đơn vị đã nhập. Đơn vị kiểm tra các ô được tô màu (tiêu chí đổi điểm "
    "tối đa hoặc mới thêm) trong trang 'Chấm điểm' rồi gửi lại chính tệp .xlsx này (không gửi lại biểu cũ)."
)
FRESH_NOTE = (
    "Tệp đơn vị gửi ({file}) không dùng được cho đợt đánh giá này (lý do ở bảng dưới). Đây là biểu mới của đợt "
    "đánh giá: đơn vị chấm điểm vào các ô màu vàng trong trang 'Chấm điểm' rồi gửi lại chính tệp .xlsx này."
)
HEADERS = ("STT", "Trang tính", "Ô", "Tiêu chí", "Mức độ", "Nội dung")
#: The tool's record of the copies it wrote in the feedback folder: file name -> SHA-256 of what it wrote.
MANIFEST = ".egov-xlsx-tra-lai.json"
_EDITABLE = frozenset({"xlsx", "xlsm"})
#: Warnings addressed to the clerk, not to the unit (duplicate copies, a misleading file name).
_CLERK_CODES = frozenset({"unit-duplicate-identical", "filename-other-unit", "file-not-used"})
#: Warnings that ask nothing of the unit: listed in a copy made for other findings, never the reason for one.
_NO_ACTION_CODES = frozenset(
    {"max-changed", "capped-parent", "subtotal-mismatch", "form-version", "metadata-missing", "row-order"}
)
#: Errors saying the file is no usable form of this campaign (besides every ``file-*`` error of the gate):
#: the unit gets a fresh, empty form.
_NOT_A_FORM = frozenset(
    {
        "zip-bomb",
        "xml-entities",
        "form-not-recognised",
        "unit-unidentified",
        "wrong-campaign",
        "wrong-year",
        "wrong-tier",
    }
)
_LABELS = {Severity.ERROR: "Lỗi", Severity.WARNING: "Cảnh báo"}
_FILLS = {Severity.ERROR: "FFFF7C80", Severity.WARNING: "FFFFC000"}
_INPUT_FILL = "FF" + INPUT_YELLOW.lstrip("#")  # the form's yellow input cells, as openpyxl reads them
_WIDTHS = (6, 16, 8, 10, 11, 90)


class Kind(StrEnum):
    """How a copy is made (see the module docstring)."""

    OWN = "own"  # the unit's own file marked up (rebuilt when openpyxl cannot edit it)
    STALE = "stale"  # a fresh current form with the stale form's values
    FRESH = "fresh"  # a fresh empty form: the file is no usable form


@dataclass(frozen=True)
class FeedbackJob:
    """One marked-up copy to write: ``filename`` in the feedback folder, for ``source`` and its findings."""

    filename: str
    unit_code: str
    source: SourceFile
    findings: tuple[Finding, ...]
    campaign: Campaign
    kind: Kind = Kind.OWN

    def write(self, path: Path) -> None:
        """Write the marked-up copy to ``path``; ``source.path`` is only read.

        Raises :class:`OutputError` (Vietnamese, naming the unit's file) when the copy cannot be made.
        """
        try:
            _write(self, path)
        except Exception as exc:  # openpyxl and the zip/XML layers raise anything: wrap at the boundary
            why = clean(str(exc)).rstrip(".")[:300] or type(exc).__name__
            raise OutputError(f"Không tạo được bản đánh dấu lỗi của tệp {self.source.name}: {why}.") from exc


def write_job(item: tuple[FeedbackJob, Path]) -> str | None:
    """Write one job's copy to its path; the Vietnamese reason when it cannot be made (for a process pool)."""
    job, path = item
    try:
        job.write(path)
    except OutputError as exc:
        return str(exc)
    return None


def feedback_jobs(report: CheckReport) -> list[FeedbackJob]:
    """The copies to write, in roster order (pure: no file is opened).

    A file gets a job when it is on a roster unit's line and has an error, or a warning the unit must act on.
    It is named as the unit's form is ("SKHDT - So Ke hoach va Dau tu.xlsx"), or, when several of the unit's
    files get a copy, after the form and the file ("SKHDT - So Ke hoach va Dau tu - bieu cu.xlsx").
    """
    wanted = (Severity.ERROR, Severity.WARNING)
    by_file: dict[str, list[Finding]] = {}
    for f in report.findings:
        if f.file and f.severity in wanted and f.code not in _CLERK_CODES:
            by_file.setdefault(f.file, []).append(f)
    sources = {s.name: s for s in report.sources}
    jobs: list[FeedbackJob] = []
    taken: set[str] = set()
    for status in report.statuses:
        code = status.unit.code
        files = [name for name in status.files if name in by_file and name in sources and _needs_copy(by_file[name])]
        form = safe_filename(f"{code} - {status.unit.name}")
        for name in files:
            stem = form if len(files) == 1 else f"{form} - {safe_filename(Path(name).stem)}"
            found = tuple(sorted(by_file[name], key=sort_key))
            job = FeedbackJob(_unique(stem, taken), code, sources[name], found, report.campaign, _kind(found))
            jobs.append(job)
    return jobs


def _needs_copy(found: Sequence[Finding]) -> bool:
    return any(f.is_error or f.code not in _NO_ACTION_CODES for f in found)


def _kind(found: Sequence[Finding]) -> Kind:
    if any(f.is_error and (f.code.startswith("file-") or f.code in _NOT_A_FORM) for f in found):
        return Kind.FRESH
    if any(f.code == "form-stale" for f in found):
        return Kind.STALE
    return Kind.OWN


def _unique(stem: str, taken: set[str]) -> str:
    name, n = f"{stem}.xlsx", 1
    while name.casefold() in taken:  # Windows and macOS disks ignore case
        n += 1
        name = f"{stem} ({n}).xlsx"
    taken.add(name.casefold())
    return name


def stage_copy_pruning(staging: Staging, folder: Path) -> list[Path]:
    """With this run's copies staged for ``folder``: stage the removal of the tool's copies that no longer apply.

    A copy is removed only when the manifest (:data:`MANIFEST`) says the tool wrote it, this run does not write
    it again, and its content is still what the tool wrote (a copy the clerk edited, or any other file, is
    never deleted). The manifest is staged anew with this run's copies. Both are part of the one commit of the
    run's outputs: all or none. Returns the copies that the commit removes.
    """
    manifest = folder / MANIFEST
    old = _read_manifest(manifest)
    now: dict[str, str] = {}
    for tmp, target in staging.staged:
        if target.parent == folder and target.name != MANIFEST:
            with contextlib.suppress(OSError):
                now[target.name] = _digest(tmp)
    removed: list[Path] = []
    for name, digest in old.items():
        path = folder / name
        if name in now or Path(name).name != name or not path.is_file():
            continue
        try:
            if _digest(path) != digest:
                continue
        except OSError:
            now[name] = digest  # unreadable now: still ours, looked at again next time
            continue
        staging.remove(path)
        removed.append(path)
    if now or old:
        data = json.dumps({"generator": AUTHOR, "copies": now}, ensure_ascii=False, indent=1, sort_keys=True)
        staging.write(manifest, lambda tmp: tmp.write_bytes(data.encode("utf-8")))
    return removed


def _read_manifest(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    copies = data.get("copies") if isinstance(data, dict) else None
    if not isinstance(copies, dict):
        return {}
    return {k: v for k, v in copies.items() if isinstance(k, str) and isinstance(v, str)}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class _Mark:
    """A finding and the cell it was put on in the copy (``None``: only listed, with its own address)."""

    finding: Finding
    sheet: str
    cell: str | None


def _write(job: FeedbackJob, path: Path) -> None:
    from openpyxl import load_workbook

    from egov_xlsx.read import gate

    if job.kind == Kind.FRESH:
        wb = _fresh(job, path)
        marks = [_Mark(f, f.sheet or "", None) for f in job.findings]
        note = FRESH_NOTE.format(file=job.source.name)
    else:
        # Gated again: the file is read once, checked as at `check` time, and its content decides the path.
        admitted = gate.admit(job.source.path)
        if not admitted.readable or admitted.content is None:
            raise OutputError(admitted.findings[0].message if admitted.findings else "không đọc lại được tệp")
        wb = None
        if admitted.source.kind in _EDITABLE and job.kind == Kind.OWN:
            with contextlib.suppress(Exception):  # a file openpyxl cannot parse is rebuilt instead
                wb = load_workbook(io.BytesIO(admitted.content))
        if wb is None:
            wb, marks = _rebuild(job, admitted.source, admitted.content, path)
            if job.kind == Kind.STALE:
                note = STALE_NOTE
            else:
                note = REBUILT_NOTE.format(kind=Path(job.source.name).suffix.lower() or admitted.source.kind)
        else:
            _clear_old_marks(wb)
            marks = [_mark_in_own(wb, f) for f in job.findings]
            note = INSTRUCTION
    _apply(wb, marks)
    _summary(wb, job, marks, note)
    wb.calculation.fullCalcOnLoad = True  # openpyxl drops cached formula values: let Excel recompute
    wb.save(path)


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


def _rebuild(job: FeedbackJob, source: SourceFile, content: bytes, path: Path) -> tuple[Any, list[_Mark]]:
    """A fresh form for the unit at ``path``, with the values of its submission written in."""
    from openpyxl import load_workbook

    from egov_xlsx.forms import write_form
    from egov_xlsx.read.form_parser import read_form

    found = job.campaign.find_unit(job.unit_code)
    reading = read_form(source, content)[0]
    if found is None or reading is None:
        raise OutputError("không đọc lại được bảng chấm điểm trong tệp")
    tier, unit = found
    write_form(job.campaign, tier, unit, path)
    wb = load_workbook(path)
    ws = wb[layout.FORM_SHEET]
    rows = _form_rows(ws)
    has_na = ws.cell(layout.HEADER_ROW, layout.COL_NA + 1).value == layout.HEADER_NA
    seen: set[str] = set()
    for r in reading.rows:
        if r.code in seen or r.code not in rows:
            continue
        seen.add(r.code)
        row = rows[r.code]
        _put(ws.cell(row, layout.COL_NOTE + 1), r.note or None)
        if tier.criterion(r.code).is_leaf:  # a parent's score cell keeps the form's subtotal formula
            _put(ws.cell(row, layout.COL_SCORE + 1), r.score)
            if r.not_applicable and has_na:
                _put(ws.cell(row, layout.COL_NA + 1), layout.NA_MARK)
    marks = [_mark_in_fresh(ws, rows, reading, f) for f in job.findings]
    if job.kind == Kind.STALE:
        marks += _changed_criteria(tier, reading, rows)
    return wb, marks


def _changed_criteria(tier: Tier, reading: Reading, rows: dict[str, int]) -> list[_Mark]:
    """On a stale form made fresh: a mark on each leaf whose maximum changed, or that the old form lacked."""
    printed = {r.code: r.max for r in reading.rows}
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


def _mark_in_fresh(ws: Any, rows: dict[str, int], reading: Reading, f: Finding) -> _Mark:
    """Map a finding on the unit's own file to the fresh form: same criterion row, same column role."""
    if not f.criterion or f.criterion not in rows:
        return _Mark(f, f.sheet or "", None)
    col = layout.COL_SCORE
    own = next((r for r in reading.rows if r.code == f.criterion), None)
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
        text = _safe("\n".join(f"{_LABELS[f.severity]}: {f.message}" for f in found))
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
            [n, m.sheet, m.cell or f.cell or "", f.criterion or "", _LABELS[f.severity], f.message],
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
