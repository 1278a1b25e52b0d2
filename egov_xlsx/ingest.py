"""Read returned forms: every file directly in ``inbox/``, gated, then read with python-calamine.

The reader trusts labels, not positions: it finds the table by its header row ("Mã | Tiêu chí | Điểm tối đa |
Điểm tự đánh giá ...") and the title block by the labels in its first column, so a unit that inserts a row
above the table is still read. It returns raw cell values (:class:`~egov_xlsx.model.Reading`); judging them
is :mod:`egov_xlsx.validate`'s job. No formula is evaluated and no cached formula value is trusted: totals are
recomputed from leaf scores later.

Every exception a reader raises becomes a finding naming the file; one bad file never stops the others.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from egov_xlsx import findings, gate, layout
from egov_xlsx.model import CellValue, Finding, FormRow, Reading, SourceFile
from egov_xlsx.vietnamese import clean

_SIGNATURE_LABELS = ("người lập biểu", "thủ trưởng đơn vị")


@dataclass(frozen=True)
class FileResult:
    """What one inbox file gave: its source, a reading when it is a form, and findings."""

    source: SourceFile
    reading: Reading | None
    findings: tuple[Finding, ...]


def read_inbox(
    inbox: Path, *, jobs: int = 1, progress: Callable[[FileResult, int], None] | None = None
) -> list[FileResult]:
    """Gate and read every file directly in ``inbox`` (subfolders are not read), in file-name order.

    With ``jobs`` > 1 files are read in that many processes; the result is the same as with one.
    ``progress(result, total)`` is called once per file, in completion order.
    """
    paths = gate.list_inbox(inbox)
    if jobs > 1 and len(paths) > 1:
        results = _read_parallel(paths, inbox, jobs, progress)
    else:
        results = []
        for path in paths:
            result = read_file(path, inbox)
            if progress is not None:
                progress(result, len(paths))
            results.append(result)
    return results


def _read_parallel(
    paths: Sequence[Path], inbox: Path, jobs: int, progress: Callable[[FileResult, int], None] | None
) -> list[FileResult]:
    chunk = max(1, min(64, len(paths) // (jobs * 8) or 1))
    batches = [list(paths[i : i + chunk]) for i in range(0, len(paths), chunk)]
    out: list[FileResult] = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for batch_results in pool.map(_read_batch, batches, [inbox] * len(batches)):
            for result in batch_results:
                if progress is not None:
                    progress(result, len(paths))
                out.append(result)
    return out


def _read_batch(paths: list[Path], inbox: Path) -> list[FileResult]:
    return [read_file(p, inbox) for p in paths]


def read_file(path: Path, inbox: Path | None = None) -> FileResult:
    """Gate one file and, when it is a spreadsheet, read its form. Never raises for a bad file."""
    admitted = gate.admit(path, inbox=inbox)
    if not admitted.readable or admitted.content is None:
        return FileResult(admitted.source, None, admitted.findings)
    reading, problems = read_form(admitted.source, admitted.content)
    return FileResult(admitted.source, reading, (*admitted.findings, *problems))


def read_form(source: SourceFile, content: bytes) -> tuple[Reading | None, list[Finding]]:
    """Read the form in a spreadsheet's bytes: the title block, the metadata sheet and the criterion rows."""
    try:
        sheets = _load_sheets(content)
    except Exception as exc:  # every reader failure becomes a finding naming the file
        return None, [_reader_failure(source, exc)]
    meta = _metadata(sheets.get(layout.META_SHEET))
    for name, rows in _form_candidates(sheets):
        table = _find_header(rows)
        if table is not None:
            return _reading(source, name, rows, table, meta), []
    return None, [findings.make("form-not-recognised", file=source.name)]


def _load_sheets(content: bytes) -> dict[str, list[list[Any]]]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
    try:
        sheets: dict[str, list[list[Any]]] = {}
        for meta in wb.sheets_metadata:
            sheet = wb.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=False, nrows=layout.MAX_ROWS)
            sheets[clean(meta.name)] = [row[: layout.MAX_COLUMNS] for row in rows]
        return sheets
    finally:
        wb.close()


def _reader_failure(source: SourceFile, exc: Exception) -> Finding:
    from python_calamine import PasswordError

    if isinstance(exc, PasswordError):
        return findings.make("file-encrypted", file=source.name)
    detail = clean(str(exc))[:200] or type(exc).__name__
    return findings.make("file-corrupt", file=source.name, detail=detail)


def _form_candidates(sheets: dict[str, list[list[Any]]]) -> Iterator[tuple[str, list[list[Any]]]]:
    """The form sheet first (by its standard name), then every other sheet but the metadata one."""
    if layout.FORM_SHEET in sheets:
        yield layout.FORM_SHEET, sheets[layout.FORM_SHEET]
    for name, rows in sheets.items():
        if name not in (layout.FORM_SHEET, layout.META_SHEET):
            yield name, rows


