"""Several appraising bodies ([[appraisers]], appraised_by): the config, one file per body written and updated,
the files merged by check and build, the findings of a split appraisal, and who appraised what in the outputs."""

from __future__ import annotations

import json
import re
import tomllib
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
from typer.testing import CliRunner

from egov_xlsx import pipeline
from egov_xlsx.cli.commands import ExitCode, app
from egov_xlsx.config import load_campaign, parse_campaign
from egov_xlsx.errors import ConfigError
from egov_xlsx.model import Campaign, Severity
from egov_xlsx.publish.appraisal import AppraisalExists
from egov_xlsx.publish.appraisers import UnknownAppraiser
from egov_xlsx.read.appraisal import ORPHAN_SHEET
from tests.test_appraisal import CONFIG, HUYEN, SO, enter, header_row, submit, table

BODIES = """
[[appraisers]]
code = "STTTT"
name = "Sở Thông tin và Truyền thông"
[[appraisers]]
code = "SNV"
name = "Sở Nội vụ"
"""


def bodies_config() -> str:
    """The single-council test campaign split: group 1 (but 1.3) and C1 to STTTT; 1.3, 2, T1 and tier huyen to SNV."""
    text = BODIES + CONFIG
    text = text.replace('name = "Hạ tầng kỹ thuật"\n', 'name = "Hạ tầng kỹ thuật"\nappraised_by = "STTTT"\n', 1)
    text = text.replace('not_applicable = ["STP"]\n', 'not_applicable = ["STP"]\nappraised_by = "SNV"\n', 1)
    text = text.replace(
        'name = "Dịch vụ công trực tuyến"\n', 'name = "Dịch vụ công trực tuyến"\nappraised_by = "SNV"\n'
    )
    text = text.replace('name = "Điểm thưởng sáng kiến"\n', 'name = "Điểm thưởng sáng kiến"\nappraised_by = "STTTT"\n')
    text = text.replace('name = "Chậm gửi báo cáo"\n', 'name = "Chậm gửi báo cáo"\nappraised_by = "SNV"\n')
    return text.replace('name = "Cổng thông tin"\n', 'name = "Cổng thông tin"\nappraised_by = "SNV"\n')


NOW = datetime(2025, 3, 1, 9, 30, 5)
runner = CliRunner()
STTTT_FILE, SNV_FILE = "appraisal/tham-dinh-STTTT.xlsx", "appraisal/tham-dinh-SNV.xlsx"


@pytest.fixture
def campaign(tmp_path: Path) -> Campaign:
    folder = tmp_path / "thu-2024"
    (folder / "inbox").mkdir(parents=True)
    (folder / "egov.toml").write_text(bodies_config(), encoding="utf-8")
    return load_campaign(folder)


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_campaign(tomllib.loads(text), text=text)
    return [str(p) for p in caught.value.problems]


def make_files(campaign: Campaign, *units: str, update: bool = False, only: str | None = None) -> list[Path]:
    for code in units:
        submit(campaign, code)
    written = pipeline.make_appraisals(campaign, now=NOW, update=update, appraiser=only)
    return [w.path for w in written]


def found(campaign: Campaign) -> list[tuple[str, Severity, str | None, str | None, str | None, str | None]]:
    return [
        (f.code, f.severity, f.file, f.cell, f.unit, f.criterion)
        for f in pipeline.check(campaign).findings
        if (f.file or "").startswith("appraisal")
    ]


# --------------------------------------------------------------------------- config


def test_bodies_and_inherited_assignments_are_read() -> None:
    camp = parse_campaign(tomllib.loads(bodies_config()))
    assert [(a.code, a.name) for a in camp.appraisers] == [
        ("STTTT", "Sở Thông tin và Truyền thông"),
        ("SNV", "Sở Nội vụ"),
    ]
    so, huyen = camp.tiers
    assert {c.code: c.appraised_by for c in so.walk()} == {
        "1": "STTTT",
        "1.1": "STTTT",
        "1.2": "STTTT",
        "1.3": "SNV",
        "2": "SNV",
    }
    assert [(a.code, a.appraised_by) for a in so.adjustments] == [("C1", "STTTT"), ("T1", "SNV")]
    assert huyen.appraiser_of("A") == "SNV"
    assert so.appraiser_of("T1") == "SNV"


def test_without_appraisers_nothing_is_assigned() -> None:
    camp = parse_campaign(tomllib.loads(CONFIG))
    assert camp.appraisers == ()
    assert all(c.appraised_by == "" for t in camp.tiers for c in t.walk())


