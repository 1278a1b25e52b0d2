"""The findings report: the workbook a clerk opens when `build` refuses to publish (every build writes it).

One roster-status sheet per tier says who sent a usable form and whom to call; then one sheet lists every
finding in :func:`egov_xlsx.findings.sort_key` order. :func:`write_findings_sheet` also writes the findings
sheet of the results workbook, so both read the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from xlsxwriter.worksheet import Worksheet

from egov_xlsx.findings import sort_key
from egov_xlsx.model import Campaign, CheckReport, Finding, Severity, Tier, UnitState, UnitStatus
from egov_xlsx.publish.sheet_page import fit_row, set_widths, setup_page, small, write_header_row, write_heading
from egov_xlsx.publish.sheets import Styles, open_workbook, write_text
from egov_xlsx.sheet_names import SheetNames
from egov_xlsx.style import DRAFT_MARK
from egov_xlsx.workbook_files import close_workbook

FINDINGS_SHEET = "Lỗi, cảnh báo"
FINDINGS_HEADERS = ("STT", "Tệp", "Đơn vị", "Trang tính", "Ô", "Tiêu chí", "Giá trị", "Mức độ", "Mã lỗi", "Nội dung")
_FINDINGS_WIDTHS = (5, 22, 26, 12, 7, 9, 14, 10, 20, 60)

# The one definition of the severity and roster-state labels; the console (egov_xlsx.cli.console) imports them.
SEVERITY_LABELS = {Severity.ERROR: "Lỗi", Severity.WARNING: "Cảnh báo", Severity.INFO: "Ghi chú"}
_SEVERITY_STYLE = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}

# "Hợp lệ", not "Đã nộp": a unit whose form has errors, or that sent several, has submitted too.
STATE_LABELS = {
    UnitState.SUBMITTED: "Hợp lệ",
    UnitState.INVALID: "Đã nộp, có lỗi",
    UnitState.DUPLICATE: "Nộp trùng",
    UnitState.MISSING: "Chưa nộp",
}
_STATE_STYLE = {
    UnitState.SUBMITTED: "ok",
    UnitState.INVALID: "error",
    UnitState.DUPLICATE: "warning",
    UnitState.MISSING: "error",
}
ROSTER_HEADERS = ("STT", "Mã đơn vị", "Tên đơn vị", "Tình trạng", "Tệp", "Số lỗi", "Số cảnh báo", "Liên hệ")
_ROSTER_WIDTHS = (5, 12, 34, 12, 36, 8, 10, 30)


def write_findings_report(report: CheckReport, path: Path, *, draft: bool = False) -> None:
    """Write the findings report to ``path``: a roster-status sheet per tier, then the findings sheet.

    A unit's contact is shown whenever the clerk has to call it (no form, a form with errors, several forms).
    ``draft`` marks every sheet "DỰ THẢO" (a build run with ``--draft``).
    """
    campaign = report.campaign
    wb = open_workbook(path, campaign, title="Kết quả kiểm tra biểu chấm điểm")
    styles = Styles(wb, campaign.display)
    names = SheetNames()
    for tier in campaign.tiers:
        ws = wb.add_worksheet(names.add(f"Nộp biểu - {tier.name}"))
        statuses = [s for s in report.statuses if s.tier_id == tier.id]
        _write_roster(ws, styles, campaign, tier, statuses, draft=draft)
    summary = [f"Đã đọc {report.files_read} tệp trong thư mục inbox."]
    if report.unknown_files:
        summary.append(f"{len(report.unknown_files)} tệp không xác định được đơn vị trong danh sách.")
    if report.ignored_files:
        summary.append(f"{len(report.ignored_files)} tệp không phải bảng tính được bỏ qua.")
    ws = wb.add_worksheet(names.add(FINDINGS_SHEET))
    write_findings_sheet(ws, styles, campaign, report.findings, draft=draft, summary=summary)
    close_workbook(wb, path)


def submission_counts(statuses: Iterable[UnitStatus]) -> str:
    """ "Đã nộp: 16 (hợp lệ: 13, có lỗi: 2, nộp trùng: 1); chưa nộp: 1": submitted is never read as valid."""
    counts = dict.fromkeys(UnitState, 0)
    for status in statuses:
        counts[status.state] += 1
    sent = sum(n for state, n in counts.items() if state is not UnitState.MISSING)
    # Inside "Đã nộp: …" the invalid state is just "có lỗi" (its own label repeats "Đã nộp").
    short = {**STATE_LABELS, UnitState.INVALID: "có lỗi"}
    parts = ", ".join(
        f"{short[state].lower()}: {counts[state]}" for state in UnitState if state is not UnitState.MISSING
    )
    return f"Đã nộp: {sent} ({parts}); {STATE_LABELS[UnitState.MISSING].lower()}: {counts[UnitState.MISSING]}"


def severity_counts(findings: Iterable[Finding]) -> str:
    """ "2 lỗi, 1 cảnh báo, 0 ghi chú"."""
    counts = dict.fromkeys(Severity, 0)
    for f in findings:
        counts[f.severity] += 1
    return ", ".join(f"{counts[s]} {SEVERITY_LABELS[s].lower()}" for s in Severity)


def write_findings_sheet(
    ws: Worksheet,
    styles: Styles,
    campaign: Campaign,
    findings: Sequence[Finding],
    *,
    draft: bool = False,
    summary: Sequence[str] = (),
) -> None:
    """Every finding, one row each, sorted by :func:`~egov_xlsx.findings.sort_key` (file, cell row, column, code).

    Columns: STT, Tệp, Đơn vị (code and name), Trang tính, Ô, Tiêu chí, Giá trị, Mức độ, Mã lỗi, Nội dung.
    Header frozen and filterable, message column wrapped, A4 landscape one page wide.
    """
    last_col = len(FINDINGS_HEADERS) - 1
    width = float(sum(_FINDINGS_WIDTHS))
    set_widths(ws, _FINDINGS_WIDTHS)
    legend = (
        f"Tổng cộng: {severity_counts(findings)}. Lỗi phải được sửa trước khi công bố kết quả; "
        "cảnh báo và ghi chú để kiểm tra lại."
    )
    header = write_heading(
        ws,
        styles,
        last_col=last_col,
        width=width,
        title="DANH SÁCH LỖI, CẢNH BÁO VÀ GHI CHÚ",
        subtitles=(campaign.title,),
        draft=draft,
        legend=" ".join([legend, *summary]),
    )
    write_header_row(ws, header, FINDINGS_HEADERS, _FINDINGS_WIDTHS, styles.header)
    ws.freeze_panes(header + 1, 0)
    setup_page(ws, left=campaign.title, right=DRAFT_MARK if draft else "Lỗi, cảnh báo", repeat=(header, header))

    units = {u.code: u.name for t in campaign.tiers for u in t.units}
    row = header + 1
    if not findings:
        ws.merge_range(row, 0, row, last_col, "", styles.text)
        ws.write_string(row, 0, "Không có lỗi, cảnh báo hay ghi chú.", styles.text)
        return
    for number, f in enumerate(sorted(findings, key=sort_key), start=1):
        unit = f"{f.unit} - {units[f.unit]}" if f.unit in units else (f.unit or "")
        ws.write_number(row, 0, number, styles.center)
        write_text(ws, row, 1, f.file or "", styles.text)
        write_text(ws, row, 2, unit, styles.text)
        write_text(ws, row, 3, f.sheet or "", styles.text)
        write_text(ws, row, 4, f.cell or "", styles.center)
        write_text(ws, row, 5, f.criterion or "", styles.center)
        write_text(ws, row, 6, f.value or "", styles.text)
        ws.write_string(row, 7, SEVERITY_LABELS[f.severity], styles.severity[_SEVERITY_STYLE[f.severity]])
        ws.write_string(row, 8, f.code, styles.text)
        write_text(ws, row, 9, f.message, styles.note)
        widths = _FINDINGS_WIDTHS
        wrapped = ((f.file or "", widths[1]), (unit, widths[2]), (f.sheet or "", widths[3]), (f.value or "", widths[6]))
        fit_row(ws, row, (*wrapped, (f.message, small(widths[9]))))
        row += 1
    ws.autofilter(header, 0, row - 1, last_col)
    # Codes such as "1.2" and values such as "4,72" are text on purpose: no green triangles.
    ws.ignore_errors({"number_stored_as_text": f"A{header + 2}:J{row}"})


def _write_roster(
    ws: Worksheet, styles: Styles, campaign: Campaign, tier: Tier, statuses: Sequence[UnitStatus], *, draft: bool
) -> None:
    """One tier's roster: each unit's state, its files, error and warning counts, and whom to call."""
    order = {u.code: i for i, u in enumerate(tier.units)}
    rows = sorted(statuses, key=lambda s: order.get(s.unit.code, len(order)))
    last_col = len(ROSTER_HEADERS) - 1
    width = float(sum(_ROSTER_WIDTHS))
    set_widths(ws, _ROSTER_WIDTHS)
    header = write_heading(
        ws,
        styles,
        last_col=last_col,
        width=width,
        title="TÌNH HÌNH NỘP BIỂU CHẤM ĐIỂM",
        subtitles=(campaign.title, f"Khối: {tier.name}"),
        draft=draft,
        legend=f"Tổng số {len(rows)} đơn vị. {submission_counts(rows)}.",
    )
    write_header_row(ws, header, ROSTER_HEADERS, _ROSTER_WIDTHS, styles.header)
    ws.freeze_panes(header + 1, 3)
    setup_page(ws, left=campaign.title, right=DRAFT_MARK if draft else tier.name, repeat=(header, header))
    row = header + 1
    for number, status in enumerate(rows, start=1):
        call = status.state is not UnitState.SUBMITTED
        ws.write_number(row, 0, number, styles.center)
        write_text(ws, row, 1, status.unit.code, styles.center)
        write_text(ws, row, 2, status.unit.name, styles.text)
        ws.write_string(row, 3, STATE_LABELS[status.state], styles.severity[_STATE_STYLE[status.state]])
        write_text(ws, row, 4, "\n".join(status.files), styles.note)
        ws.write_number(row, 5, status.errors, styles.integer)
        ws.write_number(row, 6, status.warnings, styles.integer)
        contact = status.unit.contact if call else ""
        write_text(ws, row, 7, contact, styles.text)
        files = "\n".join(status.files)
        fit_row(
            ws,
            row,
            ((status.unit.name, _ROSTER_WIDTHS[2]), (files, small(_ROSTER_WIDTHS[4])), (contact, _ROSTER_WIDTHS[7])),
        )
        row += 1
    if rows:
        ws.autofilter(header, 0, row - 1, last_col)
        ws.ignore_errors({"number_stored_as_text": f"B{header + 2}:B{row}"})
