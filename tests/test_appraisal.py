"""The appraisal council's file: writing it, updating it without losing a value, reading it into scores."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from egov_xlsx import layout, pipeline
from egov_xlsx.cli.commands import ExitCode, app
from egov_xlsx.config import load_campaign
from egov_xlsx.errors import OutputError
from egov_xlsx.forms import write_form
from egov_xlsx.model import Campaign, Severity
from egov_xlsx.publish import appraisal
from egov_xlsx.publish.appraisal import (
    HEADERS,
    ORPHAN_HEADERS,
    AppraisalExists,
    write_appraisal,
    write_appraisal_workbook,
)
from egov_xlsx.read.appraisal import ORPHAN_SHEET
from egov_xlsx.rules.scoring import score_tier
from tests.factories import submission

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

[[tiers.adjustments]]
code = "C1"
name = "Điểm thưởng sáng kiến"
max = 5
[[tiers.adjustments]]
code = "T1"
name = "Chậm gửi báo cáo"
min = -5

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

[[tiers]]
id = "huyen"
name = "UBND cấp huyện"

[[tiers.criteria]]
code = "A"
name = "Cổng thông tin"
max = 10

[[tiers.units]]
code = "H1"
name = "UBND huyện Một"
[[tiers.units]]
code = "H2"
name = "UBND huyện Hai"
"""

SO, HUYEN = "Sở, ban, ngành", "UBND cấp huyện"
LEAVES = ("1.1", "1.2", "1.3", "2")
LINES = (*LEAVES, "C1", "T1")
#: Self-assessed scores: SKHDT 60/60, STC 50/60, STP 45/45 (1.3 not applicable), SNV 35/60.
SCORES: dict[str, dict[str, Any]] = {
    "SKHDT": {"1.1": 20, "1.2": 15, "1.3": 15, "2": 10},
    "STC": {"1.1": 18, "1.2": 12, "1.3": 12, "2": 8},
    "STP": {"1.1": 20, "1.2": 15, "2": 10},
    "SNV": {"1.1": 10, "1.2": 10, "1.3": 10, "2": 5},
    "H1": {"A": 7},
    "H2": {"A": 9},
}
NOW = datetime(2025, 3, 1, 9, 30, 5)
runner = CliRunner()


@pytest.fixture
def campaign(tmp_path: Path) -> Campaign:
    folder = tmp_path / "thu-2024"
    (folder / "inbox").mkdir(parents=True)
    (folder / "egov.toml").write_text(CONFIG, encoding="utf-8")
    return load_campaign(folder)


def submit(campaign: Campaign, code: str, scores: dict[str, Any] | None = None) -> Path:
    """Write ``code``'s form into the inbox and fill it as the unit would (N/A for a leaf left out of STP's)."""
    found = campaign.find_unit(code)
    assert found is not None
    path = campaign.folder / "inbox" / f"{code}.xlsx"
    write_form(campaign, *found, path)
    wb = openpyxl.load_workbook(path)
    ws = wb[layout.FORM_SHEET]
    rows = {str(ws.cell(r, 1).value): r for r in range(layout.FIRST_DATA_ROW, ws.max_row + 1)}
    for leaf, value in (scores or SCORES[code]).items():
        ws.cell(rows[leaf], layout.COL_SCORE + 1).value = value
    if code == "STP":
        ws.cell(rows["1.3"], layout.COL_NA + 1).value = layout.NA_MARK
    wb.save(path)
    return path


def make_file(campaign: Campaign, *units: str, update: bool = False) -> appraisal.AppraisalWritten:
    for code in units:
        submit(campaign, code)
    return write_appraisal(pipeline.check(campaign), now=NOW, update=update)


def table(path: Path, sheet: str = SO) -> list[tuple[Any, ...]]:
    """The rows below the header of a sheet, as values."""
    rows = list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))
    labels = ORPHAN_HEADERS if sheet == ORPHAN_SHEET else HEADERS
    start = next(i for i, r in enumerate(rows) if r[: len(labels)] == labels)
    return rows[start + 1 :]


def header_row(ws: Any) -> int:
    return next(r for r in range(1, 40) if ws.cell(r, 1).value == HEADERS[0])


