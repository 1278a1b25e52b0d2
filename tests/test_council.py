"""Criteria the council scores (``source = "council"``): the config, forms without them, ``egov-xlsx import`` of
CSV and .xlsx tables, missing and double values, and what the outputs say. Expected figures are worked out by
hand in each test."""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from egov_xlsx import layout, pipeline
from egov_xlsx.cli.commands import app
from egov_xlsx.config import CONFIG_NAME, load_campaign
from egov_xlsx.errors import ConfigError
from egov_xlsx.publish.appraisal import COUNCIL_TEXT, write_appraisal
from tests.test_appraisal import enter, table

D = Decimal
runner = CliRunner()

TOML = """
[campaign]
id = "hd-2024"
title = "Xác định chỉ số thử năm 2024"
province = "Thử"
year = 2024
subject = "cải cách hành chính"

[[tiers]]
id = "so"
name = "Sở, ban, ngành"

[[tiers.criteria]]
code = "1"
name = "Chỉ đạo, điều hành"
[[tiers.criteria.children]]
code = "1.1"
name = "Kế hoạch"
max = 10
[[tiers.criteria.children]]
code = "1.2"
name = "Báo cáo"
max = 10

[[tiers.criteria]]
code = "2"
name = "Tác động"
[[tiers.criteria.children]]
code = "2.1"
name = "Nhiệm vụ được giao"
max = 5
[[tiers.criteria.children]]
code = "2.2"
name = "Điều tra xã hội học"
max = 15
source = "council"

[[tiers.criteria]]
code = "3"
name = "Đo lường trên hệ thống"
source = "council"
[[tiers.criteria.children]]
code = "3.1"
name = "Tỷ lệ hồ sơ trực tuyến"
max = 6
rule = "ratio"
inputs = ["Số hồ sơ trực tuyến", "Tổng số hồ sơ"]
[[tiers.criteria.children]]
code = "3.2"
name = "Phản ánh, kiến nghị"
max = 4

[[tiers.units]]
code = "A"
name = "Sở Ánh sáng"
[[tiers.units]]
code = "B"
name = "Sở Bình minh"
[[tiers.units]]
code = "C"
name = "Sở Cầu vồng"
"""

#: What each unit types on its form (criteria 1.1, 1.2, 2.1): A 19, B 23, C 12 points.
OWN = {"A": {"1.1": 8, "1.2": 7, "2.1": 4}, "B": {"1.1": 9, "1.2": 9, "2.1": 5}, "C": {"1.1": 5, "1.2": 5, "2.1": 2}}
#: The survey (2.2) as Vietnamese Excel saves "CSV UTF-8": a byte-order mark, semicolons, decimal commas.
SURVEY = (
    "\ufeffSTT;Mã đơn vị;Tên đơn vị;Điểm\r\n1;A;Sở Ánh sáng;12,5\r\n2;B;Sở Bình minh;10\r\n3;C;Sở Cầu vồng;7,25\r\n"
)


def make(folder: Path, toml: str = TOML) -> Path:
    """The campaign with every unit's form filled as a unit would (openpyxl)."""
    (folder / "inbox").mkdir(parents=True)
    (folder / CONFIG_NAME).write_text(toml, encoding="utf-8")
    for form in pipeline.make_forms(folder, folder / "forms"):
        wb = openpyxl.load_workbook(form)
        unit = {str(r[0].value): str(r[1].value) for r in wb[layout.META_SHEET].iter_rows()}[layout.META_UNIT]
        ws = wb[layout.FORM_SHEET]
        for row in range(layout.FIRST_DATA_ROW, ws.max_row + 1):
            value = OWN[unit].get(str(ws.cell(row, 1).value))
            if value is not None:
                ws.cell(row, layout.COL_SCORE + 1).value = value
        wb.save(folder / "inbox" / form.name)
    return folder


