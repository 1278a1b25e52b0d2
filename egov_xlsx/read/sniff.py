"""What a file's bytes are, whatever its name: zip and OLE containers handed to :mod:`egov_xlsx.read.containers`,
other formats told by their magic numbers or their text."""

from __future__ import annotations

import codecs

from egov_xlsx.read.containers import (
    Sniff,
    inspect_ole,
    inspect_zip,
)

#: How much of a file's head the sniffers look at.
HEAD_BYTES = 8 * 1024


def sniff_content(content: bytes, name: str) -> Sniff:
    if content.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return inspect_zip(content, name)
    if content.startswith(_OLE_MAGIC):
        return inspect_ole(content, name)
    head = content[:HEAD_BYTES]
    kind = sniff_magic(head)
    if kind is not None:
        return Sniff(kind)
    text_kind, spreadsheet_like = sniff_text(head)
    return Sniff(text_kind, spreadsheet_like=spreadsheet_like)


def sniff_magic(head: bytes) -> str | None:
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


def sniff_text(head: bytes) -> tuple[str, bool]:
    """Kind of a text file (html, mht, spreadsheetml2003, xml, csv, text), or "unknown" for binary.

    The flag is true for text only a spreadsheet program writes: SpreadsheetML 2003 and Excel's
    "web page" export, both often saved under ``.xls``.
    """
    text = _decode(head)
    if text is None:
        return "unknown", False
    lower = text.lstrip().lower()
    if lower.startswith("mime-version:") or "multipart/related" in lower[:2048]:
        return "mht", "excel" in lower[:HEAD_BYTES]
    if lower.startswith("<"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in lower or 'progid="excel.sheet"' in lower:
            return "spreadsheetml2003", True
        excel = "urn:schemas-microsoft-com:office:excel" in lower or "excel.sheet" in lower
        if any(tag in lower[:4096] for tag in ("<html", "<!doctype html", "<table", "<head", "<body", "<meta")):
            return "html", excel
        return "xml", False
    lines = [line for line in text.splitlines() if line.strip()]
    if len(head) >= HEAD_BYTES and len(lines) > 1:
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
