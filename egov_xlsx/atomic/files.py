"""One output file: its temporary and backup names beside the target, the rename, and errors told in Vietnamese."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

from egov_xlsx.errors import OutputError

#: The lock file of an output folder while a command writes into it.
LOCK_NAME = ".egov-xlsx.lock"
#: The commit journal: present only while a commit is under way (or after one was killed).
JOURNAL_NAME = ".egov-xlsx-commit.json"
#: ``.<name>.<hex>.tmp<.ext>`` (a file being written, a scratch folder) or ``.<name>.<hex>.old<.ext>`` (a backup).
_TOOL_NAME = re.compile(r"^\.(?P<stem>.+)\.[0-9a-f]{12}\.(?P<kind>tmp|old)(?P<suffix>\.[^.]+)?$")


def explain(path: Path, exc: OSError) -> OutputError:
    """An :class:`OutputError` saying, in Vietnamese, why ``path`` cannot be written."""
    if isinstance(exc, OutputError):
        return exc
    if isinstance(exc, PermissionError):
        why = "tệp đang được mở (ví dụ trong Excel hoặc Word) hoặc không có quyền ghi. Đóng tệp rồi chạy lại"
    elif getattr(exc, "errno", None) == 28:  # ENOSPC
        why = "ổ đĩa đã đầy"
    else:
        why = exc.strerror or str(exc)
    return OutputError(f"Không ghi được {path}: {why}.")


@contextlib.contextmanager
def naming(target: Path, *aliases: Path) -> Iterator[None]:
    """Turn an ``OSError`` raised inside the block into an :class:`OutputError` that names ``target``.

    An error raised while writing an open file (a full disk) carries no file name; a temporary file's
    hidden name in a message (``aliases``) is replaced by the target's.
    """
    try:
        yield
    except OutputError as exc:
        message = str(exc)
        for alias in aliases:
            message = message.replace(str(alias), str(target))
        if message == str(exc):
            raise
        raise OutputError(message) from exc
    except OSError as exc:
        raise explain(target, exc) from exc


def ensure_folder(folder: Path) -> None:
    """Create an output folder (and parents), turning OS errors into :class:`OutputError`."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise explain(folder, exc) from exc


def _tool_name(target: Path, kind: str) -> Path:
    """A fresh name beside ``target``, of the tool's own form (``kind`` is ``tmp`` or ``old``)."""
    return target.with_name(f".{target.stem}.{secrets.token_hex(6)}.{kind}{target.suffix}")


def _temp_beside(target: Path) -> Path:
    """A fresh, not yet existing name beside ``target``.

    The file is created by the writer itself, so it gets the usual permissions (umask), not the owner-only
    mode of ``tempfile.mkstemp``; the random part keeps two runs from colliding.
    """
    ensure_folder(target.parent)
    return _tool_name(target, "tmp")


@contextlib.contextmanager
def scratch_folder(beside: Path) -> Iterator[Path]:
    """A tool-owned scratch folder beside ``beside``, removed when the block ends.

    For writers that need temporary files of their own (xlsxwriter's streaming rows): they go into the
    output folder, not the system's temporary folder, so a killed run's leftovers are found and removed by
    the next run (:func:`clear_stale`).
    """
    folder = beside.parent / f".egov-xlsx-scratch.{secrets.token_hex(6)}.tmp"
    try:
        folder.mkdir()
    except OSError as exc:
        raise explain(beside, exc) from exc
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _check_replaceable(target: Path) -> None:
    """Fail early when an existing target cannot be replaced (open in Excel on Windows, read-only)."""
    if not os.path.lexists(target):
        return
    if target.is_dir():
        raise OutputError(f"Không ghi được {target}: đã có một thư mục trùng tên.")
    try:
        with open(target, "r+b"):
            pass
    except OSError as exc:
        raise explain(target, exc) from exc


def _replace(source: Path, target: Path) -> None:
    """``os.replace``: the one place a commit renames (tests make it fail at any step)."""
    os.replace(source, target)
