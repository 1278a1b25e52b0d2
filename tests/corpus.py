"""The bad-file corpus: every kind of file clerks find in ``inbox/``, each made in code (no binary blobs).

Each ``make_<case>(folder)`` writes one file into ``folder`` and returns its path. :data:`CASES` maps a
case to its factory and the finding code the gate must give (``None``: readable, no finding);
:data:`SKIPPED` holds files :func:`egov_xlsx.read.gate.list_inbox` must not list at all.

How the hard ones are made:

* the zip bomb is an xlsx whose ``sheet1.xml`` inflates to 1.5 GB. Its deflate stream is crafted, not
  computed: one 1 MB block of rows compressed once and repeated (a full flush makes blocks independent),
  and the CRC-32 of the whole is combined arithmetically, so building it takes milliseconds while a
  reader that trusts it really inflates 1.5 GB;
* the password-protected xlsx is an OLE compound file holding ``EncryptionInfo`` and ``EncryptedPackage``
  streams, written by the small compound-file writer below (real encryption needs LibreOffice or
  msoffcrypto-tool: ``tests/test_gate.py`` also checks files LibreOffice encrypts, when it is installed);
* the password-protected xls holds a BIFF8 ``Workbook`` stream whose BOF is followed by FILEPASS.
"""

from __future__ import annotations

import io
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

Factory = Callable[[Path], Path]

# --------------------------------------------------------------------------- building blocks


def good_xlsx_bytes(rows: int = 20) -> bytes:
    """A small, valid form-like workbook (xlsxwriter), with shared strings and numbers."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet("Chấm điểm")
    ws.write_row(0, 0, ["Mã", "Tiêu chí", "Điểm tối đa", "Điểm tự đánh giá", "Tài liệu kiểm chứng / ghi chú"])
    for r in range(1, rows + 1):
        ws.write_row(r, 0, [f"1.{r}", f"Tiêu chí thành phần số {r}", 10, 7.5, "Quyết định số 12/QĐ-UBND"])
    wb.close()
    return buffer.getvalue()


def _zip_bytes(parts: Iterable[tuple[str, bytes]], *, stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i, (name, data) in enumerate(parts):
            method = zipfile.ZIP_STORED if stored_first and i == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data, compress_type=method)
    return buffer.getvalue()


def _replace_parts(xlsx: bytes, replacements: dict[str, bytes]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source:
        parts = [(i.filename, replacements.get(i.filename, source.read(i))) for i in source.infolist()]
    return _zip_bytes(parts)


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _png_bytes(width: int = 4, height: int = 3) -> bytes:
    """A real (tiny, grey) PNG image."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    raw = b"".join(b"\x00" + bytes([128] * width) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _docx_bytes() -> bytes:
    return _zip_bytes(
        [
            (
                "[Content_Types].xml",
                b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                b'content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                b'officedocument.wordprocessingml.document.main+xml"/></Types>',
            ),
            ("_rels/.rels", b'<?xml version="1.0" encoding="UTF-8"?><Relationships/>'),
            (
                "word/document.xml",
                '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Công văn gửi kèm biểu</w:t></w:r></w:p>'
                "</w:body></w:document>".encode(),
            ),
        ]
    )


# --------------------------------------------------------------------------- a compound file (OLE) writer

