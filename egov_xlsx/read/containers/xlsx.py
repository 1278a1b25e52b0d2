"""The sheets of an xlsx (or xlsm) package measured: rows, columns, cells and formulas, in one pass of one pattern."""

from __future__ import annotations

import html
import posixpath
import re
import unicodedata
import zipfile
from typing import TYPE_CHECKING

from egov_xlsx import findings
from egov_xlsx.read.containers.common import XML_PEEK_BYTES, prolog_verdict
from egov_xlsx.read.containers.extent import (
    MAX_CELLS,
    MAX_ELEMENTS,
    SheetScan,
    _column_letters,
    _column_number,
    _Extent,
    _segments,
    _sheet_count,
    _TooLarge,
)

if TYPE_CHECKING:
    from egov_xlsx.read.containers.zips import _Package


_ATTR = re.compile(rb'([\w:.-]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_WB_SHEET = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheet\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_REL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Relationship\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
# The common shape, written by Excel, LibreOffice and every library: each cell's reference first.
# One pass over a sheet's cells finds every cell tag that is not ``<c r="A1"`` within column BL (64) and row
# 5,000 (MAX_SHEET_COLUMNS and MAX_SHEET_ROWS, spelt out; a test keeps them in step): a cell past the limits,
# or one of another shape (no reference, "$", lower case, leading zeros), which the slow path then measures.
# Ordinary cells match nothing. A second pass finds formula tags. Each pattern starts with a literal ("<c",
# "<f") that the regular expression engine looks for in C: two such passes cost less than one pass of a
# pattern that must be tried at every "<".
_SCAN = re.compile(rb'<c(?=[\s/>])(?! r="(?:[A-Z]|A[A-Z]|B[A-L])(?:[1-9][0-9]{0,2}|[1-4][0-9]{3}|5000)")')
_FORMULA_TAG = re.compile(rb"<f(?=[\s/>])")
# The end of the cells: a reader reads no cell after the first one (python-calamine stops there).
_END = b"</sheetData>"
# What could hide a tag from a plain search (a comment, CDATA, a processing instruction): where one appears
# before the end tag, the rest of the part is measured too. Looked for by their rare second byte first (a
# one-byte search runs in C at memory speed; a two-byte one starting with the frequent "<" does not).
_OPAQUE = ((b"!", b"<!"), (b"?", b"<?"))
# The fewest bytes a cell tag takes (<c r="A1"/>).
_CELL_BYTES = 11
_FORMULA_AT = re.compile(rb'<c r="([A-Z]{1,3}[1-9][0-9]{0,6})"[^>]*>\s*<f\b[^>]*?(?:/>|>([^<]*)</f>)')
_REF_AT = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"')
_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet\b")
# Any other shape: every row, cell and formula tag in order, attributes quoted either way.
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c|f)(?=[\s/>])((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>([^<]*)")
_REF = re.compile(rb"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


def _attrs(raw: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in _ATTR.finditer(raw):
        value = m.group(2) if m.group(2) is not None else m.group(3)
        out[m.group(1).decode("latin-1")] = html.unescape(value.decode("utf-8", "replace"))
    return out


def xlsx_sheets(package: _Package, name: str) -> tuple[SheetScan, ...]:
    """Measure every worksheet of an xlsx package; raises :class:`_TooLarge`."""
    sheets = _workbook_sheets(package)
    _sheet_count(name, len(sheets))
    budget = [MAX_CELLS, 0, MAX_ELEMENTS]
    out: list[SheetScan] = []
    for sheet, hidden, part in sheets:
        extent = _Extent(name, sheet, budget)
        info = package.parts.get(part)
        if info is not None:
            _scan_xlsx_sheet(package, info, extent)
        out.append(extent.result(hidden))
    return tuple(out)


def _workbook_sheets(package: _Package) -> tuple[tuple[str, bool, str], ...]:
    """(name, hidden, part) of each sheet in the workbook's order, from workbook.xml and its relationships.

    Remembered by the two parts' stored bytes: every form a program writes for one campaign has the same.
    """
    parts = [package.parts.get(n) for n in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")]
    key = tuple(bytes(package.content[slice(*package.span(i))]) if i is not None else b"" for i in parts)
    found = _WORKBOOKS.get(key)
    if found is not None:
        return found
    workbook = package.read("xl/workbook.xml", 4 * 1024 * 1024) or b""
    rels = package.read("xl/_rels/workbook.xml.rels", 4 * 1024 * 1024) or b""
    targets: dict[str, str] = {}
    for m in _REL.finditer(rels):
        attrs = _attrs(m.group(1))
        target = attrs.get("Target", "")
        targets[attrs.get("Id", "")] = (
            target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
        )
    sheets: list[tuple[str, bool, str]] = []
    for m in _WB_SHEET.finditer(workbook):
        attrs = _attrs(m.group(1))
        rid = next((v for k, v in attrs.items() if k.endswith(":id") or k == "id"), "")
        sheet = unicodedata.normalize("NFC", attrs.get("name", ""))
        sheets.append((sheet, attrs.get("state", "visible") != "visible", targets.get(rid, "")))
    if len(_WORKBOOKS) >= 64:
        _WORKBOOKS.clear()
    found = _WORKBOOKS[key] = tuple(sheets)
    return found


def sheet_parts(package: _Package) -> frozenset[str]:
    """The parts :func:`xlsx_sheets` measures (and whose prologs it checks for a DTD)."""
    return frozenset(part for _, _, part in _workbook_sheets(package) if part in package.parts)


# (workbook.xml, workbook.xml.rels) stored bytes -> their sheets. Bounded: 64 entries of a few KB.
_WORKBOOKS: dict[tuple[bytes, ...], tuple[tuple[str, bool, str], ...]] = {}


def _scan_xlsx_sheet(package: _Package, info: zipfile.ZipInfo, extent: _Extent) -> None:
    """Measure one sheet part, up to the end of its cells (``</sheetData>``) where nothing can hide that tag.

    The rest of a sheet (data validations, conditional formats, page setup: half a form's sheet XML) holds no
    cell, and the reader reads none after the first end tag; a comment, CDATA section or processing
    instruction before it (which could hide a false one) makes the whole part measured.
    """
    state = [0, 0]  # the slow path's current row and column (1-based), across segments
    prefixed: bool | None = None
    opaque = False
    for segment in _segments(package, info):
        start = 0
        if prefixed is None:
            _refuse_dtd(segment, extent, info)
            # A sheet whose elements carry a namespace prefix ("<x:c") is rare: it takes the slow path.
            root = _ROOT.search(segment)
            prefixed = root is None or bool(root.group(1))
            start = root.start() if root is not None else 0  # after the XML declaration ("<?xml")
        end = -1 if prefixed or opaque else segment.find(_END, start)
        opaque = opaque or _hides_tags(segment, start, len(segment) if end < 0 else end)
        if end >= 0 and not opaque:
            segment = segment[:end]
        if prefixed or not _fast(segment, extent, state):
            _slow(segment, extent, state)
        if end >= 0 and not opaque:
            return


def _refuse_dtd(head: bytes, extent: _Extent, info: zipfile.ZipInfo) -> None:
    """A DTD in the part's prolog (entity expansion), or a prolog running past 64 KB: ``xml-entities``."""
    for limit in (256, XML_PEEK_BYTES):  # a writer's prolog is ~60 bytes
        verdict = prolog_verdict(head[:limit])
        if verdict is False or (verdict is None and len(head) < limit):
            return
        if verdict:
            break
    raise _TooLarge(findings.make("xml-entities", file=extent.name, value=info.filename))


def _hides_tags(segment: bytes, start: int, end: int) -> bool:
    return any(segment.find(rare, start, end) >= 0 and segment.find(mark, start, end) >= 0 for rare, mark in _OPAQUE)


def _fast(segment: bytes, extent: _Extent, state: list[int]) -> bool:
    """Measure a segment whose every cell tag starts ``<c r="A1"``, in two passes of compiled code.

    One pattern finds what matters and nothing else: a cell tag of another shape (then ``False``: the slow
    path measures the segment) or a cell past the limits (the first is named); another finds formula tags (a
    dozen in a form), each read where it stands. Cells are counted only once the workbook's sheet XML is large enough to
    hold :data:`MAX_CELLS` of them (a cell tag takes at least 11 bytes): forms never pay for it.
    """
    for m in _SCAN.finditer(segment):
        pos = m.start()
        cell = _REF_AT.match(segment, pos)
        if cell is None:
            return False  # a cell of another shape: the slow path measures the segment
        extent.far(int(cell.group(2)), _column_number(cell.group(1)))  # past a limit: raises
    extent.budget[1] += len(segment)
    if extent.budget[1] > _CELL_BYTES * MAX_CELLS:
        extent.count(segment.count(b'<c r="'))
    else:
        extent.count(len(segment) // _CELL_BYTES, exact=False)
    last = _REF_AT.match(segment, max(0, segment.rfind(b'<c r="')))
    if last is not None:
        row, col = int(last.group(2)), _column_number(last.group(1))
        extent.far(row, col)
        state[0], state[1] = row, col
    for tag in _FORMULA_TAG.finditer(segment):
        found = _FORMULA_AT.match(segment, max(0, segment.rfind(b'<c r="', 0, tag.start())))
        if found is None:
            # A formula tag not right after its cell's open tag (after the value, or past a quoted ">" in an
            # attribute): the slow path, which reads every tag in order, gives it its cell.
            return False
        raw = found.group(2) or b""
        text = _FORMULA_TEXTS.get(raw)
        if text is None:
            text = _formula_text(raw)
        extent.formula(found.group(1).decode("ascii"), text)
    return True


def _formula_text(raw: bytes) -> str:
    """A formula tag's text decoded, remembered by its bytes: every form of a campaign repeats the same formulas."""
    text = raw.decode("utf-8", "replace")
    if b"&" in raw:
        text = html.unescape(text)
    if len(raw) <= _REMEMBERED_FORMULA_BYTES:  # a hostile file's long formulas are not kept
        if _remembered[0] + len(raw) > _REMEMBERED_BYTES:
            _FORMULA_TEXTS.clear()
            _remembered[0] = 0
        _FORMULA_TEXTS[raw] = text
        _remembered[0] += len(raw)
    return text


# A formula's stored bytes -> its text, for formulas of at most 2 KB (the tool's own are a few hundred bytes,
# openpyxl's character references included). Bounded: 1 MB of stored bytes in all, then forgotten.
_FORMULA_TEXTS: dict[bytes, str] = {}
_REMEMBERED_FORMULA_BYTES, _REMEMBERED_BYTES = 2048, 1 << 20
_remembered = [0]


def _slow(segment: bytes, extent: _Extent, state: list[int], *, count: bool = True) -> None:
    """Every row, cell and formula tag in order: cells without a reference take the next position."""
    row, col = state
    cell = ""
    for m in _TAG.finditer(segment):
        extent.work()
        tag, raw = m.group(1), m.group(2)
        ref = _attrs(raw).get("r", "").encode("ascii", "replace") if b"r" in raw else b""
        if tag == b"row":
            row = int(ref) if ref.isdigit() and len(ref) < 9 else row + 1
            col = 0
            extent.far(row, 1)
        elif tag == b"c":
            found = _REF.match(ref)
            if found:
                row, col = int(found.group(2)), _column_number(found.group(1).upper())
            else:
                col += 1
            extent.far(max(row, 1), col)
            if count:
                extent.count(1)
            cell = f"{_column_letters(col)}{max(row, 1)}"
        elif cell:
            text = "" if raw.rstrip().endswith(b"/") else html.unescape(m.group(3).decode("utf-8", "replace"))
            extent.formula(cell, text)
    state[0], state[1] = row, col
