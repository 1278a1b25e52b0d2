"""The stages chained for one campaign: what the command line and the tests call.

``check`` reads the inbox and returns a :class:`~egov_xlsx.model.CheckReport`; ``build`` checks, then
writes the findings report and the feedback copies, and, when there are no errors (or for a draft),
scores and writes every output. Outputs of one command are staged and renamed into place together
(:mod:`egov_xlsx.atomic`), so a failure never leaves a half-written file.
"""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from egov_xlsx import __version__, findings
from egov_xlsx.atomic import Inputs, Staging, is_within, naming, publishing
from egov_xlsx.config import CONFIG_NAME, load_campaign
from egov_xlsx.errors import OutputError
from egov_xlsx.layout import INBOX
from egov_xlsx.model import (
    Campaign,
    CheckReport,
    Finding,
    PreviousStanding,
    Results,
    Submission,
    TierResult,
    UnitState,
)
from egov_xlsx.read import ingest
from egov_xlsx.rules import appraisal, validate
from egov_xlsx.rules.scoring import score_tier

if TYPE_CHECKING:
    from egov_xlsx.publish.background import Pending
    from egov_xlsx.publish.feedback import FeedbackJob

FEEDBACK_FOLDER = "tra-lai"
DRAFT_SUFFIX = "-du-thao"


@dataclass(frozen=True)
class OutputNames:
    """File names of a build's outputs (draft builds carry "du-thao" in each)."""

    workbook: str = "ket-qua-xep-hang.xlsx"
    json: str = "results.json"
    text: str = "thong-bao.txt"
    markdown: str = "thong-bao.md"
    announcement: str = "thong-bao.docx"
    decision: str = "quyet-dinh.docx"
    report: str = "bao-cao-kiem-tra.xlsx"

    def for_draft(self, draft: bool) -> OutputNames:
        if not draft:
            return self

        def mark(name: str) -> str:
            stem, dot, ext = name.rpartition(".")
            return f"{stem}{DRAFT_SUFFIX}{dot}{ext}"

        return OutputNames(**{k: mark(v) for k, v in self.__dict__.items()})


NAMES = OutputNames()

Progress = Callable[[validate.Checked, int], None]


@dataclass(frozen=True)
class BuildOutcome:
    """What a build did: the check report, the results when it published, and the files it wrote."""

    report: CheckReport
    results: Results | None
    folder: Path
    written: tuple[Path, ...] = ()
    warnings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def published(self) -> bool:
        return self.results is not None


def as_campaign(campaign: Campaign | Path | str) -> Campaign:
    return campaign if isinstance(campaign, Campaign) else load_campaign(campaign)


def output_folder(campaign: Campaign, out_dir: Path | None = None, cwd: Path | None = None) -> Path:
    """``out_dir`` when given, else ``output/<campaign folder name>/`` under the current folder."""
    if out_dir is not None:
        return out_dir
    return (cwd or Path.cwd()) / "output" / campaign.folder.resolve().name


P = ParamSpec("P")
R = TypeVar("R")


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Let Python's cyclic garbage collector run less often while a batch builds millions of objects.

    With the default thresholds a national build spends about a second re-scanning its own live results
    (frozen records, without cycles) as they grow; the objects are freed by reference counting anyway. The
    thresholds are restored afterwards, so a host application keeps its own.
    """
    before = gc.get_threshold()
    if before[0] == 0:  # the host turned automatic collection off: leave it so
        yield
        return
    gc.set_threshold(max(before[0], 50_000), max(before[1], 20), max(before[2], 100))
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _batch(func: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with _fewer_collections():
            return func(*args, **kwargs)

    return wrapper


@_batch
def check(campaign: Campaign | Path | str, *, jobs: int = 1, progress: Progress | None = None) -> CheckReport:
    """Read and check every file in the campaign's inbox against the config and the roster.

    Then read ``appraisal.xlsx`` when present (:func:`egov_xlsx.rules.appraisal.check_appraisal`): its records
    and findings join the report. Never raises for a bad file: each becomes findings and the others are
    still read.
    """
    camp = as_campaign(campaign)
    inbox = camp.folder / INBOX
    # An inbox that is missing, a file or a loop raises gate.InboxError (exit 4): not "every unit missing".
    checked = ingest.check_inbox(inbox, partial(_check_file, camp), jobs=jobs, progress=progress)
    roster = validate.check_roster(camp, checked)
    found = [
        f
        for c in checked
        if c.source.name not in roster.redundant
        for f in roster.rewritten.get(c.source.name, c.findings)
    ]
    appraised = appraisal.check_appraisal(camp, roster.submissions)
    if appraised is not None:
        found += appraised.findings
    return CheckReport(
        campaign=camp,
        statuses=roster.statuses,
        findings=tuple(validate.unique_findings([*found, *roster.findings])),
        submissions=roster.submissions,
        unknown_files=tuple(c.source.name for c in checked if c.unknown_unit),
        ignored_files=tuple(
            c.source.name for c in checked if any(f.code in ("file-ignored", "file-archive") for f in c.findings)
        ),
        files_read=len(checked),
        sources=tuple(c.source for c in checked),
        appraisals=() if appraised is None else appraised.appraisals,
    )


def _check_file(camp: Campaign, item: ingest.FileResult) -> validate.Checked:
    """Validate one file's reading; runs in the process that read the file (``ingest.check_inbox``)."""
    if item.reading is None:
        return validate.Checked(item.source, findings=item.findings)
    c = validate.check_reading(camp, item.reading)
    return replace(c, findings=(*item.findings, *c.findings))


