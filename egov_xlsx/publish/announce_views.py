"""What announcement templates see of a unit and a criterion: frozen views of plain data.

:class:`UnitView`, :class:`ResultView` and :class:`CriterionView` hold, per unit and criterion, the facts a
sentence says (who reached the maximum, the highest, the second, the lowest, the zero scores); a tier's
results, the campaign and the results as a whole are :mod:`egov_xlsx.publish.announce_results_view`; both are
built from the results by :mod:`egov_xlsx.publish.announce_context`. The wording itself stays in the
templates (:mod:`egov_xlsx.publish.announce`).

A campaign template may come from anywhere (copied from another province), so what it can reach is plain
data only: strings, ``int``, ``bool``, :class:`~decimal.Decimal`, ``None``, tuples, read-only mappings
(:class:`types.MappingProxyType`) and the frozen views (of this module and the results' one). No model object,
no ``Path``, no file, nothing with a method that reaches the file system or mutates the results is reachable
by walking attributes and items (a test walks the whole context to prove it). Strings from the config or the
forms are already template text (:mod:`egov_xlsx.publish.announce_text`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from egov_xlsx.vietnamese import format_number


@dataclass(frozen=True, slots=True)
class UnitView:
    """A unit of the roster."""

    code: str
    name: str
    contact: str
    ranked: bool
    unranked_reason: str
    previous_codes: tuple[str, ...]

    def __repr__(self) -> str:
        return f"<UnitView {self.code}>"


@dataclass(frozen=True, slots=True)
class PreviousView:
    """A unit's standing in an earlier year."""

    year: int
    code: str
    rank: int | None
    total: Decimal
    percent: Decimal


@dataclass(frozen=True, slots=True)
class FactView:
    """What a unit reported for a rule-based criterion: ``label`` (a level, Có/Không), or ``a`` (a count, a
    ratio's a), ``b`` and the exact ``percent``; ``text`` as outputs quote it ("925/1.000 (92,5%)")."""

    label: str | None
    a: Decimal | None
    b: Decimal | None
    percent: Decimal | None
    text: str


@dataclass(frozen=True, slots=True)
class ResultView:
    """A unit's scored result within its tier (scores are read-only mappings by criterion code)."""

    unit: UnitView
    max: Decimal
    scores: Mapping[str, Decimal]
    total: Decimal
    percent: Decimal
    rank: int | None
    band: str | None
    self_scores: Mapping[str, Decimal]
    appraised: Mapping[str, Decimal]
    appraisal_reasons: Mapping[str, str]
    adjustments: Mapping[str, Decimal]
    not_applicable: tuple[str, ...]
    tied_with: tuple[str, ...]
    tie_note: str
    previous: PreviousView | None
    #: Rule-based criterion code -> the facts its points came from ("tỷ lệ ... đạt {{ r.facts['2.1'].percent|so }}%").
    facts: Mapping[str, FactView] = field(default_factory=lambda: MappingProxyType({}))
    #: Total / own maximum, exact, keeping to the unit's band when printed (``r.index|chiso``: "0,6975").
    index: Decimal = Decimal(0)
    #: Index campaigns: each criterion's points / its maximum for the unit, by code; the sentence on units
    #: whose printed index is equal but exact index differs (on the first of them).
    criterion_index: Mapping[str, Decimal] = field(default_factory=lambda: MappingProxyType({}))
    index_note: str = ""
    index_decimals: int = 4
    #: With appraising bodies: criterion or bonus/penalty line code -> the code of the body that appraised it.
    appraised_by: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def index_text(self) -> str:
        """The printed index with ``display.index_decimals`` ("0,6975"; more decimals where the band needs them)."""
        return format_number(self.index, self.index_decimals)

    @property
    def shares_rank(self) -> bool:
        return len(self.tied_with) > 1

    def __repr__(self) -> str:
        return f"<ResultView {self.unit.code}>"


@dataclass(frozen=True, slots=True)
class GroupView:
    """Units sharing one score on a criterion (roster order)."""

    score: Decimal
    units: tuple[UnitView, ...]


@dataclass(frozen=True, slots=True)
class CriterionView:
    """The facts of one criterion, sorted into what a sentence says.

    ``highest``, ``second`` and ``lowest`` are ``None`` when they are not worth a clause: ``second`` when it is
    the zero group (``zero`` says it), ``lowest`` when it is the highest, the second or the zero group.
    """

    code: str
    name: str
    max: Decimal
    capped: bool
    children: tuple[CriterionView, ...]
    #: Number of ranked units with a score on this criterion.
    count: int
    average: Decimal | None
    at_max: tuple[UnitView, ...]
    zero: tuple[UnitView, ...]
    highest: GroupView | None
    second: GroupView | None
    lowest: GroupView | None
    #: Ranked units for which the criterion is not applicable.
    not_applicable: tuple[UnitView, ...]

    @property
    def all_zero(self) -> bool:
        return self.count > 0 and len(self.zero) == self.count

    @property
    def all_at_max(self) -> bool:
        return self.count > 0 and len(self.at_max) == self.count

    @property
    def zero_is_rest(self) -> bool:
        """Every unit not named as highest or second scored 0 ("các đơn vị còn lại đạt 0 điểm")."""
        if not self.zero or self.highest is None:
            return False
        named = len(self.highest.units) + (len(self.second.units) if self.second else 0)
        return named + len(self.zero) == self.count

    @property
    def mostly_zero(self) -> bool:
        """At least two thirds of the units scored 0 and none reached a quarter of the maximum."""
        high = self.highest
        return (
            high is not None and bool(self.zero) and 3 * len(self.zero) >= 2 * self.count and 4 * high.score <= self.max
        )

    def __repr__(self) -> str:
        return f"<CriterionView {self.code}>"
