"""The few exceptions that mean "cannot continue".

Problems in submitted files are never exceptions: they are :class:`~egov_xlsx.model.Finding` records.
These are for the campaign itself (its config cannot be used) and for outputs that cannot be written.
Each carries a Vietnamese message ready for the clerk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


class EgovError(Exception):
    """Base class of every error egov-xlsx raises on purpose."""


@dataclass(frozen=True)
class ConfigProblem:
    """One problem in a campaign config: where (key path) and why (Vietnamese)."""

    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}" if self.key else self.message


class ConfigError(EgovError, ValueError):
    """The campaign config cannot be used; ``problems`` lists every problem found, not just the first."""

    def __init__(self, path: Path, problems: Sequence[ConfigProblem]) -> None:
        self.path = path
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"Cấu hình {path} có {len(self.problems)} lỗi:\n{lines}")


class CampaignNotFound(EgovError, FileNotFoundError):
    """The campaign folder or its egov.toml does not exist."""


class OutputError(EgovError, OSError):
    """An output file or folder cannot be written (open in Excel, read-only, disk full)."""
