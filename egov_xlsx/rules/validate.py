"""Pure checks over readings: who sent each form, whether its rows and scores are usable, and the roster.

No I/O here: the functions take :class:`~egov_xlsx.model.Reading` values and the campaign and return
findings and submissions. Scores become exact decimals by their shortest repr (what the user typed).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Context, Decimal, InvalidOperation
from typing import Any

from egov_xlsx import findings, layout
from egov_xlsx.config import MAX_DECIMALS
from egov_xlsx.model import (
    ZERO,
    Campaign,
    CellValue,
    Criterion,
    Finding,
    FormRow,
    Reading,
    Severity,
    SourceFile,
    Submission,
    Tier,
    Unit,
    UnitState,
    UnitStatus,
)
from egov_xlsx.rules.scoring import criterion_scores
from egov_xlsx.vietnamese import ascii_fold, format_number, safe_filename

_TEXT_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
#: Cross-check tolerance for a unit's own subtotal cells (spreadsheets add in binary floating point).
_TOLERANCE = Decimal("0.000001")


@dataclass(frozen=True)
class Checked:
    """One file after validation: whom it belongs to (when known), its submission, its findings."""

    source: SourceFile
    unit_code: str | None = None
    tier_id: str | None = None
    submission: Submission | None = None
    findings: tuple[Finding, ...] = ()
    #: The unit code the form names, when it is not in the roster.
    unknown_unit: str | None = None
    #: The unit code a form of another campaign or year names (its metadata): whose roster line the
    #: rejected file belongs to, when that code is in this roster (see :func:`check_roster`).
    foreign_unit: str | None = None


@dataclass
class _Sink:
    """Collects one file's findings with its location filled in."""

    file: str
    sheet: str | None
    unit: str | None = None
    tier: str | None = None
    items: list[Finding] = field(default_factory=list)
    #: The table's columns as the reader located them (see :attr:`Reading.columns`).
    columns: Mapping[str, int] = field(default_factory=dict)

    def cell(self, row: int, role: str, default: int) -> str:
        """The A1 address of ``role``'s cell in a 1-based row, in the columns where the form has them."""
        return layout.cell_address(row, self.columns.get(role, default))

    def add(self, code: str, *, severity: Severity | None = None, **fields: object) -> None:
        fields.setdefault("sheet", self.sheet)
        fields.setdefault("unit", self.unit)
        fields.setdefault("tier", self.tier)
        self.items.append(findings.make(code, severity=severity, file=self.file, **fields))

    @property
    def has_errors(self) -> bool:
        return any(f.is_error for f in self.items)


@dataclass(frozen=True)
class _Plan:
    """What every form of a tier is checked against, worked out once per tier rather than once per form."""

    tier: Tier
    #: Every criterion in tree order.
    walk: tuple[Criterion, ...]
    leaves: tuple[Criterion, ...]
    #: The criteria with children, in tree order.
    parents: tuple[Criterion, ...]
    order: dict[str, int]
    #: Parent code -> the codes of the leaves under it.
    leaves_under: dict[str, tuple[str, ...]]
    fingerprint: str
    #: Code -> the maximum as a float, when the float's shortest repr is that very decimal (so comparing a
    #: float cell with it decides exactly what comparing the cell's decimal with the maximum would).
    float_max: dict[str, float]
    #: Every criterion's code in tree order: the rows of a form as made.
    codes: tuple[str, ...]
    #: (criterion, code, is a leaf, float maximum or None) in tree order: the row loop's inputs, unpacked once.
    steps: tuple[tuple[Criterion, str, bool, float | None], ...]
    #: The leaves' codes.
    leaf_codes: frozenset[str]


_PLANS: dict[int, _Plan] = {}


def _plan(tier: Tier) -> _Plan:
    # Keyed by identity: a Tier holds its roster, so hashing one would cost as much as the work saved.
    plan = _PLANS.get(id(tier))
    if plan is None or plan.tier is not tier:
        walk = tuple(tier.walk())
        leaves_under = {c.code: tuple(x.code for x in c.walk() if x.is_leaf) for c in walk if not c.is_leaf}
        float_max = {c.code: float(c.max) for c in walk if Decimal(repr(float(c.max))) == c.max}
        plan = _Plan(
            tier,
            walk,
            tuple(c for c in walk if c.is_leaf),
            tuple(c for c in walk if not c.is_leaf),
            {c.code: i for i, c in enumerate(walk)},
            leaves_under,
            tier.fingerprint,
            float_max,
            tuple(c.code for c in walk),
            tuple((c, c.code, c.is_leaf, float_max.get(c.code)) for c in walk),
            frozenset(c.code for c in walk if c.is_leaf),
        )
        if len(_PLANS) >= 64:
            _PLANS.clear()
        _PLANS[id(tier)] = plan
    return plan


