"""The subject of the ranking comes from the config: a DTI or CCHC campaign's outputs never say "Chính quyền
điện tử" unless its own config does."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from egov_xlsx.cli.commands import app
from egov_xlsx.config import load_campaign
from egov_xlsx.errors import ConfigError

runner = CliRunner()


def _as_dti(folder: Path) -> None:
    """The sample campaign retitled as a digital-transformation ranking (its wording only)."""
    config = folder / "egov.toml"
    text = config.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^#.*\n", "", text)  # the sample's comments speak of e-government
    text = text.replace(
        'title = "Đánh giá, xếp hạng mức độ Chính quyền điện tử trong cơ quan nhà nước tỉnh Hưng Yên năm 2018"',
        'title = "Đánh giá, xếp hạng Chỉ số chuyển đổi số các cơ quan nhà nước tỉnh Hưng Yên năm 2018"\n'
        'subject = "chuyển đổi số"\nindex_name = "Chỉ số chuyển đổi số (DTI)"',
    )
    text = text.replace("Chính quyền điện tử", "chuyển đổi số")  # the criteria decision's name
    config.write_text(text, encoding="utf-8")


def _xml_texts(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        return "\n".join(package.read(name).decode("utf-8") for name in package.namelist() if name.endswith(".xml"))


def test_defaults_say_e_government(sample_campaign: object) -> None:
    campaign = load_campaign(Path(__file__).resolve().parent.parent / "samples" / "hung-yen-2018")
    assert campaign.subject == "Chính quyền điện tử" and campaign.index_name == ""
    assert campaign.measured == "mức độ Chính quyền điện tử"
    assert campaign.effort == "xây dựng Chính quyền điện tử"
    assert campaign.ranking == "chỉ số xếp hạng mức độ Chính quyền điện tử"


def test_a_dti_campaign_says_its_own_subject_everywhere(sample_copy: Path, tmp_path: Path) -> None:
    _as_dti(sample_copy)
    campaign = load_campaign(sample_copy)
    assert (campaign.measured, campaign.effort) == ("Chỉ số chuyển đổi số (DTI)", "chuyển đổi số")

    forms = tmp_path / "forms"
    assert runner.invoke(app, ["forms", str(sample_copy), "-o", str(forms)]).exit_code == 0
    form = next(forms.rglob("*.xlsx"))
    assert load_workbook(form).worksheets[0]["A1"].value == "BIỂU TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CHỈ SỐ CHUYỂN ĐỔI SỐ (DTI)"

    assert runner.invoke(app, ["appraisal", str(sample_copy)]).exit_code == 0
    appraisal = load_workbook(sample_copy / "appraisal.xlsx").worksheets[0]
    assert appraisal["A1"].value == "BẢNG ĐIỂM THẨM ĐỊNH CHỈ SỐ CHUYỂN ĐỔI SỐ (DTI)"
    (sample_copy / "appraisal.xlsx").unlink()

    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(sample_copy), "-o", str(out), "--draft"])
    assert result.exit_code == 0, result.output
    written = sorted(p for p in out.rglob("*") if p.is_file())
    texts = {p.name: p.read_text(encoding="utf-8") for p in written if p.suffix in (".md", ".txt", ".json", ".html")}
    texts |= {p.name: _xml_texts(p) for p in written if p.suffix in (".xlsx", ".docx")}
    assert texts, written
    for name, text in texts.items():
        assert "Chính quyền điện tử" not in text and "CHÍNH QUYỀN ĐIỆN TỬ" not in text, name
    decision = next(text for name, text in texts.items() if name.endswith(".docx") and "Điều 2" in text)
    assert "công tác chuyển đổi số, cải thiện Chỉ số chuyển đổi số (DTI) trong các năm tiếp theo" in decision
    announcement = next(text for name, text in texts.items() if name.endswith(".txt"))
    assert "nâng cao hiệu quả công tác chuyển đổi số, cải thiện" in announcement
    workbook = next(text for name, text in texts.items() if name.endswith(".xlsx") and "Kết quả đánh giá" in text)
    assert "Kết quả đánh giá, xếp hạng Chỉ số chuyển đổi số (DTI)" in workbook


@pytest.mark.parametrize(
    ("subject", "effort"),
    [("Chính quyền số", "xây dựng Chính quyền số"), ("cải cách hành chính", "cải cách hành chính")],
)
def test_the_work_to_improve_follows_the_subject(sample_copy: Path, subject: str, effort: str) -> None:
    config = sample_copy / "egov.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("year = 2018", f'year = 2018\nsubject = "{subject}"'),
        encoding="utf-8",
    )
    campaign = load_campaign(sample_copy)
    assert campaign.effort == effort and campaign.measured == f"mức độ {subject}"


def test_an_empty_subject_is_a_located_problem(sample_copy: Path) -> None:
    config = sample_copy / "egov.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("year = 2018", 'year = 2018\nsubject = "  "'), encoding="utf-8"
    )
    with pytest.raises(ConfigError) as caught:
        load_campaign(sample_copy)
    assert any("subject" in p.key for p in caught.value.problems)
