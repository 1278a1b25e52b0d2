"""The stages chained for one campaign: what the command line and the tests call.

``check`` reads the inbox and returns a :class:`~egov_xlsx.model.CheckReport`; ``build`` checks, then
writes the findings report and the feedback copies, and, when there are no errors (or for a draft),
scores and writes every output. Outputs of one command are staged and renamed into place together
(:mod:`egov_xlsx.atomic`), so a failure never leaves a half-written file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from egov_xlsx._version import __version__
from egov_xlsx.atomic import naming, publishing
from egov_xlsx.config import load_campaign
from egov_xlsx.layout import INBOX
from egov_xlsx.model import Campaign, CheckReport, Finding, Results, Submission, TierResult, UnitState
from egov_xlsx.publish.outputs import (
    CARDS_FOLDER,
    CARDS_MANIFEST,
    FEEDBACK_FOLDER,
    NAMES,
    BuildOutcome,
    OutputNames,
    campaign_inputs,
    check_output_folder,
    output_folder,
)
from egov_xlsx.read import ingest
from egov_xlsx.read.appraisal import FILE_NAME
from egov_xlsx.rules import appraisal, appraisers, roster_rules
from egov_xlsx.rules.checked import Checked, rows_for_feedback
from egov_xlsx.rules.council import check_council, with_council, with_sources
from egov_xlsx.rules.form_rules import check_reading
from egov_xlsx.rules.scoring import score_tier

if TYPE_CHECKING:
    from egov_xlsx.atomic import Staging
    from egov_xlsx.publish.appraisal import AppraisalWritten
    from egov_xlsx.publish.background import Pending
    from egov_xlsx.publish.unit_summary import UnitSummary
    from egov_xlsx.rules.previous import PreviousYear

__all__ = [
    "FEEDBACK_FOLDER",
    "NAMES",
    "BuildOutcome",
    "appraisal_errors",
    "build",
    "campaign_inputs",
    "check",
    "check_output_folder",
    "make_appraisal",
    "make_appraisals",
    "make_forms",
    "output_folder",
    "score",
    "write_feedback",
]

Progress = Callable[[Checked, int], None]


def as_campaign(campaign: Campaign | Path | str) -> Campaign:
    return campaign if isinstance(campaign, Campaign) else load_campaign(campaign)


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
    roster = roster_rules.check_roster(camp, checked)
    found = [
        f
        for c in checked
        if c.source.name not in roster.redundant
        for f in roster.rewritten.get(c.source.name, c.findings)
    ]
    if camp.appraisers:
        appraised = appraisers.check_bodies(camp, roster.submissions)
    else:
        appraised = appraisal.check_appraisal(camp, roster.submissions)
    if appraised is not None:
        found += appraised.findings
    council = check_council(camp, () if appraised is None else appraised.appraisals)
    found += council.findings
    return CheckReport(
        campaign=camp,
        statuses=roster.statuses,
        findings=tuple(roster_rules.unique_findings([*found, *roster.findings])),
        submissions=roster.submissions,
        unknown_files=tuple(c.source.name for c in checked if c.unknown_unit),
        ignored_files=tuple(
            c.source.name for c in checked if any(f.code in ("file-ignored", "file-archive") for f in c.findings)
        ),
        files_read=len(checked),
        sources=tuple(c.source for c in checked),
        appraisals=council.appraisals,
        form_rows={c.source.name: c.rows for c in checked if c.rows},
        council_values=council.values,
        council_files=council.files,
    )


def _check_file(camp: Campaign, item: ingest.FileResult) -> Checked:
    """Validate one file's reading; runs in the process that read the file (``ingest.check_inbox``)."""
    if item.reading is None:
        return Checked(item.source, findings=item.findings)
    c = check_reading(camp, item.reading)
    if item.findings:
        c = replace(c, findings=(*item.findings, *c.findings))
    rows = rows_for_feedback(c, item.reading.rows)
    return replace(c, rows=rows) if rows else c


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
    cells: dict[str, dict[str, list[str]]] = {}
    for f in report.findings:
        if f.is_error and f.unit and (f.code.startswith("appraisal-") or f.code == "adjustment-out-of-range"):
            cells.setdefault(f.unit, {}).setdefault(f.file or FILE_NAME, []).append(f.cell or "")
    # Shown in parentheses after the unit's name in the texts: no parentheses of its own.
    return {code: _held(files) for code, files in cells.items()}


