"""Config mistakes a clerk makes in Notepad, through the CLI: exit 3, the line, Vietnamese, no traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from egov_xlsx.cli.commands import ExitCode
from tests.corpus import CONFIG_CASES, RULE_CONFIG_CASES
from tests.test_cli import invoke, run_cli

#: tomllib's and Python's English that must never reach the screen.
ENGLISH = re.compile(
    r"\b(Invalid|Expected|Unterminated|Cannot|Illegal|Unclosed|Duplicate|Unescaped|Escaped|Found|"
    r"line \d|column|at end|document|statement|codec|decode|Traceback|Recursion|Error)\b"
)


@pytest.mark.parametrize("case", sorted(CONFIG_CASES))
def test_config_corpus_through_check(case: str, tmp_path: Path) -> None:
    make, line = CONFIG_CASES[case]
    make(tmp_path)
    (tmp_path / "inbox").mkdir()
    code, out = invoke("check", tmp_path)
    if line is None:
        assert code != ExitCode.CONFIG and "Lỗi: Cấu hình" not in out, out
        return
    assert code == ExitCode.CONFIG, out
    problems = [p for p in out.splitlines() if p.startswith("  - ")]
    assert len(problems) == 1, out
    assert problems[0].startswith(f"  - dòng {line}"), out
    assert not ENGLISH.search(out), out
    if case.startswith("curly"):
        assert "dùng dấu nháy thẳng" in out
    if case == "bad-key":
        assert "tên khóa chỉ dùng chữ không dấu" in out
    if case == "missing-equals":
        assert "thiếu dấu =" in out


def test_deep_nesting_in_a_fresh_interpreter(tmp_path: Path) -> None:
    """The RecursionError happens at the real recursion limit, as a clerk runs the tool: exit 3, never 5."""
    CONFIG_CASES["deep-nesting"][0](tmp_path)
    result = run_cli("check", tmp_path)
    err = result.stderr.decode("utf-8")
    assert result.returncode == ExitCode.CONFIG, err
    assert "lồng nhau quá sâu" in err and "Traceback" not in err


def test_check_prints_the_note_on_bands_out_of_order(tmp_path: Path) -> None:
    from tests.corpus import CONFIG_TEXT

    upwards = CONFIG_TEXT.replace(
        '  { name = "Tốt", min_percent = 85 },\n  { name = "Yếu", min_percent = 0 },\n',
        '  { name = "Yếu", min_percent = 0 },\n  { name = "Tốt", min_percent = 85 },\n',
    )
    assert upwards != CONFIG_TEXT
    (tmp_path / "egov.toml").write_text(upwards, encoding="utf-8")
    (tmp_path / "inbox").mkdir()
    code, out = invoke("check", tmp_path)
    assert code != ExitCode.CONFIG, out
    shown = " ".join(out.split())  # the console may wrap long lines
    assert "Lưu ý (egov.toml): dòng 10 (khối t, khóa bands): các mức xếp loại không ghi theo thứ tự" in shown, out
    assert "đã sắp lại: Tốt từ 85%, Yếu từ 0%" in shown, out


@pytest.mark.parametrize("case", sorted(RULE_CONFIG_CASES))
def test_rule_config_mistakes_through_check(case: str, tmp_path: Path) -> None:
    """A wrong rule key (issue 13): exit 3, the line of the key, one Vietnamese message, no traceback."""
    from tests.factories import RULES_TOML

    old, new, words, at = RULE_CONFIG_CASES[case]
    assert old in RULES_TOML
    text = RULES_TOML.replace(old, new, 1)
    (tmp_path / "egov.toml").write_text(text, encoding="utf-8")
    (tmp_path / "inbox").mkdir()
    code, out = invoke("check", tmp_path)
    assert code == ExitCode.CONFIG, out
    problems = [p for p in out.splitlines() if p.startswith("  - ")]
    line = text[: text.index(at)].count("\n") + 1
    assert any(p.startswith(f"  - dòng {line}") and words in p for p in problems), out
    assert not ENGLISH.search(out), out