_FREE, _END, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def cfb_bytes(streams: dict[str, bytes]) -> bytes:
    """A version-3 compound file (the container of .xls, .doc and encrypted OOXML) holding ``streams``.

    Streams under 4096 bytes go to the mini stream, as Office writes them. The directory is a plain
    right-leaning chain of black nodes: valid enough for every reader we know (none checks balance).
    """
    ss = 512
    ministream = bytearray()
    minifat: list[int] = []
    placed: dict[str, int] = {}
    for name, data in streams.items():
        if len(data) < 4096:
            count = max(1, -(-len(data) // 64))
            placed[name] = len(minifat)
            minifat += [*range(len(minifat) + 1, len(minifat) + count), _END]
            ministream += data.ljust(count * 64, b"\0")
    big = {n: d for n, d in streams.items() if len(d) >= 4096}

    def sectors(nbytes: int) -> int:
        return -(-nbytes // ss)

    n_dir = sectors((1 + len(streams)) * 128)
    n_minifat = sectors(len(minifat) * 4)
    n_mini = sectors(len(ministream))
    regions = [n_dir, n_minifat, n_mini, *(sectors(len(d)) for d in big.values())]
    n_fat = 1
    while n_fat * (ss // 4) < n_fat + sum(regions):
        n_fat += 1
    fat = [_FATSECT] * n_fat
    starts = []
    for count in regions:
        starts.append(len(fat) if count else _END)
        fat += [*range(len(fat) + 1, len(fat) + count), _END] if count else []
    fat += [_FREE] * (n_fat * (ss // 4) - len(fat))
    dir_start, minifat_start, mini_start, *big_starts = starts
    big_start = dict(zip(big, big_starts, strict=True))

    def entry(name: str, kind: int, right: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return struct.pack(
            "<64sHBBIII16sIQQIQ", encoded, len(encoded), kind, 1, _NOSTREAM, right, child, b"", 0, 0, 0, start, size
        )

    order = sorted(streams, key=lambda n: (len(n), n.upper()))
    directory = [entry("Root Entry", 5, _NOSTREAM, 1 if order else _NOSTREAM, mini_start, len(ministream))]
    for i, name in enumerate(order):
        right = i + 2 if i + 1 < len(order) else _NOSTREAM
        start = big_start[name] if name in big_start else placed[name]
        directory.append(entry(name, 2, right, _NOSTREAM, start, len(streams[name])))
    unused = struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, _NOSTREAM, _NOSTREAM, _NOSTREAM, b"", 0, 0, 0, 0, 0)
    directory += [unused] * (n_dir * 4 - len(directory))

    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"",
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        b"",
        0,
        n_fat,
        dir_start,
        0,
        4096,
        minifat_start,
        n_minifat,
        _END,
        0,
    ) + struct.pack("<109I", *range(n_fat), *([_FREE] * (109 - n_fat)))

    def padded(data: bytes | bytearray) -> bytes:
        return bytes(data).ljust(sectors(len(data)) * ss, b"\0")

    body = [struct.pack(f"<{len(fat)}I", *fat), b"".join(directory)]
    body += [padded(struct.pack(f"<{len(minifat)}I", *minifat)), padded(ministream)]
    body += [padded(d) for d in big.values()]
    return header + b"".join(body)


def _biff_workbook_stream(*, encrypted: bool, pad_to: int = 0) -> bytes:
    """A BIFF8 workbook globals substream: BOF, FILEPASS (RC4) when ``encrypted``, then EOF."""
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x1F5A, 0x07CD, 0, 0x06)
    filepass = struct.pack("<HHHHH", 0x002F, 54, 1, 1, 1) + bytes(48) if encrypted else b""
    eof = struct.pack("<HH", 0x000A, 0)
    return (bof + filepass + eof).ljust(pad_to, b"\0")


# --------------------------------------------------------------------------- a crafted zip bomb


def _gf2_times(matrix: list[int], vector: int) -> int:
    total, i = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[i]
        vector >>= 1
        i += 1
    return total


def _gf2_compose(outer: list[int], inner: list[int]) -> list[int]:
    return [_gf2_times(outer, column) for column in inner]


def _crc_zeros_operator(nbytes: int) -> list[int]:
    """The linear map taking crc32(A) to the CRC of A followed by ``nbytes`` zero bytes (zlib's crc32_combine)."""
    op = [0xEDB88320] + [1 << n for n in range(31)]  # one zero bit
    for _ in range(3):
        op = _gf2_compose(op, op)  # 2, 4, 8 bits: one byte
    result = [1 << n for n in range(32)]
    while nbytes:
        if nbytes & 1:
            result = _gf2_compose(op, result)
        op = _gf2_compose(op, op)
        nbytes >>= 1
    return result


def _crc_combine(crc1: int, crc2: int, len2: int) -> int:
    return _gf2_times(_crc_zeros_operator(len2), crc1) ^ crc2


def _crc_repeat(crc: int, length: int, count: int) -> int:
    """crc32 of a block of ``length`` bytes (whose crc32 is ``crc``) repeated ``count`` times."""
    total, block, op = 0, crc, _crc_zeros_operator(length)
    while count:
        if count & 1:
            total = _gf2_times(op, total) ^ block
        block = _gf2_times(op, block) ^ block
        op = _gf2_compose(op, op)
        count >>= 1
    return total


def crafted_deflate(head: bytes, unit: bytes, count: int, tail: bytes) -> tuple[bytes, int, int]:
    """Raw deflate data, CRC-32 and size of ``head + unit * count + tail``, without producing the whole.

    A full flush ends each block on a byte boundary with an empty history, so the compressed ``unit``
    is the same bytes every time and can be repeated.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(unit) + compressor.flush(zlib.Z_FULL_FLUSH)
    last = compressor.compress(tail) + compressor.flush(zlib.Z_FINISH)
    size = len(head) + len(unit) * count + len(tail)
    crc = _crc_combine(zlib.crc32(head), _crc_repeat(zlib.crc32(unit), len(unit), count), len(unit) * count)
    crc = _crc_combine(crc, zlib.crc32(tail), len(tail))
    return first + block * count + last, crc, size


def _raw_zip(entries: Iterable[tuple[str, bytes, int, int]]) -> bytes:
    """A zip from already-deflated entries: (name, deflate data, crc32, uncompressed size)."""
    out, directory = io.BytesIO(), []
    for name, data, crc, size in entries:
        encoded, offset = name.encode(), out.tell()
        out.write(
            struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0x5821, crc, len(data), size, len(encoded), 0)
        )
        out.write(encoded + data)
        directory.append(
            struct.pack(
                "<4sHHHHHHIIIHHHHHII",
                *(b"PK\x01\x02", 20, 20, 0, 8, 0, 0x5821, crc, len(data), size, len(encoded), 0, 0, 0, 0, 0, offset),
            )
            + encoded
        )
    start, central = out.tell(), b"".join(directory)
    out.write(
        central + struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(directory), len(directory), len(central), start, 0)
    )
    return out.getvalue()


def zip_bomb_bytes(declared: int = 3 * 1024**3 // 2) -> bytes:
    """An xlsx whose one sheet honestly inflates to about ``declared`` bytes of rows (1.5 GB by default)."""
    with zipfile.ZipFile(io.BytesIO(good_xlsx_bytes(1))) as source:
        parts = {i.filename: source.read(i) for i in source.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    head, _, rest = sheet.partition(b"<sheetData>")
    tail = b"</sheetData>" + rest.partition(b"</sheetData>")[2]
    row = b'<row><c t="n"><v>1</v></c></row>'
    unit = row * (1024 * 1024 // len(row))
    count = max(1, declared // len(unit))
    entries = []
    for name, data in parts.items():
        if name == "xl/worksheets/sheet1.xml":
            entries.append((name, *crafted_deflate(head + b"<sheetData>", unit, count, tail)))
        else:
            compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
            entries.append((name, compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data)))
    return _raw_zip(entries)


# --------------------------------------------------------------------------- readable files


def make_good_xlsx(folder: Path) -> Path:
    """A small valid form: readable, kind "xlsx", no finding."""
    return _write(folder, "SKHDT - So Ke hoach va Dau tu.xlsx", good_xlsx_bytes())


def make_nfd_name(folder: Path) -> Path:
    """A valid form whose name arrived decomposed (NFD), as files copied from macOS do."""
    return _write(folder, unicodedata.normalize("NFD", "Sở Tư pháp - biểu chấm điểm.xlsx"), good_xlsx_bytes())


def make_xlsx_named_pdf(folder: Path) -> Path:
    """A real xlsx saved as "bieu.xlsx.pdf": content wins, it is read."""
    return _write(folder, "bieu.xlsx.pdf", good_xlsx_bytes())


def make_xlsx_without_extension(folder: Path) -> Path:
    """A real xlsx whose name lost its extension in a chat app: read."""
    return _write(folder, "UBND huyen Van Lam", good_xlsx_bytes())


# --------------------------------------------------------------------------- broken files


def make_empty(folder: Path) -> Path:
    return _write(folder, "empty.xlsx", b"")


def make_empty_note(folder: Path) -> Path:
    """An empty text file: not a form, only noted."""
    return _write(folder, "trong.txt", b"")


def make_truncated_xlsx(folder: Path) -> Path:
    """A valid workbook cut in half, as an interrupted download leaves it."""
    data = good_xlsx_bytes()
    return _write(folder, "truncated.xlsx", data[: len(data) // 2])


def make_corrupt_zip(folder: Path) -> Path:
    """A zip signature followed by noise (deterministic)."""
    noise = bytes((i * 73 + 41) % 256 for i in range(4000))
    return _write(folder, "corrupt.xlsx", b"PK\x03\x04" + noise)


def make_noise_xlsx(folder: Path) -> Path:
    """Bytes that are nothing at all under an .xlsx name (a transfer gone wrong)."""
    noise = bytes((i * 131 + 7) % 256 for i in range(3000))
    return _write(folder, "noise.xlsx", b"\x00\x01" + noise)


def make_xlsx_missing_workbook(folder: Path) -> Path:
    """An OOXML package whose xl/workbook.xml part is missing."""
    with zipfile.ZipFile(io.BytesIO(good_xlsx_bytes())) as source:
        parts = [(i.filename, source.read(i)) for i in source.infolist() if i.filename != "xl/workbook.xml"]
    return _write(folder, "no-workbook.xlsx", _zip_bytes(parts))


def make_encrypted_xlsx(folder: Path) -> Path:
    """A password-protected xlsx as Excel saves it: an OLE file with EncryptionInfo + EncryptedPackage."""
    info = struct.pack("<HHI", 4, 4, 0x40) + b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><encryption/>'
    package = struct.pack("<Q", 5000) + bytes((i * 29 + 3) % 256 for i in range(5008))
    return _write(folder, "mat khau.xlsx", cfb_bytes({"EncryptionInfo": info, "EncryptedPackage": package}))


def make_encrypted_xls(folder: Path) -> Path:
    """A password-protected .xls: BIFF8 Workbook stream whose BOF is followed by FILEPASS (mini stream)."""
    return _write(folder, "mat khau.xls", cfb_bytes({"Workbook": _biff_workbook_stream(encrypted=True)}))


def make_encrypted_xls_large(folder: Path) -> Path:
    """The same, with a Workbook stream over 4096 bytes (regular sectors instead of the mini stream)."""
    stream = _biff_workbook_stream(encrypted=True, pad_to=6000)
    return _write(folder, "mat khau lon.xls", cfb_bytes({"Workbook": stream}))


def make_encrypted_ods(folder: Path) -> Path:
    """An ODF spreadsheet saved with a password: readable package, encrypted parts, manifest says so."""
    manifest = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:'
        b'xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="content.xml" '
        b'manifest:media-type="text/xml"><manifest:encryption-data manifest:checksum-type="SHA1/1K"/>'
        b"</manifest:file-entry></manifest:manifest>"
    )
    parts = [
        ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
        ("content.xml", bytes((i * 97 + 13) % 256 for i in range(2000))),
        ("META-INF/manifest.xml", manifest),
    ]
    return _write(folder, "mat khau.ods", _zip_bytes(parts, stored_first=True))


# --------------------------------------------------------------------------- other content under a spreadsheet name


def make_html_as_xls(folder: Path) -> Path:
    """An HTML table saved as .xls, as many web applications export "Excel"."""
    html = (
        '<html><head><meta charset="utf-8"></head><body><table border="1"><tr><th>Mã</th><th>Tiêu chí</th>'
        "<th>Điểm tự đánh giá</th></tr><tr><td>1.1</td><td>Hạ tầng</td><td>8</td></tr></table></body></html>"
    )
    return _write(folder, "bao cao.xls", html.encode())


def make_excel_web_page(folder: Path) -> Path:
    """Excel's own "Web Page" export (.htm): only a spreadsheet program writes it, so it is disguised."""
    html = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel" '
        'xmlns="http://www.w3.org/TR/REC-html40"><head><meta name=ProgId content=Excel.Sheet></head>'
        "<body><table><tr><td>1.1</td><td>8</td></tr></table></body></html>"
    )
    return _write(folder, "bieu cham diem.htm", html.encode())


def make_csv_as_xlsx(folder: Path) -> Path:
    text = "Mã,Tiêu chí,Điểm tối đa,Điểm tự đánh giá\n1.1,Hạ tầng kỹ thuật,10,8\n1.2,Nhân lực,10,7.5\n"
    return _write(folder, "csv.xlsx", "\ufeff".encode() + text.encode())


def make_unicode_text_as_xls(folder: Path) -> Path:
    """Excel's "Unicode Text" export (UTF-16, tab-separated) renamed .xls."""
    text = "Mã\tTiêu chí\tĐiểm tự đánh giá\r\n1.1\tHạ tầng kỹ thuật\t8\r\n1.2\tNhân lực\t7,5\r\n"
    return _write(folder, "unicode.xls", text.encode("utf-16"))


def make_cp1258_csv_as_xls(folder: Path) -> Path:
    """A CSV in the Vietnamese Windows code page (not valid UTF-8), renamed .xls."""
    # cp1258 spells most Vietnamese letters as a base letter plus a combining tone mark.
    text = "Đơn vi\u0323;Đi\u00ea\u0309m\r\nSơ\u0309 Tư pháp;8\r\nSơ\u0309 Y t\u00ea\u0301;7\r\n"
    return _write(folder, "cp1258.xls", text.encode("cp1258"))


def make_spreadsheetml_as_xls(folder: Path) -> Path:
    """SpreadsheetML 2003 (Excel's "XML Spreadsheet 2003") saved as .xls."""
    xml = (
        '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="Chấm điểm"><Table>'
        '<Row><Cell><Data ss:Type="String">Mã</Data></Cell></Row></Table></Worksheet></Workbook>'
    )
    return _write(folder, "xml2003.xls", xml.encode())


def make_pdf_as_xlsx(folder: Path) -> Path:
    return _write(folder, "scan.xlsx", _PDF)


def make_docx_as_xlsx(folder: Path) -> Path:
    return _write(folder, "cong van.xlsx", _docx_bytes())


# --------------------------------------------------------------------------- not forms: noted, ignored


def make_pdf(folder: Path) -> Path:
    """A signed scan sent alongside the form."""
    return _write(folder, "ban ky.pdf", _PDF)


def make_png_as_jpg(folder: Path) -> Path:
    """A PNG photo whose name says .jpg."""
    return _write(folder, "anh chup.jpg", _png_bytes())


def make_docx(folder: Path) -> Path:
    return _write(folder, "cong van.docx", _docx_bytes())


def make_text_note(folder: Path) -> Path:
    return _write(folder, "ghi chu.txt", "Đơn vị gửi lại biểu ngày 12/11.\nLiên hệ: 0221 3 000 000\n".encode())


def make_large_pdf(folder: Path) -> Path:
    """A 25 MB scan (sparse): too large for a form, but a PDF, so only ignored and never read."""
    path = _write(folder, "ban ky lon.pdf", _PDF)
    with path.open("r+b") as handle:
        handle.truncate(25 * 1024 * 1024)
    return path


# --------------------------------------------------------------------------- hostile files


def make_zip_bomb(folder: Path) -> Path:
    """An xlsx declaring (and really holding) 1.5 GB of rows in a 1.5 MB file."""
    return _write(folder, "bomb.xlsx", zip_bomb_bytes())


def make_zip_many_entries(folder: Path) -> Path:
    """An xlsx padded with 2,500 tiny parts (the "many files" zip bomb)."""
    with zipfile.ZipFile(io.BytesIO(good_xlsx_bytes())) as source:
        parts = [(i.filename, source.read(i)) for i in source.infolist()]
    parts += [(f"xl/media/pad{i}.bin", b"") for i in range(2500)]
    return _write(folder, "many.xlsx", _zip_bytes(parts))


def make_zip_ratio_bomb(folder: Path) -> Path:
    """An xlsx whose sheet is 20 MB of one repeated row: under the total limit, over the ratio limit."""
    with zipfile.ZipFile(io.BytesIO(good_xlsx_bytes())) as source:
        parts = {i.filename: source.read(i) for i in source.infolist()}
    row = b'<row><c t="n"><v>1</v></c></row>'
    unit = row * (1024 * 1024 // len(row))
    entries = []
    for name, data in parts.items():
        if name == "xl/worksheets/sheet1.xml":
            entries.append((name, *crafted_deflate(b"<worksheet><sheetData>", unit, 20, b"</sheetData></worksheet>")))
        else:
            compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
            entries.append((name, compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data)))
    return _write(folder, "ratio.xlsx", _raw_zip(entries))


_LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!DOCTYPE sst [\n <!ENTITY lol "lol">\n'
    + b"".join(
        b' <!ENTITY lol%d "%s">\n'
        % (i, b"".join(b"&lol%s;" % (str(i - 1).encode() if i > 1 else b"") for _ in range(10)))
        for i in range(1, 10)
    )
    + b']>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
    b"<si><t>&lol9;</t></si></sst>"
)


def make_billion_laughs(folder: Path) -> Path:
    """A valid xlsx whose sharedStrings.xml declares the "billion laughs" entity expansion."""
    data = _replace_parts(good_xlsx_bytes(), {"xl/sharedStrings.xml": _LAUGHS})
    return _write(folder, "laughs.xlsx", data)


def make_external_entity_sheet(folder: Path) -> Path:
    """A sheet declaring an external entity (XXE) after a long comment, to read a local file."""
    with zipfile.ZipFile(io.BytesIO(good_xlsx_bytes())) as source:
        sheet = source.read("xl/worksheets/sheet1.xml")
    prolog, _, body = sheet.partition(b"?>")
    evil = (
        prolog
        + b"?>\n<!--"
        + b" padding " * 1000
        + b'-->\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        + body
    )
    return _write(folder, "xxe.xlsx", _replace_parts(good_xlsx_bytes(), {"xl/worksheets/sheet1.xml": evil}))


def make_oversized(folder: Path) -> Path:
    """A 21 MB .xlsx (sparse: a real workbook then zeros), refused before it is read."""
    path = _write(folder, "oversized.xlsx", good_xlsx_bytes())
    with path.open("r+b") as handle:
        handle.truncate(21 * 1024 * 1024)
    return path


# --------------------------------------------------------------------------- files list_inbox skips


def make_office_lock(folder: Path) -> Path:
    """The owner file Excel keeps beside an open workbook."""
    return _write(folder, "~$SKHDT.xlsx", b"\x0bNguyen Van A" + bytes(150))


def make_libreoffice_lock(folder: Path) -> Path:
    return _write(folder, ".~lock.SKHDT.xlsx#", b"Nguyen Van A,may-tinh,12/11/2024 08:00,\n")


def make_hidden(folder: Path) -> Path:
    return _write(folder, ".SKHDT.xlsx", good_xlsx_bytes())


def make_thumbs_db(folder: Path) -> Path:
    return _write(folder, "Thumbs.db", cfb_bytes({"Catalog": b"\0" * 16}))


def make_desktop_ini(folder: Path) -> Path:
    return _write(folder, "desktop.ini", b"[.ShellClassInfo]\r\n")


def make_in_subfolder(folder: Path) -> Path:
    """A superseded form moved into a subfolder: subfolders are not read."""
    (folder / "cu").mkdir(exist_ok=True)
    return _write(folder / "cu", "SKHDT cu.xlsx", good_xlsx_bytes())


#: case -> (factory, the one finding code expected, or None for "readable, no finding").
CASES: dict[str, tuple[Factory, str | None]] = {
    "good-xlsx": (make_good_xlsx, None),
    "nfd-name": (make_nfd_name, None),
    "xlsx-named-pdf": (make_xlsx_named_pdf, None),
    "xlsx-without-extension": (make_xlsx_without_extension, None),
    "empty": (make_empty, "file-empty"),
    "empty-note": (make_empty_note, "file-ignored"),
    "truncated-xlsx": (make_truncated_xlsx, "file-corrupt"),
    "corrupt-zip": (make_corrupt_zip, "file-corrupt"),
    "noise-xlsx": (make_noise_xlsx, "file-corrupt"),
    "xlsx-missing-workbook": (make_xlsx_missing_workbook, "file-corrupt"),
    "encrypted-xlsx": (make_encrypted_xlsx, "file-encrypted"),
    "encrypted-xls": (make_encrypted_xls, "file-encrypted"),
    "encrypted-xls-large": (make_encrypted_xls_large, "file-encrypted"),
    "encrypted-ods": (make_encrypted_ods, "file-encrypted"),
    "html-as-xls": (make_html_as_xls, "file-disguised"),
    "excel-web-page": (make_excel_web_page, "file-disguised"),
    "csv-as-xlsx": (make_csv_as_xlsx, "file-disguised"),
    "spreadsheetml-as-xls": (make_spreadsheetml_as_xls, "file-disguised"),
    "unicode-text-as-xls": (make_unicode_text_as_xls, "file-disguised"),
    "cp1258-csv-as-xls": (make_cp1258_csv_as_xls, "file-disguised"),
    "pdf-as-xlsx": (make_pdf_as_xlsx, "file-disguised"),
    "docx-as-xlsx": (make_docx_as_xlsx, "file-disguised"),
    "pdf": (make_pdf, "file-ignored"),
    "png-as-jpg": (make_png_as_jpg, "file-ignored"),
    "docx": (make_docx, "file-ignored"),
    "text-note": (make_text_note, "file-ignored"),
    "large-pdf": (make_large_pdf, "file-ignored"),
    "zip-bomb": (make_zip_bomb, "zip-bomb"),
    "zip-many-entries": (make_zip_many_entries, "zip-bomb"),
    "zip-ratio-bomb": (make_zip_ratio_bomb, "zip-bomb"),
    "billion-laughs": (make_billion_laughs, "xml-entities"),
    "external-entity": (make_external_entity_sheet, "xml-entities"),
    "oversized": (make_oversized, "file-too-large"),
}

#: Files list_inbox must not list.
SKIPPED: dict[str, Factory] = {
    "office-lock": make_office_lock,
    "libreoffice-lock": make_libreoffice_lock,
    "hidden": make_hidden,
    "thumbs-db": make_thumbs_db,
    "desktop-ini": make_desktop_ini,
    "in-subfolder": make_in_subfolder,
}


# --- cli ---
# Text that a terminal would obey, in file names and in cells: the console must show it, never send it
# (tests/test_cli.py runs `check` on an inbox made of these and reads stdout and stderr as bytes).

#: Each hostile text: window title (OSC ... BEL), clear screen, recolour (CSI), an 8-bit CSI (C1), a bidi
#: override that reverses what follows, a forged summary line after a newline, rich markup and an emoji code.
TERMINAL_TEXTS: dict[str, str] = {
    "osc-title": "\x1b]0;pwned\x07",
    "csi-clear": "\x1b[2J\x1b[H",
    "sgr-colour": "\x1b[31mđỏ\x1b[0m",
    "c1-csi": "\x9b2J",
    "bidi-override": "\u202exslx.exe",
    "newline-forged-line": "\nKhông có lỗi (0 cảnh báo). Có thể chạy: egov-xlsx build\n",
    "carriage-return": "\rKhông có lỗi",
    "rich-markup": "[bold red]x[reverse] :smile:",
}


def make_terminal_names(folder: Path) -> list[Path]:
    """One small workbook per hostile text, the text in its file name (POSIX file systems allow it)."""
    return [_write(folder, f"T{i} {text}.xlsx", good_xlsx_bytes(2)) for i, text in enumerate(TERMINAL_TEXTS.values())]


def xlsx_escaped(text: str) -> str:
    """``text`` as an .xlsx stores control characters (``_x001B_``): what Excel writes and every reader decodes."""
    return "".join(f"_x{ord(c):04X}_" if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F else c for c in text)


# --- numbers ---
# Numbers no score can be, stored in one cell of a real form (or of appraisal.xlsx) exactly as a hostile or
# broken writer stores them: the sheet's XML holds "1E+30", "inf" or "NaN" (Excel itself cannot type them,
# other writers can), some under a date format. The cell is first given a sentinel number (and the date
# format) with openpyxl, then the sentinel's text in the sheet XML is replaced: what any reader then sees is
# what such a file holds. Each case must be a finding at its cell, never the end of the batch.

_SENTINEL = 987654321


@dataclass(frozen=True)
class HostileNumber:
    """What the cell holds: ``stored`` is the XML text of a number cell, or the text of a text cell."""

    stored: str
    text: bool = False
    date: bool = False


HOSTILE_NUMBERS: dict[str, HostileNumber] = {
    "huge": HostileNumber("1E+30"),
    "huge-negative": HostileNumber("-1E+30"),
    "max-double": HostileNumber("1e308"),
    "overflow": HostileNumber("1e400"),  # read as infinity
    "infinity": HostileNumber("inf"),
    "negative-infinity": HostileNumber("-inf"),
    "nan": HostileNumber("NaN"),
    "denormal": HostileNumber("1e-320"),
    "too-many-decimals": HostileNumber("4.12345"),
    "digits-30-text": HostileNumber("1" * 30, text=True),
    "digits-5000-text": HostileNumber("9" * 5000, text=True),
    "date-max-double": HostileNumber("1e308", date=True),
    "date-nan": HostileNumber("NaN", date=True),
}

#: Numbers the spreadsheet reader itself cannot read (python-calamine panics turning them into dates): the
#: whole file is then unreadable, a finding for the file rather than for the cell.
READER_PANICS: dict[str, HostileNumber] = {
    "date-huge-negative": HostileNumber("-1E+30", date=True),
    "date-negative-infinity": HostileNumber("-inf", date=True),
}


def with_hostile_number(workbook: Path, target: Path, sheet: str, cell: str, case: str) -> Path:
    """Copy ``workbook`` to ``target`` with ``HOSTILE_NUMBERS[case]`` in ``sheet``!``cell``."""
    return with_hostile_numbers(workbook, target, sheet, {cell: case})


def with_hostile_numbers(workbook: Path, target: Path, sheet: str, cells: dict[str, str]) -> Path:
    """Copy ``workbook`` to ``target`` with a hostile number (``HOSTILE_NUMBERS`` or ``READER_PANICS``) in each
    ``sheet``!cell of ``cells``.

    All at once: openpyxl itself cannot open a workbook holding some of them ("inf" under a date format).
    """
    import openpyxl

    wb = openpyxl.load_workbook(workbook)
    ws = wb[sheet]
    sentinels: dict[bytes, bytes] = {}
    for i, (cell, case) in enumerate(cells.items()):
        hostile = HOSTILE_NUMBERS[case] if case in HOSTILE_NUMBERS else READER_PANICS[case]
        if hostile.text:
            ws[cell].value = hostile.stored
            ws[cell].data_type = "s"
            continue
        ws[cell].value = _SENTINEL + i
        if hostile.date:
            ws[cell].number_format = "dd/mm/yyyy"
        sentinels[f"<v>{_SENTINEL + i}</v>".encode()] = f"<v>{hostile.stored}</v>".encode()
    buffer = io.BytesIO()
    wb.save(buffer)
    with zipfile.ZipFile(buffer) as source:
        parts = {i.filename: source.read(i) for i in source.infolist()}
    for sentinel, stored in sentinels.items():
        assert sum(part.count(sentinel) for part in parts.values()) == 1, "a sentinel is not written as expected"
        parts = {name: part.replace(sentinel, stored) for name, part in parts.items()}
    target.write_bytes(_zip_bytes(parts.items()))
    return target


# Malformed `--previous` results: each a change to a real results.json (its text, as parsed with
# Decimal numbers), with the JSON path the message must name ("" when the file cannot be parsed at all).


def _unit0(data: dict[str, Any]) -> dict[str, Any]:
    unit: dict[str, Any] = data["tiers"][0]["units"][0]
    return unit


def _set_in_unit(key: str, value: object) -> Callable[[dict[str, Any]], object]:
    def change(data: dict[str, Any]) -> object:
        _unit0(data)[key] = value
        return data

    return change


def _drop(path: tuple[str | int, ...]) -> Callable[[dict[str, Any]], object]:
    def change(data: dict[str, Any]) -> object:
        node: Any = data
        for step in path[:-1]:
            node = node[step]
        del node[path[-1]]
        return data

    return change


def _raw(text: str) -> Callable[[dict[str, Any]], object]:
    return lambda data: _RawText(text)


class _RawText(str):
    """A change that replaces the whole file's text."""


def _text_of(data: object) -> str:
    from egov_xlsx.publish.serialize import dumps

    return str(data) if isinstance(data, _RawText) else dumps(data)


def _duplicate_unit(data: dict[str, Any]) -> object:
    units = data["tiers"][0]["units"]
    units.append(dict(units[0]))
    return data


def _nested(data: dict[str, Any]) -> object:
    return _RawText('{"campaign": ' + "[" * 100_000 + "]" * 100_000 + "}")


#: case -> (change to the parsed results.json, the JSON path named in the message)
MALFORMED_PREVIOUS: dict[str, tuple[Callable[[dict[str, Any]], object], str]] = {
    "nan-total": (_raw('{"campaign": {"year": 2018, "province": "Hưng Yên"}, "tiers": [{"total": NaN}]}'), ""),
    "infinity-percent": (_raw('{"tiers": [{"percent": -Infinity}]}'), ""),
    "rank-1e400": (_set_in_unit("rank", Decimal("1E+400")), "tiers[0].units[0].rank"),
    "rank-fraction": (_set_in_unit("rank", Decimal("2.5")), "tiers[0].units[0].rank"),
    "rank-zero": (_set_in_unit("rank", Decimal(0)), "tiers[0].units[0].rank"),
    "rank-text": (_set_in_unit("rank", "1"), "tiers[0].units[0].rank"),
    "total-5000-digits": (_set_in_unit("total", Decimal("9" * 5000)), "tiers[0].units[0].total"),
    "total-1e30": (_set_in_unit("total", Decimal("1E+30")), "tiers[0].units[0].total"),
    "percent-missing": (_drop(("tiers", 0, "units", 0, "percent")), "tiers[0].units[0].percent"),
    "deep-nesting": (_nested, ""),
    "not-an-object": (lambda data: [data], ""),
    "campaign-missing": (_drop(("campaign",)), "campaign"),
    "year-missing": (_drop(("campaign", "year")), "campaign.year"),
    "year-text": (lambda data: {**data, "campaign": {**data["campaign"], "year": "2018"}}, "campaign.year"),
    "province-missing": (_drop(("campaign", "province")), "campaign.province"),
    "tiers-missing": (_drop(("tiers",)), "tiers"),
    "tiers-not-a-list": (lambda data: {**data, "tiers": {"so-nganh": []}}, "tiers"),
    "unit-not-an-object": (
        lambda data: (data["tiers"][0]["units"].__setitem__(0, "SKHDT"), data)[1],
        "tiers[0].units[0]",
    ),
    "unit-code-missing": (_drop(("tiers", 0, "units", 0, "code")), "tiers[0].units[0].code"),
    "unit-code-number": (_set_in_unit("code", Decimal(7)), "tiers[0].units[0].code"),
    "unit-duplicated": (_duplicate_unit, "tiers[0].units[17].code"),
    "criteria-missing": (_drop(("tiers", 0, "criteria")), "tiers[0].criteria"),
    "draft-not-boolean": (lambda data: {**data, "draft": "yes"}, "draft"),
    "duplicate-key": (_raw('{"campaign": {"year": 2018, "year": 2017}}'), ""),
    "truncated": (_raw('{"campaign": {"year": 2018, "prov'), ""),
    "empty": (_raw(""), ""),
}


def write_malformed_previous(valid: Path, target: Path, case: str) -> Path:
    """Write ``target``: the results.json ``valid`` changed as ``MALFORMED_PREVIOUS[case]`` says."""
    import json

    change, _ = MALFORMED_PREVIOUS[case]
    data = json.loads(valid.read_text(encoding="utf-8"), parse_float=Decimal, parse_int=Decimal)
    target.write_text(_text_of(change(data)), encoding="utf-8")
    return target


# --- clerk ---
# A unit that sends a file that is no usable form (any error family above) under the name the tool gives its form
# is "submitted, with errors", not missing: the file goes on the unit's roster line by its name.

#: Cases of :data:`CASES` whose file can never be a usable form (the gate refuses it with an error).
UNUSABLE: tuple[str, ...] = tuple(
    case for case, (_, code) in CASES.items() if code is not None and code not in ("file-ignored", "file-archive")
)


def make_named_for_unit(case: str, folder: Path, stem: str) -> Path:
    """The file of ``case`` written into ``folder`` under the unit's form name ``stem`` (its extension kept)."""
    factory, _ = CASES[case]
    scratch = folder / f".scratch-{case}"
    scratch.mkdir()
    made = factory(scratch)
    target = folder / f"{stem}{made.suffix}"
    made.rename(target)
    for leftover in sorted(scratch.rglob("*"), reverse=True):
        leftover.unlink() if leftover.is_file() else leftover.rmdir()
    scratch.rmdir()
    return target


# --- sandbox ---
# Hostile campaign templates (issue 11): a campaign's ``templates/thong-bao.txt.j2`` copied from anywhere.
# Each must end the build quickly with exit 3, naming the template file, and write nothing. ``{target}`` is
# replaced by the test with a path the template tries to write (it must stay absent).

HOSTILE_TEMPLATES: dict[str, str] = {
    "read-host-file": "{{ campaign.folder.joinpath('/etc/hostname').read_text() }}\n",
    "read-through-submission": "{{ results.submissions[0].source.path.read_bytes() }}\n",
    "write-file": "{{ campaign.folder.joinpath('{target}').write_text('') }}\n",
    "empty-a-submitted-form": "{% for s in results.submissions %}{{ s.source.path.write_bytes(b'') }}{% endfor %}\n",
    "python-internals": "{{ campaign.__class__.__init__.__globals__ }}\n",
    "format-internals": "{{ '{0.__class__.__init__.__globals__}'.format(campaign) }}\n",
    "nested-range-100000": "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n",
    "string-times-10e10": "{{ 'x' * 10**10 }}\n",
    "power-tower": "{{ 9**9**9 }}\n",
    "list-times": "{{ ([1] * 10**9)|length }}\n",
    "format-width": "{{ '{:>1000000000}'.format(1) }}\n",
    "percent-width": "{{ '%1000000000d' % 1 }}\n",
    "format-filter-width": "{{ '%1000000000s'|format('x') }}\n",
    "center": "{{ 'x'|center(1000000000) }}\n",
    "ljust-method": "{{ 'x'.ljust(1000000000) }}\n",
    "replace-amplifies": "{% set s = 'x' * 100000 %}{{ s.replace('x', s) }}\n",
    "concat-doubling": "{% set n = namespace(s='x') %}{% for i in range(64) %}{% set n.s = n.s ~ n.s %}{% endfor %}\n",
    "extend-doubling": "{% set l = [1] %}{% for i in range(64) %}{% do l.extend(l) %}{% endfor %}\n",
    "set-block-repeats": (
        "{% set big = 'x' * 1000000 %}{% set y %}{% for i in range(10000) %}{{ big }}{% endfor %}{% endset %}\n"
    ),
    "literal-in-nested-loops": (
        "{% set y %}{% for i in range(10000) %}{% for j in range(10000) %}" + "x" * 200 + "{% endfor %}"
        "{% endfor %}{% endset %}\n"
    ),
    "join-references": "{% set big = 'x' * 1000000 %}{{ ([big] * 10000)|join }}\n",
    "recursive-macro": "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}\n",
    "includes-itself": '{% include "thong-bao.txt.j2" %}\n',
    "lipsum": "{{ lipsum(1000000) }}\n",
    "huge-decimals": "{{ 1|so(1000000000) }}\n",
}


#: Templates that cannot be compiled or read: their bytes, and what the error says (no line to point at).
MALFORMED_TEMPLATES: dict[str, tuple[bytes, str]] = {
    "deep-nesting": (("{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}\n").encode(), "lồng nhau quá sâu"),
    "deep-blocks": (("{% if 1 %}" * 3000 + "x" + "{% endif %}" * 3000).encode(), "lồng nhau quá sâu"),
    "too-large": (b"x" * 1_000_001, "tệp mẫu quá lớn"),
    "not-utf8": (b"\xff\xfe{{ year }}\n", "không phải UTF-8"),
}


def make_symlinked_template(templates: Path, name: str, target: Path) -> Path:
    """``templates/name`` as a symbolic link to ``target`` (raises OSError where links cannot be made)."""
    templates.mkdir(parents=True, exist_ok=True)
    link = templates / name
    link.symlink_to(target)
    return link


# --- commit ---
# What a build meets in its output folder (issue 11, Broken 4, 6 and 8). Each ``hazard_<case>(campaign, out)``
# prepares the campaign folder ``campaign`` (a writable copy) and the place ``out`` (not yet existing), and
# returns the folder to pass to ``build -o``. :data:`OUTPUT_HAZARDS` maps a case to its factory and the exit
# code `build` must give: 4, refused with nothing written and no input changed; 0, built, nothing of the
# tool's own left behind. Symbolic links need a privilege on Windows: a factory may raise ``OSError`` there.

_STALE_HEX = "0123456789ab"


def _first_form(campaign: Path) -> Path:
    return sorted((campaign / "inbox").glob("*.xlsx"))[0]


def hazard_inbox(campaign: Path, out: Path) -> Path:
    return campaign / "inbox"


def hazard_inside_inbox(campaign: Path, out: Path) -> Path:
    return campaign / "inbox" / "ket-qua"


def hazard_link_to_inbox(campaign: Path, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.symlink_to(campaign / "inbox", target_is_directory=True)
    return out


def hazard_templates(campaign: Path, out: Path) -> Path:
    (campaign / "templates").mkdir(exist_ok=True)
    return campaign / "templates"


def hazard_hard_link_to_form(campaign: Path, out: Path) -> Path:
    out.mkdir(parents=True)
    import os

    os.link(_first_form(campaign), out / "results.json")
    return out


def hazard_symlink_to_form(campaign: Path, out: Path) -> Path:
    out.mkdir(parents=True)
    (out / "ket-qua-xep-hang.xlsx").symlink_to(_first_form(campaign))
    return out


def hazard_symlink_to_config(campaign: Path, out: Path) -> Path:
    out.mkdir(parents=True)
    (out / "thong-bao.txt").symlink_to(campaign / "egov.toml")
    return out


def hazard_symlink_to_appraisal_backup(campaign: Path, out: Path) -> Path:
    (campaign / "appraisal.20190301-080000.xlsx").write_bytes(b"PK\x03\x04 the council's earlier file")
    out.mkdir(parents=True)
    (out / "bao-cao-kiem-tra.xlsx").symlink_to(campaign / "appraisal.20190301-080000.xlsx")
    return out


def hazard_folder_at_output_name(campaign: Path, out: Path) -> Path:
    (out / "thong-bao.md").mkdir(parents=True)
    return out


def hazard_stale_temporaries(campaign: Path, out: Path) -> Path:
    """What builds killed by ``kill -9`` leave: a half-written file, a scratch folder, a backup set aside."""
    (out / "tra-lai").mkdir(parents=True)
    _write(out, f".results.{_STALE_HEX}.tmp.json", b'{"campaign": ')
    _write(out / "tra-lai", f".SCT.{_STALE_HEX}.tmp.xlsx", b"PK\x03\x04")
    scratch = out / f".egov-xlsx-scratch.{_STALE_HEX}.tmp"
    scratch.mkdir()
    _write(scratch, "tmpw1x2y3z4", b"<row/>")
    _write(out, f".thong-bao.{_STALE_HEX}.old.md", b"old")
    _write(out, "thong-bao.md", b"new")
    return out


OUTPUT_HAZARDS: dict[str, tuple[Callable[[Path, Path], Path], int]] = {
    "inbox": (hazard_inbox, 4),
    "inside-inbox": (hazard_inside_inbox, 4),
    "link-to-inbox": (hazard_link_to_inbox, 4),
    "templates": (hazard_templates, 4),
    "hard-link-to-form": (hazard_hard_link_to_form, 4),
    "symlink-to-form": (hazard_symlink_to_form, 4),
    "symlink-to-config": (hazard_symlink_to_config, 4),
    "symlink-to-appraisal-backup": (hazard_symlink_to_appraisal_backup, 4),
    "folder-at-output-name": (hazard_folder_at_output_name, 4),
    "stale-temporaries": (hazard_stale_temporaries, 0),
}


# --- gate ---
# Odd inbox entries are named after no roster code: one named after a unit that also sent a valid form is that
# unit's file-not-used warning instead (see the clerk section), which tests/test_feedback.py covers.
# Files whose size on disk is small but whose sheets would make a reader build billions of cells, formulas in
# input cells, and entries of the inbox that are not plain files. Each refused one names its sheet and cell.


def _xlsx_with(build: Callable[[xlsxwriter.Workbook], None]) -> bytes:
    """A form-like workbook (the "Chấm điểm" sheet of :func:`good_xlsx_bytes`) plus what ``build`` adds."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet("Chấm điểm")
    ws.write_row(0, 0, ["Mã", "Tiêu chí", "Điểm tối đa", "Điểm tự đánh giá", "Tài liệu kiểm chứng / ghi chú"])
    for r in range(1, 21):
        ws.write_row(r, 0, [f"1.{r}", f"Tiêu chí thành phần số {r}", 10, 7.5, "Quyết định số 12/QĐ-UBND"])
    build(wb)
    wb.close()
    return buffer.getvalue()


def far_cell_xlsx_bytes(row: int, col: int, *, hidden: bool) -> bytes:
    """A ~9 KB form with one more sheet holding a single cell at (0-based) ``row``, ``col``."""

    def build(wb: xlsxwriter.Workbook) -> None:
        ws = wb.add_worksheet("Sheet2")
        ws.write(row, col, 1)
        if hidden:
            ws.hide()

    return _xlsx_with(build)


def make_far_cell_hidden_sheet(folder: Path) -> Path:
    """One cell at XFD1048576 in a hidden sheet: a reader would build 17 billion cells (512 GB) and abort."""
    return _write(folder, "SKHDT o xa.xlsx", far_cell_xlsx_bytes(1048575, 16383, hidden=True))


def make_far_cell_z(folder: Path) -> Path:
    """One cell at Z1048576 in a visible sheet (27 million cells: seconds and ~1 GB in a reader)."""
    return _write(folder, "SKHDT o Z.xlsx", far_cell_xlsx_bytes(1048575, 25, hidden=False))


def ods_bytes(rows_xml: str, *, table: str = "Chấm điểm") -> bytes:
    """An OpenDocument spreadsheet whose one table holds ``rows_xml``."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{table}">{rows_xml}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    return _zip_bytes(
        [
            ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
            ("content.xml", content.encode()),
            ("META-INF/manifest.xml", manifest.encode()),
        ],
        stored_first=True,
    )


def _ods_cell(value: float) -> str:
    return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'


def make_ods_repeated_rows(folder: Path) -> Path:
    """1,048,566 repeated rows of 60 numbers: 63 million cells in a reader (13 s, 4 GB), 1 KB on disk."""
    header = "<table:table-row>" + _ods_cell(1) + "</table:table-row>"
    cells = _ods_cell(7.5).replace("<table:table-cell ", '<table:table-cell table:number-columns-repeated="60" ')
    rows = f'<table:table-row table:number-rows-repeated="1048566">{cells}</table:table-row>'
    return _write(folder, "PC lap dong.ods", ods_bytes(header + rows))


def make_many_hidden_sheets(folder: Path) -> Path:
    """A form plus 60 hidden sheets, each with a cell at XFD2000."""

    def build(wb: xlsxwriter.Workbook) -> None:
        for i in range(60):
            ws = wb.add_worksheet(f"An {i + 1}")
            ws.write(1999, 16383, i)
            ws.hide()

    return _write(folder, "SKHDT nhieu trang.xlsx", _xlsx_with(build))


def make_filler_cells(folder: Path) -> Path:
    """A valid form whose second sheet holds 3 million filler cells (a 7 MB file; 55 s and 2 GB to copy)."""
    row = "".join(f'<c r="{c}{{r}}"><v>1</v></c>' for c in _letters(60))
    body = "".join(f'<row r="{r}">{row.format(r=r)}</row>' for r in range(1, 50001))
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{body}</sheetData></worksheet>"
    ).encode()
    xlsx = far_cell_xlsx_bytes(0, 0, hidden=False)
    return _write(folder, "SKHDT o dem.xlsx", _replace_parts(xlsx, {"xl/worksheets/sheet2.xml": sheet}))


def make_many_cells(folder: Path) -> Path:
    """Four sheets within the row and column limits but 320,000 cells in all: past the workbook's cell budget."""
    row = "".join(f'<c r="{c}{{r}}"><v>1</v></c>' for c in _letters(20))
    body = "".join(f'<row r="{r}">{row.format(r=r)}</row>' for r in range(1, 4001))
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{body}</sheetData></worksheet>"
    ).encode()

    def build(wb: xlsxwriter.Workbook) -> None:
        for i in range(4):
            wb.add_worksheet(f"Du lieu {i + 1}").write(0, 0, 1)

    xlsx = _xlsx_with(build)
    parts = {f"xl/worksheets/sheet{i}.xml": sheet for i in range(2, 6)}
    return _write(folder, "SKHDT qua nhieu o.xlsx", _replace_parts(xlsx, parts))


def _letters(n: int) -> list[str]:
    out = []
    for i in range(1, n + 1):
        letters, k = "", i
        while k:
            k, rem = divmod(k - 1, 26)
            letters = chr(65 + rem) + letters
        out.append(letters)
    return out


def make_far_cell_xls(folder: Path) -> Path:
    """An .xls whose sheet holds one NUMBER record at IV65536: 16 million cells (512 MB) in a reader."""
    bof_globals = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x1F5A, 0x07CD, 0, 0x06)
    name = "Chấm điểm".encode("utf-16-le")
    boundsheet_len = 8 + len(name)
    eof = struct.pack("<HH", 0x000A, 0)
    sheet_offset = len(bof_globals) + 4 + boundsheet_len + len(eof)
    boundsheet = struct.pack("<HHIBBBB", 0x0085, boundsheet_len, sheet_offset, 0, 0, len(name) // 2, 1) + name
    bof_sheet = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0010, 0x1F5A, 0x07CD, 0, 0x06)
    number = struct.pack("<HHHHHd", 0x0203, 14, 65535, 255, 15, 1.0)
    stream = bof_globals + boundsheet + eof + bof_sheet + number + eof
    return _write(folder, "TTT o xa.xls", cfb_bytes({"Workbook": stream.ljust(4096, b"\0")}))


def make_dtd_in_dat_part(folder: Path) -> Path:
    """A DTD in a sheet part named ``sheet1.dat``: the relationship points at it, so a reader parses it."""
    with zipfile.ZipFile(io.BytesIO(good_xlsx_bytes())) as source:
        parts = {i.filename: source.read(i) for i in source.infolist()}
    sheet = parts.pop("xl/worksheets/sheet1.xml")
    parts["xl/worksheets/sheet1.dat"] = sheet.replace(
        b"<worksheet", b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]><worksheet', 1
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"worksheets/sheet1.xml", b"worksheets/sheet1.dat"
    )
    return _write(folder, "SKHDT dat.xlsx", _zip_bytes(parts.items()))


