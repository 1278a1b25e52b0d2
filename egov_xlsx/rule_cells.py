"""A rule-based criterion's cells on the form: the Excel formula that shows its points as the unit
types the facts, and the data validations of its fact cells (a dropdown of labels, Có/Không, numbers ≥ 0).

The formula is only for the unit's eyes: the tool never reads its cached value, it recomputes the points from
the facts (:mod:`egov_xlsx.rules.criterion_rules`). Excel compares text without case, as the reader does.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from egov_xlsx import layout
from egov_xlsx.model import Criterion, Rule
from egov_xlsx.model.rule import COUNT, LEVELS, YES_NO

#: Excel's limit on an inline list's text (the labels joined by commas).
INLINE_LIST_LIMIT = 255


def formula_number(value: Decimal) -> str:
    """A decimal as a formula literal (always a dot, never an exponent): 20, 7.5."""
    return format(value.normalize(), "f")


def inline_list(labels: tuple[str, ...]) -> bool:
    """Whether a dropdown's labels fit an inline list: at most 255 characters joined, no comma or quote in one."""
    return len(",".join(labels)) <= INLINE_LIST_LIMIT and not any("," in x or '"' in x for x in labels)


def _text(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def points_formula(rule: Rule, maximum: Decimal, a: str, b: str, table: str | None = None) -> str:
    """The points cell's formula over the fact cells ``a`` (and ``b``): 0 while the facts are missing or wrong.

    ``table`` is the list sheet's range of a level list (labels, points) too long to spell inline. The
    formulas avoid text literals where they can (``N()`` reads an empty or text cell as 0): every quote is an
    entity (``&quot;``) the input gate decodes in each form.
    """
    top = formula_number(maximum)
    if rule.kind == LEVELS:
        if table is not None:
            return f"=IFERROR(VLOOKUP({a},{table},2,FALSE),0)"
        out = "0"
        for level in reversed(rule.levels):
            if level.points or out != "0":
                out = f"IF({a}={_text(level.label)},{formula_number(level.points)},{out})"
        return f"={out}"
    if rule.kind == YES_NO:
        return f"=IF({a}={_text(rule.labels[0])},{top},0)"
    if rule.kind == COUNT:
        each = formula_number(rule.points_each)
        return f"=MIN(ROUND(N({a})*{each},{rule.points_decimals}),{top})"
    if not rule.steps:
        return f"=IF(N({b})>0,MIN(ROUND(N({a})/{b}*{top},{rule.points_decimals}),{top}),0)"
    out = formula_number(rule.steps[-1].points)
    for step in reversed(rule.steps[:-1]):
        compare = ">" if step.above else ">="
        out = f"IF(N({a})*100{compare}{formula_number(step.percent)}*{b},{formula_number(step.points)},{out})"
    return f"=IF(N({b})>0,{out},0)"


def label_validation(rule: Rule, source: str | list[str]) -> dict[str, Any]:
    """The dropdown of a level or Có/Không fact: a list, stop style (nothing else may be typed). Worded for any
    criterion, so that one validation covers every cell with the same list."""
    what = "mức đạt" if rule.kind == LEVELS else f"{rule.labels[0]} hoặc {rule.labels[1]}"
    return {
        "validate": "list",
        "source": source,
        "error_type": "stop",
        "input_title": "Kết quả thực hiện",
        "input_message": f"Chọn {what} trong danh sách; điểm được tự tính.",
        "error_title": "Giá trị không hợp lệ",
        "error_message": "Chỉ chọn một giá trị trong danh sách.",
    }


def number_validation(decimal: bool) -> dict[str, Any]:
    """A count, a or b: a whole number (or a decimal amount with ``number = "decimal"``) from 0. Worded for any
    criterion, so that one validation covers every such cell."""
    kind = "số thập phân" if decimal else "số nguyên"
    return {
        "validate": "decimal" if decimal else "integer",
        "criteria": ">=",
        "value": 0,
        "error_type": "stop",
        "input_title": "Kết quả thực hiện",
        "input_message": f"Nhập một {kind} từ 0 (xem cột Cách tính điểm); điểm được tự tính.",
        "error_title": "Số không hợp lệ",
        "error_message": f"Chỉ nhập một {kind} không âm.",
    }


def write_lists(sheet: Any, lists: list[Criterion]) -> None:
    """The level lists too long for an inline dropdown: per criterion two columns (labels, points), its code
    above them."""
    for i, c in enumerate(lists):
        assert c.rule is not None
        sheet.write_string(0, 2 * i, c.code)
        for row, level in enumerate(c.rule.levels, start=1):
            sheet.write_string(row, 2 * i, level.label)
            sheet.write_number(row, 2 * i + 1, float(level.points))
    sheet.protect()
    sheet.hide()


def list_range(index: int, length: int, column: int = 0) -> str:
    """The list sheet's range of the ``index``-th long level list (labels; with ``column`` 1, labels and points)."""
    first = layout.cell_address(1, 2 * index)[:-1]
    last = layout.cell_address(1, 2 * index + column)[:-1]
    return f"{layout.LIST_SHEET}!${first}$2:${last}${length + 1}"
