"""Year over year: an earlier year's ``results.json`` matched to this year's units and criteria.

Units are matched by code, or through ``previous_codes`` in the roster for renamed or merged units (the
first listed code found wins). Criteria are matched by code; a criterion present in only one year is a
warning, since its scores cannot be compared.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from egov_xlsx import findings
from egov_xlsx.errors import EgovError
from egov_xlsx.model import Campaign, Finding, PreviousStanding, Tier

RESULTS_NAME = "results.json"


class PreviousResultsError(EgovError, ValueError):
    """The earlier year's results cannot be used."""


@dataclass(frozen=True)
class PreviousYear:
    """Standings of an earlier year keyed by this year's tier id and unit code."""

    year: int
    standings: Mapping[str, Mapping[str, PreviousStanding]]
    findings: tuple[Finding, ...]


def results_file(path: Path) -> Path:
    """``path`` itself when it is a file, else the ``results.json`` inside the folder."""
    return path if path.is_file() else path / RESULTS_NAME


def load_previous(path: Path, campaign: Campaign) -> PreviousYear:
    """Read an earlier year's ``results.json`` (or the output folder holding it) and match it to ``campaign``."""
    file = results_file(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8-sig"), parse_float=Decimal, parse_int=Decimal)
    except FileNotFoundError as exc:
        raise PreviousResultsError(f"Không tìm thấy kết quả năm trước: {file}.") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PreviousResultsError(f"Không đọc được kết quả năm trước {file}: {exc}.") from exc
    try:
        return match_previous(data, campaign)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PreviousResultsError(f"Tệp {file} không phải results.json của egov-xlsx (thiếu {exc}).") from exc


def match_previous(data: Mapping[str, Any], campaign: Campaign) -> PreviousYear:
    """Match a parsed ``results.json`` (numbers as Decimal) to this campaign's tiers and units (pure)."""
    year = int(data["campaign"]["year"])
    by_code: dict[str, tuple[str, dict[str, Any]]] = {}
    criteria: dict[str, set[str]] = {}
    for tier in data["tiers"]:
        criteria[str(tier["id"])] = {str(c["code"]) for c in tier["criteria"]}
        for unit in tier["units"]:
            by_code[str(unit["code"])] = (str(tier["id"]), unit)
    standings: dict[str, dict[str, PreviousStanding]] = {}
    problems: list[Finding] = []
    for tier in campaign.tiers:
        matched: dict[str, PreviousStanding] = {}
        for unit in tier.units:
            for code in (unit.code, *unit.previous_codes):
                if code in by_code:
                    _, old = by_code[code]
                    rank = old.get("rank")
                    matched[unit.code] = PreviousStanding(
                        year=year,
                        code=code,
                        rank=None if rank is None else int(rank),
                        total=Decimal(old["total"]),
                        percent=Decimal(old["percent"]),
                    )
                    break
        standings[tier.id] = matched
        problems.extend(_criteria_changes(tier, criteria.get(tier.id), year))
    return PreviousYear(year, standings, tuple(problems))


def _criteria_changes(tier: Tier, old: set[str] | None, year: int) -> list[Finding]:
    if old is None:
        return []
    now = {c.code for c in tier.walk()}
    out = [
        findings.make("previous-criterion-added", tier=tier.id, criterion=code, year=year)
        for code in sorted(now - old, key=_code_key)
    ]
    out += [
        findings.make("previous-criterion-removed", tier=tier.id, criterion=code, year=year)
        for code in sorted(old - now, key=_code_key)
    ]
    return out


def _code_key(code: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(p), "") if p.isdigit() else (0, p) for p in code.split("."))
