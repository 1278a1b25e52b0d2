"""Marked-up feedback copies: which files get one, and round trips of the copies (write, reopen, re-read)."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from egov_xlsx import layout, pipeline
from egov_xlsx.config import load_campaign
from egov_xlsx.errors import OutputError
from egov_xlsx.findings import CATALOGUE
from egov_xlsx.forms import write_form
from egov_xlsx.model import (
    Campaign,
    CheckReport,
    Finding,
    FormRow,
    Severity,
    SourceFile,
    Unit,
    UnitState,
    UnitStatus,
)
from egov_xlsx.publish import feedback
from egov_xlsx.publish.feedback import AUTHOR, INSTRUCTION, SHEET_TITLE, FeedbackJob, feedback_jobs
from egov_xlsx.read import ingest
from tests import corpus

CONFIG = """
[campaign]
id = "thu-2024"
title = "Đánh giá thử mức độ Chính quyền điện tử năm 2024"
province = "Hưng Yên"
year = 2024

[[tiers]]
id = "so"
name = "Sở, ban, ngành"

[[tiers.criteria]]
code = "1"
name = "Hạ tầng kỹ thuật"
[[tiers.criteria.children]]
code = "1.1"
name = "Máy tính"
max = 20
[[tiers.criteria.children]]
code = "1.2"
name = "Mạng nội bộ"
max = 15
[[tiers.criteria.children]]
code = "1.3"
name = "An toàn thông tin"
max = 15
not_applicable = ["STP"]

[[tiers.criteria]]
code = "2"
name = "Dịch vụ công trực tuyến"
max = 10

[[tiers.units]]
code = "SKHDT"
name = "Sở Kế hoạch và Đầu tư"
[[tiers.units]]
code = "STC"
name = "Sở Tài chính"
[[tiers.units]]
code = "STP"
name = "Sở Tư pháp"
[[tiers.units]]
code = "SNV"
name = "Sở Nội vụ"
contact = "Nguyễn Văn A, 0221 3 123 456"
"""

LEAVES = ("1.1", "1.2", "1.3", "2")
ERROR_FILL, WARNING_FILL = feedback._FILLS[Severity.ERROR], feedback._FILLS[Severity.WARNING]
#: SKHDT's bad values: above the maximum, text, a date Excel made of "4.7", a text number (a warning).
BAD = {"1.1": 25, "1.2": "abc", "1.3": datetime(2024, 7, 4), "2": "4,5"}
FORMULA_NOTE = "=SUM(A1:A2) theo Quyết định 12"


@pytest.fixture
def campaign(tmp_path: Path) -> Campaign:
    folder = tmp_path / "thu-2024"
    (folder / "inbox").mkdir(parents=True)
    (folder / "egov.toml").write_text(CONFIG, encoding="utf-8")
    return load_campaign(folder)


def fill(
    campaign: Campaign,
    code: str,
    path: Path,
    scores: dict[str, Any] | None = None,
    notes: dict[str, str] | None = None,
    na: tuple[str, ...] = (),
) -> Path:
    """Write ``code``'s form to ``path`` and fill it as a unit would (every leaf 1 unless given)."""
    found = campaign.find_unit(code)
    assert found is not None
    write_form(campaign, *found, path)
    wb = openpyxl.load_workbook(path)
    ws = wb[layout.FORM_SHEET]
    rows = form_rows(ws)
    for leaf, value in {**dict.fromkeys(LEAVES, 1), **(scores or {})}.items():
        ws.cell(rows[leaf], layout.COL_SCORE + 1).value = None if leaf in na else value
    for crit, note in (notes or {}).items():
        cell = ws.cell(rows[crit], layout.COL_NOTE + 1)
        cell.value = note
        cell.data_type = "s"
    for crit in na:
        ws.cell(rows[crit], layout.COL_NA + 1).value = layout.NA_MARK
    wb.save(path)
    return path


def form_rows(ws: Any) -> dict[str, int]:
    return {str(ws.cell(r, 1).value): r for r in range(layout.FIRST_DATA_ROW, ws.max_row + 1) if ws.cell(r, 1).value}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_and_write(campaign: Campaign, out: Path) -> tuple[CheckReport, list[FeedbackJob]]:
    report = pipeline.check(campaign)
    jobs = feedback_jobs(report)
    out.mkdir(parents=True, exist_ok=True)
    for job in jobs:
        job.write(out / job.filename)
    return report, jobs


