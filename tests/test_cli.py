"""The command line: exit codes, exact messages, --json equal to the library, nothing half-written."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from egov_xlsx import layout, pipeline
from egov_xlsx.cli.commands import ExitCode, app
from egov_xlsx.config import load_campaign
from egov_xlsx.errors import ConfigProblem
from egov_xlsx.model import Criterion
from egov_xlsx.publish.serialize import check_dict
from tests.conftest import REPO

runner = CliRunner()
README = (REPO / "README.md").read_text(encoding="utf-8")


def invoke(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def test_help_lists_every_command() -> None:
    code, out = invoke("--help")
    assert code == 0
    for command in ("init", "forms", "check", "build"):
        assert command in out


def test_init_scaffolds_and_refuses_to_overwrite(tmp_path: Path) -> None:
    code, out = invoke("init", tmp_path / "moi-2025")
    assert code == 0 and "egov-xlsx forms" in out
    assert (tmp_path / "moi-2025" / "egov.toml").is_file() and (tmp_path / "moi-2025" / "inbox").is_dir()
    code, _ = invoke("check", tmp_path / "moi-2025")
    assert code == ExitCode.FINDINGS  # the example roster has not submitted yet
    code, out = invoke("init", tmp_path / "moi-2025")
    assert code == ExitCode.IO and "không ghi đè" in out


def _walk(criteria: tuple[Criterion, ...], depth: int = 1) -> list[tuple[Criterion, int]]:
    return [x for c in criteria for x in [(c, depth), *_walk(c.children, depth + 1)]]


def test_init_takes_the_id_from_the_folder_and_its_example_shows_every_part(tmp_path: Path) -> None:
    folder = tmp_path / "Hưng Yên 2026"
    result = run_cli("init", folder)
    assert result.returncode == 0, result.stderr.decode()
    campaign = load_campaign(folder)  # the example passes the config check as written
    assert (campaign.id, campaign.year) == ("hung-yen-2026", 2026)
    assert "năm 2026" in campaign.title
    assert len(campaign.tiers) == 2
    depts = campaign.tiers[0]
    nodes = _walk(depts.criteria)
    assert max(depth for _, depth in nodes) >= 3, "nested children"
    assert any(c.capped for c, _ in nodes), "a capped parent"
    assert any(c.na_allowed or c.na_units for c, _ in nodes), "a criterion that may be not applicable"
    assert any(a.max > 0 for a in depts.adjustments) and any(a.min < 0 for a in depts.adjustments)
    assert any(not u.ranked and u.unranked_reason for u in depts.units), "an unranked unit"
    assert all(t.tie_breakers for t in campaign.tiers)
    # A draft builds from it with an empty inbox.
    result = run_cli("build", folder, "--draft", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    assert (tmp_path / "out" / pipeline.NAMES.for_draft(True).workbook).is_file()


def test_init_refuses_an_id_it_cannot_derive_without_a_terminal_to_ask_on(tmp_path: Path) -> None:
    result = run_cli("init", tmp_path / "!!!")
    assert result.returncode == ExitCode.USAGE
    assert "--id" in result.stderr.decode("utf-8") and not (tmp_path / "!!!" / "egov.toml").exists()
    result = run_cli("init", tmp_path / "!!!", "--id", "a b")
    rule = "chỉ dùng chữ không dấu, số, dấu chấm, gạch ngang, gạch dưới."
    assert result.returncode == ExitCode.USAGE and f"mã đợt 'a b' không hợp lệ: {rule}" in result.stderr.decode("utf-8")
    assert run_cli("init", tmp_path / "!!!", "--id", "tinh-z-2024").returncode == 0
    assert load_campaign(tmp_path / "!!!").id == "tinh-z-2024"


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal needs POSIX")
def test_init_asks_for_the_id_on_a_terminal(tmp_path: Path) -> None:
    master, slave = os.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "egov_xlsx", "init", str(tmp_path / "###")],
            stdin=slave,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        os.write(master, b"sai ma\ntinh-y-2027\n")
        out, err = proc.communicate(timeout=120)
    finally:
        os.close(master)
        os.close(slave)
    assert proc.returncode == 0, err.decode()
    rule = "chỉ dùng chữ không dấu, số, dấu chấm, gạch ngang, gạch dưới."
    assert "Mã đợt đánh giá" in out.decode("utf-8") and f"Mã đợt 'sai ma' không hợp lệ: {rule}" in out.decode("utf-8")
    campaign = load_campaign(tmp_path / "###")
    assert (campaign.id, campaign.year) == ("tinh-y-2027", 2027)


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
    assert "dòng 3 ([campaign], khóa year): phải là số nguyên" in out
    assert "dòng 1 ([campaign], khóa title): thiếu khóa bắt buộc" in out
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


# --- The console as the user sees it: real subprocess runs, stdout and stderr captured as bytes ------------


def run_cli(*args: str | Path, cwd: Path = REPO) -> subprocess.CompletedProcess[bytes]:
    """``python -m egov_xlsx ARGS`` in a fresh interpreter, as a clerk runs it (stdout and stderr are pipes)."""
    env = {**os.environ, "COLUMNS": "100", "PYTHONIOENCODING": ""}
    return subprocess.run(
        [sys.executable, "-m", "egov_xlsx", *(str(a) for a in args)], capture_output=True, cwd=cwd, env=env, timeout=300
    )


#: Words of typer's and click's English frame, and of the pydantic messages typer 0.29 shows for bad values
#: (short words that are Vietnamese words too, "in", "to", "an", "no", are left out).
ENGLISH = (
    "Usage", "Options", "Arguments", "Commands", "Show", "this", "message", "exit", "Missing", "such",
    "Invalid", "value", "values", "Error", "Try", "for", "help", "not", "the", "range", "Input", "should",
    "greater", "than", "equal", "valid", "integer", "Got", "unexpected", "extra", "argument", "arguments",
    "requires", "does", "take", "Did", "you", "mean", "Possible", "Aborted", "default", "required", "option",
    "command", "flag", "boolean", "int", "path", "text",
)  # fmt: skip


def _english_words(output: str) -> list[str]:
    """The frame's English words in ``output``; option names (``--help``) and file names are not words."""
    words = re.sub(r"--?[\w-]+|\S+\.(?:json|xlsx|toml)\S*", " ", output)
    return sorted({w for w in re.findall(r"[A-Za-z]+", words) if w in ENGLISH or w.lower() in ENGLISH})


