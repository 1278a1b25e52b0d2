"""A table of council values judged like a form (pure): its header found by labels, each row's unit matched to
the roster by code or name, each value checked as a score is (a number, at most 4 decimals, 0 to the maximum;
for a rule-based criterion its facts, and the points follow from them).

Columns, found by their header labels in the first rows (case, spaces and diacritics ignored):

* the unit: "Mã đơn vị" (or "Mã", "code") and/or "Đơn vị" / "Tên đơn vị" (or "name"); a row is matched by its
  code when it has one, else by its name;
* one criterion named on the command line: its value in "Điểm" (or "Giá trị", "value") or in a column headed
  with its code; a rule-based criterion's facts in "a" / "b" ("CODE a", "CODE b", or the rule's input names);
  a level or Có/Không in "Kết quả" or the code's column;
* otherwise, one column per council criterion, headed with its code.

Rows without a unit are skipped (a title, a total line); a unit's empty value cell gives no value (the unit is
then missing: ``council-value-missing`` at check).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from egov_xlsx import findings
from egov_xlsx.config import MAX_DECIMALS
from egov_xlsx.layout import cell_address
from egov_xlsx.model import ZERO, Campaign, CellValue, CouncilValue, Criterion, Facts, Finding, Tier, Unit
from egov_xlsx.model.rule import RATIO
from egov_xlsx.read.imports import Table
from egov_xlsx.rules.criterion_rules import rule_points
from egov_xlsx.rules.fact_rules import read_facts
from egov_xlsx.rules.formula_rules import shown_formula
from egov_xlsx.rules.score_values import parse_score, show_number, show_value
from egov_xlsx.vietnamese import ascii_fold, clean, format_number, join

HEADER_SEARCH_ROWS = 20
_UNIT_CODE = frozenset({"ma don vi", "ma dv", "ma", "code", "unit code", "unit_code"})
_UNIT_NAME = frozenset(
    {"don vi", "ten don vi", "co quan, don vi", "ten co quan, don vi", "co quan", "name", "unit", "unit_name"}
)
_VALUE = frozenset({"diem", "gia tri", "ket qua diem", "value", "score", "points", "diem tham dinh"})
_FACT_A = frozenset({"a", "ket qua", "ket qua thuc hien", "muc dat"})
_FACT_B = frozenset({"b", "tong so"})


def as_text(value: CellValue) -> str:
    """A header or code cell as text: a number as typed ("8.1", "12"), not as a message quotes it ("8,1")."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(value)
    return clean(value) if isinstance(value, str) else show_value(value)


def folded(value: CellValue) -> str:
    """A header or name as compared: diacritics, case and runs of spaces ignored."""
    return ascii_fold(as_text(value)).casefold()


@dataclass(frozen=True)
class ImportCheck:
    """What a table gives: the values of each criterion, the findings, and the criteria it was read for."""

    values: tuple[CouncilValue, ...]
    findings: tuple[Finding, ...]
    criteria: tuple[str, ...]


@dataclass(frozen=True)
class _Columns:
    """Where a criterion's cells are (0-based columns): its value, or its facts a and b."""

    value: int | None = None
    fact: int | None = None
    fact_b: int | None = None


def council_criteria(campaign: Campaign) -> dict[str, list[tuple[Tier, Criterion]]]:
    """Council-scored leaf code -> its (tier, criterion) in every tier that has it."""
    out: dict[str, list[tuple[Tier, Criterion]]] = {}
    for tier in campaign.tiers:
        for leaf in tier.leaf_criteria:
            if leaf.council:
                out.setdefault(leaf.code, []).append((tier, leaf))
    return out


