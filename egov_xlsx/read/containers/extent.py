"""A sheet's extent and formulas, measured before any reader allocates it: the limits, the measure, and the
bounded inflation of a zip part.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from egov_xlsx import findings
from egov_xlsx.model import Finding
from egov_xlsx.vietnamese import format_number

if TYPE_CHECKING:
    from egov_xlsx.read.containers.zips import _Package


# A real form is ~100 rows by 6-10 columns on one sheet (plus the hidden metadata sheet). The reader builds
# every sheet as a dense grid from its first to its farthest referenced cell, so one cell at XFD1048576 asks
# it for 17 billion cells (512 GB): the process aborts. The gate measures each sheet before any reader runs
# and refuses what no form can be. The limits are many times a real form, and small enough that the densest
# workbook they admit costs the reader well under a second and 100 MB.
#: Sheets in a workbook (a form has two: the form and the hidden metadata sheet).
MAX_SHEETS = 40
#: The farthest row a sheet may reference (1-based).
MAX_SHEET_ROWS = 5000
#: The farthest column a sheet may reference (64 = column BL).
MAX_SHEET_COLUMNS = 64
#: Cells written in the whole workbook (a form has ~1,000).
MAX_CELLS = 100_000
#: Formula cells remembered per workbook (a form has a dozen); more are a refusal like too many cells.
MAX_FORMULAS = 5000
#: Elements (rows, cells, formulas; .xls records) walked one by one where the compiled fast path does not apply:
#: bounds the gate's own time on a file of a million empty rows (a form has ~2,000).
MAX_ELEMENTS = 400_000


@dataclass(frozen=True)
class SheetScan:
    """One sheet as the gate measured it: its extent, and the cells holding a formula."""

    name: str
    hidden: bool
    #: The farthest row and column referenced (1-based; 0 for an empty sheet). In an xlsx sheet whose cells all
    #: carry ordinary references, the last cell's (writers write in order; that none is past a limit is checked
    #: on every cell).
    rows: int
    columns: int
    #: Cells written: exact once the workbook's sheet XML passes 1.1 MB, an upper bound (its size / 11) before.
    cells: int
    #: A1 address -> the formula as written (Excel syntax without "="; "" when the format does not keep
    #: the text, as in .xls, or a shared formula's follower).
    formulas: dict[str, str]


class _TooLarge(Exception):
    """A sheet or workbook past a limit: carries the finding."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


def _column_letters(col: int) -> str:
    letters = ""
    n = col
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _column_number(letters: bytes) -> int:
    col = 0
    for ch in letters:
        col = col * 26 + (ch - 64)
    return col


def _too_large(name: str, sheet: str | None, detail: str, cell: str | None = None, value: object = None) -> _TooLarge:
    return _TooLarge(findings.make("sheet-too-large", file=name, sheet=sheet, cell=cell, detail=detail, value=value))


def _limits_text() -> str:
    return (
        f"giới hạn của một biểu: {format_number(MAX_SHEET_ROWS)} dòng, {MAX_SHEET_COLUMNS} cột, "
        f"tới cột {_column_letters(MAX_SHEET_COLUMNS)}"
    )


class _Extent:
    """Running measure of one sheet; raises :class:`_TooLarge` as soon as a limit is passed."""

    def __init__(self, name: str, sheet: str, budget: list[int]) -> None:
        self.name = name
        self.sheet = sheet
        self.rows = 0
        self.columns = 0
        self.cells = 0
        self.formulas: dict[str, str] = {}
        # [cells left in the workbook, sheet XML bytes measured so far (xlsx)], shared by its sheets.
        self.budget = budget

    def far(self, row: int, col: int) -> None:
        """A cell at (1-based row, 1-based column): refused when out of bounds."""
        if row > MAX_SHEET_ROWS or col > MAX_SHEET_COLUMNS:
            cell = f"{_column_letters(col)}{row}"
            detail = f'ô ở {cell} trong trang tính "{self.sheet}" ({_limits_text()})'
            raise _too_large(self.name, self.sheet, detail, cell, cell)
        if row > self.rows:
            self.rows = row
        if col > self.columns:
            self.columns = col

    def count(self, n: int, *, exact: bool = True) -> None:
        """``n`` more cells (an upper bound when not ``exact``: it is then never past the budget)."""
        self.cells += n
        if not exact:
            return
        self.budget[0] -= n
        if self.budget[0] < 0:
            detail = (
                f'hơn {format_number(MAX_CELLS)} ô có nội dung (trang tính "{self.sheet}"); một biểu có khoảng 1.000 ô'
            )
            raise _too_large(self.name, self.sheet, detail, None, self.cells)

    def work(self) -> None:
        """One more element walked in Python; refused past :data:`MAX_ELEMENTS` in the workbook."""
        self.budget[2] -= 1
        if self.budget[2] < 0:
            detail = f'hơn {format_number(MAX_ELEMENTS)} dòng và ô (trang tính "{self.sheet}")'
            raise _too_large(self.name, self.sheet, detail, None, MAX_ELEMENTS)

    def formula(self, cell: str, text: str) -> None:
        if len(self.formulas) >= MAX_FORMULAS:
            detail = f'hơn {format_number(MAX_FORMULAS)} công thức (trang tính "{self.sheet}")'
            raise _too_large(self.name, self.sheet, detail, None, len(self.formulas))
        self.formulas[cell] = text

    def result(self, hidden: bool) -> SheetScan:
        return SheetScan(self.sheet, hidden, self.rows, self.columns, self.cells, self.formulas)


def _sheet_count(name: str, count: int) -> None:
    if count > MAX_SHEETS:
        detail = f"{count} trang tính (giới hạn: {MAX_SHEETS}; một biểu có 2)"
        raise _too_large(name, None, detail, None, count)


_INFLATE_CHUNK = 1 << 20


def _segments(package: _Package, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A part's inflated bytes in pieces that each end just before a "<": no tag is ever split.

    Memory stays at about one chunk, whatever the part's size.
    """
    start, end = package.span(info)
    if info.compress_type == zipfile.ZIP_STORED:
        chunks: Iterator[bytes] = (
            bytes(package.content[p : min(end, p + _INFLATE_CHUNK)]) for p in range(start, end, _INFLATE_CHUNK)
        )
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        chunks = _inflate(package.content, start, end)
    else:
        raise NotImplementedError(f"compression method {info.compress_type}")
    carry = b""
    pending = next(chunks, None)
    while pending is not None:
        following = next(chunks, None)
        data = carry + pending if carry else pending
        if following is None:  # the last piece (a form's sheet is one): yielded whole, not copied
            if data:
                yield data
            return
        cut = data.rfind(b"<")
        if cut <= 0:
            carry = data
        else:
            carry = data[cut:]
            yield data[:cut]
        pending = following
    if carry:
        yield carry


def _inflate(content: memoryview, start: int, end: int) -> Iterator[bytes]:
    inflater = zlib.decompressobj(-15)
    pos = start
    while pos < end and not inflater.eof:
        piece = content[pos : min(end, pos + 65536)]
        pos += len(piece)
        data = inflater.decompress(piece, _INFLATE_CHUNK)
        while True:
            if data:
                yield data
            if not inflater.unconsumed_tail:
                break
            data = inflater.decompress(inflater.unconsumed_tail, _INFLATE_CHUNK)
