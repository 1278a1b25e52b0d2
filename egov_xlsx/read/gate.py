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
* A readable workbook's sheets are measured before any reader runs (:mod:`egov_xlsx.read.containers`): a cell past
  row 5,000 or column BL, more than 100,000 cells or 40 sheets is ``sheet-too-large``, naming the sheet and
  the cell (a reader builds every sheet as a dense grid: one far cell asks it for 512 GB). The sheets'
  visibility and formula cells travel on in :attr:`Admitted.sheets`.
* In the inbox, a symbolic link is followed only when it leads to a file inside the inbox.

Nothing here raises for a bad file: every OS error becomes ``file-unreadable``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import unicodedata
from dataclasses import dataclass, field, replace
from hashlib import sha256
from pathlib import Path

from egov_xlsx import findings
from egov_xlsx.errors import EgovError
from egov_xlsx.model import Finding, SourceFile
from egov_xlsx.read.containers import (
    READABLE_KINDS,
    SheetScan,
    Sniff,
    corrupt,
    format_bytes,
    zip_hint,
)
from egov_xlsx.read.sniff import HEAD_BYTES, sniff_content, sniff_magic, sniff_text

# A returned form is 10-200 KB; even one with a scanned signature pasted in stays under a few MB.
# 20 MB leaves room for photos pasted into the evidence column while refusing video or disk images.
MAX_FILE_BYTES = 20 * 1024 * 1024

