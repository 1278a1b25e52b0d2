"""A writer in a forked child (file, exception, death, cancellation)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from egov_xlsx import pipeline
from egov_xlsx.atomic import Staging
from egov_xlsx.errors import OutputError
from egov_xlsx.publish import background
from tests.conftest import SAMPLE

pytestmark = pytest.mark.skipif(not background.can_fork(), reason="no fork on this platform")


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _fail_with_os_error(path: Path) -> None:
    raise PermissionError(13, "Permission denied", str(path))


class _Unpicklable(Exception):
    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("cannot pickle this")


def _fail_unpicklable(path: Path) -> None:
    raise _Unpicklable("lỗi riêng")


def _die(path: Path) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _sleep(path: Path) -> None:
    time.sleep(60)


def test_child_writes_the_file(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    pending = background.Pending(_write, target, "kết quả")
    pending.wait()
    assert target.read_text(encoding="utf-8") == "kết quả"


def test_child_exception_is_raised_in_the_parent(tmp_path: Path) -> None:
    pending = background.Pending(_fail_with_os_error, tmp_path / "a.txt")
    with pytest.raises(PermissionError) as caught:
        pending.wait()
    assert caught.value.filename == str(tmp_path / "a.txt")


def test_unpicklable_exception_comes_back_in_words(tmp_path: Path) -> None:
    pending = background.Pending(_fail_unpicklable, tmp_path / "a.txt")
    with pytest.raises(RuntimeError, match="_Unpicklable: lỗi riêng"):
        pending.wait()


def test_child_that_dies_is_reported(tmp_path: Path) -> None:
    pending = background.Pending(_die, tmp_path / "a.txt")
    with pytest.raises(RuntimeError, match="dừng bất thường"):
        pending.wait()


def test_cancel_stops_the_child(tmp_path: Path) -> None:
    started = time.monotonic()
    pending = background.Pending(_sleep, tmp_path / "a.txt")
    pending.cancel()
    assert time.monotonic() - started < 10


def test_no_fork_while_another_thread_runs() -> None:
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not background.can_fork()
    finally:
        stop.set()
        thread.join()
    assert background.can_fork()


def test_failed_workbook_child_leaves_previous_outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The forked workbook fails: the build fails as a whole, and the earlier outputs stay as they were."""
    from egov_xlsx.publish import workbook

    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "ket-qua-xep-hang.xlsx").write_bytes(b"old")
    (folder / "results.json").write_bytes(b"old")

    def broken(results: object, path: Path) -> None:
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(workbook, "write_results_workbook", broken)
    monkeypatch.setattr(background, "FORK_WORKBOOK_UNITS", 1)
    with pytest.raises(OutputError, match=r"Không ghi được .*ket-qua-xep-hang\.xlsx: ổ đĩa đã đầy"):
        pipeline.build(SAMPLE, folder, jobs=2)
    assert (folder / "ket-qua-xep-hang.xlsx").read_bytes() == b"old"
    assert (folder / "results.json").read_bytes() == b"old"
    assert sorted(p.name for p in folder.iterdir()) == ["ket-qua-xep-hang.xlsx", "results.json"]


def test_staging_rollback_after_cancel(tmp_path: Path) -> None:
    with pytest.raises(OutputError), Staging() as staging:
        tmp = staging.stage(tmp_path / "a.txt")
        pending = background.Pending(_sleep, tmp)
        pending.cancel()
        raise OutputError("dừng")
    assert list(tmp_path.iterdir()) == []


def _clean_up_when_stopped(path: Path) -> None:
    path.write_text("đang ghi", encoding="utf-8")
    try:
        time.sleep(60)
    except BaseException:
        path.unlink()  # what xlsxwriter's caller does with its temporary row files
        raise


def test_cancelled_child_cleans_up_after_itself(tmp_path: Path) -> None:
    scratch = tmp_path / "rows.tmp"
    pending = background.Pending(_clean_up_when_stopped, scratch)
    deadline = time.monotonic() + 10
    while not scratch.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert scratch.exists()
    pending.cancel()
    assert not scratch.exists()


