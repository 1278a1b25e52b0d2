"""Reading forms of rule-based criteria (issue 13) against plain forms of the same size.

Two campaigns with the same criteria tree (39 leaves in 6 groups, as the national benchmark's): in one every
leaf is scored by hand, in the other every leaf has a rule (levels, ratio with steps, ratio proportional,
count, yes/no in turn), so its form has three more columns (the facts and the rule in words) and a formula
in each points cell. N forms of each are made by egov-xlsx and filled with openpyxl (scores; facts), once,
into ``benchmarks/data/rules-N/`` (``--data-dir`` names another folder). What is timed is the per-form work of ``check`` in one process: the gate,
python-calamine and the parser (:func:`egov_xlsx.read.form_parser.read_file`), then the form rules
(:func:`egov_xlsx.rules.form_rules.check_reading`); best of ``--repeat`` runs, the two kinds alternating.

With ``--office`` the filled forms of both kinds are re-saved once by LibreOffice (as a unit's office program
saves them: UTF-8 text, computed formula values), into ``benchmarks/data/rules-N-office/``.

Target: a rule-based form costs at most 1.2 x a plain form.

    python benchmarks/rules.py --forms 400 --repeat 5
    python benchmarks/rules.py --forms 300 --repeat 7 --office
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import openpyxl  # noqa: E402

from egov_xlsx import layout  # noqa: E402
from egov_xlsx.config import load_campaign  # noqa: E402
from egov_xlsx.forms import form_filename, write_form  # noqa: E402
from egov_xlsx.model import Campaign  # noqa: E402
from egov_xlsx.read.form_parser import read_file  # noqa: E402
from egov_xlsx.rules import fact_rules  # noqa: E402
from egov_xlsx.rules.form_rules import check_reading  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
GROUPS, LEAVES = 6, (7, 7, 6, 7, 6, 6)  # 39 leaves
RULES = (
    'rule = "levels"\nlevels = [{ label = "Đã triển khai đầy đủ", points = 4 }, '
    '{ label = "Triển khai một phần", points = 2 }, { label = "Chưa triển khai", points = 0 }]',
    'rule = "ratio"\ninputs = ["Số hồ sơ trực tuyến", "Tổng số hồ sơ"]\n'
    "steps = [{ min_percent = 90, points = 4 }, { min_percent = 50, points = 2 }, { min_percent = 0, points = 0 }]",
    'rule = "ratio"\ninputs = ["Số văn bản ký số", "Tổng số văn bản"]',
    'rule = "count"\ninput = "Số văn bản"\npoints_each = 0.5',
    'rule = "yes_no"',
)


def campaign_toml(rules: bool, units: int) -> str:
    kind = "rules" if rules else "plain"
    out = [
        f'[campaign]\nid = "bench-{kind}"\ntitle = "Đo tốc độ ({kind})"\nprovince = "Thử"\nyear = 2024\n',
        '[[tiers]]\nid = "t"\nname = "Khối thử"\n',
    ]
    n = 0
    for g in range(GROUPS):
        out.append(f'[[tiers.criteria]]\ncode = "{g + 1}"\nname = "Nhóm tiêu chí số {g + 1}"\n')
        for i in range(LEAVES[g]):
            rule = RULES[n % len(RULES)] if rules else ""
            out.append(
                f'[[tiers.criteria.children]]\ncode = "{g + 1}.{i + 1}"\n'
                f'name = "Tiêu chí thành phần {g + 1}.{i + 1} về ứng dụng công nghệ thông tin"\nmax = 4\n{rule}\n'
            )
            n += 1
    out += [f'[[tiers.units]]\ncode = "U{u:04d}"\nname = "Đơn vị số {u}"\n' for u in range(units)]
    return "\n".join(out)


def _fill(campaign: Campaign, blank: Path, target: Path, rnd: random.Random) -> None:
    wb = openpyxl.load_workbook(blank)
    ws = wb[layout.FORM_SHEET]
    header = [str(c.value or "") for c in ws[layout.HEADER_ROW]]
    tier = campaign.tiers[0]
    for row in ws.iter_rows(min_row=layout.FIRST_DATA_ROW):
        code = str(row[layout.COL_CODE].value or "")
        if not tier.has_criterion(code) or not tier.criterion(code).is_leaf:
            continue
        rule = tier.criterion(code).rule
        row[layout.COL_NOTE].value = "Báo cáo số 12/BC và tài liệu kèm theo"
        if rule is None:
            row[layout.COL_SCORE].value = rnd.randint(0, 400) / 100
            continue
        a, b = header.index(layout.HEADER_FACT), header.index(layout.HEADER_FACT_B)
        if rule.labels:
            row[a].value = rnd.choice(rule.labels)
        elif rule.kind == "count":
            row[a].value = rnd.randint(0, 10)
        else:
            total = rnd.randint(1, 5000)
            row[a].value, row[b].value = rnd.randint(0, total), total
    wb.save(target)


def make(folder: Path, rules: bool, forms: int) -> Campaign:
    """The campaign and its filled inbox (made once; reused while the folder holds ``forms`` files)."""
    inbox = folder / layout.INBOX
    if not (inbox.is_dir() and len(list(inbox.iterdir())) == forms):
        inbox.mkdir(parents=True, exist_ok=True)
        (folder / "egov.toml").write_text(campaign_toml(rules, forms), encoding="utf-8")
        campaign = load_campaign(folder)
        rnd = random.Random(13)
        tier = campaign.tiers[0]
        for unit in tier.units:
            blank = folder / "blank.xlsx"
            write_form(campaign, tier, unit, blank)
            _fill(campaign, blank, inbox / form_filename(unit), rnd)
        (folder / "blank.xlsx").unlink()
    return load_campaign(folder)


def office(source: Campaign, folder: Path) -> Campaign:
    """``source``'s campaign with every form re-saved by LibreOffice as .xlsx (made once).

    Only the forms missing from the folder are converted, in batches: one LibreOffice run given a few hundred
    files stops after about 250 of them without an error, and a folder already made is never written again.
    """
    inbox = folder / layout.INBOX
    inbox.mkdir(parents=True, exist_ok=True)
    if not (folder / "egov.toml").exists():
        shutil.copy(source.folder / "egov.toml", folder / "egov.toml")
    missing = [p for p in sorted((source.folder / layout.INBOX).iterdir()) if not (inbox / p.name).exists()]
    if missing:
        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if soffice is None:
            raise SystemExit("LibreOffice (soffice) is not installed")
        with tempfile.TemporaryDirectory() as profile:
            for i in range(0, len(missing), _OFFICE_BATCH):
                subprocess.run(
                    [soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                     "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(inbox),
                     *map(str, missing[i : i + _OFFICE_BATCH])],
                    check=True, capture_output=True, timeout=3600,
                )  # fmt: skip
        left = [p.name for p in missing if not (inbox / p.name).exists()]
        if left:
            raise SystemExit(f"LibreOffice did not convert {len(left)} forms, first {left[0]}")
    return load_campaign(folder)


#: Forms given to one LibreOffice run.
_OFFICE_BATCH = 100


def read_all(campaign: Campaign, first_read: bool = False) -> float:
    """Seconds to read and check every form of the inbox once (in this process).

    With ``first_read`` the facts remembered from earlier runs are forgotten first, so that each form's facts
    are judged as when the form is read for the first time (a ratio's a and b differ from unit to unit).
    """
    paths = sorted((campaign.folder / layout.INBOX).iterdir())
    if first_read:
        fact_rules._KNOWN.clear()
    start = time.perf_counter()
    for path in paths:
        result = read_file(path)
        assert result.reading is not None
        checked = check_reading(campaign, result.reading)
        assert checked.submission is not None and checked.submission.valid, checked.findings
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--forms", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--office", action="store_true", help="forms re-saved by LibreOffice")
    parser.add_argument("--first-read", action="store_true", help="forget the facts read in earlier runs")
    parser.add_argument("--data-dir", type=Path, default=DATA, help="where the forms are made and kept")
    args = parser.parse_args(argv)
    root = args.data_dir / f"rules-{args.forms}"
    plain, rules = make(root / "plain", False, args.forms), make(root / "rules", True, args.forms)
    if args.office:
        saved = args.data_dir / f"rules-{args.forms}-office"
        plain, rules = office(plain, saved / "plain"), office(rules, saved / "rules")
    best = {"plain": float("inf"), "rules": float("inf")}
    read_all(plain), read_all(rules)  # warm-up: imports, caches of labels and layouts
    for _ in range(args.repeat):
        best["plain"] = min(best["plain"], read_all(plain, args.first_read))
        best["rules"] = min(best["rules"], read_all(rules, args.first_read))
    per = {k: v / args.forms * 1000 for k, v in best.items()}
    ratio = best["rules"] / best["plain"]
    how = "re-saved by LibreOffice" if args.office else "filled with openpyxl"
    how += ", facts judged as on a first reading" if args.first_read else ""
    print(f"forms: {args.forms} of each, 39 leaves, {how}; best of {args.repeat}")
    print(f"plain form:      {per['plain']:.2f} ms")
    print(f"rule-based form: {per['rules']:.2f} ms")
    print(f"ratio: {ratio:.2f} (target <= 1.20): {'ok' if ratio <= 1.2 else 'MISSED'}")
    return 0 if ratio <= 1.2 else 1


if __name__ == "__main__":
    sys.exit(main())
