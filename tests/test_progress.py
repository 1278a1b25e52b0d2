"""The progress bar: on a terminal only, gone (thread and all) once the last file is read."""

from __future__ import annotations

import io
import threading
import time
from dataclasses import dataclass

import pytest

from egov_xlsx.cli.progress import progress_bar


@dataclass
class _Result:
    findings: tuple[str, ...]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_bar_when_stderr_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stderr", io.StringIO())
    with progress_bar() as advance:
        assert advance is None


def test_no_bar_when_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stderr", _Terminal())
    with progress_bar(enabled=False) as advance:
        assert advance is None


def test_bar_counts_files_and_findings_then_goes(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = _Terminal()
    monkeypatch.setattr("sys.stderr", screen)
    threads = threading.active_count()
    with progress_bar(then="đang ghi kết quả") as advance:
        assert advance is not None
        for i in range(3):
            advance(_Result(("a", "b") if i == 1 else ()), 3)
            time.sleep(0.25)  # the bar redraws ten times a second
        shown = screen.getvalue()
        assert "Đang đọc biểu" in shown and "2 vấn đề" in shown and "2/3" in shown
        # The last file read: the bar and its refresher thread are gone while the command goes on.
        assert threading.active_count() == threads
        assert "đang ghi kết quả" in shown