_EXCLUSION = {
    UnitState.MISSING: "chưa nộp biểu",
    UnitState.INVALID: "biểu còn lỗi",
    UnitState.DUPLICATE: "nộp nhiều biểu khác nhau",
}


def appraisal_errors(report: CheckReport) -> dict[str, str]:
    """Unit code -> why the unit is left out of a draft: its rows in ``appraisal.xlsx`` have errors.

    A draft must not rank a unit on a value the council has not finished (no reason given, out of range,
    not a number ...), as it does not rank a unit whose form has errors. Errors of the file as a whole
    (unreadable, another campaign's) name no unit and leave every unit on its own scores.
    """
    cells: dict[str, list[str]] = {}
    for f in report.findings:
        if f.is_error and f.unit and (f.code.startswith("appraisal-") or f.code == "adjustment-out-of-range"):
            cells.setdefault(f.unit, []).append(f.cell or "")
    # Shown in parentheses after the unit's name in the texts: no parentheses of its own.
    return {
        code: "điểm thẩm định còn lỗi ở ô " + ", ".join(c for c in where if c) + " của appraisal.xlsx"
        if any(where)
        else "điểm thẩm định còn lỗi trong appraisal.xlsx"
        for code, where in cells.items()
    }


def score(
    report: CheckReport,
    *,
    draft: bool = False,
    previous: dict[str, dict[str, PreviousStanding]] | None = None,
    previous_year: int | None = None,
) -> Results:
    """Score, rank and band every tier from the report's valid submissions (pure).

    Units without a valid submission, or whose rows in ``appraisal.xlsx`` have errors
    (:func:`appraisal_errors`), are left out with the reason; the report's appraisal records replace
    self-assessed scores and set the bonus/penalty lines; ``previous`` maps tier id -> unit code -> last
    year's standing.
    """
    camp = report.campaign
    held = appraisal_errors(report)
    valid: dict[str, Submission] = {s.unit_code: s for s in report.submissions if s.valid and s.unit_code not in held}
    tiers: list[TierResult] = []
    for tier in camp.tiers:
        subs = {u.code: valid[u.code] for u in tier.units if u.code in valid}
        excluded = {s.unit.code: _EXCLUSION.get(s.state, "") for s in report.statuses if s.tier_id == tier.id}
        excluded.update({code: why for code, why in held.items() if tier.unit(code) is not None})
        council = appraisal.for_tier(tier, report.appraisals)
        tiers.append(
            score_tier(
                tier,
                subs,
                appraisals=council.scores,
                adjustments=council.adjustments,
                reasons=council.reasons,
                excluded=excluded,
                previous=(previous or {}).get(tier.id),
            )
        )
    return Results(
        campaign=camp,
        tiers=tuple(tiers),
        findings=report.findings,
        submissions=tuple(valid.values()),
        draft=draft,
        previous_year=previous_year,
        tool_version=__version__,
    )


