"""What the result cards and the results page cost: per card, and against the whole build.

    python benchmarks/cards.py CAMPAIGN [--jobs J] [--build]

The campaign is checked and scored once (not timed). Then, in this process, timed with the process's CPU clock
and the wall clock: every unit's summary (``publish.unit_summary``), the results page ``ket-qua.html``, and
the cards (the printed document laid out and saved, then one file per unit cut from it and written), each into a
temporary folder. With ``--build``, ``egov-xlsx build CAMPAIGN -o TMP --quiet --jobs J --cards`` runs in a fresh
process (its CPU counted with its worker processes'), so the cards and the page can be set against the build
they are part of: added share = (cards + page) / (build - (cards + page)).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import egov_xlsx
from egov_xlsx.publish.card_files import make_cards
from egov_xlsx.publish.results_page import write_page
from egov_xlsx.publish.unit_summary import summarize

T = TypeVar("T")


def timed(what: Callable[[], T]) -> tuple[T, float, float]:
    """``what()``, its CPU seconds (this process) and wall seconds."""
    cpu, wall = time.process_time(), time.perf_counter()
    value = what()
    return value, time.process_time() - cpu, time.perf_counter() - wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("campaign", type=Path)
    parser.add_argument(
        "--jobs", type=int, default=len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    )
    parser.add_argument("--build", action="store_true", help="also time the whole build, cards included")
    args = parser.parse_args(argv)

    report, _, check_wall = timed(lambda: egov_xlsx.check(args.campaign, jobs=args.jobs))
    results = egov_xlsx.score(report)
    units = sum(len(t.units) for t in results.tiers)
    print(f"{units} units scored (check {check_wall:.1f} s wall, not counted below)")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        summaries, s_cpu, s_wall = timed(lambda: summarize(results))
        _, p_cpu, p_wall = timed(lambda: write_page(results, out / "ket-qua.html", summaries))
        size = (out / "ket-qua.html").stat().st_size

        def cards() -> int:
            made = make_cards(results, summaries, out / "phieu-ket-qua.docx")
            folder = out / "don-vi"
            folder.mkdir()
            count = 0
            for name, data in made.unit_files():
                (folder / name).write_bytes(data)
                count += 1
            return count

        count, c_cpu, c_wall = timed(cards)
    per_card = (s_cpu + c_cpu) / max(count, 1) * 1000
    print("| step | CPU s | wall s |")
    print("|---|---|---|")
    print(f"| summaries ({units} units) | {s_cpu:.2f} | {s_wall:.2f} |")
    print(f"| results page ({size / 1e6:.1f} MB) | {p_cpu:.2f} | {p_wall:.2f} |")
    print(f"| cards (printed document + {count} files) | {c_cpu:.2f} | {c_wall:.2f} |")
    print(f"CPU per card (its summary included): {per_card:.1f} ms")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process (results, summaries, page and cards): {own:.0f} MB")
    if args.build:
        with tempfile.TemporaryDirectory() as tmp:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            cmd = [sys.executable, "-m", "egov_xlsx", "build", str(args.campaign), "-o", tmp, "--quiet"]
            subprocess.run([*cmd, "--jobs", str(args.jobs), "--cards"], check=False, stdout=subprocess.DEVNULL)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        added_cpu, added_wall = s_cpu + p_cpu + c_cpu, s_wall + p_wall + c_wall
        peak = after.ru_maxrss / 1024  # kB on Linux: the largest process of the build's tree
        print(f"build --cards: {cpu:.1f} s CPU (workers included), {wall:.1f} s wall, peak RSS {peak:.0f} MB")
        print(
            f"cards + page: {added_cpu:.2f} s CPU, {added_wall:.2f} s wall: "
            f"+{added_cpu / (cpu - added_cpu) * 100:.0f} % CPU, +{added_wall / (wall - added_wall) * 100:.0f} % wall "
            "over the build without them"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
