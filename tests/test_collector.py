"""The command line's garbage-collector setting: opt-in, restored, thread-safe, and the same outputs."""

from __future__ import annotations

import gc
import threading
import zipfile
from pathlib import Path

import pytest

from egov_xlsx import collector, pipeline
from egov_xlsx.publish import feedback
from tests.conftest import SAMPLE


def test_library_calls_leave_the_thresholds_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[int, int, int]] = []
    real = pipeline.roster_rules.check_roster

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(gc.get_threshold())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline.roster_rules, "check_roster", spy)
    before = gc.get_threshold()
    pipeline.check(SAMPLE)
    assert seen == [before] and gc.get_threshold() == before


def test_raised_while_the_block_runs_then_restored() -> None:
    before = gc.get_threshold()
    with collector.fewer_collections():
        inside = gc.get_threshold()
    assert inside[0] >= 50_000 and all(i >= b for i, b in zip(inside, before, strict=True))
    assert gc.get_threshold() == before


def test_overlapping_batches_in_threads_restore_the_original() -> None:
    before = gc.get_threshold()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    during: list[tuple[int, int, int]] = []

    def first() -> None:
        with collector.fewer_collections():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with collector.fewer_collections():
            second_in.set()
            first_out.wait(5)
            during.append(gc.get_threshold())  # the first batch ended: still raised for this one

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert during and during[0][0] >= 50_000
    assert gc.get_threshold() == before


def test_a_host_that_turned_collection_off_keeps_it_off() -> None:
    before = gc.get_threshold()
    gc.set_threshold(0)
    try:
        with collector.fewer_collections():
            assert gc.get_threshold()[0] == 0
        assert gc.get_threshold()[0] == 0
    finally:
        gc.set_threshold(*before)


def test_outputs_are_the_same_bytes_with_fewer_collections(tmp_path: Path) -> None:
    plain = pipeline.build(SAMPLE, tmp_path / "plain").folder
    with collector.fewer_collections():
        tuned = pipeline.build(SAMPLE, tmp_path / "tuned").folder
    files = sorted(p.relative_to(plain) for p in plain.rglob("*") if p.is_file())
    assert files and files == sorted(p.relative_to(tuned) for p in tuned.rglob("*") if p.is_file())
    for name in files:
        a, b = plain / name, tuned / name
        if name.name == feedback.MANIFEST:
            continue  # the hashes of the copies, which differ by their save time
        if name.parts[0] == pipeline.FEEDBACK_FOLDER and name.suffix == ".xlsx":
            with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:  # openpyxl stamps the save time
                assert za.namelist() == zb.namelist()
                for part in za.namelist():
                    if part != "docProps/core.xml":
                        assert za.read(part) == zb.read(part), (name, part)
            continue
        assert a.read_bytes() == b.read_bytes(), name
