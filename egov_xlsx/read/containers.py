"""Zip and OLE (compound file) containers: what is inside, and why it must not be opened.

The gate (:mod:`egov_xlsx.read.gate`) hands every zip or OLE file here. A zip's central directory is read
without inflating anything, and only the first bytes of the parts a reader will parse are inflated, to
refuse XML that declares a DTD. An OLE file's directory tells an .xls from an encrypted workbook or a Word
document. Nothing here raises for a bad file: a damaged container is ``file-corrupt``.
"""

from __future__ import annotations

import codecs
import html
import io
import posixpath
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from egov_xlsx import findings
from egov_xlsx.model import Finding
from egov_xlsx.vietnamese import format_number, quantize

#: Kinds of content a spreadsheet reader opens (python-calamine reads all five).
READABLE_KINDS = frozenset({"xlsx", "xlsm", "xlsb", "xls", "ods"})

# An xlsx has ~10-20 parts; LibreOffice's ods ~15. Zip bombs of the "many small files" kind need
# thousands of entries, and every entry costs the reader a directory record and an open.
MAX_ZIP_ENTRIES = 2000
# A 2,000-row form is under 1 MB of XML once inflated. 100 MB is 100x that (pictures included) yet keeps
# the worst a reader can be made to inflate, and the cells it builds from it, to a few hundred MB of RAM.
# Declared sizes can be trusted as a ceiling: Python's zipfile and the zip crate under python-calamine
# stop at an entry's declared size ("File is larger than its declared uncompressed size").
MAX_UNCOMPRESSED = 100 * 1024 * 1024
# Spreadsheet XML deflates 5-30:1; a sheet of identical styled empty rows may reach 100:1. Deflate tops
# out at 1032:1, which is what bombs use. The ratio only matters for large entries (RATIO_MIN_BYTES):
# a tiny part compressing 300:1 (a run of spaces) harms no one.
MAX_RATIO = 200
RATIO_MIN_BYTES = 10 * 1024 * 1024
# An XML prolog (declaration, comments, DOCTYPE) precedes the root element; no spreadsheet writer puts
# more than a few hundred bytes there. Reading up to 64 KB of each part finds a DTD wherever a
# legitimate prolog could end, and a longer prolog is itself refused.
XML_PEEK_BYTES = 64 * 1024


@dataclass(frozen=True)
class Sniff:
    """What the content is, and why it cannot be read even if it claims to be a spreadsheet."""

    kind: str
    problem: Finding | None = None
    #: Content only a spreadsheet program writes (SpreadsheetML 2003, an Excel web page).
    spreadsheet_like: bool = False
    #: A readable workbook's sheets as measured before any reader opens it (xlsx, xlsm, ods, xls).
    sheets: tuple[SheetScan, ...] = ()


def corrupt(name: str, detail: str) -> Finding:
    return findings.make("file-corrupt", file=name, detail=detail)


