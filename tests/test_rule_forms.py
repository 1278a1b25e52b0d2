"""Forms of rule-based criteria (issue 13): fact cells, dropdowns, number validations, the rule in words and a
points formula; long level lists on the tool's own list sheet; the validations survive LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from egov_xlsx import layout
from egov_xlsx.forms import write_form
from egov_xlsx.model import Campaign
from egov_xlsx.read.form_parser import read_form
from tests.factories import RULES_TOML, campaign_from, source

#: Columns of the rules campaign's form: F "Không áp dụng" (2.2 may be), then a, b and the rule in words.
A, B, WORDS = "G", "H", "I"
ROWS = {"1.1": 10, "1.2": 11, "1.3": 12, "2.1": 14, "2.2": 15, "2.3": 16}


def _form(tmp_path: Path, text: str = RULES_TOML) -> tuple[Campaign, Path]:
    campaign = campaign_from(text)
    tier = campaign.tiers[0]
    path = tmp_path / "A.xlsx"
    write_form(campaign, tier, tier.units[0], path)
    return campaign, path


def _validations(ws: Any) -> dict[str, Any]:
    """Cell -> its validation (one validation may cover several cells)."""
    from openpyxl.utils import get_column_letter

    return {
        f"{get_column_letter(col)}{row}": v
        for v in ws.data_validations.dataValidation
        for rng in v.sqref.ranges
        for row, col in rng.cells
    }


def test_fact_columns_formulas_and_words(tmp_path: Path) -> None:
    _, path = _form(tmp_path)
    ws = openpyxl.load_workbook(path)[layout.FORM_SHEET]
    assert [ws.cell(layout.HEADER_ROW, c).value for c in range(6, 10)] == [
        layout.HEADER_NA,
        layout.HEADER_FACT,
        layout.HEADER_FACT_B,
        layout.HEADER_RULE,
    ]
    assert ws["D10"].value == '=IF(G10="Thủ trưởng cơ quan là Trưởng ban",10,IF(G10="Cấp phó là Trưởng ban",5,0))'
    assert ws["D11"].value == "=MIN(ROUND(N(G11)*0.5,2),2)"
    assert ws["D12"].value == '=IF(G12="Có",1,0)'
    assert ws["D14"].value == (
        "=IF(N(H14)>0,IF(N(G14)*100>=90*H14,2,IF(N(G14)*100>=70*H14,1.5,IF(N(G14)*100>50*H14,1,0))),0)"
    )
    assert ws["D15"].value == "=IF(N(H15)>0,MIN(ROUND(N(G15)/H15*3,2),3),0)"
    assert ws["D16"].value is None  # a plain criterion: the unit types its score
    assert ws[f"{WORDS}11"].value == "Nhập Số văn bản (số nguyên, từ 0). Điểm = Số văn bản × 0,5, không quá 2 điểm."
    # The facts are the inputs; the computed points are not.
    for code, row in ROWS.items():
        assert ws[f"D{row}"].protection.locked == (code != "2.3")
        assert ws[f"{A}{row}"].protection.locked == (code == "2.3")
        assert ws[f"{B}{row}"].protection.locked == (code not in ("2.1", "2.2"))
    assert "nhập kết quả thực hiện ở cột G (tỷ lệ: a ở cột G, b ở cột H)" in ws["A7"].value


def test_dropdowns_and_number_validations_stop_wrong_input(tmp_path: Path) -> None:
    _, path = _form(tmp_path)
    found = _validations(openpyxl.load_workbook(path)[layout.FORM_SHEET])
    assert found["G10"].type == "list"
    assert found["G10"].formula1 == '"Thủ trưởng cơ quan là Trưởng ban,Cấp phó là Trưởng ban,Chưa thành lập"'
    assert found["G12"].type == "list" and found["G12"].formula1 == '"Có,Không"'
    assert (found["G11"].type, found["G11"].operator, found["G11"].formula1) == ("whole", "greaterThanOrEqual", "0")
    assert found["G14"].type == found["H14"].type == "whole"
    assert found["G15"].type == found["H15"].type == "decimal"
    assert all(v.errorStyle in (None, "stop") for v in found.values())
    assert "H10" not in found and "D10" not in found


_LONG = [f"Mức {i}: đơn vị đã triển khai đầy đủ nội dung số {i} theo kế hoạch" for i in range(8)]


def _long_levels() -> str:
    levels = ",\n".join(f'  {{ label = "{label}", points = {i} }}' for i, label in enumerate(_LONG))
    old = RULES_TOML[RULES_TOML.index("levels = [") : RULES_TOML.index("]\n", RULES_TOML.index("levels = [")) + 2]
    return RULES_TOML.replace(old, f"levels = [\n{levels},\n]\n")


def test_a_long_level_list_lives_on_the_tools_list_sheet(tmp_path: Path) -> None:
    _, path = _form(tmp_path, _long_levels())
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [layout.FORM_SHEET, layout.META_SHEET, layout.LIST_SHEET]
    lists = wb[layout.LIST_SHEET]
    assert lists.sheet_state == "hidden" and lists.protection.sheet
    assert [lists.cell(r, 1).value for r in range(1, 10)] == ["1.1", *_LONG]
    assert [lists.cell(r, 2).value for r in range(2, 10)] == list(range(8))
    ws = wb[layout.FORM_SHEET]
    assert _validations(ws)["G10"].formula1 == "egov_lists!$A$2:$A$9"
    assert ws["D10"].value == "=IFERROR(VLOOKUP(G10,egov_lists!$A$2:$B$9,2,FALSE),0)"
    # The reader knows the sheet as the tool's: not a form, not a hidden decoy.
    reading, problems = read_form(source("A.xlsx"), path.read_bytes())
    assert reading is not None and reading.sheet == layout.FORM_SHEET
    assert [f.code for f in problems] == []


def test_forms_of_criteria_without_rules_have_no_fact_columns(tmp_path: Path) -> None:
    from tests.factories import SMALL_TOML

    _, path = _form(tmp_path, SMALL_TOML)
    ws = openpyxl.load_workbook(path)[layout.FORM_SHEET]
    assert ws.max_column == 5 and layout.HEADER_FACT not in [c.value for c in ws[layout.HEADER_ROW]]


def _soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    return path


def resave(path: Path, tmp_path: Path) -> Path:
    """``path`` as LibreOffice saves it back as .xlsx (into a fresh folder)."""
    out = tmp_path / "resaved"
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [_soffice(), f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless",
         "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(path)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return out / path.name


def test_validations_survive_libreoffice(tmp_path: Path) -> None:
    _, path = _form(tmp_path, _long_levels())
    saved = resave(path, tmp_path)
    wb = openpyxl.load_workbook(saved)
    found = _validations(wb[layout.FORM_SHEET])
    assert found["G12"].type == "list" and found["G12"].formula1 == '"Có,Không"'
    assert found["G10"].type == "list" and found["G10"].formula1.replace("'", "").replace("$", "") == (
        "egov_lists!A2:A9"
    )
    for cell in ("G11", "G14", "H14"):
        assert found[cell].type == "whole" and found[cell].formula1 == "0"
    assert found["G15"].type == "decimal"
    assert all(v.errorStyle == "stop" and v.showErrorMessage for v in found.values())
    assert wb[layout.LIST_SHEET].sheet_state == "hidden"


def test_forms_resaved_by_libreoffice_are_filled_and_built(tmp_path: Path) -> None:
    """The whole way: forms made, re-saved by LibreOffice, facts filled in, saved again by LibreOffice (which
    computes the points formulas), then built: the points are the rule's, with no finding."""
    import json
    from decimal import Decimal

    from egov_xlsx import pipeline
    from egov_xlsx.config import CONFIG_NAME

    folder = tmp_path / "rules-2024"
    (folder / layout.INBOX).mkdir(parents=True)
    (folder / CONFIG_NAME).write_text(RULES_TOML, encoding="utf-8")
    filled = tmp_path / "filled"
    filled.mkdir()
    facts = {
        "A": {"G10": "Thủ trưởng cơ quan là Trưởng ban", "G11": 5, "G12": "Có", "G14": 89, "H14": 100,
              "G15": 1, "H15": 8, "D16": 5},
        "B": {"G10": "Chưa thành lập", "G11": 1, "G12": "Không", "G14": 51, "H14": 100, "F15": "x", "D16": 2.5},
    }  # fmt: skip
    for form in pipeline.make_forms(folder, tmp_path / "forms"):
        saved = resave(form, tmp_path)
        assert _validations(openpyxl.load_workbook(saved)[layout.FORM_SHEET])["G12"].formula1 == '"Có,Không"'
        wb = openpyxl.load_workbook(saved)
        ws = wb[layout.FORM_SHEET]
        for cell, value in facts[form.name.split(" ")[0]].items():
            ws[cell] = value
        wb.save(filled / form.name)
    for form in sorted(filled.iterdir()):
        (folder / layout.INBOX / form.name).write_bytes(resave(form, tmp_path / "again").read_bytes())
    outcome = pipeline.build(folder, tmp_path / "out")
    assert outcome.published and [f.code for f in outcome.report.findings] == []
    data = json.loads((tmp_path / "out" / pipeline.NAMES.json).read_text(encoding="utf-8"), parse_float=Decimal)
    units = {u["code"]: u for u in data["tiers"][0]["units"]}
    assert units["A"]["scores"] == {
        "1": 13, "1.1": 10, "1.2": 2, "1.3": 1, "2": Decimal("6.88"), "2.1": Decimal("1.5"),
        "2.2": Decimal("0.38"), "2.3": 5,
    }  # fmt: skip
    assert units["B"]["scores"]["2"] == Decimal("3.5") and units["B"]["not_applicable"] == ["2.2"]