def parse_score(value: CellValue) -> tuple[Decimal | None, str | None]:
    """Turn a score cell into an exact decimal: (value, None) or (maybe a value, a finding code).

    Numbers become ``Decimal(repr(x))`` (what the user typed, not the binary float). A text cell holding
    one number with at most one separator ("4,72", "4.72") is read as a decimal with the code
    ``score-text-number``. A date is what Excel makes of "4.7" under a Vietnamese locale: ``score-date``.
    Not a number at all (infinity, NaN, NaN under a date format): ``score-not-number``. More than
    :data:`~egov_xlsx.config.MAX_DECIMALS` decimals (``1e-320``): the value with ``score-decimals``. Any
    magnitude is returned as it is: callers compare it with a bound and show it with :func:`show_number`.
    """
    if value is None or value == "":
        return None, "score-missing"
    if isinstance(value, bool):
        return None, "score-not-number"
    if isinstance(value, int):
        return _decimal(value), None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None, "score-not-number"
        number, too_precise = _typed(repr(value))
        return number, ("score-decimals" if too_precise else None)
    if isinstance(value, datetime) and value == NAN_DATE:
        return None, "score-not-number"
    if isinstance(value, datetime | date):
        return None, "score-date"
    if isinstance(value, time | timedelta):
        return None, "score-not-number"
    text = str(value).strip()
    if _TEXT_NUMBER.match(text):
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
            return None, "score-not-number"
        return number, ("score-decimals" if _too_precise(number) else "score-text-number")
    return None, "score-not-number"


#: What the spreadsheet reader returns for a NaN stored in a date-formatted cell: the epoch, 30/12/1899
#: 00:00, as a datetime (a real serial in [0, 1) reads as a time of day, 1 and above as a date).
NAN_DATE = datetime(1899, 12, 30)

#: What a message shows for a value that is no number at all (NaN, infinity): Excel's own error text.
NOT_A_NUMBER = "#NUM!"

_QUANTUM = Decimal(1).scaleb(-MAX_DECIMALS)
#: The smallest positive score the float fast path takes (below it the decimals rule decides).
_SMALLEST = float(_QUANTUM)


def _too_precise(number: Decimal) -> bool:
    """More decimals than a score may have (``MAX_DECIMALS``): 0,00001 or the denormal 1e-320.

    Judged on the number as Excel shows it (15 significant digits), so that a sum's binary noise
    (0.30000000000000004) is not taken for decimals the unit typed; the score itself stays exact.
    """
    exponent = number.as_tuple().exponent
    if not isinstance(exponent, int) or exponent >= -MAX_DECIMALS:
        return False
    shown = Decimal(f"{number:.15G}")
    return shown != shown.quantize(_QUANTUM)


# Scores and maxima repeat across forms (a national inbox holds 400,000 leaf scores of a few thousand values):
# one Decimal per distinct value saves the parsing and the memory. Keyed by the int or by the float's repr,
# never by the float itself (0.0 and -0.0 are equal keys but different decimals). Bounded.
_DECIMALS: dict[int | str, Decimal] = {}


def _decimal(value: int | str) -> Decimal:
    found = _DECIMALS.get(value)
    if found is None:
        if len(_DECIMALS) >= 1 << 14:
            _DECIMALS.clear()
        found = _DECIMALS[value] = Decimal(value)
    return found


_TYPED: dict[str, tuple[Decimal, bool]] = {}


def _typed(text: str) -> tuple[Decimal, bool]:
    """A float's repr as a decimal and whether it has too many decimals (cached like :func:`_decimal`)."""
    found = _TYPED.get(text)
    if found is None:
        if len(_TYPED) >= 1 << 14:
            _TYPED.clear()
        number = _decimal(text)
        found = _TYPED[text] = (number, _too_precise(number))
    return found