def test_config_errors_are_located() -> None:
    third = '[[appraisers]]\ncode = "snv"\nname = "Sở Nội vụ (bản sao)"\n'
    found = problems(bodies_config().replace(BODIES, BODIES + third, 1))
    assert found == [
        'dòng 9 (cơ quan thẩm định thứ 3 – snv, khóa code): mã cơ quan thẩm định "snv" bị trùng (đã dùng ở dòng 6) '
        "(không phân biệt chữ hoa, chữ thường: mã dùng làm tên tệp)"
    ], found
    bad = bodies_config().replace('code = "SNV"\nname = "Sở Nội vụ"', 'code = "Sở NV"\nname = "Sở Nội vụ"', 1)
    assert any(p.startswith("dòng 6 ") and 'mã "Sở NV" chỉ được dùng chữ không dấu' in p for p in problems(bad))
    unknown = bodies_config().replace('appraised_by = "SNV"\n', 'appraised_by = "STP"\n', 1)
    assert problems(unknown) == [
        'dòng 36 (khối so, tiêu chí 1.3, khóa appraised_by): không có cơ quan thẩm định mã "STP" trong '
        "[[appraisers]] (có: SNV, STTTT)"
    ]


def test_every_leaf_and_line_must_resolve_to_a_body() -> None:
    text = bodies_config().replace('name = "Hạ tầng kỹ thuật"\nappraised_by = "STTTT"\n', 'name = "Hạ tầng kỹ thuật"\n')
    text = text.replace('name = "Chậm gửi báo cáo"\nappraised_by = "SNV"\n', 'name = "Chậm gửi báo cáo"\n')
    found = problems(text)
    assert len(found) == 1
    assert found[0].startswith("dòng 15 (khối so): chưa có cơ quan thẩm định cho: 1.1, 1.2, T1; ghi appraised_by")


def test_appraised_by_without_appraisers_is_an_error() -> None:
    text = CONFIG.replace('name = "Cổng thông tin"\n', 'name = "Cổng thông tin"\nappraised_by = "SNV"\n')
    found = problems(text)
    assert len(found) == 1
    assert found[0].startswith("dòng 63 (khối huyen, tiêu chí A, khóa appraised_by): chưa khai báo cơ quan thẩm")


# --------------------------------------------------------------------------- writing


def test_one_file_per_body_with_only_its_lines_for_every_unit(campaign: Campaign) -> None:
    paths = make_files(campaign, "SKHDT", "STC", "H1")
    folder = campaign.folder / "appraisal"
    assert paths == [folder / "tham-dinh-STTTT.xlsx", folder / "tham-dinh-SNV.xlsx"]
    assert not (campaign.folder / "appraisal.xlsx").exists()
    stttt = openpyxl.load_workbook(paths[0])
    assert stttt.sheetnames == [SO]  # no line of tier huyen is STTTT's
    assert [(r[0], r[2]) for r in table(paths[0])] == [(u, c) for u in ("SKHDT", "STC") for c in ("1.1", "1.2", "C1")]
    ws = stttt[SO]
    block = [ws.cell(r, c).value for r in range(1, header_row(ws)) for c in (1, 3)]
    assert "Cơ quan thẩm định:" in block and "Sở Thông tin và Truyền thông" in block
    assert stttt.properties.title == "Điểm thẩm định - Sở Thông tin và Truyền thông"
    snv = openpyxl.load_workbook(paths[1])
    assert snv.sheetnames == [SO, HUYEN]
    assert [(r[0], r[2]) for r in table(paths[1])] == [(u, c) for u in ("SKHDT", "STC") for c in ("1.3", "2", "T1")]
    assert [(r[0], r[2]) for r in table(paths[1], HUYEN)] == [("H1", "A")]