def _metadata(rows: list[list[Any]] | None) -> dict[str, str]:
    meta: dict[str, str] = {}
    for row in rows or []:
        if len(row) >= 2 and _text(row[0]):
            meta[_text(row[0])] = _text(row[1])
    return meta


@dataclass(frozen=True)
class _Table:
    header_row: int  # 0-based index in rows
    columns: dict[str, int]


_HEADER_KEYS: dict[str, Callable[[str], bool]] = {
    "code": lambda s: s == layout.HEADER_CODE.casefold(),
    "name": lambda s: s == layout.HEADER_NAME.casefold(),
    "max": lambda s: s == layout.HEADER_MAX.casefold(),
    "score": lambda s: s == layout.HEADER_SCORE.casefold(),
    "note": lambda s: s.startswith("tài liệu kiểm chứng") or s == "ghi chú",
    "na": lambda s: s == layout.HEADER_NA.casefold(),
}


def _find_header(rows: list[list[Any]]) -> _Table | None:
    for r, row in enumerate(rows[: layout.HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for c, cell in enumerate(row):
            label = _text(cell).casefold()
            for key, matches in _HEADER_KEYS.items():
                if key not in columns and label and matches(label):
                    columns[key] = c
        if {"code", "score"} <= columns.keys():
            return _Table(r, columns)
    return None


def _reading(source: SourceFile, sheet: str, rows: list[list[Any]], table: _Table, meta: dict[str, str]) -> Reading:
    cols = table.columns
    labels = _title_block(rows[: table.header_row])
    unit_name, unit_name_cell = labels.get(layout.LABEL_UNIT.casefold(), ("", ""))
    if not meta:
        # A form whose hidden sheet was lost (copied into a new workbook): fall back to the visible labels.
        for label, key in ((layout.LABEL_UNIT_CODE, "visible_unit_code"), (layout.LABEL_CAMPAIGN, "visible_campaign")):
            if label.casefold() in labels:
                meta[key] = labels[label.casefold()][0]
    form_rows: list[FormRow] = []
    total: CellValue = None
    total_cell = ""
    blanks = 0
    for r in range(table.header_row + 1, len(rows)):
        row = rows[r]
        code = _code(_cell(row, cols["code"]))
        name = _text(_cell(row, cols.get("name")))
        excel_row = r + 1
        if not code and name.casefold() == layout.TOTAL_LABEL.casefold():
            total, total_cell = _value(_cell(row, cols["score"])), layout.cell_address(excel_row, cols["score"])
            break
        if not code and not name:
            blanks += 1
            if blanks >= 2 and form_rows:
                break
            continue
        if code.casefold().startswith(_SIGNATURE_LABELS) or name.casefold().startswith(_SIGNATURE_LABELS):
            break
        blanks = 0
        na_col = cols.get("na")
        form_rows.append(
            FormRow(
                row=excel_row,
                code=code,
                name=name,
                max=_value(_cell(row, cols.get("max"))),
                score=_value(_cell(row, cols["score"])),
                note=_text(_cell(row, cols.get("note"))),
                score_cell=layout.cell_address(excel_row, cols["score"]),
                not_applicable=na_col is not None and _is_na_mark(_cell(row, na_col)),
            )
        )
    return Reading(
        source=source,
        sheet=sheet,
        meta=meta,
        unit_name=unit_name,
        unit_name_cell=unit_name_cell,
        rows=tuple(form_rows),
        total=total,
        total_cell=total_cell,
    )


def _title_block(rows: Iterable[list[Any]]) -> dict[str, tuple[str, str]]:
    """Label (casefolded, in any column) -> (the first non-empty value to its right, its A1 address)."""
    found: dict[str, tuple[str, str]] = {}
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            label = _text(cell).casefold()
            if not label.endswith(":"):
                continue
            for c2 in range(c + 1, len(row)):
                value = _text(row[c2])
                if value:
                    found.setdefault(label, (value, layout.cell_address(r + 1, c2)))
                    break
    return found


def _cell(row: list[Any], col: int | None) -> Any:
    if col is None or col >= len(row):
        return None
    return row[col]


def _value(raw: Any) -> CellValue:
    """A cell value as the model holds it: empty strings become None, text is cleaned."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        text = clean(raw)
        return text or None
    if isinstance(raw, bool | int | float | datetime | date | time | timedelta):
        return raw
    return clean(str(raw))


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return clean(raw)


def _code(raw: Any) -> str:
    # A code retyped as a number ("1" -> 1.0) still names its criterion.
    return _text(raw)


_NA_MARKS = {"x", "kad", "không áp dụng", "khong ap dung", "n/a", "na", "k/a"}


def _is_na_mark(raw: Any) -> bool:
    return _text(raw).casefold() in _NA_MARKS


def default_jobs() -> int:
    """The processors this process may use (its CPU affinity where the OS has one)."""
    affinity = getattr(os, "sched_getaffinity", None)
    if affinity is not None:
        return max(1, len(affinity(0)))
    return max(1, os.cpu_count() or 1)
