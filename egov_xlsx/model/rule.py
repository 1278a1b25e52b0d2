"""A criterion's points rule: the unit reports facts, the tool computes the points.

Four rules: ``levels`` (a label from a list, each worth its points), ``ratio`` (a / b as a percent against
steps, or a / b x max), ``count`` (points for each, capped at max) and ``yes_no`` (Có = max, Không = 0).
What a unit reported is a :class:`Facts`; computing points from it is :mod:`egov_xlsx.rules.criterion_rules`.
The rule in plain Vietnamese words (beside the form's input cells, in the appraisal file) is :func:`rule_words`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from egov_xlsx.vietnamese import format_number, quantize

LEVELS, RATIO, COUNT, YES_NO = "levels", "ratio", "count", "yes_no"
RULE_KINDS = (LEVELS, RATIO, COUNT, YES_NO)

#: The answers of a ``yes_no`` criterion, as the form's dropdown offers them.
YES, NO = "Có", "Không"


@dataclass(frozen=True)
class Level:
    """One choice of a ``levels`` criterion: its label (what the unit picks) and the points it gives."""

    label: str
    points: Decimal


@dataclass(frozen=True)
class Step:
    """A ratio step: reached when the exact percent a / b x 100 is at least ``percent`` (strictly above it
    when ``above``)."""

    percent: Decimal
    points: Decimal
    above: bool = False


@dataclass(frozen=True)
class Rule:
    """How a leaf criterion's points follow from the facts a unit reports."""

    kind: str
    #: ``levels``: the choices in the config's order.
    levels: tuple[Level, ...] = ()
    #: What the unit types: ``ratio`` (a, b), ``count`` (one name).
    inputs: tuple[str, ...] = ()
    #: ``ratio`` with steps: from the highest threshold down (without: points = a / b x max).
    steps: tuple[Step, ...] = ()
    #: ``count``: the points each one gives.
    points_each: Decimal = Decimal(0)
    #: ``ratio``, ``count``: the inputs may be amounts with decimals (else whole numbers).
    decimal: bool = False
    #: ``ratio``: a may exceed b (an over-target ratio; points still capped at max).
    allow_above: bool = False
    #: Computed points (a / b x max, count x points_each) are rounded once, half up, to this many decimals.
    points_decimals: int = 2

    @property
    def labels(self) -> tuple[str, ...]:
        """The choices of a dropdown (levels, Có/Không); empty for a numeric rule."""
        if self.kind == LEVELS:
            return tuple(level.label for level in self.levels)
        return (YES, NO) if self.kind == YES_NO else ()

    @property
    def numeric(self) -> bool:
        return self.kind in (RATIO, COUNT)

    @property
    def canon(self) -> str:
        """The rule as text for the criteria fingerprint: kind, labels, points and inputs (not the wording
        of the rule beside the cells, which follows from these)."""
        parts = [self.kind]
        parts += [f"{level.label}={level.points.normalize()}" for level in self.levels]
        parts += [f"in:{name}" for name in self.inputs]
        parts += [f"{'>' if s.above else '>='}{s.percent.normalize()}={s.points.normalize()}" for s in self.steps]
        if self.kind == COUNT:
            parts.append(f"each={self.points_each.normalize()}")
        if self.numeric:
            parts.append(f"decimal={int(self.decimal)},above={int(self.allow_above)},d={self.points_decimals}")
        return "|".join(parts)


@dataclass(frozen=True)
class Facts:
    """What a unit reported for a rule-based criterion (or the council set): a label, or numbers."""

    #: ``levels``: the level's label; ``yes_no``: "Có" or "Không".
    label: str | None = None
    #: ``count``: the count; ``ratio``: a.
    a: Decimal | None = None
    #: ``ratio``: b.
    b: Decimal | None = None

    @property
    def percent(self) -> Decimal | None:
        """A ratio's percent a / b x 100 (exact where it terminates, else to 28 significant digits); ``None``
        without both numbers or with b = 0."""
        if self.a is None or self.b is None or self.a < 0 or self.b <= 0:
            return None
        value = Fraction(self.a) / Fraction(self.b) * 100
        return Decimal(value.numerator) / Decimal(value.denominator)


def _points(value: Decimal) -> str:
    return f"{format_number(value)} điểm"


def rule_words(rule: Rule, maximum: Decimal) -> str:
    """The rule in plain Vietnamese, as written beside the form's input cells."""
    if rule.kind == LEVELS:
        return "Chọn mức đạt: " + "; ".join(f"{lv.label}: {_points(lv.points)}" for lv in rule.levels) + "."
    if rule.kind == YES_NO:
        return f"Chọn {YES}: {_points(maximum)}; {NO}: 0 điểm."
    kind_of = "số thập phân" if rule.decimal else "số nguyên"
    if rule.kind == COUNT:
        name = rule.inputs[0] if rule.inputs else "số lượng"
        each = format_number(rule.points_each)
        return f"Nhập {name} ({kind_of}, từ 0). Điểm = {name} × {each}, không quá {_points(maximum)}."
    a, b = (*rule.inputs, "a", "b")[:2]
    text = f"Nhập a = {a}; b = {b} ({kind_of}, từ 0"
    text += ")." if rule.allow_above else ", a không lớn hơn b)."
    if not rule.steps:
        return text + f" Điểm = a/b × {format_number(maximum)}, không quá {_points(maximum)}."
    bands = "; ".join(
        f"{'trên' if s.above else 'từ'} {format_number(s.percent)}%: {_points(s.points)}" for s in rule.steps
    )
    return text + f" Tỷ lệ a/b {bands}."


def fact_text(rule: Rule, facts: Facts) -> str:
    """The facts as outputs quote them: the level, "Có", "3", "925/1.000 (92,5%)" (percent to 2 decimals)."""
    if facts.label is not None:
        return facts.label
    if rule.kind == RATIO and facts.a is not None and facts.b is not None:
        shown = f"{format_number(facts.a)}/{format_number(facts.b)}"
        percent = facts.percent
        return shown if percent is None else f"{shown} ({format_number(quantize(percent, 2))}%)"
    return "" if facts.a is None else format_number(facts.a)
