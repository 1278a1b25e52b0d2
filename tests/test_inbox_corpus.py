"""A clerk's worst morning: the sample's forms plus every bad file, in one inbox.

Each bad file gives its finding once, located; no traceback; every unit not touched by a bad file is
still read and reported as submitted; the submitted files are never modified.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from egov_xlsx import layout, pipeline
from egov_xlsx.cli.commands import ExitCode, app
from egov_xlsx.model import UnitState
from tests import corpus

runner = CliRunner()


def _form(inbox: Path, code: str) -> Path:
    return next(p for p in inbox.iterdir() if p.name.startswith(f"{code} - "))


def _edit(src: Path, dst: Path, change: Callable[[openpyxl.Workbook], None]) -> Path:
    wb = openpyxl.load_workbook(src)
    change(wb)
    wb.save(dst)
    return dst


def _rows(wb: openpyxl.Workbook) -> dict[str, int]:
    ws = wb[layout.FORM_SHEET]
    return {str(ws.cell(r, 1).value): r for r in range(layout.FIRST_DATA_ROW, ws.max_row + 1) if ws.cell(r, 1).value}


def _set(wb: openpyxl.Workbook, values: dict[str, object]) -> None:
    ws, rows = wb[layout.FORM_SHEET], _rows(wb)
    for code, value in values.items():
        ws.cell(rows[code], layout.COL_SCORE + 1).value = value


def _meta(wb: openpyxl.Workbook, key: str, value: str) -> None:
    ws = wb[layout.META_SHEET]
    for row in ws.iter_rows():
        if row[0].value == key:
            row[1].value = value


def _without_meta(wb: openpyxl.Workbook) -> None:
    del wb[layout.META_SHEET]


# (file to write, unit whose own file it replaces or None, edit) -> expected (code, cell) findings
def bad_forms(inbox: Path) -> dict[str, list[tuple[str, str | None]]]:
    import datetime as dt

    expected: dict[str, list[tuple[str, str | None]]] = {}

    def replace(code: str, name: str, change: Callable[[openpyxl.Workbook], None]) -> None:
        src = _form(inbox, code)
        _edit(src, inbox / name, change)
        if src.name != name:
            src.unlink()

    replace("STP", "STP - So Tu phap.xlsx", lambda wb: _set(
        wb, {"2.1": 45, "1.2": -1, "3.1": "abc", "3.2": "4,5", "5.1": dt.datetime(2018, 7, 4), "6.2": None}
    ))  # fmt: skip
    expected["STP - So Tu phap.xlsx"] = [
        ("score-negative", "D11"), ("score-above-max", "D14"), ("score-not-number", "D21"),
        ("score-text-number", "D22"), ("score-date", "D28"), ("score-missing", "D33"),
    ]  # fmt: skip

    def delete_and_add(wb: openpyxl.Workbook) -> None:
        ws = wb[layout.FORM_SHEET]
        ws.delete_rows(_rows(wb)["1.3"])
        ws.cell(_rows(wb)["2.2"], 1).value = "9.9"

    replace("SNV", "SNV - So Noi vu.xlsx", delete_and_add)
    expected["SNV - So Noi vu.xlsx"] = [("row-unexpected", "A14"), ("row-missing", None), ("row-missing", None)]

    replace("SYT", "SYT - So Y te.xlsx", lambda wb: _set(wb, {"1": 99}))
    expected["SYT - So Y te.xlsx"] = [("subtotal-mismatch", "D9")]

    replace("SKHCN", "SKHCN - So Khoa hoc va Cong nghe.xlsx", lambda wb: _meta(wb, layout.META_FINGERPRINT, "cu"))
    expected["SKHCN - So Khoa hoc va Cong nghe.xlsx"] = [("form-stale", None)]

    replace(
        "SVHTTDL", "SVHTTDL - So Van hoa, The thao va Du lich.xlsx", lambda wb: _set(wb, {"2.4.1": 15, "2.4.2": 15})
    )
    expected["SVHTTDL - So Van hoa, The thao va Du lich.xlsx"] = [("capped-parent", "D17")]

    replace("TL", "TL - Uy ban nhan dan huyen Tien Lu.xlsx", _without_meta)
    expected["TL - Uy ban nhan dan huyen Tien Lu.xlsx"] = [("metadata-missing", None)]

    replace("MH", "MH - Uy ban nhan dan huyen My Hao.xlsx",
            lambda wb: wb[layout.FORM_SHEET].__setitem__("B4", "UBND huyện Mỹ Hào (cũ)"))  # fmt: skip
    expected["MH - Uy ban nhan dan huyen My Hao.xlsx"] = [("unit-name-mismatch", "B4")]

    replace("AT", "KD - Kim Dong (gui nham ten).xlsx", lambda wb: None)
    expected["KD - Kim Dong (gui nham ten).xlsx"] = [("filename-other-unit", None)]

    # Extra files beside the originals.
    _edit(_form(inbox, "SXD"), inbox / "SXD nam 2017.xlsx", lambda wb: _meta(wb, layout.META_CAMPAIGN, "hung-yen-2017"))
    # Last year's form beside this year's valid one: put on SXD's line by its metadata, set aside with a warning.
    expected["SXD nam 2017.xlsx"] = [("file-not-used", None)]
    _edit(_form(inbox, "SCT"), inbox / "Don vi la.xlsx", lambda wb: _meta(wb, layout.META_UNIT, "SXYZ"))
    expected["Don vi la.xlsx"] = [("unit-unknown", None)]
    _edit(_form(inbox, "SGTVT"), inbox / "SGTVT (sua lai).xlsx", lambda wb: _set(wb, {"1.1": 19}))
    expected["SGTVT (sua lai).xlsx"] = []  # the duplicate finding carries no file: it names both
    shutil.copy2(_form(inbox, "VL"), inbox / "VL - ban sao.xlsx")
    return expected


@pytest.fixture
def worst_inbox(sample_copy: Path) -> tuple[Path, dict[str, list[tuple[str, str | None]]]]:
    inbox = sample_copy / "inbox"
    expected = bad_forms(inbox)
    made = sample_copy.parent / "corpus"
    for name, (factory, code) in corpus.CASES.items():
        folder = made / name
        folder.mkdir(parents=True)
        path = factory(folder)
        target = inbox / f"x-{path.name}"  # never clobber a sample form of the same name
        shutil.move(path, target)
        expected[unicodedata.normalize("NFC", target.name)] = [(code or "unit-unidentified", None)]
    for factory in corpus.SKIPPED.values():
        factory(inbox)
    for entry, code in corpus.ENTRY_CASES.values():
        path = entry(inbox)
        if path is not None:
            expected[unicodedata.normalize("NFC", path.name)] = [(code, None)]
    return sample_copy, expected


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_every_bad_file_gives_its_finding_and_the_rest_is_read(worst_inbox, tmp_path: Path) -> None:
    campaign, expected = worst_inbox
    before = _hashes(campaign / "inbox")
    report = pipeline.check(campaign)
    by_file: dict[str, list[tuple[str, str | None]]] = {}
    for f in report.findings:
        if f.file:
            by_file.setdefault(f.file, []).append((f.code, f.cell))
    for name, wanted in expected.items():
        got = by_file.get(name, [])
        for code, cell in wanted:
            assert (code, cell) in got if cell else code in [c for c, _ in got], (name, code, got)
    # Each finding is reported once.
    assert len(report.findings) == len(set(report.findings))
    states = {s.unit.code: s.state for s in report.statuses}
    touched = {"STP": UnitState.INVALID, "SNV": UnitState.INVALID, "SKHCN": UnitState.INVALID,
               "SGTVT": UnitState.DUPLICATE}  # fmt: skip
    for code, state in states.items():
        assert state is touched.get(code, UnitState.SUBMITTED), code
    codes = {f.code for f in report.findings}
    assert {"unit-duplicate", "unit-duplicate-identical"} <= codes
    assert not report.valid
    # Build refuses to publish, writes the report and feedback copies, never touches the inbox.
    outcome = pipeline.build(campaign, tmp_path / "out")
    assert not outcome.published
    written = {p.relative_to(tmp_path / "out").as_posix() for p in outcome.written}
    assert pipeline.NAMES.report in written
    assert f"{pipeline.FEEDBACK_FOLDER}/STP - So Tu phap.xlsx" in written
    assert not (tmp_path / "out" / pipeline.NAMES.workbook).exists()
    assert _hashes(campaign / "inbox") == before


def test_check_cli_prints_each_finding_once_and_exits_1(worst_inbox) -> None:
    campaign, _ = worst_inbox
    result = runner.invoke(app, ["check", str(campaign)])
    assert result.exit_code == ExitCode.FINDINGS, result.output
    report = pipeline.check(campaign)
    same_message = Counter(f.message for f in report.findings)
    for f in report.findings:
        assert result.output.count(f.message) == same_message[f.message], f.message
        if f.cell:
            assert f"[{f.code}] {f.cell}" in result.output
    assert "Traceback" not in result.output
    assert (
        "Khối Sở, ban, ngành (17 đơn vị) - Đã nộp: 17 (hợp lệ: 13, có lỗi: 3, nộp trùng: 1); chưa nộp: 0"
        in result.output
    )
    assert "(10 đơn vị) - Đã nộp: 10 (hợp lệ: 10, có lỗi: 0, nộp trùng: 0); chưa nộp: 0" in result.output
    as_json = runner.invoke(app, ["check", str(campaign), "--json"])
    data = json.loads(as_json.stdout)
    assert data["valid"] is False and as_json.exit_code == ExitCode.FINDINGS


# --------------------------------------------------------------------------- the reader's errors, and only those (issue 10)


def test_a_programming_error_is_never_told_to_a_unit_as_a_corrupt_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from egov_xlsx.read import form_parser

    path = corpus.make_good_xlsx(tmp_path)

    def broken(content: bytes, **limits: int) -> object:
        raise AttributeError("'NoneType' object has no attribute 'name'")  # a bug, not the unit's file

    monkeypatch.setattr(form_parser, "load_sheets", broken)
    with pytest.raises(AttributeError):
        form_parser.read_file(path)


def test_the_readers_own_errors_are_findings(tmp_path: Path) -> None:
    import io

    import xlsxwriter

    from egov_xlsx.read import ingest

    # A date-formatted -1E+30 makes the Rust reader panic (a BaseException): the file's problem, named.
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = wb.add_worksheet("Chấm điểm")
    ws.write(0, 0, -1e30, wb.add_format({"num_format": "dd/mm/yyyy"}))
    wb.close()
    path = tmp_path / "ngay.xlsx"
    path.write_bytes(buffer.getvalue())
    result = ingest.read_file(path)
    assert [f.code for f in result.findings] == ["file-corrupt"]
    assert "không đọc được" in result.findings[0].message
    # A CalamineError (the sheet part the workbook names is missing) is one too.
    import zipfile

    with zipfile.ZipFile(io.BytesIO(corpus.good_xlsx_bytes())) as source:
        parts = [(i.filename, source.read(i)) for i in source.infolist() if i.filename != "xl/worksheets/sheet1.xml"]
    (tmp_path / "hong.xlsx").write_bytes(corpus._zip_bytes(parts))
    assert [f.code for f in ingest.read_file(tmp_path / "hong.xlsx").findings] == ["file-corrupt"]


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_an_inbox_that_is_not_a_folder_is_exit_4_not_every_unit_missing(sample_copy: Path, kind: str) -> None:
    inbox = sample_copy / "inbox"
    shutil.rmtree(inbox)
    if kind == "file":
        inbox.write_bytes(b"")
    for command in ("check", "build"):
        result = runner.invoke(app, [command, str(sample_copy), "-q"])
        assert result.exit_code == ExitCode.IO, result.output
        assert "inbox" in result.output and "unit-missing" not in result.output
        assert ("không tồn tại" if kind == "missing" else "là một tệp") in result.output


def test_after_a_column_is_inserted_every_finding_names_the_cell_where_its_value_is(sample_copy: Path) -> None:
    """Issue 10: a column inserted before the table moves every column; findings follow (max, note, code too)."""
    config = sample_copy / "egov.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('evidence = "off"', 'evidence = "warning"', 1), encoding="utf-8")
    inbox = sample_copy / "inbox"
    form = _form(inbox, "STP")
    rows = _rows(openpyxl.load_workbook(form))

    def shift(wb: openpyxl.Workbook) -> None:
        ws = wb[layout.FORM_SHEET]
        ws.insert_cols(1)  # the table now runs B..F: code B, name C, max D, score E, note F
        ws.cell(rows["1.1"], 4).value = 99  # max-changed, in D
        ws.cell(rows["1.2"], 5).value = -1  # score-negative, in E
        ws.cell(rows["2.1"], 5).value = 5  # a score without a note: score-no-evidence, in F
        ws.cell(rows["2.1"], 6).value = None
        ws.cell(rows["4"], 5).value = 999  # a subtotal typed over: subtotal-mismatch, in E
        ws.cell(rows["2.2"], 2).value = "9.9"  # row-unexpected, in B

    _edit(form, form, shift)
    report = pipeline.check(sample_copy)
    rows["9.9"] = rows["2.2"]
    cells = {(f.code, f.criterion): f.cell for f in report.findings if f.file == form.name}
    assert cells[("max-changed", "1.1")] == f"D{rows['1.1']}"
    assert cells[("score-negative", "1.2")] == f"E{rows['1.2']}"
    assert cells[("score-no-evidence", "2.1")] == f"F{rows['2.1']}"
    assert cells[("subtotal-mismatch", "4")] == f"E{rows['4']}"
    assert cells[("row-unexpected", None)] == f"B{rows['9.9']}"


def test_a_hidden_decoy_sheet_is_never_scored(sample_copy: Path) -> None:
    """Issue 11: the real form renamed "Chấm điểm (2)", a hidden "Chấm điểm" with inflated scores put first."""
    inbox = sample_copy / "inbox"
    form = _form(inbox, "STP")
    honest = pipeline.check(sample_copy)
    own = next(s for s in honest.submissions if s.unit_code == "STP")

    def decoy(wb: openpyxl.Workbook) -> None:
        real = wb[layout.FORM_SHEET]
        fake = wb.copy_worksheet(real)
        real.title = "Chấm điểm (2)"
        fake.title = layout.FORM_SHEET
        fake.sheet_state = "hidden"
        wb.move_sheet(fake, offset=-wb.index(fake))
        rows = _rows_of(real)
        for code in ("1.1", "1.2", "2.1"):
            fake.cell(rows[code], layout.COL_SCORE + 1).value = 99
        wb.active = wb.index(real)

    _edit(form, form, decoy)
    report = pipeline.check(sample_copy)
    sub = next(s for s in report.submissions if s.unit_code == "STP")
    assert sub.scores == own.scores and sub.valid
    found = [(f.code, f.sheet) for f in report.findings if f.file == form.name]
    assert found == [("sheet-hidden-form", layout.FORM_SHEET)]


def _rows_of(ws: object) -> dict[str, int]:
    cells = ws.iter_rows(min_row=layout.FIRST_DATA_ROW)  # type: ignore[attr-defined]
    return {str(row[0].value): row[0].row for row in cells if row[0].value}


def test_blank_rows_inside_the_table_are_skipped_not_the_end_of_it(sample_copy: Path) -> None:
    """Issue 11: two blank rows inside the table reported 20 criteria as missing."""
    inbox = sample_copy / "inbox"
    form = _form(inbox, "STP")
    honest = next(s for s in pipeline.check(sample_copy).submissions if s.unit_code == "STP")

    def gap(wb: openpyxl.Workbook) -> None:
        ws = wb[layout.FORM_SHEET]
        ws.insert_rows(_rows(wb)["2"], 2)  # two blank rows before criterion 2
        ws.cell(ws.max_row + 2, 1).value = "Ghi chú: số liệu tính đến 31/12"  # a note below, after blank rows

    _edit(form, form, gap)
    report = pipeline.check(sample_copy)
    sub = next(s for s in report.submissions if s.unit_code == "STP")
    assert sub.valid and sub.scores == honest.scores
    codes = [f.code for f in report.findings if f.file == form.name]
    assert "row-missing" not in codes and "row-unexpected" not in codes


def test_a_formula_in_an_input_cell_is_an_error_and_its_cached_value_is_never_used(sample_copy: Path) -> None:
    """Issues 10 and 11: "ô chứa công thức"; the form's own subtotal formulas are exempt while they are its own."""
    import io
    import zipfile

    inbox = sample_copy / "inbox"
    form = _form(inbox, "STP")
    rows = _rows(openpyxl.load_workbook(form))

    def formulas(wb: openpyxl.Workbook) -> None:
        ws = wb[layout.FORM_SHEET]
        ws.cell(rows["1.1"], layout.COL_SCORE + 1).value = "=RAND()*0+7"
        ws.cell(rows["1.2"], layout.COL_NOTE + 1).value = '="QĐ số "&A1'
        ws.cell(rows["2"], layout.COL_SCORE + 1).value = "=SUM(D1:D2)"  # not the tool's subtotal

    _edit(form, form, formulas)
    # Give the formulas cached values, as Excel saves them (openpyxl leaves them empty).
    with zipfile.ZipFile(io.BytesIO(form.read_bytes())) as z:
        part = next(n for n in z.namelist() if n.startswith("xl/worksheets/sheet1"))
        xml = z.read(part)
    xml = xml.replace(b"<f>RAND()*0+7</f><v></v>", b"<f>RAND()*0+7</f><v>7</v>")
    xml = xml.replace(b"<f>SUM(D1:D2)</f><v></v>", b"<f>SUM(D1:D2)</f><v>99</v>")
    form.write_bytes(corpus._replace_parts(form.read_bytes(), {part: xml}))

    report = pipeline.check(sample_copy)
    found = {(f.code, f.cell) for f in report.findings if f.file == form.name}
    d, e = layout.cell_address(1, layout.COL_SCORE)[0], layout.cell_address(1, layout.COL_NOTE)[0]
    assert ("cell-formula", f"{d}{rows['1.1']}") in found
    assert ("cell-formula", f"{e}{rows['1.2']}") in found
    assert ("formula-changed", f"{d}{rows['2']}") in found
    # The cached 7 was not taken as a score, nor the cached 99 compared as a subtotal.
    assert not any(code.startswith("score-") or code == "subtotal-mismatch" for code, _ in found)
    sub = next(s for s in report.submissions if s.unit_code == "STP")
    assert "1.1" not in sub.scores and not sub.valid
    message = next(f.message for f in report.findings if f.code == "cell-formula")
    assert "Ô chứa công thức =RAND()*0+7" in message
    # The other forms' own subtotal formulas (xlsx, xls and ods alike) raise nothing.
    assert not [f for f in report.findings if f.file != form.name and "formula" in f.code]