def test_existing_files_are_refused_without_update_and_kept_with_it(campaign: Campaign) -> None:
    stttt, snv = make_files(campaign, "SKHDT")
    with pytest.raises(AppraisalExists, match=re.escape("tham-dinh-STTTT.xlsx, appraisal/tham-dinh-SNV.xlsx")):
        pipeline.make_appraisals(campaign, now=NOW)
    enter(stttt, {("SKHDT", "1.1"): (18, "Thiếu minh chứng"), ("SKHDT", "C1"): (2, "Sáng kiến cấp tỉnh")})
    enter(snv, {("SKHDT", "2"): (9, "Một dịch vụ chưa trực tuyến")})
    before = snv.read_bytes()
    written = pipeline.make_appraisals(campaign, now=NOW, update=True, appraiser="STTTT")
    assert [(w.path, w.kept, w.appraiser) for w in written] == [(stttt, 2, "STTTT")]
    assert snv.read_bytes() == before  # only the chosen body's file is rewritten
    assert (stttt.parent / "tham-dinh-STTTT.20250301-093005.xlsx").is_file()
    submit(campaign, "STC")
    written = pipeline.make_appraisals(campaign, now=NOW, update=True)
    assert [w.kept for w in written] == [2, 1]
    rows = {(r[0], r[2]): (r[6], r[7]) for r in table(stttt)}
    assert rows[("SKHDT", "1.1")] == (18, "Thiếu minh chứng")
    assert rows[("SKHDT", "C1")] == (2, "Sáng kiến cấp tỉnh")
    assert rows[("STC", "1.1")] == (None, None)
    assert {(r[0], r[2]): r[6] for r in table(snv)}[("SKHDT", "2")] == 9


def test_a_value_whose_line_moved_to_another_body_is_kept_as_an_orphan(campaign: Campaign) -> None:
    stttt, _ = make_files(campaign, "SKHDT")
    enter(stttt, {("SKHDT", "1.2"): (10, "Mạng chưa tách")})
    text = bodies_config().replace(
        'code = "1.2"\nname = "Mạng nội bộ"\n', 'code = "1.2"\nname = "Mạng nội bộ"\nappraised_by = "SNV"\n'
    )
    (campaign.folder / "egov.toml").write_text(text, encoding="utf-8")
    moved = load_campaign(campaign.folder)
    written = pipeline.make_appraisals(moved, now=NOW, update=True, appraiser="STTTT")
    assert (written[0].kept, written[0].orphans) == (0, 1)
    orphan = table(stttt, ORPHAN_SHEET)[0]
    assert orphan[:7] == ("so", "SKHDT", "Sở Kế hoạch và Đầu tư", "1.2", "Mạng nội bộ", 10, "Mạng chưa tách")
    assert orphan[7] == "Tiêu chí do Sở Nội vụ thẩm định (appraised_by trong egov.toml)"


def test_an_unknown_appraiser_is_refused_before_anything_is_read(campaign: Campaign, tmp_path: Path) -> None:
    with pytest.raises(UnknownAppraiser, match='không có cơ quan thẩm định mã "STP"'):
        pipeline.make_appraisals(campaign, now=NOW, appraiser="STP")
    single = tmp_path / "single"
    (single / "inbox").mkdir(parents=True)
    (single / "egov.toml").write_text(CONFIG, encoding="utf-8")
    with pytest.raises(UnknownAppraiser, match="không khai báo cơ quan thẩm định nào"):
        pipeline.make_appraisals(single, now=NOW, appraiser="SNV")
    result = runner.invoke(app, ["appraisal", str(campaign.folder), "--appraiser", "STP", "-q"])
    assert result.exit_code == ExitCode.USAGE
    assert not (campaign.folder / "appraisal").exists()


def test_cli_writes_each_body_then_refuses_then_updates_one(campaign: Campaign) -> None:
    submit(campaign, "SKHDT")
    result = runner.invoke(app, ["appraisal", str(campaign.folder), "-q"])
    assert result.exit_code == 0, result.output
    assert "tham-dinh-STTTT.xlsx (3 dòng)" in result.output
    assert "tham-dinh-SNV.xlsx (3 dòng)" in result.output
    result = runner.invoke(app, ["appraisal", str(campaign.folder), "-q"])
    assert result.exit_code == ExitCode.IO
    result = runner.invoke(app, ["appraisal", str(campaign.folder), "--update", "--appraiser", "SNV", "-q"])
    assert result.exit_code == 0, result.output
    assert "tham-dinh-SNV.xlsx" in result.output and "STTTT" not in result.output
    assert "Tệp cũ được sao lưu thành tham-dinh-SNV.20" in result.output


# --------------------------------------------------------------------------- merging and findings


