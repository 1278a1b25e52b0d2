"""The sheets of an .xlsb workbook (BIFF12 records in a zip) measured.

``xl/workbook.bin`` names the sheets (BrtBundleSh: visibility, relationship id, name) and
``xl/_rels/workbook.bin.rels`` says which part holds each. A sheet part is a stream of records (a type and a
size, each a variable-length integer): a row header (BrtRowHdr) sets the row of the cell records that follow it,
and each cell record starts with its column. The reader builds a grid from the farthest cell it reads, so each
cell is measured as the .xlsx and .xls sheets are; the dimension record (BrtWsDim) only claims an extent and is
not trusted. Formula records keep no text the gate reads (as in .xls): their cells are recorded with "".
"""

from __future__ import annotations

import posixpath
import struct
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from egov_xlsx.read.containers.extent import (
    MAX_CELLS,
    MAX_ELEMENTS,
    SheetScan,
    _column_letters,
    _Extent,
    _inflate,
    _sheet_count,
)
from egov_xlsx.read.containers.xlsx import _REL, _attrs

if TYPE_CHECKING:
    from egov_xlsx.read.containers.zips import _Package

_ROW_HEADER = 0x0000  # BrtRowHdr: rw (4 bytes), ...
_BUNDLE_SHEET = 0x009C  # BrtBundleSh: hsState, iTabID, strRelID, strName
# Cell records (blank, RK, error, bool, real, shared string, inline string; then the four formula kinds; and the
# rich string): each starts with the 4-byte column.
_CELLS = frozenset({0x0001, 0x0002, 0x0003, 0x0004, 0x0005, 0x0006, 0x0007, 0x0008, 0x0009, 0x000A, 0x000B, 0x003E})
_FORMULAS = frozenset({0x0008, 0x0009, 0x000A, 0x000B})
#: The bytes of a record kept to read it (a cell's column, a row header's row; a sheet entry of the workbook):
#: the rest of a longer record (a long string) is skipped as it streams past, never held.
_KEPT = 4096


class _Broken(ValueError):
    """A record stream cut short: the file is damaged (``file-corrupt`` from the zip inspection)."""


def xlsb_sheets(package: _Package, name: str) -> tuple[SheetScan, ...]:
    """Measure every worksheet of an .xlsb package; raises :class:`_TooLarge` (or ``ValueError`` when damaged)."""
    sheets = _workbook_sheets(package)
    _sheet_count(name, len(sheets))
    budget = [MAX_CELLS, 0, MAX_ELEMENTS]
    out: list[SheetScan] = []
    for sheet, hidden, part in sheets:
        extent = _Extent(name, sheet, budget)
        info = package.parts.get(part)
        if info is not None:
            _scan_sheet(_records(_chunks(package, info)), extent)
        out.append(extent.result(hidden))
    return tuple(out)


def _chunks(package: _Package, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A part's inflated bytes, a megabyte at most at a time."""
    start, end = package.span(info)
    if info.compress_type == zipfile.ZIP_STORED:
        yield bytes(package.content[start:end])
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        yield from _inflate(package.content, start, end)
    else:
        raise NotImplementedError(f"compression method {info.compress_type}")


def _records(chunks: Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
    """(type, first bytes of the body) of each record of a BIFF12 stream, read as it streams.

    At most :data:`_KEPT` bytes of a body are kept; the rest is skipped without being held.
    """
    buf = b""
    skip = 0
    for chunk in chunks:
        if skip >= len(chunk):
            skip -= len(chunk)
            continue
        buf = buf + chunk[skip:] if buf else chunk[skip:]
        skip = 0
        pos = 0
        while True:
            head = _header(buf, pos)
            if head is None:
                break
            rtype, body, length = head
            if body + min(length, _KEPT) > len(buf):
                break  # the kept part of the body is not all here yet
            yield rtype, buf[body : body + min(length, _KEPT)]
            if body + length > len(buf):
                skip = body + length - len(buf)
                pos = len(buf)
                break
            pos = body + length
        buf = buf[pos:]
    if buf or skip:
        raise _Broken("record cut short")


def _header(data: bytes, pos: int) -> tuple[int, int, int] | None:
    """(type, start of the body, body length) of the record at ``pos``; ``None`` when the header is not all here."""
    size = len(data)
    if pos >= size:
        return None
    rtype = data[pos]
    pos += 1
    if rtype & 0x80:
        if pos >= size:
            return None
        rtype = (rtype & 0x7F) | ((data[pos] & 0x7F) << 7)
        pos += 1
    length, shift = 0, 0
    for _ in range(4):
        if pos >= size:
            return None
        byte = data[pos]
        pos += 1
        length |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    return rtype, pos, length


def _workbook_sheets(package: _Package) -> list[tuple[str, bool, str]]:
    """(name, hidden, part) of each sheet in the workbook's order."""
    rels = package.read("xl/_rels/workbook.bin.rels", 4 * 1024 * 1024) or b""
    targets: dict[str, str] = {}
    for m in _REL.finditer(rels):
        attrs = _attrs(m.group(1))
        target = attrs.get("Target", "")
        targets[attrs.get("Id", "")] = (
            target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
        )
    info = package.parts.get("xl/workbook.bin")
    sheets: list[tuple[str, bool, str]] = []
    for rtype, body in _records(_chunks(package, info) if info is not None else ()):
        if rtype != _BUNDLE_SHEET or len(body) < 12:
            continue
        (state,) = struct.unpack_from("<I", body, 0)
        rel, pos = _wide_string(body, 8, nullable=True)
        sheet, _ = _wide_string(body, pos, nullable=False)
        sheets.append((unicodedata.normalize("NFC", sheet), state != 0, targets.get(rel, "")))
    return sheets


def _wide_string(data: bytes, pos: int, *, nullable: bool) -> tuple[str, int]:
    """An XLWideString (a 4-byte count of UTF-16 units, then the units) at ``pos``; and where it ends."""
    end = len(data)
    if pos + 4 > end:
        raise _Broken("string cut short")
    (count,) = struct.unpack_from("<I", data, pos)
    pos += 4
    if nullable and count == 0xFFFFFFFF:
        return "", pos
    if pos + 2 * count > end:
        raise _Broken("string cut short")
    return data[pos : pos + 2 * count].decode("utf-16-le", "replace"), pos + 2 * count


def _scan_sheet(records: Iterable[tuple[int, bytes]], extent: _Extent) -> None:
    row = 0  # 0-based, from the last row header
    for rtype, body in records:
        extent.work()
        if rtype == _ROW_HEADER and len(body) >= 4:
            (row,) = struct.unpack_from("<I", body, 0)
        elif rtype in _CELLS and len(body) >= 4:
            (col,) = struct.unpack_from("<I", body, 0)
            extent.far(row + 1, col + 1)  # past a limit: raises
            extent.count(1)
            if rtype in _FORMULAS:
                extent.formula(f"{_column_letters(col + 1)}{row + 1}", "")
