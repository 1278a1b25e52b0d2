"""Round-trip tests of the results workbook: write with xlsxwriter, reopen with openpyxl, assert."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import shutil
import subprocess
import unicodedata
import zipfile
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from openpyxl.worksheet.worksheet import Worksheet

from egov_xlsx.config import load_campaign
from egov_xlsx.errors import OutputError
from egov_xlsx.findings import make
from egov_xlsx.model import (
    Adjustment,
    Campaign,
    PreviousStanding,
    Results,
    SourceFile,
    Submission,
    Tier,
    TierResult,
    Unit,
    UnitResult,
)
from egov_xlsx.publish import breakdown, report, sheets, workbook
from egov_xlsx.publish.workbook import write_results_workbook
from egov_xlsx.rules.scoring import score_tier
from egov_xlsx.sheet_names import SheetNames
from egov_xlsx.workbook_files import WORKBOOK_OPTIONS

# xlsxwriter reports a truncated string or an over-long page header as a warning: treat it as a failure.
pytestmark = pytest.mark.filterwarnings("error")

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "samples" / "hung-yen-2018"
FORMULA_NAME = '=HYPERLINK("http://example.com","Bấm vào đây")'

# Sở Kế hoạch và Đầu tư: 417,30 of 500, as published. 2.4.1 + 2.4.2 = 22 is capped at 20.
SKHDT = {
    "1.1": "20", "1.2": "15", "1.3": "15",
    "2.1": "30", "2.2": "15", "2.3": "10", "2.4.1": "12", "2.4.2": "10",
    "3.1": "40", "3.2": "20", "3.3": "10",
    "4.1": "50", "4.2": "47.8",
    "5.1": "30", "5.2": "20", "5.3": "24.5",
    "6.1": "25", "6.2": "25",
}  # fmt: skip
# Share of each leaf's maximum for the other departments; SNV and SNNPTNT tie.
FACTORS = {
    "STTTT": "0.8", "STC": "0.78", "STP": "0.68", "SNV": "0.75", "SNNPTNT": "0.75", "BQLKCN": "0.72",
    "SCT": "0.7", "SGTVT": "0.74", "SGDDT": "0.71", "SYT": "0.69", "STNMT": "0.66",
    "SXD": "0.6", "SLDTBXH": "0.58", "SKHCN": "0.55", "TTT": "0.52",
}  # fmt: skip
FORMULA_UNIT = "SYT"  # renamed to a formula-like name
EXCLUDED = "SVHTTDL"  # no submission: listed under the table of a draft


def _source(code: str) -> SourceFile:
    name = f"{code} - bieu cham diem.xlsx"
    return SourceFile(
        path=Path("inbox") / name,
        name=name,
        size=12345 + len(code),
        sha256=hashlib.sha256(code.encode()).hexdigest(),
        mtime=0.0,
        kind="xlsx",
    )


def _submission(tier: Tier, code: str, scores: Mapping[str, Decimal], **kw: object) -> Submission:
    return Submission(
        tier_id=tier.id,
        unit_code=code,
        source=_source(code),
        form_version="1",
        scores=dict(scores),
        **kw,  # type: ignore[arg-type]
    )


def _scaled(tier: Tier, factor: str) -> dict[str, Decimal]:
    """Each leaf at ``factor`` of its maximum, in half points."""
    f = Decimal(factor)
    return {c.code: (c.max * f * 2).to_integral_value(ROUND_HALF_UP) / 2 for c in tier.leaves()}


def _departments(campaign: Campaign) -> Tier:
    """The sample's department tier with a bonus line, an unranked unit and a formula-like unit name."""
    tier = campaign.tiers[0]
    units = []
    for unit in tier.units:
        if unit.code == "TTT":
            unit = dataclasses.replace(unit, ranked=False, unranked_reason="đơn vị mới kiện toàn tổ chức")
        if unit.code == FORMULA_UNIT:
            unit = dataclasses.replace(unit, name=FORMULA_NAME)
        units.append(unit)
    return dataclasses.replace(
        tier, units=tuple(units), adjustments=(Adjustment("DC", "Điểm cộng", Decimal(0), Decimal(10)),)
    )


