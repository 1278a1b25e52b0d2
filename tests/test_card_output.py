"""The result cards staged with the other outputs of a build: a card that cannot be written rolls back the whole
build, leaving every earlier output as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from egov_xlsx import pipeline
from egov_xlsx.errors import OutputError
from egov_xlsx.publish import card_files
from tests.conftest import SAMPLE


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_card_that_cannot_be_written_leaves_every_output_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
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

    monkeypatch.setattr(card_files.CardFiles, "unit_files", full_disk)
    with pytest.raises(OutputError, match=r"Không ghi được .*\.docx: ổ đĩa đã đầy"):
        pipeline.build(SAMPLE, folder, jobs=jobs, draft=True)
    assert _files(folder) == before  # no temporary file left either
