"""Units of one tier on different scales (``[[tiers.groups]]``): a group's form leaves out its excluded criteria,
its maximum is reduced, and the tier ranks on percent of each unit's own maximum or, with
``rank_groups_separately``, within each group, in every output."""

from __future__ import annotations

import json
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from egov_xlsx import layout, pipeline
from egov_xlsx.cli.commands import app
from egov_xlsx.config import load_campaign
from egov_xlsx.errors import ConfigError
from egov_xlsx.forms import form_filename, write_form
from egov_xlsx.model import Campaign, CheckReport
from egov_xlsx.rules.form_rules import check_reading
from egov_xlsx.rules.scoring import score_tier
from tests.factories import campaign_from, reading, submission

D = Decimal
runner = CliRunner()

GROUPS_TOML = """
[campaign]
id = "nhom-2025"
title = "Đánh giá thử nghiệm theo nhóm năm 2025"
province = "Thử"
year = 2025

[[tiers]]
id = "t"
name = "Sở, ban, ngành"
{separate}

[[tiers.groups]]
code = "g1"
name = "Nhóm một"
exclude = ["1.2"]

[[tiers.groups]]
code = "g2"
name = "Nhóm hai"
exclude = ["3", "2.2"]

[[tiers.criteria]]
code = "1"
name = "Tiêu chí một"
[[tiers.criteria.children]]
code = "1.1"
name = "Một chấm một"
max = 10
[[tiers.criteria.children]]
code = "1.2"
name = "Một chấm hai"
max = 10

[[tiers.criteria]]
code = "2"
name = "Tiêu chí hai (không quá 10 điểm)"
max = 10
[[tiers.criteria.children]]
code = "2.1"
name = "Hai chấm một"
max = 8
[[tiers.criteria.children]]
code = "2.2"
name = "Hai chấm hai"
max = 8

[[tiers.criteria]]
code = "3"
name = "Tiêu chí ba"
max = 20

[[tiers.units]]
code = "A"
name = "Đơn vị A"
group = "g1"
[[tiers.units]]
code = "B"
name = "Đơn vị B"
group = "g2"
[[tiers.units]]
code = "C"
name = "Đơn vị C"
{c_group}
[[tiers.units]]
code = "D"
name = "Đơn vị D"
group = "g1"
"""

TOGETHER = GROUPS_TOML.format(separate="", c_group="")
SEPARATE = GROUPS_TOML.format(separate="rank_groups_separately = true", c_group='group = "g1"')

#: What each unit types, by leaf (the leaves its group's form has).
SCORES = {
    "A": {"1.1": 8, "2.1": 6, "2.2": 5, "3": 18},
    "B": {"1.1": 9, "1.2": 10, "2.1": 8},
    "C": {"1.1": 10, "1.2": 10, "2.1": 8, "2.2": 8, "3": 20},
    "D": {"1.1": 5, "2.1": 2, "2.2": 2, "3": 10},
}


# --------------------------------------------------------------------------- the model


def test_a_groups_view_drops_its_criteria_and_recomputes_parents() -> None:
    tier = campaign_from(TOGETHER).tiers[0]
    assert tier.max == 50  # 20 + 10 (capped) + 20
    g1, g2 = tier.views["g1"], tier.views["g2"]
    assert g1.codes == ("1", "1.1", "2", "2.1", "2.2", "3")
    assert g1.criterion("1").max == 10 and g1.max == 40
    # Group two loses 2.2: criterion 2 keeps 2.1 (8), under its cap of 10; and loses 3 entirely.
    assert g2.codes == ("1", "1.1", "1.2", "2", "2.1")
    assert g2.criterion("2").max == 8 and not g2.criterion("2").capped and g2.max == 28
    assert g1.criterion("2").max == 10 and g1.criterion("2").capped
    assert [u.code for u in g1.units] == ["A", "D"] and g1.name == "Sở, ban, ngành – Nhóm một"
    assert tier.view("C") is tier and tier.excluded_for("C") == frozenset()
    assert tier.excluded_for("B") == {"2.2", "3"}
    assert g1.fingerprint != tier.fingerprint != g2.fingerprint
    assert [c.code for c in tier.groups[1].excluded] == ["2.2", "3"]


def test_tiers_without_groups_are_unchanged() -> None:
    tier = campaign_from().tiers[0]
    assert tier.groups == () and tier.views == {} and tier.view("A") is tier


# --------------------------------------------------------------------------- config problems