def test_a_far_cell_in_appraisal_xlsx_is_refused_by_build_and_update_not_an_abort(sample_copy: Path) -> None:
    """Issue 11: the same cell in appraisal.xlsx aborted `build` and `appraisal --update` (exit 134)."""
    import subprocess
    import sys

    (sample_copy / "appraisal.xlsx").write_bytes(corpus.far_cell_xlsx_bytes(1048575, 16383, hidden=True))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        # In a child process: were the gate to let the file through, the reader would abort the test run.
        command = [sys.executable, "-m", "egov_xlsx", *args, str(sample_copy), "-q"]
        return subprocess.run(command, capture_output=True, text=True, encoding="utf-8", cwd=sample_copy, timeout=120)

    build = run("build")
    assert build.returncode == ExitCode.FINDINGS, build.stderr
    assert "appraisal-unreadable" in build.stdout and "bảng tính quá lớn" in build.stdout
    update = subprocess.run(
        [sys.executable, "-m", "egov_xlsx", "appraisal", str(sample_copy), "--update"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=sample_copy,
        timeout=120,
    )
    assert update.returncode == ExitCode.IO, update.stderr
    assert "Traceback" not in update.stdout + update.stderr


def test_a_reader_panic_prints_nothing_but_the_finding(sample_copy: Path) -> None:
    """A date-formatted -1E+30 makes the Rust reader panic; the console shows the finding, not Rust's message."""
    import io
    import os
    import subprocess
    import sys

    import xlsxwriter

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    wb.add_worksheet("Chấm điểm").write(0, 0, -1e30, wb.add_format({"num_format": "dd/mm/yyyy"}))
    wb.close()
    (sample_copy / "inbox" / "ngay am.xlsx").write_bytes(buffer.getvalue())
    env = {**os.environ, "RUST_BACKTRACE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "egov_xlsx", "check", str(sample_copy), "-q"],
        capture_output=True, text=True, encoding="utf-8", env=env, timeout=120,
    )  # fmt: skip
    assert result.returncode == ExitCode.FINDINGS, result.stderr
    assert "ngay am.xlsx" in result.stdout and "file-corrupt" in result.stdout
    assert "panicked" not in result.stderr + result.stdout and "backtrace" not in result.stderr.lower()