def summary_rows(path: Path) -> list[tuple[Any, ...]]:
    """The finding rows of the "Cần sửa" sheet (below its STT header)."""
    rows = list(openpyxl.load_workbook(path)[SHEET_TITLE].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == "STT")
    return rows[start + 1 :]


def leaf_values(rows: tuple[FormRow, ...]) -> dict[str, tuple[Any, ...]]:
    return {r.code: (r.score, r.note, r.not_applicable) for r in rows if r.code in LEAVES}


# --------------------------------------------------------------------------- which copies


def test_one_job_per_unit_file_with_errors_or_warnings_in_roster_order(campaign: Campaign) -> None:
    inbox = campaign.folder / "inbox"
    fill(campaign, "STP", inbox / "tu phap.xlsx", {"1.1": 30})
    fill(campaign, "SKHDT", inbox / "ke hoach.xlsx", BAD)
    fill(campaign, "STC", inbox / "tai chinh.xlsx")  # clean: no copy
    write_form(campaign, campaign.tiers[0], Unit("X", "Đơn vị lạ"), inbox / "la.xlsx")  # not in the roster: no copy
    (inbox / "scan.pdf").write_bytes(b"%PDF-1.4 signed scan")  # not a spreadsheet: no copy
    report = pipeline.check(campaign)
    assert {"unit-unknown", "file-ignored", "unit-missing"} <= {f.code for f in report.findings}

    jobs = feedback_jobs(report)

    assert [(j.filename, j.unit_code, j.source.name) for j in jobs] == [
        ("SKHDT - So Ke hoach va Dau tu.xlsx", "SKHDT", "ke hoach.xlsx"),
        ("STP - So Tu phap.xlsx", "STP", "tu phap.xlsx"),
    ]
    skhdt = jobs[0]
    assert {f.code for f in skhdt.findings} == {
        "score-above-max",
        "score-not-number",
        "score-date",
        "score-text-number",
    }
    assert all(f.file == "ke hoach.xlsx" for f in skhdt.findings)
    assert skhdt.campaign == report.campaign


def _report(campaign: Campaign, findings: list[Finding], files: dict[str, tuple[str, ...]]) -> CheckReport:
    tier = campaign.tiers[0]
    statuses = tuple(UnitStatus(tier.id, u, UnitState.INVALID, files.get(u.code, ())) for u in tier.units)
    inbox = campaign.folder / "inbox"
    names = sorted({name for group in files.values() for name in group})
    sources = tuple(SourceFile(inbox / n, n, 1, "", 0.0, Path(n).suffix.lstrip(".")) for n in names)
    return CheckReport(campaign, statuses, tuple(findings), (), sources=sources)


def test_feedback_jobs_needs_no_files_and_skips_notes_and_clerk_warnings(campaign: Campaign) -> None:
    gone = replace(campaign, folder=Path("/nonexistent/campaign"))
    note = Finding("file-ignored", Severity.INFO, "ghi chú", file="a.xlsx", unit="SKHDT")
    clerk = Finding("unit-duplicate-identical", Severity.WARNING, "trùng", file="b.xlsx", unit="STC")
    real = Finding("score-missing", Severity.ERROR, "Chưa nhập điểm", file="c.ods", unit="STP", cell="D10")
    report = _report(gone, [note, clerk, real], {"SKHDT": ("a.xlsx",), "STC": ("b.xlsx",), "STP": ("c.ods",)})

    jobs = feedback_jobs(report)

    assert [(j.filename, j.source.path, j.source.kind, j.findings) for j in jobs] == [
        ("STP - So Tu phap.xlsx", Path("/nonexistent/campaign/inbox/c.ods"), "ods", (real,))
    ]


