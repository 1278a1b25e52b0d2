"""Write one output in a forked child process while this process writes the others.

A national build spends as long on the results workbook (xlsxwriter, ~850,000 cells) as on every other output
together, all pure Python. A forked child inherits the scored results as they are in memory, so nothing is
pickled: it writes its file and reports back only success or the exception. Elsewhere than on Linux, or when it
is not worth it, the writer simply runs here, in turn.

The child writes only to the temporary path it was given (see :class:`~egov_xlsx.atomic.Staging`), so the
all-or-nothing rule holds: the parent decides whether that file is renamed into place.

This is the one optimisation that reaches beyond the calling function, so it is opt-in for a library caller:
``build`` forks only with ``jobs`` of 2 or more (the command line's default on a multi-core machine, not the
library's), from :data:`FORK_WORKBOOK_UNITS` units, on Linux, and only while the calling process runs a single
thread (:func:`can_fork`). Otherwise the same writer runs in turn in this process and writes the same bytes.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from egov_xlsx.atomic import Staging
    from egov_xlsx.model import Results


def can_fork() -> bool:
    """True where a child can be forked safely: on Linux, while this process runs no other thread.

    A thread (a progress bar's refresher, a host application's worker) may hold a lock at the moment of the
    fork that the child would then wait on forever. macOS has ``fork`` too, but its system libraries are not
    safe to use in a forked child (Python itself starts processes there by ``spawn``); Windows has no fork.
    """
    return (
        sys.platform.startswith("linux")
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    )


class Pending:
    """A writer running in a forked child; :meth:`wait` re-raises its exception here.

    Raises ``OSError`` when the child cannot be started (the caller then writes in this process).
    """

    def __init__(self, writer: Callable[..., object], *args: Any) -> None:
        context = multiprocessing.get_context("fork")
        self._inbox, outbox = context.Pipe(duplex=False)
        for stream in (sys.stdout, sys.stderr):  # what the child would otherwise print a second time
            if stream is not None:
                with contextlib.suppress(Exception):
                    stream.flush()
        self._process = context.Process(target=_child, args=(outbox, writer, args), daemon=True)
        # The objects alive now go to the collector's permanent generation for the fork: the child's
        # collections then never walk (and so never copy) the pages it shares with this process.
        gc.freeze()
        try:
            self._process.start()
        except BaseException:
            self._inbox.close()
            raise
        finally:
            gc.unfreeze()
            outbox.close()

    def wait(self) -> None:
        """Wait for the child; raise what the writer raised (or say that the child died).

        Interrupted while waiting (Ctrl+C, SIGTERM), it stops the child instead of waiting for it to finish.
        """
        try:
            failure = self._inbox.recv()
        except EOFError:  # the child died before it could answer (killed, out of memory)
            failure = None if self._exited_ok() else _died(self._process.exitcode)
        except BaseException:
            self.cancel()
            raise
        self._process.join()
        self._inbox.close()
        if failure is not None:
            raise failure

    def cancel(self) -> None:
        """Stop the child (this process failed first) and wait until it is gone.

        SIGTERM becomes an exception in the child, so the writer cleans up after itself (xlsxwriter's
        temporary row files) before the child exits.
        """
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._inbox.close()

    def _exited_ok(self) -> bool:
        self._process.join()
        return self._process.exitcode == 0


class Cancelled(Exception):
    """Raised in the child when the parent cancels it."""


def _on_terminate(signum: int, frame: object) -> None:
    raise Cancelled


def _child(outbox: Connection, writer: Callable[..., object], args: tuple[Any, ...]) -> None:
    signal.signal(signal.SIGTERM, _on_terminate)
    failure: BaseException | None = None
    try:
        writer(*args)
    except BaseException as exc:  # everything goes back to the parent, which decides
        failure = exc
    with contextlib.suppress(Exception):  # the parent may be gone, or not listening any more
        outbox.send(_portable(failure))
        outbox.close()
    os._exit(0)  # no atexit handlers, no flushing of buffers inherited from the parent


def _portable(failure: BaseException | None) -> BaseException | None:
    """The exception itself when it survives pickling both ways, else its words in a RuntimeError."""
    if failure is None:
        return None
    try:
        pickle.loads(pickle.dumps(failure))
    except Exception:  # e.g. an __init__ whose arguments are not its args
        return RuntimeError(f"{type(failure).__name__}: {failure}")
    return failure


def _died(exitcode: int | None) -> RuntimeError:
    return RuntimeError(f"tiến trình con ghi tệp đã dừng bất thường (mã thoát {exitcode})")


#: Units from which the results workbook is written in a forked child, beside the other outputs. Below it
#: the fork costs more than it saves (the workbook of 30 units takes 0.1 s).
FORK_WORKBOOK_UNITS = 1000


def start_workbook(staging: Staging, results: Results | None, target: Path, jobs: int) -> Pending | None:
    """Start writing the results workbook in a child process when it is big and a child can be forked."""
    if results is None or jobs < 2 or sum(len(t.units) for t in results.tiers) < FORK_WORKBOOK_UNITS:
        return None
    if not can_fork():
        return None
    from egov_xlsx.publish.workbook import write_results_workbook  # the child inherits it loaded

    tmp = staging.stage(target)
    try:
        return Pending(write_results_workbook, results, tmp)
    except OSError:  # no child to be had (memory, process limits): the workbook is written here, in turn
        staging.discard(tmp)
        return None
