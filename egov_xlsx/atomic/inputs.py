"""The inputs an output must never replace, known by identity (links included), and folder containment."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from egov_xlsx.errors import OutputError


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


@dataclass(frozen=True)
class Inputs:
    """Files a command read as inputs: a target that is one of them (a hard link, a symlink) is never replaced."""

    files: dict[tuple[int, int], Path] = field(default_factory=dict)

    @classmethod
    def of(cls, paths: Iterable[Path]) -> Inputs:
        files: dict[tuple[int, int], Path] = {}
        for path in paths:
            key = _identity(path)
            if key is not None and key != (0, 0):
                files.setdefault(key, path)
        return cls(files)

    def guard(self, target: Path) -> None:
        """Raise :class:`OutputError` when ``target`` is (by identity, not by name) one of the inputs."""
        if not self.files:
            return
        key = _identity(target)
        source = self.files.get(key) if key is not None else None
        if source is not None:
            raise OutputError(
                f"Không ghi được {target}: đó chính là tệp đầu vào {source} (biểu đơn vị gửi hoặc tệp của đợt "
                "đánh giá); không bao giờ ghi đè tệp đầu vào. Chọn thư mục kết quả khác (-o)."
            )


def is_within(path: Path, folder: Path) -> bool:
    """True when ``path`` is ``folder`` or inside it, after resolving symlinks.

    Each existing ancestor is compared by identity too, so a case-insensitive disk (Windows, macOS) or a
    second mount of the same folder is caught.
    """
    try:
        real, base = path.resolve(), folder.resolve()
    except (OSError, RuntimeError):
        return False
    if os.path.normcase(str(real)) == os.path.normcase(str(base)):
        return True
    if real.is_relative_to(base) or os.path.normcase(str(real)).startswith(os.path.normcase(str(base)) + os.sep):
        return True
    base_id = _identity(base)
    if base_id is None:
        return False
    return any(_identity(candidate) == base_id for candidate in (real, *real.parents))
