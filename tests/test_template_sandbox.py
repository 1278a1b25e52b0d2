"""Campaign templates are untrusted: plain data only, bounded in time and size, no symlinks, exit 3 on any problem."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import time
from dataclasses import fields, is_dataclass, replace
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType

import pytest
from typer.testing import CliRunner

from egov_xlsx import pipeline
from egov_xlsx.cli.commands import ExitCode, app
from egov_xlsx.errors import ConfigError
from egov_xlsx.model import Results
from egov_xlsx.publish import announce_results_view, announce_views
from egov_xlsx.publish.announce import RenderLimits, TemplateProblem, make_environment, render_announcement
from egov_xlsx.publish.announce_context import template_context
from tests.conftest import REPO, SAMPLE
from tests.corpus import HOSTILE_TEMPLATES, MALFORMED_TEMPLATES, make_symlinked_template

runner = CliRunner()


@pytest.fixture(scope="module")
def results() -> Results:
    """The sample campaign, checked and scored from its real inbox (submissions with real source paths)."""
    return pipeline.score(pipeline.check(SAMPLE))


def with_template(results: Results, folder: Path, body: str, name: str = "thong-bao.txt.j2") -> Results:
    (folder / "templates").mkdir(parents=True, exist_ok=True)
    (folder / "templates" / name).write_text(body, encoding="utf-8")
    return replace(results, campaign=replace(results.campaign, folder=folder))


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# --------------------------------------------------------------------------- plain data only

VIEW_TYPES = tuple(
    cls
    for module in (announce_views, announce_results_view)
    for cls in vars(module).values()
    if isinstance(cls, type) and is_dataclass(cls) and cls.__module__ == module.__name__
)
ALLOWED = (str, int, Decimal, type(None), tuple, MappingProxyType, *VIEW_TYPES)
#: The only methods of the views a template can call (everything else reachable is data or properties).
VIEW_METHODS = {"TierView.criterion"}


def walk(value: object, env: object, seen: set[int], path: str, reached: set[type]) -> None:
    assert isinstance(value, ALLOWED), f"{path}: {type(value).__name__} reachable from a template"
    reached.add(type(value))
    if id(value) in seen or isinstance(value, str | int | Decimal) or value is None:
        return
    seen.add(id(value))
    if isinstance(value, tuple):
        for i, item in enumerate(value):
            walk(item, env, seen, f"{path}[{i}]", reached)
        return
    if isinstance(value, MappingProxyType):
        for key, item in value.items():
            walk(key, env, seen, f"{path} key", reached)
            walk(item, env, seen, f"{path}[{key!r}]", reached)
        return
    for name in dir(value):
        attr = getattr(value, name)
        if not env.is_safe_attribute(value, name, attr):  # type: ignore[attr-defined]
            assert name.startswith("_"), f"{path}.{name} blocked by the sandbox but public"
            continue
        if callable(attr):
            qualname = getattr(getattr(attr, "__func__", None), "__qualname__", "")
            assert qualname in VIEW_METHODS, f"{path}.{name}: callable {attr!r} reachable from a template"
            continue
        walk(attr, env, seen, f"{path}.{name}", reached)


@pytest.mark.parametrize("markdown", [False, True])
def test_the_whole_context_is_plain_data(results: Results, markdown: bool) -> None:
    """Walk every attribute and item a template can reach: no Path, no file, no model object, no mutable list."""
    previous = replace(results, previous_year=2017, draft=True)
    context = template_context(previous, markdown=markdown)
    env = make_environment([])
    reached: set[type] = set()
    for key, value in context.items():
        walk(value, env, set(), key, reached)
    # The walk did reach the depths: unit results, their units, criteria, submissions and their sources.
    names = {t.__name__ for t in reached}
    assert {"ResultView", "UnitView", "CriterionView", "SubmissionView", "SourceView", "RankGroup"} <= names
    assert len(context["results"].submissions) == 27  # type: ignore[attr-defined]


def test_results_cannot_be_changed_through_the_context(results: Results, tmp_path: Path) -> None:
    body = "{% set r = tiers[0].ranked[0] %}{% do r.scores.clear() %}\n"
    with pytest.raises(TemplateProblem, match="không có thuộc tính 'clear'"):
        render_announcement(with_template(results, tmp_path, body))
    assert results.tiers[0].ranked[0].scores  # untouched


# --------------------------------------------------------------------------- the exploits of issue 11


@pytest.mark.parametrize("case", sorted(HOSTILE_TEMPLATES))
def test_hostile_template_is_a_clean_error(results: Results, tmp_path: Path, case: str) -> None:
    target = tmp_path / "written-by-template.txt"
    body = HOSTILE_TEMPLATES[case].replace("{target}", target.as_posix())
    camp = with_template(results, tmp_path / "camp", body)
    start = time.monotonic()
    with pytest.raises(TemplateProblem) as info:
        render_announcement(camp)
    assert time.monotonic() - start < 30
    problem = info.value
    assert isinstance(problem, ConfigError)
    assert Path(problem.template) == tmp_path / "camp" / "templates" / "thong-bao.txt.j2"
    assert problem.line == 1
    assert str(problem).startswith(f"Lỗi trong mẫu văn bản {problem.template}, dòng 1: ")
    assert not target.exists()
    for sub in results.submissions:
        assert sub.source.path.stat().st_size == sub.source.size


@pytest.mark.parametrize("case", sorted(MALFORMED_TEMPLATES))
def test_malformed_template_is_a_clean_error(results: Results, tmp_path: Path, case: str) -> None:
    data, reason = MALFORMED_TEMPLATES[case]
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "thong-bao.md.j2").write_bytes(data)
    camp = replace(results, campaign=replace(results.campaign, folder=tmp_path))
    with pytest.raises(TemplateProblem, match=reason) as info:
        render_announcement(camp, fmt="md")
    assert Path(info.value.template) == tmp_path / "templates" / "thong-bao.md.j2"


def test_a_template_folder_entry_that_is_not_a_file(results: Results, tmp_path: Path) -> None:
    (tmp_path / "templates" / "thong-bao.txt.j2").mkdir(parents=True)
    camp = replace(results, campaign=replace(results.campaign, folder=tmp_path))
    with pytest.raises(TemplateProblem, match="không phải một tệp"):
        render_announcement(camp)


def build(campaign: Path, out: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["build", str(campaign), "-o", str(out)])
    return result.exit_code, result.output


def test_exploits_exit_3_and_write_nothing(sample_copy: Path, tmp_path: Path) -> None:
    """joinpath/read_text, write_text into a unit's form, a .pth in site-packages: exit 3, nothing written."""
    form = sorted((sample_copy / "inbox").iterdir())[0]
    form_bytes = form.read_bytes()
    pth = Path(sysconfig.get_paths()["purelib"]) / "egov_sandbox_test.pth"
    exploits = {
        "read": "{{ campaign.folder.joinpath('/etc/hostname').read_text() }}",
        "write": "{% for s in results.submissions %}{{ s.source.path.write_text('') }}{% endfor %}",
        "pth": "{{ campaign.folder.joinpath('" + pth.as_posix() + "').write_text('import os') }}",
        "budget": "{{ 'x' * 10**10 }}",
    }
    for name, body in exploits.items():
        (sample_copy / "templates").mkdir(exist_ok=True)
        (sample_copy / "templates" / "thong-bao.txt.j2").write_text(body + "\n", encoding="utf-8")
        out = tmp_path / name
        code, output = build(sample_copy, out)
        try:
            assert code == ExitCode.CONFIG, output
            assert "thong-bao.txt.j2, dòng 1:" in output and "Traceback" not in output
            assert files_under(out) == [], name
            assert form.read_bytes() == form_bytes
            assert not pth.exists()
        finally:
            pth.unlink(missing_ok=True)


