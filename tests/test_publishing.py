"""What staff publish: reproducible outputs, one formatter everywhere, year over year, a real office suite."""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest

from egov_xlsx import pipeline
from tests.conftest import REPO, SAMPLE

SAMPLE_2019 = REPO / "samples" / "hung-yen-2019"
PUBLISHED = ("workbook", "json", "text", "markdown", "announcement", "decision")


@pytest.fixture(scope="module")
def out_2018(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("out") / "hung-yen-2018"
    assert pipeline.build(SAMPLE, folder).published
    return folder


def _docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_building_twice_gives_byte_identical_outputs(out_2018: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert pipeline.build(SAMPLE, again).published
    for key in PUBLISHED:
        name = getattr(pipeline.NAMES, key)
        assert (again / name).read_bytes() == (out_2018 / name).read_bytes(), name


def test_a_figure_reads_the_same_everywhere(out_2018: Path) -> None:
    names = pipeline.NAMES
    for figure in ("417,30", "106,42", "105,00", "85,5", "4,72"):
        assert figure in (out_2018 / names.text).read_text(encoding="utf-8"), figure
        assert figure in (out_2018 / names.markdown).read_text(encoding="utf-8"), figure
        assert figure in _docx_text(out_2018 / names.announcement), figure
    annex = _docx_text(out_2018 / names.decision)
    for total in ("417,30", "106,42", "105,00", "350,00"):
        assert total in annex
    # The workbook keeps numbers as numbers, with the same two decimals as the texts.
    wb = openpyxl.load_workbook(out_2018 / names.workbook)
    found = [
        cell
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, float) and abs(cell.value - 417.3) < 1e-9
    ]
    assert found and all(cell.number_format == "#,##0.00" for cell in found)


def test_year_over_year_with_previous(out_2018: Path, tmp_path: Path) -> None:
    out = tmp_path / "hung-yen-2019"
    outcome = pipeline.build(SAMPLE_2019, out, previous=out_2018)
    assert outcome.published
    assert [w.code for w in outcome.warnings] == ["previous-criterion-added"]  # 1.4 is new in 2019
    text = (out / pipeline.NAMES.text).read_text(encoding="utf-8")
    assert "Sở Công Thương tăng 10 bậc so với năm 2018" in text
    assert "Sở Giao thông vận tải giảm 5 bậc so với năm 2018" in text
    assert "đồng hạng" in text  # Văn Giang and Phù Cừ share rank 5
    data = json.loads((out / pipeline.NAMES.json).read_text(encoding="utf-8"), parse_float=Decimal)
    units = {u["code"]: u for u in data["tiers"][0]["units"]}
    assert data["previous_year"] == 2018
    assert units["BQL"]["previous"]["code"] == "BQLKCN"  # renamed unit matched through previous_codes
    assert units["SCT"]["previous"]["rank"] == 11 and units["SCT"]["rank"] == 1
    wb = openpyxl.load_workbook(out / pipeline.NAMES.workbook)
    values = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Xếp hạng năm 2018" in values
    assert "tăng 10 bậc" in values and "giảm 5 bậc" in values and "giữ nguyên" in values


def test_unreadable_previous_results_is_a_clear_error(tmp_path: Path) -> None:
    from egov_xlsx.rules.previous import PreviousResultsError

    (tmp_path / "results.json").write_text("{không phải json", encoding="utf-8")
    with pytest.raises(PreviousResultsError, match="Không đọc được kết quả năm trước"):
        pipeline.build(SAMPLE, tmp_path / "out", previous=tmp_path)


def _soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice (soffice) and poppler (pdftotext) are needed to check the outputs in an office suite")
    return path


def test_libreoffice_converts_every_published_file(out_2018: Path, tmp_path: Path) -> None:
    soffice = _soffice()
    names = pipeline.NAMES
    files = [out_2018 / names.workbook, out_2018 / names.decision, out_2018 / names.announcement]
    subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), *map(str, files)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    for f in files:
        pdf = tmp_path / f"{f.stem}.pdf"
        assert pdf.is_file(), f.name
        pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
        text = pages.stdout
        assert "Sở Kế hoạch và Đầu tư" in text and "Ủy ban nhân dân huyện Văn Lâm" in text
        assert "417,30" in text or "417.30" in text
        # No blank page (a section break spilling onto a page of its own): every page has more than its number.
        for number, page in enumerate(text.split("\f")[:-1], start=1):
            assert len(page.strip()) > 3, f"{f.name}: page {number} is blank"
