"""The fact columns of the council's workbook for a tier with rule-based criteria: after "Lý do", the
unit's facts as shown, then the council's inputs (a level, Có/Không, a count or a; a ratio's b) with the form's
dropdowns and number validations. The reader's labels are :mod:`egov_xlsx.read.appraisal`'s."""

from __future__ import annotations

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from egov_xlsx.layout import cell_address
from egov_xlsx.model import CellValue
from egov_xlsx.model.rule import RATIO
from egov_xlsx.publish.sheets import write_text
from egov_xlsx.read.appraisal import HEADER_FACT, HEADER_FACT_B, HEADER_SELF_FACTS
from egov_xlsx.rule_cells import inline_list, label_validation, number_validation
from egov_xlsx.rules.appraisal_update import SheetRow

FACT_HEADERS = (HEADER_SELF_FACTS, HEADER_FACT, HEADER_FACT_B)
FACT_WIDTHS = (26.0, 18.0, 14.0)
INSTRUCTION_FACTS = (
    " Tiêu chí tính điểm theo kết quả thực hiện: Hội đồng có thể nhập kết quả thẩm định (mức đạt, Có/Không, số "
    "lượng, a, b) ở hai cột cuối thay cho điểm thẩm định; điểm được tính theo cách tính của tiêu chí, ô để trống "
    "giữ số liệu của đơn vị; lý do bắt buộc khi kết quả khác của đơn vị. Nếu nhập cả hai, điểm thẩm định được dùng."
)


def write_facts(ws: Worksheet, col: int, row: int, item: SheetRow, entry: Format, plain: Format) -> None:
    """A row's fact cells from ``col``: the unit's facts and the council's inputs (``entry`` format) on a
    rule-based leaf, empty elsewhere."""
    if item.rule is None:
        for i in range(len(FACT_HEADERS)):
            ws.write_blank(row, col + i, None, plain)
        return
    write_text(ws, row, col, item.self_facts, plain)
    _write_value(ws, row, col + 1, item.fact, entry)
    if item.rule.kind == RATIO:
        _write_value(ws, row, col + 2, item.fact_b, entry)
    else:
        ws.write_blank(row, col + 2, None, plain)


def validate_facts(ws: Worksheet, col: int, item: SheetRow, rows: list[int]) -> None:
    """The fact inputs (after the unit's facts at ``col``) of one rule-based criterion in its 0-based ``rows``:
    its dropdown (stop style) or numbers from 0."""
    rule = item.rule
    assert rule is not None
    col += 1
    cells = [cell_address(r + 1, col) for r in rows]
    if rule.labels:
        if not inline_list(rule.labels):
            return  # too long for an inline list: the judging names a wrong label
        options = label_validation(rule, list(rule.labels))
    else:
        options = number_validation(rule.decimal)
    options["ignore_blank"] = True
    if len(cells) > 1:
        options["multi_range"] = " ".join(cells)
    ws.data_validation(cells[0], options)
    if rule.kind == RATIO:
        b_cells = [cell_address(r + 1, col + 1) for r in rows]
        b_options = {**number_validation(rule.decimal), "ignore_blank": True}
        if len(b_cells) > 1:
            b_options["multi_range"] = " ".join(b_cells)
        ws.data_validation(b_cells[0], b_options)


def _write_value(ws: Worksheet, row: int, col: int, value: CellValue, fmt: Format) -> None:
    """A fact the council typed, written back as it was (a number stays a number, text stays text)."""
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        ws.write_number(row, col, value, fmt)
    else:
        write_text(ws, row, col, str(value), fmt)
