"""The form parser: one inbox file, gated, then read with python-calamine into a :class:`~egov_xlsx.model.Reading`.

The reader trusts labels, not positions: it finds the table by its header row ("Mã | Tiêu chí | Điểm tối đa |
Điểm tự đánh giá ...") and the title block by the labels in its first column, so a unit that inserts a row
above the table is still read. It returns raw cell values; judging them is :mod:`egov_xlsx.rules.form_rules`'s
job. No formula is evaluated and no cached formula value is trusted: totals are recomputed from leaf scores
later. Every exception a reader raises becomes a finding naming the file; one bad file never stops the others.
Reading a whole inbox in worker processes is :mod:`egov_xlsx.read.ingest`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from egov_xlsx import findings, layout
from egov_xlsx.model import CellValue, Finding, FormRow, Reading, SourceFile
from egov_xlsx.read import gate
from egov_xlsx.read.spreadsheet import find_header_row, load_sheets
from egov_xlsx.vietnamese import clean

_SIGNATURE_LABELS = ("người lập biểu", "thủ trưởng đơn vị")


@dataclass(frozen=True)
class FileResult:
    """What one inbox file gave: its source, a reading when it is a form, and findings."""

    source: SourceFile
    reading: Reading | None
    findings: tuple[Finding, ...]


def read_file(path: Path, inbox: Path | None = None) -> FileResult:
    """Gate one file and, when it is a spreadsheet, read its form. Never raises for a bad file."""
    admitted = gate.admit(path, inbox=inbox)
    if not admitted.readable or admitted.content is None:
        return FileResult(admitted.source, None, admitted.findings)
    formulas = {clean(sheet.name): sheet.formulas for sheet in admitted.sheets if sheet.formulas}
    reading, problems = read_form(admitted.source, admitted.content, formulas)
    return FileResult(admitted.source, reading, (*admitted.findings, *problems))


def read_form(
    source: SourceFile, content: bytes, formulas: Mapping[str, Mapping[str, str]] | None = None
) -> tuple[Reading | None, list[Finding]]:
    """Read the form in a spreadsheet's bytes: the title block, the metadata sheet and the criterion rows.

    ``formulas`` are the gate's formula cells by sheet (:attr:`egov_xlsx.read.gate.Admitted.sheets`); the form
    sheet's go into the reading, for :mod:`egov_xlsx.rules.formula_rules` to refuse formulas in input cells.
    """
    try:
        sheets, hidden = load_sheets(content, max_rows=layout.MAX_ROWS, max_columns=layout.MAX_COLUMNS)
    except BaseException as exc:
        # Only the reader's own errors say the file is bad; anything else is a bug here (or in a library)
        # and must surface as one, never be told to a unit as its file being corrupt.
        if not _is_reader_error(exc):
            raise
        return None, [_reader_failure(source, exc)]
    meta = _metadata(sheets.get(layout.META_SHEET))
    # Only a sheet the unit sees is read; a hidden sheet that looks like a form (a decoy with other scores,
    # or an old copy) is said, never scored.
    decoys = [
        findings.make("sheet-hidden-form", file=source.name, sheet=name)
        for name, rows in sheets.items()
        if name in hidden and name not in _TOOL_SHEETS and _find_header(rows) is not None
    ]
    for name, rows in _form_candidates(sheets, hidden):
        table = _find_header(rows)
        if table is not None:
            own = (formulas or {}).get(name)
            return _reading(source, name, rows, table, meta, own or {}), decoys
    return None, [findings.make("form-not-recognised", file=source.name), *decoys]


def _is_reader_error(exc: BaseException) -> bool:
    """Whether python-calamine raised ``exc`` about the file: a ``CalamineError`` (its subclasses name zip,
    XML, password and sheet problems), or a panic inside the Rust reader (``pyo3_runtime.PanicException``, a
    ``BaseException``: a value the reader cannot convert, such as a date-formatted -1E+30)."""
    from python_calamine import CalamineError

    if isinstance(exc, CalamineError):
        return True
    kind = type(exc)
    return kind.__name__ == "PanicException" and kind.__module__ == "pyo3_runtime"


def _reader_failure(source: SourceFile, exc: BaseException) -> Finding:
    from python_calamine import PasswordError

    if isinstance(exc, PasswordError):
        return findings.make("file-encrypted", file=source.name)
    detail = clean(str(exc))[:200] or type(exc).__name__
    if not isinstance(exc, Exception):  # a panic: the reader met a value it cannot convert
        detail = f"trình đọc gặp một ô có giá trị không đọc được: {detail}"
    return findings.make("file-corrupt", file=source.name, detail=detail)


#: The tool's own hidden sheets: the metadata and the long level lists (never a form, never a decoy).
_TOOL_SHEETS = frozenset({layout.META_SHEET, layout.LIST_SHEET})


def _form_candidates(
    sheets: dict[str, list[list[Any]]], hidden: frozenset[str] = frozenset()
) -> Iterator[tuple[str, list[list[Any]]]]:
    """The visible sheets that may hold the form: the one of the standard name first, then the others in order.

    Hidden sheets are never candidates: the unit sees, fills and signs the visible one.
    """
    if layout.FORM_SHEET in sheets and layout.FORM_SHEET not in hidden:
        yield layout.FORM_SHEET, sheets[layout.FORM_SHEET]
    for name, rows in sheets.items():
        if name != layout.FORM_SHEET and name not in _TOOL_SHEETS and name not in hidden:
            yield name, rows


def _metadata(rows: list[list[Any]] | None) -> dict[str, str]:
    meta: dict[str, str] = {}
    for row in rows or []:
        if len(row) >= 2 and _cell_text(row[0]):
            meta[_cell_text(row[0])] = _cell_text(row[1])
    return meta


@dataclass(frozen=True)
class _FormTable:
    header_row: int  # 0-based index in rows
    columns: dict[str, int]


_FORM_HEADER_TESTS: dict[str, Callable[[str], bool]] = {
    "code": lambda s: s == layout.HEADER_CODE.casefold(),
    "name": lambda s: s == layout.HEADER_NAME.casefold(),
    "max": lambda s: s == layout.HEADER_MAX.casefold(),
    "score": lambda s: s == layout.HEADER_SCORE.casefold(),
    "note": lambda s: s.startswith("tài liệu kiểm chứng") or s == "ghi chú",
    "na": lambda s: s == layout.HEADER_NA.casefold(),
    "fact": lambda s: s == layout.HEADER_FACT.casefold(),
    "fact_b": lambda s: s == layout.HEADER_FACT_B.casefold(),
}


_FORM_REQUIRED = frozenset({"code", "score"})


def _find_header(rows: list[list[Any]]) -> _FormTable | None:
    found = find_header_row(rows, _header_key, _FORM_REQUIRED, layout.HEADER_SEARCH_ROWS)
    return None if found is None else _FormTable(*found)


def _header_key(cell: Any) -> str | None:
    return _header_label(cell) if cell.__class__ is str else _header_label(_cell_text(cell))


@functools.lru_cache(maxsize=4096)
def _header_label(text: str) -> str | None:
    """The header column a cell's text labels, or None (every form repeats the same title and header)."""
    label = _cell_text(text).casefold()
    return next((k for k, matches in _FORM_HEADER_TESTS.items() if label and matches(label)), None)


