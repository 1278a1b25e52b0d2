"""Start-up stays light: the command line imports only what it shows, the library neither typer nor rich.

Each check runs in a fresh interpreter, since this test process has long imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
#: Loaded only by the command that needs them: reading forms, writing workbooks and documents, rendering.
HEAVY = ("rich", "jinja2", "openpyxl", "xlsxwriter", "docx", "python_calamine", "lxml", "pandas")


def _loaded(code: str) -> list[str]:
    """The modules of ``code``'s interest it leaves loaded: ``code`` ends by printing them as JSON on stderr."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr
    loaded: list[str] = json.loads(result.stderr.strip().splitlines()[-1])
    return loaded


def _report(names: tuple[str, ...]) -> str:
    return f"json.dump(sorted(m for m in {names!r} if m in sys.modules), sys.stderr)"


def test_importing_the_cli_loads_no_heavy_library() -> None:
    assert _loaded(f"import json, sys, egov_xlsx.cli.commands; {_report(HEAVY)}") == []


@pytest.mark.parametrize("args", [["--help"], ["build", "--help"], ["check", "--help"], ["forms", "--help"]])
def test_help_loads_no_heavy_library(args: list[str]) -> None:
    code = (
        "import json, sys\n"
        f"sys.argv = ['egov-xlsx', *{args!r}]\n"
        "from egov_xlsx.cli.commands import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        f"{_report(HEAVY)}\n"
    )
    assert _loaded(code) == []


def test_importing_the_library_loads_neither_typer_nor_rich() -> None:
    assert _loaded(f"import json, sys, egov_xlsx, egov_xlsx.pipeline; {_report(('typer', 'rich', 'click'))}") == []
