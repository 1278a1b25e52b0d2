"""The look every output shares, defined once: the typeface, the input yellow, the draft mark."""

from __future__ import annotations

#: The typeface of Vietnamese administrative documents (Nghị định 30/2020/NĐ-CP), in workbooks and Word documents.
FONT = "Times New Roman"
#: The fill of the cells a person types into (the forms' scores, the appraisal's values and reasons).
INPUT_YELLOW = "#FFFF99"
#: Printed on every output of a draft build.
DRAFT_MARK = "DỰ THẢO"
