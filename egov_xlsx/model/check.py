"""The check report: every unit's roster status, the findings and the submissions of one ``check``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from egov_xlsx.model.campaign import Campaign, Severity, Unit
from egov_xlsx.model.reading import Appraisal, CouncilValue, Finding, FormRow, SourceFile, Submission

# --------------------------------------------------------------------------- roster status (check)


class UnitState(StrEnum):
    """Where a roster unit stands in the inbox."""

    SUBMITTED = "submitted"  # one usable form, no error findings
    INVALID = "invalid"  # submitted, with errors: a form with error findings, or only files that are no usable form
    DUPLICATE = "duplicate"  # several different forms for the unit
    MISSING = "missing"  # no form


@dataclass(frozen=True)
class UnitStatus:
    tier_id: str
    unit: Unit
    state: UnitState
    #: Inbox file names attributed to the unit.
    files: tuple[str, ...] = ()
    errors: int = 0
    warnings: int = 0


@dataclass(frozen=True)
class CheckReport:
    """What `check` finds in a campaign's inbox: roster status, every finding, the usable submissions."""

    campaign: Campaign
    statuses: tuple[UnitStatus, ...]
    findings: tuple[Finding, ...]
    submissions: tuple[Submission, ...]
    #: Files whose form names a unit that is not in the roster.
    unknown_files: tuple[str, ...] = ()
    #: Files that are not spreadsheets (noted, not errors).
    ignored_files: tuple[str, ...] = ()
    files_read: int = 0
    #: Every file found in the inbox, in file-name order.
    sources: tuple[SourceFile, ...] = ()
    #: The appraisal council's usable records from ``appraisal.xlsx``: appraised leaf scores and the values
    #: of bonus/penalty lines (``criterion`` is then the line's code); see :mod:`egov_xlsx.rules.appraisal`.
    appraisals: tuple[Appraisal, ...] = ()
    #: File name -> the rows of the form read in it, as read (raw values, notes, addresses), for the forms
    #: whose feedback copy may be made on a fresh form (see :func:`egov_xlsx.rules.checked.rows_for_feedback`):
    #: what that copy is filled with, so that no file is read again to make it.
    form_rows: Mapping[str, tuple[FormRow, ...]] = field(default_factory=dict)
    #: The values of council-scored criteria (``source = "council"``), from ``appraisal.xlsx`` and ``imports/``.
    council_values: tuple[CouncilValue, ...] = ()
    #: The kept tables of ``imports/`` those values were read from (named ``imports/CODE - name``).
    council_files: tuple[SourceFile, ...] = ()

    def source(self, name: str) -> SourceFile | None:
        """The inbox file shown to users as ``name``."""
        return next((s for s in self.sources if s.name == name), None)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.is_error)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    @property
    def valid(self) -> bool:
        """True when no finding is an error (warnings and notes allowed)."""
        return not self.errors
