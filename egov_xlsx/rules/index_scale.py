"""The index scale (``[display] scale = "index"``): results published as total / own maximum, 0-1 ("0,6975").

Rules (the README's config reference says the same to clerks):

* A unit's index is its total divided by its own maximum, and a criterion's is its points divided by its
  maximum, exact (28 significant digits when the quotient does not terminate). Ranks stay on the exact
  total / maximum (:mod:`egov_xlsx.rules.scoring`), which is the same order.
* The printed index is rounded half up to ``index_decimals`` and kept inside the unit's band
  (:func:`index_figure` carries the band's interval, scaled to 0-1, to :func:`egov_xlsx.vietnamese.shown_figure`):
  0,74996 with a band from 0,75 prints "0,74996", never "0,7500".
* Ranked units whose printed indices are equal but whose exact indices differ get one plain sentence, on the
  first of them, saying that the rank follows the unrounded index (:func:`equal_index_notes`).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from egov_xlsx.model import ZERO, Band, Tier, TierResult, UnitResult
from egov_xlsx.rules.scoring import band_interval, criterion_scores
from egov_xlsx.vietnamese import Figure, format_number, join, shown_figure

_HUNDREDTH = Decimal("0.01")

#: Decimals the note on equal printed indices may use to tell the exact indices apart.
_NOTE_MAX_DECIMALS = 12


def index_of(points: Decimal, maximum: Decimal) -> Decimal:
    """``points / maximum``, exact to 28 significant digits; 0 when the maximum is 0."""
    return points / maximum if maximum > 0 else ZERO


def unit_index(result: UnitResult) -> Decimal:
    """A unit's index: its total (bonus and penalty lines included) divided by its own maximum."""
    return index_of(result.total, result.max)


def criterion_indices(tier: Tier, result: UnitResult) -> dict[str, Decimal]:
    """Each criterion's index for the unit: its points / its maximum for the unit, in the tier's tree order.

    The maximum is the unit's own (a parent with a criterion not applicable to the unit has a smaller one);
    criteria not applicable to the unit have no index.
    """
    maxima = criterion_scores(tier, {}, result.not_applicable)[1]
    return {c.code: index_of(result.scores[c.code], maxima[c.code]) for c in tier.walk() if c.code in result.scores}


def index_figure(bands: Sequence[Band], result: UnitResult) -> Figure:
    """A unit's exact index carrying the interval (0-1) its band allows it to print in."""
    return Figure(unit_index(result), band_interval(bands, result.band).scaled(_HUNDREDTH))


def index_text(value: Decimal, decimals: int) -> str:
    """The printed index, decimal comma: "0,6975" (a :class:`Figure` keeps to its band, with more decimals)."""
    return format_number(value, decimals)


def equal_index_notes(result: TierResult, decimals: int) -> dict[str, str]:
    """Unit code -> the sentence explaining that units with the same printed index are ranked on the exact one.

    Ranked units are grouped by their printed index; a group holding more than one exact index gets the note,
    on its first unit (rank order): "A (0,697521) và B (0,697480) cùng có chỉ số 0,6975 khi làm tròn; thứ
    hạng được xếp theo chỉ số chưa làm tròn." Each exact index is printed with the fewest decimals (beyond
    ``decimals``) that tell the group's different indices apart.
    """
    bands = result.tier.bands
    groups: dict[str, list[tuple[UnitResult, Figure]]] = {}
    for r in result.ranked:
        figure = index_figure(bands, r)
        groups.setdefault(index_text(figure, decimals), []).append((r, figure))
    notes: dict[str, str] = {}
    for shown, group in groups.items():
        exact = {Decimal(f) for _, f in group}
        if len(exact) < 2:
            continue
        places = decimals + 1
        while places < _NOTE_MAX_DECIMALS and len({shown_figure(v, places) for v in exact}) < len(exact):
            places += 1
        parts = (f"{r.unit.name} ({format_number(shown_figure(Decimal(f), places), places)})" for r, f in group)
        notes[group[0][0].unit.code] = (
            f"{join(parts)} cùng có chỉ số {shown} khi làm tròn; thứ hạng được xếp theo chỉ số chưa làm tròn."
        )
    return notes
