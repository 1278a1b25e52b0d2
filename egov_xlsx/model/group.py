"""Groups of one tier's units scored on fewer criteria (``[[tiers.groups]]``) and the pruning of the tree."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from egov_xlsx.model.campaign import Criterion


@dataclass(frozen=True)
class Group:
    """Units of one tier scored on a smaller scale: the tier's criteria less ``exclude`` (any level of the tree;
    excluding a parent excludes its subtree), as departments without administrative procedures are."""

    code: str
    name: str
    exclude: frozenset[str] = frozenset()


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
            out.append(replace(c, children=kept, max=min(total, c.max) if c.capped else total))
    return tuple(out)
