"""Judging the appraisal council's file: its entries checked against the roster, the criteria and the forms.

The council (hội đồng thẩm định) corrects scores without touching the units' files. It fills the yellow
columns of ``appraisal.xlsx`` (written by :mod:`egov_xlsx.publish.appraisal`, read back by
:mod:`egov_xlsx.read.appraisal`): an appraised score (điểm thẩm định) per unit and leaf criterion where it
disagrees with the self-assessed one, the value of each bonus/penalty line (``tiers.adjustments``: the
council sets them, a unit does not declare them), and a reason.

``check_appraisal(campaign, submissions) -> AppraisalCheck | None``
    Read the file (``None`` when there is none) and judge it: the usable :class:`~egov_xlsx.model.Appraisal`
    records and the findings (codes ``appraisal-*`` and ``adjustment-out-of-range``). ``pipeline.check``
    calls it, so the findings are in the :class:`~egov_xlsx.model.CheckReport` and an error blocks ``build``.
``for_tier(tier, appraisals) -> TierAppraisals``
    The records of one tier split into appraised leaf scores, bonus/penalty values and reasons, keyed by
    unit code, as :func:`egov_xlsx.rules.scoring.score_tier` takes them.
``judge(campaign, entries, submissions)``
    The pure half of :func:`check_appraisal`, after :func:`egov_xlsx.read.appraisal.read_entries`.

Rules: a value is a number, or text holding one number ("4,5": read with a warning). A leaf's appraised score
lies in 0..max, a bonus/penalty value in min..max. A reason is required when the value changes the result (a
leaf score other than the self-assessed one, a bonus/penalty other than 0). An appraised score for a criterion
the unit marked not applicable, or that its group excludes (``[[tiers.groups]]``), is not used (warning). Rows with no value are ignored, whatever their codes.
For a rule-based criterion the council may set the facts instead (:mod:`egov_xlsx.rules.appraisal_facts`): the
score is then the points they give; a reason is required when the facts differ from the unit's; when both
facts and a score are entered, the score wins, with a warning.

A formula in any cell of a row (value, reason, codes; in the orphan sheet too) is ``appraisal-formula`` at its
cell, an error: the tool writes no formula there, and the row is not used (:func:`formula_findings`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from egov_xlsx.config import MAX_DECIMALS
from egov_xlsx.model import ZERO, Appraisal, Campaign, Facts, Finding, Submission, Tier
from egov_xlsx.model.rule import fact_text
from egov_xlsx.read.appraisal import Entry, appraisal_finding, appraisal_path, read_entries, tier_of
from egov_xlsx.rules.appraisal_facts import judge_facts
from egov_xlsx.rules.formula_rules import shown_formula
from egov_xlsx.rules.score_values import parse_score, show_number, show_value
from egov_xlsx.vietnamese import format_number


@dataclass(frozen=True)
class AppraisalCheck:
    """What the council's file gives: the usable records (leaf scores and bonus/penalty values), the findings."""

    appraisals: tuple[Appraisal, ...]
    findings: tuple[Finding, ...]


def check_appraisal(campaign: Campaign, submissions: Sequence[Submission]) -> AppraisalCheck | None:
    """Read and judge ``appraisal.xlsx`` of the campaign; ``None`` when there is no such file.

    ``submissions`` are the check report's (valid or not): an appraisal for a unit without a valid one is
    a warning, for a criterion the unit marked not applicable too; neither is used.
    """
    path = appraisal_path(campaign)
    if not path.exists():
        return None
    entries, problems = read_entries(path, campaign)
    if problems:
        return AppraisalCheck((), problems)
    return judge(campaign, entries, submissions)


