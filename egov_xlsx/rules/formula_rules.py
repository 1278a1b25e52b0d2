"""The formula rules of one form: a formula typed where a score goes, and the tool's own subtotal formulas
compared with the recomputed subtotals (no formula is evaluated; the tool's are recognised by their text).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal

from egov_xlsx import layout
from egov_xlsx.model import (
    CellValue,
    Criterion,
    FormRow,
    Reading,
    Tier,
)
from egov_xlsx.read.spreadsheet import NAN_DATE
from egov_xlsx.rules.checked import FindingSink
from egov_xlsx.rules.score_values import parse_score, show_value
from egov_xlsx.vietnamese import format_number

#: Cross-check tolerance for a unit's own subtotal cells (spreadsheets add in binary floating point).
_TOLERANCE = Decimal("0.000001")


def input_formulas(c: Criterion, row: FormRow, formulas: Mapping[str, str], sink: FindingSink) -> bool:
    """Each formula in a leaf row's input cells (score, note, "không áp dụng" mark) is an error at its cell.

    Returns whether the score cell holds one: its cached value (an external link, ``RAND()``) is not used.
    """
    cells = [row.score_cell]
    for role in ("note", "na"):
        if role in sink.columns:
            cells.append(sink.cell(row.row, role, 0))
    for cell in cells:
        if cell in formulas:
            sink.add("cell-formula", criterion=c.code, cell=cell, formula=shown_formula(formulas[cell]))
    return row.score_cell in formulas


def input_formula_rows(formulas: Mapping[str, str], columns: Mapping[str, int]) -> frozenset[int]:
    """The rows where a formula sits in the score, note or "không áp dụng" column."""
    return _formula_rows(tuple(formulas), tuple(columns.items()))


#: The columns a unit types in (the facts of rule-based criteria too).
_INPUT_ROLES = ("score", "note", "na", "fact", "fact_b")


@functools.lru_cache(maxsize=256)
def _formula_rows(formulas: tuple[str, ...], columns: tuple[tuple[str, int], ...]) -> frozenset[int]:
    """Worked out once per distinct formula cells and columns: forms made by the tool repeat them."""
    wanted = {layout.cell_address(1, col)[:-1] for role, col in columns if role in _INPUT_ROLES}
    rows: set[int] = set()
    for cell in formulas:
        digits = cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        if cell[: len(cell) - len(digits)] in wanted and digits.isdigit():
            rows.add(int(digits))
    return frozenset(rows)


def own_formula(tool: Mapping[str, str], reading: Reading, cell: str, c: Criterion | None, sink: FindingSink) -> bool:
    """Whether a subtotal or total cell may be cross-checked: no formula, or the very formula the tool wrote.

    The tool writes ``SUM`` of the children's score cells (``MIN(cap,SUM(...))`` for a capped parent); Excel
    and LibreOffice move its references with rows a unit inserts, so it is rebuilt from the rows as read. A
    formula the format does not keep as text (.xls) is the tool's. Another formula is ``formula-changed``.
    """
    text = reading.formulas.get(cell)
    if not text:
        return True
    expected = tool.get(cell, "")
    if _normal_formula(text) == expected:
        return True
    sink.add(
        "formula-changed",
        criterion=None if c is None else c.code,
        cell=cell,
        formula=shown_formula(text),
        expected=f"={expected}" if expected else "(không có)",
    )
    return False


# (the tier's criteria tree, the reading's criterion rows and total cell) -> score cell -> the formula the tool
# writes there. Every form of a tier read from the same rows shares it. Bounded.
_TOOL_FORMULAS: dict[tuple[str, tuple[int, ...], tuple[str, ...], str, str], dict[str, str]] = {}


def tool_formulas(tier: Tier, reading: Reading, first: Mapping[str, FormRow]) -> dict[str, str]:
    rows = tuple([r.row for r in reading.rows])
    codes = tuple([r.code for r in reading.rows])
    score = reading.rows[0].score_cell if reading.rows else ""
    # The fingerprint names the tree's codes, shape, maxima and caps: everything the formulas depend on.
    key = (tier.fingerprint, rows, codes, score.rstrip("0123456789"), reading.total_cell)
    found = _TOOL_FORMULAS.get(key)
    if found is not None:
        return found
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
    for c in tier.parent_criteria:
        row = first.get(c.code)
        if row is not None:
            total = sums(c.children)
            expected[row.score_cell] = f"MIN({format(c.max.normalize(), 'f')},{total})" if c.capped else total
    if reading.total_cell:
        expected[reading.total_cell] = sums(tier.criteria)
    if len(_TOOL_FORMULAS) >= 64:
        _TOOL_FORMULAS.clear()
    _TOOL_FORMULAS[key] = expected
    return expected


def _normal_formula(text: str) -> str:
    """A formula in the tool's spelling: no "=", "$" or spaces; OpenDocument's "of:=SUM([.D10:.D12];...)" too."""
    out = text.strip().removeprefix("of:").lstrip("=")
    for old, new in (("[.", ""), (":.", ":"), ("]", ""), ("[", ""), ("$", ""), (" ", ""), (";", ",")):
        out = out.replace(old, new)
    return out.upper()


def shown_formula(text: str) -> str:
    """A formula as a message quotes it: "=" and at most 80 characters; "(công thức)" when its text is unknown."""
    shown = text.strip().removeprefix("of:").lstrip("=")
    return f"={shown[:80]}" if shown else "(công thức)"


def compare_subtotal(value: CellValue, cell: str, expected: Decimal, sink: FindingSink, criterion: str | None) -> None:
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
