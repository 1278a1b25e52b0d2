"""The README stays true: commands, exit codes, the findings catalogue, config keys and the CI command."""

from __future__ import annotations

import re

import pytest

from egov_xlsx.cli.commands import ExitCode, app
from egov_xlsx.config.scaffold import example_config
from egov_xlsx.findings import CATALOGUE
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
QUICK_START = [
    "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/egov-xlsx build samples/hung-yen-2018",
    'python3 -m venv .venv && .venv/bin/pip install ".[test]" && .venv/bin/python -m pytest',
]


def test_quick_start_has_the_two_commands_and_ci_runs_the_test_command() -> None:
    for command in QUICK_START:
        assert command in README
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert QUICK_START[1] in ci


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_finding_code_is_documented(code: str) -> None:
    row = re.search(rf"^\| `{re.escape(code)}` \| ([^|]+) \|", README, re.MULTILINE)
    assert row, f"{code} missing from the README's findings catalogue"
    assert CATALOGUE[code].severity.value in row.group(1)


def test_the_catalogue_is_its_two_parts_with_no_code_in_both() -> None:
    from egov_xlsx.findings_campaign import CAMPAIGN_FINDINGS
    from egov_xlsx.findings_inbox import INBOX_FINDINGS

    assert not set(INBOX_FINDINGS) & set(CAMPAIGN_FINDINGS)
    assert list(CATALOGUE) == [*INBOX_FINDINGS, *CAMPAIGN_FINDINGS]
    assert all(
        (s.severity, s.title, s.template) == (INBOX_FINDINGS | CAMPAIGN_FINDINGS)[c] for c, s in CATALOGUE.items()
    )


def test_every_command_is_documented() -> None:
    import typer.main

    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    for name in commands:
        assert f"`egov-xlsx {name}" in README, name


def test_exit_codes_are_documented() -> None:
    for code in ExitCode:
        assert re.search(rf"^\| {code.value} \| ", README, re.MULTILINE), code


def test_config_keys_of_the_examples_are_documented() -> None:
    sample = (REPO / "samples" / "hung-yen-2018" / "egov.toml").read_text(encoding="utf-8")
    keys = set(re.findall(r"^([a-z_]+) =", example_config().decode("utf-8") + sample, re.MULTILINE))
    for key in sorted(keys):
        assert f"`{key}`" in README, key


def test_library_example_runs_twice_and_leaves_the_checkout_as_it_was() -> None:
    import subprocess
    import sys

    block = README[README.index("## Using it as a library") :]
    code = block[block.index("```python\n") + 10 : block.index("```\n", block.index("```python\n") + 10)]

    def status() -> str:
        done = subprocess.run(["git", "status", "--porcelain", "--ignored"], cwd=REPO, capture_output=True, text=True)
        if done.returncode != 0:
            return "(not a git checkout)"
        # Interpreter and tool caches come and go with any run; every other file counts, ignored ones too.
        return "\n".join(line for line in done.stdout.splitlines() if "cache" not in line)

    before = status()
    for _ in range(2):
        run = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr
        assert "SKHDT" in run.stdout
    assert status() == before