def build_results(*, draft: bool = False, previous: bool = True) -> Results:
    """Results of both sample tiers: a tie, a capped parent, N/A criteria, appraisals, a bonus, last year."""
    campaign = load_campaign(SAMPLE)
    dep = _departments(campaign)
    subs: dict[str, Submission] = {"SKHDT": _submission(dep, "SKHDT", {k: Decimal(v) for k, v in SKHDT.items()})}
    for code, factor in FACTORS.items():
        scores = _scaled(dep, factor)
        kw: dict[str, object] = {}
        if code == "STP":  # online public services do not apply to it
            kw["not_applicable"] = frozenset({"4.1", "4.2"})
            scores = {k: v for k, v in scores.items() if not k.startswith("4.")}
        if code == "SCT":
            kw["adjustments"] = {"DC": Decimal("5")}
        subs[code] = _submission(dep, code, scores, **kw)
    appraisals = {"SGTVT": {"3.1": Decimal("35")}, "SCT": {"2.1": Decimal("30.5")}}
    last_year = (
        {
            "SKHDT": PreviousStanding(2017, "SKHDT", 3, Decimal("400"), Decimal("80")),
            "STTTT": PreviousStanding(2017, "STTTT", 1, Decimal("420"), Decimal("84")),
            "STC": PreviousStanding(2017, "STC", 5, Decimal("380"), Decimal("76")),
        }
        if previous
        else {}
    )
    dep_result = score_tier(dep, subs, appraisals=appraisals, excluded={EXCLUDED: "chưa nộp biểu"}, previous=last_year)

    districts = campaign.tiers[1]
    factors = ["0.71", "0.7", "0.66", "0.65", "0.6", "0.6", "0.58", "0.55", "0.52", "0.5"]
    dsubs = {
        u.code: _submission(districts, u.code, _scaled(districts, f))
        for u, f in zip(districts.units, factors, strict=True)
    }
    dist_result = score_tier(districts, dsubs)

    findings = (
        make("score-text-number", file="SKHDT - bieu cham diem.xlsx", sheet="Chấm điểm", cell="D20", value="4,72",
             read="4,72", unit="SKHDT", criterion="4.2"),
        make("unit-missing", unit=EXCLUDED, name="Sở Văn hóa, Thể thao và Du lịch", contact=""),
        make("score-above-max", file="SCT - bieu cham diem.xlsx", sheet="Chấm điểm", cell="D9", value="21",
             max="20", unit="SCT", criterion="1.1"),
    )  # fmt: skip
    campaign = dataclasses.replace(campaign, tiers=(dep, districts))
    return Results(
        campaign=campaign,
        tiers=(dep_result, dist_result),
        findings=findings,
        submissions=(*subs.values(), *dsubs.values()),
        draft=draft,
        previous_year=2017 if previous else None,
        tool_version="0.1.0",
    )


@pytest.fixture(scope="module")
def results() -> Results:
    return build_results()


