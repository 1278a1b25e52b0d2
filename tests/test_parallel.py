"""Reading the inbox in several processes gives exactly what one process gives: findings, statuses, outputs."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from benchmarks import generate
from egov_xlsx import layout, pipeline
from egov_xlsx.model import CheckReport
from egov_xlsx.publish import background, feedback
from egov_xlsx.read import gate, ingest


@pytest.fixture(autouse=True)
def small_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Take the parallel paths with this small campaign: workers from 2 files, a forked workbook from 2 units."""
    monkeypatch.setattr(ingest, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(background, "FORK_WORKBOOK_UNITS", 2)


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 40-form generated campaign, then what real inboxes hold besides forms.

    A score above its maximum, a score typed as text, a missing unit, an identical copy and a different copy
    of one form, a truncated workbook, an empty .xlsx, a PDF scan and a subfolder of superseded files.
    """
    folder = generate.generate(tmp_path_factory.mktemp("parallel") / "campaign", forms=40, seed=11, jobs=2)
    inbox = folder / layout.INBOX
    forms = sorted(inbox.glob("*.xlsx"))
    _set_score(forms[0], 999)
    _set_score(forms[1], "4,5")
    forms[2].unlink()
    shutil.copy(forms[3], inbox / f"Copy of {forms[3].name}")
    shutil.copy(forms[4], inbox / "bieu gui lai.xlsx")
    _set_score(inbox / "bieu gui lai.xlsx", 1)
    (inbox / "bi cat.xlsx").write_bytes(forms[5].read_bytes()[:3000])
    (inbox / "rong.xlsx").write_bytes(b"")
    (inbox / "scan.pdf").write_bytes(b"%PDF-1.4\n" + b"0" * 2000)
    (inbox / "cu").mkdir()
    shutil.copy(forms[6], inbox / "cu" / forms[6].name)
    return folder


def _set_score(path: Path, value: object) -> None:
    """Overwrite the first leaf score of a filled form, the way a unit retypes it."""
    wb = openpyxl.load_workbook(path)
    ws = wb[layout.FORM_SHEET]
    for row in ws.iter_rows(min_row=layout.FIRST_DATA_ROW):
        if isinstance(row[layout.COL_SCORE].value, int | float) and row[layout.COL_CODE].value.count(".") == 2:
            row[layout.COL_SCORE].value = value
            break
    wb.save(path)


def _comparable(report: CheckReport) -> tuple[object, ...]:
    return (
        report.statuses,
        report.findings,
        report.submissions,
        report.unknown_files,
        report.ignored_files,
        report.files_read,
        report.sources,
    )


def test_read_inbox_in_two_processes_equals_one(messy: Path) -> None:
    inbox = messy / layout.INBOX
    seen: dict[int, list[str]] = {1: [], 2: []}
    results = {
        jobs: ingest.read_inbox(inbox, jobs=jobs, progress=lambda r, total, j=jobs: seen[j].append(r.source.name))
        for jobs in (1, 2)
    }
    assert results[1] == results[2]
    assert len(results[1]) == 44  # 40 forms - 1 missing + 2 copies + 3 broken or not forms
    assert seen[1] == seen[2] == [r.source.name for r in results[1]]


def test_check_in_two_processes_equals_one(messy: Path) -> None:
    one = pipeline.check(messy, jobs=1)
    two = pipeline.check(messy, jobs=2)
    assert _comparable(one) == _comparable(two)
    codes = {f.code for f in one.findings}
    assert {"score-above-max", "score-text-number", "unit-missing", "unit-duplicate", "file-empty"} <= codes
    assert {"file-corrupt", "file-ignored", "unit-duplicate-identical"} <= codes


def test_check_inbox_judges_in_the_workers_in_file_order(messy: Path) -> None:
    inbox = messy / layout.INBOX
    judged = {jobs: ingest.check_inbox(inbox, _judge, jobs=jobs) for jobs in (1, 2, 3)}
    assert [j[:2] for j in judged[1]] == [j[:2] for j in judged[2]] == [j[:2] for j in judged[3]]
    assert [j[0] for j in judged[1]] == [p.name for p in gate.list_inbox(inbox)]
    # Never in this process, even with one job: a reader that aborts must not take the batch with it.
    assert len({j[2] for j in judged[1]}) == 1
    assert os.getpid() not in {j[2] for j in judged[1]} | {j[2] for j in judged[2]}


def _judge(result: ingest.FileResult) -> tuple[str, int, int]:
    """Module level, so that it can be sent to the worker processes."""
    return result.source.name, len(result.findings), os.getpid()


def test_build_in_two_processes_writes_the_same_bytes(
    messy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forked: list[object] = []
    started = background.Pending.__init__

    def spy(self: background.Pending, *args: object) -> None:
        forked.append(args[0])
        started(self, *args)

    monkeypatch.setattr(background.Pending, "__init__", spy)
    outs = {}
    for jobs in (1, 2):
        outcome = pipeline.build(messy, tmp_path / f"out{jobs}", draft=True, jobs=jobs)
        assert outcome.published
        outs[jobs] = outcome.folder
    assert len(forked) == (1 if background.can_fork() else 0)  # jobs=2 wrote the workbook in a child
    files = sorted(p.relative_to(outs[1]) for p in outs[1].rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(outs[2]) for p in outs[2].rglob("*") if p.is_file())
    assert any(f.parts[0] == pipeline.FEEDBACK_FOLDER for f in files)
    for name in files:
        a, b = (outs[1] / name).read_bytes(), (outs[2] / name).read_bytes()
        if name.name == feedback.MANIFEST:
            continue  # the hashes of the copies below, which differ by their time stamps
        if name.parts[0] == pipeline.FEEDBACK_FOLDER:
            # Marked-up copies are saved by openpyxl, which stamps the current time in docProps/core.xml.
            assert _parts(outs[1] / name) == _parts(outs[2] / name), name
        else:
            assert a == b, name


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


# --------------------------------------------------------------------------- a worker that dies (issue 11)


def _exit_on_truncated(path: Path) -> None:
    """Test hook run in the worker before each file: the truncated workbook kills its process outright."""
    if path.name == "bi cat.xlsx":
        os._exit(134)


def _abort_on_empty(path: Path) -> None:
    if path.name == "rong.xlsx":
        import faulthandler

        faulthandler.disable()  # pytest's handler would print the worker's stack: the abort is the point
        os.abort()  # what a Rust allocation failure does: SIGABRT, no Python exception, no cleanup


@pytest.mark.parametrize("hook", [_exit_on_truncated, _abort_on_empty])
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_worker_that_dies_costs_only_its_file(
    messy: Path, monkeypatch: pytest.MonkeyPatch, hook: object, jobs: int
) -> None:
    expected = pipeline.check(messy, jobs=1)
    monkeypatch.setattr(ingest, "_before_read", hook)
    killer = "bi cat.xlsx" if hook is _exit_on_truncated else "rong.xlsx"
    seen: list[str] = []
    report = pipeline.check(messy, jobs=jobs, progress=lambda c, total: seen.append(c.source.name))
    crashed = [f for f in report.findings if f.code == "file-crashed"]
    assert [(f.file, f.severity.value) for f in crashed] == [(killer, "error")]
    # Every other file gave exactly what it gives without the crash.
    others = [f for f in report.findings if f.file != killer]
    assert others == [f for f in expected.findings if f.file != killer]
    assert report.statuses == expected.statuses
    assert report.files_read == expected.files_read
    assert seen == [s.name for s in expected.sources]


def test_a_dying_worker_is_a_finding_in_the_cli_not_an_internal_error(
    messy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from egov_xlsx.cli.commands import ExitCode, app

    monkeypatch.setattr(ingest, "_before_read", _abort_on_empty)
    result = CliRunner().invoke(app, ["check", str(messy), "-j", "2", "-q"])
    assert result.exit_code == ExitCode.FINDINGS, result.output
    assert "file-crashed" in result.output and "rong.xlsx" in result.output