def measures(path: Path, rows: list[list[Any]] | None = None) -> Path:
    """Criterion 3's table (.xlsx): units by name, 3.1's facts a and b, 3.2's value, one column per code."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Bảng số liệu đo lường năm 2024"])
    ws.append(["Đơn vị", "3.1 a", "3.1 b", "3.2"])
    for row in rows or [["Sở Ánh sáng", 90, 100, 3], ["so binh minh", 50, 100, 4], ["Sở Cầu vồng", 45, 60, 2.5]]:
        ws.append(row)
    wb.save(path)
    return path


def imported(folder: Path, file: Path, *codes: str) -> Any:
    args = ["import", str(folder), str(file)]
    for code in codes:
        args += ["--criterion", code]
    return runner.invoke(app, args)


def results(out: Path, name: str = "results.json") -> dict[str, dict[str, Any]]:
    data = json.loads((out / name).read_text(encoding="utf-8"), parse_float=Decimal)
    return {u["code"]: u for u in data["tiers"][0]["units"]}


# ------------------------------------------------------------------------------------------------- config


def test_source_is_inherited_and_a_rule_child_under_a_council_parent_is_fine(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_text(TOML, encoding="utf-8")
    tier = load_campaign(tmp_path).tiers[0]
    assert tier.council_leaf_codes == {"2.2", "3.1", "3.2"}
    assert tier.criterion("3.1").rule is not None and tier.criterion("3").council
    assert not tier.criterion("2").council and not tier.criterion("2.1").council


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ('source = "council"\n[[tiers.criteria.children]]\ncode = "3.1"', 'source = "hoi-dong"\n[[tiers.criteria.children]]\ncode = "3.1"', 41, '"hoi-dong" không hợp lệ'),
        ('code = "3.2"\nname = "Phản ánh, kiến nghị"\n', 'code = "3.2"\nname = "Phản ánh, kiến nghị"\nsource = "unit"\n', 51, "các tiêu chí con cũng do Hội đồng chấm"),
        ('max = 15\nsource = "council"', 'max = 15\nsource = "council"\nnot_applicable = true', 37, "không đánh dấu"),
    ],
)  # fmt: skip
def test_config_errors_are_located(tmp_path: Path, old: str, new: str, line: int, message: str) -> None:
    assert old in TOML
    (tmp_path / CONFIG_NAME).write_text(TOML.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_campaign(tmp_path)
    [problem] = err.value.problems
    assert problem.line == line and message in str(problem), str(problem)


def test_a_tier_scored_only_by_the_council_is_refused(tmp_path: Path) -> None:
    text = TOML.replace(
        'code = "1"\nname = "Chỉ đạo, điều hành"', 'code = "1"\nname = "Chỉ đạo, điều hành"\nsource = "council"'
    )
    text = text.replace('code = "2"\nname = "Tác động"', 'code = "2"\nname = "Tác động"\nsource = "council"')
    (tmp_path / CONFIG_NAME).write_text(text.replace('max = 15\nsource = "council"', "max = 15"), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_campaign(tmp_path)
    assert [p.key for p in err.value.problems] == ["tiers[0].criteria"]


# -------------------------------------------------------------------------------------------------- forms


def test_the_form_holds_only_the_units_criteria(tmp_path: Path) -> None:
    folder = make(tmp_path / "hd")
    ws = openpyxl.load_workbook(folder / "forms" / "A - So Anh sang.xlsx")[layout.FORM_SHEET]
    rows = {str(ws.cell(r, 1).value): ws.cell(r, 3).value for r in range(layout.FIRST_DATA_ROW, ws.max_row + 1)}
    assert [c for c in rows if c[0].isdigit()] == ["1", "1.1", "1.2", "2", "2.1"]
    assert rows["2"] == 5  # criterion 2 on the form: 2.1 only (5 of its 20 points)
    assert pipeline.check(folder).findings and all(
        f.code == "council-value-missing" for f in pipeline.check(folder).findings
    )


def test_a_form_made_before_a_criterion_became_the_councils_is_stale(tmp_path: Path) -> None:
    folder = make(tmp_path / "hd", TOML.replace('max = 15\nsource = "council"', "max = 15"))
    (folder / CONFIG_NAME).write_text(TOML, encoding="utf-8")
    stale = {f.unit for f in pipeline.check(folder).findings if f.code == "form-stale"}
    assert stale == {"A", "B", "C"}


# ------------------------------------------------------------------------------------------------- import


@pytest.mark.parametrize(
    "content",
    [
        SURVEY.encode("utf-8"),  # Excel "CSV UTF-8" under a Vietnamese locale
        SURVEY.removeprefix("\ufeff").replace(";", ",").replace("12,5", '"12,5"').replace("7,25", '"7,25"').encode(),
        SURVEY.removeprefix("\ufeff").replace("12,5", "12.5").replace("7,25", "7.25").replace("\r\n", "\n").encode(),
    ],
    ids=["bom-semicolon-decimal-comma", "comma-quoted-decimal-comma", "no-bom-decimal-point"],
)
def test_csv_variants_import_the_same_values(tmp_path: Path, content: bytes) -> None:
    folder = make(tmp_path / "hd")
    source = tmp_path / "khảo sát.csv"
    source.write_bytes(content)
    done = imported(folder, source, "2.2")
    assert done.exit_code == 0, done.output
    assert "Đã nhập 3 giá trị của 3 đơn vị cho tiêu chí 2.2" in done.output
    copy = folder / "imports" / "2.2 - khảo sát.csv"
    assert copy.read_bytes() == content == source.read_bytes()  # the copy is the file judged; the source untouched
    values = {(v.unit_code, v.criterion): v.score for v in pipeline.check(folder).council_values}
    assert values == {("A", "2.2"): D("12.5"), ("B", "2.2"): D(10), ("C", "2.2"): D("7.25")}


def test_xlsx_import_by_unit_name_with_a_rule_criterions_facts(tmp_path: Path) -> None:
    folder = make(tmp_path / "hd")
    done = imported(folder, measures(tmp_path / "do-luong.xlsx"))  # no --criterion: one column per code
    assert done.exit_code == 0, done.output
    values = {(v.unit_code, v.criterion): v for v in pipeline.check(folder).council_values}
    # 3.1 = a / b × 6: 90/100 -> 5,4; 50/100 -> 3; 45/60 -> 4,5
    assert {k: v.score for k, v in values.items()} == {
        ("A", "3.1"): D("5.4"), ("A", "3.2"): D(3), ("B", "3.1"): D(3), ("B", "3.2"): D(4),
        ("C", "3.1"): D("4.5"), ("C", "3.2"): D("2.5"),
    }  # fmt: skip
    assert values[("C", "3.1")].facts is not None and values[("C", "3.1")].facts.b == 60
    assert sorted(p.name for p in (folder / "imports").iterdir()) == ["3.1 - do-luong.xlsx", "3.2 - do-luong.xlsx"]


def test_bad_rows_are_located_findings_and_nothing_is_kept(tmp_path: Path) -> None:
    folder = make(tmp_path / "hd")
    bad = "\ufeffMã đơn vị;Điểm\r\nA;abc\r\nB;16\r\nX;5\r\nC;1,23456\r\nC;2\r\nB;-1\r\n"
    source = tmp_path / "survey.csv"
    source.write_bytes(bad.encode("utf-8"))
    done = imported(folder, source, "2.2")
    assert done.exit_code == 1
    from egov_xlsx.publish.imports import import_table

    outcome = import_table(load_campaign(folder), source, ["2.2"])
    found = {(f.code, f.cell) for f in outcome.findings}
    assert found == {
        ("import-not-number", "B2"),
        ("import-above-max", "B3"),
        ("import-unknown-unit", "A4"),
        ("import-decimals", "B5"),
        ("import-above-max", "B7"),
        ("import-units-missing", None),  # A has no usable value
    }
    assert not (folder / "imports").exists() and source.read_bytes() == bad.encode("utf-8")
    assert "Chưa nhập tiêu chí 2.2" in done.output and "B3" in done.output


def test_duplicates_formulas_and_an_unknown_criterion(tmp_path: Path) -> None:
    from egov_xlsx.publish.imports import import_table

    folder = make(tmp_path / "hd")
    path = measures(tmp_path / "m.xlsx", [["Sở Ánh sáng", 90, 100, "=1+2"], ["Sở Ánh sáng", 80, 100, 2]])
    outcome = import_table(load_campaign(folder), path)
    assert {(f.code, f.cell) for f in outcome.findings if f.is_error} == {
        ("import-formula", "D3"),
        ("import-duplicate", "B4"),
    }
    done = imported(folder, path, "1.1")
    assert done.exit_code == 2 and "1.1" in done.output


def test_a_reimport_replaces_the_criterions_copy(tmp_path: Path) -> None:
    folder = make(tmp_path / "hd")
    first, second = tmp_path / "dot-1.csv", tmp_path / "dot-2.csv"
    first.write_bytes(SURVEY.encode("utf-8"))
    second.write_bytes(SURVEY.replace("12,5", "14").encode("utf-8"))
    assert imported(folder, first, "2.2").exit_code == 0
    assert imported(folder, second, "2.2").exit_code == 0
    assert [p.name for p in (folder / "imports").iterdir()] == ["2.2 - dot-2.csv"]
    values = {v.unit_code: v.score for v in pipeline.check(folder).council_values if v.criterion == "2.2"}
    assert values["A"] == 14


# ------------------------------------------------------------------------------------------- check, build


def test_build_scores_council_values_and_says_where_they_came_from(tmp_path: Path) -> None:
    folder = make(tmp_path / "hd")
    (tmp_path / "survey.csv").write_bytes(SURVEY.encode("utf-8"))
    assert imported(folder, tmp_path / "survey.csv", "2.2").exit_code == 0
    assert imported(folder, measures(tmp_path / "do-luong.xlsx")).exit_code == 0
    out = tmp_path / "out"
    done = runner.invoke(app, ["build", str(folder), "-o", str(out), "-q"])
    assert done.exit_code == 0, done.output
    units = results(out)
    # A 19 + 12,5 + 5,4 + 3 = 39,9; B 23 + 10 + 3 + 4 = 40; C 12 + 7,25 + 4,5 + 2,5 = 26,25 (of 50)
    assert {c: (u["total"], u["rank"], u["max"]) for c, u in units.items()} == {
        "A": (D("39.9"), 2, 50), "B": (D(40), 1, 50), "C": (D("26.25"), 3, 50),
    }  # fmt: skip
    assert units["A"]["sources"] == {"2.2": "survey.csv", "3.1": "do-luong.xlsx", "3.2": "do-luong.xlsx"}
    assert "2.2" not in units["A"]["self_scores"] and units["A"]["self_scores"]["1.1"] == 8
    assert units["C"]["facts"]["3.1"] == {"a": 45, "b": 60, "percent": 75}
    ws = openpyxl.load_workbook(out / "ket-qua-xep-hang.xlsx").worksheets[0]
    notes = [str(c.value) for row in ws.iter_rows() for c in row if c.value and "Hội đồng chấm" in str(c.value)]
    assert (
        "Điểm tiêu chí 2.2 do Hội đồng chấm, theo survey.csv.\nĐiểm tiêu chí 3.1 và 3.2 do Hội đồng chấm, theo do-luong.xlsx."
        in notes
    )
    provenance = openpyxl.load_workbook(out / "ket-qua-xep-hang.xlsx")["Nguồn dữ liệu"]
    kept = [r for r in provenance.iter_rows(values_only=True) if r[1] and str(r[1]).startswith("imports/")]
    assert [(r[1], r[6]) for r in kept] == [
        ("imports/2.2 - survey.csv", "Bảng điểm do Hội đồng chấm, tiêu chí 2.2"),
        ("imports/3.1 - do-luong.xlsx", "Bảng điểm do Hội đồng chấm, tiêu chí 3.1"),
        ("imports/3.2 - do-luong.xlsx", "Bảng điểm do Hội đồng chấm, tiêu chí 3.2"),
    ]
    assert kept[0][2] == hashlib.sha256(SURVEY.encode("utf-8")).hexdigest()
    page = (out / "ket-qua.html").read_text(encoding="utf-8")
    assert "Điểm tiêu chí 2.2 do Hội đồng chấm, theo survey.csv." in page
    with zipfile.ZipFile(out / "don-vi" / "A - So Anh sang.docx") as card:
        xml = card.read("word/document.xml").decode("utf-8")
    assert "Nguồn điểm: " in xml and "Điểm tiêu chí 3.1 và 3.2 do Hội đồng chấm, theo do-luong.xlsx." in xml


def test_a_missing_value_blocks_a_final_build_and_a_draft_leaves_it_out(tmp_path: Path) -> None:
    folder = make(tmp_path / "hd")
    (tmp_path / "survey.csv").write_bytes(SURVEY.encode("utf-8"))
    assert imported(folder, tmp_path / "survey.csv", "2.2").exit_code == 0
    final = runner.invoke(app, ["build", str(folder), "-o", str(tmp_path / "out"), "-q"])
    assert final.exit_code == 1 and "council-value-missing" in final.output
    missing = {(f.unit, f.criterion) for f in pipeline.check(folder).findings if f.code == "council-value-missing"}
    assert missing == {(u, c) for u in "ABC" for c in ("3.1", "3.2")}
    draft = runner.invoke(app, ["build", str(folder), "-o", str(tmp_path / "out"), "--draft", "-q"])
    assert draft.exit_code == 0, draft.output
    units = results(tmp_path / "out", "results-du-thao.json")
    # Criterion 3 (10 points) left out of total and maximum: A 19 + 12,5 = 31,5 of 40
    assert (units["A"]["total"], units["A"]["max"], units["A"]["percent"]) == (D("31.5"), 40, D("78.75"))
    assert units["A"]["council_missing"] == ["3.1", "3.2"] and units["A"]["not_applicable"] == []
    ws = openpyxl.load_workbook(tmp_path / "out" / "ket-qua-xep-hang-du-thao.xlsx").worksheets[0]
    texts = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert "Chưa có điểm tiêu chí 3.1 và 3.2 do Hội đồng chấm: bản dự thảo chưa tính vào tổng điểm" in texts
    announcement = (tmp_path / "out" / "thong-bao-du-thao.txt").read_text(encoding="utf-8")
    assert (
        "Tiêu chí do Hội đồng chấm chưa có điểm: Sở Bình minh chưa có điểm tiêu chí 3 (Đo lường trên hệ thống), "
        "điểm tối đa tạm tính của đơn vị là 40 điểm; Sở Ánh sáng chưa có điểm tiêu chí 3" in announcement
    )


def test_the_council_enters_values_in_appraisal_xlsx_without_a_reason_and_not_twice(tmp_path: Path) -> None:
    folder = make(tmp_path / "hd")
    campaign = load_campaign(folder)
    done = write_appraisal(pipeline.check(campaign), now=datetime(2025, 3, 1))
    rows = {(r[0], r[2]): r for r in table(done.path)}
    assert rows[("A", "2.2")][5] == COUNCIL_TEXT and rows[("A", "1.1")][5] == 8
    values = {(u, c): (v, "") for u in "ABC" for c, v in (("2.2", 11), ("3.1", 6), ("3.2", 1))}
    enter(done.path, values)
    report = pipeline.check(campaign)
    assert report.valid, [f.message for f in report.errors]
    assert {v.origin for v in report.council_values} == {"appraisal.xlsx"}
    (tmp_path / "survey.csv").write_bytes(SURVEY.encode("utf-8"))
    assert imported(folder, tmp_path / "survey.csv", "2.2").exit_code == 0
    twice = [f for f in pipeline.check(campaign).findings if f.code == "council-value-twice"]
    assert [(f.unit, f.criterion, f.file) for f in twice] == [
        ("A", "2.2", "appraisal.xlsx"),
        ("B", "2.2", "appraisal.xlsx"),
        ("C", "2.2", "appraisal.xlsx"),
    ]
    assert "survey.csv (12,5)" in twice[0].message


def test_hostile_numbers_in_an_xlsx_table_are_findings_quoted_bounded(tmp_path: Path) -> None:
    from egov_xlsx.publish.imports import import_table

    folder = make(tmp_path / "hd")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Mã đơn vị", "Điểm"])
    ws.append(["A", 1e30])
    ws.append(["B", datetime(2024, 7, 4)])
    ws.append(["C", "9" * 5000])
    wb.save(tmp_path / "t.xlsx")
    outcome = import_table(load_campaign(folder), tmp_path / "t.xlsx", ["2.2"])
    found = {(f.code, f.cell, f.value) for f in outcome.findings if f.is_error}
    assert found == {
        ("import-above-max", "B2", "1E+30"),
        ("import-not-number", "B3", "04/07/2024"),
        ("import-above-max", "B4", "1E+5000"),  # 10^5000 - 1, to 6 significant digits
    }
    assert not (folder / "imports").exists()


def test_repeated_criterion_options_read_their_columns_only(tmp_path: Path) -> None:
    folder = make(tmp_path / "hd")
    done = imported(folder, measures(tmp_path / "do-luong.xlsx"), "3.2", "3.1")
    assert done.exit_code == 0, done.output
    assert "cho tiêu chí 3.2, 3.1" in done.output
    values = {(v.unit_code, v.criterion): v.score for v in pipeline.check(folder).council_values}
    assert values[("B", "3.1")] == 3 and values[("C", "3.2")] == D("2.5")
    only = imported(folder, measures(tmp_path / "lai.xlsx", [["Sở Ánh sáng", 60, 100, 1]]), "3.2")
    assert only.exit_code == 0, only.output  # A's 3.2 only; the others are listed as missing (a warning)
    assert "import-units-missing" in only.output and "chưa có giá trị tiêu chí 3.2 cho 2 đơn vị" in only.output
    assert sorted(p.name for p in (folder / "imports").iterdir()) == ["3.1 - do-luong.xlsx", "3.2 - lai.xlsx"]


def test_with_appraising_bodies_each_enters_its_council_criteria_in_its_own_file(tmp_path: Path) -> None:
    toml = TOML.replace('name = "Chỉ đạo, điều hành"\n', 'name = "Chỉ đạo, điều hành"\nappraised_by = "SNV"\n')
    toml = toml.replace('name = "Tác động"\n', 'name = "Tác động"\nappraised_by = "SNV"\n')
    toml = toml.replace(
        'name = "Đo lường trên hệ thống"\n', 'name = "Đo lường trên hệ thống"\nappraised_by = "SKHCN"\n'
    )
    toml += '\n[[appraisers]]\ncode = "SNV"\nname = "Sở Nội vụ"\n[[appraisers]]\ncode = "SKHCN"\nname = "Sở KH&CN"\n'
    folder = make(tmp_path / "hd", toml)
    campaign = load_campaign(folder)
    written = {w.path.name: w.path for w in pipeline.make_appraisals(campaign, now=datetime(2025, 3, 1))}
    snv, skhcn = written["tham-dinh-SNV.xlsx"], written["tham-dinh-SKHCN.xlsx"]
    # Each body's file holds its own council rows, marked as the council's to enter.
    assert {r[2] for r in table(snv) if r[5] == COUNCIL_TEXT} == {"2.2"}
    assert {r[2] for r in table(skhcn) if r[5] == COUNCIL_TEXT} == {"3.1", "3.2"}
    enter(snv, {(u, "2.2"): (11, "") for u in "ABC"})
    enter(skhcn, {(u, c): (v, "") for u in "AB" for c, v in (("3.1", 6), ("3.2", 1))})
    report = pipeline.check(campaign)
    missing = [f for f in report.findings if f.code == "council-value-missing"]
    # C has no value for criterion 3's leaves: the message sends the clerk to the body's own file.
    assert [(f.unit, f.criterion) for f in missing] == [("C", "3.1"), ("C", "3.2")]
    assert "appraisal/tham-dinh-SKHCN.xlsx" in missing[0].message and "appraisal.xlsx." not in missing[0].message
    enter(skhcn, {("C", "3.1"): (3, ""), ("C", "3.2"): (2, "")})
    report = pipeline.check(campaign)
    assert report.valid, [f.message for f in report.errors]
    values = {(v.unit_code, v.criterion): v.score for v in report.council_values}
    assert values[("A", "2.2")] == D(11) and values[("C", "3.1")] == D(3) and values[("B", "3.2")] == D(1)
