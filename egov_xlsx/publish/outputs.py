"""What a build writes and where: the output file names, the output folder and the inputs it may not replace.

A build's outputs are named here once (draft builds carry "du-thao" in each name); :class:`BuildOutcome` is what
``egov_xlsx.build`` returns.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path

from egov_xlsx.atomic import Inputs, is_within
from egov_xlsx.config import CONFIG_NAME
from egov_xlsx.errors import OutputError
from egov_xlsx.layout import INBOX
from egov_xlsx.model import Campaign, CheckReport, Finding, Results
from egov_xlsx.read.appraisal import appraisal_path

FEEDBACK_FOLDER = "tra-lai"
DRAFT_SUFFIX = "-du-thao"
#: The result cards' folder: one file per unit ("SKHDT - So Ke hoach va Dau tu.docx").
CARDS_FOLDER = "don-vi"
#: The tool's record of the cards it wrote in :data:`CARDS_FOLDER` (those that no longer apply are removed).
CARDS_MANIFEST = ".egov-xlsx-don-vi.json"
#: Up to this many scored units a build writes the result cards by default; above it, only with ``--cards``.
CARDS_UP_TO = 500


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
    page: str = "ket-qua.html"
    cards: str = "phieu-ket-qua.docx"

    def for_draft(self, draft: bool) -> OutputNames:
        if not draft:
            return self

        def mark(name: str) -> str:
            stem, dot, ext = name.rpartition(".")
            return f"{stem}{DRAFT_SUFFIX}{dot}{ext}"

        return OutputNames(**{k: mark(v) for k, v in self.__dict__.items()})


NAMES = OutputNames()


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


def output_folder(campaign: Campaign, out_dir: Path | None = None, cwd: Path | None = None) -> Path:
    """``out_dir`` when given, else ``output/<campaign folder name>/`` under the current folder."""
    if out_dir is not None:
        return out_dir
    return (cwd or Path.cwd()) / "output" / campaign.folder.resolve().name


#: The campaign's input folders (name, what it is): an output folder may be neither one nor inside one.
INPUT_FOLDERS = (
    (INBOX, "thư mục biểu đơn vị gửi về (inbox)"),
    ("templates", "thư mục mẫu văn bản của đợt đánh giá (templates)"),
    ("imports", "thư mục dữ liệu nhập của đợt đánh giá (imports)"),
    ("appraisal", "thư mục tệp thẩm định của các cơ quan thẩm định (appraisal)"),
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
    paths += [camp.folder / CONFIG_NAME, appraisal_path(camp)]
    with contextlib.suppress(OSError):  # the council's file and its backups (appraisal.YYYYmmdd-HHMMSS.xlsx)
        paths += [p for p in camp.folder.glob("appraisal*.xlsx") if p.is_file()]
    for name, _ in INPUT_FOLDERS[1:]:
        with contextlib.suppress(OSError):
            paths += [p for p in (camp.folder / name).rglob("*") if p.is_file()]
    if previous is not None:
        from egov_xlsx.rules.previous import results_file

        paths.append(results_file(previous))
    return Inputs.of(paths)
