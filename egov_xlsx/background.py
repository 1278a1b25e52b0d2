"""Write one output in a forked child process while this process writes the others.

A national build spends as long on the results workbook (xlsxwriter, ~850,000 cells) as on every other output
together, all pure Python. A forked child inherits the scored results as they are in memory, so nothing is
pickled: it writes its file and reports back only success or the exception. Elsewhere than on Linux, or when it
is not worth it, the writer simply runs here, in turn.

The child writes only to the temporary path it was given (see :class:`~egov_xlsx.atomic.Staging`), so the
all-or-nothing rule holds: the parent decides whether that file is renamed into place.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any


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
    """A writer running in a forked child; :meth:`wait` re-raises its exception here."""

    def __init__(self, writer: Callable[..., object], *args: Any) -> None:
        context = multiprocessing.get_context("fork")
        self._inbox, outbox = context.Pipe(duplex=False)
        sys.stdout.flush()
        sys.stderr.flush()
        self._process = context.Process(target=_child, args=(outbox, writer, args), daemon=True)
        self._process.start()
        outbox.close()

    def wait(self) -> None:
        """Wait for the child; raise what the writer raised (or say that the child died)."""
        try:
            failure = self._inbox.recv()
        except EOFError:  # the child died before it could answer (killed, out of memory)
            failure = None if self._exited_ok() else _died(self._process.exitcode)
        finally:
            self._process.join()
            self._inbox.close()
        if failure is not None:
            raise failure

    def cancel(self) -> None:
        """Stop the child (this process failed first) and wait until it is gone."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._inbox.close()

    def _exited_ok(self) -> bool:
        self._process.join()
        return self._process.exitcode == 0


def _child(outbox: Connection, writer: Callable[..., object], args: tuple[Any, ...]) -> None:
    failure: BaseException | None = None
    try:
        writer(*args)
    except BaseException as exc:  # everything goes back to the parent, which decides
        failure = exc
    try:
        outbox.send(failure)
    except Exception:  # an exception that cannot be pickled: send its words
        outbox.send(RuntimeError(f"{type(failure).__name__}: {failure}"))
    outbox.close()
    os._exit(0)  # no atexit handlers, no flushing of buffers inherited from the parent


def _died(exitcode: int | None) -> RuntimeError:
    return RuntimeError(f"tiến trình con ghi tệp đã dừng bất thường (mã thoát {exitcode})")
