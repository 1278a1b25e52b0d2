"""What announcement templates see: the results sorted into the facts a sentence says, as plain data.

:func:`template_context` builds the variables every template gets; :class:`TierView` and
:class:`CriterionView` hold, per tier and criterion, the groups of units a sentence names (who reached the
maximum, the highest, the second, the lowest, the zero scores, the band lists, the year-over-year moves).
The wording itself stays in the templates (:mod:`egov_xlsx.publish.announce`).

A campaign template may come from anywhere (copied from another province), so what it can reach is plain
data only: strings, ``int``, ``bool``, :class:`~decimal.Decimal`, ``None``, tuples, read-only mappings
(:class:`types.MappingProxyType`) and the frozen views of this module. No model object, no ``Path``, no file,
nothing with a method that reaches the file system or mutates the results is reachable by walking attributes
and items (a test walks the whole context to prove it). For Markdown every string that comes from the config
or the forms is escaped here, once (:func:`escape_markdown`), so a unit named ``<a href=...>`` or ``[x](javascript:...)``
prints as text; the plain-text context keeps the text as it is. In both, control characters (line breaks
included) become spaces, so a name cannot start a new paragraph, heading or list.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from egov_xlsx.model import (
    ZERO,
)

# --------------------------------------------------------------------------- text as templates see it

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
#: Characters with a meaning anywhere in a Markdown line (CommonMark and GitHub's tables, strikethrough).
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
#: What makes a line a heading, a list item or a setext underline when it starts it.
_MD_BLOCK_MARK = re.compile(r"^(\s*)([#+=-])")
_MD_ORDERED = re.compile(r"^(\s*\d{1,9})([.)])(?=\s|$)")


def plain_text(value: str) -> str:
    """A string from the config or the forms, for the plain text: control characters become spaces."""
    return _CONTROL.sub(" ", value)


def escape_markdown(value: str) -> str:
    """A string from the config or the forms, for Markdown: printed as the text it is, never as markup.

    Every character with an inline meaning is backslash-escaped (CommonMark prints an escaped ASCII
    punctuation character as itself): HTML tags, links and images, emphasis, code, table cells, entities,
    strikethrough. A leading ``#``, ``-``, ``+``, ``=`` or ``1.`` is escaped too, for the string may start a
    line (a heading, a list item, a setext underline).
    """
    text = _MD_INLINE.sub(r"\\\1", plain_text(value))
    text = _MD_BLOCK_MARK.sub(r"\1\\\2", text, count=1)
    return _MD_ORDERED.sub(r"\1\\\2", text, count=1)


Text = Callable[[str], str]


def _texts(values: Iterable[str], text: Text) -> tuple[str, ...]:
    return tuple(text(v) for v in values)


def _scores(values: Mapping[str, Decimal], text: Text) -> Mapping[str, Decimal]:
    """A read-only mapping of scores by criterion code (codes through ``text``)."""
    return MappingProxyType({text(k): v for k, v in values.items()})


def _reasons(values: Mapping[str, str], text: Text) -> Mapping[str, str]:
    return MappingProxyType({text(k): text(v) for k, v in values.items()})


# --------------------------------------------------------------------------- the views


@dataclass(frozen=True, slots=True)
class DisplayView:
    """How numbers are shown (``display`` in templates; the ``tong`` and ``phantram`` filters follow it)."""

    total_decimals: int
    percent_decimals: int


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
    """What a unit reported for a rule-based criterion (issue 13): ``label`` (a level, Có/Không), or ``a`` (a
    count, a ratio's a), ``b`` and the exact ``percent``; ``text`` as outputs quote it ("925/1.000 (92,5%)")."""

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
