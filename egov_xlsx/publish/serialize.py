"""Machine-readable forms of a check report and of results (``results.json``), with exact decimals.

JSON numbers are written from the decimals themselves (417.3, never 417.29999999999995): the standard
``json`` module would go through ``float``, so :func:`dumps` writes the numbers itself.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from egov_xlsx.model import (
    CheckReport,
    Criterion,
    Facts,
    Group,
    Results,
    Severity,
    Tier,
    TierResult,
    UnitResult,
    UnitState,
)
from egov_xlsx.rules.index_scale import criterion_indices, unit_index

SCHEMA_VERSION = 1


def dumps(value: Any, indent: int = 2, inline_depth: int = 4) -> str:
    """JSON text of ``value`` (dicts, lists, str, int, Decimal, bool, None), decimals written exactly.

    Containers are indented down to ``inline_depth`` levels; deeper ones are written on one line, so each
    unit of ``results.json`` is one line (10,000 units stay a few megabytes, quick to write and to diff).
    """
    chunks: list[str] = []
    _write(value, chunks.append, indent, 0, inline_depth)
    chunks.append("\n")
    return "".join(chunks)


def dump(value: Any, path: Path, indent: int = 2, inline_depth: int = 4) -> None:
    """Write :func:`dumps`'s text to ``path`` (UTF-8, ``\n`` line ends) as it is made, never whole in memory."""
    with path.open("w", encoding="utf-8", newline="\n", buffering=1 << 20) as handle:
        _write(value, handle.write, indent, 0, inline_depth)
        handle.write("\n")


def _write(value: Any, emit: Callable[[str], object], indent: int, level: int, inline_depth: int) -> None:
    if level >= inline_depth or not isinstance(value, Mapping | list | tuple) or not value:
        emit(_inline(value))
        return
    pad, inner = " " * (indent * level), " " * (indent * (level + 1))
    if isinstance(value, Mapping):
        emit("{\n")
        for i, (k, v) in enumerate(value.items()):
            emit(f"{',' + chr(10) if i else ''}{inner}{_string(str(k))}: ")
            _write(v, emit, indent, level + 1, inline_depth)
        emit(f"\n{pad}}}")
    else:
        emit("[\n")
        for i, v in enumerate(value):
            emit(f",\n{inner}" if i else inner)
            _write(v, emit, indent, level + 1, inline_depth)
        emit(f"\n{pad}]")


def _inline(value: Any) -> str:
    # Every unit line of a national results.json holds ~100 decimals: the common types are tested first, by
    # class, and a container's decimal and text items are written without a call of their own.
    cls = value.__class__
    if cls is Decimal:
        return _decimal(value)
    if cls is str:
        return _string(value)
    if cls is dict or isinstance(value, Mapping):
        items = [
            f"{_string(k if k.__class__ is str else str(k))}: {_decimal(v) if v.__class__ is Decimal else _inline(v)}"
            for k, v in value.items()
        ]
        return "{" + ", ".join(items) + "}"
    if cls is list or cls is tuple or isinstance(value, list | tuple):
        return "[" + ", ".join([_inline(v) for v in value]) + "]"
    return json.dumps(value)


# Codes, names, band labels and scores repeat across thousands of units: each is encoded once.
@functools.lru_cache(maxsize=100_000)
def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _decimal(d: Decimal) -> str:
    if not d.is_finite():
        raise ValueError(f"not a finite number: {d}")
    return _finite_decimal(d)


