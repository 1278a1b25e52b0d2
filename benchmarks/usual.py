"""The usual script: what an analyst writes to rank a folder of returned forms with pandas.

glob the forms, ``pandas.read_excel`` each (openpyxl engine), concat, sum the leaf scores per unit, rank
within each tier. No checks at all: a text score ("4,5") is silently lost, a stale form is not noticed.
It is what egov-xlsx has to beat by a wide margin to be worth installing.

    python benchmarks/usual.py benchmarks/data/national-10000/inbox
"""

from __future__ import annotations

import glob
import sys
from pathlib import Path

import pandas as pd


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    inbox = Path(args[0])
    frames = []
    for path in sorted(glob.glob(str(inbox / "*.xlsx"))):
        sheet = pd.read_excel(path, sheet_name="Chấm điểm", header=None, engine="openpyxl")
        tier, unit = sheet.iat[2, 1], sheet.iat[3, 1]
        table = sheet.iloc[8:, [0, 3]].set_axis(["code", "score"], axis=1)
        table = table[table["code"].notna()]
        table["score"] = pd.to_numeric(table["score"], errors="coerce")
        frames.append(table.assign(tier=tier, unit=unit))
    scores = pd.concat(frames, ignore_index=True)
    totals = scores.groupby(["tier", "unit"], sort=False)["score"].sum().reset_index(name="total")
    totals["rank"] = totals.groupby("tier")["total"].rank(method="min", ascending=False).astype(int)
    totals = totals.sort_values(["tier", "rank"])
    print(f"{len(frames)} files, {len(totals)} units ranked", file=sys.stderr)
    totals.to_csv(sys.stdout, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