def format_bytes(n: int) -> str:
    """A size the way Windows Explorer shows it (binary units), Vietnamese decimals: "1,5 GB", "20 MB"."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= scale:
            return f"{format_number(quantize(Decimal(n) / scale, 1))} {unit}"
    return f"{n} byte"


# --------------------------------------------------------------------------- zip containers

# What zipfile raises on damaged input (RuntimeError: an encrypted entry opened without a password).
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    ValueError,
    EOFError,
    OSError,
    struct.error,
    NotImplementedError,
    RuntimeError,
)


def inspect_zip(content: bytes, name: str) -> Sniff:
    """Kind of a zip container and the first reason to refuse it, from its central directory.

    Nothing is inflated but the first bytes of the small parts that tell the kind and of XML parts'
    prologs (each bounded by :data:`XML_PEEK_BYTES`).
    """
    try:
        infos = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except _ZIP_ERRORS:
        return Sniff(zip_hint(content), corrupt(name, "cấu trúc tệp nén bị hỏng hoặc tệp bị cắt cụt"))
    package = _Package(content, infos)
    sheets: tuple[SheetScan, ...] = ()
    try:
        kind = _zip_kind(package)
        problem = _zip_bomb(infos, name)
        if problem is None and kind in READABLE_KINDS:
            problem = _zip_parts(package, name, kind)
        if problem is None and kind == "xlsx" and "xl/workbook.xml" not in package.parts:
            problem = corrupt(name, "thiếu phần xl/workbook.xml")
        if problem is None and kind in ("xlsx", "xlsm"):
            sheets = xlsx_sheets(package, name)
        elif problem is None and kind == "ods":
            sheets = ods_sheets(package, name)
    except _ZIP_ERRORS:
        return Sniff(zip_hint(content), corrupt(name, "một phần nội dung của tệp nén bị hỏng"))
    except _TooLarge as exc:
        return Sniff(kind, exc.finding)
    return Sniff(kind, problem, sheets=sheets)


class _Package:
    """A zip's parts by name, read straight from the bytes in memory.

    zipfile's own ``open`` costs ~15 µs a part (local header checks, CRC bookkeeping); peeking at a
    dozen prologs through zlib directly costs a fifth of that, which keeps the gate well under 1 ms.
    """

    def __init__(self, content: bytes, infos: list[zipfile.ZipInfo]) -> None:
        self.content = memoryview(content)
        self.infos = infos
        self.parts = {info.filename: info for info in infos}

    def span(self, info: zipfile.ZipInfo) -> tuple[int, int]:
        """Where a part's stored (compressed) bytes start and end in the file, from its local header."""
        offset = info.header_offset
        header = bytes(self.content[offset : offset + 30])
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"bad local header for {info.filename}")
        name_len, extra_len = struct.unpack_from("<HH", header, 26)
        start = offset + 30 + name_len + extra_len
        return start, min(start + info.compress_size, len(self.content))

    def head(self, info: zipfile.ZipInfo, limit: int) -> bytes:
        """Up to ``limit`` inflated bytes from the start of a part."""
        start, end = self.span(info)
        if info.compress_type == zipfile.ZIP_STORED:
            return bytes(self.content[start : min(end, start + limit)])
        if info.compress_type != zipfile.ZIP_DEFLATED:
            raise NotImplementedError(f"compression method {info.compress_type}")
        inflater = zlib.decompressobj(-15)
        out = b""
        pos = start
        # Feed small slices: handing zlib the whole part would copy its unconsumed tail.
        while len(out) < limit and pos < end and not inflater.eof:
            chunk = self.content[pos : min(end, pos + 4096)]
            pos += len(chunk)
            out += inflater.decompress(chunk, limit - len(out))
        return out

    def read(self, name: str, limit: int) -> bytes | None:
        info = self.parts.get(name)
        return None if info is None else self.head(info, limit)


def _zip_kind(package: _Package) -> str:
    parts = package.parts
    if "xl/workbook.xml" in parts:
        # Excel keeps macros in vbaProject.bin; the kind only names the file, both are read alike.
        return "xlsm" if "xl/vbaProject.bin" in parts else "xlsx"
    if "xl/workbook.bin" in parts:
        return "xlsb"
    mimetype = package.read("mimetype", 128)
    if mimetype is not None:
        if not mimetype.startswith(b"application/vnd.oasis.opendocument"):
            return "zip"
        suffix = mimetype.rstrip().rsplit(b".", 1)[-1]
        return {b"spreadsheet": "ods", b"text": "odt", b"presentation": "odp"}.get(suffix, "opendocument")
    prefixes = {n.split("/", 1)[0] for n in parts}
    if "word" in prefixes:
        return "docx"
    if "ppt" in prefixes:
        return "pptx"
    # An OOXML package whose workbook part is missing is a damaged xlsx, not an anonymous zip.
    if "xl" in prefixes and "[Content_Types].xml" in parts:
        return "xlsx"
    return "zip"


