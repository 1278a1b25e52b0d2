"""Reading a whole inbox: every file directly in ``inbox/``, each gated and parsed in a worker process.

The parallel map: files are handed out in batches to ``jobs`` worker processes (never read in this one), a
worker that dies is replaced and its files are read again one at a time, and the results come back in file-name
order. Parsing one file is :mod:`egov_xlsx.read.form_parser`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TypeVar

from egov_xlsx import findings
from egov_xlsx.read import gate
from egov_xlsx.read.form_parser import FileResult, read_file

__all__ = ["PARALLEL_MIN_FILES", "FileResult", "check_inbox", "default_jobs", "read_file", "read_inbox"]

T = TypeVar("T")


def read_inbox(
    inbox: Path, *, jobs: int = 1, progress: Callable[[FileResult, int], None] | None = None
) -> list[FileResult]:
    """Gate and read every file directly in ``inbox`` (subfolders are not read), in file-name order.

    Files are read in ``jobs`` worker processes (one at least: see :func:`check_inbox`); the result is the
    same with any ``jobs``. ``progress(result, total)`` is called once per file, in file-name order.
    """
    return check_inbox(inbox, _as_read, jobs=jobs, progress=progress)


def check_inbox(
    inbox: Path,
    judge: Callable[[FileResult], T],
    *,
    jobs: int = 1,
    progress: Callable[[T, int], None] | None = None,
) -> list[T]:
    """Read every file as :func:`read_inbox` does and hand each result to ``judge`` where it was read.

    Returns ``judge``'s results in file-name order, the same with any ``jobs``. Files are always read and
    judged in worker processes (``jobs`` of them, one for a small inbox), never in this one: the reader is
    compiled code, and a file that makes it abort (a Rust allocation failure ends the process, whatever
    Python does) must cost that file, not the batch. A worker that dies is replaced, the files it held are
    read again one at a time, and the file that kills a worker on its own gets a ``file-crashed`` finding;
    every other file is still read. ``judge`` must be picklable (a module-level function, or a
    :func:`functools.partial` of one) and is sent to each worker once; only the judgements travel back.
    ``progress(judgement, total)`` is called once per file, in file-name order, in this process.
    """
    paths = gate.list_inbox(inbox)
    if not paths:
        return []
    names = [path.name for path in paths]
    workers = max(1, min(jobs, len(paths)))
    # Batches big enough that the pool's per-task cost vanishes, small enough (~8 per worker at least)
    # that the workers finish together and the progress bar moves.
    size = max(1, min(64, len(paths) // (workers * 8)))
    done: dict[int, T] = {}
    shown = 0

    def show() -> None:
        nonlocal shown
        while shown in done:
            if progress is not None:
                progress(done[shown], len(paths))
            shown += 1

    batches = [list(range(i, min(i + size, len(names)))) for i in range(0, len(names), size)]
    failed: list[int] = []
    with _pool(workers, judge) as first:
        futures: list[Future[list[T]] | None] = []
        for batch in batches:
            try:
                futures.append(first.submit(_check_batch, [names[i] for i in batch], str(inbox)))
            except BrokenProcessPool:  # a worker died while batches were still being handed out
                futures.append(None)
        for batch, future in zip(batches, futures, strict=True):
            try:
                if future is None:
                    raise BrokenProcessPool("not submitted")
                results = future.result()
            except BrokenProcessPool:
                failed.extend(batch)
                continue
            done.update(zip(batch, results, strict=True))
            show()
    # A worker died: its files (and those of batches the broken pool dropped) are read again, one at a time
    # in a one-worker pool, so the file that kills a worker on its own is known.
    pool: ProcessPoolExecutor | None = None
    try:
        for i in sorted(failed):
            if pool is None:
                pool = _pool(1, judge)
            try:
                done[i] = pool.submit(_check_batch, [names[i]], str(inbox)).result()[0]
            except BrokenProcessPool:
                pool.shutdown(wait=True)
                pool = None
                done[i] = judge(_crashed(paths[i], inbox))
            show()
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    return [done[i] for i in range(len(paths))]


def _pool(workers: int, judge: Callable[[FileResult], Any]) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(judge, _before_read))


def _crashed(path: Path, inbox: Path) -> FileResult:
    """What a file that killed the reader's process gives: its source (gated again here: safe) and a finding."""
    source = gate.admit(path, inbox=inbox).source
    return FileResult(source, None, (findings.make("file-crashed", file=source.name),))


#: Kept for callers that tuned it: every inbox is now read in worker processes (see :func:`check_inbox`).
PARALLEL_MIN_FILES = 64


def _as_read(result: FileResult) -> FileResult:
    return result


# A process-pool worker's judge, set once by the pool's initializer rather than pickled with every batch.
_worker_judge: Callable[[FileResult], Any] | None = None
#: Test hook: called in the worker with each file's path before it is read (``None`` in production). Tests
#: set it to a module-level function that ends the process, to prove a worker's death costs one file.
_before_read: Callable[[Path], None] | None = None


def _init_worker(judge: Callable[[FileResult], Any], before_read: Callable[[Path], None] | None = None) -> None:
    global _worker_judge, _before_read
    _worker_judge = judge
    _before_read = before_read
    _quiet_stderr()


def _quiet_stderr() -> None:
    """Send a worker's standard error to the null device.

    A panic in the Rust reader prints "thread ... panicked at ..." (and a backtrace under RUST_BACKTRACE) to
    the process's stderr before Python sees it as an exception; on the clerk's console that is noise beside
    the finding that says the same in Vietnamese. Python's own errors in a worker travel back pickled, so
    nothing the parent reports is lost.
    """
    try:
        sys.stderr.flush()
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 2)
        os.close(null)
    except OSError:  # no stderr to redirect (a windowed host): nothing would be printed anyway
        pass


def _check_batch(names: list[str], inbox: str) -> list[Any]:
    judge = _worker_judge
    assert judge is not None
    folder = Path(inbox)
    out = []
    for name in names:
        if _before_read is not None:
            _before_read(folder / name)
        out.append(judge(read_file(folder / name, folder)))
    return out


def default_jobs() -> int:
    """The processors this process may use (its CPU affinity where the OS has one)."""
    affinity = getattr(os, "sched_getaffinity", None)
    if affinity is not None:
        return max(1, len(affinity(0)))
    return max(1, os.cpu_count() or 1)
