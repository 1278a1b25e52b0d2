"""The form rules (pure, no I/O): who sent one form, whether its rows and scores are usable.

:func:`check_reading` takes a :class:`~egov_xlsx.model.Reading` and the campaign and returns a
:class:`~egov_xlsx.rules.checked.Checked`: the unit, its submission and the file's findings. The formula checks
are :mod:`egov_xlsx.rules.formula_rules`; choosing one submission per unit is :mod:`egov_xlsx.rules.roster_rules`.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

from egov_xlsx import layout
from egov_xlsx.config import MAX_DECIMALS
from egov_xlsx.model import (
    ZERO,
    Campaign,
    Criterion,
    Facts,
    FormRow,
    Reading,
    Severity,
    Submission,
    Tier,
    Unit,
)
from egov_xlsx.rules.checked import Checked, FindingSink
from egov_xlsx.rules.fact_rules import check_rule_leaf
from egov_xlsx.rules.formula_rules import (
    compare_subtotal,
    input_formula_rows,
    input_formulas,
    own_formula,
    tool_formulas,
)
from egov_xlsx.rules.score_values import SMALLEST_FLOAT, parse_score, show_number, show_value, typed_decimal
from egov_xlsx.rules.scoring import criterion_scores
from egov_xlsx.vietnamese import ascii_fold, format_number


def check_reading(campaign: Campaign, reading: Reading) -> Checked:
    """Identify the form's unit and check its rows and scores against the campaign."""
    source = reading.source
    sink = FindingSink(source.name, reading.sheet, columns=reading.columns)
    meta = reading.meta
    has_meta = layout.META_UNIT in meta
    unit_code = meta.get(layout.META_UNIT) or meta.get("visible_unit_code", "")
    if not unit_code:
        sink.add("unit-unidentified")
        return Checked(source, findings=tuple(sink.items))
    sink.unit = unit_code
    if not has_meta:
        sink.add("metadata-missing", sheet=layout.META_SHEET)

    campaign_id = meta.get(layout.META_CAMPAIGN) or meta.get("visible_campaign", "")
    if campaign_id and campaign_id != campaign.id:
        sink.add("wrong-campaign", value=campaign_id, expected=campaign.id)
    year = meta.get(layout.META_YEAR, "")
    if year and year != str(campaign.year) and not sink.has_errors:
        sink.add("wrong-year", value=year, expected=campaign.year)
    if sink.has_errors:
        # A form of another campaign is not the unit's submission for this one: it is never scored, only listed
        # on the roster line of the unit it names (check_roster).
        return Checked(source, findings=tuple(sink.items), foreign_unit=unit_code)
    found = campaign.find_unit(unit_code)
    if found is None:
        sink.add("unit-unknown")
        return Checked(source, findings=tuple(sink.items), unknown_unit=unit_code)
    tier, unit = found
    tier = tier.form_tier  # a form holds the criteria the unit scores, not the council's
    sink.tier = tier.id
    form_tier = meta.get(layout.META_TIER)
    if form_tier and form_tier != tier.id:
        sink.add("wrong-tier", value=form_tier, expected=tier.id)
    full, tier = tier, tier.view(unit.code)
    group = tier.group.code if tier.group is not None else ""
    if has_meta and meta.get(layout.META_GROUP, "") != group and not sink.has_errors:
        sink.add(
            "wrong-group",
            value="đơn vị " + _belongs(full, meta.get(layout.META_GROUP, "")),
            expected=_belongs(full, group),
        )
    elif has_meta and meta.get(layout.META_FINGERPRINT) != tier.fingerprint:
        sink.add("form-stale")
    if sink.has_errors:
        return Checked(source, unit.code, tier.id, None, tuple(sink.items))

    version = meta.get(layout.META_VERSION, layout.FORM_VERSION)
    if version != layout.FORM_VERSION:
        sink.add("form-version", value=version, expected=layout.FORM_VERSION)
    _check_identity(campaign, tier, unit, reading, sink)
    blank = _blank_cell(tier, reading)
    if blank is not None:
        sink.add("form-blank", cell=blank)
        empty = Submission(tier.id, unit.code, source, version, {}, valid=False)
        return Checked(source, unit.code, tier.id, empty, tuple(sink.items))
    excluded = frozenset(full.positions) - frozenset(tier.positions)
    submission = _check_rows(campaign, tier, unit, reading, sink, version, excluded)
    submission = replace(submission, valid=not sink.has_errors)
    return Checked(source, unit.code, tier.id, submission, tuple(sink.items))