def zip_hint(content: bytes) -> str:
    """Best guess at what a zip too damaged (or too large) to open was, from its local headers' names.

    Local headers store names uncompressed, so the parts that did arrive still name themselves.
    """
    if content[30:38] == b"mimetype" and b"opendocument.spreadsheet" in content[38:120]:
        return "ods"
    if b"xl/workbook." in content or b"xl/worksheets/" in content:
        return "xlsx"
    if b"word/document.xml" in content:
        return "docx"
    if b"ppt/presentation.xml" in content:
        return "pptx"
    return "zip"


def _zip_bomb(infos: list[zipfile.ZipInfo], name: str) -> Finding | None:
    if len(infos) > MAX_ZIP_ENTRIES:
        detail = f"{format_number(len(infos))} phần nội dung"
        return findings.make("zip-bomb", file=name, detail=detail, value=len(infos))
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED:
        return findings.make("zip-bomb", file=name, detail=f"dung lượng {format_bytes(total)}", value=total)
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_BYTES and ratio > MAX_RATIO:
            detail = (
                f"dung lượng {format_bytes(info.file_size)} (phần {info.filename} nén gấp "
                f"{format_number(int(ratio))} lần)"
            )
            return findings.make("zip-bomb", file=name, detail=detail, value=info.file_size)
    return None


def _zip_parts(package: _Package, name: str, kind: str) -> Finding | None:
    """Refuse password-protected packages and XML parts declaring a DTD (entity expansion)."""
    if any(info.flag_bits & 0x1 for info in package.infos):
        return findings.make("file-encrypted", file=name)
    if kind == "ods":
        # An ODF password encrypts the parts but leaves the package readable; the manifest says so.
        manifest = package.read("META-INF/manifest.xml", 4 * XML_PEEK_BYTES) or b""
        if b"encryption-data" in manifest:
            return findings.make("file-encrypted", file=name)
    for info in package.infos:
        if _is_xml_part(package, info) and _declares_dtd(package, info):
            return findings.make("xml-entities", file=name, value=info.filename)
    return None


_BINARY_PARTS = (".bin", ".png", ".jpeg", ".jpg", ".gif", ".emf", ".wmf", ".tif", ".tiff", ".bmp", ".svm")


def _is_xml_part(package: _Package, info: zipfile.ZipInfo) -> bool:
    """Whether a part is XML: by its name, or (any name: a sheet part may be called ``sheet1.dat``) its head."""
    lower = info.filename.lower()
    if lower.endswith((".xml", ".rels", ".vml")):
        return True
    if lower.endswith(_BINARY_PARTS) or lower == "mimetype" or info.file_size == 0:
        return False
    head = package.head(info, 64)
    text = _prolog_text(head).lstrip("\ufeff \t\r\n")
    return text.startswith("<")


def _declares_dtd(package: _Package, info: zipfile.ZipInfo) -> bool:
    """True when the part's prolog declares a DTD, or runs on past :data:`XML_PEEK_BYTES`.

    A DTD is where entity declarations live ("billion laughs", external entities); it may only appear
    before the root element, so reading up to the root's first tag is enough. The verdict on a small part
    is remembered by its exact stored bytes: most parts (styles, theme, relationships) are the same in
    every form a program writes.
    """
    key: tuple[int, bytes] | None = None
    if info.compress_size <= _VERDICT_PART_BYTES:
        start, end = package.span(info)
        key = (info.compress_type, bytes(package.content[start:end]))
        known = _VERDICTS.get(key)
        if known is not None:
            return known
    verdict = _peek_dtd(package, info)
    if key is not None:
        if len(_VERDICTS) >= 256:
            _VERDICTS.clear()
        _VERDICTS[key] = verdict
    return verdict


# (compression method, a small part's stored bytes) -> whether it declares a DTD. Bounded: 256 x 4 KB.
_VERDICTS: dict[tuple[int, bytes], bool] = {}
_VERDICT_PART_BYTES = 4096


