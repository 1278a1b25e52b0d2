"""The look every output shares, defined once: the typeface, the input yellow, the draft mark, the workbook options."""

from __future__ import annotations

from typing import Any

#: The typeface of Vietnamese administrative documents (Nghị định 30/2020/NĐ-CP), in workbooks and Word documents.
FONT = "Times New Roman"
#: The fill of the cells a person types into (the forms' scores, the appraisal's values and reasons).
INPUT_YELLOW = "#FFFF99"
#: Printed on every output of a draft build.
DRAFT_MARK = "DỰ THẢO"
#: xlsxwriter's options for every workbook the tool writes. A unit named "=HYPERLINK(...)" or "http://..." or
#: "00123" must stay text exactly as typed; in memory, xlsxwriter stamps every zip entry with a fixed date, so
#: the output is reproducible.
WORKBOOK_OPTIONS: dict[str, Any] = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "in_memory": True,
}
