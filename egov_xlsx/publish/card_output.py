"""The result cards in a build: the printed document and one file per unit, staged with the other outputs.

A build writes its outputs one after another in one process, on one processor. The cards (hundreds of files)
are written in a forked child (:mod:`egov_xlsx.publish.background`) beside the other outputs when the build
may use two processors (``jobs`` of 2 or more), there are :data:`FORK_CARDS_UNITS` units or more and a child
can be forked safely (Linux, a single thread); otherwise, as on Windows, they are written here after the others.
Either way the same bytes are written to the same staged files, which the parent commits or rolls back, and a
card that cannot be written (or cut from the printed document) is an :class:`~egov_xlsx.errors.OutputError`
naming the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from egov_xlsx.atomic import naming
from egov_xlsx.publish.background import Pending, can_fork
from egov_xlsx.publish.card_files import CardFiles, card_names, make_cards
from egov_xlsx.publish.outputs import CARDS_UP_TO
from egov_xlsx.publish.unit_summary import UnitSummary, summarize

if TYPE_CHECKING:
    from egov_xlsx.atomic import Staging
    from egov_xlsx.model import Results

#: Units from which the cards are written in a forked child: below it the fork costs about what it saves.
FORK_CARDS_UNITS = 200


def card_summaries(results: Results, forced: bool) -> tuple[UnitSummary, ...] | None:
    """Every unit's summary if the cards are written (up to :data:`CARDS_UP_TO` units unless ``forced``, the
    ``--cards`` option), made once for the cards and the results page; else None."""
    if not forced and sum(len(t.units) for t in results.tiers) > CARDS_UP_TO:
        return None
    return summarize(results)


def start_cards(
    staging: Staging,
    results: Results,
    summaries: Sequence[UnitSummary],
    printed: Path,
    folder: Path,
    jobs: int,
) -> Pending | None:
    """Start writing the cards (``printed``, then one file per unit in ``folder``) in a forked child, when worth
    it and safe; None when they are to be written here (:func:`write_cards`)."""
    if jobs < 2 or len(summaries) < FORK_CARDS_UNITS or not can_fork():
        return None
    targets = [printed, *(folder / name for name in card_names(results, summaries))]
    staged = [(target, staging.stage(target)) for target in targets]
    try:
        return Pending(_write_staged, results, summaries, staged)
    except OSError:  # no child to be had (memory, process limits): the cards are written here, in turn
        for _, tmp in staged:
            staging.discard(tmp)
        return None


def write_cards(
    staging: Staging, results: Results, summaries: Sequence[UnitSummary], printed: Path, folder: Path
) -> None:
    """Stage the cards in this process: the printed document, then one file per unit in ``folder``."""
    made: list[CardFiles] = []
    staging.write(printed, lambda p: made.append(make_cards(results, summaries, p)))
    with naming(printed):  # each unit's file is cut from the printed document as it is read
        for name, data in made[0].unit_files():
            staging.write(folder / name, partial(Path.write_bytes, data=data))


def _write_staged(results: Results, summaries: Sequence[UnitSummary], staged: Sequence[tuple[Path, Path]]) -> None:
    """In the child: the printed document and each unit's file, into the files the parent staged.

    An error is told as in :func:`write_cards` (the parent re-raises it): writing a unit's file names that
    file, cutting the cards from the printed document names the printed document.
    """
    (printed, printed_tmp), units = staged[0], staged[1:]
    with naming(printed, printed_tmp):
        made = make_cards(results, summaries, printed_tmp)
        for (target, tmp), (_, data) in zip(units, made.unit_files(), strict=True):
            with naming(target, tmp):
                tmp.write_bytes(data)