GATE_CASES: dict[str, tuple[Factory, str | None]] = {
    "far-cell-hidden-sheet": (make_far_cell_hidden_sheet, "sheet-too-large"),
    "far-cell-z": (make_far_cell_z, "sheet-too-large"),
    "ods-repeated-rows": (make_ods_repeated_rows, "sheet-too-large"),
    "many-hidden-sheets": (make_many_hidden_sheets, "sheet-too-large"),
    "filler-cells": (make_filler_cells, "sheet-too-large"),
    "many-cells": (make_many_cells, "sheet-too-large"),
    "far-cell-xls": (make_far_cell_xls, "sheet-too-large"),
    "dtd-in-dat-part": (make_dtd_in_dat_part, "xml-entities"),
}
CASES.update(GATE_CASES)


# Entries of the inbox that are not plain files: each made in the inbox itself (a link's target depends on where
# it is), each reported by name. ``None`` when this system cannot make it (no FIFOs or symlinks on Windows
# without privileges).


def make_dangling_link(inbox: Path) -> Path | None:
    return _symlink(inbox / "lien ket hong.xlsx", inbox / "khong-con.xlsx")


def make_looping_link(inbox: Path) -> Path | None:
    return _symlink(inbox / "vong lap.xlsx", inbox / "vong lap.xlsx")


