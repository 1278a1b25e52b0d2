"""Write outputs so that nothing is ever left half-written.

Every output is written to a temporary file beside its target, then renamed into place (``os.replace``,
atomic on the same volume on Windows and POSIX). A :class:`Staging` groups the outputs of one command: all
are written first, every target is checked (a workbook open in Excel is locked on Windows), and only then
are they renamed, so a failure leaves the previous outputs as they were.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

from egov_xlsx.errors import OutputError


def explain(path: Path, exc: OSError) -> OutputError:
    """An :class:`OutputError` saying, in Vietnamese, why ``path`` cannot be written."""
    if isinstance(exc, PermissionError):
        why = "tệp đang được mở (ví dụ trong Excel hoặc Word) hoặc không có quyền ghi. Đóng tệp rồi chạy lại"
    elif getattr(exc, "errno", None) == 28:  # ENOSPC
        why = "ổ đĩa đã đầy"
    else:
        why = exc.strerror or str(exc)
    return OutputError(f"Không ghi được {path}: {why}.")


def ensure_folder(folder: Path) -> None:
    """Create an output folder (and parents), turning OS errors into :class:`OutputError`."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise explain(folder, exc) from exc


def _temp_beside(target: Path) -> Path:
    """A fresh, not yet existing name beside ``target``.

    The file is created by the writer itself, so it gets the usual permissions (umask), not the owner-only
    mode of ``tempfile.mkstemp``; the random part keeps two runs from colliding.
    """
    ensure_folder(target.parent)
    return target.with_name(f".{target.stem}.{secrets.token_hex(6)}.tmp{target.suffix}")


def _check_replaceable(target: Path) -> None:
    """Fail early when an existing target cannot be replaced (open in Excel on Windows, read-only)."""
    if not target.exists():
        return
    if target.is_dir():
        raise OutputError(f"Không ghi được {target}: đã có một thư mục trùng tên.")
    try:
        with open(target, "r+b"):
            pass
    except OSError as exc:
        raise explain(target, exc) from exc


@contextlib.contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target``, on failure it is removed."""
    with Staging() as staging:
        yield staging.stage(target)


def write_bytes(target: Path, data: bytes) -> None:
    with replacing(target) as tmp:
        tmp.write_bytes(data)


class Staging:
    """Outputs of one command, renamed into place together when the block ends without error."""

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []

    def stage(self, target: Path) -> Path:
        """A temporary file to write ``target``'s content into."""
        tmp = _temp_beside(target)
        self._pending.append((tmp, target))
        return tmp

    def write(self, target: Path, writer: Callable[[Path], object]) -> None:
        """Stage ``target`` and call ``writer(temporary path)``; if the writer fails, nothing stays staged."""
        tmp = self.stage(target)
        try:
            writer(tmp)
        except BaseException:
            self._pending.pop()
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise

    def discard(self, tmp: Path) -> None:
        """Drop a staged file whose writing failed (its target is left as it was)."""
        self._pending = [(t, target) for t, target in self._pending if t != tmp]
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)

    @property
    def targets(self) -> list[Path]:
        return [target for _, target in self._pending]

    def commit(self) -> list[Path]:
        try:
            for _, target in self._pending:
                _check_replaceable(target)
        except OutputError:
            self.rollback()
            raise
        done: list[Path] = []
        for tmp, target in self._pending:
            try:
                os.replace(tmp, target)
            except OSError as exc:
                self.rollback()
                raise explain(target, exc) from exc
            done.append(target)
        self._pending.clear()
        return done

    def rollback(self) -> None:
        for tmp, _ in self._pending:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
        self._pending.clear()

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.rollback()