def test_unknown_variable_and_syntax_error_exit_3_with_file_and_line(sample_copy: Path, tmp_path: Path) -> None:
    (sample_copy / "templates").mkdir()
    template = sample_copy / "templates" / "thong-bao.md.j2"
    for body, expected in (
        ("# Tiêu đề\n\n{{ ten_sai }}\n", "dòng 3: biến 'ten_sai' không tồn tại"),
        ("# Tiêu đề\n{% for t in tiers %}\n", "dòng 2: sai cú pháp"),
    ):
        template.write_text(body, encoding="utf-8")
        code, output = build(sample_copy, tmp_path / "out")
        assert code == ExitCode.CONFIG, output
        assert f"{template}, {expected}" in " ".join(output.split())
        assert files_under(tmp_path / "out") == []


def test_a_template_copied_from_another_campaign_builds(sample_copy: Path, tmp_path: Path) -> None:
    """The shipped templates, copied into a campaign's templates/ as another province would: published as is."""
    (sample_copy / "templates").mkdir()
    for name in ("thong-bao.txt.j2", "thong-bao.md.j2", "thong-bao-macros.j2"):
        shipped = (REPO / "templates" / name).read_text(encoding="utf-8")
        (sample_copy / "templates" / name).write_text(shipped.replace("Dẫn đầu là", "Đứng đầu là"), encoding="utf-8")
    code, output = build(sample_copy, tmp_path / "out")
    assert code == 0, output
    assert "Đứng đầu là" in (tmp_path / "out" / pipeline.NAMES.text).read_text(encoding="utf-8")


# --------------------------------------------------------------------------- symbolic links


def _link_or_skip(templates: Path, name: str, target: Path) -> Path:
    try:
        return make_symlinked_template(templates, name, target)
    except (OSError, NotImplementedError) as exc:  # Windows without the privilege to make links
        pytest.skip(f"cannot make a symbolic link here: {exc}")


SECRET = "{{ NỘI-DUNG-BÍ-MẬT host file"