def judge(campaign: Campaign, entries: Iterable[Entry], submissions: Sequence[Submission]) -> AppraisalCheck:
    """Check every entered row of the tier sheets (pure); see the module docstring for the rules."""
    subs = {s.unit_code: s for s in submissions}
    out: list[Appraisal] = []
    problems: list[Finding] = []
    seen: dict[tuple[str, str, str], Entry] = {}
    warned: set[str] = set()
    for e in entries:
        if e.formulas:
            problems.extend(formula_findings(campaign, (e,)))
            continue
        if e.orphan or (e.value is None and not e.has_facts):
            continue
        tier = tier_of(campaign, e)
        where: dict[str, Any] = {"sheet": e.sheet, "unit": e.unit_code, "criterion": e.criterion}
        if tier is None or tier.unit(e.unit_code) is None:
            problems.append(
                appraisal_finding("appraisal-unknown-unit", cell=e.cell("unit"), value=e.unit_code, **where)
            )
            continue
        where["tier"] = tier.id
        adjustment = next((a for a in tier.adjustments if a.code == e.criterion), None)
        leaf = tier.criterion(e.criterion) if tier.has_criterion(e.criterion) else None
        if adjustment is None and (leaf is None or not leaf.is_leaf):
            problems.append(appraisal_finding("appraisal-unknown-criterion", cell=e.cell("criterion"), **where))
            continue
        if leaf is not None and e.criterion in tier.excluded_for(e.unit_code):
            group = tier.view(e.unit_code).group
            problems.append(
                appraisal_finding(
                    "appraisal-excluded",
                    cell=e.cell("value"),
                    value=show_value(e.value),
                    group=group.name if group is not None else "",
                    **where,
                )
            )
            continue
        key = (tier.id, e.unit_code, e.criterion)
        if key in seen:
            first = seen[key].cell("value")
            problems.append(appraisal_finding("appraisal-duplicate", cell=e.cell("value"), first=first, **where))
            continue
        seen[key] = e
        low, high = (adjustment.min, adjustment.max) if adjustment else (ZERO, leaf.max if leaf else ZERO)
        sub = subs.get(e.unit_code)
        council: Facts | None = None
        if e.has_facts:  # the council sets a rule-based criterion's facts
            council, points, fact_problems = judge_facts(leaf, sub, e, where)
            problems += fact_problems
            if council is None:
                continue
        where.update(cell=e.cell("value"), min=format_number(low), max=format_number(high))
        if council is not None and e.value is not None:
            assert leaf is not None and leaf.rule is not None
            facts = fact_text(leaf.rule, council)
            shown_points = format_number(points or ZERO)
            problems.append(
                appraisal_finding(
                    "appraisal-fact-and-points", value=show_value(e.value), facts=facts, points=shown_points, **where
                )
            )
            council = None  # the points the council typed win
        value, problem = (points, None) if council is not None else parse_score(e.value)
        shown = show_value(e.value)
        if problem == "score-text-number" and value is not None:
            problems.append(appraisal_finding("appraisal-text-number", value=shown, read=show_number(value), **where))
        elif problem == "score-decimals":
            problems.append(appraisal_finding("appraisal-decimals", value=shown, decimals=MAX_DECIMALS, **where))
            continue
        elif problem is not None or value is None:
            problems.append(appraisal_finding("appraisal-not-number", value=shown, **where))
            continue
        if not low <= value <= high:
            code = "adjustment-out-of-range" if adjustment else "appraisal-above-max"
            problems.append(appraisal_finding(code, value=show_number(value), **where))
            continue
        if sub is not None and e.criterion in sub.not_applicable:
            problems.append(appraisal_finding("appraisal-not-applicable", value=format_number(value), **where))
            continue
        unchanged = ZERO if adjustment else (sub.scores.get(e.criterion) if sub else None)
        same_facts = council is None or (sub is not None and sub.facts.get(e.criterion) == council)
        own = leaf is not None and leaf.council  # the council's own criterion: its value needs no reason
        if (value != unchanged or not same_facts) and not e.reason and not own:
            problems.append(
                appraisal_finding(
                    "appraisal-no-reason",
                    **{**where, "cell": e.cell("reason")},
                    value=format_number(value),
                    score_cell=e.cell("value"),
                )
            )
        if (sub is None or not sub.valid) and e.unit_code not in warned:
            warned.add(e.unit_code)
            problems.append(appraisal_finding("appraisal-no-submission", **where))
        out.append(Appraisal(tier.id, e.unit_code, e.criterion, value, e.reason, e.cell("value"), council))
    return AppraisalCheck(tuple(out), tuple(problems))


def formula_findings(campaign: Campaign, entries: Iterable[Entry]) -> tuple[Finding, ...]:
    """``appraisal-formula`` at each cell of the entries that holds a formula (the council types values only).

    The finding names the unit and criterion of the row unless that code is itself a formula's cached value.
    """
    out: list[Finding] = []
    for e in entries:
        keys = {key for key, _ in e.formulas}
        tier = tier_of(campaign, e) if "tier" not in keys and "unit" not in keys else None
        for key, text in e.formulas:
            shown = shown_formula(text)
            out.append(
                appraisal_finding(
                    "appraisal-formula",
                    sheet=e.sheet,
                    cell=e.cell(key),
                    formula=shown,
                    value=shown,
                    unit=None if "unit" in keys else e.unit_code or None,
                    criterion=None if "criterion" in keys else e.criterion or None,
                    tier=tier.id if tier else None,
                )
            )
    return tuple(out)


@dataclass(frozen=True)
class TierAppraisals:
    """One tier's records keyed by unit code, then criterion (or bonus/penalty line) code."""

    scores: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    adjustments: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    #: Reasons of both kinds (bonus/penalty codes never equal criterion codes).
    reasons: dict[str, dict[str, str]] = field(default_factory=dict)
    #: The council's facts of rule-based criteria, where the appraised score came from them.
    facts: dict[str, dict[str, Facts]] = field(default_factory=dict)


def for_tier(tier: Tier, appraisals: Iterable[Appraisal]) -> TierAppraisals:
    """Split the tier's records into leaf scores and bonus/penalty values, with every reason."""
    out = TierAppraisals()
    lines = {a.code for a in tier.adjustments}
    for a in appraisals:
        if a.tier_id != tier.id:
            continue
        target = out.adjustments if a.criterion in lines else out.scores
        target.setdefault(a.unit_code, {})[a.criterion] = a.score
        if a.reason:
            out.reasons.setdefault(a.unit_code, {})[a.criterion] = a.reason
        if a.facts is not None:
            out.facts.setdefault(a.unit_code, {})[a.criterion] = a.facts
    return out
