"""The input gate: every file of the bad-file corpus gets exactly its finding, and nothing raises."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import shutil
import subprocess
import sys
import time
import tracemalloc
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineError, CalamineWorkbook

from egov_xlsx import findings
from egov_xlsx.model import Severity
from egov_xlsx.read import gate
from tests import corpus

KINDS = {
    "good-xlsx": "xlsx",
    "nfd-name": "xlsx",
    "xlsx-named-pdf": "xlsx",
    "xlsx-without-extension": "xlsx",
    "empty": "empty",
    "truncated-xlsx": "xlsx",
    "encrypted-xlsx": "encrypted",
    "encrypted-xls": "xls",
    "encrypted-ods": "ods",
    "html-as-xls": "html",
    "csv-as-xlsx": "csv",
    "unicode-text-as-xls": "csv",
    "cp1258-csv-as-xls": "csv",
    "spreadsheetml-as-xls": "spreadsheetml2003",
    "pdf-as-xlsx": "pdf",
    "docx-as-xlsx": "docx",
    "pdf": "pdf",
    "png-as-jpg": "png",
    "docx": "docx",
    "text-note": "text",
    "zip-bomb": "xlsx",
    "billion-laughs": "xlsx",
    "oversized": "xlsx",
}


@pytest.mark.parametrize("case", sorted(corpus.CASES))
def test_each_case_gives_exactly_its_finding(tmp_path: Path, case: str) -> None:
    factory, code = corpus.CASES[case]
    path = factory(tmp_path)

    admitted = gate.admit(path, inbox=tmp_path)

    name = unicodedata.normalize("NFC", path.name)
    assert admitted.source.name == name
    if code is None:
        assert admitted.readable
        assert admitted.findings == ()
        assert admitted.source.kind in gate.READABLE_KINDS
        assert admitted.content == path.read_bytes()
        assert admitted.source.sha256 == hashlib.sha256(admitted.content).hexdigest()
    else:
        assert not admitted.readable
        assert [f.code for f in admitted.findings] == [code]
        finding = admitted.findings[0]
        assert finding.severity is findings.CATALOGUE[code].severity
        assert finding.severity is (Severity.INFO if code == "file-ignored" else Severity.ERROR)
        assert finding.file == name
        assert "?" not in finding.message  # every template field was filled
        assert admitted.content is None
    if case in KINDS:
        assert admitted.source.kind == KINDS[case]


def test_good_form_opens_with_calamine_from_the_bytes_read(tmp_path: Path) -> None:
    admitted = gate.admit(corpus.make_good_xlsx(tmp_path))
    assert admitted.content is not None
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(admitted.content))
    assert workbook.sheet_names == ["Chấm điểm"]
    assert admitted.source.size == len(admitted.content)


def test_messages_say_what_was_found(tmp_path: Path) -> None:
    def message(factory: corpus.Factory) -> str:
        return gate.admit(factory(tmp_path)).findings[0].message

    assert "1,5 GB" in message(corpus.make_zip_bomb)
    assert "2.510 phần nội dung" in message(corpus.make_zip_many_entries)
    assert "21 MB" in message(corpus.make_oversized) and "20 MB" in message(corpus.make_oversized)
    assert "đuôi .xls" in message(corpus.make_spreadsheetml_as_xls)
    assert "XML Spreadsheet 2003" in message(corpus.make_spreadsheetml_as_xls)
    assert "trang HTML" in message(corpus.make_html_as_xls)
    assert "văn bản CSV" in message(corpus.make_csv_as_xlsx)
    assert "tệp PDF" in message(corpus.make_pdf_as_xlsx)
    assert message(corpus.make_pdf) == "Tệp PDF không phải biểu chấm điểm nên được bỏ qua."
    assert message(corpus.make_png_as_jpg).startswith("Tệp ảnh PNG ")
    assert message(corpus.make_docx).startswith("Tệp tài liệu Word ")


def test_oversized_file_is_not_read(tmp_path: Path) -> None:
    admitted = gate.admit(corpus.make_oversized(tmp_path))
    assert admitted.source.size == 21 * 1024 * 1024
    assert admitted.source.sha256 == ""
    assert admitted.content is None


def test_zip_bomb_is_refused_quickly_without_inflating(tmp_path: Path) -> None:
    path = corpus.make_zip_bomb(tmp_path)
    size = path.stat().st_size
    tracemalloc.start()
    started = time.process_time()
    admitted = gate.admit(path)
    elapsed = time.process_time() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert [f.code for f in admitted.findings] == ["zip-bomb"]
    # Generous bounds against a slow CI machine; benchmarks/zip_bomb.py measures the real figures
    # (a few ms). Inflating would take seconds and 1.5 GB.
    assert elapsed < 2.0
    assert peak < 3 * size + 10 * 1024 * 1024


def test_dtd_is_found_past_a_long_comment_and_in_utf16(tmp_path: Path) -> None:
    assert gate.admit(corpus.make_external_entity_sheet(tmp_path)).findings[0].code == "xml-entities"
    utf16 = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><sst/>'.encode("utf-16")
    data = corpus._replace_parts(corpus.good_xlsx_bytes(), {"xl/sharedStrings.xml": utf16})
    path = tmp_path / "utf16.xlsx"
    path.write_bytes(data)
    assert gate.admit(path).findings[0].code == "xml-entities"


def test_endless_prolog_is_refused(tmp_path: Path) -> None:
    sheet = b'<?xml version="1.0"?>' + b"<!-- x -->" * 10_000 + b"<worksheet/>"
    path = tmp_path / "prolog.xlsx"
    path.write_bytes(corpus._replace_parts(corpus.good_xlsx_bytes(), {"xl/worksheets/sheet1.xml": sheet}))
    assert gate.admit(path).findings[0].code == "xml-entities"


def test_content_wins_over_the_extension(tmp_path: Path) -> None:
    for factory in (corpus.make_xlsx_named_pdf, corpus.make_xlsx_without_extension):
        admitted = gate.admit(factory(tmp_path))
        assert admitted.readable and admitted.source.kind == "xlsx"


def test_macro_workbook_is_xlsm(tmp_path: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(corpus.good_xlsx_bytes())) as source:
        parts = [(i.filename, source.read(i)) for i in source.infolist()]
    path = tmp_path / "macro.xlsm"
    path.write_bytes(corpus._zip_bytes([*parts, ("xl/vbaProject.bin", b"\0" * 64)]))
    admitted = gate.admit(path)
    assert admitted.readable and admitted.source.kind == "xlsm"


def test_password_zip_entries_are_encrypted(tmp_path: Path) -> None:
    data = bytearray(corpus.good_xlsx_bytes())
    # Set the "encrypted" flag of every central directory record, as ZipCrypto does.
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        data[pos + 8] |= 1
        pos = data.find(b"PK\x01\x02", pos + 4)
    path = tmp_path / "zipcrypto.xlsx"
    path.write_bytes(bytes(data))
    assert [f.code for f in gate.admit(path).findings] == ["file-encrypted"]


def test_broken_docx_is_ignored_not_an_error(tmp_path: Path) -> None:
    data = corpus._docx_bytes()
    path = tmp_path / "cong van.docx"
    path.write_bytes(data[: len(data) // 2])
    assert [f.code for f in gate.admit(path).findings] == ["file-ignored"]


def test_truncated_xlsx_without_extension_is_still_corrupt(tmp_path: Path) -> None:
    data = corpus.good_xlsx_bytes()
    path = tmp_path / "bieu"
    path.write_bytes(data[: len(data) // 2])
    assert [f.code for f in gate.admit(path).findings] == ["file-corrupt"]


# --------------------------------------------------------------------------- names and listing


def test_list_inbox_skips_locks_hidden_and_subfolders_and_sorts(tmp_path: Path) -> None:
    made = [factory(tmp_path) for factory, _ in corpus.CASES.values()]
    for factory in corpus.SKIPPED.values():
        factory(tmp_path)

    listed = gate.list_inbox(tmp_path)

    assert sorted(p.name for p in listed) == sorted(p.name for p in made)
    names = [unicodedata.normalize("NFC", p.name) for p in listed]
    assert names == sorted(names, key=lambda n: (n.casefold(), n))
    assert all(p.parent == tmp_path for p in listed)


def test_list_inbox_sorts_nfd_names_as_nfc(tmp_path: Path) -> None:
    for name in ("Sở Y tế.xlsx", "Sở Tư pháp.xlsx", "Ban Quản lý.xlsx"):
        (tmp_path / unicodedata.normalize("NFD", name)).write_bytes(b"x")
    listed = [unicodedata.normalize("NFC", p.name) for p in gate.list_inbox(tmp_path)]
    assert listed == ["Ban Quản lý.xlsx", "Sở Tư pháp.xlsx", "Sở Y tế.xlsx"]


def test_windows_hidden_attribute_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gate, "_FILE_ATTRIBUTES", True)  # as on Windows
    hidden = SimpleNamespace(stat=lambda: SimpleNamespace(st_file_attributes=0x2))
    plain = SimpleNamespace(stat=lambda: SimpleNamespace(st_file_attributes=0x20))
    posix = SimpleNamespace(stat=lambda: SimpleNamespace())
    assert gate._is_hidden(hidden) is True  # type: ignore[arg-type]
    assert gate._is_hidden(plain) is False  # type: ignore[arg-type]
    assert gate._is_hidden(posix) is False  # type: ignore[arg-type]


def test_nfd_name_comes_out_nfc_in_source_and_findings(tmp_path: Path) -> None:
    path = tmp_path / unicodedata.normalize("NFD", "Sở Tư pháp  (bản 2).xlsx")
    path.write_bytes(b"")
    admitted = gate.admit(path, inbox=tmp_path)
    assert admitted.source.name == "Sở Tư pháp  (bản 2).xlsx"  # NFC, its own spaces kept
    assert admitted.findings[0].file == "Sở Tư pháp  (bản 2).xlsx"


def test_display_name_outside_the_inbox_is_the_bare_name(tmp_path: Path) -> None:
    assert gate.display_name(tmp_path / "a.xlsx", tmp_path / "inbox") == "a.xlsx"
    assert gate.display_name(tmp_path / "inbox" / "b.xlsx", tmp_path / "inbox") == "b.xlsx"


# --------------------------------------------------------------------------- OS errors


def _unreadable(admitted: gate.Admitted) -> str:
    assert not admitted.readable
    assert [f.code for f in admitted.findings] == ["file-unreadable"]
    return admitted.findings[0].message


def test_vanished_file_is_unreadable(tmp_path: Path) -> None:
    assert "không còn trong thư mục" in _unreadable(gate.admit(tmp_path / "gone.xlsx"))


def test_folder_is_unreadable(tmp_path: Path) -> None:
    assert "thư mục" in _unreadable(gate.admit(tmp_path))


def test_permission_denied_is_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = corpus.make_good_xlsx(tmp_path)

    def denied(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", denied)
    assert "không có quyền đọc" in _unreadable(gate.admit(path))


def test_too_long_path_is_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = corpus.make_good_xlsx(tmp_path)

    def too_long(self: Path, *args: object, **kwargs: object) -> None:
        raise OSError(errno.ENAMETOOLONG, "File name too long", str(self))

    monkeypatch.setattr(Path, "stat", too_long)
    assert "quá dài" in _unreadable(gate.admit(path))


def test_file_growing_while_read_is_read_to_its_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A mail client still saving: the size seen when opening is short of what is there by the time of reading."""
    path = corpus.make_good_xlsx(tmp_path)
    whole = path.read_bytes()
    real_fstat = os.fstat

    def earlier(fd: int) -> object:
        seen = real_fstat(fd)
        return SimpleNamespace(st_size=seen.st_size // 2, st_mtime=seen.st_mtime)

    monkeypatch.setattr(gate.os, "fstat", earlier)
    admitted = gate.admit(path)
    assert admitted.readable and admitted.content == whole
    assert admitted.source.sha256 == hashlib.sha256(whole).hexdigest()


def test_file_grown_past_the_limit_while_read_is_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = corpus.make_good_xlsx(tmp_path)
    monkeypatch.setattr(gate, "MAX_FILE_BYTES", path.stat().st_size - 10)
    real_fstat = os.fstat
    monkeypatch.setattr(gate.os, "fstat", lambda fd: SimpleNamespace(st_size=100, st_mtime=real_fstat(fd).st_mtime))
    admitted = gate.admit(path)
    assert [f.code for f in admitted.findings] == ["file-too-large"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX only")
def test_named_pipe_is_not_opened(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.xlsx"
    os.mkfifo(pipe)
    assert "không phải là một tệp thông thường" in _unreadable(gate.admit(pipe))
    assert gate.list_inbox(tmp_path) == [pipe]  # listed, so that it is reported by name (issue 11)


# --------------------------------------------------------------------------- never raises


_PREFIXES = [b"", b"PK\x03\x04", b"PK\x05\x06", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"<html>", b"\xff\xfe<\x00"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    prefix=st.sampled_from(_PREFIXES),
    body=st.binary(max_size=3000),
    suffix=st.sampled_from([".xlsx", ".xls", ".ods", ".pdf", ""]),
)
def test_random_bytes_never_raise(tmp_path: Path, prefix: bytes, body: bytes, suffix: str) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(prefix + body)
    _check_verdict(gate.admit(path))


_GOOD = corpus.good_xlsx_bytes(3)
_OLE = corpus.cfb_bytes({"Workbook": corpus._biff_workbook_stream(encrypted=False), "EncryptionInfo": b"x" * 5000})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    base=st.sampled_from([_GOOD, _OLE]),
    edits=st.lists(st.tuples(st.integers(0, 20_000), st.integers(0, 255)), min_size=1, max_size=8),
    cut=st.integers(0, 20_000),
)
def test_damaged_containers_never_raise(tmp_path: Path, base: bytes, edits: list[tuple[int, int]], cut: int) -> None:
    data = bytearray(base)
    for offset, value in edits:
        data[offset % len(data)] = value
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(bytes(data[: max(1, cut % (len(data) + 1))]))
    _check_verdict(gate.admit(path))


def _check_verdict(admitted: gate.Admitted) -> None:
    assert admitted.readable != bool(admitted.findings)
    assert len(admitted.findings) <= 1
    for finding in admitted.findings:
        assert finding.code in findings.CATALOGUE
        assert "lỗi khi kiểm tra tệp" not in finding.message  # the catch-all for sniffer bugs never fires


# --------------------------------------------------------------------------- files LibreOffice makes

_SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(_SOFFICE is None, reason="LibreOffice (soffice) is not installed")


def _convert(source: Path, target_format: str, outdir: Path, profile: Path) -> Path:
    assert _SOFFICE is not None
    subprocess.run(
        [
            _SOFFICE,
            "--headless",
            f"-env:UserInstallation={profile.as_uri()}",
            *("--convert-to", target_format, "--outdir", str(outdir), str(source)),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return outdir / f"{source.stem}.{target_format}"


@pytest.fixture(scope="module")
def libreoffice_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if _SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("lo")
    source = corpus.make_good_xlsx(folder)
    profile = folder / "profile"
    return {fmt: _convert(source, fmt, folder / "out", profile) for fmt in ("ods", "xls")}


@needs_soffice
@pytest.mark.parametrize("fmt", ["ods", "xls"])
def test_libreoffice_files_are_readable(libreoffice_files: dict[str, Path], fmt: str) -> None:
    admitted = gate.admit(libreoffice_files[fmt])
    assert admitted.readable, admitted.findings
    assert admitted.source.kind == fmt
    assert admitted.content is not None
    assert "Chấm điểm" in CalamineWorkbook.from_filelike(io.BytesIO(admitted.content)).sheet_names


# Saving with a password needs the UNO API: LibreOffice's --convert-to does not pass one on.
_ENCRYPT = """
import os, subprocess, sys, time, uno
from com.sun.star.beans import NamedValue, PropertyValue

def prop(name, value):
    p = PropertyValue(); p.Name = name; p.Value = value; return p

soffice, profile, source, outdir = sys.argv[1:5]
pipe = "egovgate%d" % os.getpid()
office = subprocess.Popen([soffice, "--headless", "--invisible", "--norestore", "-env:UserInstallation=" + profile,
                           "--accept=pipe,name=%s;urp;" % pipe], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
desktop = None
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(600):
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except Exception:
            time.sleep(0.1)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    for ext, filter_name in (("xlsx", "Calc MS Excel 2007 XML"), ("xls", "MS Excel 97"), ("ods", "calc8")):
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(source), "_blank", 0, (prop("Hidden", True),))
        if ext == "xlsx":  # the OOXML filter takes the password as encryption data ("Agile" fails in 7.4)
            secret = prop("EncryptionData", None)
            data = (NamedValue("OOXPassword", "secret"), NamedValue("CryptoType", "Standard"))
            secret.Value = uno.Any("[]com.sun.star.beans.NamedValue", data)
        else:
            secret = prop("Password", "secret")
        url = uno.systemPathToFileUrl(os.path.join(outdir, "encrypted." + ext))
        uno.invoke(doc, "storeToURL", (url, (prop("FilterName", filter_name), secret)))
        doc.close(True)
finally:
    # Terminate through UNO even after a failure: killing the launcher may leave soffice.bin running.
    try:
        if desktop is not None:
            desktop.terminate()
    except Exception:
        pass
    try:
        office.wait(timeout=30)
    except subprocess.TimeoutExpired:
        office.kill()
"""


def _python_with_uno() -> str | None:
    candidates = [sys.executable, shutil.which("python3"), "/usr/bin/python3"]
    if _SOFFICE is not None:  # Windows and macOS ship a Python inside LibreOffice
        program = Path(os.path.realpath(_SOFFICE)).parent
        candidates += [str(program / "python"), str(program / "python.exe")]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            probe = subprocess.run([candidate, "-c", "import uno"], capture_output=True, timeout=60)
            if probe.returncode == 0:
                return candidate
    return None


@pytest.fixture(scope="module")
def encrypted_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    python = _python_with_uno() if _SOFFICE is not None else None
    if python is None or _SOFFICE is None:
        pytest.skip("LibreOffice with its Python-UNO bridge is needed to save password-protected files")
    folder = tmp_path_factory.mktemp("encrypted")
    source = corpus.make_good_xlsx(folder)
    script = folder / "encrypt.py"
    script.write_text(_ENCRYPT, encoding="utf-8")
    profile = (folder / "profile").as_uri()
    subprocess.run([python, str(script), _SOFFICE, profile, str(source), str(folder)], check=True, timeout=300)
    return {ext: folder / f"encrypted.{ext}" for ext in ("xlsx", "xls", "ods")}


@needs_soffice
@pytest.mark.parametrize("ext", ["xlsx", "xls", "ods"])
def test_libreoffice_password_protected_files_are_encrypted(encrypted_files: dict[str, Path], ext: str) -> None:
    path = encrypted_files[ext]
    assert path.exists(), f"LibreOffice did not write {path.name}"
    admitted = gate.admit(path)
    assert [f.code for f in admitted.findings] == ["file-encrypted"]
    # The gate has to say it: from bytes, calamine only says "Cannot detect file format" (0.9.1), which a
    # reader would have to report as a corrupt file.
    with pytest.raises(CalamineError):
        CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))


def test_an_archive_says_to_unpack_it(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "bieu cac don vi.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("SKHDT.xlsx", corpus.good_xlsx_bytes())
    (finding,) = gate.admit(path).findings
    assert finding.code == "file-archive" and "giải nén" in finding.message


# --------------------------------------------------------------------------- a sheet's extent (issue 11)


@pytest.mark.parametrize("case", sorted(corpus.GATE_CASES))
def test_far_cells_and_huge_workbooks_are_refused_fast_and_small(tmp_path: Path, case: str) -> None:
    factory, code = corpus.GATE_CASES[case]
    path = factory(tmp_path)
    tracemalloc.start()
    started = time.process_time()
    admitted = gate.admit(path)
    elapsed = time.process_time() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert [f.code for f in admitted.findings] == [code]
    assert elapsed < 1.0  # ~1-70 ms here; a reader takes seconds to minutes, or aborts
    assert peak < 100 * 1024 * 1024


@pytest.mark.parametrize(
    ("case", "sheet", "cell"),
    [
        ("far-cell-hidden-sheet", "Sheet2", "XFD1048576"),
        ("far-cell-z", "Sheet2", "Z1048576"),
        ("ods-repeated-rows", "Chấm điểm", "BH1048567"),
        ("far-cell-xls", "Chấm điểm", "IV65536"),
    ],
)
def test_a_far_cell_is_named_with_its_sheet(tmp_path: Path, case: str, sheet: str, cell: str) -> None:
    finding = gate.admit(corpus.GATE_CASES[case][0](tmp_path)).findings[0]
    assert (finding.sheet, finding.cell) == (sheet, cell)
    assert cell in finding.message and f'"{sheet}"' in finding.message


def test_too_many_sheets_says_how_many(tmp_path: Path) -> None:
    finding = gate.admit(corpus.make_many_hidden_sheets(tmp_path)).findings[0]
    assert "61 trang tính" in finding.message and finding.value == "61"


def test_the_limits_admit_a_form_at_their_edge(tmp_path: Path) -> None:
    # The farthest cell a form may have (BL5000) is admitted and measured.
    path = tmp_path / "edge.xlsx"
    path.write_bytes(corpus.far_cell_xlsx_bytes(4999, 63, hidden=True))
    admitted = gate.admit(path)
    assert admitted.readable, admitted.findings
    far = admitted.sheets[1]
    assert (far.name, far.hidden, far.rows, far.columns) == ("Sheet2", True, 5000, 64)
    assert admitted.sheets[0].hidden is False


def test_empty_repeated_rows_at_the_end_of_an_ods_cost_nothing_and_are_admitted(tmp_path: Path) -> None:
    # LibreOffice ends every sheet with ~1 million styled empty rows: they are not cells.
    row = "<table:table-row>" + corpus._ods_cell(1) + "</table:table-row>"
    empty = '<table:table-row table:number-rows-repeated="1048566"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    path = tmp_path / "lo.ods"
    path.write_bytes(corpus.ods_bytes(row * 3 + empty))
    admitted = gate.admit(path)
    assert admitted.readable
    assert (admitted.sheets[0].rows, admitted.sheets[0].columns) == (3, 1)


def test_cells_without_references_are_placed_as_a_reader_places_them(tmp_path: Path) -> None:
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><x:sheetData><x:row><x:c><x:v>1</x:v></x:c><x:c><x:v>2</x:v></x:c></x:row>'
        b'<x:row r="6000"><x:c><x:v>3</x:v></x:c></x:row></x:sheetData></x:worksheet>'
    )
    xlsx = corpus._replace_parts(corpus.good_xlsx_bytes(), {"xl/worksheets/sheet1.xml": sheet})
    path = tmp_path / "prefixed.xlsx"
    path.write_bytes(xlsx)
    finding = gate.admit(path).findings[0]
    assert (finding.code, finding.cell) == ("sheet-too-large", "A6000")


def test_formulas_are_found_in_every_format(tmp_path: Path) -> None:
    def build(wb: object) -> None:
        ws = wb.get_worksheet_by_name("Chấm điểm")  # type: ignore[attr-defined]
        ws.write_formula("D2", "=SUM(D3:D4)", None, 15)
        ws.write_formula("D3", '=IF(A1="x",1,2)', None, 1)

    path = tmp_path / "f.xlsx"
    path.write_bytes(corpus._xlsx_with(build))
    assert gate.admit(path).sheets[0].formulas == {"D2": "SUM(D3:D4)", "D3": 'IF(A1="x",1,2)'}
    ods = tmp_path / "f.ods"
    cell = '<table:table-cell table:formula="of:=SUM([.A1:.A2])" office:value-type="float" office:value="3"/>'
    ods.write_bytes(
        corpus.ods_bytes(
            f"<table:table-row>{corpus._ods_cell(1)}</table:table-row><table:table-row>{cell}</table:table-row>"
        )
    )
    assert gate.admit(ods).sheets[0].formulas == {"A2": "of:=SUM([.A1:.A2])"}


# --------------------------------------------------------------------------- entries and the inbox folder (issue 11)


@pytest.mark.parametrize("case", sorted(corpus.ENTRY_CASES))
def test_every_odd_entry_is_listed_and_reported_by_name(tmp_path: Path, case: str) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    factory, code = corpus.ENTRY_CASES[case]
    path = factory(inbox)
    if path is None:
        pytest.skip("this system cannot make such an entry")
    (inbox / "cu").mkdir()  # a plain subfolder is still skipped without a word
    corpus.make_office_lock(inbox)  # and so is a real lock file
    assert gate.list_inbox(inbox) == [path]
    started = time.perf_counter()
    admitted = gate.admit(path, inbox=inbox)
    assert time.perf_counter() - started < 1.0  # a FIFO is never opened
    assert [f.code for f in admitted.findings] == [code]
    assert admitted.findings[0].file == path.name
    assert admitted.readable is (code == "file-lock-name")


def test_a_link_inside_the_inbox_is_followed(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    form = corpus.make_good_xlsx(inbox)
    link = inbox / "lien ket.xlsx"
    try:
        link.symlink_to(form)
    except OSError:
        pytest.skip("no symlinks here")
    admitted = gate.admit(link, inbox=inbox)
    assert admitted.readable and admitted.findings == ()


def test_a_link_outside_is_not_followed_and_names_where_it_leads(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = corpus.make_link_outside(inbox)
    if path is None:
        pytest.skip("no symlinks here")
    admitted = gate.admit(path, inbox=inbox)
    assert admitted.content is None and admitted.source.sha256 == ""
    assert "ngoai-inbox" in admitted.findings[0].message


@pytest.mark.parametrize("kind", ["missing", "file", "loop"])
def test_an_inbox_that_cannot_be_listed_says_what_is_wrong_with_it(tmp_path: Path, kind: str) -> None:
    inbox = tmp_path / "inbox"
    if kind == "file":
        inbox.write_bytes(b"")
    elif kind == "loop":
        try:
            inbox.symlink_to(inbox)
        except OSError:
            pytest.skip("no symlinks here")
    with pytest.raises(gate.InboxError) as raised:
        gate.list_inbox(inbox)
    assert raised.value.filename == str(inbox)
    wanted = {"missing": "không tồn tại", "file": "là một tệp", "loop": "vòng lặp"}[kind]
    assert wanted in (raised.value.strerror or "")


def test_formula_records_are_found_in_xls() -> None:
    sample = Path(__file__).resolve().parent.parent / "samples" / "hung-yen-2018" / "inbox"
    xls = next(sample.glob("*.xls"))
    form = gate.admit(xls).sheets[0]
    assert form.name == "Chấm điểm"
    # LibreOffice kept the form's subtotal formulas as FORMULA records; .xls keeps no formula text.
    assert {"D9", "D13", "D17"} <= form.formulas.keys()
    assert set(form.formulas.values()) == {""}


@pytest.mark.parametrize(
    ("row", "col", "refused"),
    [(5000, 64, False), (5001, 1, True), (1, 65, True), (4999, 52, False), (6000, 1, True), (10000, 1, True),
     (1, 703, True), (1, 78, True), (1, 79, True), (5010, 3, True), (5100, 3, True)],
)  # fmt: skip
def test_the_fast_measure_keeps_the_limits_exactly(tmp_path: Path, row: int, col: int, refused: bool) -> None:
    from egov_xlsx.read import containers

    # The fast path's pattern spells the limits out: it must agree with the constants.
    assert (containers.MAX_SHEET_ROWS, containers.MAX_SHEET_COLUMNS) == (5000, 64)
    path = tmp_path / "edge.xlsx"
    path.write_bytes(corpus.far_cell_xlsx_bytes(row - 1, col - 1, hidden=False))
    admitted = gate.admit(path)
    assert admitted.readable is not refused
    if refused:
        assert admitted.findings[0].cell == f"{containers._column_letters(col)}{row}"


def test_rows_without_cells_cost_the_gate_little(tmp_path: Path) -> None:
    # Timed in this process's CPU seconds, not wall time: other jobs on the machine do not count.
    # xlsx: 700,000 rows that all say r="1" and hold nothing build nothing in a reader; the compiled pass
    # admits them quickly.
    body = b'<row r="1"/>' * 700_000  # 8 MB: under the zip-bomb ratio check
    sheet = b'<?xml version="1.0"?><worksheet xmlns="x"><sheetData><row><c><v>1</v></c></row>' + body
    path = tmp_path / "rows.xlsx"
    path.write_bytes(
        corpus._replace_parts(
            corpus.good_xlsx_bytes(), {"xl/worksheets/sheet1.xml": sheet + b"</sheetData></worksheet>"}
        )
    )
    started = time.process_time()
    assert gate.admit(path).readable
    assert time.process_time() - started < 1.0
    # ods rows are walked one by one: 450,000 empty ones are past the walk's budget, refused just as fast.
    ods = tmp_path / "rows.ods"
    ods.write_bytes(
        corpus.ods_bytes(
            "<table:table-row/>" * 450_000 + "<table:table-row>" + corpus._ods_cell(1) + "</table:table-row>"
        )
    )
    started = time.process_time()
    admitted = gate.admit(ods)
    assert time.process_time() - started < 1.0
    assert [f.code for f in admitted.findings] == ["sheet-too-large"]


# --------------------------------------------------------------------------- the fast measure's blind spots (gate2)


@pytest.mark.parametrize("case", sorted(corpus.SHEET_XML_CASES))
def test_sheet_xml_that_hides_a_formula_or_a_far_cell_is_still_measured(tmp_path: Path, case: str) -> None:
    from python_calamine import CalamineWorkbook

    path = corpus.make_sheet_xml_case(tmp_path, case)
    want = corpus.SHEET_XML_CASES[case][1]
    started = time.perf_counter()
    admitted = gate.admit(path)
    assert time.perf_counter() - started < 1.0
    if isinstance(want, str):
        assert [f.code for f in admitted.findings] == [want]
        return
    assert admitted.readable, admitted.findings
    assert admitted.sheets[0].formulas == want
    # What the gate admits, the reader reads as a form-sized grid (nothing after the end of the cells).
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Chấm điểm").to_python()
    assert len(rows) == 21 and max(len(r) for r in rows) == 5


def test_an_xlsb_is_measured_like_the_other_formats(tmp_path: Path) -> None:
    from python_calamine import CalamineWorkbook

    path = tmp_path / "SKHDT.xlsb"
    path.write_bytes(corpus.xlsb_bytes())
    admitted = gate.admit(path)
    assert admitted.readable and admitted.source.kind == "xlsb"
    assert [(s.name, s.hidden, s.rows, s.columns, s.formulas) for s in admitted.sheets] == [
        ("Chấm điểm", False, 3, 4, {}),
        ("_egov", True, 1, 2, {}),
    ]
    assert len(CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Chấm điểm").to_python()) == 3

    formula = gate.admit(corpus.make_xlsb_formula(tmp_path))
    assert formula.readable and formula.sheets[0].formulas == {"D2": ""}


def test_a_far_cell_in_an_xlsb_is_refused_fast_and_small(tmp_path: Path) -> None:
    path = corpus.make_xlsb_far_cell(tmp_path)
    tracemalloc.start()
    started = time.perf_counter()
    admitted = gate.admit(path)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    (finding,) = admitted.findings
    assert (finding.code, finding.sheet, finding.cell) == ("sheet-too-large", "Chấm điểm", "A1048576")
    assert elapsed < 1.0 and peak < 100 * 1024 * 1024


def test_an_xlsb_whose_records_are_cut_short_is_corrupt(tmp_path: Path) -> None:
    (finding,) = gate.admit(corpus.make_xlsb_cut_short(tmp_path)).findings
    assert finding.code == "file-corrupt"


def test_a_dtd_in_a_measured_sheet_is_refused_by_the_measure_itself(tmp_path: Path) -> None:
    # The sheet measure inflates each worksheet whole and checks its prolog (the zip check does not peek at it).
    for i, sheet in enumerate(
        (
            '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><worksheet/>'.encode("utf-16"),
            b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaa">]><worksheet><sheetData/></worksheet>',
        )
    ):
        path = tmp_path / f"dtd{i}.xlsx"
        path.write_bytes(corpus._replace_parts(corpus.good_xlsx_bytes(), {"xl/worksheets/sheet1.xml": sheet}))
        (finding,) = gate.admit(path).findings
        assert (finding.code, finding.value) == ("xml-entities", "xl/worksheets/sheet1.xml")


# --------------------------------------------------------------------------- formula texts remembered (perf13)


def _with_sheet_xml(template: bytes, edit: Callable[[bytes], bytes]) -> bytes:
    """``template`` (an xlsx) with its first sheet's XML edited."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info.filename, edit(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
    return out.getvalue()


def test_formula_texts_read_again_are_decoded_as_written(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws["D2"] = '=IF(F2="Đã triển khai",4,0)'
    ws["D3"] = "=IF(N(G3)>0,1,0)"
    first = tmp_path / "openpyxl.xlsx"
    wb.save(first)
    raw = first.read_bytes()
    with zipfile.ZipFile(first) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    assert b"&#272;" in xml and b"&gt;" in xml  # openpyxl writes character references, as a unit's script would
    # The same formulas as LibreOffice writes them (UTF-8, quotes as entities), and one label differing by a letter.
    utf8 = tmp_path / "office.xlsx"
    utf8.write_bytes(
        _with_sheet_xml(
            raw, lambda x: x.replace(b'"&#272;&#227; tri&#7875;n khai"', "&quot;Đã triển khai&quot;".encode())
        )
    )
    other = tmp_path / "other.xlsx"
    other.write_bytes(_with_sheet_xml(raw, lambda x: x.replace(b"&#272;&#227;", b"&#272;&#226;")))
    want = {"D2": 'IF(F2="Đã triển khai",4,0)', "D3": "IF(N(G3)>0,1,0)"}
    for path in (first, utf8, first, utf8):  # read twice: the second reading's texts come from memory
        assert gate.admit(path).sheets[0].formulas == want, path.name
    assert gate.admit(other).sheets[0].formulas == {**want, "D2": 'IF(F2="Đâ triển khai",4,0)'}
    assert gate.admit(first).sheets[0].formulas == want


def test_remembered_formula_texts_stay_bounded() -> None:
    from egov_xlsx.read.containers import xlsx

    for n in range(20000):  # 20,000 formulas of 100 bytes: 2 MB
        raw = f"SUM(A{n:05d})&amp;&#272;".encode().ljust(100, b" ")
        assert xlsx._formula_text(raw) == f"SUM(A{n:05d})&Đ" + " " * 78  # 22 bytes, 78 spaces
        assert sum(map(len, xlsx._FORMULA_TEXTS)) <= 1 << 20
    assert len(xlsx._FORMULA_TEXTS) > 1000  # still remembering
    long = b"SUM(A1)" + b"+1" * 5000  # a hostile file's 10 KB formula: decoded, not kept
    assert xlsx._formula_text(long) == long.decode()
    assert long not in xlsx._FORMULA_TEXTS
