"""egov-xlsx against the physical floor and the usual pandas script, side by side, in one run.

For each size (default 2,000 and 10,000 forms; ``--quick``: 2,000 only) the synthetic national campaign
of :mod:`generate` is made once (and reused), then each contender runs in a fresh process, in turn, on the
same files:

* ``check``  ``egov-xlsx check CAMPAIGN --quiet --jobs J``
* ``build``  ``egov-xlsx build CAMPAIGN -o TMP --quiet --jobs J``: every output
* ``floor``  :mod:`floor`: python-calamine opens each file and reads its score cells, in J processes
* ``usual``  :mod:`usual`: glob + pandas.read_excel (openpyxl) + concat + groupby/rank, one process

J is what egov-xlsx uses by default (the processors this process may use). A small wrapper process times
each contender (wall clock) and reads ``getrusage(RUSAGE_CHILDREN).ru_maxrss``: the peak resident memory of
the largest process of the contender's tree. Contenders alternate and repeat; the best wall time counts.
Then start-up: ``egov-xlsx build`` on the Hưng Yên sample against a bare import of its libraries.

    python benchmarks/run.py                 # 2,000 and 10,000 forms (the usual script takes minutes)
    python benchmarks/run.py --quick         # 2,000 forms
    python benchmarks/run.py --readme        # and write the tables into benchmarks/README.md

Exit status 0; with ``--strict``, 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (benchmarks/ is put on the path just above)

SAMPLE = REPO / "samples" / "hung-yen-2018"
README = HERE / "README.md"
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"
LIBRARIES = ("xlsxwriter", "jinja2", "python_calamine", "docx", "typer", "rich")
PACKAGES = (
    "python-calamine",
    "xlsxwriter",
    "openpyxl",
    "python-docx",
    "lxml",
    "jinja2",
    "typer",
    "rich",
    "pandas",
)

# Targets (the issue): check <= 1.3 x floor, build <= 3 x floor, usual / build >= 10, peak RSS <= 300 MB,
# per-form time at the largest size <= 1.1 x that at the smallest, start-up <= 2 x bare import.
CHECK_VS_FLOOR = 1.3
BUILD_VS_FLOOR = 3.0
USUAL_VS_BUILD = 10.0
MAX_RSS_MB = 300.0
SCALING = 1.10
STARTUP_VS_IMPORT = 2.0

# The wrapper: runs the command given as JSON, prints wall seconds, the children's peak RSS and the exit code.
_WRAPPER = r"""
import json, subprocess, sys, time
cmd = json.loads(sys.argv[1])
start = time.perf_counter()
code = subprocess.run(cmd, stdout=subprocess.DEVNULL).returncode
wall = time.perf_counter() - start
try:
    import resource
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    peak_mb = peak / 1e6 if sys.platform == "darwin" else peak / 1e3
except ImportError:  # Windows
    peak_mb = None
print(json.dumps({"wall": wall, "rss_mb": peak_mb, "code": code}))
"""


@dataclass
class Runs:
    """Every run of one contender: wall seconds and peak RSS (MB)."""

    walls: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)

    @property
    def best(self) -> float:
        return min(self.walls)

    @property
    def peak_mb(self) -> float | None:
        return max(self.rss) if self.rss else None


def measure(cmd: Sequence[str]) -> tuple[float, float | None]:
    """Run ``cmd`` in a fresh wrapper process: (wall seconds, peak RSS of its largest process in MB).

    It runs in a neutral folder, so that ``python -m egov_xlsx`` is the installed package (or whatever
    ``PYTHONPATH`` names first), never a source tree that happens to be the current folder. Python's bytecode
    cache is on, as on a user's machine (pip compiles what it installs), whatever this shell says.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory(prefix="egov-bench-cwd-") as cwd:
        out = subprocess.run(
            [sys.executable, "-c", _WRAPPER, json.dumps(list(cmd))],
            capture_output=True,
            text=True,
            check=True,
            cwd=cwd,
            env=env,
        ).stdout
    result = json.loads(out)
    if result["code"] not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed with exit code {result['code']}")
    return float(result["wall"]), result["rss_mb"]


def egov(*args: str) -> list[str]:
    return [sys.executable, "-m", "egov_xlsx", *args]