def test_several_files_of_a_unit_are_named_after_each_file(campaign: Campaign) -> None:
    e1 = Finding("score-missing", Severity.ERROR, "x", file="Biểu cũ.xlsx", unit="SKHDT", cell="D10")
    e2 = Finding("score-missing", Severity.ERROR, "y", file="biểu cũ.ods", unit="SKHDT", cell="D11")
    e3 = Finding("score-missing", Severity.WARNING, "z", file="mới.xlsx", unit="SKHDT", cell="D12")
    report = _report(campaign, [e1, e2, e3], {"SKHDT": ("Biểu cũ.xlsx", "biểu cũ.ods", "mới.xlsx")})

    names = [j.filename for j in feedback_jobs(report)]

    # ASCII-safe, and distinct even on a disk that ignores case.
    form = "SKHDT - So Ke hoach va Dau tu"
    assert names == [f"{form} - Bieu cu.xlsx", f"{form} - bieu cu (2).xlsx", f"{form} - moi.xlsx"]


def test_duplicate_different_files_each_get_a_copy(campaign: Campaign) -> None:
    inbox = campaign.folder / "inbox"
    fill(campaign, "STC", inbox / "STC lan 1.xlsx", {"1.1": 21})
    fill(campaign, "STC", inbox / "STC lan 2.xlsx", {"1.2": 16})
    report, jobs = check_and_write(campaign, campaign.folder / "out")
    assert report.statuses[1].state is UnitState.DUPLICATE
    assert [j.filename for j in jobs] == ["STC - So Tai chinh - STC lan 1.xlsx", "STC - So Tai chinh - STC lan 2.xlsx"]
    assert [[f.criterion for f in j.findings] for j in jobs] == [["1.1"], ["1.2"]]


# --------------------------------------------------------------------------- the marked copy of an .xlsx


@pytest.fixture
def marked(campaign: Campaign) -> tuple[Path, Path, FeedbackJob, str]:
    """SKHDT's bad .xlsx in the inbox and its marked copy; also the original's hash before the check."""
    original = fill(campaign, "SKHDT", campaign.folder / "inbox" / "SKHDT ke hoach.xlsx", BAD, {"1.1": FORMULA_NOTE})
    digest = sha256(original)
    _, jobs = check_and_write(campaign, campaign.folder / "out")
    (job,) = jobs
    return original, campaign.folder / "out" / job.filename, job, digest


def test_original_is_not_touched(marked: tuple[Path, Path, FeedbackJob, str]) -> None:
    original, copy, _, digest = marked
    assert copy.exists()
    assert sha256(original) == digest


def test_offending_cells_are_filled_by_severity_and_commented(marked: tuple[Path, Path, FeedbackJob, str]) -> None:
    _, copy, job, _ = marked
    ws = openpyxl.load_workbook(copy)[layout.FORM_SHEET]
    assert len(job.findings) == 4
    for f in job.findings:
        assert f.cell is not None
        cell = ws[f.cell]
        assert cell.fill.fgColor.rgb == (ERROR_FILL if f.is_error else WARNING_FILL)
        assert cell.comment is not None
        assert cell.comment.author == AUTHOR
        assert f.message in cell.comment.text
        assert cell.comment.text.startswith("Lỗi: " if f.is_error else "Cảnh báo: ")
    untouched = ws[f"D{form_rows(ws)['1']}"]
    assert untouched.comment is None
    # openpyxl does not read comment sizes back: they are in the VML drawing, in pixels.
    with zipfile.ZipFile(copy) as z:
        vml = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".vml"))
    sizes = [(int(w), int(h)) for w, h in re.findall(r"width:(\d+)px;height:(\d+)px", vml)]
    assert len(sizes) == 4
    assert all(w >= 300 and h >= 50 for w, h in sizes)
    assert max(h for _, h in sizes) > min(h for _, h in sizes)  # a longer message gets a taller box