@pytest.mark.parametrize(
    ("args", "code", "marker"),
    [
        ((), ExitCode.USAGE, "Cách dùng: egov-xlsx"),
        (("--help",), ExitCode.OK, "Tùy chọn:"),
        (("build", "--help"), ExitCode.OK, "Đối số:"),
        (("check", "--help"), ExitCode.OK, "Tùy chọn:"),
        (("init", "--help"), ExitCode.OK, "Tùy chọn:"),
        (("init",), ExitCode.USAGE, "Lỗi: thiếu đối số THƯ-MỤC."),
        (("build", "--khong-co"), ExitCode.USAGE, "Lỗi: không có tùy chọn --khong-co."),
        (("build", "-j", "0"), ExitCode.USAGE, "cần một số nguyên từ 1 trở lên"),
        (("check", "--jobs", "abc"), ExitCode.USAGE, "cần một số nguyên từ 1 trở lên"),
        (("check", "--json=1"), ExitCode.USAGE, "Lỗi: tùy chọn --json không nhận giá trị."),
        (("build", "-o"), ExitCode.USAGE, "Lỗi: tùy chọn -o cần một giá trị."),
        (("buil",), ExitCode.USAGE, "Lỗi: không có lệnh 'buil'."),
        (("build", "a", "b"), ExitCode.USAGE, "Lỗi: thừa đối số: b."),
    ],
)
def test_the_frame_speaks_vietnamese(args: tuple[str, ...], code: int, marker: str) -> None:
    result = run_cli(*args)
    output = (result.stdout + result.stderr).decode("utf-8")
    assert result.returncode == code, output
    assert marker in output, output
    assert _english_words(output) == [], output
    assert "Traceback" not in output


def test_top_level_help_shows_every_command_summary_whole() -> None:
    from egov_xlsx.cli import commands as cli

    out = " ".join(run_cli("--help").stdout.decode("utf-8").split())
    for command in (cli.init, cli.forms, cli.check, cli.build, cli.appraisal):
        summary = " ".join((command.__doc__ or "").strip().split("\n\n")[0].split())
        assert summary in out, summary
    assert "..." not in out.replace("[ĐỐI SỐ]...", "")


def test_version_is_the_package_version() -> None:
    import egov_xlsx

    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout == f"egov-xlsx {egov_xlsx.__version__}\n".encode()
    assert metadata.version("egov-xlsx") == egov_xlsx.__version__  # pyproject reads it from __init__.py


HOSTILE = "_x001B_]0;pwned_x0007_ _x001B_[2J_x001B_[31m[bold]x[/bold] :smile: \u202eabc"