def _problems(tmp_path: Path, text: str) -> list[str]:
    (tmp_path / "egov.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_campaign(tmp_path)
    return [str(p) for p in err.value.problems]


def test_an_unknown_group_or_criterion_is_located(tmp_path: Path) -> None:
    text = TOGETHER.replace('exclude = ["1.2"]', 'exclude = ["1.9"]').replace('group = "g2"', 'group = "g9"')
    found = _problems(tmp_path, text)
    assert len(found) == 2, found
    assert found == [
        'dòng 16 (khối t, nhóm thứ 1 – g1, khóa exclude, mục thứ 1): không có tiêu chí mã "1.9" trong khối',
        'dòng 60 (khối t, đơn vị thứ 2 – B, khóa group): không có nhóm mã "g9" trong khối (các nhóm: g1, g2)',
    ]


def test_duplicate_groups_and_excluding_everything_are_located(tmp_path: Path) -> None:
    text = TOGETHER.replace('code = "g2"', 'code = "g1"').replace('exclude = ["3", "2.2"]', 'exclude = ["1", "2", "3"]')
    found = _problems(tmp_path, text)
    assert 'dòng 19 (khối t, nhóm thứ 2 – g1, khóa code): mã nhóm "g1" bị trùng (đã dùng ở dòng 14)' in found, found
    assert (
        "dòng 21 (khối t, nhóm thứ 2 – g1, khóa exclude): loại hết mọi tiêu chí của khối: nhóm phải còn ít nhất "
        "một tiêu chí để chấm" in found
    ), found


def test_group_keys_without_groups_are_problems(tmp_path: Path) -> None:
    start, end = TOGETHER.index("[[tiers.groups]]"), TOGETHER.index("[[tiers.criteria]]")
    text = TOGETHER[:start] + "rank_groups_separately = true\n\n" + TOGETHER[end:]
    found = _problems(tmp_path, text)
    assert any("rank_groups_separately" in p and "không có nhóm" in p for p in found), found
    assert sum('nên không dùng được nhóm "g' in p for p in found) == 3, found


def test_ranking_groups_apart_needs_every_unit_in_a_group(tmp_path: Path) -> None:
    text = GROUPS_TOML.format(separate="rank_groups_separately = true", c_group="")
    found = _problems(tmp_path, text)
    assert len(found) == 1 and "mỗi đơn vị cần ghi group" in found[0] and "C" in found[0], found


# --------------------------------------------------------------------------- scoring


def test_ranked_together_on_percent_of_own_maximum() -> None:
    tier = campaign_from(TOGETHER).tiers[0]
    subs = {code: submission(tier, code, scores) for code, scores in SCORES.items()}
    result = score_tier(tier, subs)
    by_code = {r.unit.code: r for r in result.units}
    # By hand: A 8 + min(6 + 5, 10) + 18 = 36 of 40 (90 %); B 9 + 10 + 8 = 27 of 28 (96,43 %);
    # C 20 + 10 + 20 = 50 of 50 (100 %); D 5 + 4 + 10 = 19 of 40 (47,5 %).
    assert [(r.unit.code, r.total, r.max, r.rank) for r in result.units] == [
        ("C", D(50), D(50), 1),
        ("B", D(27), D(28), 2),
        ("A", D(36), D(40), 3),
        ("D", D(19), D(40), 4),
    ]
    assert by_code["B"].scores == {"1.1": 9, "1.2": 10, "1": 19, "2.1": 8, "2": 8}
    assert by_code["A"].percent == 90 and by_code["D"].band == "Yếu" and by_code["A"].band == "Tốt"
    assert by_code["B"].not_applicable == frozenset()  # excluded by its group, not marked by the unit


# --------------------------------------------------------------------------- real forms, check and build


def _fill(campaign: Campaign, unit_code: str, scores: dict[str, int], target: Path, made_for: str = "") -> None:
    """The unit's form made by the tool (for ``made_for``'s view when given), filled with openpyxl."""
    found = campaign.find_unit(made_for or unit_code)
    assert found is not None
    tier, _ = found
    unit = tier.unit(unit_code)
    assert unit is not None
    blank = target.with_suffix(".blank.xlsx")
    write_form(campaign, tier.views[tier.unit(made_for).group] if made_for else tier, unit, blank)  # type: ignore[union-attr]
    wb = openpyxl.load_workbook(blank)
    ws = wb[layout.FORM_SHEET]
    for row in ws.iter_rows(min_row=layout.FIRST_DATA_ROW):
        code = str(row[layout.COL_CODE].value or "")
        if code in scores:
            row[layout.COL_SCORE].value = scores[code]
            row[layout.COL_NOTE].value = "Báo cáo số 12/BC"
    wb.save(target)
    blank.unlink()


def _campaign_folder(tmp_path: Path, text: str) -> Path:
    """A campaign folder whose inbox holds every unit's form, made by the tool and filled (its group's leaves)."""
    folder = tmp_path / "nhom-2025"
    (folder / "inbox").mkdir(parents=True)
    (folder / "egov.toml").write_text(text, encoding="utf-8")
    campaign = load_campaign(folder)
    tier = campaign.tiers[0]
    for unit in tier.units:
        leaves = tier.view(unit.code).leaf_codes
        scores = {k: v for k, v in SCORES[unit.code].items() if k in leaves}
        _fill(campaign, unit.code, scores, folder / "inbox" / form_filename(unit))
    return folder


def test_a_grouped_units_form_leaves_out_its_excluded_criteria(tmp_path: Path) -> None:
    campaign = campaign_from(TOGETHER)
    tier = campaign.tiers[0]
    path = tmp_path / "B.xlsx"
    write_form(campaign, tier, tier.units[1], path)
    wb = openpyxl.load_workbook(path)
    ws = wb[layout.FORM_SHEET]
    codes = [r[layout.COL_CODE].value for r in ws.iter_rows(min_row=layout.FIRST_DATA_ROW) if r[layout.COL_MAX].value]
    assert codes[:5] == ["1", "1.1", "1.2", "2", "2.1"] and "3" not in codes and "2.2" not in codes
    meta = {r[0].value: r[1].value for r in wb[layout.META_SHEET].iter_rows()}
    assert meta[layout.META_GROUP] == "g2" and meta[layout.META_FINGERPRINT] == tier.views["g2"].fingerprint
    assert ws["B3"].value == "Sở, ban, ngành – Nhóm hai"
    # A unit in no group gets the whole tree and no group key, as before.
    write_form(campaign, tier, tier.units[2], tmp_path / "C.xlsx")
    meta = {r[0].value: r[1].value for r in openpyxl.load_workbook(tmp_path / "C.xlsx")[layout.META_SHEET].iter_rows()}
    assert layout.META_GROUP not in meta and meta[layout.META_FINGERPRINT] == tier.fingerprint


def test_a_form_of_another_group_and_an_excluded_row_are_findings(tmp_path: Path) -> None:
    folder = tmp_path / "nhom"
    (folder / "inbox").mkdir(parents=True)
    (folder / "egov.toml").write_text(TOGETHER, encoding="utf-8")
    campaign = load_campaign(folder)
    # A fills the form made for group two (B's group): a form of another group.
    _fill(campaign, "A", {"1.1": 8, "1.2": 5, "2.1": 6}, folder / "inbox" / "A.xlsx", made_for="B")
    # B adds a row for criterion 3, which its group does not score, and types 20 in it.
    _fill(campaign, "B", SCORES["B"], folder / "inbox" / "B.xlsx")
    wb = openpyxl.load_workbook(folder / "inbox" / "B.xlsx")
    ws = wb[layout.FORM_SHEET]
    ws.insert_rows(layout.FIRST_DATA_ROW + 5)
    ws.cell(layout.FIRST_DATA_ROW + 5, layout.COL_CODE + 1, "3")
    ws.cell(layout.FIRST_DATA_ROW + 5, layout.COL_NAME + 1, "Tiêu chí ba")
    ws.cell(layout.FIRST_DATA_ROW + 5, layout.COL_MAX + 1, 20)
    ws.cell(layout.FIRST_DATA_ROW + 5, layout.COL_SCORE + 1, 20)
    wb.save(folder / "inbox" / "B.xlsx")
    report = pipeline.check(folder)
    by_unit = {(f.unit, f.code): f for f in report.findings}
    wrong = by_unit[("A", "wrong-group")]
    assert wrong.is_error
    assert 'Biểu được tạo cho đơn vị thuộc nhóm "Nhóm hai", nhưng đơn vị A thuộc nhóm "Nhóm một"; bộ' in wrong.message
    excluded = by_unit[("B", "criterion-excluded")]
    assert excluded.is_error and excluded.cell == f"D{layout.FIRST_DATA_ROW + 5}"
    assert 'tiêu chí 3, tiêu chí này không chấm đối với nhóm "Nhóm hai"' in excluded.message
    assert ("A", "form-stale") not in by_unit and ("B", "row-unexpected") not in by_unit
    # A's feedback copy is its own group's form, made again with what A typed on the other group's form.
    out = tmp_path / "out"
    assert runner.invoke(app, ["build", str(folder), "-o", str(out)]).exit_code == 1
    copy = openpyxl.load_workbook(next((out / "tra-lai").glob("A*.xlsx")))[layout.FORM_SHEET]
    typed = {str(r[0].value): r[layout.COL_SCORE].value for r in copy.iter_rows(min_row=layout.FIRST_DATA_ROW)}
    assert "1.2" not in typed and typed["1.1"] == 8 and typed["2.1"] == 6


def test_an_appraised_score_for_an_excluded_criterion_is_not_used(tmp_path: Path) -> None:
    folder = tmp_path / "nhom"
    (folder / "inbox").mkdir(parents=True)
    (folder / "egov.toml").write_text(TOGETHER, encoding="utf-8")
    campaign = load_campaign(folder)
    for code in ("A", "B"):
        _fill(campaign, code, SCORES[code], folder / "inbox" / f"{code}.xlsx")
    assert runner.invoke(app, ["appraisal", str(folder)]).exit_code == 0
    wb = openpyxl.load_workbook(folder / "appraisal.xlsx")
    ws = wb.worksheets[0]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    header = next(i for i, r in enumerate(rows) if "Mã tiêu chí" in [str(v) for v in r])
    code_col = [str(v) for v in rows[header]].index("Mã tiêu chí")
    lines = [(r[0], r[code_col]) for r in rows[header + 1 :] if r[code_col]]
    # B's rows are its group's leaves only: 1.1, 1.2, 2.1 (no 2.2, no 3).
    assert [c for u, c in lines if u == "B"] == ["1.1", "1.2", "2.1"]
    assert [c for u, c in lines if u == "A"] == ["1.1", "2.1", "2.2", "3"]
    last = ws.max_row + 1
    unit_col = 1
    value_col = [str(v) for v in rows[header]].index("Điểm thẩm định") + 1
    ws.cell(last, unit_col, "B")
    ws.cell(last, code_col + 1, "3")
    ws.cell(last, value_col, 15)
    ws.cell(last, value_col + 1, "Thêm dòng")
    wb.save(folder / "appraisal.xlsx")
    report = pipeline.check(folder)
    found = [f for f in report.findings if f.code == "appraisal-excluded"]
    assert len(found) == 1 and not found[0].is_error and found[0].unit == "B", report.findings
    assert 'không chấm đối với nhóm "Nhóm hai" của đơn vị B' in found[0].message
    results = pipeline.score(report, draft=True)
    assert results.tiers[0].result("B").total == 27  # type: ignore[union-attr]


def _xml_texts(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        return "\n".join(package.read(n).decode("utf-8") for n in package.namelist() if n.endswith(".xml"))


def test_groups_ranked_apart_in_every_output(tmp_path: Path) -> None:
    folder = _campaign_folder(tmp_path, SEPARATE)
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(folder), "-o", str(out), "--cards"])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "results.json").read_text(encoding="utf-8"), parse_float=Decimal)
    # By hand: C types 1.1 = 10 (1.2 is not on its group's form), 2.1 + 2.2 = 16 capped at 10, 3 = 20: 40 of 40.
    # Group one: C 40/40, A 36/40, D 19/40; group two: B 27/28 alone.
    blocks = [(t["id"], t["group"]["code"], t["max"]) for t in data["tiers"]]
    assert blocks == [("t", "g1", 40), ("t", "g2", 28)]
    ranks = [[(u["code"], u["total"], u["rank"], u["group"]["code"]) for u in t["units"]] for t in data["tiers"]]
    assert ranks == [[("C", 40, 1, "g1"), ("A", 36, 2, "g1"), ("D", 19, 3, "g1")], [("B", 27, 1, "g2")]]
    assert [c["code"] for c in data["tiers"][1]["criteria"]] == ["1", "1.1", "1.2", "2", "2.1"]
    assert data["tiers"][1]["group"]["exclude"] == ["2.2", "3"]

    sheets = openpyxl.load_workbook(out / "ket-qua-xep-hang.xlsx").sheetnames
    assert sheets[:2] == ["Nhóm một", "Nhóm hai"]
    text = (out / "thong-bao.txt").read_text(encoding="utf-8")
    assert "1. Sở, ban, ngành – Nhóm một\n" in text and "2. Sở, ban, ngành – Nhóm hai\n" in text
    assert (
        "Các đơn vị thuộc nhóm hai được xếp hạng riêng trong nhóm, không chấm các tiêu chí 2.2 (Hai chấm hai) và 3 "
        "(Tiêu chí ba) nên điểm tối đa của nhóm là 28 điểm." in text
    )
    assert "Các đơn vị thuộc nhóm một được xếp hạng riêng trong nhóm, không chấm tiêu chí 1.2 (Một chấm hai)" in text
    decision = _xml_texts(out / "quyet-dinh.docx")
    assert "I. SỞ, BAN, NGÀNH – NHÓM MỘT" in decision and "II. SỞ, BAN, NGÀNH – NHÓM HAI" in decision
    card = _xml_texts(out / "don-vi" / "A - Don vi A.docx")
    assert "2/3 đơn vị được xếp hạng trong nhóm một, khối Sở, ban, ngành" in card
    page = (out / "ket-qua.html").read_text(encoding="utf-8")
    assert page.count("<dt>Xếp hạng trong nhóm</dt>") == 4 and page.count('class="ranking"') == 2

    # Next year's --previous reads the grouped results.json (one block per group under the tier's id).
    later = SEPARATE.replace("year = 2025", "year = 2026").replace("nhom-2025", "nhom-2026")
    folder_2026 = _campaign_folder(tmp_path / "2026", later)
    result = runner.invoke(
        app, ["build", str(folder_2026), "-o", str(tmp_path / "out26"), "--previous", str(out / "results.json")]
    )
    assert result.exit_code == 0, result.output
    again = json.loads((tmp_path / "out26" / "results.json").read_text(encoding="utf-8"))
    assert again["tiers"][0]["units"][1]["previous"]["rank"] == 2