#: Beyond these a number is shown in scientific notation ("1E+30", "1E-320"): a message quotes what the
#: cell holds without printing hundreds of digits (and the plain formatter could not round it).
_SHOW_LARGE = Decimal(10) ** 12
_SHOW_SMALL = Decimal(10) ** -MAX_DECIMALS


def show_number(value: Decimal) -> str:
    """A number as quoted in a message, bounded: "85,5", "1.000", "1,5E+30", "1E-320", "#NUM!"."""
    if not value.is_finite():
        return NOT_A_NUMBER
    if value and (abs(value) >= _SHOW_LARGE or abs(value) < _SHOW_SMALL):
        return f"{Context(prec=6).plus(value).normalize():G}".replace(".", ",")
    if len(value.as_tuple().digits) > 17:  # "0,1000...0001" typed as text: as Excel would show it
        return f"{Context(prec=15).plus(value).normalize():G}".replace(".", ",")
    return format_number(value)


def show_value(value: CellValue) -> str:
    """A cell value as quoted in a message: dates as dd/mm/yyyy, numbers with a decimal comma (bounded)."""
    if isinstance(value, datetime) and value == NAN_DATE:
        return NOT_A_NUMBER
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return show_number(Decimal(repr(value))) if math.isfinite(value) else NOT_A_NUMBER
    if isinstance(value, int) and not isinstance(value, bool):
        return show_number(Decimal(value))
    if value is None:
        return ""
    text = str(value)
    return text if len(text) <= _SHOW_TEXT else f"{text[: _SHOW_TEXT - 1]}…"


#: Characters of a cell's text quoted in a message (a pasted page, 5,000 digits: the cell says the rest).
_SHOW_TEXT = 60


def check_reading(campaign: Campaign, reading: Reading) -> Checked:
    """Identify the form's unit and check its rows and scores against the campaign."""
    source = reading.source
    sink = _Sink(source.name, reading.sheet, columns=reading.columns)
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
    sink.tier = tier.id
    form_tier = meta.get(layout.META_TIER)
    if form_tier and form_tier != tier.id:
        sink.add("wrong-tier", value=form_tier, expected=tier.id)
    if has_meta and meta.get(layout.META_FINGERPRINT) != _plan(tier).fingerprint:
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
    submission = _check_rows(campaign, tier, unit, reading, sink, version)
    submission = replace(submission, valid=not sink.has_errors)
    return Checked(source, unit.code, tier.id, submission, tuple(sink.items))


def _check_identity(campaign: Campaign, tier: Tier, unit: Unit, reading: Reading, sink: _Sink) -> None:
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
    for other, code, name, long_name in _folded_roster(campaign):
        if other.code == unit.code:
            continue
        if first == code or (long_name and name in stem):
            return other
    return None


_FOLDED: dict[int, tuple[Campaign, tuple[tuple[Unit, str, str, bool], ...]]] = {}


def _folded_roster(campaign: Campaign) -> tuple[tuple[Unit, str, str, bool], ...]:
    """Every roster unit in order with its code casefolded, its name folded and whether the name is long.

    Folded once per campaign: a national roster has 10,000 names, and every badly named file is matched
    against all of them.
    """
    cached = _FOLDED.get(id(campaign))
    if cached is None or cached[0] is not campaign:
        roster = tuple(
            (u, u.code.casefold(), ascii_fold(u.name).casefold(), len(u.name) > 6)
            for t in campaign.tiers
            for u in t.units
        )
        if len(_FOLDED) >= 8:
            _FOLDED.clear()
        cached = _FOLDED[id(campaign)] = (campaign, roster)
    return cached[1]


def _blank_cell(tier: Tier, reading: Reading) -> str | None:
    """The first leaf's score cell when no leaf row has a score or a "không áp dụng" mark (a form sent back
    unfilled), else ``None``. One finding says so, rather than one ``score-missing`` per criterion."""
    leaves = _plan(tier).leaf_codes
    first: str | None = None
    for r in reading.rows:
        if r.code not in leaves:
            continue
        if r.not_applicable or r.score not in (None, ""):
            return None  # nearly every form stops at its first leaf
        first = first or r.score_cell
    return first


