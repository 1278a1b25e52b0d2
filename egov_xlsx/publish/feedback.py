"""Marked-up copies of units' own files, to send back: every problem cell coloured and commented.

:func:`feedback_jobs` decides, without any I/O, which copies to make: one per file of a roster unit with at
least one error, or a warning the unit has to act on (warnings that need nothing from the unit, such as a
recomputed subtotal, get no copy). Copies are named like forms ("SKHDT - So Ke hoach va Dau tu.xlsx").
:meth:`FeedbackJob.write` makes one (:mod:`egov_xlsx.publish.feedback_marks`), in one of three ways:

* the unit's own .xlsx/.xlsm, opened with openpyxl (read from memory: the unit's file is never written; its
  bytes must be those `check` read, by their SHA-256, so the gate's verdict still holds) and saved as a copy
  whose first sheet, "Cần sửa", lists every finding; the form sheet keeps its protection and the hidden
  metadata sheet stays as it was, so the unit can fill the copy in and send it back;
* a fresh form of this campaign with the unit's values written in (the rows `check` read, kept in the report:
  the file is not read again), when openpyxl cannot edit the file (.xls, .ods, some files other programs
  write) or the form is stale (the criteria changed since it was made: the criteria whose maximum changed,
  or that are new, are marked);
* a fresh, empty form of this campaign when the file is no usable form at all (empty, unreadable, not a
  form, a form of another campaign, year or tier).

:func:`stage_copy_pruning` keeps a small manifest of the copies the tool wrote in ``tra-lai/`` and removes those
that no longer apply (only its own, and only while unchanged since it wrote them).

"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from egov_xlsx._version import PROGRAM
from egov_xlsx.errors import OutputError
from egov_xlsx.findings import sort_key
from egov_xlsx.model import Campaign, CheckReport, Finding, FormRow, Severity, SourceFile
from egov_xlsx.style import INPUT_YELLOW
from egov_xlsx.vietnamese import clean, safe_filename

if TYPE_CHECKING:
    from egov_xlsx.atomic import Staging

SHEET_TITLE = "Cần sửa"
#: The author of the copies' comments: how the tool finds its own marks in a copy sent back.
AUTHOR = PROGRAM
#: One instruction a copy, by how it was made (``{kind}``: the submitted file's extension).
INSTRUCTION = (
    "Đơn vị sửa các ô được tô màu trong trang 'Chấm điểm' của tệp này rồi gửi lại chính tệp này "
    "(không đổi tên cột, không thêm/xóa dòng)."
)
REBUILT_NOTE = (
    "Tệp đơn vị gửi ({kind}) không sửa trực tiếp được nên biểu này được tạo lại từ biểu mẫu chuẩn, "
    "đã điền sẵn điểm và ghi chú đơn vị đã nhập. Đơn vị sửa các ô được tô màu trong trang 'Chấm điểm' rồi gửi "
    "lại chính tệp .xlsx này (không gửi lại tệp {kind} cũ)."
)
STALE_NOTE = (
    "Bộ tiêu chí đã thay đổi sau khi biểu của đơn vị được tạo nên biểu này được tạo lại theo bộ tiêu chí hiện "
    "hành, đã điền sẵn điểm và ghi chú đơn vị đã nhập. Đơn vị kiểm tra các ô được tô màu (tiêu chí đổi điểm "
    "tối đa hoặc mới thêm) trong trang 'Chấm điểm' rồi gửi lại chính tệp .xlsx này (không gửi lại biểu cũ)."
)
FRESH_NOTE = (
    "Tệp đơn vị gửi ({file}) không dùng được cho đợt đánh giá này (lý do ở bảng dưới). Đây là biểu mới của đợt "
    "đánh giá: đơn vị chấm điểm vào các ô màu vàng trong trang 'Chấm điểm' rồi gửi lại chính tệp .xlsx này."
)
HEADERS = ("STT", "Trang tính", "Ô", "Tiêu chí", "Mức độ", "Nội dung")
#: The tool's record of the copies it wrote in the feedback folder: file name -> SHA-256 of what it wrote.
MANIFEST = ".egov-xlsx-tra-lai.json"
#: Warnings addressed to the clerk, not to the unit (duplicate copies, a misleading file name).
_CLERK_CODES = frozenset({"unit-duplicate-identical", "filename-other-unit", "file-not-used"})
#: Warnings that ask nothing of the unit: listed in a copy made for other findings, never the reason for one.
_NO_ACTION_CODES = frozenset(
    {"max-changed", "capped-parent", "subtotal-mismatch", "form-version", "metadata-missing", "row-order"}
)
#: Errors saying the file is no usable form of this campaign (besides every ``file-*`` error of the gate):
#: the unit gets a fresh, empty form.
_NOT_A_FORM = frozenset(
    {
        "zip-bomb",
        "xml-entities",
        "form-not-recognised",
        "unit-unidentified",
        "wrong-campaign",
        "wrong-year",
        "wrong-tier",
    }
)
_FILLS = {Severity.ERROR: "FFFF7C80", Severity.WARNING: "FFFFC000"}
_INPUT_FILL = "FF" + INPUT_YELLOW.lstrip("#")  # the form's yellow input cells, as openpyxl reads them
_WIDTHS = (6, 16, 8, 10, 11, 90)


class Kind(StrEnum):
    """How a copy is made (see the module docstring)."""

    OWN = "own"  # the unit's own file marked up (rebuilt when openpyxl cannot edit it)
    STALE = "stale"  # a fresh current form with the stale form's values
    FRESH = "fresh"  # a fresh empty form: the file is no usable form


@dataclass(frozen=True)
class FeedbackJob:
    """One marked-up copy to write: ``filename`` in the feedback folder, for ``source`` and its findings."""

    filename: str
    unit_code: str
    source: SourceFile
    findings: tuple[Finding, ...]
    campaign: Campaign
    kind: Kind = Kind.OWN
    #: The rows of the form as `check` read them (empty when no form was read): a copy made on a fresh form
    #: is filled with them (:attr:`CheckReport.form_rows`).
    rows: tuple[FormRow, ...] = ()

    def write(self, path: Path) -> None:
        """Write the marked-up copy to ``path``; ``source.path`` is only read, and only to mark the unit's own file.

        Raises :class:`OutputError` (Vietnamese, naming the unit's file) when the copy cannot be made.
        """
        from egov_xlsx.publish.feedback_marks import write_marked_copy  # openpyxl loads only when copies are made

        try:
            write_marked_copy(self, path)
        except Exception as exc:  # openpyxl and the zip/XML layers raise anything: wrap at the boundary
            why = clean(str(exc)).rstrip(".")[:300] or type(exc).__name__
            raise OutputError(f"Không tạo được bản đánh dấu lỗi của tệp {self.source.name}: {why}.") from exc


def write_job(item: tuple[FeedbackJob, Path]) -> str | None:
    """Write one job's copy to its path; the Vietnamese reason when it cannot be made (for a process pool)."""
    job, path = item
    try:
        job.write(path)
    except OutputError as exc:
        return str(exc)
    return None


def feedback_jobs(report: CheckReport) -> list[FeedbackJob]:
    """The copies to write, in roster order (pure: no file is opened).

    A file gets a job when it is on a roster unit's line and has an error, or a warning the unit must act on.
    It is named as the unit's form is ("SKHDT - So Ke hoach va Dau tu.xlsx"), or, when several of the unit's
    files get a copy, after the form and the file ("SKHDT - So Ke hoach va Dau tu - bieu cu.xlsx").
    """
    wanted = (Severity.ERROR, Severity.WARNING)
    by_file: dict[str, list[Finding]] = {}
    for f in report.findings:
        if f.file and f.severity in wanted and f.code not in _CLERK_CODES:
            by_file.setdefault(f.file, []).append(f)
    sources = {s.name: s for s in report.sources}
    jobs: list[FeedbackJob] = []
    taken: set[str] = set()
    for status in report.statuses:
        code = status.unit.code
        files = [name for name in status.files if name in by_file and name in sources and _needs_copy(by_file[name])]
        form = safe_filename(f"{code} - {status.unit.name}")
        for name in files:
            stem = form if len(files) == 1 else f"{form} - {safe_filename(Path(name).stem)}"
            found = tuple(sorted(by_file[name], key=sort_key))
            rows = report.form_rows.get(name, ())
            job = FeedbackJob(_unique(stem, taken), code, sources[name], found, report.campaign, _kind(found), rows)
            jobs.append(job)
    return jobs


def _needs_copy(found: Sequence[Finding]) -> bool:
    return any(f.is_error or f.code not in _NO_ACTION_CODES for f in found)


def _kind(found: Sequence[Finding]) -> Kind:
    if any(f.is_error and (f.code.startswith("file-") or f.code in _NOT_A_FORM) for f in found):
        return Kind.FRESH
    if any(f.code in ("form-stale", "wrong-group") for f in found):  # made again on the unit's own criteria
        return Kind.STALE
    return Kind.OWN


def _unique(stem: str, taken: set[str], ext: str = ".xlsx") -> str:
    name, n = f"{stem}{ext}", 1
    while name.casefold() in taken:  # Windows and macOS disks ignore case
        n += 1
        name = f"{stem} ({n}){ext}"
    taken.add(name.casefold())
    return name


def stage_copy_pruning(staging: Staging, folder: Path, manifest_name: str = MANIFEST) -> list[Path]:
    """With this run's copies staged for ``folder``: stage the removal of the tool's copies that no longer apply.

    A copy is removed only when the manifest (:data:`MANIFEST`) says the tool wrote it, this run does not write
    it again, and its content is still what the tool wrote (a copy the clerk edited, or any other file, is
    never deleted). The manifest is staged anew with this run's copies. Both are part of the one commit of the
    run's outputs: all or none. Returns the copies that the commit removes.
    """
    manifest = folder / manifest_name
    old = _read_manifest(manifest)
    now: dict[str, str] = {}
    for tmp, target in staging.staged:
        if target.parent == folder and target.name != manifest_name:
            with contextlib.suppress(OSError):
                now[target.name] = _digest(tmp)
    removed: list[Path] = []
    for name, digest in old.items():
        path = folder / name
        if name in now or Path(name).name != name or not path.is_file():
            continue
        try:
            if _digest(path) != digest:
                continue
        except OSError:
            now[name] = digest  # unreadable now: still ours, looked at again next time
            continue
        staging.remove(path)
        removed.append(path)
    if now or old:
        data = json.dumps({"generator": AUTHOR, "copies": now}, ensure_ascii=False, indent=1, sort_keys=True)
        staging.write(manifest, lambda tmp: tmp.write_bytes(data.encode("utf-8")))
    return removed


def _read_manifest(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    copies = data.get("copies") if isinstance(data, dict) else None
    if not isinstance(copies, dict):
        return {}
    return {k: v for k, v in copies.items() if isinstance(k, str) and isinstance(v, str)}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
