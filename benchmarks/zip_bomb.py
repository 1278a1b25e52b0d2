"""How the input gate handles a zip bomb, next to a normal form (and, for contrast, a reader without the gate).

Builds, in a temporary folder, an xlsx whose one sheet inflates to 1.5 GB (``tests/corpus.py`` crafts it in
milliseconds) and a normal 60-row form, then runs ``egov_xlsx.read.gate.admit`` on each in a fresh subprocess,
so that each case's peak memory is its own. Optionally opens the bomb with python-calamine directly,
under a time and memory limit, to show what the gate spares us.

    python benchmarks/zip_bomb.py                 # gate only
    python benchmarks/zip_bomb.py --calamine      # plus the unprotected reader (up to --timeout s)

Targets: the bomb is refused in under 500 ms with under 100 MB peak RSS. Exit status 1 when missed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests import corpus  # noqa: E402  (the repository root is put on the path just above)

TARGET_MS = 500.0
TARGET_MB = 100.0

# Runs in the child: report the time of the measured call, and the peak RSS when the OS tells it.
_CHILD = r"""
import io, json, sys, time
mode, path, limit_gb = sys.argv[1], sys.argv[2], float(sys.argv[3])
try:
    import resource
except ImportError:  # Windows
    resource = None
if resource is not None and limit_gb > 0:
    # Address-space cap so that the unprotected reader cannot take the machine down with it.
    cap = int(limit_gb * 1024**3)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

def peak_mb():
    if resource is None:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)  # bytes on macOS, KiB elsewhere

if mode == "gate":
    from pathlib import Path
    from egov_xlsx.read import gate
    before = peak_mb()
    started = time.perf_counter()
    admitted = gate.admit(Path(path))
    elapsed = time.perf_counter() - started
    warm = []
    for _ in range(20):  # the same call again, imports and caches warm: the steady per-file cost
        t = time.perf_counter()
        gate.admit(Path(path))
        warm.append(time.perf_counter() - t)
    warm_ms = min(warm) * 1000
    verdict = "readable " + admitted.source.kind if admitted.readable else ", ".join(f.code for f in admitted.findings)
else:
    from python_calamine import CalamineWorkbook
    before = peak_mb()
    started = time.perf_counter()
    try:
        with open(path, "rb") as handle:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(handle.read()))
        sheet = workbook.get_sheet_by_index(0)
        verdict = f"read {sheet.height:,} rows"
    except BaseException as exc:
        verdict = f"{type(exc).__name__}: {str(exc)[:60]}"
    elapsed = time.perf_counter() - started
    warm_ms = None
print(json.dumps({"verdict": verdict, "ms": elapsed * 1000, "warm_ms": warm_ms, "rss_mb": peak_mb(), "base_mb": before}))
"""


@dataclass
class Row:
    case: str
    verdict: str
    ms: float | None
    warm_ms: float | None
    rss_mb: float | None
    base_mb: float | None


def _children_peak_mb() -> float | None:
    """Largest peak RSS of any child reaped so far (Linux/macOS): what a crashed child cannot report itself."""
    try:
        import resource
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return float(peak) / 1024 / (1024 if sys.platform == "darwin" else 1)


def run_child(mode: str, path: Path, *, timeout: float, limit_gb: float) -> Row:
    """Run one measurement in a fresh interpreter; a child killed or aborted is reported, not raised."""
    command = [sys.executable, "-c", _CHILD, mode, str(path), str(limit_gb)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    case = f"{path.name} [{mode}]"
    before = _children_peak_mb()
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        verdict = f"killed after {timeout:.0f} s"
    else:
        if process.returncode == 0 and out.strip():
            data = json.loads(out.decode().strip().splitlines()[-1])
            return Row(case, data["verdict"], data["ms"], data["warm_ms"], data["rss_mb"], data["base_mb"])
        lines = err.decode(errors="replace").strip().splitlines()
        why = next(
            (line for line in lines if "memory allocation" in line or "Error" in line), lines[-1] if lines else ""
        )
        verdict = f"crashed (status {process.returncode}): {why[:70]}"
    wall = (time.perf_counter() - started) * 1000
    after = _children_peak_mb()
    peak = after if after is not None and (before is None or after > before) else None
    return Row(case, verdict, wall, None, peak, None)


def _fmt(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-gb", type=float, default=1.5, help="declared (and real) inflated size of the bomb")
    parser.add_argument("--rows", type=int, default=60, help="criterion rows of the normal form")
    parser.add_argument("--calamine", action="store_true", help="also open the bomb with python-calamine directly")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before the unprotected reader is killed")
    parser.add_argument("--memory-limit-gb", type=float, default=4.0, help="address-space cap of the reader's process")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="egov-zip-bomb-") as tmp:
        folder = Path(tmp)
        form = folder / "form.xlsx"
        form.write_bytes(corpus.good_xlsx_bytes(args.rows))
        bomb = folder / "bomb.xlsx"
        started = time.perf_counter()
        bomb.write_bytes(corpus.zip_bomb_bytes(int(args.size_gb * 1024**3)))
        built_ms = (time.perf_counter() - started) * 1000
        print(
            f"form.xlsx: {form.stat().st_size / 1024:,.1f} KB; bomb.xlsx: {bomb.stat().st_size / 1024**2:,.1f} MB "
            f"declaring {args.size_gb} GB (built in {built_ms:,.0f} ms)\n"
        )

        rows = [
            run_child("gate", form, timeout=args.timeout, limit_gb=0),
            run_child("gate", bomb, timeout=args.timeout, limit_gb=0),
        ]
        if args.calamine:
            rows.append(run_child("calamine", bomb, timeout=args.timeout, limit_gb=args.memory_limit_gb))

    header = ("case", "verdict", "time ms (first call)", "warm ms", "peak RSS MB", "RSS before call MB")
    table = [header] + [
        (r.case, r.verdict, _fmt(r.ms, 2), _fmt(r.warm_ms, 3), _fmt(r.rss_mb), _fmt(r.base_mb)) for r in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    for i, line in enumerate(table):
        print(" | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)))
        if i == 0:
            print("-+-".join("-" * w for w in widths))

    refusal = rows[1]
    ok = (
        refusal.verdict == "zip-bomb"
        and refusal.ms is not None
        and refusal.ms < TARGET_MS
        and (refusal.rss_mb is None or refusal.rss_mb < TARGET_MB)
    )
    print(
        f"\ntarget: bomb refused in < {TARGET_MS:.0f} ms with < {TARGET_MB:.0f} MB peak RSS: {'met' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