def _belongs(tier: Tier, code: str) -> str:
    """Which group a code says, as a finding puts it: 'thuộc nhóm "<name>"' (the code when unknown) or none."""
    if not code:
        return "không thuộc nhóm nào"
    return 'thuộc nhóm "' + next((g.name for g in tier.groups if g.code == code), code) + '"'


def _check_identity(campaign: Campaign, tier: Tier, unit: Unit, reading: Reading, sink: FindingSink) -> None:
    shown = reading.unit_name
    meta_name = reading.meta.get(layout.META_UNIT_NAME, "")
    if shown and shown.casefold() not in {unit.name.casefold(), meta_name.casefold()}:
        sink.add("unit-name-mismatch", cell=reading.unit_name_cell, shown=shown, expected=unit.name)
    other = _unit_named_by_file(campaign, unit, reading.source.name)
    if other is not None:
        sink.add("filename-other-unit", value=other.code)


def _unit_named_by_file(campaign: Campaign, unit: Unit, file_name: str) -> Unit | None:
    """Another roster unit whose code starts the file name, or whose name it contains (diacritics ignored)."""
    stem = ascii_fold(file_name.rsplit(".", 1)[0]).casefold()
    first = re.split(r"[\s\-_.,()]+", stem, maxsplit=1)[0]
    if first == unit.code.casefold() or ascii_fold(unit.name).casefold() in stem:
        return None
    for other, code, name in campaign.folded_roster:
        if other.code == unit.code:
            continue
        if first == code or (len(other.name) > 6 and name in stem):
            return other
    return None


def _blank_cell(tier: Tier, reading: Reading) -> str | None:
    """The first leaf's score cell when no leaf row has a score or a "không áp dụng" mark (a form sent back
    unfilled), else ``None``. One finding says so, rather than one ``score-missing`` per criterion."""
    leaves = tier.leaf_codes
    # A rule-based leaf's points cell holds the form's formula (0 once an office program computed it): only
    # its facts say whether the unit filled it.
    computed = tier.rule_leaf_codes
    first: str | None = None
    for r in reading.rows:
        if r.code not in leaves:
            continue
        if r.not_applicable or r.fact not in (None, "") or r.fact_b not in (None, ""):
            return None
        if r.score not in (None, "") and r.code not in computed:
            return None  # nearly every form stops at its first leaf
        first = first or r.score_cell
    return first