def test_groups_ranked_together_say_so(tmp_path: Path) -> None:
    folder = _campaign_folder(tmp_path, TOGETHER)
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(folder), "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "results.json").read_text(encoding="utf-8"), parse_float=Decimal)
    (tier,) = data["tiers"]
    assert "group" not in tier and [g["code"] for g in tier["groups"]] == ["g1", "g2"]
    units = {u["code"]: u for u in tier["units"]}
    assert [u["code"] for u in tier["units"]] == ["C", "B", "A", "D"]
    assert units["B"]["max"] == 28 and units["B"]["group"] == {"code": "g2", "name": "Nhóm hai"}
    assert "group" not in units["C"]
    text = (out / "thong-bao.txt").read_text(encoding="utf-8")
    assert (
        "Đánh giá theo nhóm: các đơn vị thuộc nhóm một (Đơn vị A và Đơn vị D) không chấm tiêu chí 1.2 (Một chấm hai) "
        "nên điểm tối đa là 40 điểm; các đơn vị thuộc nhóm hai (Đơn vị B) không chấm các tiêu chí 2.2 (Hai chấm hai) "
        "và 3 (Tiêu chí ba) nên điểm tối đa là 28 điểm. Tỷ lệ điểm, xếp loại và xếp hạng của các đơn vị này được tính "
        "trên điểm tối đa của đơn vị." in text
    )