def make_link_outside(inbox: Path) -> Path | None:
    """A link to a real form kept outside the inbox (the host's files are never read through the inbox)."""
    outside = inbox.parent / "ngoai-inbox"
    outside.mkdir(exist_ok=True)
    return _symlink(inbox / "lien ket ngoai.xlsx", _write(outside, "bieu.xlsx", good_xlsx_bytes()))


def make_fifo(inbox: Path) -> Path | None:
    import os

    if not hasattr(os, "mkfifo"):
        return None
    path = inbox / "duong ong.xlsx"
    os.mkfifo(path)
    return path


def make_folder_named_xlsx(inbox: Path) -> Path:
    path = inbox / "thu muc.xlsx"
    path.mkdir()
    return path


def make_form_named_like_a_lock(inbox: Path) -> Path:
    """A real form whose name starts with "~$" (Windows hides it, Excel deletes it): read, and said."""
    return _write(inbox, "~$SKHDT bieu that.xlsx", good_xlsx_bytes())


def _symlink(link: Path, target: Path) -> Path | None:
    try:
        link.symlink_to(target)
    except (OSError, NotImplementedError):
        return None
    return link


#: entry -> (factory making it in the inbox, the finding code expected).
ENTRY_CASES: dict[str, tuple[Callable[[Path], Path | None], str]] = {
    "dangling-link": (make_dangling_link, "file-unreadable"),
    "looping-link": (make_looping_link, "file-unreadable"),
    "link-outside": (make_link_outside, "file-outside-inbox"),
    "fifo": (make_fifo, "file-unreadable"),
    "folder-named-xlsx": (make_folder_named_xlsx, "file-unreadable"),
    "form-named-like-a-lock": (make_form_named_like_a_lock, "file-lock-name"),
}


