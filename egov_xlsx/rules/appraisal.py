"""The appraisal council's file, ``CAMPAIGN/appraisal.xlsx``: write it, update it, read it back.

The council (hội đồng thẩm định) corrects scores without touching the units' files. It fills the yellow
columns of ``appraisal.xlsx``: an appraised score (điểm thẩm định) per unit and leaf criterion where it
disagrees with the self-assessed one, the value of each bonus/penalty line (``tiers.adjustments``: the
council sets them, a unit does not declare them), and a reason.

Library API
-----------
``write_appraisal(report, *, now, update=False) -> AppraisalWritten``
    Write the file from a check report: one sheet per tier, one row per unit with a submission (roster
    order) and leaf criterion (tree order), then the unit's bonus/penalty lines. When the file exists it
    raises :class:`AppraisalExists` (an ``OutputError``: exit code 4) unless ``update``; then it first copies
    the old file to ``appraisal.<YYYYmmdd-HHMMSS>.xlsx`` beside it (``now`` names it), and keeps every value
    and reason already entered, matched by (tier, unit code, criterion code), never by row position. Values
    left without a row go to the sheet "Dòng không còn dùng" and come back when their row does.
``pipeline.make_appraisal(campaign, *, now, update=False)``
    Check the inbox, then :func:`write_appraisal` (what ``egov-xlsx appraisal`` calls).
``check_appraisal(campaign, submissions) -> AppraisalCheck | None``
    Read the file (``None`` when there is none) and judge it: the usable :class:`~egov_xlsx.model.Appraisal`
    records and the findings (codes ``appraisal-*`` and ``adjustment-out-of-range``). ``pipeline.check``
    calls it, so the findings are in the :class:`~egov_xlsx.model.CheckReport` and an error blocks ``build``.
``for_tier(tier, appraisals) -> TierAppraisals``
    The records of one tier split into appraised leaf scores, bonus/penalty values and reasons, keyed by
    unit code, as :func:`egov_xlsx.rules.scoring.score_tier` takes them.
``read_entries(path, campaign)``, ``judge(campaign, entries, submissions)``
    The two halves of :func:`check_appraisal`: raw rows (tables found by their header labels), then the
    pure checks. The layout, the row planning and the xlsxwriter writer are in :mod:`egov_xlsx.publish.appraisal_sheet`.

Rules: a value is a number, or text holding one number ("4,5": read with a warning). A leaf's appraised score
lies in 0..max, a bonus/penalty value in min..max. A reason is required when the value changes the result (a
leaf score other than the self-assessed one, a bonus/penalty other than 0). An appraised score for a criterion
the unit marked not applicable is not used (warning). Rows with no value are ignored, whatever their codes.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from egov_xlsx import findings
from egov_xlsx.atomic import Staging, explain
from egov_xlsx.config import MAX_DECIMALS
from egov_xlsx.errors import OutputError
from egov_xlsx.model import ZERO, Appraisal, Campaign, CheckReport, Finding, Submission, Tier
from egov_xlsx.publish.appraisal_sheet import (
    FILE_NAME,
    HEADER_CRITERION,
    HEADER_CRITERION_NAME,
    HEADER_REASON,
    HEADER_TIER,
    HEADER_UNIT,
    HEADER_UNIT_NAME,
    HEADER_VALUE,
    LABEL_CAMPAIGN,
    LABEL_TIER_ID,
    Entry,
    plan,
    tier_of,
    tier_sheet_names,
    write_appraisal_workbook,
)
from egov_xlsx.read import gate
from egov_xlsx.rules.validate import NAN_DATE, NOT_A_NUMBER, parse_score, show_number, show_value
from egov_xlsx.vietnamese import clean, format_number

#: How far the reader looks (a tier of 1,000 units and 150 criteria stays under it).
MAX_ROWS = 200_000
MAX_COLUMNS = 30
HEADER_SEARCH_ROWS = 40

_HEADER_KEYS = {
    "unit": HEADER_UNIT,
    "unit_name": HEADER_UNIT_NAME,
    "criterion": HEADER_CRITERION,
    "criterion_name": HEADER_CRITERION_NAME,
    "value": HEADER_VALUE,
    "reason": HEADER_REASON,
    "tier": HEADER_TIER,
}
_REQUIRED = {"unit", "criterion", "value", "reason"}


class AppraisalExists(OutputError):
    """``appraisal.xlsx`` exists and ``update`` was not asked for: the council's values must not be lost."""