def _check_rows(campaign: Campaign, tier: Tier, unit: Unit, reading: Reading, sink: _Sink, version: str) -> Submission:
    plan = _plan(tier)
    if tuple([row.code for row in reading.rows]) == plan.codes:
        # Every criterion once, in order (nearly every form): nothing is missing, extra, repeated or moved.
        first: dict[str, FormRow] = dict(zip(plan.codes, reading.rows, strict=True))
    else:
        first = _check_structure(plan, reading, sink)

    scores: dict[str, Decimal] = {}
    not_applicable: set[str] = set()
    #: What the unit typed where the score cannot be used, so the council still sees the claim.
    claims: dict[str, str] = {}
    formulas = reading.formulas
    # Rows with a formula in an input column (a dozen formulas a form, all subtotals): looked up per leaf.
    input_rows = _input_formula_rows(formulas, sink.columns) if formulas else frozenset()
    for c, code, is_leaf, float_max in plan.steps:
        row = first.get(code)
        if row is None:
            continue
        _check_max(c, row, sink, float_max)
        if is_leaf:
            if row.row in input_rows and _input_formulas(c, row, formulas, sink):
                continue  # a formula's cached value is never a score
            score = _check_leaf(campaign, c, unit, row, sink, float_max)
            if score.__class__ is Decimal:
                scores[code] = score
            elif score == "na":
                not_applicable.add(code)
            elif row.score not in (None, ""):
                claims[code] = show_value(row.score)
    _check_sums(plan, reading, scores, frozenset(not_applicable), first, sink)
    return Submission(
        tier_id=tier.id,
        unit_code=unit.code,
        source=reading.source,
        form_version=version,
        scores=scores,
        not_applicable=frozenset(not_applicable),
        claims=claims,
    )


def _check_structure(plan: _Plan, reading: Reading, sink: _Sink) -> dict[str, FormRow]:
    """Rows that are not criteria, criteria repeated, missing or out of order; returns each code's first row."""
    by_code: dict[str, list[FormRow]] = {}
    for row in reading.rows:
        by_code.setdefault(row.code, []).append(row)
    order = plan.order
    for code, rows in by_code.items():
        if code not in order:
            for row in rows:
                sink.add(
                    "row-unexpected",
                    value=code or row.name,
                    row=row.row,
                    cell=sink.cell(row.row, "code", layout.COL_CODE),
                )
        elif len(rows) > 1:
            sink.add("row-duplicate", criterion=code, rows=", ".join(str(r.row) for r in rows), cell=rows[1].score_cell)
    for c in plan.walk:
        if c.code not in by_code:
            sink.add("row-missing", criterion=c.code, name=c.name)
    present = [r for r in reading.rows if r.code in order]
    for prev, row in itertools.pairwise(present):
        if order[row.code] < order[prev.code]:
            sink.add("row-order", criterion=row.code, row=row.row, cell=row.score_cell)
            break
    return {code: rows[0] for code, rows in by_code.items()}


def _check_max(c: Criterion, row: FormRow, sink: _Sink, float_max: float | None) -> None:
    shown = row.max
    if shown.__class__ is float and shown == float_max:
        return  # the maximum as printed on the form (see _Plan.float_max)
    value, problem = parse_score(shown)
    # A number other than the maximum, or no number at all where one was printed (NaN, infinity, a date).
    if problem != "score-missing" and value != c.max:
        cell = sink.cell(row.row, "max", layout.COL_MAX)
        sink.add("max-changed", criterion=c.code, cell=cell, value=show_value(shown), expected=format_number(c.max))


def _where(c: Criterion, row: FormRow) -> dict[str, Any]:
    """A leaf's location fields, formatted only when a finding needs them (most leaves have none)."""
    return {"criterion": c.code, "cell": row.score_cell, "max": format_number(c.max)}


