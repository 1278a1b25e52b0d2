"""What announcement templates see: the results sorted into the facts a sentence says.

:func:`template_context` builds the variables every template gets; :class:`TierView` and
:class:`CriterionView` hold, per tier and criterion, the groups of units a sentence names (who reached the
maximum, the highest, the second, the lowest, the zero scores, the band lists, the year-over-year moves).
The wording itself stays in the templates (:mod:`egov_xlsx.announce`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from egov_xlsx.model import (
    ZERO,
    Criterion,
    CriterionFacts,
    PreviousStanding,
    Results,
    ScoreGroup,
    Tier,
    TierResult,
    Unit,
    UnitResult,
)
from egov_xlsx.scoring import band_figures

# --------------------------------------------------------------------------- what templates see


@dataclass(frozen=True)
class CriterionView:
    """The facts of one criterion, sorted into what a sentence says.

    ``highest``, ``second`` and ``lowest`` are ``None`` when they are not worth a clause: ``second`` when it is
    the zero group (``zero`` says it), ``lowest`` when it is the highest, the second or the zero group.
    """

    criterion: Criterion
    facts: CriterionFacts
    #: Ranked units for which the criterion is not applicable.
    not_applicable: tuple[Unit, ...]
    children: tuple[CriterionView, ...]

    @property
    def code(self) -> str:
        return self.criterion.code

    @property
    def name(self) -> str:
        return self.criterion.name

    @property
    def max(self) -> Decimal:
        return self.criterion.max

    @property
    def count(self) -> int:
        return self.facts.count

    @property
    def average(self) -> Decimal | None:
        return self.facts.average

    @property
    def at_max(self) -> tuple[Unit, ...]:
        return self.facts.at_max

    @property
    def zero(self) -> tuple[Unit, ...]:
        return self.facts.at_zero

    @property
    def all_zero(self) -> bool:
        return self.count > 0 and len(self.zero) == self.count

    @property
    def all_at_max(self) -> bool:
        return self.count > 0 and len(self.at_max) == self.count

    @property
    def highest(self) -> ScoreGroup | None:
        return None if self.all_zero else self.facts.highest

    @property
    def second(self) -> ScoreGroup | None:
        second = self.facts.second
        return second if second is not None and second.score > 0 else None

    @property
    def lowest(self) -> ScoreGroup | None:
        low, high, second = self.facts.lowest, self.facts.highest, self.facts.second
        if low is None or low.score == 0 or high is None or low.score == high.score:
            return None
        return None if second is not None and low.score == second.score else low

    @property
    def zero_is_rest(self) -> bool:
        """Every unit not named as highest or second scored 0 ("các đơn vị còn lại đạt 0 điểm")."""
        if not self.zero or self.highest is None:
            return False
        named = len(self.highest.units) + (len(self.second.units) if self.second else 0)
        return named + len(self.zero) == self.count

    @property
    def mostly_zero(self) -> bool:
        """At least two thirds of the units scored 0 and none reached a quarter of the maximum."""
        high = self.highest
        return (
            high is not None and bool(self.zero) and 3 * len(self.zero) >= 2 * self.count and 4 * high.score <= self.max
        )


@dataclass(frozen=True)
class RankGroup:
    """Ranked units sharing one rank, in roster order."""

    rank: int
    results: tuple[UnitResult, ...]

    @property
    def tied(self) -> bool:
        return len(self.results) > 1

    @property
    def units(self) -> tuple[Unit, ...]:
        return tuple(r.unit for r in self.results)

    @property
    def first(self) -> UnitResult:
        return self.results[0]

    @property
    def same_total(self) -> bool:
        """All share one total and one maximum (tied units with different maxima share only the percent)."""
        return len({(r.total, r.max) for r in self.results}) == 1


@dataclass(frozen=True)
class BandView:
    """A band and the ranked units in it, in rank order."""

    band: str
    results: tuple[UnitResult, ...]

    @property
    def units(self) -> tuple[Unit, ...]:
        return tuple(r.unit for r in self.results)


@dataclass(frozen=True)
class NotApplicable:
    """A unit with criteria not applicable to it: the outermost such criteria, and its own maximum."""

    result: UnitResult
    criteria: tuple[Criterion, ...]

    @property
    def unit(self) -> Unit:
        return self.result.unit

    @property
    def max(self) -> Decimal:
        return self.result.max


@dataclass(frozen=True)
class Move:
    """A ranked unit compared with its standing in an earlier year."""

    result: UnitResult
    previous: PreviousStanding

    @property
    def unit(self) -> Unit:
        return self.result.unit

    @property
    def rank(self) -> int | None:
        return self.result.rank

    @property
    def previous_rank(self) -> int | None:
        return self.previous.rank

    @property
    def change(self) -> int | None:
        """Ranks gained (positive) or lost (negative): previous rank minus this rank."""
        if self.result.rank is None or self.previous.rank is None:
            return None
        return self.previous.rank - self.result.rank

    @property
    def total_change(self) -> Decimal:
        return self.result.total - self.previous.total


@dataclass(frozen=True)
class TierView:
    """One tier's results, arranged for the announcement's paragraphs."""

    result: TierResult
    criteria: tuple[CriterionView, ...]
    rank_groups: tuple[RankGroup, ...]
    bands: tuple[BandView, ...]
    not_applicable: tuple[NotApplicable, ...]
    moves: tuple[Move, ...]
    _views: Mapping[str, CriterionView]

    @property
    def tier(self) -> Tier:
        return self.result.tier

    @property
    def name(self) -> str:
        return self.tier.name

    @property
    def max(self) -> Decimal:
        return self.tier.max

    def criterion(self, code: str) -> CriterionView:
        return self._views[code]

    @property
    def ranked(self) -> tuple[UnitResult, ...]:
        return self.result.ranked

    @property
    def unranked(self) -> tuple[UnitResult, ...]:
        return tuple(r for r in self.result.units if r.rank is None)

    @property
    def excluded(self) -> tuple[tuple[Unit, str], ...]:
        return self.result.excluded

    @property
    def leaders(self) -> RankGroup | None:
        return self.rank_groups[0] if self.rank_groups else None

    @property
    def runners_up(self) -> tuple[RankGroup, ...]:
        """The groups ranked 2nd and 3rd (none when the leaders' tie takes those places)."""
        return tuple(g for g in self.rank_groups[1:] if g.rank <= 3)

    @property
    def lowest(self) -> RankGroup | None:
        """The units ranked last, when they are not the leaders."""
        return self.rank_groups[-1] if len(self.rank_groups) > 1 else None

    @property
    def same_max(self) -> bool:
        """Every ranked unit is scored out of the tier's maximum (no criterion was not applicable)."""
        return all(r.max == self.max for r in self.ranked)

    @property
    def gap(self) -> Decimal | None:
        """Highest total minus lowest total of the ranked units."""
        facts = self.result.total_facts
        if facts is None or facts.highest is None or facts.lowest is None:
            return None
        return facts.highest.score - facts.lowest.score

    @property
    def average(self) -> Decimal | None:
        facts = self.result.total_facts
        return facts.average if facts is not None else None

    @property
    def average_percent(self) -> Decimal | None:
        """The mean of the ranked units' percents (each of its own maximum)."""
        ranked = self.ranked
        return sum((r.percent for r in ranked), ZERO) / len(ranked) if ranked else None

    @property
    def tie_notes(self) -> tuple[UnitResult, ...]:
        """The first unit of each tie that tie-breakers split; its ``tie_note`` is the sentence explaining it."""
        return tuple(r for r in self.ranked if r.tie_note)

    @property
    def moved_up(self) -> tuple[Move, ...]:
        return tuple(sorted((m for m in self.moves if (m.change or 0) > 0), key=lambda m: -(m.change or 0)))

    @property
    def moved_down(self) -> tuple[Move, ...]:
        return tuple(sorted((m for m in self.moves if (m.change or 0) < 0), key=lambda m: m.change or 0))

    @property
    def unchanged(self) -> tuple[Move, ...]:
        return tuple(m for m in self.moves if m.change == 0)

    @property
    def previously_unranked(self) -> tuple[Move, ...]:
        return tuple(m for m in self.moves if m.previous.rank is None)

    @property
    def new_units(self) -> tuple[UnitResult, ...]:
        """Ranked units with no standing in the earlier year."""
        return tuple(r for r in self.ranked if r.previous is None)


def tier_view(result: TierResult) -> TierView:
    """Arrange one tier's results for the templates.

    Each unit's ``total`` and ``percent`` is a :class:`~egov_xlsx.vietnamese.Figure` carrying its band's
    interval, so ``r.total|tong`` and ``r.percent|phantram`` never print a threshold the unit did not reach.
    """
    result = _with_band_figures(result)
    ranked = result.ranked
    views: dict[str, CriterionView] = {}

    def view(node: Criterion) -> CriterionView:
        children = tuple(view(c) for c in node.children)
        na = tuple(r.unit for r in ranked if node.code not in r.scores)
        views[node.code] = CriterionView(node, result.fact(node.code), na, children)
        return views[node.code]

    criteria = tuple(view(c) for c in result.tier.criteria)
    groups: list[RankGroup] = []
    for r in ranked:
        if groups and groups[-1].rank == r.rank:
            groups[-1] = RankGroup(groups[-1].rank, (*groups[-1].results, r))
        elif r.rank is not None:
            groups.append(RankGroup(r.rank, (r,)))
    by_code = {r.unit.code: r for r in ranked}
    bands = tuple(BandView(b.band, tuple(by_code[u.code] for u in b.units if u.code in by_code)) for b in result.bands)
    not_applicable = tuple(
        NotApplicable(r, _outermost_missing(result.tier, r)) for r in result.units if r.not_applicable
    )
    moves = tuple(Move(r, r.previous) for r in ranked if r.previous is not None)
    return TierView(result, criteria, tuple(groups), bands, not_applicable, moves, views)


def _with_band_figures(result: TierResult) -> TierResult:
    def banded(r: UnitResult) -> UnitResult:
        total, percent = band_figures(result.tier.bands, r)
        return replace(r, total=total, percent=percent)

    return replace(result, units=tuple(banded(r) for r in result.units))


def _outermost_missing(tier: Tier, result: UnitResult) -> tuple[Criterion, ...]:
    """The criteria without a score for the unit whose parent has one (or which are top-level)."""
    out: list[Criterion] = []

    def visit(node: Criterion) -> None:
        if node.code not in result.scores:
            out.append(node)
            return
        for child in node.children:
            visit(child)

    for top in tier.criteria:
        visit(top)
    return tuple(out)


def template_context(results: Results) -> dict[str, object]:
    """The variables every announcement template sees (documented in this module's docstring)."""
    campaign = results.campaign
    previous_year = results.previous_year
    if previous_year is None:
        previous_year = next((r.previous.year for t in results.tiers for r in t.units if r.previous), None)
    return {
        "campaign": campaign,
        "results": results,
        "display": campaign.display,
        "title": campaign.title,
        "year": campaign.year,
        "draft": results.draft,
        "previous_year": previous_year,
        "tiers": [tier_view(t) for t in results.tiers],
    }
