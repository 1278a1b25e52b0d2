"""Scaffold a new campaign folder: a commented example ``egov.toml`` and an empty ``inbox/``."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from egov_xlsx.atomic import ensure_folder, write_bytes
from egov_xlsx.config import CONFIG_NAME
from egov_xlsx.errors import OutputError


def example_config() -> bytes:
    """The commented example config shipped with the package (UTF-8)."""
    return resources.files("egov_xlsx").joinpath("data", "egov.example.toml").read_bytes()


def init_campaign(folder: Path) -> Path:
    """Create ``folder`` with an example ``egov.toml`` and ``inbox/``; never overwrite an existing config."""
    target = folder / CONFIG_NAME
    if target.exists():
        raise OutputError(f"Đã có {target}; không ghi đè. Chọn thư mục khác hoặc sửa trực tiếp tệp này.")
    ensure_folder(folder / "inbox")
    write_bytes(target, example_config())
    return target
