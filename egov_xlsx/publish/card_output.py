"""The result cards in a build: the printed document and one file per unit, staged with the other outputs.

The cards (hundreds of files) are written after the other outputs, in the build's own process, into staged
files that the build commits or rolls back with the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from egov_xlsx.atomic import naming
from egov_xlsx.publish.card_files import CardFiles, make_cards
from egov_xlsx.publish.outputs import CARDS_UP_TO
from egov_xlsx.publish.unit_summary import UnitSummary, summarize

if TYPE_CHECKING:
    from egov_xlsx.atomic import Staging
    from egov_xlsx.model import Results


def card_summaries(results: Results, forced: bool) -> tuple[UnitSummary, ...] | None:
    """Every unit's summary if the cards are written (up to :data:`CARDS_UP_TO` units unless ``forced``, the
    ``--cards`` option), made once for the cards and the results page; else None."""
    if not forced and sum(len(t.units) for t in results.tiers) > CARDS_UP_TO:
        return None
    return summarize(results)


def write_cards(
    staging: Staging, results: Results, summaries: Sequence[UnitSummary], printed: Path, folder: Path
) -> None:
    """Stage the cards in this process: the printed document, then one file per unit in ``folder``."""
    made: list[CardFiles] = []
    staging.write(printed, lambda p: made.append(make_cards(results, summaries, p)))
    with naming(printed):  # each unit's file is cut from the printed document as it is read
        for name, data in made[0].unit_files():
            staging.write(folder / name, partial(Path.write_bytes, data=data))