def _check_leaf(
    campaign: Campaign, c: Criterion, unit: Unit, row: FormRow, sink: _Sink, float_max: float | None
) -> Decimal | str | None:
    score = row.score
    if (
        score.__class__ is float
        and not row.not_applicable
        and float_max is not None
        and (score == 0.0 or _SMALLEST <= score <= float_max)
    ):
        # A number within bounds, decided on the float (see _Plan.float_max); the decimal is what was typed.
        typed, too_precise = _typed(repr(score))
        if too_precise:
            sink.add("score-decimals", value=show_value(score), decimals=MAX_DECIMALS, **_where(c, row))
            return None
        if score > 0.0 and not row.note and campaign.evidence_severity is not None:
            _no_evidence(campaign.evidence_severity, c, row, typed, sink)
        return typed
    if row.not_applicable:
        if not c.may_be_na(unit.code):
            sink.add("na-not-allowed", **_where(c, row))
            if score in (None, ""):
                return None  # the message already says to enter a score
        else:
            if score not in (None, ""):
                sink.add("na-with-score", value=show_value(score), **_where(c, row))
            return "na"
    value, problem = parse_score(score)
    if problem == "score-text-number" and value is not None:
        sink.add(problem, value=show_value(score), read=show_number(value), **_where(c, row))
    elif problem == "score-decimals":
        sink.add(problem, value=show_value(score), decimals=MAX_DECIMALS, **_where(c, row))
        return None
    elif problem is not None:
        sink.add(problem, value=show_value(score), **_where(c, row))
        return None
    assert value is not None
    if value < 0:
        sink.add("score-negative", value=show_number(value), **_where(c, row))
        return None
    if value > c.max:
        sink.add("score-above-max", value=show_number(value), **_where(c, row))
        return None
    if campaign.evidence_severity is not None and value > 0 and not row.note:
        _no_evidence(campaign.evidence_severity, c, row, value, sink)
    return value


def _no_evidence(severity: Severity, c: Criterion, row: FormRow, value: Decimal, sink: _Sink) -> None:
    note_cell = sink.cell(row.row, "note", layout.COL_NOTE)
    sink.add("score-no-evidence", severity=severity, criterion=c.code, cell=note_cell, value=format_number(value))


def _check_sums(
    plan: _Plan,
    reading: Reading,
    scores: dict[str, Decimal],
    not_applicable: frozenset[str],
    first: dict[str, FormRow],
    sink: _Sink,
) -> None:
    """Capped parents and the unit's own subtotal cells, compared with sums recomputed from valid leaves."""
    tier = plan.tier
    leaves_ok = {c.code for c in plan.leaves if c.code in scores or c.code in not_applicable}
    every_leaf = len(leaves_ok) == len(plan.leaves)
    recomputed, _ = criterion_scores(tier, scores, not_applicable)
    # The formulas the tool writes in this form's subtotal cells, worked out once (only when it has formulas).
    tool = _tool_formulas(plan, reading, first) if reading.formulas else {}
    for c in plan.parents:
        if c.code not in recomputed:
            continue
        if not every_leaf and not all(code in leaves_ok for code in plan.leaves_under[c.code]):
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
        if row is not None and _own_formula(tool, reading, row.score_cell, c, sink):
            _compare_subtotal(row.score, row.score_cell, recomputed[c.code], sink, c.code)
    if reading.total_cell and every_leaf and _own_formula(tool, reading, reading.total_cell, None, sink):
        total = sum((recomputed.get(c.code, ZERO) for c in tier.criteria), ZERO)
        _compare_subtotal(reading.total, reading.total_cell, total, sink, None)


def _input_formulas(c: Criterion, row: FormRow, formulas: Mapping[str, str], sink: _Sink) -> bool:
    """Each formula in a leaf row's input cells (score, note, "không áp dụng" mark) is an error at its cell.

    Returns whether the score cell holds one: its cached value (an external link, ``RAND()``) is not used.
    """
    cells = [row.score_cell]
    for role in ("note", "na"):
        if role in sink.columns:
            cells.append(sink.cell(row.row, role, 0))
    for cell in cells:
        if cell in formulas:
            sink.add("cell-formula", criterion=c.code, cell=cell, formula=_shown_formula(formulas[cell]))
    return row.score_cell in formulas


def _input_formula_rows(formulas: Mapping[str, str], columns: Mapping[str, int]) -> frozenset[int]:
    """The rows where a formula sits in the score, note or "không áp dụng" column (remembered: forms repeat)."""
    key = (tuple(formulas), tuple(columns.items()))
    found = _FORMULA_ROWS.get(key)
    if found is None:
        if len(_FORMULA_ROWS) >= 256:
            _FORMULA_ROWS.clear()
        found = _FORMULA_ROWS[key] = _formula_rows(formulas, columns)
    return found


_FORMULA_ROWS: dict[tuple[tuple[str, ...], tuple[tuple[str, int], ...]], frozenset[int]] = {}


