"""Outputs are replaced all or none, never over an input, and no temporary file is left behind.

Faults are real where they can be (a folder in a target's way, a hard link to a submitted form, a full disk
through /dev/full, a killed process); a rename failing at a chosen step of the commit is injected at
``atomic.commit._replace``, the one place a commit renames.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from egov_xlsx import atomic, pipeline
from egov_xlsx.atomic import FolderBusy, Staging
from egov_xlsx.cli.commands import app
from egov_xlsx.errors import OutputError
from tests import corpus
from tests.conftest import REPO, SAMPLE

runner = CliRunner()
POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and /dev/full")


def symlink(link: Path, target: Path) -> None:
    """A symbolic link, or skip where making one needs a privilege (Windows)."""
    try:
        link.symlink_to(target, target_is_directory=target.is_dir())
    except OSError as exc:
        pytest.skip(f"no symbolic link: {exc}")


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` (hidden ones too): a file's bytes, None for a folder."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))
    }


def make_error(campaign: Path) -> None:
    """Put a score far above its maximum into one sample form: the unit gets a feedback copy."""
    path = campaign / "inbox" / "SCT - So Cong Thuong.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["Chấm điểm"]
    for row in range(9, ws.max_row + 1):
        if isinstance(ws.cell(row, 4).value, int | float):
            ws.cell(row, 4).value = 9999
            break
    wb.save(path)


@pytest.fixture
def campaign(sample_copy: Path) -> Path:
    make_error(sample_copy)
    return sample_copy


class Fail:
    """Make the ``k``-th rename of a commit fail (k from 0), as a file held open or bound over would."""

    def __init__(self, k: int | None) -> None:
        self.k, self.calls = k, 0

    def __call__(self, source: Path, target: Path) -> None:
        self.calls += 1
        if self.calls - 1 == self.k:
            raise OSError(errno.EBUSY, "Device or resource busy", str(source))
        os.replace(source, target)


def test_a_failed_commit_leaves_exactly_the_old_outputs_at_every_step(
    campaign: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A first build says which files a build writes.
    first = pipeline.build(campaign, tmp_path / "first", draft=True)
    written = [p.relative_to(tmp_path / "first") for p in first.written]
    assert any(p.parts[0] == pipeline.FEEDBACK_FOLDER for p in written) and len(written) >= 8
    # The old outputs: some of the files (the others are new), a copy in tra-lai/, and the user's own files.
    old = tmp_path / "old"
    for i, rel in enumerate(written):
        if i % 2 == 0 or rel.parts[0] == pipeline.FEEDBACK_FOLDER:
            (old / rel).parent.mkdir(parents=True, exist_ok=True)
            (old / rel).write_bytes(f"bản cũ {rel}".encode())
    (old / "ghi-chu.txt").write_text("của người dùng", encoding="utf-8")
    (old / "rieng").mkdir()
    expected = snapshot(old)
    # How many renames the commit over them takes: one aside for each old file, one into place for each.
    counter = Fail(None)
    monkeypatch.setattr(atomic.commit, "_replace", counter)
    pipeline.build(campaign, shutil.copytree(old, tmp_path / "count"), draft=True)
    replaced = sum(1 for rel in written if (old / rel).exists())
    steps = counter.calls
    # the journal, the renames, then the manifests of tra-lai/'s copies and of don-vi/'s cards
    assert steps == 1 + replaced + len(written) + 2
    for k in range(steps):
        out = tmp_path / f"out-{k}"
        shutil.copytree(old, out)
        monkeypatch.setattr(atomic.commit, "_replace", Fail(k))
        with pytest.raises(OutputError, match="Không ghi được"):
            pipeline.build(campaign, out, draft=True)
        assert snapshot(out) == expected, f"rename {k} failed"
    # And with no failure every output is the new one.
    monkeypatch.setattr(atomic.commit, "_replace", Fail(None))
    out = tmp_path / "out-ok"
    shutil.copytree(old, out)
    pipeline.build(campaign, out, draft=True)
    for rel in written:
        if rel.parts[0] == pipeline.FEEDBACK_FOLDER:  # openpyxl stamps the time: not byte-reproducible
            assert (out / rel).read_bytes().startswith(b"PK"), rel
        else:
            assert (out / rel).read_bytes() == (tmp_path / "first" / rel).read_bytes(), rel
    assert (out / "ghi-chu.txt").read_text(encoding="utf-8") == "của người dùng"
    # only the manifests of the copies and of the cards
    assert sorted(p.name for p in out.rglob(".*")) == [".egov-xlsx-don-vi.json", ".egov-xlsx-tra-lai.json"]


def test_a_folder_in_the_way_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    pipeline.build(SAMPLE, out)
    (out / "thong-bao.md").unlink()
    (out / "thong-bao.md").mkdir()
    (out / "thong-bao.md" / "x.txt").write_text("x", encoding="utf-8")
    before = snapshot(out)
    with pytest.raises(OutputError, match=r"thong-bao\.md: đã có một thư mục trùng tên"):
        pipeline.build(SAMPLE, out)
    assert snapshot(out) == before


def test_a_first_build_that_fails_leaves_no_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(atomic.commit, "_replace", Fail(3))
    with pytest.raises(OutputError):
        pipeline.build(SAMPLE, tmp_path / "new" / "out")
    assert list((tmp_path / "new").iterdir()) == []


def test_a_build_killed_mid_commit_is_rolled_back_by_the_next_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name in ("results.json", "thong-bao.txt", "thong-bao.md"):
        (out / name).write_bytes(f"cũ {name}".encode())
    expected = snapshot(out)
    killer = textwrap.dedent(
        f"""
        import os, sys
        from pathlib import Path
        from egov_xlsx import atomic, pipeline
        calls = []
        def replace(source, target):
            calls.append(target)
            if len(calls) == 6:
                os._exit(9)  # dies between two renames, as kill -9 would
            os.replace(source, target)
        atomic.commit._replace = replace
        pipeline.build(Path({str(SAMPLE)!r}), Path({str(out)!r}))
        """
    )
    done = subprocess.run([sys.executable, "-c", killer], cwd=REPO, timeout=120)
    assert done.returncode == 9
    assert (out / atomic.JOURNAL_NAME).exists() and any(p.name.startswith(".") for p in out.iterdir())
    # The next run puts the old outputs back before anything else (here it then fails at its first rename).
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(atomic.commit, "_replace", Fail(0))
        with pytest.raises(OutputError):
            pipeline.build(SAMPLE, out)
    assert snapshot(out) == expected


def test_stale_temporaries_are_removed_and_lost_backups_put_back(tmp_path: Path) -> None:
    (tmp_path / ".results.0123456789ab.tmp.json").write_text("dở dang", encoding="utf-8")
    (tmp_path / ".egov-xlsx-scratch.0123456789ab.tmp").mkdir()
    (tmp_path / ".egov-xlsx-scratch.0123456789ab.tmp" / "tmpabc").write_text("", encoding="utf-8")
    (tmp_path / ".thong-bao.0123456789ab.old.md").write_text("bản cũ", encoding="utf-8")  # its target is gone
    (tmp_path / ".thong-bao.ba9876543210.old.txt").write_text("bản cũ", encoding="utf-8")
    (tmp_path / "thong-bao.txt").write_text("bản mới", encoding="utf-8")
    mine = [".results.tmp.json", ".an", "x.0123456789ab.tmp.json", ".a.0123456789AB.tmp", "ghi-chu.tmp"]
    for name in mine:
        (tmp_path / name).write_text("của người dùng", encoding="utf-8")
    atomic.clear_stale([tmp_path])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*mine, "thong-bao.md", "thong-bao.txt"])
    assert (tmp_path / "thong-bao.md").read_text(encoding="utf-8") == "bản cũ"
    assert (tmp_path / "thong-bao.txt").read_text(encoding="utf-8") == "bản mới"


# --------------------------------------------------------------------------- never over an input


@pytest.mark.parametrize("where", ["inbox", "inbox/sub", "templates", "link-to-inbox"])
def test_an_output_folder_in_the_inputs_is_refused(sample_copy: Path, tmp_path: Path, where: str) -> None:
    (sample_copy / "templates").mkdir(exist_ok=True)
    symlink(tmp_path / "link-to-inbox", sample_copy / "inbox")
    folder = tmp_path / where if where.startswith("link") else sample_copy / where
    before = snapshot(sample_copy)
    with pytest.raises(OutputError, match=r"Không ghi kết quả vào .*nơi chứa dữ liệu đầu vào"):
        pipeline.build(sample_copy, folder)
    result = runner.invoke(app, ["build", str(sample_copy), "-o", str(folder), "-q"])
    assert result.exit_code == 4, result.output
    assert "Không ghi kết quả vào" in result.output
    result = runner.invoke(app, ["check", str(sample_copy), "--feedback", "-o", str(folder), "-q"])
    assert result.exit_code == 4, result.output
    assert snapshot(sample_copy) == before


def test_the_campaign_folder_itself_may_hold_the_outputs(sample_copy: Path) -> None:
    assert pipeline.build(sample_copy, sample_copy).published
    assert (sample_copy / "results.json").is_file()


@pytest.mark.parametrize("link", ["hard", "symbolic"])
def test_a_submitted_form_at_an_output_name_is_never_replaced(sample_copy: Path, tmp_path: Path, link: str) -> None:
    form = sample_copy / "inbox" / "SCT - So Cong Thuong.xlsx"
    data = form.read_bytes()
    out = tmp_path / "out"
    out.mkdir()
    if link == "hard":
        os.link(form, out / "ket-qua-xep-hang.xlsx")
    else:
        symlink(out / "ket-qua-xep-hang.xlsx", form)
    with pytest.raises(OutputError, match="đó chính là tệp đầu vào"):
        pipeline.build(sample_copy, out)
    assert form.read_bytes() == data
    assert sorted(p.name for p in out.iterdir()) == ["ket-qua-xep-hang.xlsx"]


def test_last_years_results_are_not_overwritten_by_this_year(tmp_path: Path) -> None:
    out = tmp_path / "out"
    pipeline.build(SAMPLE, out)
    before = snapshot(out)
    with pytest.raises(OutputError, match=r"results\.json: đó chính là tệp đầu vào"):
        pipeline.build(REPO / "samples" / "hung-yen-2019", out, previous=out)
    assert snapshot(out) == before


def test_an_input_swapped_in_during_the_build_is_still_not_replaced(sample_copy: Path, tmp_path: Path) -> None:
    form = sample_copy / "inbox" / "SCT - So Cong Thuong.xlsx"
    data = form.read_bytes()
    out = tmp_path / "out"
    report = pipeline.check(sample_copy)
    inputs = pipeline.campaign_inputs(report)
    with pytest.raises(OutputError, match="đó chính là tệp đầu vào"), atomic.publishing(out, inputs=inputs) as staging:
        staging.write(out / "a.txt", lambda p: p.write_text("mới", encoding="utf-8"))
        os.link(form, out / "a.txt")  # appears after the check, before the commit
    assert form.read_bytes() == data


@pytest.mark.parametrize("case", sorted(corpus.OUTPUT_HAZARDS))
def test_output_hazards_corpus(sample_copy: Path, tmp_path: Path, case: str) -> None:
    factory, code = corpus.OUTPUT_HAZARDS[case]
    try:
        folder = factory(sample_copy, tmp_path / "out")
    except OSError as exc:  # symbolic links without the privilege (Windows)
        pytest.skip(f"cannot make {case}: {exc}")
    inputs = snapshot(sample_copy)
    before = snapshot(tmp_path)
    result = runner.invoke(app, ["build", str(sample_copy), "-o", str(folder), "-q"])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    if code == 4:
        assert "Lỗi: Không ghi" in result.output
        assert snapshot(tmp_path) == before
    else:
        assert sorted(p.name for p in folder.rglob(".*")) == [".egov-xlsx-don-vi.json"]  # the cards' manifest
        assert (folder / "thong-bao.md").read_bytes() != b"new"  # replaced by this build's
    assert snapshot(sample_copy) == inputs


# --------------------------------------------------------------------------- messages name the file


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_names_the_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from egov_xlsx.publish import serialize

    def to_full_disk(value: object, path: Path, *args: object) -> None:
        with open("/dev/full", "w", encoding="utf-8") as handle:  # a real ENOSPC, with no file name in it
            handle.write("{}")

    monkeypatch.setattr(serialize, "dump", to_full_disk)
    out = tmp_path / "out"
    with pytest.raises(OutputError) as caught:
        pipeline.build(SAMPLE, out)
    assert str(caught.value) == f"Không ghi được {out / 'results.json'}: ổ đĩa đã đầy."
    result = runner.invoke(app, ["build", str(SAMPLE), "-o", str(out), "-q"])
    assert result.exit_code == 4
    assert "results.json: ổ đĩa đã đầy" in result.output and "không đọc/ghi được :" not in result.output
    assert not out.exists()  # a first build that failed leaves no folder behind


@contextlib.contextmanager
def mounted(source: str, target: Path, *options: str) -> Iterator[None]:
    """``mount`` (Linux, as root with the capability), or skip."""
    if sys.platform != "linux" or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting needs root on Linux")
    done = subprocess.run(["mount", *options, source, str(target)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here: {done.stderr.strip()}")
    try:
        yield
    finally:
        if subprocess.run(["umount", str(target)]).returncode != 0:  # busy: a file left open there
            subprocess.run(["umount", "-l", str(target)])
            pytest.fail(f"{target} was still in use (a file left open)")


def test_a_file_bound_over_an_output_leaves_every_old_output(tmp_path: Path) -> None:
    """The issue's own case: a file bind-mounted over thong-bao.md cannot be renamed (EBUSY) mid-commit."""
    out = tmp_path / "out"
    pipeline.build(SAMPLE, out)
    for path in out.iterdir():
        if path.is_file():  # not don-vi/, the cards' folder
            path.write_bytes(f"cũ {path.name}".encode())
    other = tmp_path / "other.md"
    other.write_text("gắn đè", encoding="utf-8")
    with mounted(str(other), out / "thong-bao.md", "--bind"):
        expected = snapshot(out)
        with pytest.raises(OutputError, match=r"Không ghi được .*thong-bao\.md"):
            pipeline.build(SAMPLE, out)
        assert snapshot(out) == expected