def _hostile_form(campaign: Path) -> Path:
    """Sở Tư pháp's form with terminal escapes in a score cell (an .xlsx stores ESC as ``_x001B_``)."""
    form = next((campaign / "inbox").glob("STP - *.xlsx"))
    wb = openpyxl.load_workbook(form)
    wb[layout.FORM_SHEET]["D10"] = HOSTILE
    wb.save(form)
    return form


@pytest.mark.skipif(sys.platform == "win32", reason="a newline in a file name needs a POSIX file system")
def test_check_shows_control_characters_instead_of_sending_them(sample_copy: Path) -> None:
    form = _hostile_form(sample_copy)
    # A file name that would forge the summary line of a clean run.
    form.rename(form.with_name("STP\nKhông có lỗi (0 cảnh báo). Có thể chạy: egov-xlsx build\n.xlsx"))
    result = run_cli("check", sample_copy)
    assert result.returncode == ExitCode.FINDINGS
    for raw in (b"\x1b", b"\x07", "\u202e".encode()):
        assert raw not in result.stdout + result.stderr, raw
    out = result.stdout.decode("utf-8")
    assert '"\\x1b]0;pwned\\x07 \\x1b[2J\\x1b[31m[bold]x[/bold] :smile: \\u202eabc"' in out  # markup, emoji: as typed
    assert "STP\\nKhông có lỗi (0 cảnh báo). Có thể chạy: egov-xlsx build\\n.xlsx" in out
    assert not [line for line in out.splitlines() if line.startswith("Không có lỗi")]
    assert sum(1 for line in out.splitlines() if line.startswith("Có ") and " lỗi và " in line) == 1
    # --json stays exact: the same strings, only JSON's own escapes.
    as_json = run_cli("check", sample_copy, "--json")
    for raw in (b"\x1b", b"\x07", "\u202e".encode()):
        assert raw not in as_json.stdout, raw
    data = json.loads(as_json.stdout)
    values = [f["value"] for f in data["findings"] if f["code"] == "score-not-number"]
    assert values == [HOSTILE.replace("_x001B_", "\x1b").replace("_x0007_", "\x07")]
    assert data == json.loads(json.dumps(check_dict(pipeline.check(sample_copy))))


@pytest.mark.skipif(sys.platform == "win32", reason="control characters in file names need a POSIX file system")
def test_the_terminal_corpus_never_reaches_the_terminal(sample_copy: Path) -> None:
    from egov_xlsx.cli.console import visible
    from tests import corpus

    inbox = sample_copy / "inbox"
    names = corpus.make_terminal_names(inbox)
    forms = sorted(inbox.glob("S*.xlsx"))
    for form, text in zip(forms, corpus.TERMINAL_TEXTS.values(), strict=False):
        wb = openpyxl.load_workbook(form)
        wb[layout.FORM_SHEET]["D10"] = corpus.xlsx_escaped(text)
        wb.save(form)
    for args in (("check", sample_copy), ("build", sample_copy, "-o", sample_copy.parent / "out")):
        result = run_cli(*args)
        assert result.returncode == ExitCode.FINDINGS, result.stderr.decode()
        raw = result.stdout + result.stderr
        for byte in (*range(0x20), 0x7F):
            if byte != 0x0A:
                assert bytes([byte]) not in raw, (args[0], byte)
        for char in ("\x9b", "\u202e"):
            assert char.encode() not in raw, char
        out = result.stdout.decode("utf-8")
        for path in names:
            assert visible(path.name) in out, path.name
        for text in corpus.TERMINAL_TEXTS.values():
            assert visible(text) in out, text
        assert not [line for line in out.splitlines() if line.startswith("Không có lỗi")]


def test_config_names_are_shown_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "tinh-x-2025"
    assert run_cli("init", folder).returncode == 0
    config = folder / "egov.toml"
    text = config.read_text(encoding="utf-8")
    name = 'name = "Sở Tài chính\\u001b[2J\\nKhông có lỗi [red]x[/red]"'
    config.write_text(text.replace('name = "Sở Tài chính"', name, 1), encoding="utf-8")
    result = run_cli("check", folder)
    assert result.returncode == ExitCode.FINDINGS, result.stderr.decode()
    assert b"\x1b" not in result.stdout
    out = result.stdout.decode("utf-8")
    assert "STC - Sở Tài chính\\x1b[2J" in out and "[red]x[/red]" in out  # no markup either
    assert not [line for line in out.splitlines() if line.startswith("Không có lỗi")]