class _TwoArguments(Exception):
    def __init__(self, what: str, where: str) -> None:
        super().__init__(f"{what} ở {where}")  # pickles, but cannot be unpickled from its args


def _fail_two_arguments(path: Path) -> None:
    raise _TwoArguments("hỏng", str(path))


def test_exception_that_cannot_be_unpickled_comes_back_in_words(tmp_path: Path) -> None:
    pending = background.Pending(_fail_two_arguments, tmp_path / "a.txt")
    with pytest.raises(RuntimeError, match="_TwoArguments: hỏng ở"):
        pending.wait()


def test_no_child_to_be_had_writes_the_workbook_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork(*args: object) -> None:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(background, "Pending", no_fork)
    monkeypatch.setattr(background, "FORK_WORKBOOK_UNITS", 1)
    outcome = pipeline.build(SAMPLE, tmp_path / "out", jobs=2)
    assert outcome.published
    assert (tmp_path / "out" / pipeline.NAMES.workbook).stat().st_size > 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.name.startswith(".")) == []


def test_forked_workbook_is_part_of_the_one_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The child writes only its temporary file: the workbook is renamed with the others, all or none."""
    from egov_xlsx import atomic

    monkeypatch.setattr(background, "FORK_WORKBOOK_UNITS", 1)
    old = tmp_path / "old"
    old.mkdir()
    for name in (pipeline.NAMES.workbook, pipeline.NAMES.json, pipeline.NAMES.markdown):
        (old / name).write_bytes(f"cũ {name}".encode())
    expected = {p.name: p.read_bytes() for p in old.iterdir()}
    calls: list[Path] = []

    def count(source: Path, target: Path) -> None:
        calls.append(target)
        os.replace(source, target)

    monkeypatch.setattr(atomic.commit, "_replace", count)
    import shutil

    pipeline.build(SAMPLE, shutil.copytree(old, tmp_path / "count"), jobs=2)
    assert tmp_path / "count" / pipeline.NAMES.workbook in calls  # the child's file is renamed by the commit
    for k in range(len(calls)):
        out = shutil.copytree(old, tmp_path / f"out-{k}")
        step = iter(range(len(calls)))

        def fail_at(source: Path, target: Path, k: int = k, step: object = step) -> None:
            if next(step) == k:  # type: ignore[call-overload]
                raise OSError(16, "Device or resource busy", str(target))
            os.replace(source, target)

        monkeypatch.setattr(atomic.commit, "_replace", fail_at)
        with pytest.raises(OutputError):
            pipeline.build(SAMPLE, out, jobs=2)
        assert {p.name: p.read_bytes() for p in out.iterdir()} == expected, k


def test_terminated_build_stops_its_workbook_child(tmp_path: Path) -> None:
    """SIGTERM to a build whose workbook is being written in a child: both stop, nothing is left behind."""
    import subprocess
    import sys
    import textwrap

    from tests.conftest import REPO

    out = tmp_path / "out"
    out.mkdir()
    (out / "results.json").write_bytes(b"old")
    marker = tmp_path / "child.pid"
    code = textwrap.dedent(
        f"""
        import os, sys, time
        from pathlib import Path
        from egov_xlsx import pipeline
        from egov_xlsx.publish import workbook
        real = workbook.write_results_workbook
        def slow(results, path):
            real(results, path)
            Path({str(marker)!r}).write_text(str(os.getpid()), encoding="utf-8")
            time.sleep(60)
        workbook.write_results_workbook = slow
        from egov_xlsx.publish import background
        background.FORK_WORKBOOK_UNITS = 1
        from egov_xlsx.cli.commands import main
        sys.argv = ["egov-xlsx", "build", {str(SAMPLE)!r}, "-o", {str(out)!r}, "-q", "-j", "2"]
        main()
        """
    )
    process = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.2)  # the parent has written the other outputs and waits for the child
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=20)  # the child sleeps for 60 s: the parent must stop it, not wait for it
    assert process.returncode != 0
    child = int(marker.read_text(encoding="utf-8"))
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)
    assert sorted(p.name for p in out.iterdir()) == ["results.json"]
    assert (out / "results.json").read_bytes() == b"old"