def test_a_symlinked_template_is_refused(results: Results, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    _link_or_skip(tmp_path / "camp" / "templates", "thong-bao.txt.j2", secret)
    camp = replace(results, campaign=replace(results.campaign, folder=tmp_path / "camp"))
    with pytest.raises(TemplateProblem, match="liên kết") as info:
        render_announcement(camp)
    assert "BÍ-MẬT" not in str(info.value)


@pytest.mark.parametrize(
    "statement",
    [
        '{% include "bi-mat.j2" %}',
        '{% import "bi-mat.j2" as m %}',
        '{% extends "bi-mat.j2" %}',
        '{% include "sub/x.j2" %}',
    ],
)
def test_a_symlink_reached_through_include_import_or_extends_is_refused(
    results: Results, tmp_path: Path, statement: str
) -> None:
    secret_dir = tmp_path / "outside"
    secret_dir.mkdir()
    (secret_dir / "x.j2").write_text(SECRET, encoding="utf-8")
    templates = tmp_path / "camp" / "templates"
    _link_or_skip(templates, "bi-mat.j2", secret_dir / "x.j2")
    _link_or_skip(templates, "sub", secret_dir)
    camp = with_template(results, tmp_path / "camp", statement + "\n")
    with pytest.raises(TemplateProblem, match="liên kết") as info:
        render_announcement(camp)
    assert "BÍ-MẬT" not in str(info.value)


def test_a_symlinked_templates_folder_is_refused(results: Results, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "thong-bao.txt.j2").write_text("{{ title }}\n", encoding="utf-8")
    (tmp_path / "camp").mkdir()
    try:
        (tmp_path / "camp" / "templates").symlink_to(outside, target_is_directory=True)
    except OSError as exc:
        pytest.skip(f"cannot make a symbolic link here: {exc}")
    camp = replace(results, campaign=replace(results.campaign, folder=tmp_path / "camp"))
    with pytest.raises(TemplateProblem, match="thư mục mẫu là liên kết"):
        render_announcement(camp)


# --------------------------------------------------------------------------- time and size


def test_nested_loops_end_at_the_time_budget(results: Results, tmp_path: Path) -> None:
    body = (
        "{% for i in range(10000) %}{% for j in range(10000) %}{% for k in range(10000) %}"
        "{% endfor %}{% endfor %}{% endfor %}\n"
    )
    camp = with_template(results, tmp_path, body)
    start = time.monotonic()
    with pytest.raises(TemplateProblem, match=r"thong-bao\.txt\.j2, dòng 1: mẫu văn bản chạy quá 1 giây"):
        render_announcement(camp, limits=RenderLimits(seconds=1.0, work=10**12))  # the clock, not the work, ends it
    assert time.monotonic() - start < 10


def test_the_output_is_capped(results: Results, tmp_path: Path) -> None:
    body = "{% for i in range(10000) %}{{ 'x' * 900 }}\n{% endfor %}"
    camp = with_template(results, tmp_path, body)
    with pytest.raises(TemplateProblem, match=r"thông báo dài quá 1\.000\.000 ký tự") as info:
        render_announcement(camp, limits=RenderLimits(chars=1_000_000))
    assert Path(info.value.template) == tmp_path / "templates" / "thong-bao.txt.j2"


def test_the_default_limits_fit_the_shipped_templates(results: Results) -> None:
    limits = RenderLimits.for_results(results)
    assert limits == RenderLimits(seconds=20, chars=2_000_000 + 500 * 27, work=4 * (2_000_000 + 500 * 27))
    text = render_announcement(results, fmt="md")
    assert len(text) < limits.chars / 50


def test_legitimate_arithmetic_and_formatting_still_work(results: Results, tmp_path: Path) -> None:
    body = (
        "{{ 2 ** 10 }} {{ 'ab' * 3 }} {{ '%05.1f'|format(3.14159) }} {{ '{:>6}'.format('x') }}|"
        " {{ range(3)|list|length }} {{ [1, 2] + [3] }} {{ 'x'|center(5) }}|\n"
    )
    out = render_announcement(with_template(results, tmp_path, body))
    assert out == "1024 ababab 003.1 x| 3 [1, 2, 3] x |\n"


# --------------------------------------------------------------------------- no side effect of importing


def test_importing_and_rendering_write_nothing_outside_the_outputs(tmp_path: Path) -> None:
    temp, cache = tmp_path / "temp", tmp_path / "cache"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp), "TEMP": str(temp), "TMP": str(temp), "XDG_CACHE_HOME": str(cache)}
    env["LOCALAPPDATA"] = str(cache)
    script = "import egov_xlsx.publish.announce"
    subprocess.run([sys.executable, "-c", script], check=True, env=env, cwd=REPO)
    assert list(temp.iterdir()) == [] and not cache.exists()
    script = (
        "from egov_xlsx import pipeline; from egov_xlsx.publish.announce import render_announcement;"
        "render_announcement(pipeline.score(pipeline.check('samples/hung-yen-2018')))"
    )
    subprocess.run([sys.executable, "-c", script], check=True, env=env, cwd=REPO)
    assert list(temp.iterdir()) == [] and not cache.exists()


def test_template_problem_is_a_config_error() -> None:
    problem = TemplateProblem("mau.j2", 4, "lý do")
    assert isinstance(problem, ConfigError) and isinstance(problem, ValueError)
    assert str(problem) == "Lỗi trong mẫu văn bản mau.j2, dòng 4: lý do"
    assert [f.name for f in fields(RenderLimits)] == ["seconds", "chars", "work"]
