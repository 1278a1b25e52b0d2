"""The one spreadsheet loader (python-calamine), what it hands back for a cell that holds no number, and the one
way a table is found by its header labels.

Used by the form reader (:mod:`egov_xlsx.read.ingest`) and the appraisal reader (:mod:`egov_xlsx.read.appraisal`),
always on bytes the input gate admitted.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Set
from datetime import datetime
from typing import Any

from egov_xlsx.vietnamese import clean

#: What the spreadsheet reader returns for a NaN stored in a date-formatted cell: the epoch, 30/12/1899
#: 00:00, as a datetime (a real serial in [0, 1) reads as a time of day, 1 and above as a date).
NAN_DATE = datetime(1899, 12, 30)

#: What a message shows for a value that is no number at all (NaN, infinity): Excel's own error text.
NOT_A_NUMBER = "#NUM!"


def load_sheets(
    content: bytes, *, max_rows: int, max_columns: int
) -> tuple[dict[str, list[list[Any]]], frozenset[str]]:
    """Every sheet's rows (at most ``max_rows`` rows of ``max_columns`` cells), and the hidden sheets' names."""
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
    try:
        sheets: dict[str, list[list[Any]]] = {}
        hidden: set[str] = set()
        for meta in wb.sheets_metadata:
            sheet = wb.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=False, nrows=max_rows)
            name = clean(meta.name)
            sheets[name] = [row if len(row) <= max_columns else row[:max_columns] for row in rows]
            if meta.visible != SheetVisibleEnum.Visible:
                hidden.add(name)
        return sheets, frozenset(hidden)
    finally:
        wb.close()


def find_header_row(
    rows: list[list[Any]], key_of: Callable[[Any], str | None], required: Set[str], search_rows: int
) -> tuple[int, dict[str, int]] | None:
    """The first of the first ``search_rows`` rows whose cells label every ``required`` column, found by labels.

    ``key_of`` names the column a cell's value labels (``None`` for any other cell); the first cell for a key
    wins. Returns the row's 0-based index and each labelled column's 0-based index by key.
    """
    for r, row in enumerate(rows[:search_rows]):
        columns: dict[str, int] = {}
        for c, cell in enumerate(row):
            if not cell:  # an empty cell labels nothing
                continue
            key = key_of(cell)
            if key is not None and key not in columns:
                columns[key] = c
        if required <= columns.keys():
            return r, columns
    return None
