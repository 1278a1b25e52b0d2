"""What the form rules and the roster rules share: a checked file (:class:`Checked`) and the sink that locates
each file's findings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from egov_xlsx import findings, layout
from egov_xlsx.model import (
    Finding,
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
