"""The campaign as configured: tiers, criteria, units, bands, bonus/penalty lines, display and document details.

Scores are :class:`~decimal.Decimal` throughout; nothing here compares or adds floats.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from pathlib import Path

from egov_xlsx.model.group import Group, views_of
from egov_xlsx.model.publication import Display, DocumentInfo
from egov_xlsx.model.rule import Rule
from egov_xlsx.vietnamese import ascii_fold

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
    """A band (xếp loại): reached when the exact percent of the maximum is at least ``min_percent`` ("từ 85%"),
    or, for an ``exclusive`` band, strictly above it ("lớn hơn 75%", the config's ``above_percent``)."""

    name: str
    min_percent: Decimal
    exclusive: bool = False

    def reached(self, total: Decimal, maximum: Decimal) -> bool:
        """Whether ``total`` out of ``maximum`` (> 0) reaches this band, compared exactly (no percent rounded)."""
        scaled, bound = total * 100, self.min_percent * maximum
        return scaled > bound if self.exclusive else scaled >= bound

    @property
    def threshold(self) -> str:
        """The band's lower bound in words, without the percent itself: "từ" or "lớn hơn"."""
        return "lớn hơn" if self.exclusive else "từ"


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
    #: How a leaf's points follow from facts the unit reports (``None``: the unit types its score).
    rule: Rule | None = None
    #: The code of the appraising body (``[[appraisers]]``) of this criterion, its own or inherited from its
    #: parent; "" when the campaign has a single appraisal council.
    appraised_by: str = ""
    #: Scored by the council, not the unit (``source = "council"``, inherited by the children): not on the
    #: unit's form; its value comes from ``appraisal.xlsx`` or an imported table.
    council: bool = False

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

    @cached_property
    def float_max(self) -> float | None:
        """The maximum as a float when that float's shortest repr is the maximum itself, else ``None``.

        Comparing a float cell with it then decides exactly what comparing the cell's decimal with ``max`` would.
        """
        as_float = float(self.max)
        return as_float if Decimal(repr(as_float)) == self.max else None


@dataclass(frozen=True)
class Adjustment:
    """A bonus or penalty line (điểm cộng / điểm trừ), outside the criteria tree, added to the total."""

    code: str
    name: str
    min: Decimal
    max: Decimal
    #: The code of the appraising body that sets this line; "" with a single appraisal council.
    appraised_by: str = ""


@dataclass(frozen=True)
class Appraiser:
    """An appraising body (cơ quan thẩm định) of ``[[appraisers]]``: it appraises the criteria assigned to it
    (``appraised_by``) in its own workbook, ``appraisal/tham-dinh-<code>.xlsx``."""

    code: str
    name: str


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
    #: The code of the tier's group (``[[tiers.groups]]``) the unit belongs to; "" when none.
    group: str = ""


@dataclass(frozen=True)
class Tier:
    """A block of units ranked together against one criteria tree.

    What every form of the tier is checked against (criteria in order, leaf codes, fingerprint ...) is worked
    out on first use and kept on the tier (``cached_property``): once per tier, not once per form.
    """

    id: str
    name: str
    bands: tuple[Band, ...]
    criteria: tuple[Criterion, ...]
    units: tuple[Unit, ...]
    #: Criterion codes whose higher score breaks a tie in total, in order.
    tie_breakers: tuple[str, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()
    #: Groups of units scored on fewer criteria (``[[tiers.groups]]``), in config order.
    groups: tuple[Group, ...] = ()
    #: Rank (and count bands) within each group rather than across the tier on percent of own maximum.
    rank_groups_separately: bool = False
    #: On a group's view of the tier (:meth:`view`): the group; ``None`` on a tier as configured.
    group: Group | None = None
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

    def appraiser_of(self, code: str) -> str:
        """The appraising body of a leaf criterion or a bonus/penalty line ("" when none or unknown code)."""
        if code in self._by_code:
            return self._by_code[code].appraised_by
        return next((a.appraised_by for a in self.adjustments if a.code == code), "")

    @property
    def key(self) -> str:
        """What tells published blocks apart: the id, with the group's code on a group's view ("so-nganh/co-tthc")."""
        return self.id if self.group is None else f"{self.id}/{self.group.code}"

    @property
    def short_name(self) -> str:
        """The block's name where room is short (a sheet's tab): the group's name on a group's view."""
        return self.name if self.group is None else self.group.name

    @property
    def tier_name(self) -> str:
        """The configured tier's name, without the group's on a group's view."""
        return self.name if self.group is None else self.name.removesuffix(f" – {self.group.name}")

    def group_of(self, unit: Unit) -> Group | None:
        """The group ``unit`` belongs to (the view's own group on a group's view), or ``None``."""
        if self.group is not None:
            return self.group
        return next((g for g in self.groups if g.code == unit.group), None) if unit.group else None

    @cached_property
    def views(self) -> Mapping[str, Tier]:
        """Group code -> the tier as that group's units see it (:meth:`view`), made once per group."""
        return views_of(self)

    def view(self, unit_code: str) -> Tier:
        """The tier as ``unit_code``'s form shows it: without its group's excluded criteria (the whole tier for a
        unit in no group). The view keeps the tier's id; its units are the group's."""
        unit = self.unit(unit_code)
        return self.views[unit.group] if unit is not None and unit.group in self.views else self

    def excluded_for(self, unit_code: str) -> frozenset[str]:
        """The leaf codes left out of ``unit_code``'s form and maximum by its group (empty when none)."""
        unit = self.unit(unit_code)
        if unit is None or unit.group not in self.views:
            return frozenset()
        return self.leaf_codes - self.views[unit.group].leaf_codes

    @cached_property
    def in_order(self) -> tuple[Criterion, ...]:
        """Every criterion in tree order (the rows of a form as made), as :meth:`walk` yields them."""
        return tuple(self.walk())

    @cached_property
    def codes(self) -> tuple[str, ...]:
        """Every criterion's code in tree order."""
        return tuple(c.code for c in self.in_order)

    @cached_property
    def positions(self) -> Mapping[str, int]:
        """Criterion code -> its position in tree order."""
        return {c.code: i for i, c in enumerate(self.in_order)}

    @cached_property
    def leaf_criteria(self) -> tuple[Criterion, ...]:
        """The leaves in tree order."""
        return tuple(c for c in self.in_order if c.is_leaf)

    @cached_property
    def leaf_codes(self) -> frozenset[str]:
        return frozenset(c.code for c in self.leaf_criteria)

    @cached_property
    def rule_leaf_codes(self) -> frozenset[str]:
        """The leaves whose points the tool computes from the unit's facts (a ``rule``)."""
        return frozenset(c.code for c in self.leaf_criteria if c.rule is not None)

    @cached_property
    def council_leaf_codes(self) -> frozenset[str]:
        """The leaves the council scores (``source = "council"``): on no unit's form."""
        return frozenset(c.code for c in self.leaf_criteria if c.council)

    @cached_property
    def form_tier(self) -> Tier:
        """The tier as the units' forms show it: without the criteria the council scores.

        A parent keeps the criteria the units score; its maximum is their sum (or its cap, when lower). A tier
        without council criteria is its own form tier, so its forms and fingerprint are unchanged.
        """
        if not self.council_leaf_codes:
            return self
        return replace(self, criteria=tuple(c for c in map(_unit_scored, self.criteria) if c is not None))

    @cached_property
    def parent_criteria(self) -> tuple[Criterion, ...]:
        """The criteria with children, in tree order."""
        return tuple(c for c in self.in_order if not c.is_leaf)

    @cached_property
    def leaves_under(self) -> Mapping[str, tuple[str, ...]]:
        """Parent code -> the codes of the leaves under it."""
        return {c.code: tuple(x.code for x in c.walk() if x.is_leaf) for c in self.parent_criteria}

    @cached_property
    def post_order(self) -> tuple[Criterion, ...]:
        """Every criterion, children before their parent (the order sums are worked out in)."""
        nodes: list[Criterion] = []

        def visit(node: Criterion) -> None:
            for child in node.children:
                visit(child)
            nodes.append(node)

        for top in self.criteria:
            visit(top)
        return tuple(nodes)

    @cached_property
    def fingerprint(self) -> str:
        """A short hash of the criteria tree's codes, structure, maxima, caps and points rules (not names).

        Fixing a typo in a criterion's name keeps returned forms valid; changing a code, a maximum, the
        tree's shape or a rule (its kind, labels, points or inputs) makes them stale.
        """

        def canon(node: Criterion) -> str:
            inner = ",".join(canon(c) for c in node.children)
            cap = "!" if node.capped else ""
            rule = "" if node.rule is None else "{" + node.rule.canon + "}"
            return f"{node.code}={node.max.normalize()}{cap}{rule}[{inner}]"

        text = ";".join(canon(c) for c in self.criteria)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _unit_scored(node: Criterion) -> Criterion | None:
    """``node`` without its council-scored descendants; ``None`` when nothing of it is left for the unit."""
    if node.council:
        return None
    if node.is_leaf:
        return node
    kept = tuple(c for c in map(_unit_scored, node.children) if c is not None)
    if kept == node.children:
        return node
    if not kept:
        return None
    total = sum((c.max for c in kept), ZERO)
    capped = node.capped and node.max < total
    return replace(node, children=kept, max=node.max if capped else total, capped=capped)


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
    #: What is ranked: "Chính quyền điện tử" (the default), "chuyển đổi số", "cải cách hành chính", any phrase.
    subject: str = "Chính quyền điện tử"
    #: The index the documents name, where there is one ("Chỉ số chuyển đổi số (DTI)"); "" when none.
    index_name: str = ""
    #: The appraising bodies (``[[appraisers]]``); empty: one council file, ``appraisal.xlsx``.
    appraisers: tuple[Appraiser, ...] = ()
    #: What the config check accepted but the clerk should know ("bands re-ordered"), located; ``check`` prints them.
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def measured(self) -> str:
        """What the ranking measures, as titles say it: the index's name, or "mức độ Chính quyền điện tử"."""
        return self.index_name or f"mức độ {self.subject}"

    @property
    def effort(self) -> str:
        """The work units are asked to improve ("công tác ..."): "xây dựng Chính quyền điện tử" for a
        government (Chính quyền ...) subject, the subject itself otherwise ("chuyển đổi số")."""
        return f"xây dựng {self.subject}" if self.subject.casefold().startswith("chính quyền") else self.subject

    @property
    def ranking(self) -> str:
        """The ranking units are asked to improve: the index's name, or "chỉ số xếp hạng mức độ ..."."""
        return self.index_name or f"chỉ số xếp hạng mức độ {self.subject}"

    def tier(self, tier_id: str) -> Tier | None:
        return next((t for t in self.tiers if t.id == tier_id), None)

    def appraiser(self, code: str) -> Appraiser | None:
        return next((a for a in self.appraisers if a.code == code), None)

    @cached_property
    def folded_roster(self) -> tuple[tuple[Unit, str, str], ...]:
        """Every roster unit in order with its code casefolded and its name without diacritics, casefolded.

        Worked out on first use and kept: every badly named file is matched against the whole roster.
        """
        return tuple((u, u.code.casefold(), ascii_fold(u.name).casefold()) for t in self.tiers for u in t.units)

    def find_unit(self, code: str) -> tuple[Tier, Unit] | None:
        for tier in self.tiers:
            unit = tier.unit(code)
            if unit is not None:
                return tier, unit
        return None
