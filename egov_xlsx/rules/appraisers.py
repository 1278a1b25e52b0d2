"""Several appraising bodies (``[[appraisers]]``): each body's file judged, the files merged, and what only a split
appraisal can get wrong found; and the rows of each body's file for ``egov-xlsx appraisal``.

``check_bodies(campaign, submissions) -> AppraisalCheck | None``
    What :func:`egov_xlsx.rules.appraisal.check_appraisal` is for one file, for every body's
    ``appraisal/tham-dinh-<code>.xlsx``: each file is judged by the same rules
    (:func:`egov_xlsx.rules.appraisal.judge`), its records carry the body's code. ``None`` when there is no
    body's file and nothing else in ``appraisal/`` (the appraisal has not started: as without ``appraisal.xlsx``).

Findings of the split (each at its file, sheet and cell):

- ``appraisal-not-assigned`` (error): a value a body entered for a criterion or line assigned to another body
  (``appraised_by``); not used.
- ``appraisal-two-bodies`` (error): the same, when the body it is assigned to entered a value too.
- ``appraisal-body-missing`` (warning): once one body's file exists, another body's file is missing; its
  criteria keep the units' own scores, as every criterion does without ``appraisal.xlsx``.
- ``appraisal-unknown-file`` (warning): a file in ``appraisal/`` that is no body's (nor a backup), or an
  ``appraisal.xlsx``, which is not read when the campaign has bodies.

``plan_body(campaign, submissions, previous, body)``
    The rows of one body's file (:func:`egov_xlsx.rules.appraisal_update.plan_sheets` narrowed to the body's
    leaves and lines), with what was entered put back; a value entered for a line now assigned to another
    body is kept as an orphan, with why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from egov_xlsx import findings
from egov_xlsx.model import Appraisal, Appraiser, Campaign, Finding, Submission, Tier
from egov_xlsx.read.appraisal import Entry, tier_of
from egov_xlsx.read.appraisers import body_path, read_body, relocate, shown_name, stray_files
from egov_xlsx.rules.appraisal import AppraisalCheck, judge
from egov_xlsx.rules.appraisal_update import Orphan, TierSheet, plan_sheets

Key = tuple[str, str, str]


def check_bodies(campaign: Campaign, submissions: Sequence[Submission]) -> AppraisalCheck | None:
    """Read, judge and merge every body's file; see the module docstring."""
    present = [b for b in campaign.appraisers if body_path(campaign, b.code).is_file()]
    strays = stray_files(campaign)
    if not present and not strays:
        return None
    out: list[Appraisal] = []
    problems: list[Finding] = []
    entered: dict[Key, tuple[Appraiser, Entry]] = {}
    foreign: list[tuple[Appraiser, Entry, str]] = []
    for body in present:
        entries, unreadable = read_body(campaign, body)
        if unreadable:
            problems += unreadable
            continue
        mine: list[Entry] = []
        for e in entries:
            owner = _owner(campaign, e)
            if owner is not None and owner != body.code:
                foreign.append((body, e, owner))
            else:
                mine.append(e)
                key = _key(campaign, e)
                if key is not None and _used(e):
                    entered.setdefault(key, (body, e))
        judged = judge(campaign, mine, submissions)
        out += [replace(a, appraiser=body.code) for a in judged.appraisals]
        problems += [relocate(f, body.code) for f in judged.findings]
    for body, e, owner in foreign:
        problems.append(_foreign(campaign, body, e, owner, entered.get(_key(campaign, e) or ("", "", ""))))
    for body in campaign.appraisers if present else ():
        if body not in present:
            problems.append(
                findings.make("appraisal-body-missing", file=shown_name(body.code), value=body.code, name=body.name)
            )
    for name in strays:
        problems.append(findings.make("appraisal-unknown-file", file=name, value=name))
    return AppraisalCheck(tuple(out), tuple(problems))


def _used(e: Entry) -> bool:
    """Whether judging would look at the row: a tier sheet's row with a value or facts, and no formula."""
    return not e.orphan and not e.formulas and (e.value is not None or e.has_facts)


def _key(campaign: Campaign, e: Entry) -> Key | None:
    tier = tier_of(campaign, e)
    return None if tier is None else (tier.id, e.unit_code, e.criterion)


def _owner(campaign: Campaign, e: Entry) -> str | None:
    """The body a used row's criterion or line is assigned to; ``None`` when the row is not one to judge that way
    (unused, unknown unit or code: judging tells those)."""
    if not _used(e):
        return None
    tier = tier_of(campaign, e)
    if tier is None or tier.unit(e.unit_code) is None or not _is_line(tier, e.criterion):
        return None
    return tier.appraiser_of(e.criterion) or None


def _is_line(tier: Tier, code: str) -> bool:
    if tier.has_criterion(code):
        return tier.criterion(code).is_leaf
    return any(a.code == code for a in tier.adjustments)


def _foreign(
    campaign: Campaign, body: Appraiser, e: Entry, owner: str, theirs: tuple[Appraiser, Entry] | None
) -> Finding:
    tier = tier_of(campaign, e)
    other = campaign.appraiser(owner)
    where: dict[str, Any] = {
        "file": shown_name(body.code),
        "sheet": e.sheet,
        "cell": e.cell("value"),
        "unit": e.unit_code,
        "criterion": e.criterion,
        "tier": tier.id if tier else None,
        "value": None if e.value is None else str(e.value),
        "body": body.name,
        "owner": other.name if other else owner,
        "owner_file": shown_name(owner),
    }
    if theirs is None:
        return findings.make("appraisal-not-assigned", **where)
    return findings.make("appraisal-two-bodies", first=theirs[1].cell("value"), **where)


def plan_body(
    campaign: Campaign, submissions: Sequence[Submission], previous: Sequence[Entry], body: Appraiser
) -> tuple[list[TierSheet], list[Orphan], int]:
    """One body's sheets (the tiers where it has a leaf or a line; every tier when it has none), the orphans,
    and how many entered values were put back into a row."""
    sheets, orphans, kept = plan_sheets(campaign, submissions, previous)
    out: list[TierSheet] = []
    for sheet in sheets:
        tier = sheet.tier
        rows = []
        for row in sheet.rows:
            owner = tier.appraiser_of(row.code)
            if owner == body.code:
                rows.append(row)
            elif row.value is not None or row.reason or row.fact is not None or row.fact_b is not None:
                other = campaign.appraiser(owner)
                why = f"Tiêu chí do {other.name if other else owner} thẩm định (appraised_by trong egov.toml)"
                orphans.append(
                    Orphan(tier.id, row.unit.code, row.unit.name, row.code, row.name, row.value, row.reason, why)
                )
                kept -= 1
        out.append(TierSheet(tier, tuple(rows)))
    mine = [s for s in out if _assigned_in(s.tier, body.code)]
    return (mine or out), orphans, kept


def _assigned_in(tier: Tier, code: str) -> bool:
    return any(c.appraised_by == code for c in tier.leaf_criteria) or any(
        a.appraised_by == code for a in tier.adjustments
    )