def _formula_rows(formulas: Mapping[str, str], columns: Mapping[str, int]) -> frozenset[int]:
    wanted = {layout.cell_address(1, col)[:-1] for role, col in columns.items() if role in ("score", "note", "na")}
    rows: set[int] = set()
    for cell in formulas:
        digits = cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        if cell[: len(cell) - len(digits)] in wanted and digits.isdigit():
            rows.add(int(digits))
    return frozenset(rows)


def _own_formula(tool: Mapping[str, str], reading: Reading, cell: str, c: Criterion | None, sink: _Sink) -> bool:
    """Whether a subtotal or total cell may be cross-checked: no formula, or the very formula the tool wrote.

    The tool writes ``SUM`` of the children's score cells (``MIN(cap,SUM(...))`` for a capped parent); Excel
    and LibreOffice move its references with rows a unit inserts, so it is rebuilt from the rows as read. A
    formula the format does not keep as text (.xls) is the tool's. Another formula is ``formula-changed``.
    """
    text = reading.formulas.get(cell)
    if not text:
        return True
    expected = tool.get(cell, "")
    normal = _NORMAL_FORMULAS.get(text)
    if normal is None:
        if len(_NORMAL_FORMULAS) >= 4096:
            _NORMAL_FORMULAS.clear()
        normal = _NORMAL_FORMULAS[text] = _normal_formula(text)
    if normal == expected:
        return True
    sink.add(
        "formula-changed",
        criterion=None if c is None else c.code,
        cell=cell,
        formula=_shown_formula(text),
        expected=f"={expected}" if expected else "(không có)",
    )
    return False


# A formula's text -> its spelling in the tool's form (forms repeat the same dozen). Bounded.
_NORMAL_FORMULAS: dict[str, str] = {}
# (plan, the reading's criterion rows and total cell) -> score cell -> the formula the tool writes there. Every
# form of a tier read from the same rows shares it. Bounded.
_TOOL_FORMULAS: dict[tuple[int, tuple[int, ...], tuple[str, ...], str, str], tuple[_Plan, dict[str, str]]] = {}


def _tool_formulas(plan: _Plan, reading: Reading, first: Mapping[str, FormRow]) -> dict[str, str]:
    rows = tuple([r.row for r in reading.rows])
    codes = tuple([r.code for r in reading.rows])
    score = reading.rows[0].score_cell if reading.rows else ""
    key = (id(plan), rows, codes, score.rstrip("0123456789"), reading.total_cell)
    found = _TOOL_FORMULAS.get(key)
    if found is not None and found[0] is plan:
        return found[1]
    letters = key[3]

    def sums(children: Iterable[Criterion]) -> str:
        runs: list[list[int]] = []
        for r in sorted(first[ch.code].row for ch in children if ch.code in first):
            if runs and runs[-1][1] == r - 1:
                runs[-1][1] = r
            else:
                runs.append([r, r])
        return "SUM(" + ",".join(f"{letters}{a}" if a == b else f"{letters}{a}:{letters}{b}" for a, b in runs) + ")"

    expected: dict[str, str] = {}
    for c in plan.parents:
        row = first.get(c.code)
        if row is not None:
            total = sums(c.children)
            expected[row.score_cell] = f"MIN({format(c.max.normalize(), 'f')},{total})" if c.capped else total
    if reading.total_cell:
        expected[reading.total_cell] = sums(plan.tier.criteria)
    if len(_TOOL_FORMULAS) >= 64:
        _TOOL_FORMULAS.clear()
    _TOOL_FORMULAS[key] = (plan, expected)
    return expected


def _normal_formula(text: str) -> str:
    """A formula in the tool's spelling: no "=", "$" or spaces; OpenDocument's "of:=SUM([.D10:.D12];...)" too."""
    out = text.strip().removeprefix("of:").lstrip("=")
    for old, new in (("[.", ""), (":.", ":"), ("]", ""), ("[", ""), ("$", ""), (" ", ""), (";", ",")):
        out = out.replace(old, new)
    return out.upper()


def _shown_formula(text: str) -> str:
    shown = text.strip().removeprefix("of:").lstrip("=")
    return f"={shown[:80]}" if shown else "(công thức)"


