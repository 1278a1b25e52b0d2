"""Write the standard per-unit score form (.xlsx) that units fill in and send back.

The layout is a contract with the reader (:mod:`egov_xlsx.read.form_parser`; see :mod:`egov_xlsx.layout`):
a visible sheet "Chấm điểm" with the title block (labels in column A, values in column B), the header row,
one row per criterion in tree order, the total row and a signature block; and a hidden sheet with the metadata
key/value pairs. Only the input cells are unlocked; the sheet is protected without a password so a unit can
still widen columns. The same config always gives byte-identical files."""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from egov_xlsx import layout
from egov_xlsx._version import PROGRAM, __version__
from egov_xlsx.atomic import Staging
from egov_xlsx.errors import EgovError
from egov_xlsx.model import Campaign, Criterion, Tier, Unit
from egov_xlsx.model.rule import RATIO, rule_words
from egov_xlsx.rule_cells import (
    formula_number,
    inline_list,
    label_validation,
    list_range,
    number_validation,
    points_formula,
    write_lists,
)
from egov_xlsx.style import INPUT_YELLOW
from egov_xlsx.vietnamese import format_number, safe_filename
from egov_xlsx.workbook_files import close_workbook, new_workbook

#: Column widths (characters) of A..F: A holds the title-block labels, so it is wider than codes need.
_WIDTHS = (16, 50, 10, 12, 32, 10)
#: Widths of the fact columns of a tier with rule-based criteria: a (or the level), b, the rule in words.
_FACT_WIDTHS = (24, 12, 40)
_LINE_HEIGHT = 15.0  # points per line of the default 11 pt font
_CELL = {"border": 1, "valign": "top"}
_INPUT = {**_CELL, "locked": False, "bg_color": INPUT_YELLOW}  # the yellow cells the instruction names
_PARENT = {"bold": True, "bg_color": "#DDEBF7"}
_GREY = {**_CELL, "bold": True, "bg_color": "#D9D9D9"}
_CENTER = {"align": "center"}
_STYLES: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 13, "align": "center", "valign": "vcenter", "text_wrap": True},
    "subtitle": {"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True},
    "label": {"italic": True, "valign": "top"},
    "value": {"bold": True, "text_wrap": True, "valign": "top"},
    "instruction": {"italic": True, "text_wrap": True, "valign": "top", "font_color": "#C00000"},
    "header": {**_GREY, "align": "center", "valign": "vcenter", "text_wrap": True},
    "code": _CELL,
    "parent_code": {**_CELL, **_PARENT},
    "max": {**_CELL, **_CENTER},
    "parent_max": {**_CELL, **_PARENT, **_CENTER},
    "score": _INPUT,
    "parent_score": {**_CELL, **_PARENT},
    "note": {**_INPUT, "text_wrap": True, "num_format": "@"},  # "@": a note typed as 01/2018 stays text
    "na": {**_INPUT, **_CENTER},
    "na_off": {**_GREY, "bold": False},
    "computed": {**_CELL, "bg_color": "#E2EFDA"},  # points the form computes from the facts (locked)
    "fact": {**_INPUT, "text_wrap": True},
    "rule": {**_CELL, "text_wrap": True, "italic": True, "font_size": 9},
    "total": _GREY,
    "total_max": {**_GREY, **_CENTER},
    "sign_title": {"bold": True, **_CENTER},
    "sign_hint": {"italic": True, **_CENTER},
}

_INSTRUCTION = (
    "Chỉ nhập vào các ô màu vàng: điểm ở cột D (số, dùng dấu thập phân của máy), tài liệu kiểm chứng/ghi chú ở cột E"
)
_INSTRUCTION_NA = f', chữ "{layout.NA_MARK}" ở cột F nếu tiêu chí không áp dụng với đơn vị'
_INSTRUCTION_END = ". Không thêm, xóa hoặc đổi thứ tự các dòng."
_INSTRUCTION_FACTS = (
    ". Tiêu chí có cách tính điểm (cột {rule}): nhập kết quả thực hiện ở cột {a} (tỷ lệ: a ở cột {a}, b ở cột {b}), "
    "điểm ở cột D tự tính"
)
_DATE_LINE = "......, ngày ..... tháng ..... năm ......"
_SIGNERS = ("NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ")
_SIGN_HINTS = ("(Ký, ghi rõ họ tên)", "(Ký tên, đóng dấu)")
#: What made the form: in its document properties and its hidden metadata.
_GENERATOR = f"{PROGRAM} {__version__}"


