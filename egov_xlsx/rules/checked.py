"""What the form rules and the roster rules share: a checked file (:class:`Checked`) and the sink that locates
each file's findings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from egov_xlsx import findings, layout
from egov_xlsx.model import (
    Finding,
    FormRow,
    Severity,
    SourceFile,
    Submission,
)


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
    #: The form's rows as read, when a feedback copy may be made on a fresh form with them
    #: (:func:`rows_for_feedback`); empty otherwise.
    rows: tuple[FormRow, ...] = ()


#: The formats a feedback copy marks in place (openpyxl edits them); a form of another format (.xls, .ods)
#: gets its copy on a fresh form filled with the rows `check` read.
MARKED_IN_PLACE = frozenset({"xlsx", "xlsm"})


def rows_for_feedback(checked: Checked, rows: tuple[FormRow, ...]) -> tuple[FormRow, ...]:
    """The rows of a checked form worth keeping in the report for its feedback copy, or none.

    Kept when the copy may be made on a fresh form: the format cannot be marked in place, or the form has a
    finding a copy is made for (a stale form, or an .xlsx openpyxl cannot open, is made fresh). A clean .xlsx,
    nearly every form of a large inbox, keeps none: 2,000 forms' rows would hold about 32 MB.
    """
    if checked.source.kind not in MARKED_IN_PLACE or any(f.severity is not Severity.INFO for f in checked.findings):
        return rows
    return ()


@dataclass
class FindingSink:
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
