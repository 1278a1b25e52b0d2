"""What announcement templates see of a tier, the campaign and the results: frozen views of plain data.

:class:`TierView` arranges one tier's results for the announcement's paragraphs (the rank groups, the bands,
the units with criteria not applicable, the year-over-year moves); :class:`ResultsView` and
:class:`CampaignView` are the top of what a template gets. The same rule holds as for the unit and criterion
views (:mod:`egov_xlsx.publish.announce_views`): plain data only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from egov_xlsx.model import ZERO
from egov_xlsx.publish.announce_views import CriterionView, PreviousView, ResultView, UnitView


@dataclass(frozen=True, slots=True)
class RankGroup:
    """Ranked units sharing one rank, in roster order."""

    rank: int
    results: tuple[ResultView, ...]

    @property
    def tied(self) -> bool:
        return len(self.results) > 1

    @property
    def units(self) -> tuple[UnitView, ...]:
        return tuple(r.unit for r in self.results)

    @property
    def first(self) -> ResultView:
        return self.results[0]

    @property
    def same_total(self) -> bool:
        """All share one total and one maximum (tied units with different maxima share only the percent)."""
        return len({(r.total, r.max) for r in self.results}) == 1


@dataclass(frozen=True, slots=True)
class BandView:
    """A band and the ranked units in it, in rank order."""

    band: str
    results: tuple[ResultView, ...]

    @property
    def units(self) -> tuple[UnitView, ...]:
        return tuple(r.unit for r in self.results)


@dataclass(frozen=True, slots=True)
class NotApplicable:
    """A unit with criteria not applicable to it: the outermost such criteria, and its own maximum."""

    result: ResultView
    criteria: tuple[CriterionView, ...]

    @property
    def unit(self) -> UnitView:
        return self.result.unit

    @property
    def max(self) -> Decimal:
        return self.result.max


@dataclass(frozen=True, slots=True)
class UnitGroupView:
    """A group of the tier's units scored on fewer criteria (``[[tiers.groups]]``): its code, name, the phrase a
    sentence names it with ("nhóm không có thủ tục hành chính"), its maximum, the outermost criteria it leaves
    out (``code``, ``name``) and its units' results (the tier's order)."""

    code: str
    name: str
    phrase: str
    max: Decimal
    excluded: tuple[tuple[str, str], ...]
    results: tuple[ResultView, ...]

    @property
    def units(self) -> tuple[UnitView, ...]:
        return tuple(r.unit for r in self.results)


@dataclass(frozen=True, slots=True)
class Move:
    """A ranked unit compared with its standing in an earlier year."""

    result: ResultView
    previous: PreviousView

    @property
    def unit(self) -> UnitView:
        return self.result.unit

    @property
    def rank(self) -> int | None:
        return self.result.rank

    @property
    def previous_rank(self) -> int | None:
        return self.previous.rank

    @property
    def change(self) -> int | None:
        """Ranks gained (positive) or lost (negative): previous rank minus this rank."""
        if self.result.rank is None or self.previous.rank is None:
            return None
        return self.previous.rank - self.result.rank

    @property
    def total_change(self) -> Decimal:
        return self.result.total - self.previous.total


@dataclass(frozen=True, slots=True)
class TierView:
    """One tier's results, arranged for the announcement's paragraphs."""

    id: str
    name: str
    max: Decimal
    criteria: tuple[CriterionView, ...]
    #: Every unit's result: ranked units in rank order, then unranked ones in roster order.
    units: tuple[ResultView, ...]
    ranked: tuple[ResultView, ...]
    unranked: tuple[ResultView, ...]
    excluded: tuple[tuple[UnitView, str], ...]
    rank_groups: tuple[RankGroup, ...]
    bands: tuple[BandView, ...]
    not_applicable: tuple[NotApplicable, ...]
    moves: tuple[Move, ...]
    gap: Decimal | None
    average: Decimal | None
    _views: Mapping[str, CriterionView] = field(repr=False)
    #: A draft's units without a value of a criterion the council scores (left out of total and maximum).
    council_missing: tuple[NotApplicable, ...] = ()
    #: On a group's block (a tier ranking its groups apart): the group; ``None`` otherwise.
    group: UnitGroupView | None = None
    #: On a tier whose groups are ranked together (on percent of each unit's own maximum): every group.
    groups: tuple[UnitGroupView, ...] = ()

    def criterion(self, code: str) -> CriterionView:
        return self._views[code]

    @property
    def leaders(self) -> RankGroup | None:
        return self.rank_groups[0] if self.rank_groups else None

    @property
    def runners_up(self) -> tuple[RankGroup, ...]:
        """The groups ranked 2nd and 3rd (none when the leaders' tie takes those places)."""
        return tuple(g for g in self.rank_groups[1:] if g.rank <= 3)

    @property
    def lowest(self) -> RankGroup | None:
        """The units ranked last, when they are not the leaders."""
        return self.rank_groups[-1] if len(self.rank_groups) > 1 else None

    @property
    def same_max(self) -> bool:
        """Every ranked unit is scored out of the tier's maximum (no criterion was not applicable)."""
        return all(r.max == self.max for r in self.ranked)

    @property
    def average_percent(self) -> Decimal | None:
        """The mean of the ranked units' percents (each of its own maximum)."""
        ranked = self.ranked
        return sum((r.percent for r in ranked), ZERO) / len(ranked) if ranked else None

    @property
    def average_index(self) -> Decimal | None:
        """The mean of the ranked units' exact indices (each total / its own maximum)."""
        ranked = self.ranked
        return sum((r.index for r in ranked), ZERO) / len(ranked) if ranked else None

    @property
    def index_notes(self) -> tuple[ResultView, ...]:
        """The first unit of each group whose printed index is equal but exact index differs (``index_note``)."""
        return tuple(r for r in self.ranked if r.index_note)

    @property
    def tie_notes(self) -> tuple[ResultView, ...]:
        """The first unit of each tie that tie-breakers split; its ``tie_note`` is the sentence explaining it."""
        return tuple(r for r in self.ranked if r.tie_note)

    @property
    def moved_up(self) -> tuple[Move, ...]:
        return tuple(sorted((m for m in self.moves if (m.change or 0) > 0), key=lambda m: -(m.change or 0)))

    @property
    def moved_down(self) -> tuple[Move, ...]:
        return tuple(sorted((m for m in self.moves if (m.change or 0) < 0), key=lambda m: m.change or 0))

    @property
    def unchanged(self) -> tuple[Move, ...]:
        return tuple(m for m in self.moves if m.change == 0)

    @property
    def previously_unranked(self) -> tuple[Move, ...]:
        return tuple(m for m in self.moves if m.previous.rank is None)

    @property
    def new_units(self) -> tuple[ResultView, ...]:
        """Ranked units with no standing in the earlier year."""
        return tuple(r for r in self.ranked if r.previous is None)

    def __repr__(self) -> str:
        return f"<TierView {self.id}>"


@dataclass(frozen=True, slots=True)
class DisplayView:
    """How numbers are shown (``display`` in templates; the ``tong`` and ``phantram`` filters follow it)."""

    total_decimals: int
    percent_decimals: int
    #: "points" or "index"; the ``chiso`` filter prints an index with ``index_decimals`` ("0,6975").
    scale: str = "points"
    index_decimals: int = 4

    @property
    def index(self) -> bool:
        return self.scale == "index"


@dataclass(frozen=True, slots=True)
class CampaignView:
    """The campaign as templates see it: its wording, never its folder."""

    id: str
    title: str
    province: str
    year: int
    authority: str
    criteria_decision: str
    display: DisplayView
    tiers: tuple[TierView, ...]
    #: What is ranked ("Chính quyền điện tử"), the index's name ("" when none), what titles say is measured
    #: ("mức độ Chính quyền điện tử"), and the work to improve ("xây dựng Chính quyền điện tử").
    subject: str = ""
    index_name: str = ""
    measured: str = ""
    effort: str = ""
    #: The appraising bodies, code -> name (``[[appraisers]]``; empty with a single council).
    appraisers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __repr__(self) -> str:
        return f"<CampaignView {self.id}>"


@dataclass(frozen=True, slots=True)
class SourceView:
    """A submitted file as templates see it: its name and fingerprint, never its path."""

    name: str
    size: int
    sha256: str
    kind: str


@dataclass(frozen=True, slots=True)
class SubmissionView:
    """An accepted submission's provenance."""

    tier_id: str
    unit_code: str
    source: SourceView
    form_version: str
    valid: bool


@dataclass(frozen=True, slots=True)
class ResultsView:
    """The results as templates see them."""

    tiers: tuple[TierView, ...]
    submissions: tuple[SubmissionView, ...]
    draft: bool
    previous_year: int | None
    tool_version: str

    def __repr__(self) -> str:
        return "<ResultsView>"
