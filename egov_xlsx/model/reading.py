"""What was read and found: a source file, a form's rows as read, a finding, a unit's submission, an appraisal."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from egov_xlsx.model.campaign import Severity
from egov_xlsx.model.rule import Facts

#: A cell value as a spreadsheet reader returns it (empty cells are ``None`` or ``""``).
CellValue = str | int | float | bool | datetime | date | time | timedelta | None
# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class SourceFile:
    """A file found in ``inbox/``: its identity and provenance (never modified)."""

    path: Path
    #: The file's name as shown to users (NFC).
    name: str
    size: int
    sha256: str
    #: Modification time, seconds since the epoch.
    mtime: float
    #: What its content is: "xlsx", "xls", "ods", or what else was sniffed ("pdf", "html" ...).
    kind: str


class FormRow(NamedTuple):
    """One criterion row of a submitted form, as read: raw cell values and their addresses.

    A named tuple rather than a frozen dataclass: a national inbox builds 600,000 of them, and a tuple is
    made in a quarter of the time (0.3 against 1.2 µs). Immutable all the same; ``_replace`` makes variants.
    """

    row: int  # 1-based sheet row
    code: str
    name: str
    max: CellValue
    score: CellValue
    note: str
    score_cell: str  # A1 address of the score cell, e.g. "D14"
    not_applicable: bool = False
    #: A rule-based criterion's facts as read: the level, Có/Không, the count or a; a ratio's b.
    fact: CellValue = None
    fact_b: CellValue = None


@dataclass(frozen=True)
class Reading:
    """What was read from one submitted form; no judgement yet."""

    source: SourceFile
    sheet: str
    #: Hidden metadata sheet's key/value pairs (campaign_id, tier_id, unit_code, form_version, fingerprint ...).
    meta: Mapping[str, str]
    #: The unit name shown in the title block, and its cell.
    unit_name: str
    unit_name_cell: str
    rows: tuple[FormRow, ...]
    #: The "TỔNG ĐIỂM" row's score cell value and address, when present.
    total: CellValue = None
    total_cell: str = ""
    #: Where the reader found each column of the table, by role ("code", "name", "max", "score", "note",
    #: "na"): 0-based. A unit that inserts a column moves them all; findings name the cells where they are.
    columns: Mapping[str, int] = field(default_factory=dict)
    #: The form sheet's formula cells as the gate found them: A1 address -> the formula's text ("" when the
    #: format does not keep it, as in .xls). Their cached values are never trusted as input.
    formulas: Mapping[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- findings


@dataclass(frozen=True)
class Finding:
    """One problem or note, located as precisely as possible, with a Vietnamese message saying what to do."""

    code: str
    severity: Severity
    message: str
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    criterion: str | None = None
    value: str | None = None
    unit: str | None = None
    tier: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "criterion": self.criterion,
            "value": self.value,
            "unit": self.unit,
            "tier": self.tier,
            "message": self.message,
        }


@dataclass(frozen=True)
class Submission:
    """A form accepted as a unit's submission: its leaf scores as exact decimals.

    ``scores`` holds every leaf criterion that has a usable score; a leaf marked not applicable is in
    ``not_applicable`` and not in ``scores``. ``valid`` is false when any error finding concerns it.
    """

    tier_id: str
    unit_code: str
    source: SourceFile
    form_version: str
    scores: Mapping[str, Decimal]
    not_applicable: frozenset[str] = frozenset()
    adjustments: Mapping[str, Decimal] = field(default_factory=dict)
    valid: bool = True
    #: Leaf code -> what the unit typed, as shown in messages, where that score could not be used (text,
    #: a date, out of range): the appraisal council still sees the unit's claim.
    claims: Mapping[str, str] = field(default_factory=dict)
    #: Rule-based leaf code -> the facts the unit reported, when they were usable (its points are in ``scores``).
    facts: Mapping[str, Facts] = field(default_factory=dict)


@dataclass(frozen=True)
class Appraisal:
    """An appraised score (điểm thẩm định) set by the council for one unit and leaf criterion.

    The same record carries the value of a bonus/penalty line (``criterion`` is then the line's code:
    config keeps those codes apart from criterion codes). ``cell`` is its address in ``appraisal.xlsx``.
    """

    tier_id: str
    unit_code: str
    criterion: str
    score: Decimal
    reason: str
    cell: str = ""
    #: A rule-based criterion's facts as the council set them, when its score comes from them;
    #: ``None`` when the council typed the score (or set a bonus/penalty value).
    facts: Facts | None = None
    #: The appraising body whose file set it (``[[appraisers]]``); "" for the single ``appraisal.xlsx``.
    appraiser: str = ""


@dataclass(frozen=True)
class CouncilValue:
    """The value of a council-scored leaf (``source = "council"``) for one unit: entered in ``appraisal.xlsx``
    or imported from a table (``egov-xlsx import``). It needs no reason: it is the council's own."""

    tier_id: str
    unit_code: str
    criterion: str
    score: Decimal
    #: Where it came from, as outputs say it: "appraisal.xlsx", or the imported file's original name.
    origin: str
    #: The file holding it (``appraisal.xlsx`` or the copy in ``imports/``) and its cell.
    file: str = ""
    cell: str = ""
    #: A rule-based leaf's facts the points came from, when the table gave facts.
    facts: Facts | None = None
