"""Reading the appraisal council's file, ``CAMPAIGN/appraisal.xlsx``, back: its labels and its rows as entries.

The file's tables are found by their header labels (defined here once; the writer,
:mod:`egov_xlsx.publish.appraisal`, writes them), not by position. A sheet without such a table (notes the
council added) is skipped. Judging the entries is :mod:`egov_xlsx.rules.appraisal`.

The tool writes no formula into the file. A formula the council put into a cell of a table row (found by the
input gate, :attr:`egov_xlsx.read.gate.Admitted.sheets`) travels in :attr:`Entry.formulas`, and its cached
value is never used: the entry's value (or reason) is then empty.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from egov_xlsx import findings
from egov_xlsx.layout import LABEL_CAMPAIGN, cell_address, split_address
from egov_xlsx.model import Campaign, CellValue, Finding, Tier
from egov_xlsx.read import gate
from egov_xlsx.read.spreadsheet import NAN_DATE, NOT_A_NUMBER, find_header_row, load_sheets
from egov_xlsx.sheet_names import SheetNames
from egov_xlsx.vietnamese import clean

FILE_NAME = "appraisal.xlsx"
ORPHAN_SHEET = "Dòng không còn dùng"

LABEL_TIER = "Khối:"
LABEL_TIER_ID = "Mã khối:"

HEADER_UNIT = "Mã đơn vị"
HEADER_UNIT_NAME = "Đơn vị"
HEADER_CRITERION = "Mã tiêu chí"
HEADER_CRITERION_NAME = "Tiêu chí"
HEADER_MAX = "Điểm tối đa"
HEADER_SELF = "Điểm tự đánh giá"
HEADER_VALUE = "Điểm thẩm định"
HEADER_REASON = "Lý do"
#: Only in the sheets of tiers with rule-based criteria, after "Lý do": the unit's facts (shown),
#: and the facts the council sets instead (a level, Có/Không, a count or a; a ratio's b).
HEADER_SELF_FACTS = "Kết quả thực hiện của đơn vị"
HEADER_FACT = "Kết quả thẩm định (a)"
HEADER_FACT_B = "Tổng số thẩm định (b)"
#: Only in the orphan sheet: the tier of each kept value, and why it has no row any more.
HEADER_TIER = "Mã khối"
HEADER_WHY = "Ghi chú"

#: How far the reader looks (a tier of 1,000 units and 150 criteria stays under it).
MAX_ROWS = 200_000
MAX_COLUMNS = 30
HEADER_SEARCH_ROWS = 40

_APPRAISAL_HEADERS = {
    "unit": HEADER_UNIT,
    "unit_name": HEADER_UNIT_NAME,
    "criterion": HEADER_CRITERION,
    "criterion_name": HEADER_CRITERION_NAME,
    "value": HEADER_VALUE,
    "reason": HEADER_REASON,
    "tier": HEADER_TIER,
    "fact": HEADER_FACT,
    "fact_b": HEADER_FACT_B,
}
_REQUIRED = {"unit", "criterion", "value", "reason"}


@dataclass(frozen=True)
class Entry:
    """One table row of the file as read back: raw values, 1-based row, 0-based columns by header key."""

    sheet: str
    row: int
    tier_id: str | None
    unit_code: str
    criterion: str
    value: CellValue
    reason: str
    columns: Mapping[str, int]
    unit_name: str = ""
    criterion_name: str = ""
    #: Read from the "Dòng không còn dùng" sheet (kept values, not used for scoring).
    orphan: bool = False
    #: The facts the council set for a rule-based criterion (older files have none).
    fact: CellValue = None
    fact_b: CellValue = None
    #: (header key, formula text) of each cell of the row that holds a formula; a formula's cached value is
    #: never used (the value is ``None``, the reason "").
    formulas: tuple[tuple[str, str], ...] = ()

    @property
    def entered(self) -> bool:
        return self.value is not None or bool(self.reason) or self.has_facts

    @property
    def has_facts(self) -> bool:
        return self.fact is not None or self.fact_b is not None

    def cell(self, key: str) -> str:
        return cell_address(self.row, self.columns[key])


def tier_of(campaign: Campaign, e: Entry) -> Tier | None:
    """The entry's tier: its sheet's (or orphan row's) tier id, else the tier of its unit code."""
    if e.tier_id is not None:
        return campaign.tier(e.tier_id)
    found = campaign.find_unit(e.unit_code)
    return found[0] if found else None


def tier_sheet_names(campaign: Campaign) -> dict[str, str]:
    """Sheet name -> tier id, as :func:`write_appraisal_workbook` names the tier sheets."""
    names = SheetNames()
    return {names.add(t.name): t.id for t in campaign.tiers}


def appraisal_path(campaign: Campaign) -> Path:
    return campaign.folder / FILE_NAME


def read_entries(path: Path, campaign: Campaign) -> tuple[tuple[Entry, ...], tuple[Finding, ...]]:
    """Every table row of the file (tier sheets and the orphan sheet), and why the file cannot be used.

    Tables are found by their header labels in any sheet; a sheet without one (notes the council added)
    is skipped. The tier of a sheet is its "Mã khối:" label, else the tier its name was made from.
    Findings: ``appraisal-unreadable`` (file or no table) and ``appraisal-wrong-campaign``; with either,
    no entry is returned.
    """
    admitted = gate.admit(path)
    if not admitted.readable or admitted.content is None:
        gate_finding = admitted.findings[0] if admitted.findings else None
        why = findings.CATALOGUE[gate_finding.code].title.lower() if gate_finding else "không phải bảng tính"
        return (), (appraisal_finding("appraisal-unreadable", detail=why),)
    try:
        sheets, _ = load_sheets(admitted.content, max_rows=MAX_ROWS, max_columns=MAX_COLUMNS)
    except Exception as exc:  # every reader failure becomes a finding naming the file
        return (), (appraisal_finding("appraisal-unreadable", detail=clean(str(exc))[:200] or type(exc).__name__),)
    except BaseException as exc:
        # The reader panics (a BaseException) on a number it cannot turn into a date (-1E+30 under a date
        # format): the file cannot be read, which is the council's to fix, not the end of the run.
        if type(exc).__name__ != "PanicException":
            raise
        detail = "một ô có định dạng ngày tháng chứa số không thể là ngày tháng"
        return (), (appraisal_finding("appraisal-unreadable", detail=detail),)
    formulas = {clean(sheet.name): sheet.formulas for sheet in admitted.sheets if sheet.formulas}
    by_name = tier_sheet_names(campaign)
    entries: list[Entry] = []
    tables = 0
    for name, rows in sheets.items():
        found = _find_header(rows)
        if found is None:
            continue
        tables += 1
        header, columns = found
        labels = _labels(rows[:header])
        other = labels.get(LABEL_CAMPAIGN.casefold(), campaign.id)
        if other != campaign.id:
            return (), (appraisal_finding("appraisal-wrong-campaign", sheet=name, value=other, expected=campaign.id),)
        tier_id = labels.get(LABEL_TIER_ID.casefold()) or by_name.get(name)
        entries.extend(_entries(name, rows, header, columns, tier_id, _by_row(formulas.get(name, {}), columns)))
    if not tables:
        return (), (
            appraisal_finding(
                "appraisal-unreadable", detail='không có bảng nào có dòng tiêu đề "Mã đơn vị | ... | Lý do"'
            ),
        )
    return tuple(entries), ()


def _find_header(rows: list[list[Any]]) -> tuple[int, dict[str, int]] | None:
    wanted = {label.casefold(): key for key, label in _APPRAISAL_HEADERS.items()}
    return find_header_row(rows, lambda cell: wanted.get(_code_text(cell).casefold()), _REQUIRED, HEADER_SEARCH_ROWS)


def _labels(rows: Iterable[list[Any]]) -> dict[str, str]:
    """Label ending in ":" (casefolded) -> the first non-empty value to its right."""
    found: dict[str, str] = {}
    for row in rows:
        for c, cell in enumerate(row):
            label = _code_text(cell).casefold()
            if label.endswith(":"):
                value = next((v for v in (_code_text(x) for x in row[c + 1 :]) if v), "")
                found.setdefault(label, value)
    return found


def _by_row(formulas: Mapping[str, str], columns: Mapping[str, int]) -> dict[int, tuple[tuple[str, str], ...]]:
    """1-based row -> (header key, formula) of each formula cell in a table column: the council's cells."""
    keys = {col: key for key, col in columns.items()}
    found: dict[int, list[tuple[str, str]]] = {}
    for address, text in formulas.items():
        row, col = split_address(address)
        if col in keys:
            found.setdefault(row, []).append((keys[col], text))
    return {row: tuple(sorted(cells, key=lambda c: columns[c[0]])) for row, cells in found.items()}


def _entries(
    sheet: str,
    rows: list[list[Any]],
    header: int,
    columns: dict[str, int],
    tier_id: str | None,
    formulas: Mapping[int, tuple[tuple[str, str], ...]],
) -> Iterable[Entry]:
    orphan = "tier" in columns
    for r in range(header + 1, len(rows)):
        row = rows[r]
        unit, criterion = _code_text(_at(row, columns["unit"])), _code_text(_at(row, columns["criterion"]))
        cells = formulas.get(r + 1, ())
        if not unit and not criterion and not cells:
            continue
        computed = {key for key, _ in cells}
        raw = None if "value" in computed else _at(row, columns["value"])
        yield Entry(
            sheet=sheet,
            row=r + 1,
            tier_id=(_code_text(_at(row, columns["tier"])) or None) if orphan else tier_id,
            unit_code=unit,
            criterion=criterion,
            value=_value(raw),
            reason="" if "reason" in computed else _code_text(_at(row, columns["reason"])),
            columns=columns,
            unit_name=_code_text(_at(row, columns.get("unit_name"))),
            criterion_name=_code_text(_at(row, columns.get("criterion_name"))),
            orphan=orphan,
            fact=_value(_at(row, columns.get("fact"))),
            fact_b=_value(_at(row, columns.get("fact_b"))),
            formulas=cells,
        )


def _value(raw: Any) -> Any:
    """A value cell as an entry holds it: text cleaned; no number at all (NaN, infinity, NaN under a date
    format) as Excel's "#NUM!", which judging reports and ``--update`` can write back."""
    if isinstance(raw, str):
        return clean(raw) or None
    if (isinstance(raw, float) and not math.isfinite(raw)) or (isinstance(raw, datetime) and raw == NAN_DATE):
        return NOT_A_NUMBER
    return raw


def _at(row: list[Any], col: int | None) -> Any:
    return row[col] if col is not None and col < len(row) else None


def _code_text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))  # a code retyped as a number ("1" -> 1.0) still names its criterion
    return clean(raw)


def appraisal_finding(code: str, **fields: Any) -> Finding:
    return findings.make(code, file=FILE_NAME, **fields)