@_batch
def build(
    campaign: Campaign | Path | str,
    out_dir: Path | None = None,
    *,
    draft: bool = False,
    previous: Path | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
) -> BuildOutcome:
    """Check, then write the outputs into ``out_dir`` (default ``output/<campaign folder name>/``).

    With error findings and no ``draft``: only the findings report and the feedback copies are written,
    nothing is published. With ``draft``: every output is written with "du-thao" in its name, the units
    with errors left out of the ranking. ``previous`` is an earlier year's output folder or results.json,
    for rank and score changes.
    """
    from egov_xlsx.rules.previous import load_previous

    camp = as_campaign(campaign)
    folder = output_folder(camp, out_dir)
    check_output_folder(camp, folder)
    last = load_previous(previous, camp) if previous is not None else None
    report = check(camp, jobs=jobs, progress=progress)
    names = NAMES.for_draft(draft)
    results = None
    if report.valid or draft:
        results = score(
            report,
            draft=draft,
            previous=None if last is None else {k: dict(v) for k, v in last.standings.items()},
            previous_year=None if last is None else last.year,
        )
    extra: list[Finding] = list(last.findings) if last is not None else []
    inputs = campaign_inputs(report, previous)
    for name in names.__dict__.values():  # an output over an input (-o at last year's results): refuse now
        inputs.guard(folder / name)
    with publishing(folder, inputs=inputs, subfolders=(FEEDBACK_FOLDER,)) as staging:
        from egov_xlsx.publish.report import write_findings_report

        report_tmp = staging.stage(folder / names.report)
        copies = _stage_copies(staging, report, folder)
        workbook = _start_workbook(staging, results, folder / names.workbook, jobs)
        try:
            with naming(folder / names.report, report_tmp):
                write_findings_report(report, report_tmp, draft=draft)
            extra += _write_copies(staging, copies, jobs)
            if results is not None:
                extra += _write_outputs(staging, results, folder, names, workbook_started=workbook is not None)
            if workbook is not None:
                started, workbook = workbook, None
                with naming(folder / names.workbook):
                    started.wait()
        finally:
            if workbook is not None:  # something here failed first: stop the child before the rollback
                workbook.cancel()
        _prune_copies(staging, folder)
        written = _outputs(staging)
    return BuildOutcome(report, results, folder, written, tuple(extra))


#: The campaign's input folders (name, what it is): an output folder may be neither one nor inside one.
INPUT_FOLDERS = (
    (INBOX, "thư mục biểu đơn vị gửi về (inbox)"),
    ("templates", "thư mục mẫu văn bản của đợt đánh giá (templates)"),
    ("imports", "thư mục dữ liệu nhập của đợt đánh giá (imports)"),
)


def check_output_folder(campaign: Campaign, folder: Path) -> None:
    """Refuse an output folder that is, or is inside, one of the campaign's input folders (symlinks resolved).

    Raises :class:`~egov_xlsx.errors.OutputError` (exit code 4) before anything is read or written.
    """
    for name, what in INPUT_FOLDERS:
        inputs = campaign.folder / name
        if is_within(folder, inputs):
            raise OutputError(
                f"Không ghi kết quả vào {folder}: thư mục này là (hoặc nằm trong) {what} {inputs}, nơi chứa dữ "
                "liệu đầu vào không được ghi đè. Chọn thư mục kết quả khác (-o), ví dụ "
                f"output/{campaign.folder.resolve().name}."
            )


def campaign_inputs(report: CheckReport, previous: Path | None = None) -> Inputs:
    """Every file the command read as input: no output may replace one of them (by identity, links included)."""
    camp = report.campaign
    paths = [s.path for s in report.sources]
    paths += [camp.folder / CONFIG_NAME, appraisal.appraisal_path(camp)]
    with contextlib.suppress(OSError):  # the council's file and its backups (appraisal.YYYYmmdd-HHMMSS.xlsx)
        paths += [p for p in camp.folder.glob("appraisal*.xlsx") if p.is_file()]
    for name, _ in INPUT_FOLDERS[1:]:
        with contextlib.suppress(OSError):
            paths += [p for p in (camp.folder / name).rglob("*") if p.is_file()]
    if previous is not None:
        from egov_xlsx.rules.previous import results_file

        paths.append(results_file(previous))
    return Inputs.of(paths)


#: Units from which the results workbook is written in a forked child, beside the other outputs. Below it
#: the fork costs more than it saves (the workbook of 30 units takes 0.1 s).
FORK_WORKBOOK_UNITS = 1000


def _start_workbook(staging: Staging, results: Results | None, target: Path, jobs: int) -> Pending | None:
    """Start writing the results workbook in a child process when it is big and a child can be forked."""
    from egov_xlsx.publish.background import Pending, can_fork

    if results is None or jobs < 2 or sum(len(t.units) for t in results.tiers) < FORK_WORKBOOK_UNITS:
        return None
    if not can_fork():
        return None
    from egov_xlsx.publish.workbook import write_results_workbook

    tmp = staging.stage(target)
    try:
        return Pending(write_results_workbook, results, tmp)
    except OSError:  # no child to be had (memory, process limits): the workbook is written here, in turn
        staging.discard(tmp)
        return None


