"""The result cards written in a forked child beside the other outputs: the same bytes, in the one commit."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from egov_xlsx import pipeline
from egov_xlsx.errors import OutputError
from egov_xlsx.publish import card_files, card_output
from egov_xlsx.publish.outputs import CARDS_FOLDER
from tests.conftest import SAMPLE

needs_fork = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the child is forked on Linux only")


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@needs_fork
def test_cards_written_in_a_child_are_the_cards_written_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    here = tmp_path / "here"
    pipeline.build(SAMPLE, here, jobs=1)
    started: list[object] = []
    start = card_output.start_cards

    def spy(*args: object, **kwargs: object) -> object:
        job = start(*args, **kwargs)  # type: ignore[arg-type]
        started.append(job)
        return job

    monkeypatch.setattr(card_output, "FORK_CARDS_UNITS", 1)
    monkeypatch.setattr(card_output, "start_cards", spy)
    child = tmp_path / "child"
    pipeline.build(SAMPLE, child, jobs=2)
    assert len(started) == 1 and started[0] is not None  # the cards were written by a child
    written = _files(child)
    assert len([n for n in written if n.startswith(CARDS_FOLDER) and n.endswith(".docx")]) == 27
    assert written == _files(here)


@needs_fork
def test_a_card_the_child_cannot_write_leaves_every_output_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "out"
    pipeline.build(SAMPLE, folder, jobs=1)
    before = _files(folder)
    unit_files = card_files.CardFiles.unit_files

    def full_disk(self: card_files.CardFiles) -> object:
        for n, item in enumerate(unit_files(self)):
            if n == 5:
                raise OSError(28, "No space left on device")
            yield item

    monkeypatch.setattr(card_output, "FORK_CARDS_UNITS", 1)
    monkeypatch.setattr(card_files.CardFiles, "unit_files", full_disk)
    with pytest.raises(OutputError, match=r"Không ghi được .*\.docx: ổ đĩa đã đầy"):
        pipeline.build(SAMPLE, folder, jobs=2, draft=True)
    assert _files(folder) == before  # no temporary file left either


def test_one_job_writes_the_cards_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_child(*args: object) -> None:
        raise AssertionError("no child with one job")

    monkeypatch.setattr(card_output, "FORK_CARDS_UNITS", 1)
    monkeypatch.setattr(card_output, "Pending", no_child)
    pipeline.build(SAMPLE, tmp_path / "out", jobs=1)
    assert len(list((tmp_path / "out" / CARDS_FOLDER).glob("*.docx"))) == 27