def form_filename(unit: Unit) -> str:
    """The form's ASCII-safe file name: "SKHDT - So Ke hoach va Dau tu.xlsx"."""
    return safe_filename(f"{unit.code} - {unit.name}") + ".xlsx"


def write_forms(campaign: Campaign, out_dir: Path, unit_codes: Collection[str] | None = None) -> list[Path]:
    """Write one form per roster unit of every tier (or only ``unit_codes``) into ``out_dir``.

    Every file is staged first and renamed into place only when all are written, so a failure leaves the
    folder as it was. Returns the paths in roster order. Raises :class:`EgovError` for a code that is not
    in the roster (or when two file names would clash on a case-insensitive disk) and
    :class:`OutputError` when a file cannot be written.
    """
    if unit_codes is not None:
        unknown = sorted(set(unit_codes) - {u.code for t in campaign.tiers for u in t.units})
        if unknown:
            raise EgovError(f"Không có đơn vị mã {', '.join(unknown)} trong danh sách đơn vị của {campaign.id}.")
    jobs = [
        (tier, unit, out_dir / form_filename(unit))
        for tier in campaign.tiers
        for unit in tier.units
        if unit_codes is None or unit.code in unit_codes
    ]
    seen: dict[str, str] = {}
    for _, unit, path in jobs:
        # Windows and macOS disks ignore case: "SKHDT" and "skhdt" would overwrite each other.
        other = seen.setdefault(path.name.casefold(), unit.code)
        if other != unit.code:
            raise EgovError(f"Hai đơn vị {other} và {unit.code} cho cùng tên tệp {path.name}; hãy đổi mã đơn vị.")
    with Staging() as staging:
        for tier, unit, path in jobs:
            staging.write(path, partial(write_form, campaign, tier, unit))
    return [path for _, _, path in jobs]


def write_form(campaign: Campaign, tier: Tier, unit: Unit, path: Path) -> None:
    """Write ``unit``'s form for its view of ``tier`` (its group's criteria) to ``path`` (raises OutputError).

    Criteria the council scores (``source = "council"``) are not on the form (:attr:`Tier.form_tier`).
    """
    tier = tier.form_tier.view(unit.code)
    properties = {
        "title": f"Biểu chấm điểm - {unit.name}",
        "subject": campaign.title,
        "author": campaign.authority,
        "comments": _GENERATOR,
        "created": datetime(campaign.year, 1, 1),
    }
    workbook = new_workbook(path, properties)
    sheet = workbook.add_worksheet(layout.FORM_SHEET)
    form = _Form(workbook, sheet, campaign, tier, unit)
    form.write()
    sheet.activate()
    _write_meta(workbook.add_worksheet(layout.META_SHEET), campaign, tier, unit)
    if form.lists:
        write_lists(workbook.add_worksheet(layout.LIST_SHEET), form.lists)
    close_workbook(workbook, path)


def _write_meta(sheet: Any, campaign: Campaign, tier: Tier, unit: Unit) -> None:
    pairs = (
        (layout.META_CAMPAIGN, campaign.id),
        (layout.META_YEAR, str(campaign.year)),
        (layout.META_TIER, tier.id),
        (layout.META_UNIT, unit.code),
        (layout.META_UNIT_NAME, unit.name),
        (layout.META_VERSION, layout.FORM_VERSION),
        (layout.META_FINGERPRINT, tier.fingerprint),
        (layout.META_CRITERIA, ",".join(c.code for c in tier.walk())),
        (layout.META_GENERATOR, _GENERATOR),
    ) + (((layout.META_GROUP, tier.group.code),) if tier.group is not None else ())
    for row, (key, value) in enumerate(pairs):
        sheet.write_string(row, 0, key)
        sheet.write_string(row, 1, value)
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, 60)
    # Unhiding is easy; protection keeps a curious user from editing what identifies the form.
    sheet.protect()
    sheet.hide()


