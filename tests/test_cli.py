"""The command line: exit codes, exact messages, --json equal to the library, nothing half-written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from egov_xlsx import layout, pipeline
from egov_xlsx.cli import ExitCode, app
from egov_xlsx.serialize import check_dict
from tests.conftest import REPO

runner = CliRunner()


def invoke(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def test_help_lists_every_command() -> None:
    code, out = invoke("--help")
    assert code == 0
    for command in ("init", "forms", "check", "build"):
        assert command in out


def test_init_scaffolds_and_refuses_to_overwrite(tmp_path: Path) -> None:
    code, out = invoke("init", tmp_path / "moi")
    assert code == 0 and "egov-xlsx forms" in out
    assert (tmp_path / "moi" / "egov.toml").is_file() and (tmp_path / "moi" / "inbox").is_dir()
    code, _ = invoke("check", tmp_path / "moi")
    assert code == ExitCode.FINDINGS  # the example roster has not submitted yet
    code, out = invoke("init", tmp_path / "moi")
    assert code == ExitCode.IO and "không ghi đè" in out


def test_forms_then_check_and_json_equals_the_library(sample_copy: Path, tmp_path: Path) -> None:
    code, out = invoke("forms", sample_copy, "-o", tmp_path / "forms")
    assert code == 0 and "27 biểu" in out
    assert len(list((tmp_path / "forms").glob("*.xlsx"))) == 27
    code, out = invoke("check", sample_copy)
    assert code == 0 and "Không có lỗi" in out
    result = runner.invoke(app, ["check", str(sample_copy), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == json.loads(json.dumps(check_dict(pipeline.check(sample_copy))))


def test_build_publishes_the_sample(sample_copy: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    code, out = invoke("build", sample_copy, "-o", out_dir)
    assert code == 0, out
    names = pipeline.NAMES
    for name in (names.workbook, names.json, names.text, names.markdown, names.announcement, names.decision):
        assert (out_dir / name).is_file(), name
    assert not list(out_dir.glob(".*tmp*")), "no temporary file left behind"


def test_default_output_is_output_campaign_name_under_the_current_folder(sample_copy: Path, tmp_path: Path,
                                                                        monkeypatch) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    code, _ = invoke("build", sample_copy)
    assert code == 0
    assert (tmp_path / "output" / "hung-yen-2018" / pipeline.NAMES.workbook).is_file()


def _break_one_form(campaign: Path) -> None:
    form = next((campaign / "inbox").glob("STP - *.xlsx"))
    wb = openpyxl.load_workbook(form)
    wb[layout.FORM_SHEET]["D10"] = 99  # 1.1 allows 20
    wb.save(form)


def test_build_with_errors_publishes_nothing_but_the_report(sample_copy: Path, tmp_path: Path) -> None:
    _break_one_form(sample_copy)
    code, out = invoke("build", sample_copy, "-o", tmp_path / "out")
    assert code == ExitCode.FINDINGS
    assert "Ô D10 ghi 99 điểm, vượt điểm tối đa 20 của tiêu chí 1.1." in out
    assert "Chưa xuất kết quả xếp hạng" in out
    assert (tmp_path / "out" / pipeline.NAMES.report).is_file()
    assert (tmp_path / "out" / pipeline.FEEDBACK_FOLDER / "STP - So Tu phap.xlsx").is_file()
    assert not (tmp_path / "out" / pipeline.NAMES.workbook).exists()
    assert not (tmp_path / "out" / pipeline.NAMES.json).exists()


def test_draft_build_marks_everything_and_leaves_invalid_units_out(sample_copy: Path, tmp_path: Path) -> None:
    _break_one_form(sample_copy)
    code, out = invoke("build", sample_copy, "-o", tmp_path / "out", "--draft")
    assert code == 0, out
    draft = pipeline.NAMES.for_draft(True)
    assert draft.workbook == "ket-qua-xep-hang-du-thao.xlsx"
    for name in (draft.workbook, draft.json, draft.text, draft.markdown, draft.announcement, draft.decision):
        assert (tmp_path / "out" / name).is_file(), name
    text = (tmp_path / "out" / draft.text).read_text(encoding="utf-8")
    assert text.startswith("DỰ THẢO")
    data = json.loads((tmp_path / "out" / draft.json).read_text(encoding="utf-8"))
    assert data["draft"] is True
    depts = data["tiers"][0]
    assert "STP" not in {u["code"] for u in depts["units"]}
    assert {"code": "STP", "name": "Sở Tư pháp", "reason": "biểu còn lỗi"} in depts["excluded"]


def test_config_problems_exit_3_with_key_paths(tmp_path: Path) -> None:
    (tmp_path / "egov.toml").write_text('[campaign]\nid = "x"\nyear = "2024"\n', encoding="utf-8")
    code, out = invoke("check", tmp_path)
    assert code == ExitCode.CONFIG
    assert "campaign.year: phải là số nguyên" in out
    assert "campaign.title: thiếu khóa bắt buộc" in out
    assert "tiers: cần ít nhất một khối" in out
    assert "Traceback" not in out


def test_missing_campaign_exits_4(tmp_path: Path) -> None:
    code, out = invoke("build", tmp_path / "khong-co")
    assert code == ExitCode.IO and "egov-xlsx init" in out


def test_usage_error_exits_2() -> None:
    code, _ = invoke("build", "--khong-co-tuy-chon")
    assert code == ExitCode.USAGE


def test_an_output_that_cannot_be_replaced_leaves_every_output_as_it_was(sample_copy: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    code, _ = invoke("build", sample_copy, "-o", out_dir)
    assert code == 0
    before = {p.name: p.read_bytes() for p in out_dir.iterdir() if p.is_file()}
    # A folder where the JSON should go: like a workbook locked by Excel, it cannot be replaced.
    (out_dir / pipeline.NAMES.json).unlink()
    (out_dir / pipeline.NAMES.json).mkdir()
    form = next((sample_copy / "inbox").glob("SKHDT - *.xlsx"))
    wb = openpyxl.load_workbook(form)
    wb[layout.FORM_SHEET]["D10"] = 1
    wb.save(form)
    code, out = invoke("build", sample_copy, "-o", out_dir)
    assert code == ExitCode.IO
    assert f"Không ghi được {out_dir / pipeline.NAMES.json}" in out
    after = {p.name: p.read_bytes() for p in out_dir.iterdir() if p.is_file()}
    del before[pipeline.NAMES.json]
    assert after == before, "no output was replaced"
    assert not [p for p in out_dir.iterdir() if ".tmp" in p.name]


def test_python_dash_m_works() -> None:
    result = subprocess.run([sys.executable, "-m", "egov_xlsx", "--help"], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0 and "build" in result.stdout


def test_importing_the_library_loads_neither_typer_nor_rich() -> None:
    code = "import sys, egov_xlsx, egov_xlsx.pipeline; print(sorted(m for m in ('typer', 'rich') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
