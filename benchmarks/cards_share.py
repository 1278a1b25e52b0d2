"""What the result cards and the results page add to a whole build, measured against the same build without them.

    python benchmarks/cards_share.py CAMPAIGN [--jobs J] [--repeat R]

Runs, alternating, R times each in a fresh process: ``egov-xlsx build CAMPAIGN --cards``; the same build with the
cards written in its own process (not in a forked child); and the same build without the results page (written
as an empty file) and without the cards (their writers replaced by no-ops in the child, for this benchmark only). Each run's CPU (user + system, its worker processes included) and wall time; the best of each
kind is kept (the machine is shared: the best run is the least disturbed). Added share = full / bare - 1.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The child: the build with the page and the cards replaced by no-ops (the page is an empty file).
_BARE = """
import sys
from pathlib import Path
import egov_xlsx.pipeline as pipeline
import egov_xlsx.publish.results_page as page
page.write_page = lambda results, path, summaries=None: Path(path).write_bytes(b"")
try:  # no summaries: no cards
    import egov_xlsx.publish.card_output as card_output
    card_output.card_summaries = lambda *args, **kwargs: None
except ImportError:  # before the cards had a module of their own
    pipeline._write_cards = lambda *args, **kwargs: None
from egov_xlsx.cli.commands import main
sys.argv = ["egov-xlsx", *sys.argv[1:]]
main()
"""


# The child: the build with the cards written in this process, after the other outputs (no forked child).
_HERE = """
import sys
try:
    import egov_xlsx.publish.card_output as card_output
    card_output.FORK_CARDS_UNITS = 10**9
except ImportError:  # before the cards could be written in a child
    pass
from egov_xlsx.cli.commands import main
sys.argv = ["egov-xlsx", *sys.argv[1:]]
main()
"""


def run(command: list[str]) -> tuple[float, float]:
    """CPU seconds (the process and its children) and wall seconds of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("campaign", type=Path)
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    best: dict[str, tuple[float, float]] = {}
    for _ in range(args.repeat):
        for kind, head in (("full", ["-m", "egov_xlsx"]), ("here", ["-c", _HERE]), ("bare", ["-c", _BARE])):
            with tempfile.TemporaryDirectory() as tmp:
                tail = ["build", str(args.campaign), "-o", tmp, "--quiet", "--jobs", str(args.jobs), "--cards"]
                cpu, wall = run([sys.executable, *head, *tail])
            old = best.get(kind, (float("inf"), float("inf")))
            best[kind] = (min(old[0], cpu), min(old[1], wall))
            print(f"{kind}: {cpu:.2f} s CPU, {wall:.2f} s wall", flush=True)
    bc, bw = best["bare"]
    print(f"best of {args.repeat}: without cards and page {bc:.2f} s CPU {bw:.2f} s wall")
    for kind, what in (("full", "build"), ("here", "build, cards not in a child")):
        fc, fw = best[kind]
        print(
            f"{what}: {fc:.2f} s CPU {fw:.2f} s wall; cards + page: +{fc - bc:.2f} s CPU "
            f"(+{(fc / bc - 1) * 100:.0f} %), +{fw - bw:.2f} s wall (+{(fw / bw - 1) * 100:.0f} %)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