def test_a_blank_form_computed_by_libreoffice_is_still_blank(tmp_path: Path) -> None:
    """LibreOffice computes the points formulas (0 without facts): the form is still one ``form-blank``."""
    from egov_xlsx.rules.form_rules import check_reading

    campaign, path = _form(tmp_path)
    saved = resave(path, tmp_path)
    result = read_form(source("A.xlsx"), saved.read_bytes())
    assert result[0] is not None and result[0].rows[1].score == 0.0  # the computed 0 of 1.1
    assert [f.code for f in check_reading(campaign, result[0]).findings] == ["form-blank"]


def test_the_feedback_copy_of_an_xls_form_carries_the_facts(tmp_path: Path) -> None:
    """A unit's .xls form with a wrong fact gets a fresh form back: its facts in their columns (the wrong one
    marked), the points cells still the form's formulas."""
    from egov_xlsx import pipeline
    from egov_xlsx.config import CONFIG_NAME

    folder = tmp_path / "rules-2024"
    (folder / layout.INBOX).mkdir(parents=True)
    (folder / CONFIG_NAME).write_text(RULES_TOML, encoding="utf-8")
    form = pipeline.make_forms(folder, tmp_path / "forms")[0]
    wb = openpyxl.load_workbook(form)
    ws = wb[layout.FORM_SHEET]
    for cell, value in {"G10": "Phó ban", "G11": 3, "G12": "Có", "G14": 925, "H14": 1000, "G15": 1, "H15": 8,
                        "D16": 4}.items():  # fmt: skip
        ws[cell] = value
    filled = tmp_path / "filled" / form.name
    filled.parent.mkdir()
    wb.save(filled)
    out = tmp_path / "xls"
    subprocess.run(
        [_soffice(), f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless",
         "--convert-to", "xls:MS Excel 97", "--outdir", str(out), str(filled)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (folder / layout.INBOX / f"{form.stem}.xls").write_bytes((out / f"{form.stem}.xls").read_bytes())
    report = pipeline.check(folder)
    assert ("fact-not-in-list", "G10") in [(f.code, f.cell) for f in report.findings]
    written, problems = pipeline.write_feedback(report, tmp_path / "out")
    assert problems == [] and len(written) == 1
    ws = openpyxl.load_workbook(written[0])[layout.FORM_SHEET]
    assert [ws[c].value for c in ("G10", "G11", "G12", "G14", "H14", "G15", "H15", "D16")] == [
        "Phó ban",
        3,
        "Có",
        925,
        1000,
        1,
        8,
        4,
    ]
    assert str(ws["D11"].value).startswith("=MIN(") and str(ws["D14"].value).startswith("=IF(")
