"""Console rendering of check and build results (used only by the CLI; rich).

Every string printed here may come from a user: a cell's text quoted in a finding, a file name, a unit name
from the config. A terminal obeys the escape sequences in them (set the window title, clear the screen,
recolour, move the cursor) and a newline in a file name forges a line of its own. So the console made by
:func:`make_console` shows control characters instead of sending them: :func:`visible` is the one place that
decides how, and a render hook applies it to every line printed. The convention (README "Commands"):
newline, carriage return and tab print as ``\\n``, ``\\r``, ``\\t``; any other C0 control character, DEL and
the C1 controls as ``\\xNN`` (ESC is ``\\x1b``); the bidirectional overrides and isolates (U+202A-U+202E,
U+2066-U+2069) and marks (U+200E, U+200F, U+061C) as ``\\uNNNN``. The console never interprets rich
markup or emoji codes either: "[bold]" and ":smile:" in a unit name print as typed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from itertools import groupby, pairwise
from typing import TYPE_CHECKING, Any

from rich.console import Console, ConsoleRenderable, RenderHook
from rich.table import Table
from rich.text import Text

from egov_xlsx.model import CheckReport, Finding, Severity, UnitState, UnitStatus
from egov_xlsx.publish.outputs import CARDS_FOLDER
from egov_xlsx.publish.report import SEVERITY_LABELS, STATE_LABELS, submission_counts

if TYPE_CHECKING:
    from egov_xlsx.publish.appraisal import AppraisalWritten
    from egov_xlsx.publish.outputs import BuildOutcome

_SEVERITY_STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "dim"}

#: What a terminal may act on: C0 controls, DEL, C1 controls, bidirectional overrides, isolates and marks.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: The same less C0 controls, which JSON escapes itself inside strings (and uses, as newlines, between them).
_JSON_RAW = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _shown(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def visible(text: str) -> str:
    """``text`` with every control character shown as an escape (``"a\\x1b[2Jb"`` → ``a\\x1b[2Jb`` as text)."""
    return CONTROL.sub(_shown, text)


def json_visible(text: str) -> str:
    """JSON text with DEL, C1 controls and bidi characters written as JSON ``\\uNNNN`` escapes: the same value.

    JSON already escapes C0 controls inside strings, and these characters only ever occur inside strings.
    """
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def visible_text(text: Text) -> Text:
    """A copy of ``text`` with :func:`visible` applied to its characters, its styles kept on the same pieces."""
    plain = text.plain
    if not CONTROL.search(plain):
        return text
    bounds = sorted({0, len(plain), *(s.start for s in text.spans), *(s.end for s in text.spans)})
    out = Text(style=text.style, justify=text.justify, overflow=text.overflow, no_wrap=text.no_wrap, end=text.end)
    for start, end in pairwise(bounds):
        if start >= end:
            continue
        offset = len(out.plain)
        out.append(visible(plain[start:end]))
        for span in text.spans:
            if span.start <= start and end <= span.end:
                out.stylize(span.style, offset, len(out.plain))
    return out


def styled(text: str, style: str = "") -> Text:
    """A rich Text of ``text`` made visible first (rich's Text silently drops BEL, backspace and CR)."""
    return Text(visible(text), style=style)


class _Visible(RenderHook):
    """Applies :func:`visible` to every Text a console prints, wherever it was made (tables use :func:`styled`)."""

    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        return [visible_text(r) if isinstance(r, Text) else r for r in renderables]


class _VisibleConsole(Console):
    """A console whose ``print`` makes every string visible before rich turns it into Text."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        super().print(*(visible(o) if isinstance(o, str) else o for o in objects), **kwargs)


def make_console(stderr: bool = False) -> Console:
    """The console every command prints with: control characters shown, no markup, no emoji, no highlighting."""
    console = _VisibleConsole(stderr=stderr, highlight=False, markup=False, emoji=False)
    # Redirected to a file or a pipe: whole lines, never wrapped at 80 columns.
    console.soft_wrap = not console.is_terminal
    console.push_render_hook(_Visible())
    return console


def print_check(console: Console, report: CheckReport, *, hint: bool = True) -> None:
    """Roster status per tier, files not attributed, then every finding grouped by file, then a summary."""
    camp = report.campaign
    console.print(styled(f"{camp.title} ({camp.id})", "bold"))
    console.print(f"Đã đọc {report.files_read} tệp trong {camp.folder / 'inbox'}.")
    for tier in camp.tiers:
        statuses = [s for s in report.statuses if s.tier_id == tier.id]
        console.print()
        console.print(styled(f"Khối {tier.name} ({len(statuses)} đơn vị) - {submission_counts(statuses)}", "bold"))
        pending = [s for s in statuses if s.state is not UnitState.SUBMITTED]
        if pending and console.is_terminal:
            table = Table("Mã", "Đơn vị", "Tình trạng", "Tệp / liên hệ", show_edge=False, pad_edge=False)
            for s in pending:
                table.add_row(
                    styled(s.unit.code),
                    styled(s.unit.name),
                    styled(STATE_LABELS[s.state]),
                    styled(_files_or_contact(s)),
                )
            console.print(table)
        else:
            for s in pending:
                where = _files_or_contact(s)
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
        console.print(styled(f"Có {errors} lỗi và {warnings} cảnh báo. Sửa các lỗi nêu trên rồi chạy lại.", "bold red"))
    else:
        then = " Có thể chạy: egov-xlsx build" if hint else ""
        console.print(styled(f"Không có lỗi ({warnings} cảnh báo).{then}", "bold green"))


def _files_or_contact(status: UnitStatus) -> str:
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
        console.print(styled(file or "Chung (danh sách đơn vị)", "bold underline"))
        if not console.is_terminal:
            for f in rows:
                where = " ".join(x for x in (f.cell, f"tiêu chí {f.criterion}" if f.criterion else "") if x)
                console.print(f"  {SEVERITY_LABELS[f.severity]} [{f.code}] {where + ': ' if where else ''}{f.message}")
            continue
        table = Table("Ô", "Tiêu chí", "Mức độ", "Mã lỗi", "Nội dung", show_edge=False, pad_edge=False)
        for f in rows:
            table.add_row(
                styled(f.cell or ""),
                styled(f.criterion or ""),
                styled(SEVERITY_LABELS[f.severity], _SEVERITY_STYLES[f.severity]),
                styled(f.code),
                styled(f.message),
            )
        console.print(table)


def print_appraisals(console: Console, written: Sequence[AppraisalWritten]) -> None:
    """What ``egov-xlsx appraisal`` wrote: each file, its backup and what was kept."""
    for done in written:
        console.print(f"Đã ghi {done.path} ({done.rows} dòng).")
        if done.backup is not None:
            console.print(f"Tệp cũ được sao lưu thành {done.backup.name}; giữ lại {done.kept} giá trị đã nhập.")
        if done.orphans:
            console.print(f'{done.orphans} giá trị không còn dòng tương ứng được giữ ở trang "Dòng không còn dùng".')


def print_build(console: Console, outcome: BuildOutcome) -> None:
    print_check(console, outcome.report, hint=False)
    console.print()
    for w in outcome.warnings:
        console.print(styled(f"Cảnh báo: {w.message}", "yellow"))
    if outcome.published:
        draft = " (DỰ THẢO)" if outcome.results is not None and outcome.results.draft else ""
        console.print(styled(f"Đã xuất kết quả{draft} vào {outcome.folder}:", "bold green"))
    else:
        console.print(
            Text(
                "Chưa xuất kết quả xếp hạng vì còn lỗi (các tệp kết quả cũ, nếu có, không được cập nhật). "
                "Dùng --draft để xuất bản dự thảo.",
                style="bold red",
            )
        )
    cards = [path for path in outcome.written if path.parent.name == CARDS_FOLDER]
    for path in outcome.written:
        if path.parent.name != CARDS_FOLDER:
            console.print(f"  {path}")
    if cards:
        console.print(f"  {cards[0].parent}{os.sep} ({len(cards)} phiếu kết quả của từng đơn vị)")