def judge_table(
    campaign: Campaign, table: Table, codes: Sequence[str], *, file: str, origin: str, missing: bool = False
) -> ImportCheck:
    """Judge ``table`` for the council criteria ``codes`` (empty: every council criterion with a column of its own).

    ``file`` names the table in findings, ``origin`` is what outputs say the values came from. ``missing`` adds
    one warning per criterion listing the roster units the table gives no value (the ``import`` command's).
    """
    council = council_criteria(campaign)
    for name, rows in table.sheets.items():
        found = _header(rows, codes, council)
        if found is None:
            continue
        header, unit_cols, columns = found
        return _judge_rows(campaign, table, name, rows, header, unit_cols, columns, council, file, origin, missing)
    what = (
        f"cột mã tiêu chí {join(codes)} hoặc cột Điểm" if codes else "cột mã một tiêu chí do Hội đồng chấm"
    ) + " và cột Mã đơn vị hoặc Đơn vị"
    detail = f"không tìm thấy dòng tiêu đề có {what} trong {HEADER_SEARCH_ROWS} dòng đầu"
    return ImportCheck((), (findings.make("import-unreadable", file=file, detail=detail),), tuple(codes))


def _header(
    rows: list[list[CellValue]], codes: Sequence[str], council: Mapping[str, list[tuple[Tier, Criterion]]]
) -> tuple[int, tuple[int | None, int | None], dict[str, _Columns]] | None:
    for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        labels = [folded(v) if v not in (None, "") else "" for v in row]
        code_col = next((i for i, x in enumerate(labels) if x in _UNIT_CODE), None)
        name_col = next((i for i, x in enumerate(labels) if x in _UNIT_NAME), None)
        if code_col is None and name_col is None:
            continue
        columns: dict[str, _Columns] = {}
        headed = {label.rsplit(" ", 1)[0] if label.endswith((" a", " b")) else label for label in labels}
        wanted = [c for c in codes if c in council] or [code for code in council if code.casefold() in headed]
        for code in wanted:
            cols = _criterion_columns(labels, code, council[code][0][1], single=len(codes) == 1)
            if cols is not None:
                columns[code] = cols
        if columns and (not codes or len(columns) == len(codes)):
            return r, (code_col, name_col), columns
    return None


def _criterion_columns(labels: list[str], code: str, leaf: Criterion, *, single: bool) -> _Columns | None:
    def first(names: set[str] | frozenset[str]) -> int | None:
        return next((i for i, x in enumerate(labels) if x in names), None)

    own = code.casefold()
    if leaf.rule is None:
        value = first({own} | (_VALUE if single else set()))
        return None if value is None else _Columns(value=value)
    inputs = [folded(name) for name in leaf.rule.inputs]
    a = first({f"{own} a", own} | set(inputs[:1]) | (_FACT_A if single else set()))
    b = first({f"{own} b"} | set(inputs[1:2]) | (_FACT_B if single else set()))
    if a is None or (leaf.rule.kind == RATIO and b is None):
        return None
    return _Columns(fact=a, fact_b=b if leaf.rule.kind == RATIO else None)


def _judge_rows(
    campaign: Campaign,
    table: Table,
    sheet: str,
    rows: list[list[CellValue]],
    header: int,
    unit_cols: tuple[int | None, int | None],
    columns: Mapping[str, _Columns],
    council: Mapping[str, list[tuple[Tier, Criterion]]],
    file: str,
    origin: str,
    missing: bool,
) -> ImportCheck:
    roster = {folded(u.name): (t, u) for t in campaign.tiers for u in t.units}
    formulas = table.formulas.get(sheet, {})
    values: list[CouncilValue] = []
    problems: list[Finding] = []
    seen: dict[tuple[str, str], str] = {}
    base: dict[str, Any] = {"file": file, "sheet": sheet or None}
    for r in range(header + 1, len(rows)):
        row = rows[r]
        at = _cells(row, unit_cols)
        if at is None:
            continue
        col, shown = at
        found = campaign.find_unit(shown) if col == unit_cols[0] else roster.get(folded(shown))
        if found is None:
            problems.append(
                findings.make(
                    "import-unknown-unit",
                    **base,
                    cell=cell_address(r + 1, col),
                    value=shown,
                    detail="không có đơn vị này trong danh sách đơn vị (egov.toml)",
                )
            )
            continue
        tier, unit = found
        for code, cols in columns.items():
            leaf = next((c for t, c in council[code] if t.id == tier.id), None)
            where = {**base, "criterion": code, "unit": unit.code, "tier": tier.id}
            if leaf is None:
                detail = f"khối {tier.name} của đơn vị không có tiêu chí {code} do Hội đồng chấm"
                cell = cell_address(r + 1, col)
                problems.append(findings.make("import-unknown-unit", **where, cell=cell, value=shown, detail=detail))
                continue
            judged = _judge_cells(leaf, unit, row, r, cols, formulas, where)
            if judged is None:
                continue
            value, facts, cell, found_problems = judged
            problems += found_problems
            if value is None:
                continue
            first = seen.setdefault((unit.code, code), cell)
            if first != cell:
                problems.append(findings.make("import-duplicate", **where, cell=cell, first=first))
                continue
            values.append(CouncilValue(tier.id, unit.code, code, value, origin, file, cell, facts))
    if missing:
        problems += _missing(campaign, columns, council, values, file)
    return ImportCheck(tuple(values), tuple(problems), tuple(columns))


