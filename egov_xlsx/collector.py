"""Garbage-collector thresholds raised while one batch (``check``, ``build``) builds millions of objects."""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Callable, Iterator
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Let Python's cyclic garbage collector run less often while a batch builds millions of objects.

    With the default thresholds a national build spends about a second re-scanning its own live results
    (frozen records, without cycles) as they grow; the objects are freed by reference counting anyway. The
    thresholds are restored afterwards, so a host application keeps its own.
    """
    before = gc.get_threshold()
    if before[0] == 0:  # the host turned automatic collection off: leave it so
        yield
        return
    gc.set_threshold(max(before[0], 50_000), max(before[1], 20), max(before[2], 100))
    try:
        yield
    finally:
        gc.set_threshold(*before)


def batch(func: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with fewer_collections():
            return func(*args, **kwargs)

    return wrapper