def _peek_dtd(package: _Package, info: zipfile.ZipInfo) -> bool:
    for limit in (256, XML_PEEK_BYTES):  # a writer's prolog is ~60 bytes; 256 settles nearly every part
        data = package.head(info, limit)
        verdict = _prolog_verdict(data)
        if verdict is not None:
            return verdict
        if len(data) < limit:
            return False  # the whole part read: no root, no DTD (an empty or broken part: the reader's call)
    return True


def _prolog_verdict(data: bytes) -> bool | None:
    """``True`` DTD found, ``False`` root element reached without one, ``None`` need more bytes."""
    text = _prolog_text(data)
    pos = 0
    while True:
        start = text.find("<", pos)
        if start < 0 or start + 1 >= len(text):
            return None
        if text.startswith("<?", start):
            end = text.find("?>", start)
        elif text.startswith("<!--", start):
            end = text.find("-->", start)
        else:
            # "<!DOCTYPE" (or a stray "<!ENTITY") is a DTD; any other tag is the root: the prolog is over.
            return text.startswith("<!", start)
        if end < 0:
            return None
        pos = end + 2


def _prolog_text(data: bytes) -> str:
    # Markup is ASCII, so latin-1 finds it in UTF-8 and any 8-bit encoding; UTF-16 needs decoding.
    if data.startswith(codecs.BOM_UTF16_LE) or data[1:2] == b"\0":
        return data.decode("utf-16-le", "ignore")
    if data.startswith(codecs.BOM_UTF16_BE) or data[:1] == b"\0":
        return data.decode("utf-16-be", "ignore")
    return data.decode("latin-1")


# --------------------------------------------------------------------------- OLE (compound file) containers


def inspect_ole(content: bytes, name: str) -> Sniff:
    """Kind of an OLE compound file (xls, encrypted OOXML, doc ...) from its directory."""
    try:
        ole = _Ole(content)
        streams = ole.entries()
    except (ValueError, IndexError, struct.error):
        return Sniff("ole", corrupt(name, "cấu trúc tệp Excel 97-2003 bị hỏng hoặc tệp bị cắt cụt"))
    # Excel and LibreOffice wrap a password-protected xlsx in an OLE file holding these two streams.
    if "encryptedpackage" in streams or "encryptioninfo" in streams:
        return Sniff("encrypted", findings.make("file-encrypted", file=name))
    book = streams.get("workbook") or streams.get("book")
    if book is not None:
        try:
            if _biff_has_filepass(ole.stream_head(*book)):
                return Sniff("xls", findings.make("file-encrypted", file=name))
            sheets = xls_sheets(ole, book, name)
        except (ValueError, IndexError, struct.error):
            return Sniff("xls", corrupt(name, "cấu trúc tệp Excel 97-2003 bị hỏng hoặc tệp bị cắt cụt"))
        except _TooLarge as exc:
            return Sniff("xls", exc.finding)
        return Sniff("xls", None, sheets=sheets)
    if "worddocument" in streams:
        return Sniff("doc")
    if "powerpoint document" in streams:
        return Sniff("ppt")
    if any(n.startswith("__substg1.0_") for n in streams):
        return Sniff("msg")
    return Sniff("ole")


def _biff_has_filepass(head: bytes) -> bool:
    """True when a BIFF workbook stream is encrypted: a FILEPASS record follows its first BOF."""
    # [MS-XLS] 2.4.117: FilePass, when present, is the record right after the globals' BOF. Scan the
    # few records in the head anyway, for writers that slip one in between.
    pos = 0
    for _ in range(8):
        if pos + 4 > len(head):
            return False
        rtype, rlen = struct.unpack_from("<HH", head, pos)
        if rtype == 0x002F:
            return True
        pos += 4 + rlen
    return False


