"""The marked-up feedback copies within a build's commit: staged, made (in a process pool when many), pruned."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from egov_xlsx import findings
from egov_xlsx.atomic import Staging
from egov_xlsx.model import CheckReport, Finding
from egov_xlsx.publish.feedback import MANIFEST, FeedbackJob, feedback_jobs, stage_copy_pruning, write_job
from egov_xlsx.publish.outputs import CARDS_MANIFEST, FEEDBACK_FOLDER


def written_outputs(staging: Staging) -> tuple[Path, ...]:
    """The files a command reports as written: its outputs, not the copies' manifest (the tool's bookkeeping)."""
    return tuple(target for target in staging.targets if target.name not in (MANIFEST, CARDS_MANIFEST))


def prune_copies(staging: Staging, folder: Path) -> None:
    """Remove, in the same commit, the tool's earlier copies that no longer apply (the unit fixed its form)."""
    stage_copy_pruning(staging, folder / FEEDBACK_FOLDER)


def stage_feedback(staging: Staging, report: CheckReport, folder: Path, jobs: int = 1) -> list[Finding]:
    """Stage one marked-up copy per unit file with findings; copies are made in ``jobs`` processes when many."""
    return write_copies(staging, stage_copies(staging, report, folder), jobs)


def stage_copies(staging: Staging, report: CheckReport, folder: Path) -> list[tuple[FeedbackJob, Path]]:
    """The marked-up copies to make, each with the temporary file staged for it."""
    return [(job, staging.stage(folder / FEEDBACK_FOLDER / job.filename)) for job in feedback_jobs(report)]


def write_copies(staging: Staging, targets: list[tuple[FeedbackJob, Path]], jobs: int) -> list[Finding]:
    """Make the staged copies (in ``jobs`` processes when many); a copy that fails is unstaged and reported."""
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