@dataclass(frozen=True)
class _TableColumns:
    """Where a form's table runs: its criterion rows (0-based index, code, name) and its total row, if any."""

    rows: tuple[tuple[int, str, str], ...]
    total_row: int | None


def _table_columns(rows: list[list[Any]], start: int, code_col: int, name_col: int | None) -> _TableColumns:
    """Where the table runs; worked out once per distinct code and name columns (once per tier, in practice)."""
    body = rows[start:]
    if body and name_col is not None and min(map(len, body)) > max(code_col, name_col):
        codes = tuple([row[code_col] for row in body])
        names = tuple([row[name_col] for row in body])
        # Only text is a safe key: 1, 1.0 and True are equal keys but read as different codes.
        if set(map(type, codes)) | set(map(type, names)) <= {str}:
            return _text_table_columns(start, codes, names)
    return _find_columns(rows, start, code_col, name_col)


@functools.lru_cache(maxsize=64)
def _text_table_columns(start: int, codes: tuple[str, ...], names: tuple[str, ...]) -> _TableColumns:
    rows: list[list[Any]] = [[] for _ in range(start)]
    rows += [[code, name] for code, name in zip(codes, names, strict=True)]
    return _find_columns(rows, start, 0, 1)


def _find_columns(rows: list[list[Any]], start: int, code_col: int, name_col: int | None) -> _TableColumns:
    """The table's rows from ``start``: to the total row or the signature block.

    Blank rows inside the table (a unit that left a gap, or deleted a row's content) are skipped; after two
    or more blank rows the table goes on only if the next row's code looks like a criterion code, so a note
    typed below a form without its total row is not read as a criterion.
    """
    total_label = layout.TOTAL_LABEL.casefold()
    found: list[tuple[int, str, str]] = []
    total_row: int | None = None
    blanks = 0
    for r in range(start, len(rows)):
        row = rows[r]
        width = len(row)
        # A code retyped as a number ("1" -> 1.0) still names its criterion: _cell_text writes 1.0 as "1".
        code = _cell_text(row[code_col]) if code_col < width else ""
        name = _cell_text(row[name_col]) if name_col is not None and name_col < width else ""
        if not code and name.casefold() == total_label:
            total_row = r
            break
        if not code and not name:
            blanks += 1
            continue
        if _is_signature(code) or _is_signature(name):
            break
        if blanks >= 2 and found and not _CODE_LIKE.match(code):
            break
        blanks = 0
        found.append((r, code, name))
    return _TableColumns(tuple(found), total_row)