def test_visible_convention() -> None:
    from egov_xlsx.cli.console import json_visible, visible

    assert visible("a\nb\r\tc\x00\x1b\x7f\x85\x9b") == "a\\nb\\r\\tc\\x00\\x1b\\x7f\\x85\\x9b"
    assert visible("\u202a\u202e\u2066\u2069\u200f x") == "\\u202a\\u202e\\u2066\\u2069\\u200f x"
    assert visible("Sở Tư pháp C:\\hồ sơ [b]") == "Sở Tư pháp C:\\hồ sơ [b]"
    text = '{"a": "x\x9by\u202e"}'
    assert json.loads(json_visible(text)) == json.loads(text)
    assert "\x9b" not in json_visible(text) and "\u202e" not in json_visible(text)


# --- Exit codes: one real case per documented code, and every user-error class of the package ---------------


def test_exit_0_done(sample_copy: Path) -> None:
    result = run_cli("check", sample_copy)
    assert result.returncode == ExitCode.OK == 0, result.stderr.decode()


def test_exit_1_error_findings(sample_copy: Path) -> None:
    _break_one_form(sample_copy)
    result = run_cli("check", sample_copy)
    assert result.returncode == ExitCode.FINDINGS == 1
    assert "vượt điểm tối đa 20" in result.stdout.decode("utf-8")


def test_exit_2_wrong_usage() -> None:
    result = run_cli("check", "--khong-co")
    assert result.returncode == ExitCode.USAGE == 2 and b"Traceback" not in result.stderr


def test_exit_3_config_problems(tmp_path: Path) -> None:
    (tmp_path / "egov.toml").write_text('[campaign]\nid = "x"\nyear = "2024"\n', encoding="utf-8")
    result = run_cli("check", tmp_path)
    assert result.returncode == ExitCode.CONFIG == 3
    err = result.stderr.decode("utf-8")
    assert (
        "Lỗi: Cấu hình" in err
        and "  - dòng 3 ([campaign], khóa year): phải là số nguyên" in err
        and "Traceback" not in err
    )


def test_exit_3_problems_print_one_per_line_even_with_a_newline_in_a_value(tmp_path: Path) -> None:
    (tmp_path / "egov.toml").write_text('[campaign]\nid = "x\\nKhông có lỗi"\n', encoding="utf-8")
    result = run_cli("check", tmp_path)
    assert result.returncode == ExitCode.CONFIG
    lines = result.stderr.decode("utf-8").splitlines()
    assert lines[0].startswith("Lỗi: Cấu hình") and all(line.startswith("  - ") for line in lines[1:]), lines


def test_exit_4_a_file_or_folder(tmp_path: Path) -> None:
    result = run_cli("build", tmp_path / "khong-co")
    assert result.returncode == ExitCode.IO == 4 and "egov-xlsx init" in result.stderr.decode("utf-8")
    assert run_cli("init", tmp_path / "x-2025").returncode == 0
    result = run_cli("init", tmp_path / "x-2025")
    assert result.returncode == ExitCode.IO and "không ghi đè" in result.stderr.decode("utf-8")


