"""Fill a sample campaign's inbox: forms made by egov-xlsx, filled with scores as units would fill them.

Top-level criterion scores come from the campaign's ``scores.csv`` (columns: tier, unit, then one column
per top-level criterion code), or, with ``--random SEED``, from a seeded generator of plausible scores.
Each top-level score is split over its sub-criteria in proportion to their maxima, to the hundredth, so
the sums are exact. Forms are filled with openpyxl, which, like a spreadsheet program before
recalculation, leaves formula cells without cached values.

A campaign with rule-based criteria (issue 13) has ``facts.csv`` instead (columns: tier, unit, criterion, value,
b): per leaf, the facts the unit reports (a level, Có/Không, a count, a ratio's a and b) or, for a criterion
without a rule, its score; ``x`` marks a criterion not applicable. The forms' points cells are left to the form.

With ``--libreoffice`` (LibreOffice installed) the forms of the units given by ``--resave CODE=FORMAT``
are re-saved by LibreOffice as .xls or .ods, the way some units return them.

    python samples/make_inbox.py samples/hung-yen-2018 --libreoffice --resave TTT=xls --resave PC=ods
    python samples/make_inbox.py samples/tinh-mau-2024 --random 2024
    python samples/make_inbox.py samples/dti-mau-2024 --libreoffice --resave SYT=ods --resave BQLKKT=xls
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

import openpyxl

from egov_xlsx import layout
from egov_xlsx.config import load_campaign
from egov_xlsx.forms import form_filename, write_form
from egov_xlsx.model import Campaign, Criterion

CENT = Decimal("0.01")
Scores = dict[tuple[str, str], list[Decimal]]
#: (tier, unit) -> leaf code -> (value, b) as written in ``facts.csv``.
Facts = dict[tuple[str, str], dict[str, tuple[str, str]]]


def split(node: Criterion, total: Decimal) -> dict[str, Decimal]:
    """Leaf scores summing exactly to ``total``, shared in proportion to the children's maxima."""
    if node.is_leaf:
        return {node.code: total}
    caps = [child.max for child in node.children]
    whole = sum(caps, Decimal(0))
    shares = [(total * cap / whole).quantize(CENT, rounding=ROUND_DOWN) for cap in caps]
    rest = total - sum(shares, Decimal(0))
    for i, cap in enumerate(caps):
        give = min(rest, cap - shares[i])
        shares[i] += give
        rest -= give
    out: dict[str, Decimal] = {}
    for child, share in zip(node.children, shares, strict=True):
        out.update(split(child, share))
    return out