def _held(files: dict[str, list[str]]) -> str:
    """Why a unit is held: the cells with errors, per file (the bodies' files, or ``appraisal.xlsx``)."""
    parts = [f"ô {', '.join(c for c in where if c)} của {name}" for name, where in files.items() if any(where)]
    if parts:
        return "điểm thẩm định còn lỗi ở " + "; ".join(parts)
    return "điểm thẩm định còn lỗi trong " + ", ".join(files)


def score(
    report: CheckReport,
    *,
    draft: bool = False,
    previous: PreviousYear | None = None,
) -> Results:
    """Score, rank and band every tier from the report's valid submissions (pure).

    Units without a valid submission, or whose rows in ``appraisal.xlsx`` have errors
    (:func:`appraisal_errors`), are left out with the reason; the report's appraisal records replace
    self-assessed scores and set the bonus/penalty lines; ``previous`` is an earlier year's results
    (:func:`egov_xlsx.rules.previous.load_previous`), for rank and score changes.
    """
    camp = report.campaign
    held = appraisal_errors(report)
    valid: dict[str, Submission] = {s.unit_code: s for s in report.submissions if s.valid and s.unit_code not in held}
    tiers: list[TierResult] = []
    for tier in camp.tiers:
        subs = {u.code: valid[u.code] for u in tier.units if u.code in valid}
        if tier.council_leaf_codes:
            subs = {code: with_council(tier, sub, report.council_values) for code, sub in subs.items()}
        excluded = {s.unit.code: _EXCLUSION.get(s.state, "") for s in report.statuses if s.tier_id == tier.id}
        excluded.update({code: why for code, why in held.items() if tier.unit(code) is not None})
        council = appraisal.for_tier(tier, report.appraisals)
        # A tier ranking its groups separately is published as one ranked block per group with units (its view).
        for block in [v for v in tier.views.values() if v.units] if tier.rank_groups_separately else [tier]:
            scored = score_tier(
                block,
                {code: sub for code, sub in subs.items() if block.unit(code) is not None},
                appraisals=council.scores,
                adjustments=council.adjustments,
                reasons=council.reasons,
                excluded=excluded,
                appraised_facts=council.facts,
                previous=None if previous is None else previous.standings.get(tier.id),
            )
            tiers.append(with_sources(scored, report.council_values) if tier.council_leaf_codes else scored)
    return Results(
        campaign=camp,
        tiers=tuple(tiers),
        findings=report.findings,
        submissions=tuple(valid.values()),
        draft=draft,
        previous_year=None if previous is None else previous.year,
        tool_version=__version__,
        council_files=report.council_files,
    )