def _compare_subtotal(value: CellValue, cell: str, expected: Decimal, sink: _Sink, criterion: str | None) -> None:
    # A 0 is a formula's cached value never recalculated (xlsxwriter stores 0): it says nothing.
    if isinstance(value, datetime) and value == NAN_DATE:
        differs = True  # NaN under a date format: never a sum
    elif isinstance(value, str):
        typed, problem = parse_score(value)  # a number typed as text over the formula is compared too
        if typed is None or not typed or problem not in ("score-text-number", "score-decimals"):
            return
        differs = abs(typed - expected) > _TOLERANCE
    elif isinstance(value, bool) or not isinstance(value, int | float) or value == 0:
        return
    elif isinstance(value, float) and not math.isfinite(value):
        differs = True  # NaN or infinity typed over the formula: never a sum
    else:
        shown = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        differs = abs(shown - expected) > _TOLERANCE
    if differs:
        sink.add(
            "subtotal-mismatch",
            criterion=criterion,
            cell=cell,
            value=show_value(value),
            expected=format_number(expected),
        )


# --------------------------------------------------------------------------- the roster


@dataclass(frozen=True)
class RosterCheck:
    """The roster view of all files: one submission per unit, every unit's status, roster findings."""

    submissions: tuple[Submission, ...]
    statuses: tuple[UnitStatus, ...]
    findings: tuple[Finding, ...]
    #: Identical copies not used (their findings would repeat the used copy's).
    redundant: frozenset[str] = frozenset()
    #: File name -> the findings that replace the file's own: a file that is no form of this campaign,
    #: put on a unit's roster line (its findings then name the unit), or set aside with one warning
    #: because the unit also sent a valid form.
    rewritten: Mapping[str, tuple[Finding, ...]] = field(default_factory=dict)


def check_roster(campaign: Campaign, checked: Sequence[Checked]) -> RosterCheck:
    """Pick each unit's submission and report duplicates and missing units.

    Several identical files for a unit: a warning, and the one named as the tool names forms
    ("CODE - Name.xlsx") is used, else the first by file name. Several different files: an error naming
    them with their modification times, and none is used until the clerk moves the superseded ones into a
    subfolder of ``inbox/``.

    A file that is no form of this campaign (empty, unreadable, not a form, a form of another campaign or
    year) still belongs on a roster line, so that its unit reads "submitted, with errors" and not "missing":
    the unit its metadata names when that code is in the roster, else the unit whose code starts its file
    name (see :func:`unit_by_file_name`). Such a file is never scored. When the unit also has a valid form,
    the file's errors become one ``file-not-used`` warning and the unit counts as submitted.
    """
    forms: dict[str, list[Checked]] = {}
    rejected: dict[str, list[Checked]] = {}
    for item in checked:
        if item.unit_code is not None:
            forms.setdefault(item.unit_code, []).append(item)
        elif item.unknown_unit is None and any(f.is_error for f in item.findings):
            owner = _owner(campaign, item)
            if owner is not None:
                rejected.setdefault(owner.code, []).append(item)
    chosen: list[Submission] = []
    statuses: list[UnitStatus] = []
    extra: list[Finding] = []
    redundant: set[str] = set()
    rewritten: dict[str, tuple[Finding, ...]] = {}
    for tier in campaign.tiers:
        for unit in tier.units:
            items = sorted(forms.get(unit.code, []), key=lambda i: i.source.name)
            others = sorted(rejected.get(unit.code, []), key=lambda i: i.source.name)
            outcome = _unit_status(tier, unit, items, others)
            statuses.append(outcome.status)
            extra.extend(outcome.problems)
            if outcome.submission is not None:
                chosen.append(outcome.submission)
            redundant.update(outcome.redundant)
            rewritten.update(outcome.rewritten)
    return RosterCheck(tuple(chosen), tuple(statuses), tuple(extra), frozenset(redundant), rewritten)


def _owner(campaign: Campaign, item: Checked) -> Unit | None:
    if item.foreign_unit:
        found = campaign.find_unit(item.foreign_unit)
        if found is not None:
            return found[1]
    return unit_by_file_name(campaign, item.source.name)