def test_check_and_build_merge_the_bodies_files(campaign: Campaign, tmp_path: Path) -> None:
    stttt, snv = make_files(campaign, "SKHDT", "STC", "STP", "SNV", "H1", "H2")
    enter(stttt, {("STC", "1.1"): (10, "Máy tính cũ"), ("SNV", "C1"): (5, "Sáng kiến")})
    enter(snv, {("STC", "2"): (4, "Hai dịch vụ lỗi"), ("SKHDT", "T1"): (-3, "Chậm báo cáo")})
    enter(snv, {("H1", "A"): (10, "Đủ minh chứng")}, sheet=HUYEN)
    report = pipeline.check(campaign)
    assert report.valid, [f.message for f in report.findings if f.is_error]
    assert sorted((a.unit_code, a.criterion, a.score, a.appraiser) for a in report.appraisals) == [
        ("H1", "A", Decimal(10), "SNV"),
        ("SKHDT", "T1", Decimal(-3), "SNV"),
        ("SNV", "C1", Decimal(5), "STTTT"),
        ("STC", "1.1", Decimal(10), "STTTT"),
        ("STC", "2", Decimal(4), "SNV"),
    ]
    out = tmp_path / "out"
    outcome = pipeline.build(campaign, out)
    assert outcome.published
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert data["appraisers"] == [
        {"code": "STTTT", "name": "Sở Thông tin và Truyền thông"},
        {"code": "SNV", "name": "Sở Nội vụ"},
    ]
    so = data["tiers"][0]
    assert {c["code"]: c["appraised_by"] for c in so["criteria"]} == {
        "1": "STTTT",
        "1.1": "STTTT",
        "1.2": "STTTT",
        "1.3": "SNV",
        "2": "SNV",
    }
    units = {u["code"]: u for u in so["units"]}
    # STC: 18 + 12 + 12 + 8 self-assessed; 1.1 appraised 10, 2 appraised 4 -> 10 + 12 + 12 + 4 = 38
    assert units["STC"]["total"] == 38
    assert units["STC"]["appraised_by"] == {"1.1": "STTTT", "2": "SNV"}
    assert units["SKHDT"]["appraised_by"] == {"T1": "SNV"}
    # SNV: 35 self-assessed + 5 bonus
    assert units["SNV"]["total"] == 40
    assert units["SNV"]["appraised_by"] == {"C1": "STTTT"}
    assert "appraised_by" not in units["STP"]
    huyen = {u["code"]: u for u in data["tiers"][1]["units"]}
    assert huyen["H1"]["appraised_by"] == {"A": "SNV"}

    # The workbook's appraisal sheet: a last column with the body's name.
    ws = openpyxl.load_workbook(out / "ket-qua-xep-hang.xlsx")[f"Thẩm định - {SO}"]
    rows = [r for r in ws.iter_rows(values_only=True) if r and r[0] is not None]
    header = next(i for i, r in enumerate(rows) if r[0] == "STT")
    assert rows[header][-1] == "Cơ quan thẩm định"
    assert [(r[1], r[2], r[6], r[9]) for r in rows[header + 1 :]] == [
        # rank order: SKHDT 57/60, SNV 40/60, STC 38/60 (STP, 45/45, has nothing appraised)
        ("Sở Kế hoạch và Đầu tư", "T1", -3, "Sở Nội vụ"),
        ("Sở Nội vụ", "C1", 5, "Sở Thông tin và Truyền thông"),
        ("Sở Tài chính", "1.1", 10, "Sở Thông tin và Truyền thông"),
        ("Sở Tài chính", "2", 4, "Sở Nội vụ"),
    ]
    # The cards and the results page say who appraised each change.
    card = "\n".join(para.text for para in docx.Document(str(out / "phieu-ket-qua.docx")).paragraphs)
    assert "- 1.1. Máy tính: đơn vị tự chấm 18, thẩm định 10 điểm (Sở Thông tin và Truyền thông thẩm định). " in card
    assert "- T1. Chậm gửi báo cáo: -3 điểm (Sở Nội vụ thẩm định). Lý do: Chậm báo cáo." in card
    page = (out / "ket-qua.html").read_text(encoding="utf-8")
    assert "thẩm định 10 (Sở Thông tin và Truyền thông thẩm định). Lý do: Máy tính cũ." in page