def test_exit_5_an_internal_error_and_debug_shows_its_traceback(sample_copy: Path) -> None:
    """No input should cause exit 5 (that would be a bug to fix), so the bug is put in: a stage that fails."""
    code = (
        "import sys, egov_xlsx.pipeline as p\n"
        "def broken(*a, **k): raise ZeroDivisionError('x')\n"
        "p.check = broken\n"
        f"sys.argv = ['egov-xlsx', 'check', {str(sample_copy)!r}, *sys.argv[1:]]\n"
        "from egov_xlsx.cli.commands import main\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=REPO, timeout=300)
    err = result.stderr.decode("utf-8")
    assert result.returncode == ExitCode.INTERNAL == 5
    assert "sự cố không mong muốn (ZeroDivisionError: x)" in err and "--debug" in err and "Traceback" not in err
    result = subprocess.run([sys.executable, "-c", code, "--debug"], capture_output=True, cwd=REPO, timeout=300)
    assert result.returncode != 0 and "Traceback" in result.stderr.decode("utf-8")


def _user_errors() -> set[type[Exception]]:
    """Every EgovError class the package defines, in any of its modules."""
    import importlib
    import pkgutil

    import egov_xlsx
    from egov_xlsx.errors import EgovError

    for info in pkgutil.walk_packages(egov_xlsx.__path__, prefix="egov_xlsx."):  # subpackages too
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    found: set[type[Exception]] = set()
    todo: list[type[Exception]] = [EgovError]
    while todo:
        cls = todo.pop()
        found.add(cls)
        todo.extend(cls.__subclasses__())
    return found


#: Every exception the package raises for a user's mistake, with its exit code (README "Exit codes").
#: A new EgovError class must be added here, with the code the README documents for it.
USER_ERRORS = {
    "EgovError": ExitCode.IO,
    "ConfigError": ExitCode.CONFIG,
    "TemplateProblem": ExitCode.CONFIG,
    "CampaignNotFound": ExitCode.IO,
    "OutputError": ExitCode.IO,
    "AppraisalExists": ExitCode.IO,
    "UnknownAppraiser": ExitCode.USAGE,
    "FolderBusy": ExitCode.IO,
    "InboxError": ExitCode.IO,
    "PreviousResultsError": ExitCode.IO,
}
#: Constructor arguments of the classes that need more than a message.
_ARGS: dict[str, tuple[object, ...]] = {
    "ConfigError": (Path("egov.toml"), [ConfigProblem("campaign.id", "thiếu khóa bắt buộc")]),
    "TemplateProblem": ("thong-bao.txt.j2", 3, "sai cú pháp"),
}


def test_every_user_error_class_has_a_documented_exit_code() -> None:
    # A module's private subclass (previous._Invalid) is an implementation detail of a public class it derives from.
    public = {cls for cls in _user_errors() if not cls.__name__.startswith("_")}
    assert {cls.__name__ for cls in public} == set(USER_ERRORS)
    for private in _user_errors() - public:
        assert any(issubclass(private, cls) and cls.__name__ != "EgovError" for cls in public), private
    section = README.split("### Exit codes", 1)[1].split("\n## ", 1)[0]
    for name, code in USER_ERRORS.items():
        row = next(line for line in section.splitlines() if line.startswith(f"| {code.value} |"))
        assert f"`{name}`" in row, (name, code)


@pytest.mark.parametrize(
    "cls",
    sorted((c for c in _user_errors() if not c.__name__.startswith("_")), key=lambda c: c.__name__),
    ids=lambda c: c.__name__,
)
def test_each_user_error_class_exits_with_its_code(cls: type[Exception]) -> None:
    import typer

    from egov_xlsx.cli import commands as cli

    exc = cls(*_ARGS.get(cls.__name__, ("thông báo",)))

    def raise_it() -> None:
        raise exc

    with pytest.raises(typer.Exit) as raised:
        cli._run(raise_it)
    assert raised.value.exit_code == USER_ERRORS[cls.__name__]


def test_terminal_tables_show_control_characters_too() -> None:
    """On a terminal findings are tables (laid out before any render hook): their cells are escaped as well."""
    import io

    from egov_xlsx.cli import console as con
    from egov_xlsx.findings import make

    hostile = "\x1b]0;pwned\x07\x1b[2J\u202e[bold]x"
    finding = make("score-not-number", file=f"STP{hostile}.xlsx", sheet="Chấm điểm", cell="D10", value=hostile,
                   max="20", criterion="1.1", unit="STP")  # fmt: skip
    screen = con.make_console()
    screen.file = io.StringIO()
    screen._force_terminal = True  # what a real terminal gives: styles on, tables laid out
    assert screen.is_terminal
    con.print_findings(screen, [finding])
    out = screen.file.getvalue()
    assert "┃" in out, "laid out as a table"
    for raw in ("\x1b]", "\x07", "\x1b[2J", "\u202e"):
        assert raw not in out, raw
    assert "\\x1b[2J" in " ".join(out.split())


def test_whatever_check_accepts_forms_makes_and_what_it_refuses_is_exit_3(tmp_path: Path) -> None:
    from egov_xlsx.config import MAX_DEPTH
    from tests.test_config import _nested

    deep = tmp_path / "deep"
    deep.mkdir()
    (deep / "egov.toml").write_text(_nested(24), encoding="utf-8")
    for command in ("check", "forms", "build"):
        code, out = invoke(command, deep)
        assert code == ExitCode.CONFIG and f"tối đa {MAX_DEPTH} cấp" in out and "Traceback" not in out, out
    (deep / "egov.toml").write_text(_nested(MAX_DEPTH).replace("max = 1\n", "max = 100000\n"), encoding="utf-8")
    code, out = invoke("forms", deep, "-o", tmp_path / "forms")
    assert code == ExitCode.OK, out
    huge = tmp_path / "huge"
    huge.mkdir()
    (huge / "egov.toml").write_text(_nested(3).replace("max = 1\n", "max = 1e30\n"), encoding="utf-8")
    code, out = invoke("forms", huge)
    assert code == ExitCode.CONFIG and "khóa max): không được vượt quá 100.000" in out, out
