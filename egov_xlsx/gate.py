"""The input gate: what each file in ``inbox/`` is, decided before any spreadsheet reader touches it.

A clerk's inbox holds whatever units sent back: forms, but also PDF scans, photos, Word letters, web pages
and CSV exports renamed ``.xls``, password-protected workbooks, files cut short by a mail client, and now
and then something hostile (a zip bomb, an XML "billion laughs"). The gate reads each file once, sniffs
its content (never trusting the extension), checks a zip's central directory without inflating anything,
and returns an :class:`Admitted` verdict: readable, or findings saying why not.

Rules, in order:

* Of a file over :data:`MAX_FILE_BYTES` only the first 8 KB are read: a spreadsheet (by extension or
  content) is ``file-too-large``; anything else, say a 30 MB PDF scan, is only ignored.
* An empty file is ``file-empty`` (a non-spreadsheet extension makes it ``file-ignored``).
* Content decides the kind. Spreadsheet content (xlsx, xlsm, xlsb, xls, ods) is readable whatever the
  file is called: ``bieu.xlsx.pdf`` or a name without extension are still forms.
* A file that claims to be a spreadsheet (by extension or content) but is broken, encrypted, a zip bomb
  or carries an XML DTD gets that error. Other content under a spreadsheet extension is
  ``file-disguised``; content that only a spreadsheet program writes but our readers cannot read
  (SpreadsheetML 2003, an Excel "web page") is ``file-disguised`` whatever its extension.
* Anything else (PDF, photo, Word document, text) is ``file-ignored``, a note, not an error.

Nothing here raises for a bad file: every OS error becomes ``file-unreadable``.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import io
import os
import stat
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from hashlib import sha256
from pathlib import Path

from egov_xlsx import findings
from egov_xlsx.model import Finding, SourceFile
from egov_xlsx.vietnamese import format_number, quantize

# A returned form is 10-200 KB; even one with a scanned signature pasted in stays under a few MB.
# 20 MB leaves room for photos pasted into the evidence column while refusing video or disk images.
MAX_FILE_BYTES = 20 * 1024 * 1024
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
# How much of a file's head the sniffers look at.
_HEAD_BYTES = 8 * 1024

#: Extensions that claim a spreadsheet (compared lowercase).
SPREADSHEET_EXTENSIONS = frozenset({".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"})
#: Content kinds handed to the spreadsheet reader (python-calamine reads them all).
READABLE_KINDS = frozenset({"xlsx", "xlsm", "xlsb", "xls", "ods"})

# What a kind is, in words for the clerk: "nội dung là {phrase}"; "Tệp {phrase minus 'tệp '}".
_KIND_PHRASES: dict[str, str] = {
    "xlsx": "bảng tính Excel (.xlsx)",
    "xlsm": "bảng tính Excel có macro (.xlsm)",
    "xlsb": "bảng tính Excel nhị phân (.xlsb)",
    "xls": "bảng tính Excel 97-2003 (.xls)",
    "ods": "bảng tính OpenDocument (.ods)",
    "spreadsheetml2003": "XML Spreadsheet 2003",
    "pdf": "tệp PDF",
    "png": "ảnh PNG",
    "jpeg": "ảnh JPEG",
    "gif": "ảnh GIF",
    "tiff": "ảnh TIFF",
    "bmp": "ảnh BMP",
    "heic": "ảnh HEIC (iPhone)",
    "webp": "ảnh WebP",
    "video": "tệp video",
    "docx": "tài liệu Word",
    "doc": "tài liệu Word 97-2003",
    "odt": "văn bản OpenDocument",
    "pptx": "bản trình chiếu PowerPoint",
    "ppt": "bản trình chiếu PowerPoint 97-2003",
    "odp": "bản trình chiếu OpenDocument",
    "opendocument": "tài liệu OpenDocument",
    "rtf": "văn bản RTF",
    "msg": "thư Outlook",
    "html": "trang HTML",
    "mht": "trang web MHT",
    "xml": "tệp XML",
    "csv": "văn bản CSV",
    "text": "văn bản thuần (text)",
    "zip": "tệp nén ZIP",
    "rar": "tệp nén RAR",
    "7z": "tệp nén 7z",
    "gzip": "tệp nén gzip",
    "ole": "tệp Microsoft Office không rõ loại",
    "encrypted": "tài liệu Office có mật khẩu",
    "empty": "tệp rỗng (0 byte)",
    "unknown": "dữ liệu không rõ định dạng",
}


@dataclass(frozen=True)
class Admitted:
    """The gate's verdict on one file of ``inbox/``.

    ``readable`` is true when the content is a spreadsheet the reader can open (``source.kind`` in
    :data:`READABLE_KINDS`) and nothing refused it; ``findings`` then is empty. Otherwise ``findings``
    holds the one reason (an error, or ``file-ignored`` as a note for a file that is not a form).
    ``content`` holds a readable file's bytes (``None`` otherwise), so the reader need not read the file
    again: ``python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))``.
    """

    source: SourceFile
    readable: bool
    findings: tuple[Finding, ...]
    content: bytes | None = field(default=None, repr=False, compare=False)


# --------------------------------------------------------------------------- listing


_SKIPPED_NAMES = frozenset({"thumbs.db", "desktop.ini"})


def list_inbox(inbox: Path) -> list[Path]:
    """The files directly in ``inbox`` (subfolders are not read), sorted by NFC name, ignoring case.

    Skipped: Office lock files (``~$name.xlsx``), LibreOffice locks (``.~lock.name#``), hidden files
    (a leading dot, or the Windows hidden attribute), ``Thumbs.db`` and ``desktop.ini``. Raises
    ``OSError`` (e.g. ``FileNotFoundError``) when ``inbox`` itself cannot be listed.
    """
    found: list[tuple[str, str, Path]] = []
    with os.scandir(inbox) as entries:
        for entry in entries:
            name = entry.name
            if name.startswith(("~$", ".")) or name.lower() in _SKIPPED_NAMES:
                continue
            try:
                if not entry.is_file() or _is_hidden(entry):
                    continue
            except OSError:
                pass  # listed anyway: admit() will say why it cannot be opened
            found.append((unicodedata.normalize("NFC", name), name, Path(entry.path)))
    # Case-insensitive first, so "bieu.xlsx" sits next to "Bieu (2).xlsx"; the rest makes the order total.
    found.sort(key=lambda t: (t[0].casefold(), t[0], t[1]))
    return [path for _, _, path in found]


def _is_hidden(entry: os.DirEntry[str]) -> bool:
    # st_file_attributes exists on Windows only; elsewhere a leading dot is the convention.
    return bool(getattr(entry.stat(), "st_file_attributes", 0) & stat.FILE_ATTRIBUTE_HIDDEN)


# --------------------------------------------------------------------------- admitting


@dataclass(frozen=True)
class _Sniff:
    """What the content is, and why it cannot be read even if it claims to be a spreadsheet."""

    kind: str
    problem: Finding | None = None
    #: Content only a spreadsheet program writes (SpreadsheetML 2003, an Excel web page).
    spreadsheet_like: bool = False


def admit(path: Path, *, inbox: Path | None = None) -> Admitted:
    """Decide whether ``path`` is a spreadsheet to read; never raises for a bad file.

    The file is opened once: at most :data:`MAX_FILE_BYTES` + 1 bytes are read, hashed and sniffed.
    The findings' ``file`` is the name relative to ``inbox`` (or the bare name), NFC-normalised.
    """
    name = display_name(path, inbox)
    ext = path.suffix.lower()
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            return _unreadable(path, name, "đây là một thư mục, không phải tệp")
        if not stat.S_ISREG(st.st_mode):
            # Opening a FIFO or a device would block or never end; only regular files are forms.
            return _unreadable(path, name, "đây không phải là một tệp thông thường (thiết bị, đường ống...)")
        with path.open("rb") as handle:
            size, mtime = os.fstat(handle.fileno()).st_size, st.st_mtime
            if size > MAX_FILE_BYTES:
                head = handle.read(_HEAD_BYTES)
                return _too_large(path, name, ext, size, mtime, head)
            # Read one byte past the limit: the file may be growing while a mail client saves it.
            content = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return _unreadable(path, name, _os_reason(exc))
    if len(content) > MAX_FILE_BYTES:
        return _too_large(path, name, ext, len(content), mtime, content[:_HEAD_BYTES])

    try:
        sniff = _sniff(content, name) if content else _Sniff("empty")
    except Exception as exc:  # a sniffer bug must not stop the batch; the file is still named
        sniff = _Sniff("unknown", _corrupt(name, f"lỗi khi kiểm tra tệp: {type(exc).__name__}"))
    source = SourceFile(
        path=path, name=name, size=len(content), sha256=sha256(content).hexdigest(), mtime=mtime, kind=sniff.kind
    )
    return _verdict(source, ext, path.suffix, sniff, content)


def display_name(path: Path, inbox: Path | None = None) -> str:
    """The file's name as shown to clerks: relative to ``inbox`` when inside it, NFC, spaces kept.

    Files copied from macOS carry decomposed (NFD) names; they must read and sort like the others.
    """
    shown = path.name
    if inbox is not None:
        with contextlib.suppress(ValueError):  # not inside the inbox: its bare name
            shown = path.relative_to(inbox).as_posix()
    return unicodedata.normalize("NFC", shown)


def _verdict(source: SourceFile, ext: str, suffix: str, sniff: _Sniff, content: bytes) -> Admitted:
    name, kind = source.name, sniff.kind
    claims = ext in SPREADSHEET_EXTENSIONS or kind in READABLE_KINDS or sniff.spreadsheet_like
    finding: Finding | None
    if kind == "empty":
        finding = findings.make("file-empty", file=name) if claims or not ext else _ignored(name, kind)
    elif sniff.problem is not None and claims:
        finding = sniff.problem
    elif kind in READABLE_KINDS:
        return Admitted(source, True, (), content)
    elif sniff.spreadsheet_like or (ext in SPREADSHEET_EXTENSIONS and kind != "unknown"):
        finding = findings.make(
            "file-disguised", file=name, extension=suffix or "(không có)", kind=_KIND_PHRASES[kind], value=kind
        )
    elif ext in SPREADSHEET_EXTENSIONS:
        # Bytes that are nothing recognisable: a transfer gone wrong more often than a deliberate rename.
        finding = findings.make("file-corrupt", file=name, detail="không nhận ra nội dung của tệp bảng tính")
    else:
        finding = _ignored(name, kind)
    # Only readable files keep their bytes: an inbox of 50 MB of PDF scans need not stay in memory.
    return Admitted(source, False, (finding,), None)


_ARCHIVES = frozenset({"zip", "rar", "7z", "gzip"})


def _ignored(name: str, kind: str) -> Finding:
    # Units sometimes send their forms zipped: say how to use them (a broken .docx is also a zip: not that).
    if kind in _ARCHIVES and (kind != "zip" or name.lower().endswith(".zip")):
        return findings.make("file-archive", file=name, kind=_KIND_PHRASES[kind], value=kind)
    phrase = _KIND_PHRASES[kind].removeprefix("tệp ")
    return findings.make("file-ignored", file=name, kind=phrase, value=kind)


def _too_large(path: Path, name: str, ext: str, size: int, mtime: float, head: bytes) -> Admitted:
    kind = _sniff_magic(head) or _sniff_text(head)[0]
    if kind == "zip":
        kind = _zip_hint(head)
    source = SourceFile(path=path, name=name, size=size, sha256="", mtime=mtime, kind=kind)
    if ext in SPREADSHEET_EXTENSIONS or kind in READABLE_KINDS or (not ext and kind in ("zip", "ole")):
        finding = findings.make(
            "file-too-large", file=name, size=_format_bytes(size), limit=_format_bytes(MAX_FILE_BYTES), value=size
        )
    else:
        finding = _ignored(name, kind)
    return Admitted(source, False, (finding,), None)


def _unreadable(path: Path, name: str, why: str) -> Admitted:
    source = SourceFile(path=path, name=name, size=0, sha256="", mtime=0.0, kind="unknown")
    return Admitted(source, False, (findings.make("file-unreadable", file=name, detail=why),))


def _os_reason(exc: OSError) -> str:
    """An OS error in words a clerk can act on (the system's own text kept for whoever helps them)."""
    if isinstance(exc, PermissionError):
        return "không có quyền đọc tệp, hoặc tệp đang bị một chương trình khác khóa"
    if isinstance(exc, FileNotFoundError):
        return "tệp không còn trong thư mục (đã bị xóa, đổi tên hoặc di chuyển trong lúc chạy)"
    if isinstance(exc, IsADirectoryError):
        return "đây là một thư mục, không phải tệp"
    # ENAMETOOLONG on POSIX; ERROR_FILENAME_EXCED_RANGE (206) on Windows.
    if exc.errno == errno.ENAMETOOLONG or getattr(exc, "winerror", None) == 206:
        return "đường dẫn tới tệp quá dài; chuyển thư mục đợt đánh giá tới chỗ có đường dẫn ngắn hơn"
    return f"lỗi hệ thống khi đọc tệp ({exc.strerror or exc})"


def _format_bytes(n: int) -> str:
    """A size the way Windows Explorer shows it (binary units), Vietnamese decimals: "1,5 GB", "20 MB"."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= scale:
            return f"{format_number(quantize(Decimal(n) / scale, 1))} {unit}"
    return f"{n} byte"


# --------------------------------------------------------------------------- sniffing


def _sniff(content: bytes, name: str) -> _Sniff:
    if content.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return _inspect_zip(content, name)
    if content.startswith(_OLE_MAGIC):
        return _inspect_ole(content, name)
    head = content[:_HEAD_BYTES]
    kind = _sniff_magic(head)
    if kind is not None:
        return _Sniff(kind)
    text_kind, spreadsheet_like = _sniff_text(head)
    return _Sniff(text_kind, spreadsheet_like=spreadsheet_like)


def _sniff_magic(head: bytes) -> str | None:
    """The kind told by a binary signature, or ``None``."""
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return "zip"
    if head.startswith(_OLE_MAGIC):
        return "ole"
    # A PDF may carry a few bytes of junk before its header (the spec tolerates 1 KB).
    if b"%PDF-" in head[:1024]:
        return "pdf"
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        return "heic" if brand in (b"heic", b"heix", b"mif1", b"msf1", b"hevc", b"heim", b"heis") else "video"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    # "BM" alone is too weak (a text file may start with it): the header also states the file size.
    if head[:2] == b"BM" and len(head) >= 14 and head[6:10] == b"\0\0\0\0":
        return "bmp"
    return None


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"Rar!\x1a\x07", "rar"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x1f\x8b", "gzip"),
    (b"{\\rtf", "rtf"),
)


def _sniff_text(head: bytes) -> tuple[str, bool]:
    """Kind of a text file (html, mht, spreadsheetml2003, xml, csv, text), or "unknown" for binary.

    The flag is true for text only a spreadsheet program writes: SpreadsheetML 2003 and Excel's
    "web page" export, both often saved under ``.xls``.
    """
    text = _decode(head)
    if text is None:
        return "unknown", False
    lower = text.lstrip().lower()
    if lower.startswith("mime-version:") or "multipart/related" in lower[:2048]:
        return "mht", "excel" in lower[:_HEAD_BYTES]
    if lower.startswith("<"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in lower or 'progid="excel.sheet"' in lower:
            return "spreadsheetml2003", True
        excel = "urn:schemas-microsoft-com:office:excel" in lower or "excel.sheet" in lower
        if any(tag in lower[:4096] for tag in ("<html", "<!doctype html", "<table", "<head", "<body", "<meta")):
            return "html", excel
        return "xml", False
    lines = [line for line in text.splitlines() if line.strip()]
    if len(head) >= _HEAD_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut short by the head's end
    for sep in (",", ";", "\t", "|"):
        counts = [line.count(sep) for line in lines[:20]]
        if counts and min(counts) >= 1 and (len(counts) > 1 or counts[0] >= 2):
            return "csv", False
    return "text", False


def _decode(head: bytes) -> str | None:
    """Decode a file's head as text (UTF-8, UTF-16 or the Vietnamese Windows code page), or ``None``."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif b"\x00" in head:
        # UTF-16 without a BOM: every other byte of ASCII text is zero.
        if head[1::2].count(0) > len(head) // 4:
            encoding = "utf-16-le"
        elif head[0::2].count(0) > len(head) // 4:
            encoding = "utf-16-be"
        else:
            return None
    else:
        encoding = "utf-8-sig"
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    except UnicodeDecodeError:
        try:
            text = head.decode("cp1258")
        except UnicodeDecodeError:
            return None
    controls = sum(1 for ch in text if ch < " " and ch not in "\t\n\r\f\x1a")
    return None if controls > len(text) // 100 else text


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


def _inspect_zip(content: bytes, name: str) -> _Sniff:
    """Kind of a zip container and the first reason to refuse it, from its central directory.

    Nothing is inflated but the first bytes of the small parts that tell the kind and of XML parts'
    prologs (each bounded by :data:`XML_PEEK_BYTES`).
    """
    try:
        infos = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except _ZIP_ERRORS:
        return _Sniff(_zip_hint(content), _corrupt(name, "cấu trúc tệp nén bị hỏng hoặc tệp bị cắt cụt"))
    package = _Package(content, infos)
    try:
        kind = _zip_kind(package)
        problem = _zip_bomb(infos, name)
        if problem is None and kind in READABLE_KINDS:
            problem = _zip_parts(package, name, kind)
    except _ZIP_ERRORS:
        return _Sniff(_zip_hint(content), _corrupt(name, "một phần nội dung của tệp nén bị hỏng"))
    if problem is None and kind == "xlsx" and "xl/workbook.xml" not in package.parts:
        problem = _corrupt(name, "thiếu phần xl/workbook.xml")
    return _Sniff(kind, problem)


class _Package:
    """A zip's parts by name, read straight from the bytes in memory.

    zipfile's own ``open`` costs ~15 µs a part (local header checks, CRC bookkeeping); peeking at a
    dozen prologs through zlib directly costs a fifth of that, which keeps the gate well under 1 ms.
    """

    def __init__(self, content: bytes, infos: list[zipfile.ZipInfo]) -> None:
        self.content = memoryview(content)
        self.infos = infos
        self.parts = {info.filename: info for info in infos}

    def head(self, info: zipfile.ZipInfo, limit: int) -> bytes:
        """Up to ``limit`` inflated bytes from the start of a part."""
        offset = info.header_offset
        header = bytes(self.content[offset : offset + 30])
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"bad local header for {info.filename}")
        name_len, extra_len = struct.unpack_from("<HH", header, 26)
        start = offset + 30 + name_len + extra_len
        end = min(start + info.compress_size, len(self.content))
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


def _zip_hint(content: bytes) -> str:
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
        return findings.make("zip-bomb", file=name, detail=f"dung lượng {_format_bytes(total)}", value=total)
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_BYTES and ratio > MAX_RATIO:
            detail = (
                f"dung lượng {_format_bytes(info.file_size)} (phần {info.filename} nén gấp "
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
    before the root element, so reading up to the root's first tag is enough.
    """
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


def _corrupt(name: str, detail: str) -> Finding:
    return findings.make("file-corrupt", file=name, detail=detail)


# --------------------------------------------------------------------------- OLE (compound file) containers


def _inspect_ole(content: bytes, name: str) -> _Sniff:
    """Kind of an OLE compound file (xls, encrypted OOXML, doc ...) from its directory."""
    try:
        ole = _Ole(content)
        streams = ole.entries()
    except (ValueError, IndexError, struct.error):
        return _Sniff("ole", _corrupt(name, "cấu trúc tệp Excel 97-2003 bị hỏng hoặc tệp bị cắt cụt"))
    # Excel and LibreOffice wrap a password-protected xlsx in an OLE file holding these two streams.
    if "encryptedpackage" in streams or "encryptioninfo" in streams:
        return _Sniff("encrypted", findings.make("file-encrypted", file=name))
    book = streams.get("workbook") or streams.get("book")
    if book is not None:
        try:
            encrypted = _biff_has_filepass(ole.stream_head(*book))
        except (ValueError, IndexError, struct.error):
            return _Sniff("xls", _corrupt(name, "cấu trúc tệp Excel 97-2003 bị hỏng hoặc tệp bị cắt cụt"))
        return _Sniff("xls", findings.make("file-encrypted", file=name) if encrypted else None)
    if "worddocument" in streams:
        return _Sniff("doc")
    if "powerpoint document" in streams:
        return _Sniff("ppt")
    if any(n.startswith("__substg1.0_") for n in streams):
        return _Sniff("msg")
    return _Sniff("ole")


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
