"""Fewer garbage collections while the command line runs one batch (``check``, ``build``, ``appraisal``).

A national build makes millions of small objects that live until the end (readings, submissions, results);
with the interpreter's default thresholds the cyclic collector keeps re-scanning them as they grow. Raising
the thresholds for the batch's duration is measured in ``benchmarks/README.md`` ("Optimisations kept").

The thresholds belong to the whole process, so this is for the command line only: the library's ``check``
and ``build`` never call it (a host application keeps its own settings), and a caller that wants it says so::

    with fewer_collections():
        egov_xlsx.build(...)

Thread-safe: batches may overlap in several threads; the first to start raises the thresholds, the last to end
restores what they were before it. A host that turned automatic collection off (threshold 0) keeps it off.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

#: The thresholds during a batch (generation 0, 1, 2); never lower than the process's own.
BATCH_THRESHOLDS = (50_000, 20, 100)

_lock = threading.Lock()
_active = 0
_saved: tuple[int, int, int] | None = None


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Raise the cyclic collector's thresholds while the ``with`` block runs, then restore them."""
    global _active, _saved
    with _lock:
        if _active == 0:
            before = gc.get_threshold()
            if before[0] != 0:
                _saved = before
                gc.set_threshold(*(max(b, t) for b, t in zip(before, BATCH_THRESHOLDS, strict=True)))
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None
