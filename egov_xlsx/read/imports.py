"""Reading a table of council values (``egov-xlsx import``, and the copies in ``CAMPAIGN/imports/``): .xlsx, .xls,
.ods through the input gate and the one spreadsheet loader, .csv as Vietnamese Excel saves it.

A CSV file is UTF-8 with or without a byte-order mark ("CSV UTF-8" in Excel), its separator a comma or a
semicolon (Excel under a Vietnamese locale, where the comma is the decimal mark, writes semicolons) or a tab,
found from the header line. A cell holding one number with a decimal comma or point ("25,5") becomes that
number: in a CSV every cell is text, and the decimal comma is how the number was typed. Judging the rows is
:mod:`egov_xlsx.rules.import_rules`; this module only reads.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from egov_xlsx.model import CellValue
from egov_xlsx.read import gate
from egov_xlsx.read.spreadsheet import load_sheets
from egov_xlsx.vietnamese import clean

#: The folder of the campaign holding the kept copies of imported tables.
IMPORTS = "imports"
#: The extensions a table may have.
TABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".xls", ".ods")
#: How far the reader looks: a roster of a few thousand units, a column per criterion.
MAX_ROWS = 20_000
MAX_COLUMNS = 64

_NUMBER = re.compile(r"^[+-]?\d{1,15}(?:[.,]\d{1,15})?$")


@dataclass(frozen=True)
class Table:
    """The sheets of a table file as read: sheet name -> rows of raw cell values (a CSV has one sheet, "")."""

    sheets: dict[str, list[list[CellValue]]]
    #: Sheet name -> A1 address -> formula text, as the gate found them (a CSV has none).
    formulas: dict[str, dict[str, str]] = field(default_factory=dict)
    #: The file's bytes as read: what a kept copy holds, so the copy is exactly what was judged.
    content: bytes = field(default=b"", repr=False, compare=False)


class TableUnreadable(Exception):
    """The file is no table the tool can read; ``str(exc)`` says why, in Vietnamese."""


def read_table(path: Path) -> Table:
    """The file's sheets; raises :class:`TableUnreadable` with the reason, :class:`OSError` when it cannot be read."""
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise TableUnreadable(f"chỉ nhập được tệp {', '.join(TABLE_SUFFIXES)}")
    if suffix == ".csv":
        if path.stat().st_size > gate.MAX_FILE_BYTES:
            raise TableUnreadable("tệp lớn hơn 20 MB")
        data = path.read_bytes()
        return Table({"": csv_rows(data)}, content=data)
    admitted = gate.admit(path)
    if not admitted.readable or admitted.content is None:
        finding = admitted.findings[0] if admitted.findings else None
        raise TableUnreadable(finding.message if finding else "không phải bảng tính")
    try:
        sheets, hidden = load_sheets(admitted.content, max_rows=MAX_ROWS, max_columns=MAX_COLUMNS)
    except Exception as exc:  # every reader failure becomes the file's reason
        raise TableUnreadable(clean(str(exc))[:200] or type(exc).__name__) from exc
    except BaseException as exc:  # the reader's panic on a number no date can be
        if type(exc).__name__ != "PanicException":
            raise
        raise TableUnreadable("một ô có định dạng ngày tháng chứa số không thể là ngày tháng") from None
    formulas = {clean(s.name): dict(s.formulas) for s in admitted.sheets if s.formulas}
    return Table({name: rows for name, rows in sheets.items() if name not in hidden}, formulas, admitted.content)


def csv_rows(data: bytes) -> list[list[CellValue]]:
    """A CSV file's rows: UTF-8 (a byte-order mark allowed), separator found from the first line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableUnreadable(
            "tệp CSV không ở mã UTF-8; trong Excel chọn Lưu thành (Save As) kiểu “CSV UTF-8 (Comma delimited)”"
        ) from exc
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[CellValue]] = []
    try:
        for i, row in enumerate(reader):
            if i >= MAX_ROWS:
                raise TableUnreadable(f"tệp có hơn {MAX_ROWS:,} dòng".replace(",", "."))
            rows.append([_cell(v) for v in row[:MAX_COLUMNS]])
    except csv.Error as exc:
        raise TableUnreadable(f"tệp CSV sai cấu trúc ở dòng {reader.line_num}: {exc}") from exc
    return rows


def _cell(text: str) -> CellValue:
    """A CSV cell: one number typed with a decimal comma or point becomes the number; anything else stays text."""
    stripped = text.strip()
    if not _NUMBER.match(stripped):
        return stripped
    number = Decimal(stripped.replace(",", "."))
    if number == number.to_integral_value() and "," not in stripped and "." not in stripped:
        return int(number)
    # Exact: at most 15 significant digits each side, so the float's repr is the decimal typed.
    return float(number) if len(number.as_tuple().digits) <= 15 else stripped
