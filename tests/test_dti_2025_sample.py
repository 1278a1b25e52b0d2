"""The DTI sample after the 2025 reorganisation (samples/dti-2025): departments in two groups ranked apart (1.000
points with administrative procedures, 800 without), communes and wards, rule-based criteria of every kind, bands
"lớn hơn X %", two appraising bodies, results published as an index; it builds end to end from the forms through
each body's appraisal to the decision, and its figures hold by hand."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from egov_xlsx import layout
from egov_xlsx.cli.commands import app
from egov_xlsx.config import load_campaign
from egov_xlsx.model.rule import RULE_KINDS
from tests.conftest import REPO
from tests.test_appraisal import enter

SAMPLE = REPO / "samples" / "dti-2025"
D = Decimal
runner = CliRunner()


def test_the_sample_is_a_dti_campaign_after_the_reorganisation() -> None:
    campaign = load_campaign(SAMPLE)
    assert (campaign.subject, campaign.index_name) == ("chuyển đổi số", "Chỉ số chuyển đổi số (DTI)")
    departments, communes = campaign.tiers
    assert len(departments.units) == 14 and len(communes.units) == 20
    assert departments.rank_groups_separately and [g.code for g in departments.groups] == ["co-tthc", "khong-tthc"]
    assert (departments.max, departments.views["khong-tthc"].max) == (1000, 800)
    kinds = {c.rule.kind for t in campaign.tiers for c in t.leaves() if c.rule is not None}
    assert kinds == set(RULE_KINDS)
    assert all(b.exclusive for t in campaign.tiers for b in t.bands[:-1])
    assert campaign.display.index and [a.code for a in campaign.appraisers] == ["SKHCN", "SNV"]
    # Sở Nội vụ appraises the departments' institutions (2) and digital human resources (4); every other leaf and
    # every commune's is Sở Khoa học và Công nghệ's.
    assert {c.code for c in departments.leaves() if c.appraised_by == "SNV"} == {
        c.code for c in departments.leaves() if c.code.split(".")[0] in ("2", "4")
    }
    assert {c.appraised_by for c in communes.leaves()} == {"SKHCN"}


def test_the_sample_builds_from_the_forms_to_the_decision(tmp_path: Path) -> None:
    folder = tmp_path / "dti-2025"
    shutil.copytree(SAMPLE, folder)
    forms = tmp_path / "forms"
    assert runner.invoke(app, ["forms", str(folder), "-o", str(forms)]).exit_code == 0
    # The inspectorate's form (no administrative procedures) has no pillar 7 and totals 800.
    ws = openpyxl.load_workbook(forms / "TTT - Thanh tra tinh.xlsx")[layout.FORM_SHEET]
    codes = [str(r[0].value) for r in ws.iter_rows(min_row=layout.FIRST_DATA_ROW) if r[0].value]
    assert "6.3" in codes and not any(c == "7" or c.startswith("7.") for c in codes)
    assert any(r[layout.COL_MAX].value == 800 for r in ws.iter_rows(min_row=layout.FIRST_DATA_ROW))

    check = runner.invoke(app, ["check", str(folder)])
    assert check.exit_code == 0, check.output
    # Each body gets its own file; Sở Khoa học và Công nghệ lowers the inspectorate's 5.3 (scored by hand).
    appraisal = runner.invoke(app, ["appraisal", str(folder)])
    assert appraisal.exit_code == 0, appraisal.output
    files = sorted(p.name for p in (folder / "appraisal").iterdir())
    assert files == ["tham-dinh-SKHCN.xlsx", "tham-dinh-SNV.xlsx"]
    enter(folder / "appraisal" / "tham-dinh-SKHCN.xlsx", {("TTT", "5.3"): (35, "Chưa tổ chức diễn tập năm 2025")})
    out = tmp_path / "out"
    build = runner.invoke(app, ["build", str(folder), "-o", str(out), "--cards"])
    assert build.exit_code == 0, build.output
    data = json.loads((out / "results.json").read_text(encoding="utf-8"), parse_float=Decimal)
    assert [(t["id"], t.get("group", {}).get("code"), t["max"]) for t in data["tiers"]] == [
        ("so-nganh", "co-tthc", 1000),
        ("so-nganh", "khong-tthc", 800),
        ("xa-phuong", None, 1000),
    ]
    assert data["appraisers"] == [
        {"code": "SKHCN", "name": "Sở Khoa học và Công nghệ"},
        {"code": "SNV", "name": "Sở Nội vụ"},
    ]
    group = data["tiers"][1]["units"]
    ttt = next(u for u in group if u["code"] == "TTT")
    # By hand from facts.csv: 1.1 quarterly meetings 40, 1.2 21 × 1,5 = 31,5 capped at 30, 1.3 yes 30 (100);
    # 2.1 yes 40, 2.2 3 × 10 = 30, 2.3 477,62/12.875,25 = 3,71 % >= 3 % -> 30 (100); 3.1 35/40 = 87,5 % -> 25,
    # 3.2 yes 50, 3.3 4 × 12,5 = 50 (125); 4.1 32/40 = 80 % -> 60, 4.2 part-time 20 (80); 5.1 2.228/2.480 =
    # 89,8 % -> 25, 5.2 yes 50, 5.3 38,5 appraised 35 (110); 6.1 4.224/5.316 × 80 = 63,566 -> 63,57, 6.2 60,
    # 6.3 22/25 = 88 % -> 40 (163,57). Total 678,57 of 800: index 0,8482125 (above 0,75: Tốt).
    assert ttt["scores"]["5"] == D("110") and ttt["scores"]["6.1"] == D("63.57")
    assert ttt["self_scores"]["5.3"] == D("38.5") and ttt["appraised_scores"]["5.3"] == D("35")
    assert ttt["appraised_by"] == {"5.3": "SKHCN"}
    assert (ttt["total"], ttt["max"], ttt["band"], ttt["index"]) == (D("678.57"), 800, "Tốt", D("0.8482125"))
    assert "7" not in ttt["scores"]
    # Ranked within its group of three on the exact index.
    order = sorted(group, key=lambda u: -u["total"] / u["max"])
    assert [u["rank"] for u in order] == [1, 2, 3] and ttt["rank"] == order.index(ttt) + 1

    decision = (out / "quyet-dinh.docx").read_bytes()
    assert len(decision) > 10_000
    text = (out / "thong-bao.txt").read_text(encoding="utf-8")
    assert "0,8482" in text and "678,57/800" in text
    assert "công tác chuyển đổi số" in text and "Chính quyền điện tử" not in text