def enter(path: Path, values: dict[tuple[str, str], tuple[Any, str]], sheet: str = SO) -> None:
    """Type appraised scores and reasons as a council member would, found by unit and criterion code."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    rows = {(ws.cell(r, 1).value, ws.cell(r, 3).value): r for r in range(header_row(ws) + 1, ws.max_row + 1)}
    for key, (value, reason) in values.items():
        ws.cell(rows[key], 7).value = value
        reason_cell = ws.cell(rows[key], 8)
        reason_cell.value = reason or None
        reason_cell.data_type = "s"
    wb.save(path)


def codes(campaign: Campaign) -> list[tuple[str, Severity, str | None, str | None, str | None, str | None]]:
    report = pipeline.check(campaign)
    return [
        (f.code, f.severity, f.sheet, f.cell, f.unit, f.criterion)
        for f in report.findings
        if f.file == "appraisal.xlsx"
    ]


# --------------------------------------------------------------------------- writing


def test_one_sheet_per_tier_one_row_per_unit_and_line_with_self_scores(campaign: Campaign) -> None:
    submit(campaign, "STC", {**SCORES["STC"], "1.2": "abc"})  # an invalid value: shown as the unit's claim
    done = make_file(campaign, "SKHDT", "STP", "H2")

    assert done.path == campaign.folder / "appraisal.xlsx" and done.backup is None
    assert done.rows == 3 * len(LINES) + 1
    wb = openpyxl.load_workbook(done.path)
    assert wb.sheetnames == [SO, HUYEN]
    rows = [(r[0], r[2], r[4], r[5], r[6], r[7]) for r in table(done.path)]
    expected = []
    for unit in ("SKHDT", "STC", "STP"):  # roster order; SNV has no submission
        # A penalty's limit is written out, never as a negative maximum.
        for code, top in zip(LINES, (20, 15, 15, 10, 5, "Trừ tối đa 5"), strict=True):
            own: Any = SCORES[unit].get(code) if code in LEAVES else None
            if unit == "STC" and code == "1.2":
                own = "abc (không hợp lệ)"
            if unit == "STP" and code == "1.3":
                own = "Không áp dụng"
            expected.append((unit, code, top, own, None, None))
    assert rows == expected
    assert [(r[0], r[2], r[5]) for r in table(done.path, HUYEN)] == [("H2", "A", 9)]
    ws = wb[SO]
    assert ws["A2"].value == campaign.title
    assert [ws.cell(r, 1).value for r in range(3, 6)] == ["Khối:", "Mã khối:", "Mã đợt đánh giá:"]
    assert (ws["C3"].value, ws["C4"].value, ws["C5"].value) == (SO, "so", "thu-2024")
    assert "Hội đồng thẩm định" in str(ws["A6"].value) and "--update" in str(ws["A6"].value)


def test_only_the_two_input_columns_are_editable_and_validated(campaign: Campaign) -> None:
    done = make_file(campaign, "SKHDT")
    wb = openpyxl.load_workbook(done.path)
    ws = wb[SO]
    head = header_row(ws)
    first = head + 1
    assert ws.protection.sheet and not ws.protection.password
    assert ws.protection.autoFilter is False  # openpyxl: False means "allowed"
    locked = {col: ws.cell(first, col).protection.locked for col in range(1, 9)}
    assert locked == {1: True, 2: True, 3: True, 4: True, 5: True, 6: True, 7: False, 8: False}
    assert ws.cell(first, 7).fill.fgColor.rgb.endswith("FFFF99")
    assert ws.freeze_panes == f"A{head + 1}"
    assert ws.auto_filter.ref == f"A{head}:H{head + len(LINES)}"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    rules = {str(dv.sqref): (dv.type, dv.formula1, dv.formula2) for dv in ws.data_validations.dataValidation}
    assert rules[f"G{first}"] == ("decimal", "0", "20")  # 1.1
    assert rules[f"G{first + 4}"] == ("decimal", "0", "5")  # C1: a bonus of 0..5
    assert rules[f"G{first + 5}"] == ("decimal", "-5", "0")  # T1: a penalty of -5..0
    assert wb.properties.created == datetime(2025, 1, 1)


def test_same_inputs_give_the_same_bytes_and_text_stays_text(campaign: Campaign, tmp_path: Path) -> None:
    from egov_xlsx.rules.appraisal_update import plan_sheets

    submit(campaign, "SKHDT")
    report = pipeline.check(campaign)
    sheets, orphans, _ = plan_sheets(campaign, report.submissions, [])
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_appraisal_workbook(campaign, sheets, orphans, a)
    write_appraisal_workbook(campaign, sheets, orphans, b)
    assert a.read_bytes() == b.read_bytes()


def test_refuses_to_overwrite_without_update(campaign: Campaign) -> None:
    done = make_file(campaign, "SKHDT")
    before = done.path.read_bytes()
    with pytest.raises(AppraisalExists) as caught:
        write_appraisal(pipeline.check(campaign), now=NOW)
    assert isinstance(caught.value, OutputError)
    assert str(caught.value).startswith("đã có appraisal.xlsx") and "--update" in str(caught.value)
    assert done.path.read_bytes() == before


def test_update_keeps_entered_values_by_code_adds_rows_and_backs_up(campaign: Campaign) -> None:
    done = make_file(campaign, "STP", "SNV")
    enter(
        done.path,
        {
            ("STP", "2"): (4, "Thiếu minh chứng dịch vụ công"),
            ("STP", "T1"): (-2, "=1+1 chậm báo cáo"),  # a reason that looks like a formula stays text
            ("SNV", "1.1"): ("4,5", ""),
        },
    )
    entered = done.path.read_bytes()
    submit(campaign, "SKHDT")  # first in roster order: every earlier row moves down

    again = write_appraisal(pipeline.check(campaign), now=NOW, update=True)

    assert again.backup == campaign.folder / "appraisal.20250301-093005.xlsx"
    assert again.backup.read_bytes() == entered
    assert (again.kept, again.orphans, again.rows) == (3, 0, 3 * len(LINES))
    rows = {(r[0], r[2]): (r[5], r[6], r[7]) for r in table(again.path)}
    assert list(rows)[: len(LINES)] == [("SKHDT", c) for c in LINES]
    assert rows["STP", "2"] == (10, 4, "Thiếu minh chứng dịch vụ công")
    assert rows["STP", "T1"] == (None, -2, "=1+1 chậm báo cáo")
    assert rows["SNV", "1.1"] == (10, "4,5", None)  # what the council typed, as typed
    assert rows["SKHDT", "1.1"] == (20, None, None)
    ws = openpyxl.load_workbook(again.path)[SO]
    cell = next(c for c in ws["H"] if c.value == "=1+1 chậm báo cáo")
    assert cell.data_type == "s"

    # A second update in the same second gets its own backup name.
    third = write_appraisal(pipeline.check(campaign), now=NOW, update=True)
    assert third.backup is not None and third.backup.name == "appraisal.20250301-093005-2.xlsx"


def test_values_without_a_row_are_kept_and_come_back(campaign: Campaign) -> None:
    done = make_file(campaign, "STC", "SNV")
    enter(done.path, {("STC", "1.2"): (10, "Mạng chưa đạt"), ("SNV", "2"): (3, "Không có minh chứng")})
    moved = campaign.folder / "inbox" / "cu"
    moved.mkdir()
    shutil.move(campaign.folder / "inbox" / "STC.xlsx", moved / "STC.xlsx")  # STC's form withdrawn
    config = campaign.folder / "egov.toml"
    config.write_text(CONFIG.replace('code = "SNV"\nname = "Sở Nội vụ"', 'code = "SYT"\nname = "Sở Y tế"'), "utf-8")
    changed = load_campaign(campaign.folder)

    first = write_appraisal(pipeline.check(changed), now=NOW, update=True)

    assert (first.kept, first.orphans, first.rows) == (0, 2, 0)
    kept = table(first.path, ORPHAN_SHEET)
    assert [(r[0], r[1], r[3], r[5], r[6], r[7]) for r in kept] == [
        ("so", "STC", "1.2", 10, "Mạng chưa đạt", "Đơn vị chưa có biểu trong inbox/"),
        ("so", "SNV", "2", 3, "Không có minh chứng", "Đơn vị không còn trong danh sách của khối (egov.toml)"),
    ]
    assert codes(changed) == []  # kept values are not scores

    shutil.move(moved / "STC.xlsx", changed.folder / "inbox" / "STC.xlsx")
    second = write_appraisal(pipeline.check(changed), now=datetime(2025, 3, 2), update=True)
    assert (second.kept, second.orphans) == (1, 1)
    rows = {(r[0], r[2]): (r[6], r[7]) for r in table(second.path)}
    assert rows["STC", "1.2"] == (10, "Mạng chưa đạt")
    assert [r[1] for r in table(second.path, ORPHAN_SHEET)] == ["SNV"]


def test_update_refuses_a_file_it_cannot_read(campaign: Campaign) -> None:
    submit(campaign, "SKHDT")
    path = campaign.folder / "appraisal.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(OutputError, match="không bị thay đổi"):
        write_appraisal(pipeline.check(campaign), now=NOW, update=True)
    assert path.read_bytes() == b"PK\x03\x04 not really a workbook"
    assert list(campaign.folder.glob("appraisal.*.xlsx")) == []


# --------------------------------------------------------------------------- reading into results


def test_appraised_scores_and_lines_change_totals_ranks_and_bands(campaign: Campaign, tmp_path: Path) -> None:
    done = make_file(campaign, "SKHDT", "STC", "STP", "SNV", "H1", "H2")
    plain = pipeline.score(pipeline.check(campaign)).tiers[0]
    assert [(u.unit.code, u.total, u.rank, u.band) for u in plain.units] == [
        ("SKHDT", 60, 1, "Tốt"),
        ("STP", 45, 1, "Tốt"),
        ("STC", 50, 3, "Khá"),
        ("SNV", 35, 4, "Trung bình"),
    ]
    enter(
        done.path,
        {
            ("SKHDT", "1.1"): (11, "Máy tính chưa đủ cấu hình"),  # 51/60: exactly 85 %
            ("STP", "2"): (4, "Dịch vụ chưa phát sinh hồ sơ"),  # 39/45
            ("STC", "C1"): (3, "Sáng kiến cấp tỉnh"),  # 53/60
            ("SNV", "T1"): (-5, "Chậm báo cáo 2 kỳ"),  # 30/60: exactly 50 %
            ("SNV", "2"): (5, ""),  # the same as the self score: no reason needed
        },
    )
    enter(done.path, {("H1", "A"): (9.5, "Cổng đạt chuẩn")}, sheet=HUYEN)

    outcome = pipeline.build(campaign, tmp_path / "out")

    assert outcome.published and codes(campaign) == []
    assert outcome.results is not None
    so, huyen = outcome.results.tiers
    assert [(u.unit.code, u.total, u.rank, u.band) for u in so.units] == [
        ("STC", Decimal(53), 1, "Tốt"),
        ("STP", Decimal(39), 2, "Tốt"),
        ("SKHDT", Decimal(51), 3, "Tốt"),
        ("SNV", Decimal(30), 4, "Trung bình"),
    ]
    assert so.result("SKHDT").percent == 85  # type: ignore[union-attr]
    assert [(u.unit.code, u.total, u.rank) for u in huyen.units] == [("H1", Decimal("9.5"), 1), ("H2", 9, 2)]
    data = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    units = {u["code"]: u for u in data["tiers"][0]["units"]}
    assert units["SKHDT"]["self_scores"]["1.1"] == 20 and units["SKHDT"]["appraised_scores"] == {"1.1": 11}
    assert units["SKHDT"]["scores"]["1.1"] == 11 and units["SKHDT"]["scores"]["1"] == 41
    assert units["SKHDT"]["appraisal_reasons"] == {"1.1": "Máy tính chưa đủ cấu hình"}
    assert units["STC"]["adjustments"] == {"C1": 3, "T1": 0}
    assert units["STC"]["appraisal_reasons"] == {"C1": "Sáng kiến cấp tỉnh"}
    assert units["SNV"]["adjustments"] == {"C1": 0, "T1": -5} and units["SNV"]["appraised_scores"] == {"2": 5}
    assert data["tiers"][1]["units"][0]["appraised_scores"] == {"A": 9.5}
    # The results workbook shows every value the council set with its reason, bonus and penalty lines too.
    ws = openpyxl.load_workbook(tmp_path / "out" / pipeline.NAMES.workbook)[f"Thẩm định - {SO}"]
    header = next(r for r in range(1, 30) if ws.cell(r, 1).value == "STT")
    assert [c.value for c in ws[header]] == [
        "STT", "Đơn vị", "Mã", "Tiêu chí", "Điểm tối đa", "Tự đánh giá", "Thẩm định", "Chênh lệch", "Lý do",
    ]  # fmt: skip
    rows = [[c.value for c in ws[r]][1:] for r in range(header + 1, ws.max_row + 1)]
    assert rows == [
        ["Sở Tài chính", "C1", "Điểm thưởng sáng kiến", 5, None, 3, 3, "Sáng kiến cấp tỉnh"],
        ["Sở Tư pháp", "2", "Dịch vụ công trực tuyến", 10, 10, 4, -6, "Dịch vụ chưa phát sinh hồ sơ"],
        ["Sở Kế hoạch và Đầu tư", "1.1", "Máy tính", 20, 20, 11, -9, "Máy tính chưa đủ cấu hình"],
        ["Sở Nội vụ", "2", "Dịch vụ công trực tuyến", 10, 5, 5, 0, None],
        ["Sở Nội vụ", "T1", "Chậm gửi báo cáo", "Trừ tối đa 5", None, -5, -5, "Chậm báo cáo 2 kỳ"],
    ]
    huyen_sheet = openpyxl.load_workbook(tmp_path / "out" / pipeline.NAMES.workbook)[f"Thẩm định - {HUYEN}"]
    assert any(c.value == "Cổng đạt chuẩn" for row in huyen_sheet.iter_rows() for c in row)


def test_score_tier_adds_a_bonus_and_a_penalty_to_the_total() -> None:
    tier = load_campaign_text().tiers[0]
    subs = {
        "SKHDT": submission(tier, "SKHDT", {"1.1": 10, "1.2": 10, "1.3": 10, "2": 10}),
        "STC": submission(tier, "STC", {"1.1": 10, "1.2": 10, "1.3": 10, "2": 10}),
    }
    result = score_tier(
        tier,
        subs,
        adjustments={"SKHDT": {"C1": Decimal("2.5")}, "STC": {"T1": Decimal(-1)}},
        reasons={"SKHDT": {"C1": "Sáng kiến"}},
    )
    assert [(u.unit.code, u.total, u.rank, dict(u.adjustments)) for u in result.units] == [
        ("SKHDT", Decimal("42.5"), 1, {"C1": Decimal("2.5"), "T1": 0}),
        ("STC", Decimal(39), 2, {"C1": 0, "T1": Decimal(-1)}),
    ]
    assert result.units[0].appraisal_reasons == {"C1": "Sáng kiến"}


def load_campaign_text() -> Campaign:
    import tomllib

    from egov_xlsx.config import parse_campaign

    return parse_campaign(tomllib.loads(CONFIG))


# --------------------------------------------------------------------------- findings


def test_each_problem_is_a_finding_with_its_cell(campaign: Campaign) -> None:
    submit(campaign, "SNV", {**SCORES["SNV"], "1.1": "abc"})  # SNV's form has an error: no valid submission
    done = make_file(campaign, "SKHDT", "STC", "STP")
    enter(
        done.path,
        {
            ("SKHDT", "1.1"): (25, "Quá tối đa"),
            ("SKHDT", "1.2"): (-1, "Âm"),
            ("SKHDT", "2"): ("abc", "Chữ"),
            ("SKHDT", "C1"): (9, "Quá mức thưởng"),
            ("STC", "1.1"): ("4,5", "Số dạng chữ"),
            ("STC", "1.2"): (3, ""),
            ("STP", "1.3"): (5, "Đơn vị đánh dấu không áp dụng"),
            ("SNV", "2"): (4, "Chưa có biểu hợp lệ"),
        },
    )
    wb = openpyxl.load_workbook(done.path)
    ws = wb[SO]
    rows = {(ws.cell(r, 1).value, ws.cell(r, 3).value): r for r in range(header_row(ws) + 1, ws.max_row + 1)}
    ws.cell(rows["STC", "2"], 1).value = "XYZ"  # the sheet's protection has no password: codes can be retyped
    ws.cell(rows["STC", "2"], 7).value = 1
    ws.cell(rows["STC", "1.3"], 3).value = "9.9"
    ws.cell(rows["STC", "1.3"], 7).value = 1
    ws.cell(rows["STP", "1.1"], 3).value = 1  # a parent criterion, typed as a number
    ws.cell(rows["STP", "1.1"], 7).value = 1
    ws.cell(rows["STP", "1.2"], 3).value = "2"  # a second value for STP's criterion 2
    ws.cell(rows["STP", "1.2"], 7).value = 1
    ws.cell(rows["STP", "1.2"], 8).value = "Lý do"
    ws.cell(rows["STP", "2"], 7).value = 2
    ws.cell(rows["STP", "2"], 8).value = "Lý do"
    wb.save(done.path)

    def at(key: tuple[str, str], col: str) -> str:
        return f"{col}{rows[key]}"

    found = codes(campaign)

    E, W = Severity.ERROR, Severity.WARNING
    assert len(found) == 12
    assert set(found) == set(
        [
            ("appraisal-above-max", E, SO, at(("SKHDT", "1.1"), "G"), "SKHDT", "1.1"),
            ("appraisal-above-max", E, SO, at(("SKHDT", "1.2"), "G"), "SKHDT", "1.2"),
            ("appraisal-not-number", E, SO, at(("SKHDT", "2"), "G"), "SKHDT", "2"),
            ("adjustment-out-of-range", E, SO, at(("SKHDT", "C1"), "G"), "SKHDT", "C1"),
            ("appraisal-text-number", W, SO, at(("STC", "1.1"), "G"), "STC", "1.1"),
            ("appraisal-no-reason", E, SO, at(("STC", "1.2"), "H"), "STC", "1.2"),
            ("appraisal-unknown-criterion", E, SO, at(("STC", "1.3"), "C"), "STC", "9.9"),
            ("appraisal-unknown-unit", E, SO, at(("STC", "2"), "A"), "XYZ", "2"),
            ("appraisal-unknown-criterion", E, SO, at(("STP", "1.1"), "C"), "STP", "1"),
            ("appraisal-duplicate", E, SO, at(("STP", "2"), "G"), "STP", "2"),
            ("appraisal-not-applicable", W, SO, at(("STP", "1.3"), "G"), "STP", "1.3"),
            ("appraisal-no-submission", W, SO, at(("SNV", "2"), "G"), "SNV", "2"),
        ]
    )
    report = pipeline.check(campaign)
    messages = {f.cell: f.message for f in report.findings if f.file == "appraisal.xlsx"}
    cell = at(("SKHDT", "1.1"), "G")
    assert (
        messages[cell]
        == f'Ô {cell} (trang "{SO}") của tệp thẩm định ghi 25, ngoài khoảng 0 đến 20 của tiêu chí 1.1. Sửa lại điểm thẩm định.'
    )
    assert "ngoài giới hạn từ 0 đến 5" in messages[at(("SKHDT", "C1"), "G")]
    assert "hiểu là 4,5" in messages[at(("STC", "1.1"), "G")]
    cell = at(("STC", "1.2"), "H")
    assert messages[cell].endswith(f"chưa ghi lý do. Ghi lý do vào ô {cell}.")
    assert not report.valid
    usable = {(a.unit_code, a.criterion): a.score for a in report.appraisals}
    assert usable[("STC", "1.1")] == Decimal("4.5")  # a text number is used, with its warning
    assert ("SKHDT", "1.1") not in usable and ("STP", "1.3") not in usable


def test_errors_in_the_file_block_build(campaign: Campaign, tmp_path: Path) -> None:
    done = make_file(campaign, "SKHDT", "STC", "STP", "SNV", "H1", "H2")
    enter(done.path, {("SKHDT", "1.1"): (30, "Quá tối đa")})
    outcome = pipeline.build(campaign, tmp_path / "out")
    assert not outcome.published
    assert not (tmp_path / "out" / "results.json").exists()


def test_a_draft_leaves_units_with_appraisal_errors_unranked_and_says_why(campaign: Campaign, tmp_path: Path) -> None:
    done = make_file(campaign, "SKHDT", "STC", "STP", "SNV", "H1", "H2")
    enter(
        done.path,
        {
            ("SKHDT", "1.1"): (5, ""),  # no reason: must not silently count
            ("STC", "1.1"): (30, "Quá tối đa"),  # out of range: must not silently be ignored
            ("STP", "2"): (4, "Dịch vụ chưa phát sinh hồ sơ"),  # fine
        },
    )

    outcome = pipeline.build(campaign, tmp_path / "out", draft=True)

    assert outcome.published and outcome.results is not None
    so = outcome.results.tiers[0]
    assert [(u.unit.code, u.rank) for u in so.units] == [("STP", 1), ("SNV", 2)]
    excluded = {u.code: why for u, why in so.excluded}
    assert excluded == {
        "SKHDT": "điểm thẩm định còn lỗi ở ô H9 của appraisal.xlsx",
        "STC": "điểm thẩm định còn lỗi ở ô G15 của appraisal.xlsx",
    }
    data = json.loads((tmp_path / "out" / "results-du-thao.json").read_text(encoding="utf-8"))
    assert {e["code"]: e["reason"] for e in data["tiers"][0]["excluded"]} == excluded
    text = (tmp_path / "out" / "thong-bao-du-thao.txt").read_text(encoding="utf-8")
    assert "Sở Kế hoạch và Đầu tư (điểm thẩm định còn lỗi ở ô H9 của appraisal.xlsx)" in text


def test_the_table_is_found_by_its_labels_not_its_position(campaign: Campaign) -> None:
    done = make_file(campaign, "SKHDT")
    wb = openpyxl.load_workbook(done.path)
    ws = wb[SO]
    ws.insert_rows(1, 3)
    ws.insert_cols(1)
    head = header_row_any(ws)
    ws.cell(head + 1, 8).value = 30  # SKHDT 1.1
    wb.create_sheet("Ghi chú của Hội đồng").append(["Biên bản họp ngày 10/3"])
    wb.save(done.path)
    assert codes(campaign) == [("appraisal-above-max", Severity.ERROR, SO, f"H{head + 1}", "SKHDT", "1.1")]


def header_row_any(ws: Any) -> int:
    return next(r for r in range(1, 40) for c in range(1, 5) if ws.cell(r, c).value == HEADERS[0])


def test_unreadable_and_foreign_files(campaign: Campaign) -> None:
    done = make_file(campaign, "SKHDT")
    wb = openpyxl.load_workbook(done.path)
    wb[SO]["C5"].value = "thu-2023"
    wb.save(done.path)
    assert codes(campaign) == [("appraisal-wrong-campaign", Severity.ERROR, SO, None, None, None)]

    done.path.write_bytes(b"khong phai bang tinh")
    report = pipeline.check(campaign)
    (problem,) = [f for f in report.findings if f.file == "appraisal.xlsx"]
    assert problem.code == "appraisal-unreadable" and problem.is_error and not report.valid
    assert report.appraisals == ()


def test_a_file_saved_by_libreoffice_is_still_read(campaign: Campaign, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    done = make_file(campaign, "SKHDT")
    enter(done.path, {("SKHDT", "2"): (7.5, "Thiếu dịch vụ mức 4")})
    out = tmp_path / "lo"
    profile = (tmp_path / "lo-profile").as_uri()
    cmd = [soffice, "--headless", f"-env:UserInstallation={profile}", "--convert-to", "xlsx", "--outdir", str(out)]
    subprocess.run([*cmd, str(done.path)], check=True, capture_output=True, timeout=180)
    shutil.copyfile(out / "appraisal.xlsx", done.path)
    report = pipeline.check(campaign)
    assert [(a.unit_code, a.criterion, a.score, a.reason) for a in report.appraisals] == [
        ("SKHDT", "2", Decimal("7.5"), "Thiếu dịch vụ mức 4")
    ]


# --------------------------------------------------------------------------- command line


def test_cli_writes_then_refuses_then_updates(campaign: Campaign) -> None:
    submit(campaign, "SKHDT")
    folder = str(campaign.folder)
    result = runner.invoke(app, ["appraisal", folder, "-q"])
    assert result.exit_code == ExitCode.OK, result.output
    assert f"Đã ghi {campaign.folder / 'appraisal.xlsx'} ({len(LINES)} dòng)." in result.output

    result = runner.invoke(app, ["appraisal", folder, "-q"])
    assert result.exit_code == ExitCode.IO
    assert "Lỗi: đã có appraisal.xlsx" in result.output and "--update" in result.output

    result = runner.invoke(app, ["appraisal", folder, "-q", "--update"])
    assert result.exit_code == ExitCode.OK, result.output
    assert len(list(campaign.folder.glob("appraisal.*.xlsx"))) == 1
    assert "sao lưu" in result.output


# --------------------------------------------------------------------------- hostile numbers (issue 11, §3)

_APPRAISAL_FINDING = {
    "huge": "appraisal-above-max",
    "huge-negative": "appraisal-above-max",
    "max-double": "appraisal-above-max",
    "overflow": "appraisal-not-number",
    "infinity": "appraisal-not-number",
    "negative-infinity": "appraisal-not-number",
    "nan": "appraisal-not-number",
    "denormal": "appraisal-decimals",
    "too-many-decimals": "appraisal-decimals",
    "digits-30-text": "appraisal-above-max",
    "digits-5000-text": "appraisal-above-max",
    "date-max-double": "appraisal-above-max",
    "date-nan": "appraisal-not-number",
}


def test_a_hostile_number_in_the_appraisal_file_is_a_finding_at_its_cell(campaign: Campaign, tmp_path: Path) -> None:
    from tests import corpus

    assert set(_APPRAISAL_FINDING) == set(corpus.HOSTILE_NUMBERS)
    done = make_file(campaign, "SKHDT", "STC", "STP", "SNV")
    ws = openpyxl.load_workbook(done.path)[SO]
    rows = [(ws.cell(r, 1).value, ws.cell(r, 3).value, r) for r in range(header_row(ws) + 1, ws.max_row + 1)]
    # One case per row; the bonus line C1 of the last unit gets a huge number too.
    usable = [(u, c, r) for u, c, r in rows if c != "1.3" or u != "STP"]
    placed: dict[str, tuple[str, str, str]] = {}
    for case, (unit, criterion, row) in zip(corpus.HOSTILE_NUMBERS, usable, strict=False):
        placed[f"G{row}"] = (case, unit, criterion)
    assert len(placed) == len(corpus.HOSTILE_NUMBERS)
    bonus = next(r for u, c, r in rows if c == "C1" and f"G{r}" not in placed)
    cases = {cell: case for cell, (case, _, _) in placed.items()}
    corpus.with_hostile_numbers(done.path, done.path, SO, {**cases, f"G{bonus}": "huge"})

    report = pipeline.check(campaign)  # never an exception
    found = {(f.cell, f.code): f.message for f in report.findings if f.file == "appraisal.xlsx"}
    for cell, (case, _unit, criterion) in placed.items():
        expected = _APPRAISAL_FINDING[case]
        if criterion in ("C1", "T1") and expected == "appraisal-above-max":
            expected = "adjustment-out-of-range"
        assert (cell, expected) in found, (case, cell, [k for k in found if k[0] == cell])
    assert (f"G{bonus}", "adjustment-out-of-range") in found
    assert "1E+30" in found[f"G{bonus}", "adjustment-out-of-range"]
    assert all(len(message) < 400 and "30/12/1899" not in message for message in found.values())
    # Every unit's form is still read, and the CLI reports the findings (exit 1), not an internal error.
    assert all(s.state.name == "SUBMITTED" for s in report.statuses if s.tier_id == "so")
    result = runner.invoke(app, ["check", str(campaign.folder)])
    assert result.exit_code == ExitCode.FINDINGS and "Traceback" not in result.output


def test_update_keeps_a_file_holding_hostile_numbers_readable(campaign: Campaign) -> None:
    from tests import corpus

    done = make_file(campaign, "SKHDT", "STC")
    ws = openpyxl.load_workbook(done.path)[SO]
    rows = [r for r in range(header_row(ws) + 1, ws.max_row + 1) if ws.cell(r, 1).value]
    cells = {f"G{row}": case for case, row in zip(corpus.HOSTILE_NUMBERS, rows, strict=False)}
    corpus.with_hostile_numbers(done.path, done.path, SO, cells)
    submit(campaign, "STP")
    result = runner.invoke(app, ["appraisal", str(campaign.folder), "--update"])
    assert result.exit_code == 0, result.output
    report = pipeline.check(campaign)
    assert {f.cell for f in report.findings if f.file == "appraisal.xlsx"} >= set(cells) - {"G0"}


@pytest.mark.parametrize("case", ["date-huge-negative", "date-negative-infinity"])
def test_a_number_the_reader_cannot_read_makes_the_appraisal_file_unreadable_not_the_run(
    campaign: Campaign, case: str
) -> None:
    from tests import corpus

    done = make_file(campaign, "SKHDT")
    ws = openpyxl.load_workbook(done.path)[SO]
    corpus.with_hostile_numbers(done.path, done.path, SO, {f"G{header_row(ws) + 1}": case})
    report = pipeline.check(campaign)
    found = [f for f in report.findings if f.file == "appraisal.xlsx"]
    assert [f.code for f in found] == ["appraisal-unreadable"]
    assert "định dạng ngày tháng" in found[0].message
    assert [s.state.name for s in report.statuses if s.unit.code == "SKHDT"] == ["SUBMITTED"]


# --------------------------------------------------------------------------- formulas (issue 11, "formulas are invisible")


def _formula_file(campaign: Campaign) -> tuple[Path, dict[str, str], str]:
    """The file with every ``corpus.APPRAISAL_FORMULAS`` case in one row's council cell, and one typed value.

    Returns the path, cell -> case, and the cell of the typed value (SKHDT's 1.1 := 18, with its reason).
    """
    from tests import corpus

    done = make_file(campaign, "SKHDT", "STC")
    enter(done.path, {("SKHDT", "1.1"): (18, "Thiếu máy chủ dự phòng")})
    ws = openpyxl.load_workbook(done.path)[SO]
    rows = [r for r in range(header_row(ws) + 1, ws.max_row + 1) if ws.cell(r, 1).value]
    typed = rows[0]
    cells: dict[str, str] = {}
    for case, row in zip(corpus.APPRAISAL_FORMULAS, rows[1:], strict=False):
        item = corpus.APPRAISAL_FORMULAS[case]
        cells[f"{'H' if item.text else 'G'}{row}"] = case
    # A formula in a unit code cell too: the finding then names no unit (the code is a cached value).
    cells[f"A{rows[len(cells) + 1]}"] = "constant"
    corpus.with_appraisal_formulas(done.path, SO, cells)
    return done.path, cells, f"G{typed}"


def _assert_formula_findings(campaign: Campaign, cells: dict[str, str], typed: str) -> None:
    from tests import corpus

    report = pipeline.check(campaign)
    found = {f.cell: f for f in report.findings if f.code == "appraisal-formula"}
    assert set(found) == set(cells)
    for cell, case in cells.items():
        f = found[cell]
        assert f.is_error and f.file == "appraisal.xlsx" and f.sheet == SO
        formula = corpus.APPRAISAL_FORMULAS[case].formula
        # The formula as stored (LibreOffice writes an external link as "[1]Sheet1!A1").
        shown = formula.replace("{row}", cell[1:]) if "[" not in formula else "="
        assert f"công thức {shown}" in f.message, f.message
        assert (f.unit is None) == cell.startswith("A"), f
    assert found[next(c for c, k in cells.items() if k == "division-by-zero-cached-12")].unit == "SKHDT"
    # Only the typed value is used: no formula's cached value (12, 7.5, 9, the reason text) is.
    assert [(a.unit_code, a.criterion, a.score, a.cell) for a in report.appraisals] == [
        ("SKHDT", "1.1", Decimal(18), typed)
    ]
    assert not report.valid
    result = runner.invoke(app, ["check", str(campaign.folder), "-q"])
    assert result.exit_code == ExitCode.FINDINGS and "Traceback" not in result.output
    assert "=1/0" in result.output


def _assert_update_refused(campaign: Campaign, path: Path) -> None:
    before = path.read_bytes()
    result = runner.invoke(app, ["appraisal", str(campaign.folder), "-q", "--update"])
    assert result.exit_code == ExitCode.IO, result.output
    assert "Traceback" not in result.output and "công thức" in result.output and "không bị thay đổi" in result.output
    assert path.read_bytes() == before
    assert list(campaign.folder.glob("appraisal.*.xlsx")) == []


def test_a_formula_in_a_council_cell_is_an_error_at_its_cell_and_its_cached_value_is_never_used(
    campaign: Campaign,
) -> None:
    path, cells, typed = _formula_file(campaign)
    _assert_formula_findings(campaign, cells, typed)
    _assert_update_refused(campaign, path)
    result = runner.invoke(app, ["build", str(campaign.folder), "-q", "-o", str(campaign.folder.parent / "out")])
    assert result.exit_code == ExitCode.FINDINGS and "Traceback" not in result.output


def test_a_formula_with_values_cached_by_libreoffice_is_still_refused(campaign: Campaign, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    path, cells, typed = _formula_file(campaign)
    out = tmp_path / "lo"
    profile = (tmp_path / "lo-profile").as_uri()
    cmd = [soffice, "--headless", f"-env:UserInstallation={profile}", "--convert-to", "xlsx", "--outdir", str(out)]
    subprocess.run([*cmd, str(path)], check=True, capture_output=True, timeout=180)
    shutil.copyfile(out / "appraisal.xlsx", path)
    # LibreOffice computed and stored every formula's value (the self score copied, 12 for =6*2).
    ws = openpyxl.load_workbook(path, data_only=True)[SO]
    constant = next(c for c, k in cells.items() if k == "constant" and c.startswith("G"))
    assert ws[constant].value == 12
    _assert_formula_findings(campaign, cells, typed)
    _assert_update_refused(campaign, path)


def test_a_formula_kept_in_the_orphan_sheet_is_refused_too(campaign: Campaign) -> None:
    from tests import corpus

    done = make_file(campaign, "SKHDT", "SNV")
    enter(done.path, {("SNV", "2"): (4, "Chưa có dịch vụ mức 4")})
    (campaign.folder / "inbox" / "SNV.xlsx").unlink()
    moved = write_appraisal(pipeline.check(campaign), now=NOW, update=True)
    assert moved.orphans == 1
    ws = openpyxl.load_workbook(done.path)[ORPHAN_SHEET]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == "SNV")
    corpus.with_appraisal_formulas(done.path, ORPHAN_SHEET, {f"F{row}": "division-by-zero-cached-12"})
    report = pipeline.check(campaign)
    assert [(f.code, f.sheet, f.cell) for f in report.findings if f.code == "appraisal-formula"] == [
        ("appraisal-formula", ORPHAN_SHEET, f"F{row}")
    ]
    with pytest.raises(OutputError, match="công thức =1/0"):
        write_appraisal(report, now=NOW, update=True)