def appraisal_path(campaign: Campaign) -> Path:
    return campaign.folder / FILE_NAME


# --------------------------------------------------------------------------- reading


def read_entries(path: Path, campaign: Campaign) -> tuple[tuple[Entry, ...], tuple[Finding, ...]]:
    """Every table row of the file (tier sheets and the orphan sheet), and why the file cannot be used.

    Tables are found by their header labels in any sheet; a sheet without one (notes the council added)
    is skipped. The tier of a sheet is its "Mã khối:" label, else the tier its name was made from.
    Findings: ``appraisal-unreadable`` (file or no table) and ``appraisal-wrong-campaign``; with either,
    no entry is returned.
    """
    admitted = gate.admit(path)
    if not admitted.readable or admitted.content is None:
        gate_finding = admitted.findings[0] if admitted.findings else None
        why = findings.CATALOGUE[gate_finding.code].title.lower() if gate_finding else "không phải bảng tính"
        return (), (_finding("appraisal-unreadable", detail=why),)
    try:
        sheets = _load(admitted.content)
    except Exception as exc:  # every reader failure becomes a finding naming the file
        return (), (_finding("appraisal-unreadable", detail=clean(str(exc))[:200] or type(exc).__name__),)
    except BaseException as exc:
        # The reader panics (a BaseException) on a number it cannot turn into a date (-1E+30 under a date
        # format): the file cannot be read, which is the council's to fix, not the end of the run.
        if type(exc).__name__ != "PanicException":
            raise
        detail = "một ô có định dạng ngày tháng chứa số không thể là ngày tháng"
        return (), (_finding("appraisal-unreadable", detail=detail),)
    by_name = tier_sheet_names(campaign)
    entries: list[Entry] = []
    tables = 0
    for name, rows in sheets.items():
        found = _find_header(rows)
        if found is None:
            continue
        tables += 1
        header, columns = found
        labels = _labels(rows[:header])
        other = labels.get(LABEL_CAMPAIGN.casefold(), campaign.id)
        if other != campaign.id:
            return (), (_finding("appraisal-wrong-campaign", sheet=name, value=other, expected=campaign.id),)
        tier_id = labels.get(LABEL_TIER_ID.casefold()) or by_name.get(name)
        entries.extend(_entries(name, rows, header, columns, tier_id))
    if not tables:
        return (), (
            _finding("appraisal-unreadable", detail='không có bảng nào có dòng tiêu đề "Mã đơn vị | ... | Lý do"'),
        )
    return tuple(entries), ()


def _load(content: bytes) -> dict[str, list[list[Any]]]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
    try:
        out: dict[str, list[list[Any]]] = {}
        for meta in wb.sheets_metadata:
            rows = wb.get_sheet_by_name(meta.name).to_python(skip_empty_area=False, nrows=MAX_ROWS)
            out[clean(meta.name)] = [row[:MAX_COLUMNS] for row in rows]
        return out
    finally:
        wb.close()


def _find_header(rows: list[list[Any]]) -> tuple[int, dict[str, int]] | None:
    wanted = {label.casefold(): key for key, label in _HEADER_KEYS.items()}
    for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for c, cell in enumerate(row):
            key = wanted.get(_text(cell).casefold())
            if key is not None:
                columns.setdefault(key, c)
        if columns.keys() >= _REQUIRED:
            return r, columns
    return None


def _labels(rows: Iterable[list[Any]]) -> dict[str, str]:
    """Label ending in ":" (casefolded) -> the first non-empty value to its right."""
    found: dict[str, str] = {}
    for row in rows:
        for c, cell in enumerate(row):
            label = _text(cell).casefold()
            if label.endswith(":"):
                value = next((v for v in (_text(x) for x in row[c + 1 :]) if v), "")
                found.setdefault(label, value)
    return found