def _check_rows(
    campaign: Campaign,
    tier: Tier,
    unit: Unit,
    reading: Reading,
    sink: FindingSink,
    version: str,
    excluded: frozenset[str] = frozenset(),
) -> Submission:
    if tuple([row.code for row in reading.rows]) == tier.codes:
        # Every criterion once, in order (nearly every form): nothing is missing, extra, repeated or moved.
        first: dict[str, FormRow] = dict(zip(tier.codes, reading.rows, strict=True))
    else:
        first = _check_structure(tier, reading, sink, excluded)

    scores: dict[str, Decimal] = {}
    not_applicable: set[str] = set()
    #: What the unit typed where the score cannot be used, so the council still sees the claim.
    claims: dict[str, str] = {}
    #: The facts of rule-based leaves, whose points are computed from them.
    facts: dict[str, Facts] = {}
    formulas = reading.formulas
    # Rows with a formula in an input column (a dozen formulas a form, all subtotals): looked up per leaf.
    input_rows = input_formula_rows(formulas, sink.columns) if formulas else frozenset()
    # Rule-based rows hold the tool's formula in their points cell: their other input cells are pre-filtered apart.
    fact_rows = (
        input_formula_rows(formulas, {k: v for k, v in sink.columns.items() if k != "score"})
        if formulas and "fact" in sink.columns
        else frozenset()
    )
    for c in tier.in_order:
        code = c.code
        row = first.get(code)
        if row is None:
            continue
        float_max = c.float_max
        _check_max(c, row, sink, float_max)
        if not c.children:
            if c.rule is not None:
                outcome, reported = check_rule_leaf(
                    c, c.may_be_na(unit.code), row, formulas, sink, row.row in fact_rows
                )
                if reported is not None:
                    facts[code] = reported
                if isinstance(outcome, Decimal):
                    scores[code] = outcome
                    if campaign.evidence_severity is not None and outcome > 0 and not row.note:
                        _no_evidence(campaign.evidence_severity, c, row, outcome, sink)
                elif outcome == "na":
                    not_applicable.add(code)
                continue
            if row.row in input_rows and input_formulas(c, row, formulas, sink):
                continue  # a formula's cached value is never a score
            score = _check_leaf(campaign, c, unit, row, sink, float_max)
            if score.__class__ is Decimal:
                scores[code] = score
            elif score == "na":
                not_applicable.add(code)
            elif row.score not in (None, ""):
                claims[code] = show_value(row.score)
    _check_sums(tier, reading, scores, frozenset(not_applicable), first, sink)
    return Submission(
        tier_id=tier.id,
        unit_code=unit.code,
        source=reading.source,
        form_version=version,
        scores=scores,
        not_applicable=frozenset(not_applicable),
        claims=claims,
        facts=facts,
    )


def _check_structure(
    tier: Tier, reading: Reading, sink: FindingSink, excluded: frozenset[str] = frozenset()
) -> dict[str, FormRow]:
    """Rows that are not criteria (or criteria ``excluded`` for the unit's group), criteria repeated, missing or
    out of order; returns each code's first row."""
    by_code: dict[str, list[FormRow]] = {}
    for row in reading.rows:
        by_code.setdefault(row.code, []).append(row)
    order = tier.positions
    for code, rows in by_code.items():
        if code in excluded:
            group = tier.group.name if tier.group is not None else ""
            for row in rows:
                sink.add("criterion-excluded", criterion=code, group=group, row=row.row, cell=row.score_cell)
        elif code not in order:
            for row in rows:
                sink.add(
                    "row-unexpected",
                    value=code or row.name,
                    row=row.row,
                    cell=sink.cell(row.row, "code", layout.COL_CODE),
                )
        elif len(rows) > 1:
            sink.add("row-duplicate", criterion=code, rows=", ".join(str(r.row) for r in rows), cell=rows[1].score_cell)
    for c in tier.in_order:
        if c.code not in by_code:
            sink.add("row-missing", criterion=c.code, name=c.name)
    present = [r for r in reading.rows if r.code in order]
    for prev, row in itertools.pairwise(present):
        if order[row.code] < order[prev.code]:
            sink.add("row-order", criterion=row.code, row=row.row, cell=row.score_cell)
            break
    return {code: rows[0] for code, rows in by_code.items()}


def _check_max(c: Criterion, row: FormRow, sink: FindingSink, float_max: float | None) -> None:
    shown = row.max
    if shown.__class__ is float and shown == float_max:
        return  # the maximum as printed on the form (see Criterion.float_max)
    value, problem = parse_score(shown)
    # A number other than the maximum, or no number at all where one was printed (NaN, infinity, a date).
    if problem != "score-missing" and value != c.max:
        cell = sink.cell(row.row, "max", layout.COL_MAX)
        sink.add("max-changed", criterion=c.code, cell=cell, value=show_value(shown), expected=format_number(c.max))


def _criterion_fields(c: Criterion, row: FormRow) -> dict[str, Any]:
    """A leaf's location fields, formatted only when a finding needs them (most leaves have none)."""
    return {"criterion": c.code, "cell": row.score_cell, "max": format_number(c.max)}


