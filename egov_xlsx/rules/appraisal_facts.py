"""The council's facts of a rule-based criterion in ``appraisal.xlsx`` judged: the level, a, b or the
count it sets instead of the unit's, and the points they give. A cell left empty keeps the unit's fact; a fact
on a criterion without a rule, or one that cannot be used, is an error at its cell."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from egov_xlsx import findings
from egov_xlsx.model import Criterion, Facts, Finding, Submission
from egov_xlsx.model.rule import RATIO
from egov_xlsx.read.appraisal import Entry, appraisal_finding
from egov_xlsx.rules.criterion_rules import rule_points
from egov_xlsx.rules.fact_rules import read_facts


def judge_facts(
    leaf: Criterion | None, sub: Submission | None, e: Entry, where: dict[str, Any]
) -> tuple[Facts | None, Decimal | None, list[Finding]]:
    """The council's facts of one row, the points they give, and the problems (``None`` facts: not usable)."""
    cells = tuple(e.cell(k) if k in e.columns else e.cell("value") for k in ("fact", "fact_b"))
    at = {**where, "cell": cells[0] if e.fact is not None else cells[1]}
    if leaf is None or leaf.rule is None:
        detail = f"tiêu chí {e.criterion} không tính điểm theo kết quả thực hiện; để trống ô {at['cell']}."
        return None, None, [appraisal_finding("appraisal-fact-invalid", detail=detail, **at)]
    problems: list[Finding] = []

    def report(code: str, **fields: Any) -> None:
        fields = {**where, **fields}
        if code == "fact-text-number":
            problems.append(appraisal_finding("appraisal-text-number", **fields))
        else:
            detail = findings.make(code, **fields).message
            problems.append(appraisal_finding("appraisal-fact-invalid", detail=detail, **fields))

    own = None if sub is None else sub.facts.get(leaf.code)
    facts = read_facts(leaf, e.fact, e.fact_b, (cells[0], cells[1]), report, keep=own)
    if facts is None:
        return None, None, problems
    if leaf.rule.kind == RATIO and facts.b == 0:
        report("fact-zero-total", criterion=leaf.code, cell=cells[1], value="0")
        return None, None, problems
    return facts, rule_points(leaf.rule, leaf.max, facts), problems
