"""Machine-readable forms of a check report and of results (``results.json``), with exact decimals.

JSON numbers are written from the decimals themselves (417.3, never 417.29999999999995): the standard
``json`` module would go through ``float``, so :func:`dumps` writes the numbers itself.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from egov_xlsx.model import CheckReport, Results, Severity, TierResult, UnitResult, UnitState

SCHEMA_VERSION = 1


def dumps(value: Any, indent: int = 2, inline_depth: int = 4) -> str:
    """JSON text of ``value`` (dicts, lists, str, int, Decimal, bool, None), decimals written exactly.

    Containers are indented down to ``inline_depth`` levels; deeper ones are written on one line, so each
    unit of ``results.json`` is one line (10,000 units stay a few megabytes, quick to write and to diff).
    """
    chunks: list[str] = []
    _write(value, chunks, indent, 0, inline_depth)
    chunks.append("\n")
    return "".join(chunks)


def _write(value: Any, out: list[str], indent: int, level: int, inline_depth: int) -> None:
    if level >= inline_depth or not isinstance(value, Mapping | list | tuple) or not value:
        out.append(_inline(value))
        return
    pad, inner = " " * (indent * level), " " * (indent * (level + 1))
    if isinstance(value, Mapping):
        out.append("{\n")
        for i, (k, v) in enumerate(value.items()):
            out.append(f"{',' + chr(10) if i else ''}{inner}{_string(str(k))}: ")
            _write(v, out, indent, level + 1, inline_depth)
        out.append(f"\n{pad}}}")
    else:
        out.append("[\n")
        for i, v in enumerate(value):
            out.append(f",\n{inner}" if i else inner)
            _write(v, out, indent, level + 1, inline_depth)
        out.append(f"\n{pad}]")


def _inline(value: Any) -> str:
    if isinstance(value, Decimal):
        return _decimal(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_string(str(k))}: {_inline(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    return json.dumps(value)


_STRINGS: dict[str, str] = {}
_DECIMALS: dict[Decimal, str] = {}


def _string(text: str) -> str:
    # Codes, names and band labels repeat across thousands of units: encode each once.
    found = _STRINGS.get(text)
    if found is None:
        found = json.dumps(text, ensure_ascii=False)
        if len(_STRINGS) < 100_000:
            _STRINGS[text] = found
    return found


def _decimal(d: Decimal) -> str:
    found = _DECIMALS.get(d)  # equal decimals (1.0, 1) normalise to the same text
    if found is not None:
        return found
    if not d.is_finite():
        raise ValueError(f"not a finite number: {d}")
    text = format(d.normalize(), "f")
    text = "0" if text in ("-0", "0") else text
    if len(_DECIMALS) < 100_000:
        _DECIMALS[d] = text
    return text


def results_dict(results: Results) -> dict[str, Any]:
    """The ``results.json`` document (DESIGN.md section 2); later versions add keys, never change these."""
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
        "tiers": [_tier(t) for t in results.tiers],
    }


def _tier(t: TierResult) -> dict[str, Any]:
    tier = t.tier
    return {
        "id": tier.id,
        "name": tier.name,
        "max": tier.max,
        "bands": [{"name": b.name, "min_percent": b.min_percent} for b in tier.bands],
        "criteria": [
            {"code": c.code, "name": c.name, "max": c.max, "parent": tier.parent_code(c.code)} for c in tier.walk()
        ],
        "units": [_unit(t, u) for u in t.units],
        "excluded": [{"code": u.code, "name": u.name, "reason": why} for u, why in t.excluded],
    }


def _unit(t: TierResult, u: UnitResult) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": u.unit.code,
        "name": u.unit.name,
        "max": u.max,
        "scores": {c.code: u.scores[c.code] for c in t.tier.walk() if c.code in u.scores},
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
    if not u.unit.ranked:
        data["unranked_reason"] = u.unit.unranked_reason
    if u.tie_note:
        data["tie_note"] = u.tie_note
    if u.previous is not None:
        data["previous"] = {
            "year": u.previous.year,
            "code": u.previous.code,
            "rank": u.previous.rank,
            "total": u.previous.total,
            "percent": u.previous.percent,
        }
    return data


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
