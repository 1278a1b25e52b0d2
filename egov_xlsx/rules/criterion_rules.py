"""Points from facts (pure, exact): what a rule-based criterion gives for the facts a unit reported.

A ratio is compared with its steps as an exact fraction (``min_percent`` inclusive, ``above_percent``
exclusive); proportional points (a / b x max) and a count's points (count x points_each, capped at max) are
rounded once, half up, to the rule's ``points_decimals`` and are exact decimals from then on. Whether the facts
are usable (a label in the list, a <= b, whole numbers) is :mod:`egov_xlsx.rules.fact_rules`' job; this module
takes facts already judged.
"""

from __future__ import annotations

from decimal import Decimal

from egov_xlsx.model import ZERO, Criterion, Facts, Rule
from egov_xlsx.model.rule import COUNT, LEVELS, RATIO, YES, YES_NO


def rule_points(rule: Rule, maximum: Decimal, facts: Facts) -> Decimal | None:
    """The points ``facts`` give under ``rule``, at most ``maximum``; ``None`` when they give none (a label not
    in the list, a missing number, a ratio's b = 0: not applicable where allowed, judged by the caller)."""
    if rule.kind == LEVELS:
        wanted = (facts.label or "").casefold()
        return next((lv.points for lv in rule.levels if lv.label.casefold() == wanted), None)
    if rule.kind == YES_NO:
        answer = yes_no(facts.label)
        return None if answer is None else (maximum if answer else ZERO)
    # Exact rational arithmetic on the decimals' integer ratios (n / d, d > 0): what Fraction does, without
    # its cost (a national inbox computes a million of these).
    if rule.kind == COUNT:
        if facts.a is None or facts.a < 0:
            return None
        an, ad = facts.a.as_integer_ratio()
        pn, pd = rule.points_each.as_integer_ratio()
        return min(_rounded(an * pn, ad * pd, rule.points_decimals), maximum)
    assert rule.kind == RATIO
    if facts.a is None or facts.b is None or facts.a < 0 or facts.b <= 0:
        return None
    an, ad = facts.a.as_integer_ratio()
    bn, bd = facts.b.as_integer_ratio()
    # a / b = (an * bd) / (ad * bn), both positive.
    num, den = an * bd, ad * bn
    if not rule.steps:
        mn, md = maximum.as_integer_ratio()
        return min(_rounded(num * mn, den * md, rule.points_decimals), maximum)
    for step in rule.steps:
        sn, sd = step.percent.as_integer_ratio()
        # a / b x 100 against the step's percent sn / sd, cross-multiplied.
        left, right = num * 100 * sd, sn * den
        if left > right or (left == right and not step.above):
            return min(step.points, maximum)
    return ZERO  # pragma: no cover - the config check makes the steps cover 0 %


def yes_no(label: str | None) -> bool | None:
    """ "Có" -> True, "Không" -> False (case and diacritics-free spellings "co", "khong" too); else ``None``."""
    text = (label or "").strip().casefold()
    if text in (YES.casefold(), "co"):
        return True
    if text in ("không", "khong"):
        return False
    return None


def criterion_points(criterion: Criterion, facts: Facts) -> Decimal | None:
    """:func:`rule_points` of a rule-based leaf (``None`` for a criterion without a rule)."""
    if criterion.rule is None:
        return None
    return rule_points(criterion.rule, criterion.max, facts)


def _rounded(num: int, den: int, decimals: int) -> Decimal:
    """num / den (never negative, den > 0) rounded half up to ``decimals`` places, exactly."""
    scale = 10**decimals
    return Decimal((2 * num * scale + den) // (2 * den)).scaleb(-decimals)