#: Extensions that claim a spreadsheet (compared lowercase).
SPREADSHEET_EXTENSIONS = frozenset({".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"})
#: Content kinds handed to the spreadsheet reader (python-calamine reads them all).

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
    :data:`READABLE_KINDS`) and nothing refused it; ``findings`` then is empty but for a warning that does not
    stop the reading (``file-lock-name``). Otherwise ``findings``
    holds the one reason (an error, or ``file-ignored`` as a note for a file that is not a form).
    ``content`` holds a readable file's bytes (``None`` otherwise), so the reader need not read the file
    again: ``python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))``.
    """

    source: SourceFile
    readable: bool
    findings: tuple[Finding, ...]
    content: bytes | None = field(default=None, repr=False, compare=False)
    #: A readable workbook's sheets as the gate measured them (extent, visibility, formula cells), in every
    #: readable format (.xlsx/.xlsm, .xlsb, .xls, .ods).
    sheets: tuple[SheetScan, ...] = field(default=(), repr=False, compare=False)


# --------------------------------------------------------------------------- listing


_SKIPPED_NAMES = frozenset({"thumbs.db", "desktop.ini"})
# Office's lock file ("~$bieu.xlsx", made while bieu.xlsx is open) holds the user's name: 165 bytes. A file so
# named but larger is a real file (a form saved under that name), listed and reported.
_LOCK_FILE_BYTES = 1024


class InboxError(EgovError, OSError):
    """The inbox folder itself cannot be listed: missing, a file, a symlink loop, no permission.

    ``strerror`` is the Vietnamese reason and ``filename`` the folder, so every caller (and the CLI's exit 4)
    says what is wrong with the folder rather than reporting every unit missing.
    """


def list_inbox(inbox: Path) -> list[Path]:
    """The entries directly in ``inbox`` to judge, sorted by NFC name, ignoring case.

    Listed: every file, and every entry that looks like one but is not (a symlink, which :func:`admit` follows
    only inside the inbox; a FIFO or device; a folder named like a spreadsheet, "bieu.xlsx"), so that each is
    reported by name. Skipped without a word: subfolders (where superseded forms are kept), Office lock files
    (``~$name.xlsx`` of a few hundred bytes), LibreOffice locks (``.~lock.name#``), hidden files (a leading
    dot, or the Windows hidden attribute), ``Thumbs.db`` and ``desktop.ini``. Raises :class:`InboxError` when
    ``inbox`` itself cannot be listed.
    """
    found: list[tuple[str, str, Path]] = []
    try:
        if not stat.S_ISDIR(os.stat(inbox).st_mode):
            raise InboxError(errno.ENOTDIR, "đây là một tệp, không phải thư mục chứa biểu nhận về", str(inbox))
        with os.scandir(inbox) as entries:
            for entry in entries:
                if _listed(entry):
                    name = entry.name
                    found.append((unicodedata.normalize("NFC", name), name, Path(entry.path)))
    except InboxError:
        raise
    except OSError as exc:
        raise InboxError(exc.errno or 0, _folder_reason(exc), str(inbox)) from exc
    # Case-insensitive first, so "bieu.xlsx" sits next to "Bieu (2).xlsx"; the rest makes the order total.
    found.sort(key=lambda t: (t[0].casefold(), t[0], t[1]))
    return [path for _, _, path in found]


def _listed(entry: os.DirEntry[str]) -> bool:
    name = entry.name
    if name.startswith(".") or name.lower() in _SKIPPED_NAMES:
        return False
    try:
        if entry.is_symlink():
            return True  # admit() says where it leads, or that it leads nowhere
        if entry.is_dir(follow_symlinks=False):
            return Path(name).suffix.lower() in SPREADSHEET_EXTENSIONS
        if name.startswith("~$"):
            return entry.stat(follow_symlinks=False).st_size > _LOCK_FILE_BYTES
        return not (entry.is_file(follow_symlinks=False) and _is_hidden(entry))
    except OSError:
        return True  # listed anyway: admit() will say why it cannot be opened


def _folder_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "thư mục không tồn tại; tạo thư mục này rồi chép các biểu đơn vị gửi về vào đó"
    if isinstance(exc, PermissionError):
        return "không có quyền đọc thư mục"
    if exc.errno == errno.ELOOP:
        return "đường dẫn là một vòng lặp liên kết (symlink trỏ về chính nó), không dẫn tới thư mục nào"
    if isinstance(exc, NotADirectoryError):
        return "đây là một tệp, không phải thư mục chứa biểu nhận về"
    return f"lỗi hệ thống khi đọc thư mục ({exc.strerror or exc})"


def _is_hidden(entry: os.DirEntry[str]) -> bool:
    # File attributes exist on Windows only (where the directory listing already holds them); elsewhere a
    # leading dot is the convention, and asking would cost a stat() a file.
    if not _FILE_ATTRIBUTES:
        return False
    return bool(getattr(entry.stat(), "st_file_attributes", 0) & stat.FILE_ATTRIBUTE_HIDDEN)


_FILE_ATTRIBUTES = hasattr(os.stat_result, "st_file_attributes")


# --------------------------------------------------------------------------- admitting


def admit(path: Path, *, inbox: Path | None = None) -> Admitted:
    """Decide whether ``path`` is a spreadsheet to read; never raises for a bad file.

    The file is opened once: at most :data:`MAX_FILE_BYTES` + 1 bytes are read, hashed and sniffed.
    The findings' ``file`` is the name relative to ``inbox`` (or the bare name), NFC-normalised.
    """
    name = display_name(path, inbox)
    ext = path.suffix.lower()
    if inbox is not None:
        link = _link_problem(path, inbox, name)
        if link is not None:
            return link
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            why = "đây là một thư mục (tên giống tên tệp bảng tính), không phải tệp; thư mục con không được đọc"
            return _unreadable(path, name, why)
        if not stat.S_ISREG(st.st_mode):
            # Opening a FIFO or a device would block or never end; only regular files are forms.
            return _unreadable(path, name, "đây không phải là một tệp thông thường (thiết bị, đường ống...)")
        with path.open("rb") as handle:
            size, mtime = os.fstat(handle.fileno()).st_size, st.st_mtime
            if size > MAX_FILE_BYTES:
                head = handle.read(HEAD_BYTES)
                return _too_large(path, name, ext, size, mtime, head)
            # Read one byte past the size (and on, up to one past the limit, if it grew): the file may be
            # growing while a mail client saves it. Asking for the size rather than the limit spares a 20 MB
            # buffer per file.
            content = handle.read(size + 1)
            if len(content) > size:
                content += handle.read(MAX_FILE_BYTES + 1 - len(content))
    except OSError as exc:
        return _unreadable(path, name, _os_reason(exc))
    if len(content) > MAX_FILE_BYTES:
        return _too_large(path, name, ext, len(content), mtime, content[:HEAD_BYTES])

    try:
        sniff = sniff_content(content, name) if content else Sniff("empty")
    except Exception as exc:  # a sniffer bug must not stop the batch; the file is still named
        sniff = Sniff("unknown", corrupt(name, f"lỗi khi kiểm tra tệp: {type(exc).__name__}"))
    source = SourceFile(
        path=path, name=name, size=len(content), sha256=sha256(content).hexdigest(), mtime=mtime, kind=sniff.kind
    )
    verdict = _verdict(source, ext, path.suffix, sniff, content)
    if verdict.readable and path.name.startswith("~$"):
        # Named like an Office lock file (and so hidden by Explorer, deleted by Excel): read, and said.
        return replace(verdict, findings=(findings.make("file-lock-name", file=name),))
    return verdict


def _link_problem(path: Path, inbox: Path, name: str) -> Admitted | None:
    """Why a symbolic link in the inbox is not followed: it leads nowhere, in a loop, or out of the inbox."""
    try:
        if not path.is_symlink():
            return None
        target = path.resolve(strict=True)
        inside = target.is_relative_to(inbox.resolve(strict=True))
    except FileNotFoundError:
        return _unreadable(path, name, f"đây là liên kết (symlink) tới {_link_text(path)}, nơi không còn tệp nào")
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, before Python 3.13
        return _unreadable(path, name, "đây là liên kết (symlink) vòng lặp, không dẫn tới tệp nào")
    if inside:
        return None
    source = SourceFile(path=path, name=name, size=0, sha256="", mtime=0.0, kind="unknown")
    finding = findings.make("file-outside-inbox", file=name, target=str(target), value=str(target))
    return Admitted(source, False, (finding,))


def _link_text(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "một đường dẫn không đọc được"


def display_name(path: Path, inbox: Path | None = None) -> str:
    """The file's name as shown to clerks: relative to ``inbox`` when inside it, NFC, spaces kept.

    Files copied from macOS carry decomposed (NFD) names; they must read and sort like the others.
    """
    shown = path.name
    if inbox is not None:
        with contextlib.suppress(ValueError):  # not inside the inbox: its bare name
            shown = path.relative_to(inbox).as_posix()
    return unicodedata.normalize("NFC", shown)


def _verdict(source: SourceFile, ext: str, suffix: str, sniff: Sniff, content: bytes) -> Admitted:
    name, kind = source.name, sniff.kind
    claims = ext in SPREADSHEET_EXTENSIONS or kind in READABLE_KINDS or sniff.spreadsheet_like
    finding: Finding | None
    if kind == "empty":
        finding = findings.make("file-empty", file=name) if claims or not ext else _ignored(name, kind)
    elif sniff.problem is not None and claims:
        finding = sniff.problem
    elif kind in READABLE_KINDS:
        return Admitted(source, True, (), content, sniff.sheets)
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
    kind = sniff_magic(head) or sniff_text(head)[0]
    if kind == "zip":
        kind = zip_hint(head)
    source = SourceFile(path=path, name=name, size=size, sha256="", mtime=mtime, kind=kind)
    if ext in SPREADSHEET_EXTENSIONS or kind in READABLE_KINDS or (not ext and kind in ("zip", "ole")):
        finding = findings.make(
            "file-too-large", file=name, size=format_bytes(size), limit=format_bytes(MAX_FILE_BYTES), value=size
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
