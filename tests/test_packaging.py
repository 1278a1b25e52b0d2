"""The wheel carries what a non-editable `pip install .` needs: the templates and the example config."""

from __future__ import annotations

import json
from importlib import metadata

import pytest


def test_installed_wheel_contains_the_templates() -> None:
    try:
        dist = metadata.distribution("egov-xlsx")
    except metadata.PackageNotFoundError:
        pytest.skip("egov-xlsx is not installed (running from a source tree)")
    direct = dist.read_text("direct_url.json")
    if direct and json.loads(direct).get("dir_info", {}).get("editable"):
        pytest.skip("editable install: templates are read from the source tree")
    files = {str(f).replace("\\", "/") for f in dist.files or ()}
    for name in ("thong-bao.txt.j2", "thong-bao.md.j2", "thong-bao-macros.j2"):
        assert f"egov_xlsx/templates/{name}" in files, name
    assert "egov_xlsx/data/egov.example.toml" in files
    assert "egov_xlsx/py.typed" in files  # type checkers read the package's own hints
    assert any(name.endswith("licenses/LICENSE") for name in files)
    assert dist.version == __import__("egov_xlsx").__version__  # one place: egov_xlsx.__version__
    scripts = {ep.name for ep in dist.entry_points if ep.group == "console_scripts"}
    assert scripts == {"egov-xlsx"}


def test_ci_pins_each_runtime_dependency_at_its_declared_minimum_and_lint_tools_exactly() -> None:
    import subprocess
    import sys
    import tomllib

    from tests.conftest import REPO

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    done = subprocess.run(
        [sys.executable, str(REPO / ".ci" / "minimums.py")], capture_output=True, text=True, check=True
    )
    pins = dict(line.split("==") for line in done.stdout.split())
    assert len(pins) == len(project["dependencies"])
    for requirement in project["dependencies"]:
        name, minimum = requirement.split(">=")
        assert pins[name] == minimum
    assert all("==" in tool for tool in project["optional-dependencies"]["lint"])


def test_the_repository_tracks_no_environment_output_or_cache() -> None:
    """A virtual environment (folder or link), build output and caches are never committed."""
    import shutil
    import subprocess

    from tests.conftest import REPO

    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, text=True, encoding="utf-8", check=True
    ).stdout.split("\0")
    top = {path.split("/")[0] for path in tracked if path}
    assert not top & {".venv", "venv", "build", "dist", ".pytest_cache", ".mypy_cache", ".ruff_cache"}, top
    assert not [p for p in tracked if p.startswith(".venv")], "a virtual environment is tracked"
    assert [p for p in tracked if p.startswith("output/")] == ["output/.gitkeep"]
    assert not [p for p in tracked if "__pycache__/" in p or p.endswith((".pyc", ".pyo"))]
    assert not [p for p in tracked if p.startswith("benchmarks/data")]
