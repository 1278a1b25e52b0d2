"""`--previous`: an earlier year's results.json is checked strictly, compared only with an earlier year of the
same province (or a province merged into it), and every wrong input is exit 4 with one plain line."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from egov_xlsx import pipeline
from egov_xlsx.cli.commands import ExitCode, app
from egov_xlsx.config import load_campaign
from egov_xlsx.rules.previous import PreviousResultsError, load_previous
from tests import corpus
from tests.conftest import REPO, SAMPLE

SAMPLE_2019 = REPO / "samples" / "hung-yen-2019"
runner = CliRunner()


@pytest.fixture(scope="module")
def out_2018(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("out") / "hung-yen-2018"
    assert pipeline.build(SAMPLE, folder).published
    return folder


def _results(folder: Path) -> dict:
    return json.loads((folder / "results.json").read_text(encoding="utf-8"), parse_float=Decimal, parse_int=Decimal)


def _write(path: Path, data: dict) -> Path:
    from egov_xlsx.publish.serialize import dumps

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(data), encoding="utf-8")
    return path


def _build_2019(previous: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["build", str(SAMPLE_2019), "--previous", str(previous), "-q", "-o", "unused"])
    return result.exit_code, result.output


def _one_line_exit_4(code: int, out: str) -> str:
    assert code == ExitCode.IO, out
    assert "Traceback" not in out and "sự cố không mong muốn" not in out and "PreviousResultsError" not in out
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Lỗi: "), out
    return lines[0]


@pytest.mark.parametrize("case", sorted(corpus.MALFORMED_PREVIOUS))
def test_a_malformed_results_json_is_exit_4_naming_the_file_and_the_json_path(
    out_2018: Path, tmp_path: Path, case: str
) -> None:
    bad = corpus.write_malformed_previous(out_2018 / "results.json", tmp_path / "results.json", case)
    with pytest.raises(PreviousResultsError) as caught:
        load_previous(bad, load_campaign(SAMPLE_2019))
    message = str(caught.value)
    assert str(bad) in message
    _, path = corpus.MALFORMED_PREVIOUS[case]
    if path:
        assert f"(mục {path})" in message, message
    assert "--previous nhận thư mục kết quả" in message
    line = _one_line_exit_4(*_build_2019(tmp_path))  # the folder holding it
    assert "results.json" in line
    assert not (Path("unused")).exists()


def test_folders_that_are_not_an_output_folder(out_2018: Path, tmp_path: Path) -> None:
    line = _one_line_exit_4(*_build_2019(tmp_path / "khong-co"))
    assert "Không tìm thấy kết quả năm trước" in line and "khong-co" in line
    line = _one_line_exit_4(*_build_2019(SAMPLE))  # the campaign folder, not its output folder
    assert "là thư mục đợt đánh giá, không phải thư mục kết quả" in line and "output/hung-yen-2018" in line
    (tmp_path / "trong").mkdir()
    line = _one_line_exit_4(*_build_2019(tmp_path / "trong"))
    assert "không có tệp results.json" in line


def test_the_same_year_a_later_year_or_another_province_is_refused(out_2018: Path, tmp_path: Path) -> None:
    data = _results(out_2018)
    for year in (2019, 2020):
        changed = {**data, "campaign": {**data["campaign"], "year": year}}
        line = _one_line_exit_4(*_build_2019(_write(tmp_path / str(year) / "results.json", changed)))
        assert f"đây là kết quả năm {year}, không phải của một năm trước năm 2019" in line
    other = {**data, "campaign": {**data["campaign"], "province": "Thái Bình"}}
    line = _one_line_exit_4(*_build_2019(_write(tmp_path / "tb" / "results.json", other)))
    assert "đây là kết quả của Thái Bình, không phải của Hưng Yên" in line
    assert 'previous_provinces = ["Thái Bình"]' in line


def test_a_predecessor_province_is_matched_through_previous_codes_only(out_2018: Path, tmp_path: Path) -> None:
    data = _results(out_2018)
    other = {**data, "campaign": {**data["campaign"], "province": "Thái Bình"}}
    previous = _write(tmp_path / "tb" / "results.json", other)
    campaign = tmp_path / "hung-yen-2019"
    shutil.copytree(SAMPLE_2019, campaign)
    config = campaign / "egov.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("year = 2019\n", 'year = 2019\nprevious_provinces = ["Thái Bình"]\n', 1), encoding="utf-8"
    )
    last = load_previous(previous, load_campaign(campaign))
    matched = {code: s.code for tier in last.standings.values() for code, s in tier.items()}
    assert matched == {"BQL": "BQLKCN"}  # same codes of another province are other units
    outcome = pipeline.build(campaign, tmp_path / "out", previous=previous)
    assert outcome.published


def test_draft_previous_results_are_used_with_a_warning(out_2018: Path, tmp_path: Path) -> None:
    data = {**_results(out_2018), "draft": True}
    folder = tmp_path / "draft-2018"
    _write(folder / "results-du-thao.json", data)  # only a draft in the folder: it is used
    result = runner.invoke(app, ["build", str(SAMPLE_2019), "--previous", str(folder), "-q", "-o", str(tmp_path / "o")])
    assert result.exit_code == ExitCode.OK, result.output
    assert "Cảnh báo: Kết quả năm 2018 dùng để so sánh là bản dự thảo" in result.output
    last = load_previous(folder, load_campaign(SAMPLE_2019))
    assert [f.code for f in last.findings][:1] == ["previous-draft"]


def test_a_valid_previous_still_compares(out_2018: Path) -> None:
    last = load_previous(out_2018, load_campaign(SAMPLE_2019))
    assert last.year == 2018
    assert last.standings["so-nganh"]["SCT"].rank == 11
    assert not any(f.code == "previous-draft" for f in last.findings)


def test_score_takes_the_previous_year_load_previous_gives(out_2018: Path) -> None:
    """The library's ``score`` takes a ``PreviousYear`` whole (the README's public surface), as ``build`` does."""
    import egov_xlsx

    campaign = load_campaign(SAMPLE_2019)
    last = egov_xlsx.load_previous(out_2018, campaign)
    assert isinstance(last, egov_xlsx.PreviousYear)
    report = egov_xlsx.check(campaign)
    results = egov_xlsx.score(report, draft=not report.valid, previous=last)
    assert results.previous_year == last.year == 2018
    compared = [u for t in results.tiers for u in t.units if u.previous is not None]
    assert compared and all(
        u.previous == last.standings[t.tier.id][u.unit.code] for t in results.tiers for u in t.units if u.previous
    )
    assert egov_xlsx.score(report, draft=not report.valid).previous_year is None
