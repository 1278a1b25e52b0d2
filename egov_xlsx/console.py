"""Console rendering of check and build results (used only by the CLI; rich)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from rich.console import Console
from rich.table import Table
from rich.text import Text

from egov_xlsx.model import CheckReport, Finding, Severity, UnitState, UnitStatus
from egov_xlsx.pipeline import BuildOutcome

STATE_LABELS = {
    UnitState.SUBMITTED: "Đã nộp",
    UnitState.INVALID: "Đã nộp, có lỗi",
    UnitState.DUPLICATE: "Nộp trùng",
    UnitState.MISSING: "Chưa nộp",
}
SEVERITY_LABELS = {Severity.ERROR: "Lỗi", Severity.WARNING: "Cảnh báo", Severity.INFO: "Ghi chú"}
_SEVERITY_STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "dim"}


def print_check(console: Console, report: CheckReport, *, hint: bool = True) -> None:
    """Roster status per tier, files not attributed, then every finding grouped by file, then a summary."""
    camp = report.campaign
    console.print(Text(f"{camp.title} ({camp.id})", style="bold"))
    console.print(f"Đã đọc {report.files_read} tệp trong {camp.folder / 'inbox'}.")
    for tier in camp.tiers:
        statuses = [s for s in report.statuses if s.tier_id == tier.id]
        counts = ", ".join(f"{STATE_LABELS[st]}: {sum(s.state is st for s in statuses)}" for st in UnitState)
        console.print()
        console.print(Text(f"Khối {tier.name} ({len(statuses)} đơn vị) - {counts}", style="bold"))
        pending = [s for s in statuses if s.state is not UnitState.SUBMITTED]
        if pending and console.is_terminal:
            table = Table("Mã", "Đơn vị", "Tình trạng", "Tệp / liên hệ", show_edge=False, pad_edge=False)
            for s in pending:
                table.add_row(s.unit.code, s.unit.name, STATE_LABELS[s.state], _where(s))
            console.print(table)
        else:
            for s in pending:
                where = _where(s)
                console.print(
                    f"  {s.unit.code} - {s.unit.name}: {STATE_LABELS[s.state]}{' (' + where + ')' if where else ''}"
                )
    if report.unknown_files:
        console.print()
        console.print(f"Biểu của đơn vị không có trong danh sách: {', '.join(report.unknown_files)}")
    if report.ignored_files:
        console.print(f"Bỏ qua (không phải bảng tính): {', '.join(report.ignored_files)}")
    print_findings(console, report.findings)
    errors, warnings = len(report.errors), len(report.warnings)
    console.print()
    if errors:
        console.print(
            Text(f"Có {errors} lỗi và {warnings} cảnh báo. Sửa các lỗi nêu trên rồi chạy lại.", style="bold red")
        )
    else:
        then = " Có thể chạy: egov-xlsx build" if hint else ""
        console.print(Text(f"Không có lỗi ({warnings} cảnh báo).{then}", style="bold green"))


def _where(status: UnitStatus) -> str:
    return (
        ", ".join(status.files) if status.files else (f"liên hệ: {status.unit.contact}" if status.unit.contact else "")
    )


def print_findings(console: Console, items: Sequence[Finding]) -> None:
    """Every finding once, grouped by file (findings with no file last), in the report's stable order.

    On a terminal each file gets a table; redirected to a file or a pipe each finding is one whole line,
    easy to search and never wrapped.
    """
    for file, group in groupby(items, key=lambda f: f.file or ""):
        rows = list(group)
        console.print()
        console.print(Text(file or "Chung (danh sách đơn vị)", style="bold underline"))
        if not console.is_terminal:
            for f in rows:
                where = " ".join(x for x in (f.cell, f"tiêu chí {f.criterion}" if f.criterion else "") if x)
                console.print(
                    Text(f"  {SEVERITY_LABELS[f.severity]} [{f.code}] {where + ': ' if where else ''}{f.message}")
                )
            continue
        table = Table("Ô", "Tiêu chí", "Mức độ", "Mã lỗi", "Nội dung", show_edge=False, pad_edge=False)
        for f in rows:
            table.add_row(
                f.cell or "",
                f.criterion or "",
                Text(SEVERITY_LABELS[f.severity], style=_SEVERITY_STYLES[f.severity]),
                f.code,
                f.message,
            )
        console.print(table)


def print_build(console: Console, outcome: BuildOutcome) -> None:
    print_check(console, outcome.report, hint=False)
    console.print()
    for w in outcome.warnings:
        console.print(Text(f"Cảnh báo: {w.message}", style="yellow"))
    if outcome.published:
        draft = " (DỰ THẢO)" if outcome.results is not None and outcome.results.draft else ""
        console.print(Text(f"Đã xuất kết quả{draft} vào {outcome.folder}:", style="bold green"))
    else:
        console.print(
            Text(
                "Chưa xuất kết quả xếp hạng vì còn lỗi (các tệp kết quả cũ, nếu có, không được cập nhật). "
                "Dùng --draft để xuất bản dự thảo.",
                style="bold red",
            )
        )
    for path in outcome.written:
        console.print(f"  {path}")
