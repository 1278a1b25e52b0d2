"""Round-trip tests of the findings report: write with xlsxwriter, reopen with openpyxl, assert."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from egov_xlsx.config import load_campaign
from egov_xlsx.findings import make, sort_key
from egov_xlsx.model import CheckReport, Severity, UnitState, UnitStatus
from egov_xlsx.publish.report import FINDINGS_HEADERS, ROSTER_HEADERS, write_findings_report

pytestmark = pytest.mark.filterwarnings("error")

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "hung-yen-2018"
ROSTER = "Nộp biểu - Sở, ban, ngành"
FINDINGS = "Lỗi, cảnh báo"


def build_report(*, findings: bool = True) -> CheckReport:
    """Sở KH&ĐT missing (it has a contact), Sở Công Thương with errors, Sở Tài chính sent two forms."""
    campaign = load_campaign(SAMPLE)
    special = {
        "SKHDT": (UnitState.MISSING, (), 1, 0),
        "SCT": (UnitState.INVALID, ("SCT.xlsx",), 2, 1),
        "STC": (UnitState.DUPLICATE, ("STC.xlsx", "STC (1).xlsx"), 1, 0),
    }
    statuses = []
    for tier in campaign.tiers:
        for unit in tier.units:
            state, files, errors, warnings = special.get(unit.code, (UnitState.SUBMITTED, (f"{unit.code}.xlsx",), 0, 0))
            statuses.append(UnitStatus(tier.id, unit, state, files, errors, warnings))
    items = (
        make("score-above-max", file="SCT.xlsx", sheet="Chấm điểm", cell="D12", value="21", max="20",
             criterion="1.1", unit="SCT"),
        make("unit-missing", unit="SKHDT", name="Sở Kế hoạch và Đầu tư", contact=""),
        make("score-not-number", file="SCT.xlsx", sheet="Chấm điểm", cell="D9", value='=HYPERLINK("x")', max="20",
             criterion="1.1", unit="SCT"),
        make("unit-duplicate", unit="STC", count=2, files="STC.xlsx, STC (1).xlsx"),
        make("file-ignored", file="cong-van.pdf", kind="PDF"),
        make("score-text-number", file="SCT.xlsx", sheet="Chấm điểm", cell="D10", value="4,72", read="4,72",
             unit="SCT", criterion="1.2"),
    )  # fmt: skip
    return CheckReport(
        campaign=campaign,
        statuses=tuple(statuses),
        findings=items if findings else (),
        submissions=(),
        ignored_files=("cong-van.pdf",),
        files_read=28,
    )


@pytest.fixture(scope="module")
def report_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "ket-qua-kiem-tra.xlsx"
    write_findings_report(build_report(), path)
    return path


@pytest.fixture(scope="module")
def wb(report_path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(report_path)


def _header_row(ws: Worksheet) -> int:
    return next(int(r[0].row) for r in ws.iter_rows(max_col=1) if r[0].value == "STT")


def _table(ws: Worksheet) -> list[list[object]]:
    header = _header_row(ws)
    return [[c.value for c in row] for row in ws.iter_rows(min_row=header + 1)]


def test_sheets(wb: openpyxl.Workbook) -> None:
    assert wb.sheetnames == [ROSTER, "Nộp biểu - Ủy ban nhân dân cấp…", FINDINGS]


def test_roster_states_and_contacts(wb: openpyxl.Workbook) -> None:
    ws = wb[ROSTER]
    assert tuple(c.value for c in ws[_header_row(ws)]) == ROSTER_HEADERS
    rows = {r[1]: r for r in _table(ws)}
    assert len(rows) == 17
    assert rows["SKHDT"] == [
        1,
        "SKHDT",
        "Sở Kế hoạch và Đầu tư",
        "Chưa nộp",
        None,
        1,
        0,
        "Văn phòng Sở, 0221 3 862 xxx",
    ]
    assert rows["SCT"][3:7] == ["Đã nộp, có lỗi", "SCT.xlsx", 2, 1]
    assert rows["STC"][3:5] == ["Nộp trùng", "STC.xlsx\nSTC (1).xlsx"]
    assert rows["STTTT"][3] == "Hợp lệ" and rows["STTTT"][7] is None
    legend = " ".join(str(c.value) for row in ws.iter_rows(max_row=_header_row(ws)) for c in row if c.value)
    # Submitted counts every unit that sent something, the invalid and the duplicate too: never read as valid.
    assert "Đã nộp: 16 (hợp lệ: 14, có lỗi: 1, nộp trùng: 1); chưa nộp: 1" in legend


def test_one_definition_of_labels() -> None:
    from egov_xlsx.cli import console
    from egov_xlsx.publish import report

    assert console.STATE_LABELS is report.STATE_LABELS and console.SEVERITY_LABELS is report.SEVERITY_LABELS
    assert set(report.STATE_LABELS) == set(UnitState) and set(report.SEVERITY_LABELS) == set(Severity)
    assert len(set(report.STATE_LABELS.values())) == len(UnitState)
    assert "Đã nộp" not in report.STATE_LABELS.values()  # a state of its own would be mistaken for "valid"


def test_findings_sorted_with_labels(wb: openpyxl.Workbook) -> None:
    ws = wb[FINDINGS]
    assert tuple(c.value for c in ws[_header_row(ws)]) == FINDINGS_HEADERS
    rows = _table(ws)
    expected = sorted(build_report().findings, key=sort_key)
    assert [r[8] for r in rows] == [f.code for f in expected]
    assert [r[0] for r in rows] == list(range(1, len(expected) + 1))
    labels = {"error": "Lỗi", "warning": "Cảnh báo", "info": "Ghi chú"}
    assert [r[7] for r in rows] == [labels[f.severity.value] for f in expected]
    first = rows[0]  # SCT.xlsx, row 9 comes before row 10 and 12
    assert first[1:7] == ["SCT.xlsx", "SCT - Sở Công Thương", "Chấm điểm", "D9", "1.1", '=HYPERLINK("x")']
    assert ws.cell(_header_row(ws) + 1, 7).data_type == "s"


def test_findings_sheet_is_print_ready(wb: openpyxl.Workbook) -> None:
    ws = wb[FINDINGS]
    header = _header_row(ws)
    assert ws.auto_filter.ref == f"A{header}:J{header + 6}"
    assert ws.freeze_panes == f"A{header + 1}"
    assert ws.cell(header + 1, 10).alignment.wrap_text
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.print_title_rows == f"${header}:${header}"
    assert "Trang &P/&N" in ws.oddFooter.center.text
    legend = " ".join(str(c.value) for row in ws.iter_rows(max_row=header) for c in row if c.value)
    assert "4 lỗi, 1 cảnh báo, 1 ghi chú" in legend and "Đã đọc 28 tệp" in legend


def test_draft_is_marked(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    write_findings_report(build_report(), path, draft=True)
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        assert any(c.value == "DỰ THẢO" for row in ws.iter_rows(max_row=6) for c in row), ws.title


def test_no_findings(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    write_findings_report(build_report(findings=False), path)
    ws = openpyxl.load_workbook(path)[FINDINGS]
    assert _table(ws)[0][0] == "Không có lỗi, cảnh báo hay ghi chú."


def test_identical_inputs_give_identical_bytes(tmp_path: Path, report_path: Path) -> None:
    again = tmp_path / "again.xlsx"
    write_findings_report(build_report(), again)
    assert again.read_bytes() == report_path.read_bytes()


def test_severity_order_is_complete() -> None:
    assert {f.severity for f in build_report().findings} == set(Severity)


def test_a_unit_that_sent_an_unreadable_file_reads_submitted_with_errors(sample_copy: Path, tmp_path: Path) -> None:
    from egov_xlsx import pipeline

    inbox = sample_copy / "inbox"
    own = next(p for p in inbox.iterdir() if p.name.startswith("SCT "))
    own.unlink()
    (inbox / own.name).write_bytes(b"")  # the same name, 0 bytes: the mail client cut it
    report = pipeline.check(sample_copy)
    path = tmp_path / "bao-cao.xlsx"
    write_findings_report(report, path)
    rows = {r[1]: r for r in _table(openpyxl.load_workbook(path)[ROSTER])}
    assert rows["SCT"][3:7] == ["Đã nộp, có lỗi", own.name, 1, 0]
    assert "SCT" not in {f.unit for f in report.findings if f.code == "unit-missing"}
