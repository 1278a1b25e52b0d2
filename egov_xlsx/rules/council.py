"""The values of criteria the council scores (``source = "council"``), gathered and judged (pure but for reading
the kept tables of ``CAMPAIGN/imports/``).

A council criterion is on no unit's form. Its value for a unit comes from one of two places: a table imported
with ``egov-xlsx import`` (kept in ``imports/`` as ``CODE - original name.csv``), or the council's own row in
``appraisal.xlsx``. Rules:

* such a value needs no reason (it is the council's own, not a correction of the unit's);
* a unit with no value for a council criterion is ``council-value-missing``, an error: a final build waits for
  it, a draft leaves the criterion out of both the unit's total and its maximum and says so;
* a value given both by an import and in ``appraisal.xlsx`` is ``council-value-twice``, an error (the
  imported value is the one a draft uses).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from egov_xlsx import findings
from egov_xlsx.model import (
    Appraisal,
    Campaign,
    CouncilValue,
    Criterion,
    Finding,
    SourceFile,
    Submission,
    Tier,
    TierResult,
)
from egov_xlsx.read.imports import IMPORTS, TABLE_SUFFIXES, TableUnreadable, read_table
from egov_xlsx.rules.import_rules import judge_table
from egov_xlsx.vietnamese import clean, format_number

#: What outputs say a value entered in the council's file came from.
APPRAISAL_ORIGIN = "appraisal.xlsx"
#: Between a kept copy's criterion code and its original name: "8.1 - khao-sat.csv".
COPY_SEPARATOR = " - "


@dataclass(frozen=True)
class CouncilCheck:
    """The council values found, the appraisal records left for the usual appraisal, the findings."""

    values: tuple[CouncilValue, ...]
    appraisals: tuple[Appraisal, ...]
    findings: tuple[Finding, ...]
    #: The kept tables read, with their checksums (provenance).
    files: tuple[SourceFile, ...] = ()


def has_council(campaign: Campaign) -> bool:
    return any(t.council_leaf_codes for t in campaign.tiers)


def copy_name(code: str, original: str) -> str:
    """The kept copy's file name: the criterion's code, then the original file's name."""
    return f"{code}{COPY_SEPARATOR}{original}"


def kept_copies(campaign: Campaign) -> list[tuple[str, str, Path]]:
    """The tables in ``imports/``: (criterion code, original name, path), by name; files not named as the tool
    names copies are skipped."""
    folder = campaign.folder / IMPORTS
    if not folder.is_dir():
        return []
    out: list[tuple[str, str, Path]] = []
    for path in sorted(folder.iterdir(), key=lambda p: clean(p.name).casefold()):
        name = clean(path.name)
        if name.startswith(".") or path.suffix.lower() not in TABLE_SUFFIXES or COPY_SEPARATOR not in name:
            continue
        code, original = name.split(COPY_SEPARATOR, 1)
        out.append((code, original, path))
    return out


def check_council(campaign: Campaign, appraisals: Sequence[Appraisal]) -> CouncilCheck:
    """Read the kept tables, take the council criteria's rows out of the appraisal records, and judge them all."""
    if not has_council(campaign):
        return CouncilCheck((), tuple(appraisals), ())
    problems: list[Finding] = []
    files: list[SourceFile] = []
    imported: dict[tuple[str, str, str], CouncilValue] = {}
    for code, original, path in kept_copies(campaign):
        file = f"{IMPORTS}/{copy_name(code, original)}"
        try:
            table = read_table(path)
        except (TableUnreadable, OSError) as exc:
            detail = str(exc) if isinstance(exc, TableUnreadable) else (exc.strerror or str(exc))
            problems.append(findings.make("import-unreadable", file=file, detail=detail))
            continue
        data = table.content
        stat = path.stat()
        files.append(
            SourceFile(path, file, len(data), hashlib.sha256(data).hexdigest(), stat.st_mtime, path.suffix[1:])
        )
        judged = judge_table(campaign, table, [code], file=file, origin=original)
        problems += judged.findings
        for v in judged.values:
            key = (v.tier_id, v.unit_code, v.criterion)
            if key in imported:
                first = f"{imported[key].file}: {imported[key].cell}"
                problems.append(
                    findings.make(
                        "import-duplicate", file=file, cell=v.cell, criterion=v.criterion, unit=v.unit_code, first=first
                    )
                )
                continue
            imported[key] = v
    entered, rest = _split(campaign, appraisals)
    values = dict(imported)
    for a in entered:
        key = (a.tier_id, a.unit_code, a.criterion)
        other = imported.get(key)
        if other is not None:
            problems.append(
                findings.make(
                    "council-value-twice",
                    file=APPRAISAL_ORIGIN,
                    sheet=_sheet(campaign, a.tier_id),
                    cell=a.cell,
                    criterion=a.criterion,
                    unit=a.unit_code,
                    tier=a.tier_id,
                    origin=other.origin,
                    value=format_number(other.score),
                )
            )
            continue
        values[key] = CouncilValue(
            a.tier_id, a.unit_code, a.criterion, a.score, APPRAISAL_ORIGIN, APPRAISAL_ORIGIN, a.cell, a.facts
        )
    problems += _missing(campaign, values)
    return CouncilCheck(tuple(values.values()), rest, tuple(problems), tuple(files))