# --- config ---
# egov.toml files a clerk breaks with Notepad or Word: each ``make_config_<case>(folder)`` writes ``egov.toml``
# into ``folder``. :data:`CONFIG_CASES` maps a case to its factory and the line the message must name (``None``:
# the file loads). `egov-xlsx check` must exit 3 with that line, in Vietnamese, with no traceback.

CONFIG_TEXT = """[campaign]
id = "thu-2024"
title = "Đánh giá thử nghiệm năm 2024"
province = "Thử"
year = 2024

[[tiers]]
id = "t"
name = "Khối thử"
bands = [
  { name = "Tốt", min_percent = 85 },
  { name = "Yếu", min_percent = 0 },
]

[[tiers.criteria]]
code = "1"
name = "Nhóm một"
max = 10

[[tiers.units]]
code = "A"
name = "Đơn vị A"
"""

#: The line of :data:`CONFIG_TEXT` the cases break (``title = ...``).
CONFIG_LINE = 3


def _config_with(line: str) -> str:
    lines = CONFIG_TEXT.split("\n")
    lines[CONFIG_LINE - 1] = line
    return "\n".join(lines)


def _config_bytes(folder: Path, data: bytes) -> Path:
    return _write(folder, "egov.toml", data)


def _config_line(line: str) -> Factory:
    return lambda folder: _config_bytes(folder, _config_with(line).encode("utf-8"))


