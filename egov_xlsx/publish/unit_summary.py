"""One unit's results in summary (pure): what its result card and its section of the results page show.

Per criterion: the unit's points, the maximum, the tier's average and best; the appraisal council's changes with
their reasons; the change from last year (with ``--previous``); the three criteria furthest from the tier's best,
as its priorities.

How the comparisons count: the tier's average and best of a criterion are those of the announcement
(:class:`~egov_xlsx.model.CriterionFacts`): over the tier's ranked units that have a score on it. A unit that marked
the criterion not applicable has no points there (its line reads "không áp dụng", it counts in no average, it is
never a priority); an unranked unit is compared with the ranked units but does not count in their average or best.

Every figure is printed through :mod:`egov_xlsx.vietnamese` (scores exact, totals and averages with the campaign's
``total_decimals``, a unit's total and percent kept inside its band), so a card reads as the decision does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from egov_xlsx.model import Criterion, Results, TierResult, UnitResult
from egov_xlsx.rules.index_scale import equal_index_notes, index_figure, index_of
from egov_xlsx.rules.scoring import band_figures, percent_of
from egov_xlsx.vietnamese import Figure, clean, format_number, format_percent, format_rank_change

#: From this many criteria (every level counted) a card shows only the top two levels of the tree.
FULL_TREE_LIMIT = 40
#: How many priorities a card names.
PRIORITIES = 3
#: What a card prints where a unit has no points (not applicable) or the tier has no figure.
NONE_TEXT = "–"


@dataclass(frozen=True, slots=True)
class CriterionLine:
    """One criterion on a unit's card: its points against the maximum, the tier's average and best."""

    criterion: Criterion
    #: 1 for a top-level criterion, 2 for its children...
    level: int
    #: The unit's final points; ``None`` when the unit marked the criterion not applicable.
    points: Decimal | None
    #: Over the tier's ranked units with a score on the criterion; ``None`` when there is none.
    average: Decimal | None
    best: Decimal | None

    @property
    def applicable(self) -> bool:
        return self.points is not None

    @property
    def percent(self) -> Decimal | None:
        """The unit's points as a percent of the criterion's maximum (exact)."""
        return None if self.points is None else percent_of(self.points, self.criterion.max)

    @property
    def average_percent(self) -> Decimal | None:
        return None if self.average is None else percent_of(self.average, self.criterion.max)

    @property
    def index(self) -> Decimal | None:
        """The unit's points divided by the criterion's maximum (exact): its index on the criterion."""
        return None if self.points is None else index_of(self.points, self.criterion.max)

    @property
    def average_index(self) -> Decimal | None:
        return None if self.average is None else index_of(self.average, self.criterion.max)

    @property
    def gap(self) -> Decimal:
        """Points below the tier's best (0 when at or above it, or not applicable)."""
        if self.points is None or self.best is None:
            return Decimal(0)
        return max(self.best - self.points, Decimal(0))


@dataclass(frozen=True, slots=True)
class AppraisalChange:
    """A value the appraisal council set: a criterion's score or a bonus/penalty line, with its reason."""

    code: str
    name: str
    #: The unit's own score (``None`` for a bonus/penalty line, which units never declare).
    declared: Decimal | None
    appraised: Decimal
    reason: str
    #: The name of the appraising body that set it (``[[appraisers]]``); "" with a single council.
    appraiser: str = ""


@dataclass(frozen=True, slots=True)
class YearChange:
    """The unit's standing last year against this year's."""

    year: int
    rank: int | None
    total: Decimal
    #: Positive: moved up; ``None`` when either year has no rank.
    rank_change: int | None
    total_change: Decimal
    percent_change: Decimal


