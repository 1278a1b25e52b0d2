"""The sheets of an OpenDocument spreadsheet measured (repeated rows and columns counted, not expanded)."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from egov_xlsx.read.containers.extent import (
    MAX_CELLS,
    MAX_ELEMENTS,
    SheetScan,
    _column_letters,
    _Extent,
    _segments,
    _sheet_count,
)
from egov_xlsx.read.containers.xlsx import _attrs

if TYPE_CHECKING:
    from egov_xlsx.read.containers.zips import _Package


_ODS_TAG = re.compile(
    rb"<(/?)table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>"
)


def ods_sheets(package: _Package, name: str) -> tuple[SheetScan, ...]:
    """Measure every table of an ods package's content.xml; raises :class:`_TooLarge`.

    Repeated rows and cells (``table:number-rows-repeated``, ``number-columns-repeated``) count as what
    the reader makes of them: an empty repeated run at the end of a sheet costs nothing, a run holding a
    value (or followed by one) is built in full.
    """
    info = package.parts.get("content.xml")
    if info is None:
        return ()
    budget = [MAX_CELLS, 0, MAX_ELEMENTS]
    out: list[SheetScan] = []
    extent: _Extent | None = None
    row_start, row_repeat, col = 0, 0, 0
    for segment in _segments(package, info):
        for m in _ODS_TAG.finditer(segment):
            if extent is not None:
                extent.work()
            closing, tag, raw = m.group(1), m.group(2), m.group(3)
            if tag == b"table":
                if closing:
                    if extent is not None:
                        out.append(extent.result(False))
                    extent = None
                    continue
                attrs = _attrs(raw)
                extent = _Extent(name, unicodedata.normalize("NFC", attrs.get("table:name", "")), budget)
                _sheet_count(name, len(out) + 1)
                row_start, row_repeat, col = 0, 0, 0
            elif extent is None or closing:
                continue
            elif tag == b"table-row":
                row_start += row_repeat
                row_repeat = _repeat(raw, b"table:number-rows-repeated")
                col = 0
            else:
                repeat = _repeat(raw, b"table:number-columns-repeated")
                first = col + 1
                col += repeat
                valued = b"office:value-type" in raw or not raw.rstrip().endswith(b"/")
                if b"table:formula" in raw:
                    formula = _attrs(raw).get("table:formula", "")
                    for c in range(first, min(col, first + 16) + 1):
                        extent.formula(f"{_column_letters(c)}{row_start + 1}", formula)
                if valued:
                    extent.far(row_start + row_repeat, col)
                    extent.count(repeat * row_repeat)
    if extent is not None:
        out.append(extent.result(False))
    return tuple(out)


def _repeat(raw: bytes, key: bytes) -> int:
    at = raw.find(key)
    if at < 0:
        return 1
    m = re.match(rb'\s*=\s*["\']([0-9]{1,9})["\']', raw[at + len(key) :])
    return max(1, int(m.group(1))) if m else 1