def test_summary_sheet_is_first_active_and_lists_every_finding(marked: tuple[Path, Path, FeedbackJob, str]) -> None:
    _, copy, job, _ = marked
    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames == [SHEET_TITLE, layout.FORM_SHEET, layout.META_SHEET]
    assert wb.active.title == SHEET_TITLE
    texts = [c for row in wb[SHEET_TITLE].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "SKHDT - Sở Kế hoạch và Đầu tư" in texts
    assert "SKHDT ke hoach.xlsx" in texts
    assert INSTRUCTION in texts
    rows = summary_rows(copy)
    assert [r[0] for r in rows] == [1, 2, 3, 4]
    assert [(r[1], r[2], r[3], r[4], r[5]) for r in rows] == [
        (layout.FORM_SHEET, f.cell, f.criterion, "Lỗi" if f.is_error else "Cảnh báo", f.message) for f in job.findings
    ]


def test_protection_and_hidden_metadata_are_kept(marked: tuple[Path, Path, FeedbackJob, str]) -> None:
    original, copy, _, _ = marked
    before, after = openpyxl.load_workbook(original), openpyxl.load_workbook(copy)
    assert after[layout.FORM_SHEET].protection.sheet
    assert after[layout.META_SHEET].protection.sheet
    assert after[layout.META_SHEET].sheet_state == "hidden"
    meta = [tuple(r) for r in before[layout.META_SHEET].iter_rows(values_only=True)]
    assert [tuple(r) for r in after[layout.META_SHEET].iter_rows(values_only=True)] == meta
    # The input cells are still the only unlocked ones, and still validated.
    assert unlocked(after[layout.FORM_SHEET]) == unlocked(before[layout.FORM_SHEET]) != set()
    validations = before[layout.FORM_SHEET].data_validations.dataValidation
    assert len(after[layout.FORM_SHEET].data_validations.dataValidation) == len(validations) > 0


def unlocked(ws: Any) -> set[str]:
    return {c.coordinate for row in ws.iter_rows() for c in row if not c.protection.locked}


def test_copy_reads_back_as_the_same_form(marked: tuple[Path, Path, FeedbackJob, str]) -> None:
    original, copy, _, _ = marked
    first, again = ingest.read_file(original).reading, ingest.read_file(copy).reading
    assert first is not None and again is not None
    assert again.sheet == layout.FORM_SHEET
    assert again.meta == first.meta
    assert again.unit_name == first.unit_name
    assert again.rows == first.rows


def test_text_starting_with_equals_stays_text(marked: tuple[Path, Path, FeedbackJob, str]) -> None:
    _, copy, _, _ = marked
    ws = openpyxl.load_workbook(copy)[layout.FORM_SHEET]
    note = ws.cell(form_rows(ws)["1.1"], layout.COL_NOTE + 1)
    assert (note.value, note.data_type) == (FORMULA_NOTE, "s")
    with zipfile.ZipFile(copy) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    formulas = [f for xml in sheets for f in re.findall(r"<f>([^<]*)</f>", xml)]
    assert formulas  # the form's subtotal formulas are kept ...
    assert not any("A1:A2" in f for f in formulas)  # ... and the unit's text did not become one


def test_returned_marked_copy_is_checked_again_without_stale_marks(
    campaign: Campaign, marked: tuple[Path, Path, FeedbackJob, str]
) -> None:
    original, copy, _, _ = marked
    wb = openpyxl.load_workbook(copy)
    ws = wb[layout.FORM_SHEET]
    rows = form_rows(ws)
    for leaf in ("1.1", "1.3", "2"):  # the unit fixes all but 1.2 ("abc"), as the comments say
        cell = ws.cell(rows[leaf], layout.COL_SCORE + 1)
        cell.value, cell.number_format = 5, "General"
    returned = campaign.folder / "inbox" / "SKHDT lan 2.xlsx"
    wb.save(returned)
    _move_aside(original)  # the clerk moves the superseded file into a subfolder

    _, jobs = check_and_write(campaign, campaign.folder / "out2")

    (job,) = jobs
    assert [f.code for f in job.findings] == ["score-not-number"]
    again = openpyxl.load_workbook(campaign.folder / "out2" / job.filename)
    assert again.sheetnames.count(SHEET_TITLE) == 1
    assert len(summary_rows(campaign.folder / "out2" / job.filename)) == 1
    ws = again[layout.FORM_SHEET]
    fixed = ws.cell(rows["1.1"], layout.COL_SCORE + 1)
    assert fixed.comment is None
    assert fixed.fill.fgColor.rgb == "FFFFFF99"  # back to the form's yellow input colour
    assert ws.cell(rows["1.2"], layout.COL_SCORE + 1).comment is not None


def _move_aside(path: Path) -> None:
    aside = path.parent / "cu"
    aside.mkdir(exist_ok=True)
    path.rename(aside / path.name)


def test_merged_title_cell_is_marked_for_unit_name_mismatch(campaign: Campaign) -> None:
    path = fill(campaign, "STC", campaign.folder / "inbox" / "STC.xlsx")
    wb = openpyxl.load_workbook(path)
    reading = ingest.read_file(path).reading
    assert reading is not None
    wb[layout.FORM_SHEET][reading.unit_name_cell].value = "Sở Tài chính tỉnh Hưng Yên (cũ)"
    wb.save(path)
    _, jobs = check_and_write(campaign, campaign.folder / "out")
    (job,) = jobs
    (mismatch,) = job.findings
    assert mismatch.code == "unit-name-mismatch"
    cell = openpyxl.load_workbook(campaign.folder / "out" / job.filename)[layout.FORM_SHEET][reading.unit_name_cell]
    assert cell.fill.fgColor.rgb == WARNING_FILL
    assert cell.comment is not None and mismatch.message in cell.comment.text


def test_finding_without_a_cell_is_listed_not_marked(campaign: Campaign) -> None:
    path = fill(campaign, "SNV", campaign.folder / "inbox" / "SNV.xlsx", {"2": 11})
    wb = openpyxl.load_workbook(path)
    ws = wb[layout.FORM_SHEET]
    ws.delete_rows(form_rows(ws)["1.2"])  # the unit deleted a criterion row
    wb.save(path)
    _, jobs = check_and_write(campaign, campaign.folder / "out")
    (job,) = jobs
    copy = campaign.folder / "out" / job.filename
    missing = next(f for f in job.findings if f.code == "row-missing")
    assert missing.cell is None
    listed = {r[5]: r for r in summary_rows(copy)}
    assert set(listed) == {f.message for f in job.findings}
    assert listed[missing.message][1:5] == (layout.FORM_SHEET, None, "1.2", "Lỗi")
    ws = openpyxl.load_workbook(copy)[layout.FORM_SHEET]
    commented = [c.comment.text for row in ws.iter_rows() for c in row if c.comment is not None]
    assert not any(missing.message in text for text in commented)
    assert any("11" in text for text in commented)  # the other finding is still marked


def test_write_feedback_puts_copies_in_the_feedback_folder(campaign: Campaign) -> None:
    fill(campaign, "SKHDT", campaign.folder / "inbox" / "a.xlsx", {"1.1": 99})
    report = pipeline.check(campaign)
    written, problems = pipeline.write_feedback(report, campaign.folder / "out")
    assert problems == []
    name = "SKHDT - So Ke hoach va Dau tu.xlsx"
    assert written == [campaign.folder / "out" / pipeline.FEEDBACK_FOLDER / name]
    # No temporary file left; the manifest of the tool's own copies beside them.
    assert sorted(p.name for p in written[0].parent.iterdir()) == [feedback.MANIFEST, name]


# --------------------------------------------------------------------------- failures


def test_unreadable_source_raises_output_error_naming_the_file(campaign: Campaign, tmp_path: Path) -> None:
    path = fill(campaign, "SKHDT", campaign.folder / "inbox" / "hỏng.xlsx", {"1.1": 99})
    (job,) = feedback_jobs(pipeline.check(campaign))
    path.write_bytes(b"PK\x03\x04 cut short by the mail client")
    with pytest.raises(OutputError, match=re.escape("hỏng.xlsx")):
        job.write(tmp_path / "x.xlsx")
    path.unlink()
    with pytest.raises(OutputError, match=re.escape("hỏng.xlsx")):
        job.write(tmp_path / "y.xlsx")


def test_a_file_changed_since_the_check_is_not_marked(campaign: Campaign, tmp_path: Path) -> None:
    """The copy is of the file the report speaks of: another valid form put in its place is refused, not marked."""
    path = fill(campaign, "SKHDT", campaign.folder / "inbox" / "SKHDT.xlsx", {"1.1": 99})
    (job,) = feedback_jobs(pipeline.check(campaign))
    fill(campaign, "SKHDT", path, {"1.1": 98})  # a readable form, with other values
    with pytest.raises(OutputError, match=r"SKHDT\.xlsx: tệp đã thay đổi sau khi kiểm tra"):
        job.write(tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()


def test_a_copy_on_a_fresh_form_is_made_from_what_the_check_read(campaign: Campaign) -> None:
    """A stale form's copy needs the report only: the unit's file is not read again (here it is gone)."""
    path = fill(campaign, "STP", campaign.folder / "inbox" / "STP.xlsx", {"1.1": 12, "1.2": "abc"}, {"1.2": "QĐ 5"})
    config = campaign.folder / "egov.toml"
    config.write_text(CONFIG.replace('name = "Mạng nội bộ"\nmax = 15', 'name = "Mạng nội bộ"\nmax = 10'), "utf-8")
    report = pipeline.check(load_campaign(campaign.folder))
    read = report.form_rows["STP.xlsx"]
    assert {r.code: (r.score, r.note) for r in read if r.code in ("1.1", "1.2")} == {
        "1.1": (12, ""),
        "1.2": ("abc", "QĐ 5"),
    }
    path.unlink()

    written, problems = pipeline.write_feedback(report, campaign.folder / "out")

    assert problems == []
    reading = ingest.read_file(written[0]).reading
    assert reading is not None
    assert {r.code: (r.score, r.note) for r in reading.rows if r.code in ("1.1", "1.2")} == {
        "1.1": (12, ""),
        "1.2": ("abc", "QĐ 5"),
    }


def test_the_report_keeps_rows_only_of_forms_a_fresh_copy_may_need(campaign: Campaign) -> None:
    """A clean .xlsx (nearly every form of a large inbox) keeps nothing; a form with an error keeps its rows."""
    inbox = campaign.folder / "inbox"
    fill(campaign, "STC", inbox / "STC.xlsx")
    fill(campaign, "SKHDT", inbox / "SKHDT.xlsx", {"1.1": 99})
    report = pipeline.check(campaign)
    assert list(report.form_rows) == ["SKHDT.xlsx"]
    assert [r.code for r in report.form_rows["SKHDT.xlsx"]] == ["1", "1.1", "1.2", "1.3", "2"]


# --------------------------------------------------------------------------- .ods and .xls: rebuilt


def _convert(src: Path, fmt: str, out_dir: Path, work: Path) -> Path:
    """``src`` saved by LibreOffice as ``fmt`` (ods, xls) into ``out_dir``, as a unit using it would."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip(f"LibreOffice (soffice) is not installed: cannot make an .{fmt} submission")
    profile = (work / "lo-profile").as_uri()
    cmd = [soffice, "--headless", f"-env:UserInstallation={profile}", "--convert-to", fmt, "--outdir", str(out_dir)]
    subprocess.run([*cmd, str(src)], check=True, capture_output=True, timeout=180)
    return out_dir / f"{src.stem}.{fmt}"


@pytest.mark.parametrize("fmt", ["ods", "xls"])
def test_ods_and_xls_submissions_are_rebuilt_with_their_values_and_marks(
    campaign: Campaign, tmp_path: Path, fmt: str
) -> None:
    filled = fill(
        campaign,
        "STP",
        tmp_path / "STP tu phap.xlsx",
        {"1.1": 25, "1.2": "abc", "2": 7.5},
        {"1": "Nhóm hạ tầng", "1.2": FORMULA_NOTE},
        na=("1.3",),
    )
    submitted_file = _convert(filled, fmt, campaign.folder / "inbox", tmp_path)
    digest = sha256(submitted_file)

    _, jobs = check_and_write(campaign, campaign.folder / "out")

    (job,) = jobs
    assert (job.filename, job.source.kind) == ("STP - So Tu phap.xlsx", fmt)
    assert {f.code for f in job.findings} == {"score-above-max", "score-not-number"}
    copy = campaign.folder / "out" / job.filename
    assert sha256(submitted_file) == digest
    assert zipfile.is_zipfile(copy)
    submitted, rebuilt = ingest.read_file(submitted_file).reading, ingest.read_file(copy).reading
    assert submitted is not None and rebuilt is not None
    assert rebuilt.meta[layout.META_UNIT] == "STP"
    assert leaf_values(rebuilt.rows) == leaf_values(submitted.rows)
    assert leaf_values(rebuilt.rows)["1.3"] == (None, "", True)
    assert {r.code: r.note for r in rebuilt.rows} == {r.code: r.note for r in submitted.rows}

    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames == [SHEET_TITLE, layout.FORM_SHEET, layout.META_SHEET]
    assert wb[layout.FORM_SHEET].protection.sheet
    assert wb[layout.META_SHEET].sheet_state == "hidden"
    ws = wb[layout.FORM_SHEET]
    rows = form_rows(ws)
    for f in job.findings:
        assert f.criterion is not None
        cell = ws.cell(rows[f.criterion], layout.COL_SCORE + 1)
        assert cell.fill.fgColor.rgb == ERROR_FILL
        assert cell.comment is not None and f.message in cell.comment.text
    note = ws.cell(rows["1.2"], layout.COL_NOTE + 1)
    assert (note.value, note.data_type) == (FORMULA_NOTE, "s")
    texts = [c for row in wb[SHEET_TITLE].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any("tạo lại từ biểu mẫu chuẩn" in t and f".{fmt}" in t for t in texts)
    # One instruction, consistent with the copy: send back this .xlsx, not "keep the original file".
    assert INSTRUCTION not in texts and any("gửi lại chính tệp .xlsx này" in t for t in texts)
    assert len(summary_rows(copy)) == len(job.findings)
    # python-calamine sees the same cells: the copy is a normal .xlsx form.
    assert CalamineWorkbook.from_path(str(copy)).sheet_names == [SHEET_TITLE, layout.FORM_SHEET, layout.META_SHEET]


# --------------------------------------------------------------------------- clerk: fresh forms, stale forms, pruning


def _texts(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    return [c for row in wb[SHEET_TITLE].iter_rows(values_only=True) for c in row if isinstance(c, str)]


def test_a_wrong_or_unreadable_file_gets_a_fresh_form_of_this_campaign(campaign: Campaign) -> None:
    inbox = campaign.folder / "inbox"
    old = fill(campaign, "SKHDT", inbox / "bieu nam ngoai.xlsx", {"1.1": 5})
    wb = openpyxl.load_workbook(old)
    meta = wb[layout.META_SHEET]
    for row in meta.iter_rows():
        if row[0].value == layout.META_CAMPAIGN:
            row[1].value = "thu-2023"
    wb.save(old)
    (inbox / "STC - So Tai chinh.xlsx").write_bytes(b"")  # 0 bytes, named as the tool names STC's form
    report = pipeline.check(campaign)
    states = {s.unit.code: (s.state, s.files) for s in report.statuses}
    assert states["SKHDT"] == (UnitState.INVALID, ("bieu nam ngoai.xlsx",))
    assert states["STC"] == (UnitState.INVALID, ("STC - So Tai chinh.xlsx",))

    written, problems = pipeline.write_feedback(report, campaign.folder / "out")

    assert problems == []
    copies = {p.name: p for p in written}
    assert set(copies) == {"SKHDT - So Ke hoach va Dau tu.xlsx", "STC - So Tai chinh.xlsx"}
    for name, unit, code in (
        ("SKHDT - So Ke hoach va Dau tu.xlsx", "SKHDT", "wrong-campaign"),
        ("STC - So Tai chinh.xlsx", "STC", "file-empty"),
    ):
        reading = ingest.read_file(copies[name]).reading
        assert reading is not None
        assert (reading.meta[layout.META_CAMPAIGN], reading.meta[layout.META_UNIT]) == (campaign.id, unit)
        assert reading.meta[layout.META_FINGERPRINT] == campaign.tiers[0].fingerprint
        assert all(r.score in (None, "") for r in reading.rows if r.code in LEAVES)  # nothing carried over
        texts = _texts(copies[name])
        assert any("Đây là biểu mới của đợt đánh giá" in t for t in texts)
        assert [r[5] for r in summary_rows(copies[name])] == [
            f.message for f in report.findings if f.unit == unit and f.code == code
        ]


def test_a_stale_form_comes_back_as_a_current_form_with_its_values_and_changes_marked(campaign: Campaign) -> None:
    fill(campaign, "STP", campaign.folder / "inbox" / "STP.xlsx", {"1.1": 12, "1.2": 7}, {"1.2": "QĐ 5"})
    config = campaign.folder / "egov.toml"
    config.write_text(CONFIG.replace('name = "Mạng nội bộ"\nmax = 15', 'name = "Mạng nội bộ"\nmax = 10'), "utf-8")
    changed = load_campaign(campaign.folder)
    report = pipeline.check(changed)
    assert [f.code for f in report.findings if f.unit == "STP"] == ["form-stale"]

    written, _ = pipeline.write_feedback(report, campaign.folder / "out")

    (copy,) = written
    reading = ingest.read_file(copy).reading
    assert reading is not None
    assert reading.meta[layout.META_FINGERPRINT] == changed.tiers[0].fingerprint  # not stale any more
    values = {r.code: (r.score, r.note) for r in reading.rows}
    assert (values["1.1"], values["1.2"], values["2"]) == ((12, ""), (7, "QĐ 5"), (1, ""))
    ws = openpyxl.load_workbook(copy)[layout.FORM_SHEET]
    marked = {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment is not None}
    cell = layout.cell_address(form_rows(ws)["1.2"], layout.COL_SCORE)
    assert list(marked) == [cell] and "điểm tối đa đổi từ 15 thành 10" in marked[cell]
    assert any("Bộ tiêu chí đã thay đổi" in t for t in _texts(copy))
    # Sent back as is, the copy checks clean.
    shutil.copy(copy, campaign.folder / "inbox" / "STP.xlsx")
    assert [f for f in pipeline.check(changed).findings if f.unit == "STP"] == []


def test_no_copy_for_warnings_that_ask_nothing_of_the_unit(campaign: Campaign) -> None:
    path = fill(campaign, "STC", campaign.folder / "inbox" / "STC.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb[layout.FORM_SHEET]
    ws.cell(form_rows(ws)["1"], layout.COL_SCORE + 1).value = 40  # a subtotal typed over: recomputed
    wb.save(path)
    report = pipeline.check(campaign)
    assert [f.code for f in report.findings if f.unit == "STC"] == ["subtotal-mismatch"]
    assert feedback_jobs(report) == []


def test_copies_that_no_longer_apply_are_removed_and_nothing_else(campaign: Campaign) -> None:
    inbox, out = campaign.folder / "inbox", campaign.folder / "out"
    fill(campaign, "SKHDT", inbox / "SKHDT.xlsx", {"1.1": 99})
    fill(campaign, "STC", inbox / "STC.xlsx", {"1.1": 99})
    fill(campaign, "STP", inbox / "STP.xlsx", {"1.1": 99})
    written, _ = pipeline.write_feedback(pipeline.check(campaign), out)
    folder = out / pipeline.FEEDBACK_FOLDER
    assert len(written) == 3
    (folder / "ghi chu cua can bo.xlsx").write_bytes(b"the clerk's own file")
    edited = folder / "STP - So Tu phap.xlsx"
    edited.write_bytes(edited.read_bytes() + b" ")  # the clerk changed the tool's copy: not the tool's any more
    for code in ("SKHDT", "STC", "STP"):
        fill(campaign, code, inbox / f"{code}.xlsx")  # every unit fixed its form
    fill(campaign, "SNV", inbox / "SNV.xlsx", {"2": 11})

    written, _ = pipeline.write_feedback(pipeline.check(campaign), out)

    assert [p.name for p in written] == ["SNV - So Noi vu.xlsx"]
    assert sorted(p.name for p in folder.iterdir()) == [
        feedback.MANIFEST,
        "SNV - So Noi vu.xlsx",
        "STP - So Tu phap.xlsx",
        "ghi chu cua can bo.xlsx",
    ]
    # A build prunes the same way: SNV fixed, its copy goes.
    fill(campaign, "SNV", inbox / "SNV.xlsx")
    pipeline.build(campaign, out)
    assert sorted(p.name for p in folder.iterdir()) == [
        feedback.MANIFEST,
        "STP - So Tu phap.xlsx",
        "ghi chu cua can bo.xlsx",
    ]


@pytest.mark.parametrize("case", corpus.UNUSABLE)
def test_every_unusable_file_named_after_a_unit_is_submitted_with_errors(campaign: Campaign, case: str) -> None:
    inbox = campaign.folder / "inbox"
    made = corpus.make_named_for_unit(case, inbox, "STC - So Tai chinh")
    _, code = corpus.CASES[case]
    report = pipeline.check(campaign)
    status = next(s for s in report.statuses if s.unit.code == "STC")
    assert (status.state, status.files) == (UnitState.INVALID, (made.name,))
    assert CATALOGUE[code].severity is Severity.ERROR
    assert {(f.code, f.unit) for f in report.findings if f.file == made.name} == {(code, "STC")}
    assert "unit-missing" not in {f.code for f in report.findings if f.unit == "STC"}
    (job,) = feedback_jobs(report)
    assert (job.filename, job.kind) == ("STC - So Tai chinh.xlsx", feedback.Kind.FRESH)