def _entries(
    sheet: str, rows: list[list[Any]], header: int, columns: dict[str, int], tier_id: str | None
) -> Iterable[Entry]:
    orphan = "tier" in columns
    for r in range(header + 1, len(rows)):
        row = rows[r]
        unit, criterion = _text(_at(row, columns["unit"])), _text(_at(row, columns["criterion"]))
        if not unit and not criterion:
            continue
        raw = _at(row, columns["value"])
        yield Entry(
            sheet=sheet,
            row=r + 1,
            tier_id=(_text(_at(row, columns["tier"])) or None) if orphan else tier_id,
            unit_code=unit,
            criterion=criterion,
            value=_value(raw),
            reason=_text(_at(row, columns["reason"])),
            columns=columns,
            unit_name=_text(_at(row, columns.get("unit_name"))),
            criterion_name=_text(_at(row, columns.get("criterion_name"))),
            orphan=orphan,
        )


def _value(raw: Any) -> Any:
    """A value cell as an entry holds it: text cleaned; no number at all (NaN, infinity, NaN under a date
    format) as Excel's "#NUM!", which judging reports and ``--update`` can write back."""
    if isinstance(raw, str):
        return clean(raw) or None
    if (isinstance(raw, float) and not math.isfinite(raw)) or (isinstance(raw, datetime) and raw == NAN_DATE):
        return NOT_A_NUMBER
    return raw


def _at(row: list[Any], col: int | None) -> Any:
    return row[col] if col is not None and col < len(row) else None


def _text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))  # a code retyped as a number ("1" -> 1.0) still names its criterion
    return clean(raw)


def _finding(code: str, **fields: Any) -> Finding:
    return findings.make(code, file=FILE_NAME, **fields)


# --------------------------------------------------------------------------- judging


@dataclass(frozen=True)
class AppraisalCheck:
    """What the council's file gives: the usable records (leaf scores and bonus/penalty values), the findings."""

    appraisals: tuple[Appraisal, ...]
    findings: tuple[Finding, ...]


def check_appraisal(campaign: Campaign, submissions: Sequence[Submission]) -> AppraisalCheck | None:
    """Read and judge ``appraisal.xlsx`` of the campaign; ``None`` when there is no such file.

    ``submissions`` are the check report's (valid or not): an appraisal for a unit without a valid one is
    a warning, for a criterion the unit marked not applicable too; neither is used.
    """
    path = appraisal_path(campaign)
    if not path.exists():
        return None
    entries, problems = read_entries(path, campaign)
    if problems:
        return AppraisalCheck((), problems)
    return judge(campaign, entries, submissions)


def judge(campaign: Campaign, entries: Iterable[Entry], submissions: Sequence[Submission]) -> AppraisalCheck:
    """Check every entered row of the tier sheets (pure); see the module docstring for the rules."""
    subs = {s.unit_code: s for s in submissions}
    out: list[Appraisal] = []
    problems: list[Finding] = []
    seen: dict[tuple[str, str, str], Entry] = {}
    warned: set[str] = set()
    for e in entries:
        if e.orphan or e.value is None:
            continue
        tier = tier_of(campaign, e)
        where: dict[str, Any] = {"sheet": e.sheet, "unit": e.unit_code, "criterion": e.criterion}
        if tier is None or tier.unit(e.unit_code) is None:
            problems.append(_finding("appraisal-unknown-unit", cell=e.cell("unit"), value=e.unit_code, **where))
            continue
        where["tier"] = tier.id
        adjustment = next((a for a in tier.adjustments if a.code == e.criterion), None)
        leaf = tier.criterion(e.criterion) if tier.has_criterion(e.criterion) else None
        if adjustment is None and (leaf is None or not leaf.is_leaf):
            problems.append(_finding("appraisal-unknown-criterion", cell=e.cell("criterion"), **where))
            continue
        key = (tier.id, e.unit_code, e.criterion)
        if key in seen:
            first = seen[key].cell("value")
            problems.append(_finding("appraisal-duplicate", cell=e.cell("value"), first=first, **where))
            continue
        seen[key] = e
        low, high = (adjustment.min, adjustment.max) if adjustment else (ZERO, leaf.max if leaf else ZERO)
        where.update(cell=e.cell("value"), min=format_number(low), max=format_number(high))
        value, problem = parse_score(e.value)
        shown = show_value(e.value)
        if problem == "score-text-number" and value is not None:
            problems.append(_finding("appraisal-text-number", value=shown, read=show_number(value), **where))
        elif problem == "score-decimals":
            problems.append(_finding("appraisal-decimals", value=shown, decimals=MAX_DECIMALS, **where))
            continue
        elif problem is not None or value is None:
            problems.append(_finding("appraisal-not-number", value=shown, **where))
            continue
        if not low <= value <= high:
            code = "adjustment-out-of-range" if adjustment else "appraisal-above-max"
            problems.append(_finding(code, value=show_number(value), **where))
            continue
        sub = subs.get(e.unit_code)
        if sub is not None and e.criterion in sub.not_applicable:
            problems.append(_finding("appraisal-not-applicable", value=format_number(value), **where))
            continue
        unchanged = ZERO if adjustment else (sub.scores.get(e.criterion) if sub else None)
        if value != unchanged and not e.reason:
            problems.append(
                _finding(
                    "appraisal-no-reason",
                    **{**where, "cell": e.cell("reason")},
                    value=format_number(value),
                    score_cell=e.cell("value"),
                )
            )
        if (sub is None or not sub.valid) and e.unit_code not in warned:
            warned.add(e.unit_code)
            problems.append(_finding("appraisal-no-submission", **where))
        out.append(Appraisal(tier.id, e.unit_code, e.criterion, value, e.reason, e.cell("value")))
    return AppraisalCheck(tuple(out), tuple(problems))