@functools.lru_cache(maxsize=100_000)
def _finite_decimal(d: Decimal) -> str:
    """Equal decimals (1.0, 1) give the same text, so one entry serves both."""
    text = format(d.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def results_dict(results: Results) -> dict[str, Any]:
    """The ``results.json`` document (README, "results.json"); later versions add keys, never change these."""
    c = results.campaign
    return {
        "schema": SCHEMA_VERSION,
        "campaign": {
            "id": c.id,
            "title": c.title,
            "province": c.province,
            "year": c.year,
            "authority": c.authority,
            "criteria_decision": c.criteria_decision,
        },
        "draft": results.draft,
        "generator": f"egov-xlsx {results.tool_version}".strip(),
        "previous_year": results.previous_year,
        "tiers": [_tier(t, index=c.display.index) for t in results.tiers],
        **({"appraisers": [{"code": a.code, "name": a.name} for a in c.appraisers]} if c.appraisers else {}),
    }


def _tier(t: TierResult, *, index: bool = False) -> dict[str, Any]:
    tier = t.tier
    codes = tuple(c.code for c in tier.walk())
    return {
        "id": tier.id,
        "name": tier.name,
        "max": tier.max,
        "bands": [
            {"name": b.name, "above_percent" if b.exclusive else "min_percent": b.min_percent} for b in tier.bands
        ],
        "criteria": [_criterion(tier, c) for c in tier.walk()],
        "units": [
            _with_group(
                tier, u, _with_bodies(tier, _with_index(tier, u, _unit(codes, u)) if index else _unit(codes, u), u)
            )
            for u in t.units
        ],
        "excluded": [{"code": u.code, "name": u.name, "reason": why} for u, why in t.excluded],
        # A group's block (ranked apart), or a tier whose groups rank together on percent of own maximum.
        **({"group": _group(tier.group)} if tier.group is not None else {}),
        **({"groups": [_group(g) for g in tier.groups]} if tier.groups else {}),
    }


def _group(group: Group) -> dict[str, Any]:
    return {"code": group.code, "name": group.name, "exclude": sorted(group.exclude)}


def _with_group(tier: Tier, u: UnitResult, data: dict[str, Any]) -> dict[str, Any]:
    """A unit's entry with its group's code and name, when it is in one."""
    group = tier.group_of(u.unit)
    if group is not None:
        data["group"] = {"code": group.code, "name": group.name}
    return data


def _criterion(tier: Tier, c: Criterion) -> dict[str, Any]:
    data: dict[str, Any] = {"code": c.code, "name": c.name, "max": c.max, "parent": tier.parent_code(c.code)}
    if c.rule is not None:
        data["rule"] = c.rule.kind
    if c.appraised_by:
        data["appraised_by"] = c.appraised_by
    return data


def _facts(facts: Facts) -> dict[str, Any]:
    """A rule-based criterion's facts: {"label"} (a level, Có/Không), {"count"}, or {"a", "b", "percent"}."""
    if facts.label is not None:
        return {"label": facts.label}
    if facts.b is None:
        return {"count": facts.a}
    return {"a": facts.a, "b": facts.b, "percent": facts.percent}


def _with_index(tier: Tier, u: UnitResult, data: dict[str, Any]) -> dict[str, Any]:
    """An index campaign's unit entry: the points as always, plus the exact index of the unit and of each criterion."""
    data["index"] = unit_index(u)
    data["criterion_index"] = criterion_indices(tier, u)
    return data


def _unit(codes: tuple[str, ...], u: UnitResult) -> dict[str, Any]:
    """One unit's entry; ``codes`` are the tier's criterion codes in tree order (the order of its scores)."""
    scores = u.scores
    data: dict[str, Any] = {
        "code": u.unit.code,
        "name": u.unit.name,
        "max": u.max,
        "scores": {code: scores[code] for code in codes if code in scores},
        "total": u.total,
        "percent": u.percent,
        "rank": u.rank,
        "band": u.band,
        "ranked": u.unit.ranked,
        "shared_rank": u.shares_rank,
        "self_scores": dict(u.self_scores),
        "appraised_scores": dict(u.appraised),
        "appraisal_reasons": dict(u.appraisal_reasons),
        "not_applicable": sorted(u.not_applicable),
        "adjustments": dict(u.adjustments),
    }
    if u.facts:
        data["facts"] = {code: _facts(u.facts[code]) for code in codes if code in u.facts}
    if u.appraised_facts:
        data["appraised_facts"] = {code: _facts(u.appraised_facts[code]) for code in codes if code in u.appraised_facts}
    if not u.unit.ranked:
        data["unranked_reason"] = u.unit.unranked_reason
    if u.tie_note:
        data["tie_note"] = u.tie_note
    if u.sources:
        data["sources"] = {code: u.sources[code] for code in codes if code in u.sources}
    if u.council_missing:
        data["council_missing"] = sorted(u.council_missing)
    if u.previous is not None:
        data["previous"] = {
            "year": u.previous.year,
            "code": u.previous.code,
            "rank": u.previous.rank,
            "total": u.previous.total,
            "percent": u.previous.percent,
        }
    return data


def _with_bodies(tier: Tier, data: dict[str, Any], u: UnitResult) -> dict[str, Any]:
    """With appraising bodies, who appraised what: criterion or line code -> body code, for every appraised
    score and every bonus/penalty line the council set (not 0, or with a reason); in tree order, then lines."""
    if not any(a.appraised_by for a in tier.adjustments) and not any(c.appraised_by for c in tier.leaf_criteria):
        return data
    codes = [c.code for c in tier.leaf_criteria if c.code in u.appraised]
    codes += [a.code for a in tier.adjustments if u.adjustments.get(a.code) or a.code in u.appraisal_reasons]
    by = {code: tier.appraiser_of(code) for code in codes if tier.appraiser_of(code)}
    return {**data, "appraised_by": by} if by else data


def check_dict(report: CheckReport) -> dict[str, Any]:
    """What ``egov-xlsx check --json`` prints: the roster status per tier and every finding."""
    tiers = []
    for tier in report.campaign.tiers:
        statuses = [s for s in report.statuses if s.tier_id == tier.id]
        tiers.append(
            {
                "id": tier.id,
                "name": tier.name,
                "counts": {state.value: sum(s.state is state for s in statuses) for state in UnitState},
                "units": [
                    {
                        "code": s.unit.code,
                        "name": s.unit.name,
                        "state": s.state.value,
                        "files": list(s.files),
                        "errors": s.errors,
                        "warnings": s.warnings,
                        "contact": s.unit.contact,
                    }
                    for s in statuses
                ],
            }
        )
    return {
        "campaign": report.campaign.id,
        "valid": report.valid,
        "files_read": report.files_read,
        "counts": _severity_counts(report.findings),
        "tiers": tiers,
        "unknown_files": list(report.unknown_files),
        "ignored_files": list(report.ignored_files),
        "findings": [f.to_dict() for f in report.findings],
    }


def _severity_counts(items: Sequence[Any]) -> dict[str, int]:
    return {s.value: sum(f.severity is s for f in items) for s in Severity}
