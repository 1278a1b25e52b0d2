"""Regenerate the Hưng Yên 2018 sample inbox: forms made by `egov-xlsx forms`, filled as units would.

The top-level scores reconstruct the published result (samples/hung-yen-2018/README.md lists the
article's facts they satisfy); each is split over the criterion's sub-criteria in proportion to their
maxima, to the hundredth, so the sums are exact. Forms are filled with openpyxl, which, like a unit's
spreadsheet program before recalculation, leaves formula cells without cached values.

With ``--libreoffice`` (and LibreOffice installed) two units' forms are re-saved by LibreOffice as .xls
and .ods, the way some units return them.

    python samples/fill_hung_yen_2018.py [--libreoffice]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

import openpyxl

from egov_xlsx import layout
from egov_xlsx.config import load_campaign
from egov_xlsx.forms import form_filename, write_form
from egov_xlsx.model import Criterion

HERE = Path(__file__).resolve().parent / "hung-yen-2018"
CENT = Decimal("0.01")

# Top-level criterion scores per unit, in criterion order.
# Departments: 1 Hạ tầng (50), 2 Ứng dụng (100), 3 Cổng TTĐT (100), 4 DVCTT (100), 5 Cơ chế (100), 6 Nhân lực (50).
DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "SKHDT": ("50", "80", "70", "97.8", "69.5", "50"),  # 417,30: highest total
    "STTTT": ("50", "82", "78", "80", "72", "50"),
    "STC": ("50", "75", "86.75", "0", "100", "50"),
    "STP": ("50", "95", "80", "0", "90", "45"),
    "SNV": ("50", "78", "75", "0", "100", "50"),
    "SNNPTNT": ("50", "68", "70", "0", "70", "50"),
    "BQLKCN": ("45", "85.5", "82", "60", "80", "50"),
    "SCT": ("48", "72", "93", "0", "88", "49"),  # 350 of 500: exactly 70 %, Khá
    "SGTVT": ("47", "80", "76", "92", "85", "30"),
    "SGDDT": ("46", "70", "85", "0", "100", "50"),
    "SYT": ("44", "76", "72", "55", "60", "50"),
    "STNMT": ("42", "74", "70", "65", "65", "40"),  # the 17th department: the eleventh Khá
    "SXD": ("40", "65", "68", "0", "75", "40"),
    "SLDTBXH": ("43", "60", "64", "0", "66", "42"),
    "SKHCN": ("45", "66", "72", "0", "29", "44"),
    "SVHTTDL": ("44", "62", "56.5", "40", "72", "41"),
    "TTT": ("46", "39.2", "65", "0", "60", "50"),
}
# Districts: 1 Hạ tầng (30), 2 Nhân lực (12), 3 Môi trường chính sách (8), 4 Hiện diện (40), 5 Tương tác (35),
# 6 Giao dịch (20), 7 Chuyển đổi (5).
DISTRICTS: dict[str, tuple[str, ...]] = {
    "HY": ("26.4", "11", "6", "32", "27.8", "3.22", "0"),  # 106,42
    "VL": ("24", "9.3", "7.5", "31", "27", "5.9", "0.3"),  # 105 of 150: exactly 70 %, Khá
    "VG": ("24.5", "8", "5", "25", "22", "2", "1"),
    "YM": ("25.8", "8.5", "7", "28", "24", "3", "0"),
    "MH": ("24.2", "7.5", "6.5", "14", "23", "1.5", "0"),
    "AT": ("24.8", "7.2", "7.5", "24", "20", "1", "0"),
    "KC": ("25", "7.8", "6", "26", "17.39", "2.5", "0"),
    "KD": ("24.3", "7", "7.5", "22", "19.5", "0", "0"),
    "TL": ("25.5", "8.8", "7.5", "33", "22", "4.72", "0"),
    "PC": ("23.7", "6.74", "6.8", "27", "21.5", "1.2", "0"),
}
#: Units whose forms LibreOffice re-saves (with --libreoffice): unit code -> format.
RESAVED = {"TTT": "xls", "PC": "ods"}


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


def fill(form: Path, target: Path, leaves: dict[str, Decimal], unit_code: str) -> None:
    wb = openpyxl.load_workbook(form)
    ws = wb[layout.FORM_SHEET]
    for row in ws.iter_rows(min_row=layout.FIRST_DATA_ROW):
        code = str(row[layout.COL_CODE].value or "")
        if code in leaves:
            value = leaves[code]
            row[layout.COL_SCORE].value = int(value) if value == value.to_integral_value() else float(value)
            row[layout.COL_NOTE].value = f"Báo cáo số {len(code) * 7 + 3:02d}/BC-{unit_code} và tài liệu kèm theo"
    wb.save(target)


def resave(path: Path, fmt: str) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{Path(profile).as_posix()}",
                "--headless",
                "--convert-to",
                fmt,
                "--outdir",
                str(path.parent),
                str(path),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    path.unlink()
    return path.with_suffix(f".{fmt}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--libreoffice", action="store_true", help="re-save two forms as .xls and .ods")
    args = parser.parse_args(argv)
    campaign = load_campaign(HERE)
    inbox = HERE / "inbox"
    inbox.mkdir(exist_ok=True)
    for old in inbox.iterdir():
        if old.is_file():
            old.unlink()
    tables = {"so-nganh": DEPARTMENTS, "cap-huyen": DISTRICTS}
    with tempfile.TemporaryDirectory() as tmp:
        for tier in campaign.tiers:
            for unit in tier.units:
                tops = [Decimal(v) for v in tables[tier.id][unit.code]]
                leaves: dict[str, Decimal] = {}
                for criterion, score in zip(tier.criteria, tops, strict=True):
                    leaves.update(split(criterion, score))
                blank = Path(tmp) / form_filename(unit)
                write_form(campaign, tier, unit, blank)
                target = inbox / form_filename(unit)
                fill(blank, target, leaves, unit.code)
                if args.libreoffice and unit.code in RESAVED:
                    target = resave(target, RESAVED[unit.code])
                print(target.relative_to(HERE.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