# What a criterion code looks like ("1", "2.4.1", "C1"): no spaces, no colon. A note below the table does not.
_CODE_LIKE = re.compile(r"^[\w.\-]{1,20}$")


def _reading(
    source: SourceFile,
    sheet: str,
    rows: list[list[Any]],
    table: _FormTable,
    meta: dict[str, str],
    formulas: Mapping[str, str] | None = None,
) -> Reading:
    cols = table.columns
    labels = _title_block(rows[: table.header_row])
    unit_name, unit_name_cell = labels.get(layout.LABEL_UNIT.casefold(), ("", ""))
    if not meta:
        # A form whose hidden sheet was lost (copied into a new workbook): fall back to the visible labels.
        for label, key in ((layout.LABEL_UNIT_CODE, "visible_unit_code"), (layout.LABEL_CAMPAIGN, "visible_campaign")):
            if label.casefold() in labels:
                meta[key] = labels[label.casefold()][0]
    code_col, score_col = cols["code"], cols["score"]
    name_col, max_col, note_col, na_col = cols.get("name"), cols.get("max"), cols.get("note"), cols.get("na")
    fact_col, fact_b_col = cols.get("fact"), cols.get("fact_b")
    score_letters = layout.cell_address(1, score_col)[:-1]  # "D": the score cell of row 14 is "D14"
    table_layout = _table_columns(rows, table.header_row + 1, code_col, name_col)
    form_rows: list[FormRow] = []
    append = form_rows.append
    # The hot loop of a national inbox (600,000 rows): locals, and the common cell types tested first.
    value, note_text = _value, _note
    for r, code, name in table_layout.rows:
        row = rows[r]
        width = len(row)
        maximum = row[max_col] if max_col is not None and max_col < width else None
        score = row[score_col] if score_col < width else None
        note = row[note_col] if note_col is not None and note_col < width else ""
        mark = row[na_col] if na_col is not None and na_col < width else ""
        fact = fact_b = None
        if fact_col is not None:  # a tier with rule-based criteria
            fact = value(row[fact_col]) if fact_col < width else None
            fact_b = value(row[fact_b_col]) if fact_b_col is not None and fact_b_col < width else None
        append(
            FormRow(
                r + 1,
                code,
                name,
                maximum if maximum.__class__ is float else value(maximum),
                score if score.__class__ is float else value(score),
                note_text(note),
                f"{score_letters}{r + 1}",
                bool(mark) and _is_na_mark(mark),
                fact,
                fact_b,
            )
        )
    total: CellValue = None
    total_cell = ""
    if table_layout.total_row is not None:
        row = rows[table_layout.total_row]
        total = value(row[score_col]) if score_col < len(row) else None
        total_cell = f"{score_letters}{table_layout.total_row + 1}"
    return Reading(
        source=source,
        sheet=sheet,
        meta=meta,
        unit_name=unit_name,
        unit_name_cell=unit_name_cell,
        rows=tuple(form_rows),
        total=total,
        total_cell=total_cell,
        columns=dict(cols),
        formulas=formulas or {},
    )


def _title_block(rows: Iterable[list[Any]]) -> dict[str, tuple[str, str]]:
    """Label (casefolded, in any column) -> (the first non-empty value to its right, its A1 address)."""
    found: dict[str, tuple[str, str]] = {}
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            label = _cell_text(cell).casefold()
            if not label.endswith(":"):
                continue
            for c2 in range(c + 1, len(row)):
                value = _cell_text(row[c2])
                if value:
                    found.setdefault(label, (value, layout.cell_address(r + 1, c2)))
                    break
    return found


def _value(raw: Any) -> CellValue:
    """A cell value as the model holds it: empty strings become None, text is cleaned."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        return _cell_text(raw) or None
    if isinstance(raw, bool | int | float | datetime | date | time | timedelta):
        return raw
    return clean(str(raw))


def _cell_text(raw: Any) -> str:
    if raw.__class__ is str:
        if not raw:
            return ""
        return clean(raw)
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return clean(raw)


def _note(raw: Any) -> str:
    """An evidence note, cleaned (a number is a note too)."""
    if raw.__class__ is str:
        return clean(raw) if raw else ""
    return _cell_text(raw)


def _is_signature(text: str) -> bool:
    """Whether a cleaned cell text starts the signature block below the table ("Người lập biểu" ...)."""
    return text.casefold().startswith(_SIGNATURE_LABELS)


_NA_MARKS = {"x", "kad", "không áp dụng", "khong ap dung", "n/a", "na", "k/a"}


def _is_na_mark(raw: Any) -> bool:
    return _cell_text(raw).casefold() in _NA_MARKS