def make_config_utf16(folder: Path) -> Path:
    """Notepad's "Unicode": UTF-16 little-endian with a byte-order mark (loads)."""
    return _config_bytes(folder, CONFIG_TEXT.encode("utf-16"))


def make_config_utf8_bom(folder: Path) -> Path:
    return _config_bytes(folder, b"\xef\xbb\xbf" + CONFIG_TEXT.encode("utf-8"))


def make_config_utf16_odd(folder: Path) -> Path:
    """UTF-16 cut one byte short (a copy that did not finish): the last line is named."""
    return _config_bytes(folder, CONFIG_TEXT.rstrip("\n").encode("utf-16")[:-1])


def make_config_utf16_lone_surrogate(folder: Path) -> Path:
    """UTF-16 with half of a surrogate pair on the title's line."""
    head, tail = _config_with('title = "Đánh giá X"').split("X", 1)
    data = head.encode("utf-16") + b"\x00\xd8" + tail.encode("utf-16-le")
    return _config_bytes(folder, data)


def make_config_cp1258(folder: Path) -> Path:
    """Saved in the old Windows Vietnamese code page, not UTF-8."""
    return _config_bytes(folder, _config_with('title = "Đơn"').encode("cp1258", errors="replace"))


def make_config_utf16_without_bom(folder: Path) -> Path:
    return _config_bytes(folder, CONFIG_TEXT.encode("utf-16-le"))