def test_announcement_templates_see_who_appraised_what(campaign: Campaign, tmp_path: Path) -> None:
    stttt, snv = make_files(campaign, "SKHDT", "STC", "STP", "SNV", "H1", "H2")
    enter(stttt, {("STC", "1.1"): (10, "Máy tính cũ")})
    enter(snv, {("SKHDT", "T1"): (-3, "Chậm báo cáo")})
    (campaign.folder / "templates").mkdir()
    (campaign.folder / "templates" / "thong-bao.txt.j2").write_text(
        "{% for t in tiers %}{% for r in t.units %}{% for code in r.appraised_by %}"
        "{{ r.unit.code }} {{ code }}: {{ campaign.appraisers[r.appraised_by[code]] }}\n"
        "{% endfor %}{% endfor %}{% endfor %}",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert pipeline.build(campaign, out).published
    text = (out / "thong-bao.txt").read_text(encoding="utf-8")
    assert "SKHDT T1: Sở Nội vụ" in text
    assert "STC 1.1: Sở Thông tin và Truyền thông" in text
    assert "SKHDT 1.1" not in text and "STC T1" not in text


def test_split_appraisal_findings_are_located(campaign: Campaign) -> None:
    stttt, snv = make_files(campaign, "SKHDT", "STC")
    # STTTT's file gets a row for 2 (SNV's) typed in by hand: copy SKHDT's 1.2 row and change its code.
    wb = openpyxl.load_workbook(stttt)
    ws = wb[SO]
    rows = {(ws.cell(r, 1).value, ws.cell(r, 3).value): r for r in range(header_row(ws) + 1, ws.max_row + 1)}
    ws.protection.sheet = False
    ws.cell(rows[("SKHDT", "1.2")], 3).value = "2"
    ws.cell(rows[("SKHDT", "1.2")], 7).value = 7
    ws.cell(rows[("SKHDT", "1.2")], 8).value = "Theo STTTT"
    ws.cell(rows[("STC", "1.2")], 3).value = "T1"
    ws.cell(rows[("STC", "1.2")], 7).value = -1
    ws.cell(rows[("STC", "1.2")], 8).value = "Theo STTTT"
    wb.save(stttt)
    enter(snv, {("SKHDT", "2"): (8, "Theo SNV")})
    (campaign.folder / "appraisal" / "tham-dinh-STP.xlsx").write_bytes(b"x")
    (campaign.folder / "appraisal" / "~$tham-dinh-SNV.xlsx").write_bytes(b"x")  # Excel's lock file: skipped
    two_bodies = rows[("SKHDT", "1.2")]
    not_assigned = rows[("STC", "1.2")]
    snv_row = header_row(openpyxl.load_workbook(snv)[SO]) + 2  # SKHDT's second line (2) in SNV's file
    result = found(campaign)
    assert ("appraisal-two-bodies", Severity.ERROR, STTTT_FILE, f"G{two_bodies}", "SKHDT", "2") in result
    assert ("appraisal-not-assigned", Severity.ERROR, STTTT_FILE, f"G{not_assigned}", "STC", "T1") in result
    assert ("appraisal-unknown-file", Severity.WARNING, "appraisal/tham-dinh-STP.xlsx", None, None, None) in result
    assert len(result) == 3, result
    report = pipeline.check(campaign)
    message = next(f.message for f in report.findings if f.code == "appraisal-two-bodies")
    assert message == (
        f'Ô G{two_bodies} (trang "{SO}") của {STTTT_FILE}: Sở Thông tin và Truyền thông ghi điểm cho 2 của đơn vị '
        f"SKHDT, trong khi Sở Nội vụ (cơ quan được giao) đã ghi điểm ở ô G{snv_row} của {SNV_FILE}. Chỉ Sở Nội vụ "
        f"chấm tiêu chí này: xóa giá trị ở {STTTT_FILE}."
    )
    # The body's own value is used; the other's is not.
    assert [(a.unit_code, a.criterion, a.score, a.appraiser) for a in report.appraisals] == [
        ("SKHDT", "2", Decimal(8), "SNV")
    ]
    held = pipeline.appraisal_errors(report)
    assert held == {
        "SKHDT": f"điểm thẩm định còn lỗi ở ô G{two_bodies} của {STTTT_FILE}",
        "STC": f"điểm thẩm định còn lỗi ở ô G{not_assigned} của {STTTT_FILE}",
    }


def test_findings_of_one_body_file_name_that_file(campaign: Campaign) -> None:
    _, snv = make_files(campaign, "SKHDT")
    enter(snv, {("SKHDT", "2"): (12, "Quá điểm")})
    result = found(campaign)
    row = header_row(openpyxl.load_workbook(snv)[SO]) + 2
    assert result == [("appraisal-above-max", Severity.ERROR, SNV_FILE, f"G{row}", "SKHDT", "2")]
    message = next(f.message for f in pipeline.check(campaign).findings if f.code == "appraisal-above-max")
    assert message.startswith(f'Ô G{row} (trang "{SO}") của tệp thẩm định {SNV_FILE} ghi 12,')


def test_a_missing_body_file_is_a_warning_once_the_appraisal_has_started(campaign: Campaign, tmp_path: Path) -> None:
    for code in ("SKHDT", "STC", "STP", "SNV", "H1", "H2"):
        submit(campaign, code)
    assert found(campaign) == []  # no body's file yet: as without appraisal.xlsx
    (stttt,) = [w.path for w in pipeline.make_appraisals(campaign, now=NOW, appraiser="STTTT")]
    enter(stttt, {("STC", "1.1"): (10, "Máy tính cũ")})
    result = found(campaign)
    assert result == [("appraisal-body-missing", Severity.WARNING, SNV_FILE, None, None, None)]
    message = next(f.message for f in pipeline.check(campaign).findings if f.code == "appraisal-body-missing")
    assert "Chưa có tệp thẩm định của Sở Nội vụ (appraisal/tham-dinh-SNV.xlsx)" in message
    assert "egov-xlsx appraisal --appraiser SNV" in message
    # A warning: a final build publishes, SNV's criteria keep the units' own scores.
    out = tmp_path / "out"
    assert pipeline.build(campaign, out).published
    units = {u["code"]: u for u in json.loads((out / "results.json").read_text(encoding="utf-8"))["tiers"][0]["units"]}
    assert units["STC"]["total"] == 42  # 10 + 12 + 12 + 8


def test_an_appraisal_xlsx_beside_the_bodies_files_is_not_read(campaign: Campaign) -> None:
    make_files(campaign, "SKHDT")
    (campaign.folder / "appraisal.xlsx").write_bytes(b"not read")
    assert found(campaign) == [("appraisal-unknown-file", Severity.WARNING, "appraisal.xlsx", None, None, None)]


def test_backups_are_not_unknown_files(campaign: Campaign) -> None:
    make_files(campaign, "SKHDT")
    pipeline.make_appraisals(campaign, now=NOW, update=True)
    names = sorted(p.name for p in (campaign.folder / "appraisal").iterdir())
    assert names == [
        "tham-dinh-SNV.20250301-093005.xlsx",
        "tham-dinh-SNV.xlsx",
        "tham-dinh-STTTT.20250301-093005.xlsx",
        "tham-dinh-STTTT.xlsx",
    ]
    assert found(campaign) == []


def test_a_stray_file_alone_does_not_start_the_appraisal(campaign: Campaign) -> None:
    submit(campaign, "SKHDT")
    (campaign.folder / "appraisal").mkdir()
    (campaign.folder / "appraisal" / "ghi-chu.xlsx").write_bytes(b"x")
    assert found(campaign) == [("appraisal-unknown-file", Severity.WARNING, "appraisal/ghi-chu.xlsx", None, None, None)]


def test_a_hostile_body_name_stays_text(campaign: Campaign, tmp_path: Path) -> None:
    hostile = '=HYPERLINK("http://x","<b>Sở</b> & Nội vụ")'
    text = bodies_config().replace('name = "Sở Nội vụ"\n', f"name = '{hostile}'\n", 1)
    (campaign.folder / "egov.toml").write_text(text, encoding="utf-8")
    camp = load_campaign(campaign.folder)
    for code in ("SKHDT", "STC", "STP", "SNV", "H1", "H2"):
        submit(camp, code)
    _, snv = [w.path for w in pipeline.make_appraisals(camp, now=NOW)]
    ws = openpyxl.load_workbook(snv)[SO]
    label = next(ws.cell(r, 3) for r in range(1, header_row(ws)) if ws.cell(r, 1).value == "Cơ quan thẩm định:")
    assert (label.value, label.data_type) == (hostile, "s")
    enter(snv, {("STC", "2"): (4, "Hai dịch vụ lỗi")})
    out = tmp_path / "out"
    assert pipeline.build(camp, out).published
    sheet = openpyxl.load_workbook(out / "ket-qua-xep-hang.xlsx")[f"Thẩm định - {SO}"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value == hostile]
    assert cells and all(c.data_type == "s" for c in cells)
    page = (out / "ket-qua.html").read_text(encoding="utf-8")
    assert "<b>Sở</b>" not in page
    assert "&lt;b&gt;Sở&lt;/b&gt; &amp; Nội vụ" in page
