"""The findings catalogue: every problem egov-xlsx reports, with a stable code, a severity and a message;
a :class:`~egov_xlsx.model.Finding` made of a code, and the order reports list findings in.

Codes are stable and kebab-case; the README documents each one (a test keeps the two in step). The entries
are data in :mod:`egov_xlsx.findings_inbox` (the units' files) and :mod:`egov_xlsx.findings_campaign`
(the rest); messages are Vietnamese templates that say what is wrong and what to do, with the cell,
criterion and value filled in where known.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from egov_xlsx.findings_campaign import CAMPAIGN_FINDINGS
from egov_xlsx.findings_inbox import INBOX_FINDINGS
from egov_xlsx.layout import split_address
from egov_xlsx.model import Finding, Severity


@dataclass(frozen=True)
class Spec:
    """A catalogue entry: what every finding of one code shares."""

    severity: Severity
    #: Short Vietnamese title, used in tables and the README.
    title: str
    #: Vietnamese message template, formatted with the finding's fields.
    template: str


#: Every code, in the README's order: the units' files first, then the rest.
CATALOGUE: dict[str, Spec] = {
    code: Spec(*entry) for part in (INBOX_FINDINGS, CAMPAIGN_FINDINGS) for code, entry in part.items()
}


def make(code: str, *, severity: Severity | None = None, **fields: Any) -> Finding:
    """Build a finding of the catalogue's ``code``; location fields go to the record, the rest to the message.

    Location fields: file, sheet, cell, criterion, value, unit, tier (``None`` when unknown).
    """
    spec = CATALOGUE[code]
    location = {k: fields.get(k) for k in ("file", "sheet", "cell", "criterion", "value", "unit", "tier")}
    text_fields = {k: ("" if v is None else v) for k, v in fields.items()}
    message = spec.template.format_map(_Defaults(text_fields))
    return Finding(
        code=code,
        severity=severity or spec.severity,
        message=message,
        file=location["file"],
        sheet=location["sheet"],
        cell=location["cell"],
        criterion=location["criterion"],
        value=None if location["value"] is None else str(location["value"]),
        unit=location["unit"],
        tier=location["tier"],
    )


class _Defaults(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def sort_key(f: Finding) -> tuple[str, int, int]:
    """Order by file (findings with no file last), then by the cell's row and column.

    Sorting is stable, so findings of one cell, and roster findings, keep the order they were made in
    (criterion order, roster order).
    """
    row, col = split_address(f.cell) if f.cell else (0, 0)
    return (f.file or "\uffff", row, col)
