"""The sheets of an .xls workbook (BIFF8 records) measured."""

from __future__ import annotations

import struct
import unicodedata
from typing import TYPE_CHECKING

from egov_xlsx.read.containers.extent import (
    MAX_CELLS,
    MAX_ELEMENTS,
    SheetScan,
    _column_letters,
    _Extent,
    _sheet_count,
    _too_large,
)
from egov_xlsx.vietnamese import format_number

if TYPE_CHECKING:
    from egov_xlsx.read.containers.ole import _Ole


_BIFF_CELLS = frozenset({0x0203, 0x027E, 0x00FD, 0x0204, 0x0201, 0x0205, 0x0006, 0x00D6})
_BIFF_MULTI = frozenset({0x00BD, 0x00BE})  # MULRK, MULBLANK: row, first column, ..., last column
_BIFF_FORMULA = 0x0006


def xls_sheets(ole: _Ole, book: tuple[int, int], name: str) -> tuple[SheetScan, ...]:
    """Measure every sheet of an .xls Workbook stream from its records; raises :class:`_TooLarge`."""
    data = ole.stream(*book)
    names: dict[int, tuple[str, bool]] = {}
    budget = [MAX_CELLS, 0, MAX_ELEMENTS]
    out: list[SheetScan] = []
    extent: _Extent | None = None
    hidden_now = False
    pos, size = 0, len(data)
    records = 0
    while pos + 4 <= size:
        records += 1
        if records > MAX_ELEMENTS:
            raise _too_large(name, None, f"hơn {format_number(MAX_ELEMENTS)} bản ghi dữ liệu", None, records)
        rtype, rlen = struct.unpack_from("<HH", data, pos)
        body = pos + 4
        pos = body + rlen
        if rtype == 0x0085 and rlen >= 8:  # BOUNDSHEET: the BOF offset, visibility, type, name
            offset, hidden, kind, cch, flags = struct.unpack_from("<IBBBB", data, body)
            raw = data[body + 8 : body + 8 + (cch * 2 if flags & 1 else cch)]
            sheet = raw.decode("utf-16-le" if flags & 1 else "latin-1", "replace")
            if kind == 0:
                names[offset] = (unicodedata.normalize("NFC", sheet), hidden != 0)
                _sheet_count(name, len(names))
        elif rtype == 0x0809:  # BOF: a sheet substream starts here when BOUNDSHEET named it
            if extent is not None:
                out.append(extent.result(hidden_now))
            found = names.get(body - 4)
            extent = None if found is None else _Extent(name, found[0], budget)
            hidden_now = False if found is None else found[1]
        elif extent is None or rlen < 4:
            continue
        elif rtype in _BIFF_CELLS:
            row, col = struct.unpack_from("<HH", data, body)
            extent.far(row + 1, col + 1)
            extent.count(1)
            if rtype == _BIFF_FORMULA:
                extent.formula(f"{_column_letters(col + 1)}{row + 1}", "")
        elif rtype in _BIFF_MULTI and rlen >= 6:
            row, first = struct.unpack_from("<HH", data, body)
            (last,) = struct.unpack_from("<H", data, body + rlen - 2)
            extent.far(row + 1, max(first, last) + 1)
            extent.count(max(1, last - first + 1))
    if extent is not None:
        out.append(extent.result(hidden_now))
    return tuple(out)
