"""The administrative-reform sample (samples/cchc-2024): eight areas summing to 100, the survey's 30 points
scored by the council and imported from survey.csv. Built end to end through the command line: forms, import,
check, build; the figures below are worked out by hand from scores.csv and survey.csv."""

from __future__ import annotations

import json
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
from typer.testing import CliRunner

from egov_xlsx import layout
from egov_xlsx.cli.commands import app
from tests.conftest import REPO

SAMPLE = REPO / "samples" / "cchc-2024"
runner = CliRunner()
D = Decimal


def _run(*args: str) -> str:
    done = runner.invoke(app, list(args))
    assert done.exit_code == 0, done.output
    return done.output


def test_cchc_sample_builds_from_forms_through_the_survey_import_to_the_decision(tmp_path: Path) -> None:
    folder = tmp_path / "cchc-2024"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("forms", "imports"))
    _run("forms", str(folder))
    ws = openpyxl.load_workbook(folder / "forms" / "SNV - So Noi vu.xlsx")[layout.FORM_SHEET]
    codes = {str(ws.cell(r, 1).value): ws.cell(r, 3).value for r in range(layout.FIRST_DATA_ROW, ws.max_row + 1)}
    assert "8.1" not in codes and "8.1.1" not in codes and codes["8"] == 5  # the survey is not on the form

    before = (folder / "survey.csv").read_bytes()
    assert before.startswith(b"\xef\xbb\xbf") and b";" in before  # as Vietnamese Excel saves "CSV UTF-8"
    output = _run("import", str(folder), str(folder / "survey.csv"))
    assert "Đã nhập 36 giá trị của 18 đơn vị cho tiêu chí 8.1.1, 8.1.2" in output
    assert (folder / "survey.csv").read_bytes() == before == (folder / "imports" / "8.1.1 - survey.csv").read_bytes()

    _run("check", str(folder), "-q")
    out = tmp_path / "out"
    _run("build", str(folder), "-o", str(out), "-q")
    data = json.loads((out / "results.json").read_text(encoding="utf-8"), parse_float=Decimal)
    units: dict[str, dict[str, Any]] = {u["code"]: u for u in data["tiers"][0]["units"]}

    # Văn phòng UBND tỉnh: 9,5 + 6,5 + 13 + 6,5 + 9,5 + 6,5 + 9,5 + 5 = 66 on its form, 11,25 + 16,8 = 28,05 surveyed
    top = units["VPUBND"]
    assert (top["total"], top["rank"], top["band"]) == (D("94.05"), 1, "Xuất sắc")
    assert top["scores"]["8.1"] == D("28.05") and top["scores"]["8"] == D("33.05")
    assert top["sources"] == {"8.1.1": "survey.csv", "8.1.2": "survey.csv"}
    # Sở TT&TT: 64 + 10,2 + 15,6 = 89,8: just under Xuất sắc (90)
    assert (units["STTTT"]["total"], units["STTTT"]["rank"], units["STTTT"]["band"]) == (D("89.8"), 4, "Tốt")
    # Sở Xây dựng 55 + 23,75 and Sở NN&PTNT 55,5 + 23,25 both 78,75; area 8 splits them: 27,75 against 27,25
    assert (units["SXD"]["total"], units["SXD"]["rank"]) == (D("78.75"), 10)
    assert (units["SNNPTNT"]["total"], units["SNNPTNT"]["rank"]) == (D("78.75"), 11)
    # Ban Dân tộc: 43 + 7,5 + 11,85 = 62,35, the lowest
    assert (units["BDT"]["total"], units["BDT"]["rank"], units["BDT"]["band"]) == (D("62.35"), 18, "Trung bình")
    counts = {
        name: sum(u["band"] == name for u in units.values()) for name in ("Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu")
    }
    assert counts == {"Xuất sắc": 3, "Tốt": 5, "Khá": 7, "Trung bình": 3, "Yếu": 0}

    text = (out / "thong-bao.txt").read_text(encoding="utf-8")
    assert text.startswith("Kết quả xác định Chỉ số cải cách hành chính năm 2024 của các sở, ban, ngành tỉnh Mẫu")
    assert "30 điểm qua điều tra xã hội học" in text
    assert (
        "3 đơn vị xếp loại Xuất sắc, 5 đơn vị xếp loại Tốt, 7 đơn vị xếp loại Khá, 3 đơn vị xếp loại Trung bình" in text
    )
    with zipfile.ZipFile(out / "quyet-dinh.docx") as docx:
        decision = docx.read("word/document.xml").decode("utf-8")
    assert "Phê duyệt và công bố Chỉ số cải cách hành chính năm 2024" in decision
    assert "Bộ Nội vụ (để b/c)" in decision
