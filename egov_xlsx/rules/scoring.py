"""Totals, ranks, bands and per-criterion facts: pure functions over exact decimals (no I/O).

Rules (the README's config reference says the same to clerks):

* A parent's score is the sum of its children's, capped at its declared maximum when the config caps it.
  Criteria a unit marked not applicable are left out of both its score and its maximum.
* Units are ranked within their tier on the exact fraction total / own maximum (the same as the total when
  every unit has the same maximum), then on the tier's tie-breakers in order. Equal keys share a rank and
  the next rank is skipped (1, 2, 2, 4). Units with equal keys keep roster order.
* The band is the first band (highest bound first) whose lower bound the exact percent reaches: 105 of 150 is
  exactly 70 %, so a unit there is "Khá" when Khá starts at 70 ("từ 70%"), and not when Khá is "lớn hơn 70%"
  (``above_percent``).
* Bonus/penalty lines (``tiers.adjustments``) are added to the total, not to any criterion; the maximum stays
  the criteria's, so the percent (and the band) is taken on the adjusted total.
* Units listed as not ranked are scored and banded but get no rank and are left out of band counts and facts.
* A unit's printed total and percent stay inside its band (:func:`band_figures`): the figures carry the
  band's interval to :mod:`egov_xlsx.vietnamese`, which adds a decimal rather than print a threshold the
  unit did not reach.
* When tie-breakers split units with the same total, one plain sentence, on the first of them, says so.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

from egov_xlsx.model import (
    HUNDRED,
    ZERO,
    Band,
    BandCount,
    Criterion,
    CriterionFacts,
    Facts,
    PreviousStanding,
    ScoreGroup,
    Submission,
    Tier,
    TierResult,
    Unit,
    UnitResult,
)
from egov_xlsx.vietnamese import Figure, Interval, format_number, join

TOTAL_CODE = ""
"""Code of the pseudo-criterion standing for the total in :attr:`TierResult.total_facts`."""


@dataclass(frozen=True)
class _Scored:
    unit: Unit
    index: int
    result: UnitResult
    key: tuple[Decimal | Fraction, ...]


def criterion_scores(
    tier: Tier, leaves: Mapping[str, Decimal], not_applicable: frozenset[str] = frozenset()
) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """Scores and maxima of every criterion (parents included) from leaf scores.

    A leaf missing from ``leaves`` counts as 0; one in ``not_applicable`` is left out, and a parent whose
    children are all not applicable is left out too. Returns (scores, maxima) keyed by criterion code.
    """
    scores: dict[str, Decimal] = {}
    maxima: dict[str, Decimal] = {}
    # Children before parents, as a recursive walk would fill the dicts (their order is the tree's post-order).
    # A criterion is applicable exactly when it has an entry in ``scores``.
    for c in tier.post_order:
        code = c.code
        if not c.children:
            if code in not_applicable:
                continue
            scores[code] = leaves.get(code, ZERO)
            maxima[code] = c.max
            continue
        total = top = ZERO
        present = False
        for child in c.children:
            score = scores.get(child.code)
            if score is not None:
                total += score
                top += maxima[child.code]
                present = True
        if not present:
            continue
        if c.capped:
            total, top = min(total, c.max), min(top, c.max)
        scores[code], maxima[code] = total, top
    return scores, maxima


def band_for(bands: Sequence[Band], total: Decimal, maximum: Decimal) -> str | None:
    """The first band whose lower bound the exact percent total/maximum reaches (inclusive, or exclusive for a
    band reached "lớn hơn X%")."""
    if maximum <= 0:
        return None
    for band in bands:  # highest bound first
        if band.reached(total, maximum):
            return band.name
    return None


def band_interval(bands: Sequence[Band], band: str | None) -> Interval:
    """The percents a unit in ``band`` has: from the band's lower bound up to the next band's.

    A band reached "từ X%" includes its bound, one reached "lớn hơn X%" does not; the band below includes the
    bound exactly when the band above does not.

    ``bands`` come highest bound first, as :func:`band_for` reads them. A unit in no band (below the lowest
    bound) lies below the lowest band's bound; an unknown band name gives an unbounded interval.
    """
    names = [b.name for b in bands]
    if band is None:
        return Interval(high=bands[-1].min_percent, high_inclusive=bands[-1].exclusive) if bands else Interval()
    if band not in names:
        return Interval()
    i = names.index(band)
    above = bands[i - 1] if i > 0 else None
    return Interval(
        low=bands[i].min_percent,
        high=above.min_percent if above else None,
        low_inclusive=not bands[i].exclusive,
        high_inclusive=above.exclusive if above else False,
    )


def band_figures(bands: Sequence[Band], result: UnitResult) -> tuple[Figure, Figure]:
    """A unit's exact total and percent, each carrying the interval its band allows it to print in.

    Every writer prints a unit's total and percent from these, so no output shows 33,99 of 40 as "85%" or
    424,995 of 500 as "425,00" beside a band that starts at 85 %.
    """
    percent_within = band_interval(bands, result.band)
    total_within = percent_within.scaled(result.max / HUNDRED) if result.max > 0 else Interval()
    return Figure(result.total, total_within), Figure(result.percent, percent_within)


def percent_of(total: Decimal, maximum: Decimal) -> Decimal:
    """total / maximum * 100 to 28 significant digits (exact whenever the quotient terminates)."""
    return (total * HUNDRED / maximum) if maximum > 0 else ZERO


def score_tier(
    tier: Tier,
    submissions: Mapping[str, Submission],
    *,
    appraisals: Mapping[str, Mapping[str, Decimal]] | None = None,
    adjustments: Mapping[str, Mapping[str, Decimal]] | None = None,
    reasons: Mapping[str, Mapping[str, str]] | None = None,
    excluded: Mapping[str, str] | None = None,
    appraised_facts: Mapping[str, Mapping[str, Facts]] | None = None,
    previous: Mapping[str, PreviousStanding] | None = None,
) -> TierResult:
    """Score, rank and band one tier.

    ``submissions`` maps unit codes to their accepted submission; ``appraisals`` maps unit code ->
    leaf code -> appraised score, which replaces the self-assessed one; ``adjustments`` maps unit code ->
    bonus/penalty line code -> value (set by the appraisal council; a unit absent from it keeps its
    submission's ``adjustments``, empty unless set in code), added to the total outside the criteria tree, so
    a bonus may take the percent past 100 and a penalty below 0; ``reasons`` maps unit code -> code -> the
    council's reason; ``appraised_facts`` maps unit code -> leaf code -> the facts the council set where an
    appraised score came from them; ``excluded`` gives, for roster units without a usable submission, why they are left
    out; ``previous`` gives last year's standing.
    """
    appraisals = appraisals or {}
    adjustments = adjustments or {}
    reasons = reasons or {}
    previous = previous or {}
    scored: list[_Scored] = []
    for index, unit in enumerate(tier.units):
        sub = submissions.get(unit.code)
        if sub is None:
            continue
        appraised = dict(appraisals.get(unit.code, {}))
        final = {**sub.scores, **{k: v for k, v in appraised.items() if k not in sub.not_applicable}}
        # Criteria the unit's group excludes count as not applicable: out of its total and its maximum.
        scores, maxima = criterion_scores(tier, final, sub.not_applicable | tier.excluded_for(unit.code))
        given = adjustments.get(unit.code, sub.adjustments)
        lines = {a.code: given.get(a.code, ZERO) for a in tier.adjustments}
        maximum = sum((maxima.get(c.code, ZERO) for c in tier.criteria), ZERO)
        total = sum((scores.get(c.code, ZERO) for c in tier.criteria), ZERO) + sum(lines.values(), ZERO)
        result = UnitResult(
            unit=unit,
            max=maximum,
            scores=scores,
            total=total,
            percent=percent_of(total, maximum),
            rank=None,
            band=band_for(tier.bands, total, maximum),
            self_scores=dict(sub.scores),
            appraised=appraised,
            appraisal_reasons=dict(reasons.get(unit.code, {})),
            adjustments=lines,
            not_applicable=sub.not_applicable,
            facts=dict(sub.facts),
            appraised_facts=dict((appraised_facts or {}).get(unit.code, {})),
            previous=previous.get(unit.code),
        )
        scored.append(_Scored(unit, index, result, ()))
    scored = _with_keys(tier, scored)

    # Best first; sorted() is stable, so equal keys keep roster order even in reverse.
    ranked = sorted((s for s in scored if s.unit.ranked), key=lambda s: s.key, reverse=True)
    ranked_results = _assign_ranks(tier, ranked)
    unranked = [s.result for s in scored if not s.unit.ranked]
    units = (*ranked_results, *unranked)

    excluded_units = tuple(
        (u, (excluded or {}).get(u.code, "không có biểu hợp lệ")) for u in tier.units if u.code not in submissions
    )
    roster = {u.code: i for i, u in enumerate(tier.units)}
    in_roster_order = sorted(ranked_results, key=lambda r: roster[r.unit.code])
    facts = tuple(_facts(c, in_roster_order) for c in tier.walk())
    total_criterion = Criterion(code=TOTAL_CODE, name="Tổng điểm", max=tier.max)
    total_facts = _facts(total_criterion, in_roster_order, value=lambda r: r.total)
    bands = tuple(BandCount(b.name, tuple(r.unit for r in ranked_results if r.band == b.name)) for b in tier.bands)
    return TierResult(
        tier=tier, units=units, excluded=excluded_units, facts=facts, bands=bands, total_facts=total_facts
    )


def _with_keys(tier: Tier, scored: list[_Scored]) -> list[_Scored]:
    """Each unit's ranking key: the exact total/maximum, then the tie-breaking criteria's scores.

    When every unit has the same maximum the ratio orders as the total does, so the exact decimal total
    stands for it (a national tier sorts 10,000 decimals rather than fractions). Decimal comparisons are
    exact; only the quotient of two decimals needs a fraction.
    """
    maxima = {s.result.max for s in scored}
    same_max = len(maxima) == 1 and min(maxima) > 0  # a zero maximum ranks every total as 0 %
    out = []
    for s in scored:
        r = s.result
        first: Decimal | Fraction = r.total if same_max else _ratio(r.total, r.max)
        key = (first, *(_tie_value(r.scores, code) for code in tier.tie_breakers))
        out.append(replace(s, key=key))
    return out


def _ratio(total: Decimal, maximum: Decimal) -> Fraction:
    return Fraction(total) / Fraction(maximum) if maximum > 0 else Fraction(0)


_NOT_APPLICABLE_TIE = Decimal(-1)


def _tie_value(scores: Mapping[str, Decimal], code: str) -> Decimal:
    # A criterion not applicable to the unit cannot win a tie for it.
    return scores.get(code, _NOT_APPLICABLE_TIE)


def _assign_ranks(tier: Tier, ranked: list[_Scored]) -> list[UnitResult]:
    """Give each unit (sorted best first) its rank: 1 + the number of units with a strictly better key."""
    first_pos: dict[tuple[Decimal | Fraction, ...], int] = {}
    tied: dict[tuple[Decimal | Fraction, ...], list[str]] = {}
    by_total: dict[Decimal | Fraction, list[_Scored]] = {}
    for pos, s in enumerate(ranked):
        first_pos.setdefault(s.key, pos)
        tied.setdefault(s.key, []).append(s.unit.code)
        by_total.setdefault(s.key[0], []).append(s)
    # A total that a tie-breaker split (more than one key among the units sharing it) is explained once, in
    # one sentence given to the first of its units.
    notes = {
        group[0].unit.code: _tie_note(tier, group) for group in by_total.values() if len({o.key for o in group}) > 1
    }
    out: list[UnitResult] = []
    for s in ranked:
        group = tied[s.key]
        out.append(
            replace(
                s.result,
                rank=1 + first_pos[s.key],
                tied_with=tuple(group) if len(group) > 1 else (),
                tie_note=notes.get(s.unit.code, ""),
            )
        )
    return out


def _tie_note(tier: Tier, group: list[_Scored]) -> str:
    """One plain sentence: who had the same total, which tie-breakers ordered them, and each one's scores.

    "A và B bằng tổng điểm; thứ hạng được phân định theo điểm tiêu chí 2 (Tên): A 9,3 điểm, B 7,5 điểm."
    Only the tie-breakers that were needed are named (a later one decides only what the earlier left tied).
    """
    needed = 0
    for a, b in itertools.pairwise(group):
        first_difference = next((i for i in range(1, len(a.key)) if a.key[i] != b.key[i]), 0)
        needed = max(needed, first_difference)
    codes = tier.tie_breakers[:needed]
    same = "bằng tổng điểm" if len({s.result.max for s in group}) == 1 else "bằng tỷ lệ tổng điểm so với điểm tối đa"
    criteria = join((f"tiêu chí {code} ({tier.criterion(code).name})" for code in codes), "rồi")

    def scores(s: _Scored) -> str:
        shown = [
            format_number(v) if (v := s.result.scores.get(code)) is not None else "không áp dụng" for code in codes
        ]
        text = join(shown)
        return f"{s.unit.name} {text}" if text.endswith("không áp dụng") else f"{s.unit.name} {text} điểm"

    return (
        f"{join(s.unit.name for s in group)} {same}; thứ hạng được phân định theo điểm {criteria}: "
        f"{', '.join(scores(s) for s in group)}."
    )


def _facts(
    criterion: Criterion,
    results: Sequence[UnitResult],
    value: Callable[[UnitResult], Decimal | None] | None = None,
) -> CriterionFacts:
    """Who reached the maximum, the highest, second (next distinct value), lowest and zero scores.

    ``results`` come in roster order. Only units with a score on the criterion count; units sharing a value
    are listed in roster order.
    """
    code = criterion.code
    if value is None:
        pairs = [(r, v) for r in results if (v := r.scores.get(code)) is not None]
    else:
        pairs = [(r, v) for r in results if (v := value(r)) is not None]
    values = [v for _, v in pairs]
    # max() and min() keep the first of equal values: the one a set of the values would keep, in roster order.
    highest = max(values) if values else None
    lower = [v for v in values if v < highest] if highest is not None else []
    second = max(lower) if lower else None
    lowest = min(values) if values else None
    # The units holding each of those values, in roster order, in one pass (equal decimals hash alike).
    holders: dict[Decimal, list[Unit]] = {v: [] for v in (highest, second, lowest) if v is not None}
    at_max: list[Unit] = []
    at_zero: list[Unit] = []
    top = criterion.max
    for r, v in pairs:
        found = holders.get(v)
        if found is not None:
            found.append(r.unit)
        if v >= top > 0:
            at_max.append(r.unit)
        if v == ZERO:
            at_zero.append(r.unit)

    def group(v: Decimal | None) -> ScoreGroup | None:
        return None if v is None else ScoreGroup(v, tuple(holders[v]))

    return CriterionFacts(
        criterion=criterion,
        count=len(pairs),
        at_max=tuple(at_max),
        highest=group(highest),
        second=group(second),
        lowest=group(lowest),
        at_zero=tuple(at_zero),
        average=sum(values, ZERO) / len(pairs) if pairs else None,
    )
