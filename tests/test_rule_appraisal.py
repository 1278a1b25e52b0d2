"""The council's file for rule-based criteria (issue 13): it shows the unit's facts and the points they give;
the council changes a fact or the points with a reason (both: the points win, with a warning); the outputs say
which; ``--update`` keeps the council's facts and reads a file written before the fact columns existed."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from egov_xlsx import layout, pipeline
from egov_xlsx.config import CONFIG_NAME
from egov_xlsx.model import Facts
from egov_xlsx.read.appraisal import HEADER_FACT, HEADER_FACT_B, HEADER_SELF_FACTS
from tests.factories import RULES_TOML
from tests.test_rule_forms import _validations
from tests.test_rule_outputs import FILLED, fill

D = Decimal
NOW = datetime(2025, 3, 1, 9, 0, 0)
#: Columns of a rules tier's sheet: G score, H reason, I the unit's facts, J and K the council's.
SCORE, REASON, OWN, A, B = "G", "H", "I", "J", "K"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "rules-2024"
    (folder / layout.INBOX).mkdir(parents=True)
    (folder / CONFIG_NAME).write_text(RULES_TOML, encoding="utf-8")
    fill(folder, FILLED)
    pipeline.make_appraisal(folder, now=NOW)
    return folder


def _rows(path: Path) -> tuple[Any, dict[tuple[str, str], int]]:
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    rows = {(str(r[0].value), str(r[2].value)): r[0].row for r in ws.iter_rows() if r[0].value in ("A", "B")}
    return wb, rows


def _enter(folder: Path, cells: dict[tuple[str, str, str], object]) -> None:
    path = folder / "appraisal.xlsx"
    wb, rows = _rows(path)
    ws = wb.worksheets[0]
    for (unit, code, col), value in cells.items():
        ws[f"{col}{rows[(unit, code)]}"] = value
    wb.save(path)


def _json(outcome: pipeline.BuildOutcome) -> dict[str, Any]:
    data = json.loads((outcome.folder / pipeline.NAMES.json).read_text(encoding="utf-8"), parse_float=Decimal)
    return {u["code"]: u for u in data["tiers"][0]["units"]}


def test_the_appraisal_file_shows_facts_and_their_points(folder: Path) -> None:
    wb, rows = _rows(folder / "appraisal.xlsx")
    ws = wb.worksheets[0]
    header = rows[("A", "1.1")] - 1
    assert [ws[f"{c}{header}"].value for c in (OWN, A, B)] == [HEADER_SELF_FACTS, HEADER_FACT, HEADER_FACT_B]
    assert ws[f"F{rows[('A', '2.1')]}"].value == 2 and ws[f"{OWN}{rows[('A', '2.1')]}"].value == "925/1.000 (92,5%)"
    assert ws[f"{OWN}{rows[('A', '1.1')]}"].value == "Cấp phó là Trưởng ban"
    assert ws[f"{OWN}{rows[('A', '2.3')]}"].value is None  # a plain criterion
    assert not ws[f"{A}{rows[('A', '2.1')]}"].protection.locked and not ws[f"{B}{rows[('A', '2.1')]}"].protection.locked
    validations = _validations(ws)
    assert validations[f"{A}{rows[('A', '1.1')]}"].type == "list"
    assert validations[f"{B}{rows[('A', '2.1')]}"].type == "whole"


def test_the_council_changes_a_fact_and_the_points_follow(folder: Path, tmp_path: Path) -> None:
    _enter(folder, {("A", "2.1", B): 1200, ("A", "2.1", REASON): "Tổng số hồ sơ theo báo cáo của Sở là 1.200",
                    ("B", "1.1", A): "Cấp phó là Trưởng ban", ("B", "1.1", REASON): "Đã có quyết định thành lập"})  # fmt: skip
    outcome = pipeline.build(folder, tmp_path / "out")
    assert outcome.published and [f.code for f in outcome.report.findings] == []
    units = _json(outcome)
    # 925 / 1,200 = 77.08 %: from 70 % -> 1.5 points instead of 2.
    assert units["A"]["scores"]["2.1"] == D("1.5") and units["A"]["self_scores"]["2.1"] == 2
    assert units["A"]["appraised_facts"] == {
        "2.1": {"a": 925, "b": 1200, "percent": D("77.08333333333333333333333333")}
    }
    assert units["B"]["scores"]["1.1"] == 5 and units["B"]["appraised_facts"] == {
        "1.1": {"label": "Cấp phó là Trưởng ban"}
    }
    result = outcome.results.tiers[0].result("A")
    assert result is not None and result.appraised_facts["2.1"] == Facts(a=D(925), b=D(1200))
    wb = openpyxl.load_workbook(outcome.folder / pipeline.NAMES.workbook)
    texts = [c for ws in wb.worksheets for r in ws.iter_rows(values_only=True) for c in r if isinstance(c, str)]
    assert "925/1.200 (77,08%) (thẩm định; đơn vị: 925/1.000 (92,5%))" in texts
    assert "Theo kết quả thực hiện thẩm định: 925/1.200 (77,08%). Tổng số hồ sơ theo báo cáo của Sở là 1.200" in texts


def test_both_changed_the_points_win_with_a_warning(folder: Path, tmp_path: Path) -> None:
    _enter(folder, {("A", "2.1", B): 1200, ("A", "2.1", SCORE): 1, ("A", "2.1", REASON): "Hồ sơ trễ hạn"})
    outcome = pipeline.build(folder, tmp_path / "out")
    found = [f for f in outcome.report.findings if f.code == "appraisal-fact-and-points"]
    assert len(found) == 1 and found[0].cell == f"{SCORE}{_rows(folder / 'appraisal.xlsx')[1][('A', '2.1')]}"
    assert "(925/1.200 (77,08%), cho 1,5 điểm) và điểm thẩm định 1; điểm thẩm định được dùng" in found[0].message
    units = _json(outcome)
    assert units["A"]["scores"]["2.1"] == 1 and "appraised_facts" not in units["A"]
    wb = openpyxl.load_workbook(outcome.folder / pipeline.NAMES.workbook)
    texts = [c for ws in wb.worksheets for r in ws.iter_rows(values_only=True) for c in r if isinstance(c, str)]
    assert "Hội đồng nhập trực tiếp điểm thẩm định. Hồ sơ trễ hạn" in texts


@pytest.mark.parametrize(
    ("cells", "code", "col"),
    [
        ({("A", "1.1", A): "Phó ban"}, "appraisal-fact-invalid", A),
        ({("A", "2.1", B): 900}, "appraisal-fact-invalid", A),  # a = 925 > b = 900
        ({("A", "2.1", B): 0}, "appraisal-fact-invalid", B),
        ({("A", "1.2", A): 2.5}, "appraisal-fact-invalid", A),
        ({("A", "2.3", A): 3}, "appraisal-fact-invalid", A),  # a plain criterion has no facts
        ({("A", "1.2", A): 1}, "appraisal-no-reason", REASON),
    ],
)
def test_a_wrong_council_fact_is_an_error_at_its_cell(
    folder: Path, cells: dict[tuple[str, str, str], object], code: str, col: str
) -> None:
    _enter(folder, cells)
    report = pipeline.check(folder)
    found = [f for f in report.findings if f.code == code]
    unit, criterion, _ = next(iter(cells))
    row = _rows(folder / "appraisal.xlsx")[1][(unit, criterion)]
    assert found and found[0].cell == f"{col}{row}" and found[0].file == "appraisal.xlsx", found
    assert found[0].severity.value == "error" and found[0].unit == unit


def test_update_keeps_the_councils_facts(folder: Path) -> None:
    _enter(folder, {("A", "2.1", B): 1200, ("A", "2.1", REASON): "Theo báo cáo"})
    written = pipeline.make_appraisal(folder, now=NOW, update=True)
    assert written.kept == 1
    wb, rows = _rows(folder / "appraisal.xlsx")
    assert wb.worksheets[0][f"{B}{rows[('A', '2.1')]}"].value == 1200


def test_update_reads_a_file_written_before_the_fact_columns(folder: Path) -> None:
    """A file of the old layout (eight columns, no facts) with a score the council typed: kept by --update,
    which adds the fact columns."""
    path = folder / "appraisal.xlsx"
    wb, rows = _rows(path)
    ws = wb.worksheets[0]
    ws.delete_cols(9, 3)
    ws[f"{SCORE}{rows[('A', '1.2')]}"] = 1
    ws[f"{REASON}{rows[('A', '1.2')]}"] = "Chỉ một văn bản đúng chủ đề"
    wb.save(path)
    assert pipeline.check(folder).findings == ()
    written = pipeline.make_appraisal(folder, now=NOW, update=True)
    assert written.kept == 1
    wb, rows = _rows(path)
    ws = wb.worksheets[0]
    assert ws[f"{SCORE}{rows[('A', '1.2')]}"].value == 1 and ws[f"{OWN}{rows[('A', '1.2')]}"].value == "3"