class _Ole:
    """Just enough of [MS-CFB] to list a compound file's entries and read a stream's first sector.

    Works on the bytes in memory; every chain walk is bounded by the file's sector count, so a crafted
    loop in the allocation table ends in a ``ValueError`` instead of spinning.
    """

    def __init__(self, data: bytes) -> None:
        if len(data) < 512:
            raise ValueError("short header")
        self.data = data
        shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
        if shift not in (9, 12) or mini_shift != 6:
            raise ValueError("bad sector size")
        self.sector_size = size = 1 << shift
        self.sector_count = max(0, (len(data) + size - 1) // size - 1)
        (self.dir_start,) = struct.unpack_from("<I", data, 0x30)
        (self.mini_cutoff,) = struct.unpack_from("<I", data, 0x38)
        difat_start, difat_count = struct.unpack_from("<II", data, 0x44)
        fat = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < _MAXREGSECT]
        sector = difat_start
        for _ in range(min(difat_count, self.sector_count)):
            if sector >= _MAXREGSECT:
                break
            block = self._sector(sector)
            ids = struct.unpack_from(f"<{len(block) // 4}I", block)
            fat.extend(s for s in ids[:-1] if s < _MAXREGSECT)
            sector = ids[-1]
        self.fat_sectors = fat
        self.root_start = _ENDOFCHAIN

    def _sector(self, index: int) -> bytes:
        offset = (index + 1) * self.sector_size
        if index >= _MAXREGSECT or offset >= len(self.data):
            raise ValueError("sector out of range")
        return self.data[offset : offset + self.sector_size]

    def _next(self, index: int) -> int:
        per = self.sector_size // 4
        if index // per >= len(self.fat_sectors):
            raise ValueError("sector beyond the allocation table")
        offset = (self.fat_sectors[index // per] + 1) * self.sector_size + (index % per) * 4
        if offset + 4 > len(self.data):
            raise ValueError("allocation table out of range")
        return int(struct.unpack_from("<I", self.data, offset)[0])

    def _chain(self, start: int, stop_after: int | None = None) -> list[int]:
        chain: list[int] = []
        sector = start
        while sector < _MAXREGSECT and (stop_after is None or len(chain) < stop_after):
            if len(chain) > self.sector_count:
                raise ValueError("allocation chain longer than the file (a loop)")
            chain.append(sector)
            sector = self._next(sector)
        return chain

    def entries(self) -> dict[str, tuple[int, int]]:
        """Every storage and stream but the root, by lowercase name: (start sector, size)."""
        found: dict[str, tuple[int, int]] = {}
        for sector in self._chain(self.dir_start):
            block = self._sector(sector)
            for base in range(0, len(block) - 127, 128):
                name_len, entry_type = struct.unpack_from("<HB", block, base + 64)
                if entry_type not in (1, 2, 5) or not 2 <= name_len <= 64:
                    continue  # an unused slot
                start, size = struct.unpack_from("<IQ", block, base + 116)
                if self.sector_size == 512:
                    size &= 0xFFFFFFFF  # version 3 files leave the high half undefined
                if entry_type == 5:
                    self.root_start = start
                else:
                    name = block[base : base + name_len - 2].decode("utf-16-le", "replace")
                    found.setdefault(name.lower(), (start, size))
        return found

    def stream(self, start: int, size: int) -> bytes:
        """A whole stream's bytes (bounded by the file: every chain walk is)."""
        if size >= self.mini_cutoff:
            chain = self._chain(start)
            return b"".join(self._sector(s) for s in chain)[:size]
        root = b"".join(self._sector(s) for s in self._chain(self.root_start))
        (minifat_start,) = struct.unpack_from("<I", self.data, 0x3C)
        minifat = b"".join(self._sector(s) for s in self._chain(minifat_start))
        entries = len(minifat) // 4
        out: list[bytes] = []
        sector = start
        while sector < _MAXREGSECT and len(out) * 64 < size:
            if sector >= entries or len(out) > entries:
                raise ValueError("mini stream chain out of range")
            out.append(root[sector * 64 : sector * 64 + 64])
            (sector,) = struct.unpack_from("<I", minifat, sector * 4)
        return b"".join(out)[:size]

    def stream_head(self, start: int, size: int) -> bytes:
        """The first (mini) sector of a stream: enough for a BIFF stream's first records."""
        if size >= self.mini_cutoff:
            return self._sector(start)[: min(size, self.sector_size)]
        # Small streams live in 64-byte mini sectors inside the root entry's chain (the mini stream).
        offset = start * 64
        hops = offset // self.sector_size
        root = self._chain(self.root_start, stop_after=hops + 1)
        if hops >= len(root):
            raise ValueError("mini stream out of range")
        within = offset % self.sector_size
        return self._sector(root[hops])[within : within + min(size, 64)]


# Sector ids at or above this are markers (free, end of chain, FAT, DIFAT), not sectors.
_MAXREGSECT = 0xFFFFFFFA
_ENDOFCHAIN = 0xFFFFFFFE


# --------------------------------------------------------------------------- a sheet's extent and formulas

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


# --- xlsx

_ATTR = re.compile(rb'([\w:.-]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_WB_SHEET = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheet\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_REL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Relationship\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
# The common shape, written by Excel, LibreOffice and every library: each cell's reference first.
# One pass over a sheet's XML finds formula tags and every cell tag that is not ``<c r="A1"`` within column BL
# (64) and row 5,000 (MAX_SHEET_COLUMNS and MAX_SHEET_ROWS, spelt out; a test keeps them in step): a cell
# past the limits, or one of another shape (no reference, "$", lower case, leading zeros), which the slow
# path then measures. Ordinary cells match nothing.
_SCAN = re.compile(
    rb'<(?:c(?=[\s/>])(?! r="(?:[A-Z]|A[A-Z]|B[A-L])(?:[1-9][0-9]{0,2}|[1-4][0-9]{3}|5000)")|f(?=[\s/>]))'
)
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


# (workbook.xml, workbook.xml.rels) stored bytes -> their sheets. Bounded: 64 entries of a few KB.
_WORKBOOKS: dict[tuple[bytes, ...], tuple[tuple[str, bool, str], ...]] = {}


def _scan_xlsx_sheet(package: _Package, info: zipfile.ZipInfo, extent: _Extent) -> None:
    state = [0, 0]  # the slow path's current row and column (1-based), across segments
    prefixed: bool | None = None
    for segment in _segments(package, info):
        if prefixed is None:
            # A sheet whose elements carry a namespace prefix ("<x:c") is rare: it takes the slow path.
            root = _ROOT.search(segment)
            prefixed = root is None or bool(root.group(1))
        if prefixed or not _fast(segment, extent, state):
            _slow(segment, extent, state)


def _fast(segment: bytes, extent: _Extent, state: list[int]) -> bool:
    """Measure a segment whose every cell tag starts ``<c r="A1"``, in one pass of compiled code.

    One pattern finds what matters and nothing else: a cell tag of another shape (then ``False``: the slow
    path measures the segment), a cell past the limits (the first is named), and formula tags (a dozen in a
    form), each read where it stands. Cells are counted only once the workbook's sheet XML is large enough to
    hold :data:`MAX_CELLS` of them (a cell tag takes at least 11 bytes): forms never pay for it.
    """
    formulas: list[int] = []
    for m in _SCAN.finditer(segment):
        pos = m.start()
        if segment[pos + 1] == 0x66:  # "f"
            formulas.append(pos)
            continue
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
    for pos in formulas:
        found = _FORMULA_AT.match(segment, max(0, segment.rfind(b'<c r="', 0, pos)))
        if found is None:
            continue  # a formula tag outside a cell: nothing a reader reads
        raw = found.group(2) or b""
        text = raw.decode("utf-8", "replace")
        extent.formula(found.group(1).decode("ascii"), html.unescape(text) if b"&" in raw else text)
    return True


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


# --- ods

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


# --- xls (BIFF8)

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