def contenders(campaign: Path, out: Path, jobs: int, usual: bool) -> dict[str, list[str]]:
    inbox = campaign / "inbox"
    found = {
        "check": egov("check", str(campaign), "--quiet", "--jobs", str(jobs)),
        "build": egov("build", str(campaign), "-o", str(out), "--quiet", "--jobs", str(jobs)),
        "floor": [sys.executable, str(HERE / "floor.py"), str(inbox), "--jobs", str(jobs)],
    }
    if usual:
        found["usual"] = [sys.executable, str(HERE / "usual.py"), str(inbox)]
    return found


def run_size(forms: int, seed: int, jobs: int, repeat: int, usual_repeat: int) -> dict[str, Runs]:
    campaign = generate.default_out(forms)
    if not generate.is_current(campaign, forms, seed):
        print(f"generating {forms} forms into {campaign} ...", flush=True)
        start = time.perf_counter()
        generate.generate(campaign, forms, seed, force=True)
        print(f"  done in {time.perf_counter() - start:.0f} s", flush=True)
    runs: dict[str, Runs] = {}
    with tempfile.TemporaryDirectory(prefix="egov-bench-") as tmp:
        out = Path(tmp) / "out"
        for round_ in range(repeat):
            for name, cmd in contenders(campaign, out, jobs, usual=round_ < usual_repeat).items():
                shutil.rmtree(out, ignore_errors=True)
                wall, rss = measure(cmd)
                entry = runs.setdefault(name, Runs())
                entry.walls.append(wall)
                if rss is not None:
                    entry.rss.append(rss)
                shown = f"{rss:.0f} MB" if rss is not None else "n/a"
                print(f"  {forms:>6} forms  {name:6s} run {round_ + 1}: {wall:7.2f} s  {shown}", flush=True)
    return runs


def run_startup(repeat: int) -> tuple[Runs, Runs]:
    bare = [sys.executable, "-c", f"import {', '.join(LIBRARIES)}"]
    with tempfile.TemporaryDirectory(prefix="egov-bench-") as tmp:
        build = egov("build", str(SAMPLE), "-o", str(Path(tmp) / "out"), "--quiet")
        runs = (Runs(), Runs())
        for cmd in (build, bare):  # a warm-up run of each: bytecode written, files in the page cache
            shutil.rmtree(Path(tmp) / "out", ignore_errors=True)
            measure(cmd)
        for _ in range(repeat):
            for entry, cmd in zip(runs, (build, bare), strict=True):
                shutil.rmtree(Path(tmp) / "out", ignore_errors=True)
                wall, rss = measure(cmd)
                entry.walls.append(wall)
                if rss is not None:
                    entry.rss.append(rss)
    return runs


# --------------------------------------------------------------------------- report