@dataclass(frozen=True, slots=True)
class UnitSummary:
    """Everything a unit's card says, computed once from the results."""

    result: UnitResult
    tier: TierResult
    #: The unit's total and percent, each kept inside its band when printed.
    total: Figure
    percent: Figure
    lines: tuple[CriterionLine, ...]
    changes: tuple[AppraisalChange, ...]
    previous: YearChange | None
    priorities: tuple[CriterionLine, ...]
    total_decimals: int
    percent_decimals: int
    #: How many units of the tier are ranked ("3/20").
    ranked_count: int
    #: An index campaign's unit index (total / own maximum), kept inside its band when printed; else ``None``.
    index: Figure | None = None
    index_decimals: int = 4
    #: The sentence on units whose printed index is equal but exact index differs (on the first of them).
    index_note: str = ""

    @property
    def code(self) -> str:
        return self.result.unit.code

    @property
    def name(self) -> str:
        return clean(self.result.unit.name)

    @property
    def shown_lines(self) -> tuple[CriterionLine, ...]:
        """The lines a card prints: every criterion, or the top two levels of a set of 40 or more."""
        if len(self.lines) < FULL_TREE_LIMIT:
            return self.lines
        return tuple(line for line in self.lines if line.level <= 2)

    @property
    def top_lines(self) -> tuple[CriterionLine, ...]:
        """The top-level criteria: the bars of the unit's chart."""
        return tuple(line for line in self.lines if line.level == 1)

    # ------------------------------------------------------------------ texts, through the one formatter

    def score_text(self, value: Decimal | None) -> str:
        return NONE_TEXT if value is None else _exact_text(value)

    def average_text(self, value: Decimal | None) -> str:
        if value is None:
            return NONE_TEXT
        if type(value) is Decimal:  # not a Figure: its interval is no part of the cache's key
            return _rounded_text(value, self.total_decimals)
        return format_number(value, self.total_decimals)

    def percent_text(self, value: Decimal | None) -> str:
        return NONE_TEXT if value is None else format_percent(value, self.percent_decimals)

    @property
    def total_text(self) -> str:
        return format_number(self.total, self.total_decimals)

    @property
    def max_text(self) -> str:
        return format_number(self.result.max)

    @property
    def own_percent_text(self) -> str:
        return format_percent(self.percent, self.percent_decimals)

    @property
    def index_text(self) -> str:
        """The printed index ("0,6975"); empty when the campaign publishes points."""
        return "" if self.index is None else format_number(self.index, self.index_decimals)

    @property
    def share_text(self) -> str:
        """How the total compares with the maximum: "chỉ số 0,6975" for an index campaign, else the percent."""
        return f"chỉ số {self.index_text}" if self.index is not None else self.own_percent_text

    @property
    def rank_text(self) -> str:
        """ "3/20", "đồng hạng 3/20", or "Không xếp hạng: <reason>"."""
        rank = self.result.rank
        if rank is None:
            reason = clean(self.result.unit.unranked_reason).rstrip(".")
            return "Không xếp hạng" + (f" ({reason})" if reason else "")
        shared = "đồng hạng " if self.result.shares_rank else ""
        return f"{shared}{format_number(rank)}/{format_number(self.ranked_count)}"

    @property
    def band_text(self) -> str:
        return self.result.band or NONE_TEXT

    @property
    def previous_text(self) -> str:
        """ "Năm 2017: hạng 5, 380,50 điểm; tăng 2 bậc, tăng 12,25 điểm." (empty without ``--previous``)."""
        before = self.previous
        if before is None:
            return ""
        rank = f"hạng {format_number(before.rank)}" if before.rank is not None else "không xếp hạng"
        text = f"Năm {before.year}: {rank}, {format_number(before.total, self.total_decimals)} điểm"
        moves = []
        if before.rank_change is not None:
            moves.append(format_rank_change(before.rank_change))
        change = before.total_change
        if change:
            word = "tăng" if change > 0 else "giảm"
            moves.append(f"{word} {format_number(abs(change), self.total_decimals)} điểm")
        else:
            moves.append("tổng điểm không đổi")
        return f"{text}; {', '.join(moves)}."

    @property
    def not_applicable_text(self) -> str:
        """Which criteria the unit marked not applicable, and its own maximum (empty when none)."""
        marked = [line.criterion.code for line in self.lines if line.criterion.code in self.result.not_applicable]
        if not marked:
            return ""
        listed = ", ".join(marked)
        return f"Không áp dụng tiêu chí {listed}: điểm tối đa của đơn vị là {self.max_text}."


# A tier's cards and page print the same few figures (maxima, averages, bests, common scores) for every unit.
# Equal decimals print the same ("1.5" and "1.50": "1,5"), so the figure is the key.
@lru_cache(maxsize=4096)
def _exact_text(value: Decimal) -> str:
    return format_number(value)


@lru_cache(maxsize=4096)
def _rounded_text(value: Decimal, decimals: int) -> str:
    return format_number(value, decimals)


def _with_levels(nodes: Iterable[Criterion], level: int = 1) -> Iterator[tuple[Criterion, int]]:
    """Each criterion of ``nodes`` and their descendants in tree order, with its level (top = 1).

    A module function, not a nested one calling itself (a reference cycle: at 10,000 units each summary's
    lines would wait for the cycle collector).
    """
    for node in nodes:
        yield node, level
        yield from _with_levels(node.children, level + 1)


