"""Outputs of rule-based criteria (issue 13): the detail sheet shows facts and points, results.json carries the
facts, the announcement's views expose them (a ratio's percent)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from egov_xlsx import layout, pipeline
from egov_xlsx.config import CONFIG_NAME
from egov_xlsx.publish.announce_context import tier_view
from tests.factories import RULES_TOML

D = Decimal
FILLED: dict[str, dict[str, object]] = {
    "A": {"G10": "Cấp phó là Trưởng ban", "G11": 3, "G12": "Có", "G14": 925, "H14": 1000, "G15": 1, "H15": 8,
          "D16": 4.5},
    "B": {"G10": "Chưa thành lập", "G11": 9, "G12": "Không", "G14": 1, "H14": 3, "F15": "x", "D16": 5},
}  # fmt: skip


def fill(folder: Path, filled: dict[str, dict[str, object]]) -> None:
    """The tool's forms of ``folder``'s campaign, filled with openpyxl, into its inbox."""
    for form in pipeline.make_forms(folder, folder.parent / "forms"):
        wb = openpyxl.load_workbook(form)
        ws = wb[layout.FORM_SHEET]
        for cell, value in filled[form.name.split(" ")[0]].items():
            ws[cell] = value
        wb.save(folder / layout.INBOX / form.name)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> pipeline.BuildOutcome:
    folder = tmp_path_factory.mktemp("rules") / "rules-2024"
    (folder / layout.INBOX).mkdir(parents=True)
    (folder / CONFIG_NAME).write_text(RULES_TOML, encoding="utf-8")
    fill(folder, FILLED)
    outcome = pipeline.build(folder, folder.parent / "out")
    assert outcome.published and [f.code for f in outcome.report.findings] == []
    return outcome


def test_results_json_carries_the_facts(built: pipeline.BuildOutcome) -> None:
    data = json.loads((built.folder / pipeline.NAMES.json).read_text(encoding="utf-8"), parse_float=Decimal)
    tier = data["tiers"][0]
    assert [c.get("rule") for c in tier["criteria"]] == [
        None,
        "levels",
        "count",
        "yes_no",
        None,
        "ratio",
        "ratio",
        None,
    ]
    units = {u["code"]: u for u in tier["units"]}
    assert units["A"]["facts"] == {
        "1.1": {"label": "Cấp phó là Trưởng ban"},
        "1.2": {"count": 3},
        "1.3": {"label": "Có"},
        "2.1": {"a": 925, "b": 1000, "percent": D("92.5")},
        "2.2": {"a": 1, "b": 8, "percent": D("12.5")},
    }
    assert units["A"]["scores"]["2.2"] == D("0.38") and units["A"]["total"] == D("14.38")
    assert units["B"]["facts"]["2.1"] == {"a": 1, "b": 3, "percent": D("33.33333333333333333333333333")}
    assert "2.2" not in units["B"]["facts"] and units["B"]["not_applicable"] == ["2.2"]


def test_the_detail_sheet_shows_facts_beside_points(built: pipeline.BuildOutcome) -> None:
    wb = openpyxl.load_workbook(built.folder / pipeline.NAMES.workbook)
    ws = next(wb[name] for name in wb.sheetnames if "chi tiết" in name.casefold() or "Chi tiết" in name)
    header = next(r for r in ws.iter_rows(values_only=True) if r[0] == "Xếp hạng")
    assert header[2:14] == (
        "1. Chỉ đạo, điều hành",
        "1.1. Ban chỉ đạo chuyển đổi số",
        "1.1. Kết quả thực hiện",
        "1.2. Văn bản chỉ đạo về chuyển đổi số ban hành trong năm",
        "1.2. Kết quả thực hiện",
        "1.3. Kiến trúc Chính quyền điện tử được phê duyệt",
        "1.3. Kết quả thực hiện",
        "2. Dịch vụ công",
        "2.1. Tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến",
        "2.1. Kết quả thực hiện",
        "2.2. Tỷ lệ kinh phí chi cho chuyển đổi số",
        "2.2. Kết quả thực hiện",
    )
    row_a = next(r for r in ws.iter_rows(values_only=True) if r[1] == "Đơn vị A")
    assert row_a[3:7] == (5, "Cấp phó là Trưởng ban", 1.5, "3")
    assert row_a[10:14] == (2, "925/1.000 (92,5%)", 0.38, "1/8 (12,5%)")


def test_announcement_views_expose_the_facts(built: pipeline.BuildOutcome) -> None:
    view = tier_view(built.results.tiers[0])
    a = next(r for r in view.units if r.unit.code == "A")
    assert a.facts["2.1"].percent == D("92.5") and a.facts["2.1"].text == "925/1.000 (92,5%)"
    assert a.facts["1.1"].label == "Cấp phó là Trưởng ban" and a.facts["1.2"].a == 3


def test_b_zero_not_applicable_is_published_with_its_facts(tmp_path: Path) -> None:
    folder = tmp_path / "rules-2024"
    (folder / layout.INBOX).mkdir(parents=True)
    (folder / CONFIG_NAME).write_text(RULES_TOML, encoding="utf-8")
    fill(folder, {"A": FILLED["A"], "B": {**FILLED["B"], "F15": None, "G15": 0, "H15": 0}})
    outcome = pipeline.build(folder, tmp_path / "out")
    assert outcome.published and [f.code for f in outcome.report.findings] == []
    data = json.loads((outcome.folder / pipeline.NAMES.json).read_text(encoding="utf-8"), parse_float=Decimal)
    b = next(u for u in data["tiers"][0]["units"] if u["code"] == "B")
    assert b["not_applicable"] == ["2.2"] and b["facts"]["2.2"] == {"a": 0, "b": 0, "percent": None}
    assert b["max"] == 20 and "2.2" not in b["scores"]