def _cells(row: list[CellValue], unit_cols: tuple[int | None, int | None]) -> tuple[int, str] | None:
    """The column and text that name the row's unit: its code when given, else its name; ``None``: no unit."""
    for col in unit_cols:
        if col is not None and col < len(row) and row[col] not in (None, ""):
            return col, as_text(row[col])
    return None


def _judge_cells(
    leaf: Criterion,
    unit: Unit,
    row: list[CellValue],
    r: int,
    cols: _Columns,
    formulas: Mapping[str, str],
    where: dict[str, Any],
) -> tuple[Decimal | None, Facts | None, str, list[Finding]] | None:
    """One criterion's cells of a row: its value (or facts and their points), the value's cell, the problems;
    ``None`` when the row gives the criterion nothing (empty cells)."""

    def raw(col: int | None) -> CellValue:
        return row[col] if col is not None and col < len(row) else None

    used = [c for c in (cols.value, cols.fact, cols.fact_b) if c is not None]
    cells = [cell_address(r + 1, c) for c in used]
    formula = next((cell for cell in cells if cell in formulas), None)
    if formula is not None:
        shown = shown_formula(formulas[formula])
        return None, None, formula, [findings.make("import-formula", **where, cell=formula, formula=shown)]
    if all(raw(c) in (None, "") for c in used):
        return None
    cell = cells[0]
    limits: dict[str, Any] = {**where, "max": format_number(leaf.max)}
    if leaf.rule is not None:
        problems: list[Finding] = []

        def report(code: str, **fields: Any) -> None:
            if code != "fact-text-number":  # every cell of a CSV is text: a number typed is a number
                detail = findings.make(code, **{**where, **fields}).message
                problems.append(findings.make("import-fact-invalid", **{**where, **fields}, detail=detail))

        b_cell = cell_address(r + 1, cols.fact_b) if cols.fact_b is not None else cell
        facts = read_facts(leaf, raw(cols.fact), raw(cols.fact_b), (cell, b_cell), report)
        if facts is not None and leaf.rule.kind == RATIO and facts.b == 0:
            report("fact-zero-total", criterion=leaf.code, cell=b_cell, value="0")
            facts = None
        if facts is None:
            return None, None, cell, problems
        return rule_points(leaf.rule, leaf.max, facts), facts, cell, problems
    value, problem = parse_score(raw(cols.value))
    shown = show_value(raw(cols.value))
    if problem == "score-decimals":
        return (
            None,
            None,
            cell,
            [findings.make("import-decimals", **where, cell=cell, value=shown, decimals=MAX_DECIMALS)],
        )
    if value is None or problem not in (None, "score-text-number"):
        return None, None, cell, [findings.make("import-not-number", **limits, cell=cell, value=shown)]
    if not ZERO <= value <= leaf.max:
        above = findings.make("import-above-max", **limits, cell=cell, value=show_number(value))
        return None, None, cell, [above]
    return value, None, cell, []


def _missing(
    campaign: Campaign,
    columns: Mapping[str, _Columns],
    council: Mapping[str, list[tuple[Tier, Criterion]]],
    values: Sequence[CouncilValue],
    file: str,
) -> list[Finding]:
    given = {(v.unit_code, v.criterion) for v in values}
    out: list[Finding] = []
    for code in columns:
        units = [u for t, _ in council[code] for u in t.units if (u.code, code) not in given]
        if units:
            names = join(f"{u.code} ({u.name})" for u in units)
            out.append(findings.make("import-units-missing", file=file, criterion=code, count=len(units), units=names))
    return out