def make_config_deep_nesting(folder: Path) -> Path:
    """An array nested 10,000 levels deep (tomllib recurses until Python gives up)."""
    return _config_bytes(folder, _config_with("title = " + "[" * 10000 + "]" * 10000).encode("utf-8"))


#: case -> (factory, line the message names; ``None``: the file loads).
CONFIG_CASES: dict[str, tuple[Factory, int | None]] = {
    "utf8-bom": (make_config_utf8_bom, None),
    "utf16-bom": (make_config_utf16, None),
    "utf16-odd-bytes": (make_config_utf16_odd, CONFIG_TEXT.rstrip("\n").count("\n") + 1),
    "utf16-lone-surrogate": (make_config_utf16_lone_surrogate, CONFIG_LINE),
    "utf16-without-bom": (make_config_utf16_without_bom, 1),
    "cp1258": (make_config_cp1258, CONFIG_LINE),
    "deep-nesting": (make_config_deep_nesting, CONFIG_LINE),
    "curly-quotes": (_config_line("title = “Đánh giá thử nghiệm”"), CONFIG_LINE),
    "curly-closing-quote": (_config_line('title = "Đánh giá thử nghiệm”'), CONFIG_LINE),
    "unterminated-string": (_config_line('title = "Đánh giá thử nghiệm'), CONFIG_LINE),
    "invalid-value": (_config_line("title = Đánh giá"), CONFIG_LINE),
    "missing-equals": (_config_line('title "Đánh giá"'), CONFIG_LINE),
    "duplicate-key": (_config_line('id = "lap-lai"'), CONFIG_LINE),
    "duplicate-table": (_config_line("[campaign]"), CONFIG_LINE),
    "invalid-escape": (_config_line('title = "C:\\du-lieu\\danh-gia"'), CONFIG_LINE),
    "bad-unicode-escape": (_config_line('title = "\\uD800"'), CONFIG_LINE),
    "control-character": (_config_line('title = "Đánh\x07giá"'), CONFIG_LINE),
    "unclosed-array": (_config_line('title = ["Đánh giá"'), CONFIG_LINE + 1),  # arrays may span lines
    "unclosed-inline-table": (_config_line('title = { ten = "Đánh giá"'), CONFIG_LINE),
    "table-without-bracket": (_config_line("[document"), CONFIG_LINE),
    "trailing-text": (_config_line('title = "Đánh giá" năm 2024'), CONFIG_LINE),
    "bad-date": (_config_line("title = 2024-13-45"), CONFIG_LINE),
    "huge-integer": (_config_line("title = " + "9" * 5000), CONFIG_LINE),
    "duplicate-inline-key": (_config_line('title = { ten = "A", ten = "B" }'), CONFIG_LINE),
    "inline-table-extended": (_config_line('title = { ten = "A" }\ntitle.phu = "B"'), CONFIG_LINE + 1),
    "array-header-unclosed": (_config_line('title = "T"\n[[tiers]'), CONFIG_LINE + 1),
    "bad-key": (_config_line('title = "T"\ntên đợt = "A"'), CONFIG_LINE + 1),
    "deep-inline-tables": (_config_line("title = " + "{ a = " * 10000 + "1" + " }" * 10000), CONFIG_LINE),
    "dotted-key-10000-parts": (_config_line('title = "T"\nx' + ".x" * 10000 + " = 1"), CONFIG_LINE + 1),
}


# --- rules13 ---
# Hostile facts in a rule-based criterion's cells (issue 13), typed into a form of ``tests.factories.RULES_TOML``
# (fact columns G and H; 1.1 levels in row 10, 1.2 count in row 11, 1.3 yes/no in row 12, 2.1 ratio in row 14,
# 2.2 decimal ratio in row 15). :data:`RULE_FACT_CASES` maps a case to the cells typed and the finding code that
# must be given at the first of them (``None``: read without a finding). One bad cell never stops the form.

RULE_FACT_CASES: dict[str, tuple[dict[str, object], str | None]] = {
    "label-not-in-list": ({"G10": "Phó Giám đốc làm Trưởng ban"}, "fact-not-in-list"),
    "label-with-spaces-and-nbsp": ({"G10": "  Cấp phó\u00a0là  Trưởng ban "}, None),
    "label-decomposed-unicode": ({"G10": unicodedata.normalize("NFD", "Cấp phó là Trưởng ban")}, None),
    "label-as-number": ({"G10": 10}, "fact-not-in-list"),
    "yes-no-as-boolean": ({"G12": True}, None),
    "yes-no-other-word": ({"G12": "Đã phê duyệt"}, "fact-not-in-list"),
    "count-5000-digit-text": ({"G11": "9" * 5000}, "fact-text-number"),  # read, with a warning; points capped
    "count-words": ({"G11": "ba văn bản"}, "fact-not-number"),
    "count-huge": ({"G11": 1e300}, None),
    "count-negative": ({"G11": -3}, "fact-negative"),
    "count-fraction": ({"G11": 0.5}, "fact-not-whole"),
    "count-boolean": ({"G11": True}, "fact-not-number"),
    "count-formula": ({"G11": "=2+1"}, "cell-formula"),
    "ratio-a-above-b": ({"G14": 101, "H14": 100}, "fact-above-total"),
    "ratio-b-zero": ({"H14": 0, "G14": 0}, "fact-zero-total"),
    "ratio-b-text": ({"H14": "1.000 hồ sơ"}, "fact-not-number"),
    "ratio-b-missing": ({"H14": None}, "fact-missing"),
    "ratio-tiny-amounts": ({"G15": 1e-300, "H15": 1e-299}, None),
    "ratio-b-zero-not-applicable": ({"G15": 0, "H15": 0}, None),
}

#: Rule keys a clerk gets wrong in ``egov.toml`` (on :data:`tests.factories.RULES_TOML`): case -> (text replaced,
#: replacement, the words the one message must hold, the text on the line it names). ``egov-xlsx check`` exits 3
#: naming the line of the key.
RULE_CONFIG_CASES: dict[str, tuple[str, str, str, str]] = {
    "level-above-max": ("points = 5 }", "points = 50 }", "lớn hơn điểm tối đa 10", "points = 50 }"),
    "steps-not-covering-zero": ("{ min_percent = 0, points = 0 } ]", "{ min_percent = 10, points = 0 } ]",
                                "phủ cả tỷ lệ 0%", "steps = [ { min_percent = 90"),  # the key's line
    "ratio-one-input": ('inputs = ["Số hồ sơ xử lý trực tuyến", "Tổng số hồ sơ"]', 'inputs = "Tổng số hồ sơ"',
                        "đúng hai đầu vào", 'inputs = "Tổng số hồ sơ"'),
    "points-each-zero": ("points_each = 0.5", "points_each = 0", "lớn hơn 0", "points_each = 0"),
    "rule-misspelt": ('rule = "yes_no"', 'rule = "co-khong"', "levels, ratio, count, yes_no", 'rule = "co-khong"'),
    "step-key-misspelt": ("{ above_percent = 50,", "{ above_pecent = 50,", "có phải là above_percent?",
                          "{ above_pecent = 50,"),
}  # fmt: skip


