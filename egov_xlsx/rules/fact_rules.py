"""The fact rules of one form (pure): a rule-based leaf's facts judged at their cells, then its points computed.

The unit reports facts (a level, Có/Không, a count, a ratio's a and b); the points are
:func:`~egov_xlsx.rules.criterion_rules.rule_points` of them, never the value of the form's points cell (a
formula the tool wrote, whose cached value is not trusted; points typed over it are a warning and ignored).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from egov_xlsx.model import CellValue, Criterion, Facts, FormRow, Rule
from egov_xlsx.model.rule import LEVELS, RATIO, YES, YES_NO
from egov_xlsx.rules.checked import FindingSink
from egov_xlsx.rules.criterion_rules import rule_points, yes_no
from egov_xlsx.rules.formula_rules import shown_formula
from egov_xlsx.rules.score_values import parse_score, show_number, show_value
from egov_xlsx.vietnamese import format_number, join

#: What a leaf's facts gave: its points, "na" (not applicable), or ``None`` (an error was told).
Outcome = Decimal | str | None


def _empty(value: CellValue) -> bool:
    return value is None or value == ""


#: (criterion, the raw fact cells with their types) -> (criterion, facts, points), for facts read without a
#: finding: forms repeat the same levels, answers and counts. Bounded; the criterion kept to check identity.
_KNOWN: dict[tuple[object, ...], tuple[Criterion, Facts, Decimal | None]] = {}


class FactCells:
    """The A1 addresses of a row's fact cells (``[0]`` a, ``[1]`` b), worked out only when a finding needs one;
    the score cell when the form has no fact column."""

    def __init__(self, row: FormRow, sink: FindingSink) -> None:
        self.row, self.sink = row, sink

    def __getitem__(self, index: int) -> str:
        role = ("fact", "fact_b")[index]
        return self.sink.cell(self.row.row, role, 0) if role in self.sink.columns else self.row.score_cell


def check_rule_leaf(
    c: Criterion,
    may_be_na: bool,
    row: FormRow,
    formulas: Mapping[str, str],
    sink: FindingSink,
    input_formula: bool = True,
) -> tuple[Outcome, Facts | None]:
    """Judge a rule-based leaf's row: formulas in its inputs, the "không áp dụng" mark, the facts; its points.

    ``input_formula`` false says that no input cell of the row (facts, note, mark) holds a formula (the
    caller's pre-filter: nearly every row), so they are not looked up one by one.
    """
    rule = c.rule
    assert rule is not None
    cells = FactCells(row, sink)
    if input_formula:
        inputs = [cells[0], cells[1]] if rule.kind == RATIO else [cells[0]]
        inputs += [sink.cell(row.row, role, 0) for role in ("note", "na") if role in sink.columns]
        broken = False
        for cell in inputs:
            if cell in formulas and cell != row.score_cell:
                sink.add("cell-formula", criterion=c.code, cell=cell, formula=shown_formula(formulas[cell]))
                broken = broken or cell in (cells[0], cells[1])
        if broken:
            return None, None
    given = not _empty(row.fact) or (rule.kind == RATIO and not _empty(row.fact_b))
    if row.not_applicable:
        if may_be_na:
            if given:
                sink.add("na-with-score", criterion=c.code, cell=cells[0], value=show_value(row.fact or row.fact_b))
            return "na", None
        sink.add("na-not-allowed", criterion=c.code, cell=row.score_cell, max=format_number(c.max))
    key = (id(c), row.fact.__class__, row.fact, row.fact_b.__class__, row.fact_b)
    known = _KNOWN.get(key)
    facts: Facts | None
    if known is not None and known[0] is c:
        facts, points = known[1], known[2]
    else:
        told = len(sink.items)
        facts = read_facts(c, row.fact, row.fact_b, cells, sink.add)
        if facts is None:
            return None, None
        if rule.kind == RATIO and facts.b == 0:
            if may_be_na:
                return "na", facts
            sink.add("fact-zero-total", criterion=c.code, cell=cells[1], value="0")
            return None, facts
        points = rule_points(rule, c.max, facts)
        if len(sink.items) == told:  # facts read without a word: the same cells give the same again
            if len(_KNOWN) >= 1 << 14:
                _KNOWN.clear()
            _KNOWN[key] = (c, facts, points)
    if points is not None and row.score_cell not in formulas and not _empty(row.score):
        typed, _ = parse_score(row.score)
        if typed != points:
            sink.add(
                "rule-points-typed",
                criterion=c.code,
                cell=row.score_cell,
                value=show_value(row.score),
                points=format_number(points),
            )
    return points, facts


#: Where a problem with a fact is told: a finding code and its fields (criterion, cell, value ...).
Report = Callable[..., None]


def read_facts(
    c: Criterion,
    a_raw: CellValue,
    b_raw: CellValue,
    cells: FactCells | tuple[str, str],
    report: Report,
    keep: Facts | None = None,
) -> Facts | None:
    """The facts in the cells of ``c`` (a rule-based leaf): a label from its list, or whole (or decimal) numbers
    from 0 with a <= b for a ratio unless ``allow_above``; ``None`` after reporting each problem. A ratio's b = 0
    is the caller's to judge (not applicable, or an error). An empty cell takes its fact from ``keep`` when it
    has one (the council changes b and keeps the unit's a)."""
    rule = c.rule
    assert rule is not None
    if rule.kind in (LEVELS, YES_NO):
        if _empty(a_raw) and keep is not None and keep.label is not None:
            return Facts(label=keep.label)
        return _label(c, rule, a_raw, cells, report)
    names = (*rule.inputs, "số lượng", "tổng số")
    kept_a, kept_b = (None, None) if keep is None else (keep.a, keep.b)
    a = kept_a if _empty(a_raw) and kept_a is not None else _number(c, rule, a_raw, cells, 0, names[0], report)
    if rule.kind != RATIO:
        return None if a is None else Facts(a=a)
    b = kept_b if _empty(b_raw) and kept_b is not None else _number(c, rule, b_raw, cells, 1, names[1], report)
    if a is None or b is None:
        return None
    if a > b and not rule.allow_above and b > 0:
        report(
            "fact-above-total",
            criterion=c.code,
            cell=cells[0],
            value=show_number(a),
            total=show_number(b),
            total_cell=cells[1],
        )
        return None
    return Facts(a=a, b=b)


def _label(
    c: Criterion, rule: Rule, raw: CellValue, cells: FactCells | tuple[str, str], report: Report
) -> Facts | None:
    what = "mức đạt" if rule.kind == LEVELS else f"{YES}/Không"
    if _empty(raw):
        report("fact-missing", criterion=c.code, cell=cells[0], what=what)
        return None
    if isinstance(raw, bool) and rule.kind == YES_NO:  # a checkbox or TRUE typed: Có / Không
        return Facts(label=rule.labels[0] if raw else rule.labels[1])
    text = raw if isinstance(raw, str) else show_value(raw)
    if rule.kind == YES_NO:
        answer = yes_no(text)
        if answer is not None:
            return Facts(label=rule.labels[0] if answer else rule.labels[1])
    else:
        wanted = text.casefold()
        found = next((label for label in rule.labels if label.casefold() == wanted), None)
        if found is not None:
            return Facts(label=found)
    labels = join([f'"{label}"' for label in rule.labels], "hoặc")
    report("fact-not-in-list", criterion=c.code, cell=cells[0], value=show_value(raw), labels=labels)
    return None


def _number(
    c: Criterion, rule: Rule, raw: CellValue, cells: FactCells | tuple[str, str], index: int, what: str, report: Report
) -> Decimal | None:
    if raw.__class__ is float and raw >= 0.0 and raw.is_integer():
        # A whole number from 0 (nearly every fact): what parse_score gives, with nothing to tell.
        return Decimal(repr(raw))
    value, problem = parse_score(raw)

    def fields() -> dict[str, Any]:
        return {"criterion": c.code, "cell": cells[index], "what": what}

    if problem == "score-missing":
        report("fact-missing", **fields())
        return None
    if value is None or problem not in (None, "score-text-number", "score-decimals"):
        report("fact-not-number", value=show_value(raw), **fields())
        return None
    if problem == "score-text-number":
        report("fact-text-number", value=show_value(raw), read=show_number(value), **fields())
    if value < 0:
        report("fact-negative", value=show_number(value), **fields())
        return None
    if not rule.decimal and value != value.to_integral_value():
        report("fact-not-whole", value=show_number(value), **fields())
        return None
    return value
