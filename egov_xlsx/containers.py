"""Zip and OLE (compound file) containers: what is inside, and why it must not be opened.

The gate (:mod:`egov_xlsx.gate`) hands every zip or OLE file here. A zip's central directory is read
without inflating anything, and only the first bytes of the parts a reader will parse are inflated, to
refuse XML that declares a DTD. An OLE file's directory tells an .xls from an encrypted workbook or a Word
document. Nothing here raises for a bad file: a damaged container is ``file-corrupt``.
"""

from __future__ import annotations

import codecs
import io
import struct
import zipfile
import zlib
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
    try:
        kind = _zip_kind(package)
        problem = _zip_bomb(infos, name)
        if problem is None and kind in READABLE_KINDS:
            problem = _zip_parts(package, name, kind)
    except _ZIP_ERRORS:
        return Sniff(zip_hint(content), corrupt(name, "một phần nội dung của tệp nén bị hỏng"))
    if problem is None and kind == "xlsx" and "xl/workbook.xml" not in package.parts:
        problem = corrupt(name, "thiếu phần xl/workbook.xml")
    return Sniff(kind, problem)


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
        if info.filename.lower().endswith((".xml", ".rels", ".vml")) and _declares_dtd(package, info):
            return findings.make("xml-entities", file=name, value=info.filename)
    return None


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
            encrypted = _biff_has_filepass(ole.stream_head(*book))
        except (ValueError, IndexError, struct.error):
            return Sniff("xls", corrupt(name, "cấu trúc tệp Excel 97-2003 bị hỏng hoặc tệp bị cắt cụt"))
        return Sniff("xls", findings.make("file-encrypted", file=name) if encrypted else None)
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