@pytest.fixture(scope="module")
def book(results: Results, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("wb") / "ket-qua.xlsx"
    write_results_workbook(results, path)
    return path


@pytest.fixture(scope="module")
def wb(book: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(book)


def _row(ws: Worksheet, row: int) -> list[object]:
    return [c.value for c in ws[row]]


def _find_row(ws: Worksheet, col: int, value: object) -> int:
    for row in ws.iter_rows(min_col=col, max_col=col):
        if row[0].value == value:
            return int(row[0].row)
    raise AssertionError(f"{value!r} not found in column {col} of {ws.title}")


def _summary(wb: openpyxl.Workbook) -> Worksheet:
    return wb["Sở, ban, ngành"]


def _header(ws: Worksheet) -> int:
    return _find_row(ws, 1, "STT")


# --------------------------------------------------------------------------- sheet names


def test_sheet_names_are_safe_short_and_unique() -> None:
    names = SheetNames()
    assert names.add("Sở, ban, ngành") == "Sở, ban, ngành"
    assert names.add("a/b\\c[d]e:f*g?h") == "a-b-c-d-e-f-g-h"
    long = names.add("Thống kê - Ủy ban nhân dân cấp huyện")
    assert len(long) <= 31 and long.endswith("…") and long.startswith("Thống kê - Ủy ban")
    assert names.add("SỞ, BAN, NGÀNH") == "SỞ, BAN, NGÀNH (2)"  # Excel ignores case
    again = names.add("Thống kê - Ủy ban nhân dân cấp huyện")
    assert again != long and len(again) <= 31 and again.endswith(" (2)")
    assert names.add("'quoted'") == "quoted"
    assert names.add("") == "Trang"
    assert names.add("History") == "History (2)"
    nfd = unicodedata.normalize("NFD", "Thống kê")
    assert names.add(nfd) == "Thống kê"


def test_sheet_order(wb: openpyxl.Workbook) -> None:
    assert wb.sheetnames == [
        "Sở, ban, ngành",
        "Ủy ban nhân dân cấp huyện",
        "Biểu đồ - Sở, ban, ngành",
        "Biểu đồ - Ủy ban nhân dân cấp…",
        "Chi tiết - Sở, ban, ngành",
        "Chi tiết - Ủy ban nhân dân cấp…",
        "Thẩm định - Sở, ban, ngành",
        "Thống kê - Sở, ban, ngành",
        "Thống kê - Ủy ban nhân dân cấp…",
        "Lỗi, cảnh báo",
        "Nguồn dữ liệu",
    ]


def test_chart_sheets_hold_native_bar_charts(book: Path) -> None:
    with zipfile.ZipFile(book) as z:
        names = z.namelist()
        chart = z.read("xl/charts/chart1.xml").decode()
        workbook_xml = z.read("xl/workbook.xml").decode()
    assert {"xl/charts/chart1.xml", "xl/charts/chart2.xml", "xl/chartsheets/sheet1.xml"} <= set(names)
    assert "<c:barChart>" in chart
    # The 15 ranked units of the 16 scored: the unranked one (listed last in the table) has no bar.
    assert "'Sở, ban, ngành'!$B$7:$B$21" in chart
    assert "'Sở, ban, ngành'!$J$7:$J$21" in chart  # their totals
    assert "Biểu đồ - Sở, ban, ngành" in workbook_xml


# --------------------------------------------------------------------------- summary


def test_summary_title_and_headers(wb: openpyxl.Workbook, results: Results) -> None:
    ws = _summary(wb)
    assert ws["A1"].value == results.campaign.title
    assert ws["A2"].value == "Khối: Sở, ban, ngành"
    assert not any("DỰ THẢO" in str(c.value) for row in ws.iter_rows(max_row=5) for c in row if c.value)
    header = _row(ws, _header(ws))
    assert header == [
        "STT",
        "Đơn vị",
        "1. Hạ tầng kỹ thuật công nghệ thông tin",
        "2. Ứng dụng công nghệ thông tin trong hoạt động của cơ quan",
        "3. Trang/Cổng thông tin điện tử",
        "4. Cung cấp dịch vụ công trực tuyến",
        "5. Cơ chế, chính sách và các quy định cho ứng dụng công nghệ thông tin",
        "6. Nhân lực cho ứng dụng công nghệ thông tin",
        "Điểm cộng",
        "Tổng điểm",
        "Tỷ lệ %",
        "Xếp hạng",
        "Xếp loại",
        "Xếp hạng năm 2017",
        "Thay đổi",
        "Ghi chú",
    ]


def test_summary_max_row(wb: openpyxl.Workbook) -> None:
    ws = _summary(wb)
    row = _row(ws, _header(ws) + 1)
    assert row[1] == "Điểm tối đa"
    assert row[2:9] == [50, 100, 100, 100, 100, 50, 10]
    assert row[9] == 500 and ws.cell(_header(ws) + 1, 10).number_format == "#,##0.00"


def test_summary_numbers_stay_numbers(wb: openpyxl.Workbook) -> None:
    ws = _summary(wb)
    row = _find_row(ws, 2, "Sở Kế hoạch và Đầu tư")
    total, percent, rank = ws.cell(row, 10), ws.cell(row, 11), ws.cell(row, 12)
    assert isinstance(total.value, float) and total.value == 417.3
    assert total.number_format == "#,##0.00"
    # The percent every text prints (83,46 % truncated), so the workbook and the announcement agree.
    assert percent.value == pytest.approx(0.83) and percent.number_format == "0%"
    assert rank.value == 1 and ws.cell(row, 13).value == "Khá"
    assert ws.cell(row, 4).value == 75  # 2.4 capped at 20
    assert ws.cell(row, 5).number_format == "General"


def test_summary_rows_in_rank_order(wb: openpyxl.Workbook, results: Results) -> None:
    ws = _summary(wb)
    first = _header(ws) + 2
    expected = [ur.unit.name for ur in results.tiers[0].units]
    got = [ws.cell(first + i, 2).value for i in range(len(expected))]
    assert got == expected
    assert [ws.cell(first + i, 1).value for i in range(len(expected))] == list(range(1, len(expected) + 1))
    ranks = [ws.cell(first + i, 12).value for i in range(len(expected))]
    assert ranks[-1] is None  # the unranked unit comes last with no rank
    assert ranks[:-1] == [ur.rank for ur in results.tiers[0].units[:-1]]


def test_summary_notes(wb: openpyxl.Workbook) -> None:
    ws = _summary(wb)
    notes = {ws.cell(r, 2).value: ws.cell(r, 16).value for r in range(_header(ws) + 2, ws.max_row + 1)}
    assert notes["Sở Nội vụ"] == "Đồng hạng"
    assert notes["Sở Nông nghiệp và Phát triển nông thôn"] == "Đồng hạng"
    assert notes["Thanh tra tỉnh"] == "Không xếp hạng: đơn vị mới kiện toàn tổ chức"
    assert notes["Sở Tư pháp"] == "Không áp dụng tiêu chí 4; điểm tối đa của đơn vị: 400"
    row = _find_row(ws, 2, "Sở Tư pháp")
    assert ws.cell(row, 6).value == "–"


def test_summary_tie_shares_rank(wb: openpyxl.Workbook) -> None:
    ws = _summary(wb)
    a, b = _find_row(ws, 2, "Sở Nội vụ"), _find_row(ws, 2, "Sở Nông nghiệp và Phát triển nông thôn")
    assert ws.cell(a, 12).value == ws.cell(b, 12).value
    assert b == a + 1  # roster order within the tie
    assert ws.cell(b + 1, 12).value == ws.cell(a, 12).value + 2  # next rank skipped


def test_summary_adjustment_and_year_over_year(wb: openpyxl.Workbook, results: Results) -> None:
    ws = _summary(wb)
    sct = results.tiers[0].result("SCT")
    assert sct is not None
    row = _find_row(ws, 2, "Sở Công Thương")
    assert ws.cell(row, 9).value == 5
    assert ws.cell(row, 10).value == float(sct.total)
    row = _find_row(ws, 2, "Sở Kế hoạch và Đầu tư")
    assert ws.cell(row, 14).value == 3 and ws.cell(row, 15).value == "tăng 2 bậc"
    row = _find_row(ws, 2, "Sở Tài chính")
    assert ws.cell(row, 14).value == 5
    assert ws.cell(row, 15).value.startswith(("tăng", "giảm", "giữ"))
    row = _find_row(ws, 2, "Sở Tư pháp")
    assert ws.cell(row, 14).value is None and ws.cell(row, 15).value == "mới"


def test_summary_without_previous_year_has_no_columns(tmp_path: Path) -> None:
    path = tmp_path / "kq.xlsx"
    write_results_workbook(build_results(previous=False), path)
    ws = _summary(openpyxl.load_workbook(path))
    header = [v for v in _row(ws, _header(ws)) if v is not None]
    assert "Thay đổi" not in header and header[-1] == "Ghi chú"


def test_formula_like_unit_name_stays_text(wb: openpyxl.Workbook, book: Path) -> None:
    ws = _summary(wb)
    row = _find_row(ws, 2, FORMULA_NAME)
    assert ws.cell(row, 2).data_type == "s"
    with zipfile.ZipFile(book) as z:
        assert all("<f>" not in z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_band_colours_by_conditional_formatting(wb: openpyxl.Workbook) -> None:
    ws = _summary(wb)
    rules = {str(cf.sqref): list(cf.rules) for cf in ws.conditional_formatting}
    assert list(rules) == ["M7:M22"]
    assert [r.formula[0] for r in rules["M7:M22"]] == ['"Tốt"', '"Khá"', '"Trung bình"', '"Yếu"']
    fills = [r.dxf.fill.bgColor.rgb for r in rules["M7:M22"]]
    assert fills == ["FFC6EFCE", "FFDDEBF7", "FFFFEB9C", "FFFFC7CE"]  # green, blue, amber, red


def test_print_setup(wb: openpyxl.Workbook) -> None:
    for name in ("Sở, ban, ngành", "Chi tiết - Sở, ban, ngành", "Thống kê - Sở, ban, ngành", "Lỗi, cảnh báo"):
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.paperSize == 9
        # fitToWidth="1" is Excel's default, so the file (and openpyxl) leave it out.
        assert ws.page_setup.fitToWidth in (1, None) and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert "Trang &P/&N" in ws.oddFooter.center.text
        assert ws.print_title_rows
    assert _header(_summary(wb)) == 5
    assert _summary(wb).print_title_rows == "$5:$6"
    assert _summary(wb).freeze_panes == "C7"


def test_draft_marks_title_and_lists_excluded(tmp_path: Path) -> None:
    path = tmp_path / "kq-du-thao.xlsx"
    write_results_workbook(build_results(draft=True), path)
    ws = _summary(openpyxl.load_workbook(path))
    assert ws["A3"].value == "DỰ THẢO"
    label = _find_row(ws, 2, "Chưa xếp hạng (biểu chưa hợp lệ hoặc chưa nộp):")
    assert _row(ws, label + 1)[:3] == [1, "Sở Văn hóa, Thể thao và Du lịch", "chưa nộp biểu"]
    assert "DỰ THẢO" in ws.oddHeader.right.text


# --------------------------------------------------------------------------- detail, appraisal, statistics


def test_detail_sheet_has_every_criterion(wb: openpyxl.Workbook, results: Results) -> None:
    ws = wb["Chi tiết - Sở, ban, ngành"]
    header = _find_row(ws, 1, "Xếp hạng")
    labels = _row(ws, header)
    tier = results.tiers[0].tier
    assert labels[2:-1] == [*(f"{c.code}. {c.name}" for c in tier.walk()), "Điểm cộng"]
    assert labels[:2] == ["Xếp hạng", "Đơn vị"] and labels[-1] == "Tổng điểm"
    assert _row(ws, header + 1)[1] == "Điểm tối đa"
    row = _find_row(ws, 2, "Sở Kế hoạch và Đầu tư")
    values = dict(zip([str(x).split(". ")[0] for x in labels], _row(ws, row), strict=True))
    assert values["2.4"] == 20 and values["2.4.1"] == 12 and values["Tổng điểm"] == 417.3


def test_appraisal_sheet(wb: openpyxl.Workbook) -> None:
    ws = wb["Thẩm định - Sở, ban, ngành"]
    header = _find_row(ws, 1, "STT")
    assert _row(ws, header) == [
        "STT", "Đơn vị", "Mã", "Tiêu chí", "Điểm tối đa", "Tự đánh giá", "Thẩm định", "Chênh lệch", "Lý do",
    ]  # fmt: skip
    rows = [_row(ws, r) for r in range(header + 1, ws.max_row + 1)]
    assert [(r[1], r[2]) for r in rows] == [
        ("Sở Giao thông vận tải", "3.1"),
        ("Sở Công Thương", "2.1"),
        ("Sở Công Thương", "DC"),  # a bonus line is listed with its value, like an appraised score
    ]
    assert rows[0][4:8] == [50, 37, 35, -2]
    assert rows[2][4:8] == [10, None, 5, 5]


def test_statistics_sheet(wb: openpyxl.Workbook, results: Results) -> None:
    ws = wb["Thống kê - Sở, ban, ngành"]
    header = _find_row(ws, 1, "Mã") - 1  # group titles above the column labels
    assert ws.cell(header, 5).value == "Điểm cao nhất" and ws.cell(header + 1, 6).value == "Đơn vị"
    first = header + 2
    tier = results.tiers[0].tier
    codes = [ws.cell(first + i, 1).value for i in range(len(list(tier.walk())) + 1)]
    assert codes == [*(c.code for c in tier.walk()), None]
    total = _row(ws, first + len(codes) - 1)
    assert total[1] == "Tổng điểm" and total[2] == 500
    assert total[4] == 417.3 and total[5] == "Sở Kế hoạch và Đầu tư"
    one = _row(ws, first)
    facts = results.tiers[0].fact("1")
    assert one[3] == pytest.approx(float(facts.average))  # type: ignore[arg-type]
    assert one[10] == len(facts.at_max) and "Sở Kế hoạch và Đầu tư" in str(one[11])
    assert ws.cell(first, 4).number_format == "#,##0.00"


def test_names_are_capped() -> None:
    units = [Unit(f"U{i}", f"Đơn vị {i}") for i in range(120)]
    assert breakdown.names(units[:3]) == "Đơn vị 0, Đơn vị 1 và Đơn vị 2"
    assert breakdown.names(units).endswith("Đơn vị 49 và 70 đơn vị khác")


# --------------------------------------------------------------------------- findings and provenance


def test_findings_sheet_is_the_report_one(wb: openpyxl.Workbook) -> None:
    ws = wb["Lỗi, cảnh báo"]
    header = _find_row(ws, 1, "STT")
    assert tuple(_row(ws, header)) == report.FINDINGS_HEADERS
    rows = [_row(ws, r) for r in range(header + 1, ws.max_row + 1)]
    assert [r[8] for r in rows] == ["score-above-max", "score-text-number", "unit-missing"]
    assert rows[0][7] == "Lỗi" and rows[1][7] == "Cảnh báo"
    assert rows[2][2] == "SVHTTDL - Sở Văn hóa, Thể thao và Du lịch"


def test_provenance(wb: openpyxl.Workbook, results: Results) -> None:
    ws = wb["Nguồn dữ liệu"]
    facts = {ws.cell(r, 1).value: ws.cell(r, 3).value for r in range(1, 10)}
    assert facts["Mã đợt đánh giá"] == "hung-yen-2018"
    assert facts["SHA-256 của tệp cấu hình (egov.toml)"] == results.campaign.config_sha256
    assert len(results.campaign.config_sha256) == 64
    assert facts["Phiên bản egov-xlsx"] == "0.1.0"
    header = _find_row(ws, 1, "STT")
    first = _row(ws, header + 1)
    sub = results.submissions[0]
    assert first == [1, sub.source.name, sub.source.sha256, sub.source.size, "Sở, ban, ngành", "SKHDT",
                     "Sở Kế hoạch và Đầu tư", "1"]  # fmt: skip
    assert ws.max_row == header + len(results.submissions)


# --------------------------------------------------------------------------- files


def test_identical_inputs_give_identical_bytes(tmp_path: Path, results: Results) -> None:
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_results_workbook(results, a)
    write_results_workbook(build_results(), b)
    assert a.read_bytes() == b.read_bytes()


def test_unwritable_path_is_an_output_error(tmp_path: Path, results: Results) -> None:
    with pytest.raises(OutputError, match="Không ghi được"):
        write_results_workbook(results, tmp_path / "no-such-folder" / "kq.xlsx")


def test_a_workbook_that_cannot_be_written_is_said_as_every_output_is(tmp_path: Path, results: Results) -> None:
    """The results workbook and a form fail the same way: the operating system's reason, not xlsxwriter's wrapper."""
    from egov_xlsx.forms import write_form

    campaign = load_campaign(SAMPLE)
    tier = campaign.tiers[0]
    for target, write in (
        (tmp_path / "no-such-folder" / "kq.xlsx", lambda p: write_results_workbook(results, p)),
        (tmp_path / "no-such-folder" / "bieu.xlsx", lambda p: write_form(campaign, tier, tier.units[0], p)),
    ):
        with pytest.raises(OutputError) as caught:
            write(target)
        message = str(caught.value)
        assert message.startswith(f"Không ghi được {target}: ") and message.endswith(".")
        assert "Errno" not in message and "\n" not in message


def test_user_text_in_modules_is_nfc() -> None:
    for module in (workbook, report, sheets, breakdown):
        source = Path(str(module.__file__)).read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", source), module.__name__


def test_extreme_text_is_kept_within_excel_limits(tmp_path: Path) -> None:
    """A 300-character title full of "&", a 40,000-character unit name, a tier named with forbidden characters."""
    campaign = load_campaign(SAMPLE)
    tier = dataclasses.replace(
        campaign.tiers[1],
        name="Khối [thử]: cấp/xã? * " + "rất dài " * 10,
        units=(Unit("X", "Ủy ban " * 6000), *campaign.tiers[1].units[1:]),
    )
    campaign = dataclasses.replace(campaign, title="Đánh giá & xếp hạng " * 15, tiers=(tier,))
    subs = {u.code: _submission(tier, u.code, _scaled(tier, "0.5")) for u in tier.units}
    results = Results(campaign=campaign, tiers=(score_tier(tier, subs),), draft=True)
    path = tmp_path / "kq.xlsx"
    write_results_workbook(results, path)
    wb = openpyxl.load_workbook(path)
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in wb.sheetnames)
    ws = wb.worksheets[0]
    assert len(ws.oddHeader.left.text) < 255 and "&&" in ws.oddHeader.left.text
    name = ws.cell(_header(ws) + 2, 2).value
    assert len(name) == sheets.MAX_CELL_TEXT and name.endswith("…")


def test_tier_without_submissions(tmp_path: Path) -> None:
    """A draft where nobody in a tier has sent a valid form: an empty table, the roster listed, no chart."""
    campaign = load_campaign(SAMPLE)
    empty = score_tier(campaign.tiers[1], {})
    path = tmp_path / "kq.xlsx"
    write_results_workbook(Results(campaign=campaign, tiers=(empty,), draft=True), path)
    wb = openpyxl.load_workbook(path)
    assert not any(n.startswith("Biểu đồ") for n in wb.sheetnames)
    ws = wb.worksheets[0]
    label = _find_row(ws, 2, "Chưa xếp hạng (biểu chưa hợp lệ hoặc chưa nộp):")
    assert ws.cell(label + 10, 2).value == "Ủy ban nhân dân huyện Phù Cừ"
    stats = wb["Thống kê - Ủy ban nhân dân cấp…"]
    total = _find_row(stats, 2, "Tổng điểm")
    assert [c.value for c in stats[total]][4:6] == [None, None]


def test_adjustment_bounds() -> None:
    def adj(low: str, high: str) -> Adjustment:
        return Adjustment("A", "Điểm", Decimal(low), Decimal(high))

    assert sheets.adjustment_bound(adj("0", "10")) == 10
    assert sheets.adjustment_bound(adj("-5", "0")) == "Trừ tối đa 5"  # never a negative "maximum"
    assert sheets.adjustment_bound(adj("-2.5", "3")) == "-2,5 đến +3"


def _big_tier_result(n: int) -> tuple[Tier, TierResult]:
    """A tier of ``n`` units built directly (no scoring), ranks 1..n."""
    criteria = load_campaign(SAMPLE).tiers[1].criteria
    units = tuple(Unit(f"U{i:05d}", f"Ủy ban nhân dân xã số {i}") for i in range(n))
    tier = dataclasses.replace(load_campaign(SAMPLE).tiers[1], id="xa", name="Cấp xã", units=units)
    leaves = {c.code: c.max / 2 for c in tier.leaves()}
    results = []
    for i, unit in enumerate(units):
        scores = {c.code: Decimal(0) for c in tier.walk()}
        scores.update(leaves)
        for top in criteria:
            scores[top.code] = sum((leaves[c.code] for c in top.walk() if c.is_leaf), Decimal(0))
        total = Decimal(150 - i * Decimal("0.01"))
        results.append(
            UnitResult(unit=unit, max=tier.max, scores=scores, total=total, percent=total / tier.max * 100,
                       rank=i + 1, band="Trung bình")
        )  # fmt: skip
    return tier, TierResult(tier=tier, units=tuple(results), excluded=(), facts=(), bands=())


def test_ten_thousand_units(tmp_path: Path) -> None:
    tier, tr = _big_tier_result(10_000)
    campaign = dataclasses.replace(load_campaign(SAMPLE), tiers=(tier,))
    path = tmp_path / "quoc-gia.xlsx"
    write_results_workbook(Results(campaign=campaign, tiers=(tr,)), path)
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert sheet.count("<row ") == 3 + 2 + 10_000  # title block, header and max rows, units


# --------------------------------------------------------------------------- LibreOffice


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_libreoffice_prints_the_annex(book: Path, tmp_path: Path) -> None:
    profile = (tmp_path / "lo").as_uri()
    cmd = ["soffice", "--headless", f"-env:UserInstallation={profile}", "--convert-to", "pdf"]
    done = subprocess.run([*cmd, "--outdir", str(tmp_path), str(book)], capture_output=True, timeout=180)
    pdf = tmp_path / "ket-qua.pdf"
    assert pdf.exists(), done.stderr.decode(errors="replace")
    txt = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    page = unicodedata.normalize("NFC", txt)
    assert "Sở Kế hoạch và Đầu tư" in page and "Thanh tra tỉnh" in page
    assert "417,30" in page or "417.30" in page
    assert "Trang 1/" in page


def test_band_palette() -> None:
    wb = xlsxwriter.Workbook(io.BytesIO(), WORKBOOK_OPTIONS)
    styles = sheets.Styles(wb, load_campaign(SAMPLE).display)
    assert styles.band("Tốt")[1] == "#70AD47" and styles.band("Yếu")[1] == "#C00000"
    bars = [styles.band(name)[1] for name in ("A", "B", "C")]
    assert len(set(bars)) == 3 and styles.band("A")[1] == bars[0]  # one colour per name, stable
    wb.close()


# --------------------------------------------------------------------------- figures at a band threshold


def test_figures_at_a_band_threshold_show_inside_the_band(tmp_path: Path) -> None:
    from tests.factories import SMALL_TOML, campaign_from, submission

    bands = (
        'bands = [{ name = "Tốt", min_percent = 84.5 }, { name = "Khá", min_percent = 70 }, '
        '{ name = "Yếu", min_percent = 0 }]\n'
    )
    campaign = campaign_from(SMALL_TOML.replace('name = "Khối thử"\n', f'name = "Khối thử"\n{bands}'))
    tier = campaign.tiers[0]  # maximum 30: Tốt from 25,35 points
    subs = {
        "A": submission(tier, "A", {"1.1": 10, "1.2": 10, "2.1": "5.345"}),  # 25,345: Khá, Excel's "25,35" is Tốt's
        "B": submission(tier, "B", {"1.1": 10, "1.2": 10, "2.1": "5.4"}),  # 84,67 %: Tốt, "84%" would be Khá's
        "C": submission(tier, "C", {"1.1": 10, "1.2": 10, "2.1": 1}),  # 70 %: Khá, nothing near a threshold
    }
    results = Results(campaign=campaign, tiers=(score_tier(tier, subs),))
    path = tmp_path / "kq.xlsx"
    write_results_workbook(results, path)
    book = openpyxl.load_workbook(path)
    ws = book["Khối thử"]
    got = {}
    for code, name in (("A", "Đơn vị A"), ("B", "Đơn vị B"), ("C", "Đơn vị C")):
        row = _find_row(ws, 2, name)
        total, percent = ws.cell(row, 5), ws.cell(row, 6)
        got[code] = (total.value, total.number_format, percent.value, percent.number_format, ws.cell(row, 8).value)
    assert got["A"] == (25.345, "#,##0.000", 0.84, "0%", "Khá")
    assert got["B"] == (25.4, "#,##0.00", pytest.approx(0.846), "0.0%", "Tốt")
    assert got["C"] == (21, "#,##0.00", 0.7, "0%", "Khá")
    stats = book["Thống kê - Khối thử"]
    total_row = _find_row(stats, 2, "Tổng điểm")
    assert stats.cell(total_row, 7).value == 25.345 and stats.cell(total_row, 7).number_format == "#,##0.000"
    with zipfile.ZipFile(path) as z:
        chart = z.read("xl/charts/chart1.xml").decode()
    assert 'formatCode="#,##0.000"' in chart  # the value labels show 25,345 too
