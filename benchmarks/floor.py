"""The physical floor: open every form with python-calamine and read its score cells, nothing else.

No gate, no header search, no validation, no output: the least any tool reading these files must do. Files
are shared out over ``--jobs`` processes the way ``egov-xlsx`` shares them (contiguous batches, one pool).

    python benchmarks/floor.py benchmarks/data/national-10000/inbox --jobs 2
"""

from __future__ import annotations

import argparse
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from python_calamine import CalamineWorkbook

SHEET = "Chấm điểm"
FIRST_ROW = 8  # 0-based: the row after the header
SCORE_COL = 3  # D


def read_scores(paths: list[str]) -> int:
    """Open each file and read the score column of its form sheet; return how many numbers were read."""
    count = 0
    for path in paths:
        rows = CalamineWorkbook.from_path(path).get_sheet_by_name(SHEET).to_python()
        count += sum(1 for row in rows[FIRST_ROW:] if len(row) > SCORE_COL and isinstance(row[SCORE_COL], float | int))
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("inbox", type=Path)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args(argv)
    paths = sorted(str(p) for p in args.inbox.iterdir() if p.is_file())
    if args.jobs <= 1:
        total = read_scores(paths)
    else:
        size = max(1, min(64, len(paths) // (args.jobs * 8)))
        batches = [paths[i : i + size] for i in range(0, len(paths), size)]
        with ProcessPoolExecutor(args.jobs) as pool:
            total = sum(pool.map(read_scores, batches))
    print(f"{len(paths)} files, {total} scores", file=sys.stderr)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