def unit_by_file_name(campaign: Campaign, file_name: str) -> Unit | None:
    """The roster unit whose code starts the file name, as the tool names forms ("SKHDT - So ....xlsx").

    The code must be followed by the end of the name or a separator (space, "-", "_", ".", "(", ","), so
    "STC" does not claim "STCB.xlsx"; of several matching codes the longest wins. Case and diacritics are
    ignored. Only for files that cannot be read as a form: a form is always identified by its own content.
    """
    stem = ascii_fold(file_name.rsplit(".", 1)[0]).casefold().strip()
    best: Unit | None = None
    for unit, code, _name, _long in _folded_roster(campaign):
        if not code or not stem.startswith(code):
            continue
        rest = stem[len(code) :]
        if (not rest or rest[0] in " -_.(,") and (best is None or len(code) > len(best.code)):
            best = unit
    return best


@dataclass(frozen=True)
class _Outcome:
    status: UnitStatus
    submission: Submission | None = None
    problems: tuple[Finding, ...] = ()
    redundant: tuple[str, ...] = ()
    rewritten: Mapping[str, tuple[Finding, ...]] = field(default_factory=dict)


def _unit_status(tier: Tier, unit: Unit, items: list[Checked], others: list[Checked]) -> _Outcome:
    """One unit's state from its forms (``items``, identified by content) and its unusable files (``others``)."""
    if not items and not others:
        contact = f" (liên hệ: {unit.contact})" if unit.contact else ""
        problem = findings.make("unit-missing", unit=unit.code, tier=tier.id, name=unit.name, contact=contact)
        return _Outcome(UnitStatus(tier.id, unit, UnitState.MISSING, errors=1), problems=(problem,))
    files = tuple(i.source.name for i in items)
    own = [f for i in items for f in i.findings]
    problems: list[Finding] = []
    redundant: tuple[str, ...] = ()
    sub: Submission | None = None
    distinct = {i.source.sha256 for i in items}
    if len(items) > 1 and len(distinct) > 1:
        listed = ", ".join(f"{i.source.name} (sửa lần cuối {_when(i.source.mtime)})" for i in items)
        problems.append(findings.make("unit-duplicate", unit=unit.code, tier=tier.id, count=len(items), files=listed))
        state = UnitState.DUPLICATE
    elif items:
        used = min(items, key=lambda i: (not _properly_named(unit, i.source.name), i.source.name))
        if len(items) > 1:
            redundant = tuple(i.source.name for i in items if i is not used)
            problems.append(
                findings.make(
                    "unit-duplicate-identical",
                    unit=unit.code,
                    tier=tier.id,
                    count=len(items),
                    files=", ".join(files),
                    used=used.source.name,
                    file=used.source.name,
                )
            )
            own = list(used.findings)
        sub = used.submission
        state = UnitState.SUBMITTED if sub is not None and sub.valid else UnitState.INVALID
    else:
        state = UnitState.INVALID
    rewritten: dict[str, tuple[Finding, ...]] = {}
    for other in others:
        name = other.source.name
        files += (name,)
        if state is UnitState.SUBMITTED and sub is not None:
            why = next(f for f in other.findings if f.is_error)
            rewritten[name] = (
                findings.make(
                    "file-not-used",
                    file=name,
                    unit=unit.code,
                    tier=tier.id,
                    detail=_lower_first(findings.CATALOGUE[why.code].title),
                    used=sub.source.name,
                ),
            )
        else:
            rewritten[name] = tuple(replace(f, unit=unit.code, tier=tier.id) for f in other.findings)
        own.extend(rewritten[name])
    errors = sum(f.is_error for f in own) + sum(f.is_error for f in problems)
    warnings = sum(f.severity is Severity.WARNING for f in [*own, *problems])
    status = UnitStatus(tier.id, unit, state, files, errors, warnings)
    return _Outcome(status, sub, tuple(problems), redundant, rewritten)


def _properly_named(unit: Unit, file_name: str) -> bool:
    """The file is named as the tool names the unit's form ("SKHDT - So Ke hoach va Dau tu.xlsx")."""
    stem = file_name.rsplit(".", 1)[0]
    return stem.casefold() == safe_filename(f"{unit.code} - {unit.name}").casefold()


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _when(mtime: float) -> str:
    return datetime.fromtimestamp(mtime).strftime("%H:%M:%S ngày %d/%m/%Y")


def unique_findings(items: Iterable[Finding]) -> list[Finding]:
    """Findings in the catalogue's stable order, each once."""
    seen: set[Finding] = set()
    out: list[Finding] = []
    for f in sorted(items, key=findings.sort_key):
        if f not in seen:
            seen.add(f)
            out.append(f)
    return out
