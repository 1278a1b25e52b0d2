"""What the form rules and the roster rules share: a checked file (:class:`Checked`), the sink that locates each
file's findings, the per-tier plan every form of a tier is checked against, and the roster's folded names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from egov_xlsx import findings, layout
from egov_xlsx.model import (
    Campaign,
    Criterion,
    Finding,
    FormRow,
    Severity,
    SourceFile,
    Submission,
    Tier,
    Unit,
)
from egov_xlsx.vietnamese import ascii_fold


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
    #: The form's rows as read, when a feedback copy may be made on a fresh form with them
    #: (:func:`rows_for_feedback`); empty otherwise.
    rows: tuple[FormRow, ...] = ()


#: The formats a feedback copy marks in place (openpyxl edits them); a form of another format (.xls, .ods)
#: gets its copy on a fresh form filled with the rows `check` read.
MARKED_IN_PLACE = frozenset({"xlsx", "xlsm"})


def rows_for_feedback(checked: Checked, rows: tuple[FormRow, ...]) -> tuple[FormRow, ...]:
    """The rows of a checked form worth keeping in the report for its feedback copy, or none.

    Kept when the copy may be made on a fresh form: the format cannot be marked in place, or the form has a
    finding a copy is made for (a stale form, or an .xlsx openpyxl cannot open, is made fresh). A clean .xlsx,
    nearly every form of a large inbox, keeps none: 2,000 forms' rows would hold about 32 MB.
    """
    if checked.source.kind not in MARKED_IN_PLACE or any(f.severity is not Severity.INFO for f in checked.findings):
        return rows
    return ()


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


@dataclass(frozen=True)
class TierPlan:
    """What every form of a tier is checked against, worked out once per tier rather than once per form."""

    tier: Tier
    #: Every criterion in tree order.
    walk: tuple[Criterion, ...]
    leaves: tuple[Criterion, ...]
    #: The criteria with children, in tree order.
    parents: tuple[Criterion, ...]
    order: dict[str, int]
    #: Parent code -> the codes of the leaves under it.
    leaves_under: dict[str, tuple[str, ...]]
    fingerprint: str
    #: Code -> the maximum as a float, when the float's shortest repr is that very decimal (so comparing a
    #: float cell with it decides exactly what comparing the cell's decimal with the maximum would).
    float_max: dict[str, float]
    #: Every criterion's code in tree order: the rows of a form as made.
    codes: tuple[str, ...]
    #: (criterion, code, is a leaf, float maximum or None) in tree order: the row loop's inputs, unpacked once.
    steps: tuple[tuple[Criterion, str, bool, float | None], ...]
    #: The leaves' codes.
    leaf_codes: frozenset[str]


_TIER_PLANS: dict[int, TierPlan] = {}


def tier_plan(tier: Tier) -> TierPlan:
    # Keyed by identity: a Tier holds its roster, so hashing one would cost as much as the work saved.
    plan = _TIER_PLANS.get(id(tier))
    if plan is None or plan.tier is not tier:
        walk = tuple(tier.walk())
        leaves_under = {c.code: tuple(x.code for x in c.walk() if x.is_leaf) for c in walk if not c.is_leaf}
        float_max = {c.code: float(c.max) for c in walk if Decimal(repr(float(c.max))) == c.max}
        plan = TierPlan(
            tier,
            walk,
            tuple(c for c in walk if c.is_leaf),
            tuple(c for c in walk if not c.is_leaf),
            {c.code: i for i, c in enumerate(walk)},
            leaves_under,
            tier.fingerprint,
            float_max,
            tuple(c.code for c in walk),
            tuple((c, c.code, c.is_leaf, float_max.get(c.code)) for c in walk),
            frozenset(c.code for c in walk if c.is_leaf),
        )
        if len(_TIER_PLANS) >= 64:
            _TIER_PLANS.clear()
        _TIER_PLANS[id(tier)] = plan
    return plan


_FOLDED: dict[int, tuple[Campaign, tuple[tuple[Unit, str, str, bool], ...]]] = {}


def folded_roster(campaign: Campaign) -> tuple[tuple[Unit, str, str, bool], ...]:
    """Every roster unit in order with its code casefolded, its name folded and whether the name is long.

    Folded once per campaign: a national roster has 10,000 names, and every badly named file is matched
    against all of them.
    """
    cached = _FOLDED.get(id(campaign))
    if cached is None or cached[0] is not campaign:
        roster = tuple(
            (u, u.code.casefold(), ascii_fold(u.name).casefold(), len(u.name) > 6)
            for t in campaign.tiers
            for u in t.units
        )
        if len(_FOLDED) >= 8:
            _FOLDED.clear()
        cached = _FOLDED[id(campaign)] = (campaign, roster)
    return cached[1]
