"""Frozen dataclasses shared by every stage: the campaign, what was read, what was found, what was scored.

Scores are :class:`~decimal.Decimal` throughout; nothing here compares or adds floats.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, NamedTuple

#: A cell value as a spreadsheet reader returns it (empty cells are ``None`` or ``""``).
CellValue = str | int | float | bool | datetime | date | time | timedelta | None

ZERO = Decimal(0)
HUNDRED = Decimal(100)


class Severity(StrEnum):
    """How much a finding matters: errors block publishing, warnings do not, notes only inform."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


# --------------------------------------------------------------------------- campaign


@dataclass(frozen=True)
class Band:
    """A band (xếp loại): reached when the exact percent of the maximum is at least ``min_percent``."""

    name: str
    min_percent: Decimal


@dataclass(frozen=True)
class Criterion:
    """A node of the criteria tree.

    ``max`` is the effective maximum: the sum of the children's maxima, or a lower declared cap
    (``capped``), in which case the parent's score is capped at it too.
    """

    code: str
    name: str
    max: Decimal
    children: tuple[Criterion, ...] = ()
    capped: bool = False
    #: Every unit of the tier may mark this criterion "không áp dụng".
    na_allowed: bool = False
    #: Units (codes) that may mark it "không áp dụng" when ``na_allowed`` is false.
    na_units: frozenset[str] = frozenset()

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def walk(self) -> Iterator[Criterion]:
        """This criterion and its descendants, in tree (pre-)order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def may_be_na(self, unit_code: str) -> bool:
        return self.na_allowed or unit_code in self.na_units


@dataclass(frozen=True)
class Adjustment:
    """A bonus or penalty line (điểm cộng / điểm trừ), outside the criteria tree, added to the total."""

    code: str
    name: str
    min: Decimal
    max: Decimal


@dataclass(frozen=True)
class Unit:
    """A unit of the roster (sở, ban, ngành, UBND cấp huyện, cấp xã)."""

    code: str
    name: str
    contact: str = ""
    #: False for agencies listed and scored but not ranked with the rest.
    ranked: bool = True
    unranked_reason: str = ""
    #: Codes this unit had in earlier years (renamed or merged units), for year-over-year matching.
    previous_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tier:
    """A block of units ranked together against one criteria tree."""

    id: str
    name: str
    bands: tuple[Band, ...]
    criteria: tuple[Criterion, ...]
    units: tuple[Unit, ...]
    #: Criterion codes whose higher score breaks a tie in total, in order.
    tie_breakers: tuple[str, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()
    _by_code: Mapping[str, Criterion] = field(init=False, repr=False, compare=False)
    _parents: Mapping[str, str | None] = field(init=False, repr=False, compare=False)
    _units: Mapping[str, Unit] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_code: dict[str, Criterion] = {}
        parents: dict[str, str | None] = {}

        def visit(node: Criterion, parent: str | None) -> None:
            by_code[node.code] = node
            parents[node.code] = parent
            for child in node.children:
                visit(child, node.code)

        for top in self.criteria:
            visit(top, None)
        object.__setattr__(self, "_by_code", by_code)
        object.__setattr__(self, "_parents", parents)
        object.__setattr__(self, "_units", {u.code: u for u in self.units})

    @property
    def max(self) -> Decimal:
        """The tier's maximum: the sum of its top-level criteria's maxima."""
        return sum((c.max for c in self.criteria), ZERO)

    def walk(self) -> Iterator[Criterion]:
        """Every criterion in tree order (the order of the form's rows)."""
        for top in self.criteria:
            yield from top.walk()

    def leaves(self) -> Iterator[Criterion]:
        return (c for c in self.walk() if c.is_leaf)

    def criterion(self, code: str) -> Criterion:
        return self._by_code[code]

    def has_criterion(self, code: str) -> bool:
        return code in self._by_code

    def parent_code(self, code: str) -> str | None:
        return self._parents[code]

    def unit(self, code: str) -> Unit | None:
        return self._units.get(code)

    @property
    def fingerprint(self) -> str:
        """A short hash of the criteria tree's codes, structure, maxima and caps (not names).

        Fixing a typo in a criterion's name keeps returned forms valid; changing a code, a maximum or
        the tree's shape makes them stale.
        """

        def canon(node: Criterion) -> str:
            inner = ",".join(canon(c) for c in node.children)
            cap = "!" if node.capped else ""
            return f"{node.code}={node.max.normalize()}{cap}[{inner}]"

        text = ";".join(canon(c) for c in self.criteria)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Display:
    """How numbers are shown in every text and workbook."""

    total_decimals: int = 2
    percent_decimals: int = 0


@dataclass(frozen=True)
class DocumentInfo:
    """What the Word decision needs beyond the results (all optional; blanks are printed when empty)."""

    parent_body: str = ""
    issuing_body: str = ""
    number: str = ""
    symbol: str = "QĐ-UBND"
    place: str = ""
    date: date | None = None
    legal_grounds: tuple[str, ...] = ()
    proposal: str = ""
    signer_authority: str = ""
    signer_deputy: str = ""
    signer_title: str = ""
    signer_name: str = ""
    recipients: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Campaign:
    """One evaluation year of one province, as read from ``egov.toml``."""

    id: str
    title: str
    province: str
    year: int
    authority: str
    criteria_decision: str
    tiers: tuple[Tier, ...]
    display: Display = Display()
    #: Severity of a score given with no evidence or note; ``None`` turns the check off.
    evidence_severity: Severity | None = None
    document: DocumentInfo = DocumentInfo()
    folder: Path = Path(".")
    config_sha256: str = ""
    #: Provinces merged into this one (2025) whose earlier results ``--previous`` may compare with.
    previous_provinces: tuple[str, ...] = ()

    def tier(self, tier_id: str) -> Tier | None:
        return next((t for t in self.tiers if t.id == tier_id), None)

    def find_unit(self, code: str) -> tuple[Tier, Unit] | None:
        for tier in self.tiers:
            unit = tier.unit(code)
            if unit is not None:
                return tier, unit
        return None


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


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class PreviousStanding:
    """A unit's standing in an earlier year, for year-over-year comparison."""

    year: int
    code: str
    rank: int | None
    total: Decimal
    percent: Decimal


@dataclass(frozen=True)
class UnitResult:
    """A unit's scored result within its tier."""

    unit: Unit
    #: The unit's own maximum (the tier's, less criteria not applicable to it).
    max: Decimal
    #: Final score of every criterion, parents included (N/A criteria absent).
    scores: Mapping[str, Decimal]
    total: Decimal
    #: total / max * 100, exact (not rounded).
    percent: Decimal
    rank: int | None
    band: str | None
    #: Leaf scores as the unit assessed itself, and as appraised where the council set one.
    self_scores: Mapping[str, Decimal] = field(default_factory=dict)
    appraised: Mapping[str, Decimal] = field(default_factory=dict)
    #: The council's reason for each appraised score.
    appraisal_reasons: Mapping[str, str] = field(default_factory=dict)
    adjustments: Mapping[str, Decimal] = field(default_factory=dict)
    not_applicable: frozenset[str] = frozenset()
    #: Units sharing this rank (codes, this unit included) when the rank is shared.
    tied_with: tuple[str, ...] = ()
    #: The one Vietnamese sentence explaining a tie in total that tie-breakers split; on the group's first unit.
    tie_note: str = ""
    previous: PreviousStanding | None = None

    @property
    def shares_rank(self) -> bool:
        return len(self.tied_with) > 1


@dataclass(frozen=True)
class ScoreGroup:
    """Units sharing one score on a criterion (roster order)."""

    score: Decimal
    units: tuple[Unit, ...]


@dataclass(frozen=True)
class CriterionFacts:
    """What an announcement says about one criterion: who reached the maximum, highest, second, lowest, zero."""

    criterion: Criterion
    #: Number of ranked units with a score on this criterion.
    count: int
    at_max: tuple[Unit, ...]
    highest: ScoreGroup | None
    #: The next distinct value below the highest.
    second: ScoreGroup | None
    lowest: ScoreGroup | None
    at_zero: tuple[Unit, ...]
    average: Decimal | None


@dataclass(frozen=True)
class BandCount:
    band: str
    units: tuple[Unit, ...]


@dataclass(frozen=True)
class TierResult:
    tier: Tier
    #: Ranked units in rank order (roster order within a rank), then unranked units in roster order.
    units: tuple[UnitResult, ...]
    #: Units of the roster left out (no valid submission), with the reason, in roster order.
    excluded: tuple[tuple[Unit, str], ...]
    #: Facts for every criterion, in tree order.
    facts: tuple[CriterionFacts, ...]
    #: For every band of the tier, in the tier's order, the ranked units in it (rank order).
    bands: tuple[BandCount, ...]
    #: Facts on the totals: highest, second, lowest, average.
    total_facts: CriterionFacts | None = None

    @property
    def ranked(self) -> tuple[UnitResult, ...]:
        return tuple(u for u in self.units if u.rank is not None)

    def result(self, unit_code: str) -> UnitResult | None:
        return next((u for u in self.units if u.unit.code == unit_code), None)

    def fact(self, criterion_code: str) -> CriterionFacts:
        return next(f for f in self.facts if f.criterion.code == criterion_code)


@dataclass(frozen=True)
class Results:
    """Everything a build publishes."""

    campaign: Campaign
    tiers: tuple[TierResult, ...]
    findings: tuple[Finding, ...] = ()
    #: The accepted submissions behind the results (provenance: file, hash, unit, form version).
    submissions: tuple[Submission, ...] = ()
    draft: bool = False
    previous_year: int | None = None
    #: egov-xlsx version that produced the results.
    tool_version: str = ""


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