def summarize_unit(
    results: Results,
    tier: TierResult,
    result: UnitResult,
    ranked_count: int | None = None,
    index_notes: Mapping[str, str] | None = None,
) -> UnitSummary:
    """The summary of ``result`` (a unit of ``tier``) within ``results`` (``ranked_count``: the tier's ranked
    units, and ``index_notes``: :func:`tier_index_notes`, made once by :func:`summarize` for every unit of the
    tier)."""
    facts = {f.criterion.code: f for f in tier.facts}
    lines: list[CriterionLine] = []
    for node, level in _with_levels(tier.tier.criteria):
        fact = facts.get(node.code)
        lines.append(
            CriterionLine(
                criterion=node,
                level=level,
                points=result.scores.get(node.code),
                average=None if fact is None else fact.average,
                best=None if fact is None or fact.highest is None else fact.highest.score,
            )
        )
    total, percent = band_figures(tier.tier.bands, result)
    display = results.campaign.display
    return UnitSummary(
        result=result,
        tier=tier,
        total=total,
        percent=percent,
        lines=tuple(lines),
        changes=_changes(tier, result, {a.code: clean(a.name) for a in results.campaign.appraisers}),
        previous=_year_change(result),
        priorities=_priorities(lines),
        total_decimals=display.total_decimals,
        percent_decimals=display.percent_decimals,
        ranked_count=len(tier.ranked) if ranked_count is None else ranked_count,
        index=index_figure(tier.tier.bands, result) if display.index else None,
        index_decimals=display.index_decimals,
        index_note=(tier_index_notes(results, tier) if index_notes is None else index_notes).get(result.unit.code, ""),
    )


def tier_index_notes(results: Results, tier: TierResult) -> dict[str, str]:
    """An index campaign's notes on equal printed indices in ``tier``, by unit code (none for points)."""
    display = results.campaign.display
    return equal_index_notes(tier, display.index_decimals) if display.index else {}


def summarize(results: Results) -> tuple[UnitSummary, ...]:
    """Every scored unit's summary, tier by tier, in each tier's order (ranked by rank, then unranked)."""
    every: list[UnitSummary] = []
    for tier in results.tiers:
        ranked, notes = len(tier.ranked), tier_index_notes(results, tier)
        every += (summarize_unit(results, tier, r, ranked, notes) for r in tier.units)
    return tuple(every)


def _priorities(lines: list[CriterionLine]) -> tuple[CriterionLine, ...]:
    """The leaf criteria furthest below the tier's best (points), larger gap first, tree order among equals."""
    leaves = [line for line in lines if line.criterion.is_leaf and line.gap > 0]
    ordered = sorted(enumerate(leaves), key=lambda item: (-item[1].gap, item[0]))
    return tuple(line for _, line in ordered[:PRIORITIES])


def _changes(tier: TierResult, result: UnitResult, bodies: Mapping[str, str]) -> tuple[AppraisalChange, ...]:
    """The council's values that changed the unit's result, in tree order then the bonus/penalty lines;
    ``bodies``: appraising body code -> name, to say who set each (empty with a single council)."""
    reasons = result.appraisal_reasons
    changes: list[AppraisalChange] = []
    for leaf in tier.tier.leaves():
        code = leaf.code
        if code not in result.appraised or code in result.not_applicable:
            continue
        value, declared = result.appraised[code], result.self_scores.get(code)
        if declared is not None and value == declared:
            continue
        by = bodies.get(leaf.appraised_by, "")
        changes.append(AppraisalChange(code, clean(leaf.name), declared, value, clean(reasons.get(code, "")), by))
    for line in tier.tier.adjustments:
        given = result.adjustments.get(line.code)
        if given:
            reason, by = clean(reasons.get(line.code, "")), bodies.get(line.appraised_by, "")
            changes.append(AppraisalChange(line.code, clean(line.name), None, given, reason, by))
    return tuple(changes)


def _year_change(result: UnitResult) -> YearChange | None:
    before = result.previous
    if before is None:
        return None
    moved = None if result.rank is None or before.rank is None else before.rank - result.rank
    return YearChange(
        year=before.year,
        rank=before.rank,
        total=before.total,
        rank_change=moved,
        total_change=result.total - before.total,
        percent_change=result.percent - before.percent,
    )