def build(
    campaign: Campaign | Path | str,
    out_dir: Path | None = None,
    *,
    draft: bool = False,
    previous: Path | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
    cards: bool = False,
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
        results = score(report, draft=draft, previous=last)
    extra: list[Finding] = list(last.findings) if last is not None else []
    inputs = campaign_inputs(report, previous)
    for name in names.__dict__.values():  # an output over an input (-o at last year's results): refuse now
        inputs.guard(folder / name)
    with publishing(folder, inputs=inputs, subfolders=(FEEDBACK_FOLDER, CARDS_FOLDER)) as staging:
        from egov_xlsx.publish import card_output, copies
        from egov_xlsx.publish.background import start_workbook
        from egov_xlsx.publish.report import write_findings_report

        report_tmp = staging.stage(folder / names.report)
        staged = copies.stage_copies(staging, report, folder)
        workbook = start_workbook(staging, results, folder / names.workbook, jobs)
        cards_job: Pending | None = None
        try:
            with naming(folder / names.report, report_tmp):
                write_findings_report(report, report_tmp, draft=draft)
            extra += copies.write_copies(staging, staged, jobs)
            if results is not None:
                summaries = card_output.card_summaries(results, cards)
                if summaries is not None:  # in a child beside the other outputs, when worth it
                    cards_job = card_output.start_cards(
                        staging, results, summaries, folder / names.cards, folder / CARDS_FOLDER, jobs
                    )
                extra += _write_outputs(
                    staging, results, folder, names, workbook_started=workbook is not None, summaries=summaries
                )
                if summaries is not None and cards_job is None:
                    card_output.write_cards(staging, results, summaries, folder / names.cards, folder / CARDS_FOLDER)
            if workbook is not None:
                started, workbook = workbook, None
                with naming(folder / names.workbook):
                    started.wait()
            if cards_job is not None:
                started, cards_job = cards_job, None
                with naming(folder / names.cards):
                    started.wait()
        finally:  # something here failed first: stop the children before the rollback
            for job in (workbook, cards_job):
                if job is not None:
                    job.cancel()
        copies.prune_copies(staging, folder)
        if results is not None:  # cards of an earlier build that this one did not write again
            from egov_xlsx.publish.feedback import stage_copy_pruning

            stage_copy_pruning(staging, folder / CARDS_FOLDER, CARDS_MANIFEST)
        written = copies.written_outputs(staging)
    return BuildOutcome(report, results, folder, written, tuple(extra))


def write_feedback(report: CheckReport, folder: Path, *, jobs: int = 1) -> tuple[list[Path], list[Finding]]:
    """Write the marked-up copies for units whose files have findings into ``folder/tra-lai/``.

    Returns the files written and a warning for each copy that could not be made (the others are still
    written). Copies the tool wrote earlier that no longer apply (the unit has fixed its form) are removed
    (:func:`egov_xlsx.publish.feedback.stage_copy_pruning`), in the same commit.
    """
    from egov_xlsx.publish import copies

    check_output_folder(report.campaign, folder)
    with publishing(folder, inputs=campaign_inputs(report), subfolders=(FEEDBACK_FOLDER,)) as staging:
        problems = copies.stage_feedback(staging, report, folder, jobs)
        copies.prune_copies(staging, folder)
        written = list(copies.written_outputs(staging))
    return written, problems


def _write_outputs(
    staging: Staging,
    results: Results,
    folder: Path,
    names: OutputNames,
    *,
    workbook_started: bool = False,
    summaries: tuple[UnitSummary, ...] | None = None,
) -> list[Finding]:
    """Stage every published output (the workbook too, unless a child process is already writing it).

    ``summaries``: every unit's summary when the cards are written too (the page then uses them rather than
    making its own).
    """
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
    from egov_xlsx.publish.results_page import write_page

    staging.write(folder / names.page, lambda p: write_page(results, p, summaries))
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
) -> AppraisalWritten:
    """Check the inbox, then write ``appraisal.xlsx`` for the council (see :func:`egov_xlsx.publish.appraisal.write_appraisal`).

    ``now`` names the backup of the previous file when ``update`` rewrites it.
    """
    report = check(as_campaign(campaign), jobs=jobs, progress=progress)
    from egov_xlsx.publish.appraisal import write_appraisal

    return write_appraisal(report, now=now, update=update)


def make_appraisals(
    campaign: Campaign | Path | str,
    *,
    now: datetime,
    update: bool = False,
    appraiser: str | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
) -> tuple[AppraisalWritten, ...]:
    """What ``egov-xlsx appraisal`` does: :func:`make_appraisal`, or, for a campaign with appraising bodies
    (``[[appraisers]]``), every body's ``appraisal/tham-dinh-<code>.xlsx`` (only ``appraiser``'s when given; see
    :func:`egov_xlsx.publish.appraisers.write_body_appraisals`). An unknown ``appraiser`` raises
    :class:`~egov_xlsx.publish.appraisers.UnknownAppraiser` before the inbox is read.
    """
    from egov_xlsx.publish.appraisers import chosen_bodies, write_body_appraisals

    camp = as_campaign(campaign)
    if not camp.appraisers and appraiser is None:
        return (make_appraisal(camp, now=now, update=update, jobs=jobs, progress=progress),)
    chosen_bodies(camp.appraisers, appraiser)
    report = check(camp, jobs=jobs, progress=progress)
    return write_body_appraisals(report, now=now, update=update, only=appraiser)