# --- gate2 ---
# Formulas the appraisal council may leave in `appraisal.xlsx` (issue 11, "formulas are invisible"): typed where a
# value or a reason goes, each with what a spreadsheet program caches for it. openpyxl writes the formula with no
# cached value; ``cached`` then stores one in the sheet XML as a hostile or careless writer would (``=1/0``
# cached as 12); LibreOffice re-saving the file computes and stores real ones (tests/test_appraisal.py).


@dataclass(frozen=True)
class AppraisalFormula:
    """A formula for a cell of a table row; ``cached``: the ``<v>`` text stored with it (``None``: none)."""

    formula: str
    cached: str | None = None
    text: bool = False


APPRAISAL_FORMULAS: dict[str, AppraisalFormula] = {
    "division-by-zero-cached-12": AppraisalFormula("=1/0", "12"),
    "division-by-zero": AppraisalFormula("=1/0"),
    "constant": AppraisalFormula("=6*2"),
    "random": AppraisalFormula("=RAND()*10", "7.5"),
    "self-score": AppraisalFormula("=F{row}"),
    "external-link": AppraisalFormula("='C:\\[diem.xlsx]Sheet1'!A1", "9"),
    "reason-text": AppraisalFormula('="Thiếu tài liệu kiểm chứng"', "Thiếu tài liệu kiểm chứng", text=True),
}


def with_appraisal_formulas(workbook: Path, sheet: str, cells: dict[str, str]) -> Path:
    """Put ``APPRAISAL_FORMULAS[case]`` into each ``sheet``!cell of ``cells`` (in place); ``{row}`` is the cell's row."""
    import openpyxl

    wb = openpyxl.load_workbook(workbook)
    ws = wb[sheet]
    cached: dict[bytes, bytes] = {}
    for cell, case in cells.items():
        item = APPRAISAL_FORMULAS[case]
        formula = item.formula.replace("{row}", str(ws[cell].row))
        ws[cell].value = formula
        if item.cached is not None:
            body = formula[1:].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            # openpyxl writes <c r="G9" ...><f>1/0</f><v></v></c>: the cached value goes into that <v>.
            kind = ' t="str"' if item.text else ""
            cached[f'<c r="{cell}"'.encode()] = f"<f>{body}</f><v>{item.cached}</v>".encode() + kind.encode()
    buffer = io.BytesIO()
    wb.save(buffer)
    with zipfile.ZipFile(buffer) as source:
        parts = {i.filename: source.read(i) for i in source.infolist()}
    for start, stored in cached.items():
        parts = {name: _store_cached(part, start, stored) for name, part in parts.items()}
    workbook.write_bytes(_zip_bytes(parts.items()))
    return workbook


def _store_cached(part: bytes, start: bytes, stored: bytes) -> bytes:
    """The cell beginning ``start`` in a sheet part with its formula and cached value (and type) as ``stored``."""
    at = part.find(start)
    if at < 0:
        return part
    end = part.index(b"</c>", at)
    head = part.index(b">", at)
    body, kind = stored.split(b"</v>")[0] + b"</v>", stored.split(b"</v>")[1]
    tag = part[at:head]
    tag = tag.replace(b' t="str"', b"") + kind
    return part[:at] + tag + b">" + body + part[end:]


# Sheet XML a hostile writer may produce to hide a formula or a far cell from the gate's fast measure, each made
# from a real workbook (xlsxwriter) by editing its first sheet's XML. The reader (python-calamine) reads no cell
# after the first real ``</sheetData>``, so the gate stops there, but not at one inside a comment or CDATA.


def _edited_sheet(edit: Callable[[bytes], bytes]) -> bytes:
    source = good_xlsx_bytes()
    with zipfile.ZipFile(io.BytesIO(source)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    edited = edit(sheet)
    assert edited != sheet, "the edit changed nothing"
    return _replace_parts(source, {"xl/worksheets/sheet1.xml": edited})


def _score_cell(sheet: bytes, replacement: bytes) -> bytes:
    """D2 (the first score, 7.5) replaced by ``replacement``."""
    return sheet.replace(b'<c r="D2"><v>7.5</v></c>', replacement, 1)


_FAR = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'

#: case -> (sheet XML edit, what the gate must say: a finding code, or the formula cells it must find).
SHEET_XML_CASES: dict[str, tuple[Callable[[bytes], bytes], str | dict[str, str]]] = {
    "formula-after-value": (lambda s: _score_cell(s, b'<c r="D2"><v>12</v><f>1/0</f></c>'), {"D2": "1/0"}),
    "formula-past-quoted-gt": (
        lambda s: _score_cell(s, b'<c r="D2" x="a>b"><f>1/0</f><v>12</v></c>'),
        {"D2": "1/0"},
    ),
    "formula-shared-follower": (
        lambda s: _score_cell(s, b'<c r="D2"><f t="shared" si="0"/><v>12</v></c>'),
        {"D2": ""},
    ),
    "far-cell-after-comment-end": (
        lambda s: s.replace(b"</row>", b"<!-- </sheetData> --></row>", 1).replace(
            b"</sheetData>", _FAR + b"</sheetData>"
        ),
        "sheet-too-large",
    ),
    "far-cell-after-cdata-end": (
        lambda s: s.replace(
            b'<row r="2"', b'<row r="2"><c r="F2" t="inlineStr"><is><t><![CDATA[</sheetData>]]></t></is></c>', 1
        ).replace(b"</sheetData>", _FAR + b"</sheetData>"),
        "sheet-too-large",
    ),
    # After the real end tag: no reader reads it, so it costs nothing and the form is admitted.
    "far-cell-after-the-end": (lambda s: s.replace(b"</sheetData>", b"</sheetData>" + _FAR.replace(b"row", b"x")), {}),
}


def make_sheet_xml_case(folder: Path, case: str) -> Path:
    edit, _ = SHEET_XML_CASES[case]
    return _write(folder, f"SKHDT {case}.xlsx", _edited_sheet(edit))


# .xlsb, measured by the gate since gate2: real workbooks written by pyxlsbwriter, then one record edited (as the
# xlsx cases edit XML): a row header and a cell moved to XFD1048576, or a number cell turned into a formula
# record (BrtFmlaNum with the same cached value and an empty formula).

_XLSB_SENTINEL = 987654321.0


def xlsb_bytes(score: float = 7.5) -> bytes:
    """A small form-like .xlsb: the "Chấm điểm" sheet (B3 holds ``score``) and a hidden metadata sheet."""
    import tempfile

    from pyxlsbwriter import XlsbWriter

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "form.xlsb"
        with XlsbWriter(str(path)) as writer:
            writer.add_sheet("Chấm điểm")
            writer.write_sheet(
                [
                    ["Mã", "Tiêu chí", "Điểm tối đa", "Điểm tự đánh giá"],
                    ["1.1", "Máy tính", 10, 7.5],
                    ["1.2", "Mạng", 5, score],
                ]
            )
            writer.add_sheet("_egov", hidden=True)
            writer.write_sheet([["unit_code", "SKHDT"]])
        return path.read_bytes()


def _xlsb_edit(old: bytes, new: bytes, score: float = 7.5) -> bytes:
    source = xlsb_bytes(score)
    with zipfile.ZipFile(io.BytesIO(source)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.bin")
    assert sheet.count(old) == 1, "the record to edit is not written as expected"
    return _replace_parts(source, {"xl/worksheets/sheet1.bin": sheet.replace(old, new)})


def make_xlsb_far_cell(folder: Path) -> Path:
    """Row 3 moved to row 1048576 and its sentinel cell to column XFD (a reader would build 17 billion cells)."""
    row = b"\x00\x19" + struct.pack("<I", 2)
    cell = b"\x05\x10" + struct.pack("<IId", 3, 0, _XLSB_SENTINEL)
    data = _xlsb_edit(row, b"\x00\x19" + struct.pack("<I", 1048575), _XLSB_SENTINEL)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.bin")
    moved = sheet.replace(cell, b"\x05\x10" + struct.pack("<IId", 16383, 0, _XLSB_SENTINEL))
    return _write(folder, "SKHDT o xa.xlsb", _replace_parts(data, {"xl/worksheets/sheet1.bin": moved}))


def make_xlsb_formula(folder: Path) -> Path:
    """D2 (7.5) as a formula record caching 7.5."""
    cell = b"\x05\x10" + struct.pack("<IId", 3, 0, 7.5)
    formula = b"\x09\x1a" + struct.pack("<IIdHII", 3, 0, 7.5, 0, 0, 0)
    return _write(folder, "SKHDT cong thuc.xlsb", _xlsb_edit(cell, formula, 6.0))


def make_xlsb_cut_short(folder: Path) -> Path:
    """The last record of the sheet cut in half (its size says more bytes than the part holds)."""
    source = xlsb_bytes()
    with zipfile.ZipFile(io.BytesIO(source)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.bin")
    return _write(
        folder, "SKHDT cat.xlsb", _replace_parts(source, {"xl/worksheets/sheet1.bin": sheet + b"\x05\x10\x00"})
    )
