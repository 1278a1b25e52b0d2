"""What was scored: each unit's result, the facts of each criterion and band, a tier's and the campaign's results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from egov_xlsx.model.campaign import Campaign, Criterion, Tier, Unit
from egov_xlsx.model.reading import Finding, SourceFile, Submission
from egov_xlsx.model.rule import Facts

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
    #: Rule-based leaf code -> the facts its points were computed from.
    facts: Mapping[str, Facts] = field(default_factory=dict)
    #: Rule-based leaf code -> the facts the council set, where its appraised score came from them.
    appraised_facts: Mapping[str, Facts] = field(default_factory=dict)
    #: Units sharing this rank (codes, this unit included) when the rank is shared.
    tied_with: tuple[str, ...] = ()
    #: The one Vietnamese sentence explaining a tie in total that tie-breakers split; on the group's first unit.
    tie_note: str = ""
    previous: PreviousStanding | None = None
    #: Council-scored leaf code -> where its value came from: "appraisal.xlsx" or the imported file's name.
    sources: Mapping[str, str] = field(default_factory=dict)
    #: Council-scored leaves without a value (a draft only): left out of the total and the maximum.
    council_missing: frozenset[str] = frozenset()

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
    #: The kept tables of ``imports/`` the council criteria's values were read from (provenance).
    council_files: tuple[SourceFile, ...] = ()
