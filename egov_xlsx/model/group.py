"""Groups of one tier's units scored on fewer criteria (``[[tiers.groups]]``) and the pruning of the tree."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from egov_xlsx.model.campaign import Criterion, Tier


@dataclass(frozen=True)
class Group:
    """Units of one tier scored on a smaller scale: the tier's criteria less ``exclude`` (any level of the tree;
    excluding a parent excludes its subtree), as departments without administrative procedures are."""

    code: str
    name: str
    exclude: frozenset[str] = frozenset()
    #: The outermost criteria ``exclude`` removes, in tree order (what texts name: "tiêu chí 7 (...)").
    excluded: tuple[Criterion, ...] = field(default=(), compare=False)

    @property
    def phrase(self) -> str:
        """The group as a sentence names it: "nhóm có thủ tục hành chính" (its name, "nhóm" added when missing)."""
        name = self.name
        return name[:1].lower() + name[1:] if name.casefold().startswith("nhóm") else f"nhóm {name}"


def outermost(criteria: tuple[Criterion, ...], codes: frozenset[str]) -> tuple[Criterion, ...]:
    """The criteria named in ``codes`` that no other named criterion contains, in tree order."""
    out: list[Criterion] = []
    for c in criteria:
        if c.code in codes:
            out.append(c)
        else:
            out.extend(outermost(c.children, codes))
    return tuple(out)


def prune(criteria: tuple[Criterion, ...], exclude: frozenset[str]) -> tuple[Criterion, ...]:
    """The criteria without ``exclude`` and their subtrees; a parent left without children goes too.

    A parent keeping some children gets the sum of their maxima (capped at its declared maximum when capped),
    as :func:`egov_xlsx.rules.scoring.criterion_scores` reduces the maximum of criteria not applicable.
    Untouched nodes are returned as they are.
    """
    out: list[Criterion] = []
    for c in criteria:
        if c.code in exclude:
            continue
        if not c.children:
            out.append(c)
            continue
        kept = prune(c.children, exclude)
        if kept == c.children:
            out.append(c)
        elif kept:
            total = sum((k.max for k in kept), Decimal(0))
            capped = c.capped and c.max < total  # a cap the remaining children no longer reach is no cap
            out.append(replace(c, children=kept, max=c.max if capped else total, capped=capped))
    return tuple(out)


def views_of(tier: Tier) -> dict[str, Tier]:
    """Group code -> the tier as the group's units see it: its criteria pruned, its units and tie-breakers the
    group's, named "<tier> – <group>"; the view keeps the tier's id, bands and bonus/penalty lines."""
    out: dict[str, Tier] = {}
    for g in tier.groups:
        criteria = prune(tier.criteria, g.exclude)
        kept = {c.code for top in criteria for c in top.walk()}
        out[g.code] = replace(
            tier,
            name=f"{tier.name} – {g.name}",
            criteria=criteria,
            units=tuple(u for u in tier.units if u.group == g.code),
            tie_breakers=tuple(code for code in tier.tie_breakers if code in kept),
            groups=(),
            rank_groups_separately=False,
            group=g,
        )
    return out
