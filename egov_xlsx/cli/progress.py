"""A progress bar for long runs, on stderr, only when stderr is a terminal (CLI side; rich)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator, Sized
from typing import Protocol


class Counted(Protocol):
    """What the bar needs of each file's result: its findings (``ingest.FileResult``, ``rules.checked.Checked``)."""

    @property
    def findings(self) -> Sized: ...


@contextlib.contextmanager
def progress_bar(*, enabled: bool = True, then: str | None = None) -> Iterator[Callable[[Counted, int], None] | None]:
    """Yield a per-file callback that advances a rich progress bar, or ``None`` when there is none to show.

    Nothing is shown with ``enabled`` false or when stderr is not a terminal, so ``--json`` output and
    logs stay clean. The bar goes once the last file is read; ``then`` is printed in its place, to say what
    the command does next (a national build writes its outputs for several seconds more).
    """
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    counts = {"files": 0, "findings": 0}
    columns = (
        TextColumn("Đang đọc biểu"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[findings]} vấn đề"),
        TextColumn("{task.fields[rate]} tệp/giây"),
        TimeElapsedColumn(),
    )
    console = Console(stderr=True)
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("read", total=None, findings=0, rate="-")

        def advance(result: Counted, total: int) -> None:
            counts["files"] += 1
            counts["findings"] += len(result.findings)
            elapsed = bar.tasks[0].elapsed or 0.0
            rate = f"{counts['files'] / elapsed:,.0f}" if elapsed > 0 else "-"
            bar.update(task, advance=1, total=total, findings=counts["findings"], rate=rate)
            if counts["files"] >= total:
                # Every file read: take the bar (and its refresher thread) down now, not after the outputs,
                # so the outputs may be written in forked processes (egov_xlsx.publish.background).
                bar.stop()
                if then:
                    console.print(then, style="dim", highlight=False)

        yield advance