def write_feedback(report: CheckReport, folder: Path, *, jobs: int = 1) -> tuple[list[Path], list[Finding]]:
    """Write the marked-up copies for units whose files have findings into ``folder/tra-lai/``.

    Returns the files written and a warning for each copy that could not be made (the others are still
    written). Copies the tool wrote earlier that no longer apply (the unit has fixed its form) are removed
    (:func:`egov_xlsx.publish.feedback.stage_copy_pruning`), in the same commit.
    """
    check_output_folder(report.campaign, folder)
    with publishing(folder, inputs=campaign_inputs(report), subfolders=(FEEDBACK_FOLDER,)) as staging:
        problems = _stage_feedback(staging, report, folder, jobs)
        _prune_copies(staging, folder)
        written = list(_outputs(staging))
    return written, problems


def _outputs(staging: Staging) -> tuple[Path, ...]:
    """The files a command reports as written: its outputs, not the copies' manifest (the tool's bookkeeping)."""
    from egov_xlsx.publish.feedback import MANIFEST

    return tuple(target for target in staging.targets if target.name != MANIFEST)


def _prune_copies(staging: Staging, folder: Path) -> None:
    """Remove, in the same commit, the tool's earlier copies that no longer apply (the unit fixed its form)."""
    from egov_xlsx.publish.feedback import stage_copy_pruning

    stage_copy_pruning(staging, folder / FEEDBACK_FOLDER)


def _stage_feedback(staging: Staging, report: CheckReport, folder: Path, jobs: int = 1) -> list[Finding]:
    """Stage one marked-up copy per unit file with findings; copies are made in ``jobs`` processes when many."""
    return _write_copies(staging, _stage_copies(staging, report, folder), jobs)


def _stage_copies(staging: Staging, report: CheckReport, folder: Path) -> list[tuple[FeedbackJob, Path]]:
    """The marked-up copies to make, each with the temporary file staged for it."""
    from egov_xlsx.publish.feedback import feedback_jobs

    return [(job, staging.stage(folder / FEEDBACK_FOLDER / job.filename)) for job in feedback_jobs(report)]


def _write_copies(staging: Staging, targets: list[tuple[FeedbackJob, Path]], jobs: int) -> list[Finding]:
    """Make the staged copies (in ``jobs`` processes when many); a copy that fails is unstaged and reported."""
    from egov_xlsx.publish.feedback import write_job

    if jobs > 1 and len(targets) >= 8:
        chunk = -(-len(targets) // jobs)  # one chunk a process: the campaign is pickled once per chunk
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            errors = list(pool.map(write_job, targets, chunksize=chunk))
    else:
        errors = [write_job(item) for item in targets]
    problems: list[Finding] = []
    for (job, tmp), error in zip(targets, errors, strict=True):
        if error is not None:
            staging.discard(tmp)
            problems.append(findings.make("feedback-failed", file=job.source.name, unit=job.unit_code, detail=error))
    return problems


def _write_outputs(
    staging: Staging, results: Results, folder: Path, names: OutputNames, *, workbook_started: bool = False
) -> list[Finding]:
    """Stage every published output (the workbook too, unless a child process is already writing it)."""
    from egov_xlsx.publish.announce import render_announcement
    from egov_xlsx.publish.documents import write_announcement, write_decision
    from egov_xlsx.publish.serialize import dump, results_dict
    from egov_xlsx.publish.workbook import write_results_workbook

    if not workbook_started:
        staging.write(folder / names.workbook, lambda p: write_results_workbook(results, p))
    staging.write(folder / names.json, lambda p: dump(results_dict(results), p))
    text = render_announcement(results, fmt="txt")
    staging.write(folder / names.text, lambda p: p.write_bytes(text.encode("utf-8")))
    markdown = render_announcement(results, fmt="md")
    staging.write(folder / names.markdown, lambda p: p.write_bytes(markdown.encode("utf-8")))
    staging.write(folder / names.announcement, lambda p: write_announcement(results, text, p))
    warnings: list[Finding] = []
    staging.write(folder / names.decision, lambda p: warnings.extend(write_decision(results, p)))
    return warnings


def make_forms(campaign: Campaign | Path | str, out_dir: Path | None = None) -> list[Path]:
    """Write one form per roster unit into ``out_dir`` (default ``<campaign>/forms/``)."""
    from egov_xlsx.forms import write_forms

    camp = as_campaign(campaign)
    return write_forms(camp, out_dir or camp.folder / "forms")


def make_appraisal(
    campaign: Campaign | Path | str,
    *,
    now: datetime,
    update: bool = False,
    jobs: int = 1,
    progress: Progress | None = None,
) -> appraisal.AppraisalWritten:
    """Check the inbox, then write ``appraisal.xlsx`` for the council (see :func:`egov_xlsx.rules.appraisal.write_appraisal`).

    ``now`` names the backup of the previous file when ``update`` rewrites it.
    """
    report = check(as_campaign(campaign), jobs=jobs, progress=progress)
    return appraisal.write_appraisal(report, now=now, update=update)
