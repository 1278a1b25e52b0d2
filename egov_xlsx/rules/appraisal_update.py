"""``egov-xlsx appraisal --update``: the rows of the council's new file, with what was entered put back.

Entered values are matched by (tier id, unit code, criterion code), never by row position; a value without a
row any more is kept as an orphan, with why. Pure: the writer is :mod:`egov_xlsx.publish.appraisal`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from egov_xlsx.model import Adjustment, Campaign, CellValue, Rule, Submission, Tier, Unit
from egov_xlsx.model.rule import fact_text
from egov_xlsx.read.appraisal import Entry, tier_of


@dataclass(frozen=True)
class SheetRow:
    """One row of a tier sheet: a unit's leaf criterion or bonus/penalty line, with what is already entered."""

    unit: Unit
    code: str
    name: str
    #: The leaf's maximum; ``None`` for a bonus/penalty line (``adjustment`` set).
    max: Decimal | None
    adjustment: Adjustment | None = None
    self_score: Decimal | None = None
    not_applicable: bool = False
    value: CellValue = None
    reason: str = ""
    #: What the unit typed where its score could not be used ("abc", "25" above the maximum), shown so that
    #: the council sees the claim.
    claim: str = ""
    #: A rule-based leaf: its rule, the unit's facts as shown, and the facts the council entered.
    rule: Rule | None = None
    self_facts: str = ""
    fact: CellValue = None
    fact_b: CellValue = None
    #: A leaf the council scores (``source = "council"``): no unit value, the council enters it.
    council: bool = False


@dataclass(frozen=True)
class TierSheet:
    tier: Tier
    rows: tuple[SheetRow, ...]


@dataclass(frozen=True)
class Orphan:
    """A value the council entered whose row is gone, kept so that nothing is lost."""

    tier_id: str
    unit_code: str
    unit_name: str
    criterion: str
    criterion_name: str
    value: CellValue
    reason: str
    why: str


Key = tuple[str, str, str]


def plan_sheets(
    campaign: Campaign, submissions: Sequence[Submission], previous: Sequence[Entry]
) -> tuple[list[TierSheet], list[Orphan], int]:
    """Every tier sheet's rows with the values already entered put back; the orphans; how many were put back.

    Rows: units with a submission (valid or not) in roster order, each with its leaves in tree order, then
    the tier's bonus/penalty lines. Entered values are matched by (tier id, unit code, criterion code). A value
    from a tier sheet wins over one kept in the orphan sheet for the same row; the other stays an orphan.
    """
    subs = {s.unit_code: s for s in submissions}
    carried: dict[Key, Entry] = {}
    leftovers: list[tuple[Key, Entry]] = []
    for e in sorted(previous, key=lambda e: e.orphan):  # tier sheets first
        tier = tier_of(campaign, e)
        key = (tier.id if tier else e.tier_id or "", e.unit_code, e.criterion)
        if key in carried:
            leftovers.append((key, e))
        else:
            carried[key] = e
    sheets: list[TierSheet] = []
    used: set[Key] = set()
    for tier in campaign.tiers:
        rows: list[SheetRow] = []
        for unit in tier.units:
            sub = subs.get(unit.code)
            if sub is None or sub.tier_id != tier.id:
                continue
            lines: list[tuple[str, str, Decimal | None, Adjustment | None, Rule | None]] = [
                *((c.code, c.name, c.max, None, c.rule) for c in tier.view(unit.code).leaves()),
                *((a.code, a.name, None, a, None) for a in tier.adjustments),
            ]
            for code, name, top, adj, rule in lines:
                key = (tier.id, unit.code, code)
                used.add(key)
                found = carried.get(key)
                rows.append(
                    SheetRow(
                        unit,
                        code,
                        name,
                        top,
                        adj,
                        self_score=sub.scores.get(code) if adj is None else None,
                        not_applicable=code in sub.not_applicable,
                        value=found.value if found else None,
                        reason=found.reason if found else "",
                        claim=sub.claims.get(code, "") if adj is None else "",
                        rule=rule,
                        self_facts="" if rule is None or code not in sub.facts else fact_text(rule, sub.facts[code]),
                        fact=found.fact if found else None,
                        fact_b=found.fact_b if found else None,
                        council=adj is None and tier.criterion(code).council,
                    )
                )
        sheets.append(TierSheet(tier, tuple(rows)))
    orphans = [_orphan(campaign, subs, k, e, False) for k, e in carried.items() if k not in used]
    orphans += [_orphan(campaign, subs, k, e, True) for k, e in leftovers]
    return sheets, orphans, sum(1 for k in carried if k in used)


def _orphan(campaign: Campaign, subs: Mapping[str, Submission], key: Key, e: Entry, duplicate: bool) -> Orphan:
    tier = campaign.tier(key[0])
    if duplicate:
        why = "Trùng với một giá trị khác đã nhập cho cùng đơn vị và tiêu chí"
    elif tier is None:
        why = "Khối không còn trong egov.toml"
    elif tier.unit(e.unit_code) is None:
        why = "Đơn vị không còn trong danh sách của khối (egov.toml)"
    elif not _is_line(tier, e.criterion):
        why = "Tiêu chí không còn trong bộ tiêu chí của khối"
    elif e.unit_code not in subs:
        why = "Đơn vị chưa có biểu trong inbox/"
    else:
        why = "Không còn dòng tương ứng"
    return Orphan(key[0], e.unit_code, e.unit_name, e.criterion, e.criterion_name, e.value, e.reason, why)


def _is_line(tier: Tier, code: str) -> bool:
    """A leaf criterion or a bonus/penalty line of the tier: what a row of the tier sheet stands for."""
    if tier.has_criterion(code):
        return tier.criterion(code).is_leaf
    return any(a.code == code for a in tier.adjustments)
