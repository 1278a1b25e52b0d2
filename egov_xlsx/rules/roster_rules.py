"""The roster rules (pure): every checked file put on its unit's roster line, one submission per unit chosen,
duplicates and missing units reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from egov_xlsx import findings
from egov_xlsx.model import (
    Campaign,
    Finding,
    Severity,
    Submission,
    Tier,
    Unit,
    UnitState,
    UnitStatus,
)
from egov_xlsx.rules.checked import Checked
from egov_xlsx.vietnamese import ascii_fold, safe_filename


@dataclass(frozen=True)
class RosterCheck:
    """The roster view of all files: one submission per unit, every unit's status, roster findings."""

    submissions: tuple[Submission, ...]
    statuses: tuple[UnitStatus, ...]
    findings: tuple[Finding, ...]
    #: Identical copies not used (their findings would repeat the used copy's).
    redundant: frozenset[str] = frozenset()
    #: File name -> the findings that replace the file's own: a file that is no form of this campaign,
    #: put on a unit's roster line (its findings then name the unit), or set aside with one warning
    #: because the unit also sent a valid form.
    rewritten: Mapping[str, tuple[Finding, ...]] = field(default_factory=dict)


def check_roster(campaign: Campaign, checked: Sequence[Checked]) -> RosterCheck:
    """Pick each unit's submission and report duplicates and missing units.

    Several identical files for a unit: a warning, and the one named as the tool names forms
    ("CODE - Name.xlsx") is used, else the first by file name. Several different files: an error naming
    them with their modification times, and none is used until the clerk moves the superseded ones into a
    subfolder of ``inbox/``.

    A file that is no form of this campaign (empty, unreadable, not a form, a form of another campaign or
    year) still belongs on a roster line, so that its unit reads "submitted, with errors" and not "missing":
    the unit its metadata names when that code is in the roster, else the unit whose code starts its file
    name (see :func:`unit_by_file_name`). Such a file is never scored. When the unit also has a valid form,
    the file's errors become one ``file-not-used`` warning and the unit counts as submitted.
    """
    forms: dict[str, list[Checked]] = {}
    rejected: dict[str, list[Checked]] = {}
    for item in checked:
        if item.unit_code is not None:
            forms.setdefault(item.unit_code, []).append(item)
        elif item.unknown_unit is None and any(f.is_error for f in item.findings):
            owner = _owner(campaign, item)
            if owner is not None:
                rejected.setdefault(owner.code, []).append(item)
    chosen: list[Submission] = []
    statuses: list[UnitStatus] = []
    extra: list[Finding] = []
    redundant: set[str] = set()
    rewritten: dict[str, tuple[Finding, ...]] = {}
    for tier in campaign.tiers:
        for unit in tier.units:
            items = sorted(forms.get(unit.code, []), key=lambda i: i.source.name)
            others = sorted(rejected.get(unit.code, []), key=lambda i: i.source.name)
            outcome = _unit_status(tier, unit, items, others)
            statuses.append(outcome.status)
            extra.extend(outcome.problems)
            if outcome.submission is not None:
                chosen.append(outcome.submission)
            redundant.update(outcome.redundant)
            rewritten.update(outcome.rewritten)
    return RosterCheck(tuple(chosen), tuple(statuses), tuple(extra), frozenset(redundant), rewritten)


def _owner(campaign: Campaign, item: Checked) -> Unit | None:
    if item.foreign_unit:
        found = campaign.find_unit(item.foreign_unit)
        if found is not None:
            return found[1]
    return unit_by_file_name(campaign, item.source.name)


def unit_by_file_name(campaign: Campaign, file_name: str) -> Unit | None:
    """The roster unit whose code starts the file name, as the tool names forms ("SKHDT - So ....xlsx").

    The code must be followed by the end of the name or a separator (space, "-", "_", ".", "(", ","), so
    "STC" does not claim "STCB.xlsx"; of several matching codes the longest wins. Case and diacritics are
    ignored. Only for files that cannot be read as a form: a form is always identified by its own content.
    """
    stem = ascii_fold(file_name.rsplit(".", 1)[0]).casefold().strip()
    best: Unit | None = None
    for unit, code, _name in campaign.folded_roster:
        if not code or not stem.startswith(code):
            continue
        rest = stem[len(code) :]
        if (not rest or rest[0] in " -_.(,") and (best is None or len(code) > len(best.code)):
            best = unit
    return best


