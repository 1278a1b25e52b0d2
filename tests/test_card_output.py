"""The result cards staged with the other outputs of a build, written in a forked child beside them (Linux, two
jobs, enough units) or here after them: the same bytes, in the one commit. A card that cannot be written, or
cut from the printed document, is an error naming that file, wherever it was written, and rolls back the whole
build, leaving every earlier output as it was."""

from __future__ import annotations

import sys
from collections.abc import Iterator
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


def _spy_on_children(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Cards in a child from one unit on; the list gets what each build's ``start_cards`` returned."""
    started: list[object] = []
    start = card_output.start_cards

    def spy(*args: object, **kwargs: object) -> object:
        job = start(*args, **kwargs)  # type: ignore[arg-type]
        started.append(job)
        return job

    monkeypatch.setattr(card_output, "FORK_CARDS_UNITS", 1)
    monkeypatch.setattr(card_output, "start_cards", spy)
    return started


@needs_fork
def test_cards_written_in_a_child_are_the_cards_written_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    here = tmp_path / "here"
    pipeline.build(SAMPLE, here, jobs=1)
    started = _spy_on_children(monkeypatch)
    child = tmp_path / "child"
    pipeline.build(SAMPLE, child, jobs=2)
    assert len(started) == 1 and started[0] is not None  # the cards were written by a child
    written = _files(child)
    assert len([n for n in written if n.startswith(CARDS_FOLDER) and n.endswith(".docx")]) == 27
    assert written == _files(here)


# jobs=1: here, after the other outputs; jobs=2: in a forked child (Linux only: elsewhere here too).
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_card_that_cannot_be_cut_from_the_printed_document_is_an_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    folder = tmp_path / "out"
    pipeline.build(SAMPLE, folder, jobs=1)
    before = _files(folder)
    started = _spy_on_children(monkeypatch)
    unit_files = card_files.CardFiles.unit_files

    def full_disk(self: card_files.CardFiles) -> Iterator[tuple[str, bytes]]:
        for n, item in enumerate(unit_files(self)):
            if n == 5:  # reading the printed document back fails half-way
                raise OSError(28, "No space left on device")
            yield item

    monkeypatch.setattr(card_files.CardFiles, "unit_files", full_disk)
    printed = folder / "phieu-ket-qua-du-thao.docx"
    with pytest.raises(OutputError) as caught:
        pipeline.build(SAMPLE, folder, jobs=jobs, draft=True)
    assert str(caught.value) == f"Không ghi được {printed}: ổ đĩa đã đầy."
    assert (started[0] is not None) == (jobs == 2 and sys.platform.startswith("linux"))
    assert _files(folder) == before  # no temporary file left either


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_unit_file_that_cannot_be_written_is_an_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    folder = tmp_path / "out"
    pipeline.build(SAMPLE, folder, jobs=1)
    before = _files(folder)
    names = sorted(p.name for p in (folder / CARDS_FOLDER).glob("*.docx"))
    assert len(names) == 27
    victim = names[7].replace(".docx", "-du-thao.docx")
    started = _spy_on_children(monkeypatch)
    write_bytes = Path.write_bytes

    def full_disk(self: Path, data: bytes) -> int:
        # The staged file is ".<stem>.<random>.tmp.docx" beside the unit's file.
        if self.parent.name == CARDS_FOLDER and self.name.startswith(f".{Path(victim).stem}."):
            raise OSError(28, "No space left on device")
        return write_bytes(self, data)

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    with pytest.raises(OutputError) as caught:
        pipeline.build(SAMPLE, folder, jobs=jobs, draft=True)
    assert str(caught.value) == f"Không ghi được {folder / CARDS_FOLDER / victim}: ổ đĩa đã đầy."
    assert (started[0] is not None) == (jobs == 2 and sys.platform.startswith("linux"))
    assert _files(folder) == before


def test_one_job_writes_the_cards_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_child(*args: object) -> None:
        raise AssertionError("no child with one job")

    monkeypatch.setattr(card_output, "FORK_CARDS_UNITS", 1)
    monkeypatch.setattr(card_output, "Pending", no_child)
    pipeline.build(SAMPLE, tmp_path / "out", jobs=1)
    assert len(list((tmp_path / "out" / CARDS_FOLDER).glob("*.docx"))) == 27