@dataclass(frozen=True)
class TierAppraisals:
    """One tier's records keyed by unit code, then criterion (or bonus/penalty line) code."""

    scores: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    adjustments: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    #: Reasons of both kinds (bonus/penalty codes never equal criterion codes).
    reasons: dict[str, dict[str, str]] = field(default_factory=dict)


def for_tier(tier: Tier, appraisals: Iterable[Appraisal]) -> TierAppraisals:
    """Split the tier's records into leaf scores and bonus/penalty values, with every reason."""
    out = TierAppraisals()
    lines = {a.code for a in tier.adjustments}
    for a in appraisals:
        if a.tier_id != tier.id:
            continue
        target = out.adjustments if a.criterion in lines else out.scores
        target.setdefault(a.unit_code, {})[a.criterion] = a.score
        if a.reason:
            out.reasons.setdefault(a.unit_code, {})[a.criterion] = a.reason
    return out


# --------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class AppraisalWritten:
    """What :func:`write_appraisal` did."""

    path: Path
    #: The copy of the previous file (``update`` only).
    backup: Path | None
    rows: int
    #: Entered values put back into their rows, and values kept in the orphan sheet.
    kept: int = 0
    orphans: int = 0


def write_appraisal(report: CheckReport, *, now: datetime, update: bool = False) -> AppraisalWritten:
    """Write (or, with ``update``, rewrite) ``appraisal.xlsx`` of the report's campaign; see the module docstring.

    Raises :class:`AppraisalExists` when the file exists without ``update``, and :class:`OutputError` when
    the existing file cannot be read (it is then left untouched) or a file cannot be written.
    """
    campaign = report.campaign
    path = appraisal_path(campaign)
    previous: list[Entry] = []
    old: bytes | None = None
    backup: Path | None = None
    if path.exists():
        if not update:
            raise AppraisalExists(
                f"đã có {FILE_NAME} trong {campaign.folder} (có thể chứa điểm Hội đồng đã nhập); dùng --update "
                "để cập nhật: giữ nguyên điểm và lý do đã nhập, thêm dòng cho biểu mới, sao lưu tệp cũ."
            )
        entries, problems = read_entries(path, campaign)
        if problems:
            raise OutputError(f"{problems[0].message} Tệp {path} không bị thay đổi.")
        try:
            old = path.read_bytes()
        except OSError as exc:
            raise explain(path, exc) from exc
        previous = [e for e in entries if e.entered]
        backup = _backup_path(path, now)
    sheets, orphans, kept = plan(campaign, report.submissions, previous)
    with Staging() as staging:
        if old is not None and backup is not None:
            data = old
            staging.write(backup, lambda p: p.write_bytes(data))
        staging.write(path, lambda p: write_appraisal_workbook(campaign, sheets, orphans, p))
    rows = sum(len(s.rows) for s in sheets)
    return AppraisalWritten(path, backup, rows, kept, len(orphans))


def _backup_path(path: Path, now: datetime) -> Path:
    stem = f"{path.stem}.{now:%Y%m%d-%H%M%S}"
    candidate, n = path.with_name(f"{stem}{path.suffix}"), 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{stem}-{n}{path.suffix}")
    return candidate