@dataclass(frozen=True)
class _Outcome:
    status: UnitStatus
    submission: Submission | None = None
    problems: tuple[Finding, ...] = ()
    redundant: tuple[str, ...] = ()
    rewritten: Mapping[str, tuple[Finding, ...]] = field(default_factory=dict)


def _unit_status(tier: Tier, unit: Unit, items: list[Checked], others: list[Checked]) -> _Outcome:
    """One unit's state from its forms (``items``, identified by content) and its unusable files (``others``)."""
    if not items and not others:
        contact = f" (liên hệ: {unit.contact})" if unit.contact else ""
        problem = findings.make("unit-missing", unit=unit.code, tier=tier.id, name=unit.name, contact=contact)
        return _Outcome(UnitStatus(tier.id, unit, UnitState.MISSING, errors=1), problems=(problem,))
    files = tuple(i.source.name for i in items)
    own = [f for i in items for f in i.findings]
    problems: list[Finding] = []
    redundant: tuple[str, ...] = ()
    sub: Submission | None = None
    distinct = {i.source.sha256 for i in items}
    if len(items) > 1 and len(distinct) > 1:
        listed = ", ".join(f"{i.source.name} (sửa lần cuối {_when(i.source.mtime)})" for i in items)
        problems.append(findings.make("unit-duplicate", unit=unit.code, tier=tier.id, count=len(items), files=listed))
        state = UnitState.DUPLICATE
    elif items:
        # The name decides only between several identical files.
        used = (
            items[0]
            if len(items) == 1
            else min(items, key=lambda i: (not _properly_named(unit, i.source.name), i.source.name))
        )
        if len(items) > 1:
            redundant = tuple(i.source.name for i in items if i is not used)
            problems.append(
                findings.make(
                    "unit-duplicate-identical",
                    unit=unit.code,
                    tier=tier.id,
                    count=len(items),
                    files=", ".join(files),
                    used=used.source.name,
                    file=used.source.name,
                )
            )
            own = list(used.findings)
        sub = used.submission
        state = UnitState.SUBMITTED if sub is not None and sub.valid else UnitState.INVALID
    else:
        state = UnitState.INVALID
    rewritten: dict[str, tuple[Finding, ...]] = {}
    for other in others:
        name = other.source.name
        files += (name,)
        if state is UnitState.SUBMITTED and sub is not None:
            why = next(f for f in other.findings if f.is_error)
            rewritten[name] = (
                findings.make(
                    "file-not-used",
                    file=name,
                    unit=unit.code,
                    tier=tier.id,
                    detail=_lower_first(findings.CATALOGUE[why.code].title),
                    used=sub.source.name,
                ),
            )
        else:
            rewritten[name] = tuple(replace(f, unit=unit.code, tier=tier.id) for f in other.findings)
        own.extend(rewritten[name])
    errors = sum(f.is_error for f in own) + sum(f.is_error for f in problems)
    warnings = sum(f.severity is Severity.WARNING for f in [*own, *problems])
    status = UnitStatus(tier.id, unit, state, files, errors, warnings)
    return _Outcome(status, sub, tuple(problems), redundant, rewritten)


def _properly_named(unit: Unit, file_name: str) -> bool:
    """The file is named as the tool names the unit's form ("SKHDT - So Ke hoach va Dau tu.xlsx")."""
    stem = file_name.rsplit(".", 1)[0]
    return stem.casefold() == safe_filename(f"{unit.code} - {unit.name}").casefold()


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _when(mtime: float) -> str:
    return datetime.fromtimestamp(mtime).strftime("%H:%M:%S ngày %d/%m/%Y")


def unique_findings(items: Iterable[Finding]) -> list[Finding]:
    """Findings in the catalogue's stable order, each once."""
    seen: set[Finding] = set()
    out: list[Finding] = []
    for f in sorted(items, key=findings.sort_key):
        if f not in seen:
            seen.add(f)
            out.append(f)
    return out
