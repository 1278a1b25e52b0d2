"""The package's layout: imports follow the pipeline, and the public surface is what ``__all__`` says.

The tree reads config -> forms; inbox -> read -> rules -> publish; ``pipeline`` chains the stages and ``cli``
is the command line over it. A module may import from its own layer or from one before it, never from one
after it (imports inside ``if TYPE_CHECKING:`` count too: a type is a dependency).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import egov_xlsx

PACKAGE = Path(egov_xlsx.__file__).resolve().parent

#: Layers in pipeline order; a module may import its own layer and those before it.
FOUNDATION = {
    "_version",
    "errors",
    "model",
    "vietnamese",
    "layout",
    "findings",
    "findings_inbox",
    "findings_campaign",
    "config",
    "atomic",
    "collector",
    "sheet_names",
    "style",
    "workbook_files",
    "rule_cells",
}
ORDER = ["foundation", "forms", "read", "rules", "publish", "pipeline", "cli"]


def _layer(module: str) -> str | None:
    """The layer of ``egov_xlsx.x.y`` (None for the package itself and ``__main__``)."""
    parts = module.split(".")
    if parts[0] != "egov_xlsx" or len(parts) == 1 or parts[1] == "__main__":
        return None
    top = parts[1]
    return "foundation" if top in FOUNDATION else top


def _imports(path: Path, module: str) -> list[tuple[str, int]]:
    """Every ``egov_xlsx`` module that ``path`` imports, with its line (``from egov_xlsx import x`` names x)."""
    package = module.rpartition(".")[0] if path.name != "__init__.py" else module
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names if alias.name.startswith("egov_xlsx")]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            if not base.startswith("egov_xlsx"):
                continue
            for alias in node.names:  # `from egov_xlsx import read` imports a module, `from m import name` the module m
                sub = f"{base}.{alias.name}"
                found.append(
                    (
                        sub
                        if (PACKAGE.parent / (sub.replace(".", "/") + ".py")).exists()
                        or (PACKAGE.parent / sub.replace(".", "/")).is_dir()
                        else base,
                        node.lineno,
                    )
                )
    return found


def _modules() -> list[tuple[Path, str]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out.append((path, ".".join(parts)))
    return out


def test_every_module_is_in_a_known_layer() -> None:
    for _, module in _modules():
        layer = _layer(module)
        assert layer is None or layer in ORDER, f"{module}: put it in a layer of tests/test_layout.py (ORDER)"


def test_no_import_goes_back_up_the_pipeline() -> None:
    backwards = []
    for path, module in _modules():
        layer = _layer(module)
        if layer is None:
            continue
        for imported, line in _imports(path, module):
            target = _layer(imported)
            if target is not None and ORDER.index(target) > ORDER.index(layer):
                backwards.append(
                    f"{path.relative_to(PACKAGE.parent)}:{line}: {module} ({layer}) imports {imported} ({target})"
                )
    assert backwards == []


def test_the_checker_sees_a_backward_import(tmp_path: Path) -> None:
    """The rule is not vacuous: an import of the pipeline from a reader is seen as one."""
    fake = tmp_path / "egov_xlsx" / "read" / "fake.py"
    fake.parent.mkdir(parents=True)
    fake.write_text("from egov_xlsx import pipeline\nfrom egov_xlsx.publish.outputs import NAMES\n", encoding="utf-8")
    imported = [m for m, _ in _imports(fake, "egov_xlsx.read.fake")]
    assert imported == ["egov_xlsx.pipeline", "egov_xlsx.publish.outputs"]
    assert [ORDER.index(_layer(m) or "") > ORDER.index("read") for m in imported] == [True, True]


def test_no_module_imports_the_package_itself_for_a_name() -> None:
    """``import egov_xlsx`` inside the package (for the version, say) would be an import back up to the top."""
    for path, module in _modules():
        if module == "egov_xlsx":
            continue
        assert "egov_xlsx" not in [m for m, _ in _imports(path, module)], module


@pytest.mark.parametrize("name", egov_xlsx.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(egov_xlsx, name) is not None


def test_the_public_surface_covers_the_readme_example() -> None:
    from egov_xlsx.publish.serialize import check_dict, results_dict
    from egov_xlsx.rules.previous import PreviousYear

    assert egov_xlsx.results_dict is results_dict and egov_xlsx.check_dict is check_dict
    assert egov_xlsx.PreviousYear is PreviousYear
    assert issubclass(egov_xlsx.InboxError, egov_xlsx.EgovError)
    assert issubclass(egov_xlsx.TemplateProblem, egov_xlsx.ConfigError)


def test_importing_the_package_loads_no_stage() -> None:
    code = (
        "import json, sys, egov_xlsx\n"
        "json.dump(sorted(m for m in sys.modules if m.startswith(('egov_xlsx.read', 'egov_xlsx.rules', "
        "'egov_xlsx.publish', 'egov_xlsx.pipeline', 'jinja2', 'python_calamine', 'xlsxwriter', 'openpyxl'))), sys.stdout)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout == "[]"


def test_the_readme_module_map_matches_the_tree() -> None:
    """Every module is in the README's map ("Using it as a library"), and every module the map names exists."""
    import re

    text = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    table = text[text.index("| module | holds |") :]
    table = table[: table.index("\n\n")]
    named = {name for row in table.splitlines()[2:] for name in re.findall(r"`([a-z_.]+)`", row.split("|")[1])}
    modules = {m.removeprefix("egov_xlsx.") for _, m in _modules()}
    modules -= {"egov_xlsx", "__main__", "read", "rules", "publish", "cli"}
    assert named == modules


def test_no_module_is_much_above_400_lines() -> None:
    """One concept a module: a module past ~400 lines holds two."""
    long = [
        f"{module}: {lines} lines"
        for path, module in _modules()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 420
    ]
    assert long == []


def test_the_feedback_copies_read_no_form_again() -> None:
    """A copy is made from what `check` kept (the report), never by calling the gate or the form reader again."""
    for name in ("feedback", "feedback_marks", "copies"):
        path = PACKAGE / "publish" / f"{name}.py"
        imported = [m for m, _ in _imports(path, f"egov_xlsx.publish.{name}")]
        assert not [m for m in imported if m.startswith("egov_xlsx.read")], name