def test_a_full_tmpfs_names_the_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with mounted("tmpfs", out, "-t", "tmpfs", "-o", "size=48k"):
        result = runner.invoke(app, ["build", str(SAMPLE), "-o", str(out), "-q"])
        assert result.exit_code == 4, result.output
        assert "Không ghi được" in result.output and ": ổ đĩa đã đầy." in result.output
        assert "không đọc/ghi được" not in result.output
        assert list(out.iterdir()) == []


def test_a_writer_error_names_the_target_not_the_temporary(tmp_path: Path) -> None:
    def fails(path: Path) -> None:
        raise OutputError(f"Không ghi được {path}: lỗi.")

    with pytest.raises(OutputError) as caught, Staging() as staging:
        staging.write(tmp_path / "a.xlsx", fails)
    assert str(caught.value) == f"Không ghi được {tmp_path / 'a.xlsx'}: lỗi."


# --------------------------------------------------------------------------- temporary files and signals


def _paused_build(out: Path, marker: Path, campaign: Path = SAMPLE) -> list[str]:
    """A real ``egov-xlsx build`` that pauses after writing results.json to its temporary file."""
    code = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from egov_xlsx.publish import serialize
        real = serialize.dump
        def slow(value, path, *args):
            real(value, path, *args)
            Path({str(marker)!r}).write_text("", encoding="utf-8")
            time.sleep(60)
        serialize.dump = slow
        from egov_xlsx.cli.commands import main
        sys.argv = ["egov-xlsx", "build", {str(campaign)!r}, "-o", {str(out)!r}, "-q"]
        main()
        """
    )
    return [sys.executable, "-c", code]


def _start_paused(out: Path, tmp_path: Path) -> subprocess.Popen[str]:
    marker = tmp_path / "paused"
    marker.unlink(missing_ok=True)
    process = subprocess.Popen(
        _paused_build(out, marker), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return process


def _old_outputs(out: Path) -> dict[str, bytes | None]:
    out.mkdir()
    for name in ("results.json", "thong-bao.md"):
        (out / name).write_bytes(f"cũ {name}".encode())
    return snapshot(out)


@POSIX_ONLY
@pytest.mark.parametrize("signum", ["SIGTERM", "SIGHUP"])
def test_a_terminated_build_leaves_no_temporary_file(tmp_path: Path, signum: str) -> None:
    out = tmp_path / "out"
    expected = _old_outputs(out)
    process = _start_paused(out, tmp_path)
    assert any(p.name.startswith(".") for p in out.iterdir())  # mid-build: temporaries and the lock exist
    process.send_signal(getattr(signal, signum))
    process.communicate(timeout=60)
    assert process.returncode != 0
    assert snapshot(out) == expected


@POSIX_ONLY
def test_a_killed_builds_temporaries_are_removed_by_the_next_build(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _old_outputs(out)
    process = _start_paused(out, tmp_path)
    process.kill()
    process.communicate(timeout=60)
    left = sorted(p.name for p in out.iterdir() if p.name.startswith("."))
    assert any(".tmp" in name for name in left), left
    assert pipeline.build(SAMPLE, out).published
    assert sorted(p.name for p in out.rglob(".*")) == [".egov-xlsx-don-vi.json"]  # the cards' manifest


@POSIX_ONLY
def test_a_second_build_into_the_same_folder_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _old_outputs(out)
    process = _start_paused(out, tmp_path)
    try:
        theirs = sorted(p.name for p in out.iterdir())
        with pytest.raises(FolderBusy, match=f"tiến trình {process.pid}.* đang ghi vào thư mục"):
            pipeline.build(SAMPLE, out)
        result = subprocess.run(
            [sys.executable, "-m", "egov_xlsx", "build", str(SAMPLE), "-o", str(out), "-q"],
            cwd=REPO,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
        )
        assert result.returncode == 4
        assert "Một lệnh egov-xlsx khác" in result.stderr and "Traceback" not in result.stderr
        assert sorted(p.name for p in out.iterdir()) == theirs  # its temporaries were not taken for stale
    finally:
        process.kill()
        process.communicate(timeout=60)
    assert pipeline.build(SAMPLE, out).published  # the lock died with its process


def test_a_lock_held_in_this_process_is_refused(tmp_path: Path) -> None:
    with atomic.folder_lock(tmp_path), pytest.raises(FolderBusy):
        pipeline.build(SAMPLE, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_build_leaves_the_system_temp_folder_as_it_found_it(tmp_path: Path) -> None:
    """No file of a build stays in the temporary folder (xlsxwriter left one per chart sheet).

    Jinja's compiled templates are kept between runs on purpose, in the user's cache folder, never in the
    temporary one: made once, then reused, never one more file per run.
    """
    temp, cache = tmp_path / "temp", tmp_path / "cache"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp), "TEMP": str(temp), "TMP": str(temp), "XDG_CACHE_HOME": str(cache)}
    command = [sys.executable, "-m", "egov_xlsx", "build", str(SAMPLE), "-o", str(tmp_path / "out"), "-q"]

    def compiled() -> list[str]:
        return sorted(p.relative_to(cache).as_posix() for p in cache.rglob("*"))

    for run in range(2):
        result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, timeout=300)
        assert result.returncode == 0, result.stderr
        assert sorted(temp.rglob("*")) == [], run
        if run == 0:
            first = compiled()
    assert compiled() == first
    assert sorted(p.name for p in (tmp_path / "out").rglob(".*")) == [".egov-xlsx-don-vi.json"]  # the cards' manifest


@pytest.mark.parametrize("k", range(6))
def test_a_removal_is_part_of_the_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, k: int) -> None:
    """A file the tool wrote earlier and no longer wants goes with the commit, all or none."""
    for name in ("a.txt", "b.txt", "stale.txt"):
        (tmp_path / name).write_text(f"cũ {name}", encoding="utf-8")
    expected = snapshot(tmp_path)
    monkeypatch.setattr(atomic.commit, "_replace", Fail(k))
    with pytest.raises(OutputError), atomic.publishing(tmp_path) as staging:
        staging.write(tmp_path / "a.txt", lambda p: p.write_text("mới", encoding="utf-8"))
        staging.write(tmp_path / "b.txt", lambda p: p.write_text("mới", encoding="utf-8"))
        staging.remove(tmp_path / "stale.txt")
        staging.remove(tmp_path / "never-there.txt")
    assert snapshot(tmp_path) == expected
    monkeypatch.setattr(atomic.commit, "_replace", Fail(None))
    with atomic.publishing(tmp_path) as staging:
        staging.write(tmp_path / "a.txt", lambda p: p.write_text("mới", encoding="utf-8"))
        staging.remove(tmp_path / "stale.txt")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]


def test_a_forged_journal_removes_and_renames_nothing_of_the_users(tmp_path: Path) -> None:
    """A journal copied in or forged: only the tool's own backups of its own targets are ever put back."""
    outside = tmp_path / "outside.txt"
    outside.write_text("ngoài", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "ghi-chu.txt").write_text("của người dùng", encoding="utf-8")
    (out / "a.txt").write_text("của người dùng", encoding="utf-8")
    (out / ".b.0123456789ab.old.txt").write_text("bản cũ của b", encoding="utf-8")
    identity = list(atomic._identity(out / "ghi-chu.txt") or ())
    steps = [
        {"target": "../outside.txt", "backup": None, "new": list(atomic._identity(outside) or ())},
        {"target": str(outside), "backup": None, "new": None},
        {"target": "ghi-chu.txt", "backup": None, "new": [identity[0], identity[1] + 1]},
        {"target": "a.txt", "backup": ".b.0123456789ab.old.txt", "new": None},
        {"target": "b.txt", "backup": ".b.0123456789ab.old.txt", "new": None},
    ]
    import json

    (out / atomic.JOURNAL_NAME).write_text(json.dumps({"steps": steps}), encoding="utf-8")
    with atomic.publishing(out):
        pass
    assert outside.read_text(encoding="utf-8") == "ngoài"
    assert sorted(p.name for p in out.iterdir()) == ["a.txt", "b.txt", "ghi-chu.txt"]
    assert (out / "a.txt").read_text(encoding="utf-8") == "của người dùng"
    assert (out / "b.txt").read_text(encoding="utf-8") == "bản cũ của b"