def _sheet(campaign: Campaign, tier_id: str) -> str | None:
    tier = campaign.tier(tier_id)
    return tier.name if tier else None


def _split(campaign: Campaign, appraisals: Sequence[Appraisal]) -> tuple[list[Appraisal], tuple[Appraisal, ...]]:
    """The records of council criteria, and the rest (appraised scores of the units' own, bonus/penalty lines)."""
    council = {t.id: t.council_leaf_codes for t in campaign.tiers}
    entered = [a for a in appraisals if a.criterion in council.get(a.tier_id, frozenset())]
    return entered, tuple(a for a in appraisals if a.criterion not in council.get(a.tier_id, frozenset()))


def _missing(campaign: Campaign, values: Mapping[tuple[str, str, str], CouncilValue]) -> list[Finding]:
    out: list[Finding] = []
    for tier in campaign.tiers:
        for leaf in tier.leaf_criteria:
            if not leaf.council:
                continue
            for unit in tier.units:
                if (tier.id, unit.code, leaf.code) not in values:
                    out.append(
                        findings.make(
                            "council-value-missing",
                            criterion=leaf.code,
                            name=leaf.name,
                            unit=unit.code,
                            unit_name=unit.name,
                            tier=tier.id,
                            where=_entered_in(tier, leaf),
                        )
                    )
    return out


def _entered_in(tier: Tier, leaf: Criterion) -> str:
    """The workbook where the council enters the leaf's value by hand: its appraising body's, or appraisal.xlsx."""
    body = tier.appraiser_of(leaf.code)
    return f"appraisal/tham-dinh-{body}.xlsx" if body else "appraisal.xlsx"


def with_council(tier: Tier, sub: Submission, values: Iterable[CouncilValue]) -> Submission:
    """The unit's submission with its council values added; a council criterion without one is left out of both
    its total and its maximum (as a criterion not applicable is)."""
    given = {v.criterion: v for v in values if v.tier_id == tier.id and v.unit_code == sub.unit_code}
    missing = tier.council_leaf_codes - given.keys()
    facts = {code: v.facts for code, v in given.items() if v.facts is not None}
    return replace(
        sub,
        scores={**sub.scores, **{code: v.score for code, v in given.items()}},
        not_applicable=sub.not_applicable | missing,
        facts={**sub.facts, **facts},
    )


def with_sources(result: TierResult, values: Iterable[CouncilValue]) -> TierResult:
    """Each unit's result saying where its council values came from, and which are missing."""
    tier = result.tier
    origins: dict[str, dict[str, str]] = {}
    for v in values:
        if v.tier_id == tier.id:
            origins.setdefault(v.unit_code, {})[v.criterion] = v.origin
    units = []
    for r in result.units:
        given = origins.get(r.unit.code, {})
        missing = tier.council_leaf_codes - given.keys()
        # Scored as not applicable (left out of total and maximum), said as missing: the unit did mark nothing.
        own = {code: v for code, v in r.self_scores.items() if code not in tier.council_leaf_codes}
        units.append(
            replace(
                r, sources=given, council_missing=missing, not_applicable=r.not_applicable - missing, self_scores=own
            )
        )
    return replace(result, units=tuple(units))