def read_scores(path: Path) -> Scores:
    """``scores.csv``: tier, unit, then the top-level criteria's scores in criterion order."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return {(r[0], r[1]): [Decimal(v) for v in r[2:] if v.strip()] for r in rows[1:] if r}


def read_facts(path: Path) -> Facts:
    """``facts.csv``: tier, unit, criterion, value, b (see the module docstring)."""
    out: Facts = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in list(csv.reader(f))[1:]:
            if row:
                out.setdefault((row[0], row[1]), {})[row[2]] = (row[3], row[4])
    return out


def _typed(text: str) -> int | float | str:
    """A cell value as a unit types it: a number stays a number."""
    try:
        number = Decimal(text)
    except ArithmeticError:
        return text
    return int(number) if number == number.to_integral_value() else float(number)


def fill_facts(form: Path, target: Path, facts: Mapping[str, tuple[str, str]], unit_code: str) -> None:
    """Fill a blank form of rule-based criteria: facts in their columns (found by header), scores, notes."""
    wb = openpyxl.load_workbook(form)
    ws = wb[layout.FORM_SHEET]
    header = [str(c.value or "") for c in ws[layout.HEADER_ROW]]
    a_col, b_col = header.index(layout.HEADER_FACT), header.index(layout.HEADER_FACT_B)
    na_col = header.index(layout.HEADER_NA) if layout.HEADER_NA in header else None
    for row in ws.iter_rows(min_row=layout.FIRST_DATA_ROW):
        code = str(row[layout.COL_CODE].value or "")
        if code not in facts:
            continue
        value, b = facts[code]
        if value == "x" and na_col is not None:
            row[na_col].value = layout.NA_MARK
            continue
        if row[layout.COL_SCORE].data_type == "f":  # the form computes the points from the facts
            row[a_col].value = _typed(value)
            if b:
                row[b_col].value = _typed(b)
        else:
            row[layout.COL_SCORE].value = _typed(value)
        row[layout.COL_NOTE].value = f"Báo cáo số {len(code) * 7 + 3:02d}/BC-{unit_code} và tài liệu kèm theo"
    wb.save(target)


def random_scores(campaign: Campaign, seed: int) -> Scores:
    """Plausible scores: each unit has a level (40-95 % of the maximum) and scores vary around it."""
    rnd = random.Random(seed)
    out: Scores = {}
    for tier in campaign.tiers:
        for unit in tier.units:
            level = rnd.uniform(0.4, 0.95)
            out[(tier.id, unit.code)] = [
                (c.max * Decimal(str(round(min(1.0, max(0.0, rnd.gauss(level, 0.12))), 2)))).quantize(
                    Decimal("0.1"), rounding=ROUND_DOWN
                )
                for c in tier.criteria
            ]
    return out


def fill(form: Path, target: Path, leaves: Mapping[str, Decimal], unit_code: str, text_leaf: str | None = None) -> None:
    """Fill a blank form with openpyxl as a unit would: numbers in the score cells, a note beside each.

    ``text_leaf`` (a criterion code) is typed as text with a decimal comma ("4,5"), as some units do.
    """
    wb = openpyxl.load_workbook(form)
    ws = wb[layout.FORM_SHEET]
    for row in ws.iter_rows(min_row=layout.FIRST_DATA_ROW):
        code = str(row[layout.COL_CODE].value or "")
        if code in leaves:
            value = leaves[code]
            cell = row[layout.COL_SCORE]
            if code == text_leaf:
                cell.value = format(value.normalize(), "f").replace(".", ",")
            else:
                cell.value = int(value) if value == value.to_integral_value() else float(value)
            row[layout.COL_NOTE].value = f"Báo cáo số {len(code) * 7 + 3:02d}/BC-{unit_code} và tài liệu kèm theo"
    wb.save(target)


def resave(path: Path, fmt: str) -> Path:
    """Re-save ``path`` with LibreOffice as ``fmt`` (xls, ods) beside it, removing the original."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--convert-to", fmt,
             "--outdir", str(path.parent), str(path)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    path.unlink()
    return path.with_suffix(f".{fmt}")


def make_inbox(
    folder: Path, scores: Scores, resaved: Mapping[str, str] | None = None, facts: Facts | None = None
) -> list[Path]:
    """Replace the files of ``folder/inbox`` with filled forms (from ``facts`` when given); returns their paths in
    roster order."""
    campaign = load_campaign(folder)
    inbox = folder / "inbox"
    inbox.mkdir(exist_ok=True)
    for old in inbox.iterdir():
        if old.is_file():
            old.unlink()
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        for tier in campaign.tiers:
            for unit in tier.units:
                blank = Path(tmp) / form_filename(unit)
                write_form(campaign, tier, unit, blank)
                target = inbox / form_filename(unit)
                if facts is not None:
                    fill_facts(blank, target, facts[(tier.id, unit.code)], unit.code)
                else:
                    leaves: dict[str, Decimal] = {}
                    tops = scores[(tier.id, unit.code)]
                    # scores.csv gives the criteria on the form: none the council scores (source = "council")
                    for criterion, score in zip(tier.form_tier.criteria, tops, strict=True):
                        leaves.update(split(criterion, score))
                    fill(blank, target, leaves, unit.code)
                if resaved and unit.code in resaved:
                    target = resave(target, resaved[unit.code])
                written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("campaign", type=Path, help="sample campaign folder (holds egov.toml)")
    parser.add_argument("--random", type=int, metavar="SEED", help="generate plausible scores instead of scores.csv")
    parser.add_argument("--libreoffice", action="store_true", help="re-save the --resave units with LibreOffice")
    parser.add_argument("--resave", action="append", default=[], metavar="CODE=FORMAT", help="e.g. TTT=xls")
    args = parser.parse_args(argv)
    campaign = load_campaign(args.campaign)
    facts_csv = args.campaign / "facts.csv"
    facts = read_facts(facts_csv) if args.random is None and facts_csv.is_file() else None
    if args.random is not None:
        scores = random_scores(campaign, args.random)
    else:
        scores = {} if facts is not None else read_scores(args.campaign / "scores.csv")
    resaved = dict(item.split("=", 1) for item in args.resave) if args.libreoffice else None
    for path in make_inbox(args.campaign, scores, resaved, facts):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