def _check_leaf(
    campaign: Campaign, c: Criterion, unit: Unit, row: FormRow, sink: FindingSink, float_max: float | None
) -> Decimal | str | None:
    score = row.score
    if (
        score.__class__ is float
        and not row.not_applicable
        and float_max is not None
        and (score == 0.0 or SMALLEST_FLOAT <= score <= float_max)
    ):
        # A number within bounds, decided on the float (see Criterion.float_max); the decimal is what was typed.
        typed, too_precise = typed_decimal(repr(score))
        if too_precise:
            sink.add("score-decimals", value=show_value(score), decimals=MAX_DECIMALS, **_criterion_fields(c, row))
            return None
        if score > 0.0 and not row.note and campaign.evidence_severity is not None:
            _no_evidence(campaign.evidence_severity, c, row, typed, sink)
        return typed
    if row.not_applicable:
        if not c.may_be_na(unit.code):
            sink.add("na-not-allowed", **_criterion_fields(c, row))
            if score in (None, ""):
                return None  # the message already says to enter a score
        else:
            if score not in (None, ""):
                sink.add("na-with-score", value=show_value(score), **_criterion_fields(c, row))
            return "na"
    value, problem = parse_score(score)
    if problem == "score-text-number" and value is not None:
        sink.add(problem, value=show_value(score), read=show_number(value), **_criterion_fields(c, row))
    elif problem == "score-decimals":
        sink.add(problem, value=show_value(score), decimals=MAX_DECIMALS, **_criterion_fields(c, row))
        return None
    elif problem is not None:
        sink.add(problem, value=show_value(score), **_criterion_fields(c, row))
        return None
    assert value is not None
    if value < 0:
        sink.add("score-negative", value=show_number(value), **_criterion_fields(c, row))
        return None
    if value > c.max:
        sink.add("score-above-max", value=show_number(value), **_criterion_fields(c, row))
        return None
    if campaign.evidence_severity is not None and value > 0 and not row.note:
        _no_evidence(campaign.evidence_severity, c, row, value, sink)
    return value


def _no_evidence(severity: Severity, c: Criterion, row: FormRow, value: Decimal, sink: FindingSink) -> None:
    note_cell = sink.cell(row.row, "note", layout.COL_NOTE)
    sink.add("score-no-evidence", severity=severity, criterion=c.code, cell=note_cell, value=format_number(value))


def _check_sums(
    tier: Tier,
    reading: Reading,
    scores: dict[str, Decimal],
    not_applicable: frozenset[str],
    first: dict[str, FormRow],
    sink: FindingSink,
) -> None:
    """Capped parents and the unit's own subtotal cells, compared with sums recomputed from valid leaves."""
    leaves_ok = {c.code for c in tier.leaf_criteria if c.code in scores or c.code in not_applicable}
    every_leaf = len(leaves_ok) == len(tier.leaf_criteria)
    recomputed, _ = criterion_scores(tier, scores, not_applicable)
    # The formulas the tool writes in this form's subtotal cells, worked out once (only when it has formulas).
    tool = tool_formulas(tier, reading, first) if reading.formulas else {}
    for c in tier.parent_criteria:
        if c.code not in recomputed:
            continue
        if not every_leaf and not all(code in leaves_ok for code in tier.leaves_under[c.code]):
            continue
        if c.capped:
            raw = sum((recomputed[ch.code] for ch in c.children if ch.code in recomputed), ZERO)
            if raw > c.max:
                sink.add(
                    "capped-parent",
                    criterion=c.code,
                    value=format_number(raw),
                    max=format_number(c.max),
                    cell=first[c.code].score_cell if c.code in first else None,
                )
        row = first.get(c.code)
        if row is not None and own_formula(tool, reading, row.score_cell, c, sink):
            compare_subtotal(row.score, row.score_cell, recomputed[c.code], sink, c.code)
    if reading.total_cell and every_leaf and own_formula(tool, reading, reading.total_cell, None, sink):
        total = sum((recomputed.get(c.code, ZERO) for c in tier.criteria), ZERO)
        compare_subtotal(reading.total, reading.total_cell, total, sink, None)