class _Form:
    """One form sheet being written; every cell format is created once, here."""

    def __init__(self, workbook: Any, sheet: Any, campaign: Campaign, tier: Tier, unit: Unit) -> None:
        self.sheet, self.campaign, self.tier, self.unit = sheet, campaign, tier, unit
        self.has_na = any(c.may_be_na(unit.code) for c in tier.walk())
        self.last_col = layout.COL_NA if self.has_na else layout.COL_NOTE
        self.widths = list(_WIDTHS[: self.last_col + 1])
        #: The fact columns (a, b, the rule in words) when the tier has rule-based criteria.
        self.has_rules = any(c.rule is not None for c in tier.leaves())
        self.fact_col = self.last_col + 1
        if self.has_rules:
            self.widths += _FACT_WIDTHS
            self.last_col += len(_FACT_WIDTHS)
        #: The level lists written on the list sheet, in order.
        self.lists: list[Criterion] = []
        #: The fact cells' validations: one per list or number kind, with the cells it covers.
        self.validations: dict[tuple[str, object], tuple[dict[str, Any], list[str]]] = {}
        self.depths: dict[str, int] = {}
        for c in tier.walk():  # tree order: a parent's depth is known before its children's
            parent = tier.parent_code(c.code)
            self.depths[c.code] = 0 if parent is None else self.depths[parent] + 1
        self.f = {name: workbook.add_format(spec) for name, spec in _STYLES.items()}
        for depth in range(max(self.depths.values(), default=0) + 1):
            name = {**_CELL, "text_wrap": True, "align": "left", "indent": depth}
            self.f[f"name{depth}"] = workbook.add_format(name)
            self.f[f"parent_name{depth}"] = workbook.add_format({**name, **_PARENT})

    def write(self) -> None:
        self._page_setup()
        self._title_block()
        self._header()
        rows = self._criteria()
        self._write_validations()
        total_row = layout.FIRST_DATA_ROW - 1 + len(rows)
        self._total(total_row, [rows[c.code] for c in self.tier.criteria])
        self._signature(total_row + 2)

    def _page_setup(self) -> None:
        s = self.sheet
        for col, width in enumerate(self.widths):
            s.set_column(col, col, width)
        s.freeze_panes(layout.HEADER_ROW, 0)
        s.set_paper(9)  # A4
        s.set_portrait()
        s.fit_to_pages(1, 0)
        s.repeat_rows(layout.HEADER_ROW - 1)
        s.set_margins(left=0.6, right=0.4, top=0.6, bottom=0.7)
        s.center_horizontally()
        s.set_footer("&CTrang &P/&N")
        s.protect("", {"format_columns": True, "format_rows": True})

    def _merged(self, row: int, first: int, last: int, text: str, fmt: Any) -> None:
        # merge_range() then write_string(): the value is written as text whatever it looks like.
        self.sheet.merge_range(row, first, row, last, "", fmt)
        self.sheet.write_string(row, first, text, fmt)

    def _title_block(self) -> None:
        last = self.last_col
        width = sum(self.widths)
        self._merged(0, 0, last, layout.form_title(self.campaign.measured), self.f["title"])
        self.sheet.set_row(0, 21)
        self._merged(1, 0, last, self.campaign.title, self.f["subtitle"])
        self.sheet.set_row(1, _height(self.campaign.title, width))
        values = (
            (layout.LABEL_TIER, self.tier.name),
            (layout.LABEL_UNIT, self.unit.name),
            (layout.LABEL_UNIT_CODE, self.unit.code),
            (layout.LABEL_CAMPAIGN, self.campaign.id),
        )
        for row, (label, value) in enumerate(values, start=2):
            self.sheet.write_string(row, layout.COL_CODE, label, self.f["label"])
            self._merged(row, layout.COL_NAME, last, value, self.f["value"])
            self.sheet.set_row(row, _height(value, width - _WIDTHS[0]))
        text = _INSTRUCTION + (_INSTRUCTION_NA if self.has_na else "")
        if self.has_rules:
            a, b, rule = (layout.cell_address(1, self.fact_col + i)[:-1] for i in range(3))
            text += _INSTRUCTION_FACTS.format(a=a, b=b, rule=rule)
        text += _INSTRUCTION_END
        self._merged(layout.HEADER_ROW - 2, 0, last, text, self.f["instruction"])
        self.sheet.set_row(layout.HEADER_ROW - 2, _height(text, width))

    def _header(self) -> None:
        row = layout.HEADER_ROW - 1
        headers = layout.HEADERS + ((layout.HEADER_NA,) if self.has_na else ())
        if self.has_rules:
            headers += (layout.HEADER_FACT, layout.HEADER_FACT_B, layout.HEADER_RULE)
        for col, text in enumerate(headers):
            self.sheet.write_string(row, col, text, self.f["header"])
        self.sheet.set_row(row, 2 * _LINE_HEIGHT + 3)

    def _criteria(self) -> dict[str, int]:
        """Write the criterion rows; return each criterion's 0-based row."""
        criteria = list(self.tier.walk())
        rows = {c.code: layout.FIRST_DATA_ROW - 1 + i for i, c in enumerate(criteria)}
        s = self.sheet
        for c in criteria:
            row, parent, depth = rows[c.code], not c.is_leaf, self.depths[c.code]
            s.write_string(row, layout.COL_CODE, c.code, self.f["parent_code" if parent else "code"])
            s.write_string(row, layout.COL_NAME, c.name, self.f[f"{'parent_' if parent else ''}name{depth}"])
            s.write_number(row, layout.COL_MAX, float(c.max), self.f["parent_max" if parent else "max"])
            if parent:
                total = f"SUM({_cells(rows[ch.code] for ch in c.children)})"
                formula = f"=MIN({formula_number(c.max)},{total})" if c.capped else f"={total}"
                s.write_formula(row, layout.COL_SCORE, formula, self.f["parent_score"])
            elif c.rule is None:
                s.write_blank(row, layout.COL_SCORE, None, self.f["score"])
                self._score_validation(row, c)
            s.write_blank(row, layout.COL_NOTE, None, self.f["note"])
            if self.has_na:
                self._na_cell(row, c)
            lines = math.ceil(len(c.name) / (_WIDTHS[layout.COL_NAME] - 2 - 2 * depth))
            if self.has_rules:
                lines = max(lines, self._fact_cells(row, c))
            if lines > 1:  # Excel does not grow a row to fit wrapped text when it opens a file.
                s.set_row(row, lines * _LINE_HEIGHT + 2)
        return rows

    def _fact_cells(self, row: int, c: Criterion) -> int:
        """A row's fact cells: inputs and the rule in words for a rule-based leaf (its points cell a formula over
        them), grey otherwise. Returns the lines the rule's words take."""
        s, col = self.sheet, self.fact_col
        rule = c.rule
        if rule is None:
            for i in range(3):
                s.write_blank(row, col + i, None, self.f["na_off" if c.is_leaf else "parent_score"])
            return 1
        a, b = (layout.cell_address(row + 1, col + i) for i in range(2))
        table = None
        if rule.labels:
            source: str | tuple[str, ...] = rule.labels
            if not inline_list(rule.labels):
                index = len(self.lists)
                self.lists.append(c)
                source = "=" + list_range(index, len(rule.labels))
                table = list_range(index, len(rule.labels), 1)
            self._validate(
                ("list", source),
                a,
                lambda: label_validation(rule, list(source) if isinstance(source, tuple) else source),
            )
        else:
            self._validate(("number", rule.decimal), a, lambda: number_validation(rule.decimal))
        s.write_blank(row, col, None, self.f["fact"])
        if rule.kind == RATIO:
            s.write_blank(row, col + 1, None, self.f["fact"])
            self._validate(("number", rule.decimal), b, lambda: number_validation(rule.decimal))
        else:
            s.write_blank(row, col + 1, None, self.f["na_off"])
        s.write_formula(row, layout.COL_SCORE, points_formula(rule, c.max, a, b, table), self.f["computed"], "")
        words = rule_words(rule, c.max)
        s.write_string(row, col + 2, words, self.f["rule"])
        return math.ceil(len(words) * 0.85 / (_FACT_WIDTHS[2] - 2))

    def _validate(self, key: tuple[str, object], cell: str, options: Callable[[], dict[str, Any]]) -> None:
        """Put a fact cell under the validation of its kind (one per list or number kind, over all its cells)."""
        found = self.validations.get(key)
        if found is None:
            self.validations[key] = (options(), [cell])
        else:
            found[1].append(cell)

    def _write_validations(self) -> None:
        for options, cells in self.validations.values():
            if len(cells) > 1:
                options = {**options, "multi_range": " ".join(cells)}
            self.sheet.data_validation(cells[0], options)

    def _score_validation(self, row: int, c: Criterion) -> None:
        top = format_number(c.max)
        options = {
            "validate": "decimal",
            "criteria": "between",
            "minimum": 0,
            "maximum": float(c.max),
            "input_title": f"Tiêu chí {c.code}"[:32],  # Excel's limit
            "input_message": f"Nhập điểm tự đánh giá: một số từ 0 đến {top}.",
            "error_title": "Điểm không hợp lệ",
            "error_message": f"Điểm phải là số từ 0 đến {top}.",
        }
        self.sheet.data_validation(row, layout.COL_SCORE, row, layout.COL_SCORE, options)

    def _na_cell(self, row: int, c: Criterion) -> None:
        if not c.may_be_na(self.unit.code):
            self.sheet.write_blank(row, layout.COL_NA, None, self.f["na_off"])
            return
        self.sheet.write_blank(row, layout.COL_NA, None, self.f["na"])
        options = {
            "validate": "list",
            "source": [layout.NA_MARK],
            "input_title": layout.HEADER_NA,
            "input_message": f'Nhập "{layout.NA_MARK}" nếu tiêu chí {c.code} không áp dụng với đơn vị; '
            "khi đó để trống điểm ở cột D.",
            "error_title": "Giá trị không hợp lệ",
            "error_message": f'Chỉ nhập "{layout.NA_MARK}" hoặc để trống.',
        }
        self.sheet.data_validation(row, layout.COL_NA, row, layout.COL_NA, options)

    def _total(self, row: int, tops: list[int]) -> None:
        s = self.sheet
        s.write_blank(row, layout.COL_CODE, None, self.f["total"])
        s.write_string(row, layout.COL_NAME, layout.TOTAL_LABEL, self.f["total"])
        s.write_number(row, layout.COL_MAX, float(self.tier.max), self.f["total_max"])
        s.write_formula(row, layout.COL_SCORE, f"=SUM({_cells(tops)})", self.f["total"])
        for col in range(layout.COL_NOTE, self.last_col + 1):
            s.write_blank(row, col, None, self.f["total"])

    def _signature(self, row: int) -> None:
        left, right = (layout.COL_CODE, layout.COL_NAME), (layout.COL_SCORE, self.last_col)
        self._merged(row, *right, _DATE_LINE, self.f["sign_hint"])
        for texts, style in ((_SIGNERS, "sign_title"), (_SIGN_HINTS, "sign_hint")):
            row += 1
            self._merged(row, *left, texts[0], self.f[style])
            self._merged(row, *right, texts[1], self.f[style])


def _cells(rows: Iterable[int]) -> str:
    """Score-column references of 0-based rows, consecutive rows joined into ranges: "D10:D12,D15"."""
    runs: list[list[int]] = []
    for row in sorted(rows):
        if runs and runs[-1][1] == row - 1:
            runs[-1][1] = row
        else:
            runs.append([row, row])
    refs = (
        layout.cell_address(a + 1, layout.COL_SCORE)
        + ("" if a == b else ":" + layout.cell_address(b + 1, layout.COL_SCORE))
        for a, b in runs
    )
    return ",".join(refs)


def _height(text: str, width: int) -> float:
    """Row height that shows ``text`` wrapped in ``width`` characters (Excel never autofits merged cells)."""
    return max(1, math.ceil(len(text) * 1.1 / width)) * _LINE_HEIGHT + 2