def test_a_form_made_before_the_groups_is_of_another_group() -> None:
    campaign = campaign_from(TOGETHER)
    # A form of the whole tree (no group on its hidden sheet), as made before the groups were configured.
    checked = check_reading(campaign, reading(campaign, "A", {"1.1": 8, "1.2": 5}))
    (wrong,) = [f for f in checked.findings if f.code == "wrong-group"]
    assert 'Biểu được tạo cho đơn vị không thuộc nhóm nào, nhưng đơn vị A thuộc nhóm "Nhóm một"' in wrong.message
    assert checked.submission is None
    # A unit in no group sent a form naming a group.
    checked = check_reading(campaign, reading(campaign, "C", {"1.1": 8}, meta={layout.META_GROUP: "g1"}))
    (wrong,) = [f for f in checked.findings if f.code == "wrong-group"]
    assert 'Biểu được tạo cho đơn vị thuộc nhóm "Nhóm một", nhưng đơn vị C không thuộc nhóm nào' in wrong.message


def test_a_group_without_units_is_a_note_and_no_block(tmp_path: Path) -> None:
    text = SEPARATE.replace('group = "g2"', 'group = "g1"')
    (tmp_path / "egov.toml").write_text(text, encoding="utf-8")
    campaign = load_campaign(tmp_path)
    assert any('nhóm "g2" chưa có đơn vị nào' in n and n.startswith("dòng 18 (") for n in campaign.notes), (
        campaign.notes
    )
    tier = campaign.tiers[0]
    subs = {u.code: submission(tier, u.code, {"1.1": 5}) for u in tier.units}
    results = pipeline.score(CheckReport(campaign, (), (), tuple(subs.values())))
    assert [(t.tier.key, len(t.units)) for t in results.tiers] == [("t/g1", 4)]