def _mb(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def tables(results: dict[int, dict[str, Runs]], jobs: int, startup: tuple[Runs, Runs] | None) -> tuple[str, bool]:
    """Markdown tables of the measurements and of the targets; and whether every target was met."""
    lines = [
        f"Processes for check, build and the floor: {jobs}. Best of the runs; peak RSS of the largest process.",
        "",
    ]
    lines += ["| forms | contender | wall (s) | forms/s | peak RSS (MB) | runs |", "|---:|---|---:|---:|---:|---:|"]
    for forms, runs in results.items():
        for name, entry in runs.items():
            lines.append(
                f"| {forms:,} | {name} | {entry.best:.2f} | {forms / entry.best:,.0f} | {_mb(entry.peak_mb)} | "
                f"{len(entry.walls)} |"
            )
    lines += ["", "| forms | target | measured | goal | |", "|---:|---|---:|---:|---|"]
    met = True

    def target(forms: int | str, what: str, value: float, goal: str, ok: bool) -> None:
        nonlocal met
        met = met and ok
        lines.append(f"| {forms} | {what} | {value:.2f} | {goal} | {_verdict(ok)} |")

    for forms, runs in results.items():
        floor, check, build = runs["floor"].best, runs["check"].best, runs["build"].best
        target(f"{forms:,}", "check / floor", check / floor, f"<= {CHECK_VS_FLOOR}", check / floor <= CHECK_VS_FLOOR)
        target(f"{forms:,}", "build / floor", build / floor, f"<= {BUILD_VS_FLOOR}", build / floor <= BUILD_VS_FLOOR)
        if "usual" in runs:
            usual = runs["usual"].best
            target(
                f"{forms:,}", "usual / build", usual / build, f">= {USUAL_VS_BUILD}", usual / build >= USUAL_VS_BUILD
            )
        peaks = [r.peak_mb for name, r in runs.items() if name in ("check", "build") and r.peak_mb is not None]
        if peaks:
            target(
                f"{forms:,}",
                "peak RSS, MB (check, build)",
                max(peaks),
                f"<= {MAX_RSS_MB:.0f}",
                max(peaks) <= MAX_RSS_MB,
            )
    sizes = sorted(results)
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        for name in ("check", "build"):
            per_small = results[small][name].best / small
            per_large = results[large][name].best / large
            target(
                f"{large:,} vs {small:,}",
                f"{name}: time per form, ratio",
                per_large / per_small,
                f"<= {SCALING}",
                per_large / per_small <= SCALING,
            )
    if startup is not None:
        build, bare = startup
        lines.insert(0, "")
        lines.insert(
            0,
            f"Start-up: `egov-xlsx build` on the Hưng Yên sample {build.best:.2f} s, "
            f'`python -c "import {", ".join(LIBRARIES)}"` {bare.best:.2f} s '
            f"(best of {len(build.walls)}).",
        )
        target(
            "sample",
            "start-up: build / bare import",
            build.best / bare.best,
            f"<= {STARTUP_VS_IMPORT}",
            build.best / bare.best <= STARTUP_VS_IMPORT,
        )
    return "\n".join(lines), met


def machine() -> str:
    """The machine and software the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    memory = ""
    try:
        total_kb = int(Path("/proc/meminfo").read_text(encoding="utf-8").split()[1])
        memory = f", {total_kb / 1024**2:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    versions = []
    for name in ("egov-xlsx", *PACKAGES):
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    return "\n".join(
        [
            f"- Date: {datetime.date.today().isoformat()}",
            f"- Machine: `{_uname()}`",
            f"- CPU: {cpu}, {usable} usable processors (of {os.cpu_count()}){memory}",
            f"- Python {platform.python_version()} ({platform.python_implementation()})",
            f"- {', '.join(versions)}",
        ]
    )


def _uname() -> str:
    try:
        return subprocess.run(["uname", "-a"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return " ".join(platform.uname())


def write_readme(text: str) -> None:
    readme = README.read_text(encoding="utf-8")
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    README.write_text(readme[:start] + "\n" + text + "\n" + readme[end:], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--forms", type=int, nargs="+", default=[2000, 10_000], help="sizes (default 2000 10000)")
    parser.add_argument("--quick", action="store_true", help="2,000 forms only")
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    parser.add_argument("--jobs", type=int, help="processes (default: what egov-xlsx uses by default)")
    parser.add_argument("--repeat", type=int, help="runs of each contender (default 3 up to 2,000 forms, else 2)")
    parser.add_argument("--usual-repeat", type=int, default=1, help="runs of the usual script (default 1)")
    parser.add_argument("--no-usual", action="store_true", help="leave the (slow) usual script out")
    parser.add_argument("--startup-repeat", type=int, default=5)
    parser.add_argument("--readme", action="store_true", help="write the results into benchmarks/README.md")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    from egov_xlsx.read.ingest import default_jobs

    jobs = args.jobs or default_jobs()
    sizes = [2000] if args.quick else sorted(set(args.forms))
    results: dict[int, dict[str, Runs]] = {}
    for forms in sizes:
        repeat = args.repeat or (3 if forms <= 2000 else 2)
        results[forms] = run_size(forms, args.seed, jobs, repeat, 0 if args.no_usual else args.usual_repeat)
    print("start-up ...", flush=True)
    startup = run_startup(args.startup_repeat)
    text, met = tables(results, jobs, startup)
    report = machine() + "\n\n" + text
    print()
    print(report)
    if args.readme:
        write_readme(report)
        print(f"\nwritten into {README}")
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    sys.exit(main())
