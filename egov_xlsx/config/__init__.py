"""Read and check a campaign's ``egov.toml`` into a :class:`~egov_xlsx.model.Campaign`.

Every problem is collected, each with its key path (``tiers[1].criteria[0].children[2].max``), and raised
at once as a :class:`~egov_xlsx.errors.ConfigError`. Unknown keys are problems too: a misspelt key would
otherwise be silently ignored.

A problem is shown the way a clerk with Notepad finds it: the line of ``egov.toml`` (found from the key
path by :mod:`egov_xlsx.config.tomlpos`, so every ``problem(key, ...)`` call gets one) and the tier, unit or
criterion it is in, "dòng 57 (khối so-nganh, đơn vị thứ 2 – STP, khóa code): ...", sorted by line, one
message per mistake. TOML syntax errors and unreadable encodings are told in Vietnamese with their line.

The package: :mod:`.source` (bytes to a TOML document), :mod:`.tomlpos` and :mod:`.locate` (where a key path
is), :mod:`.values` (typed values and limits), :mod:`.campaign` and :mod:`.criteria` (the checks), and
:mod:`.scaffold` (``egov-xlsx init``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from egov_xlsx.config.campaign import DEFAULT_BANDS, parse_campaign
from egov_xlsx.config.locate import LocatedProblem
from egov_xlsx.config.source import CONFIG_NAME, config_path, decode, parse_toml
from egov_xlsx.config.values import MAX_DECIMALS, MAX_DEPTH, MAX_POINTS
from egov_xlsx.errors import CampaignNotFound, ConfigError, ConfigProblem
from egov_xlsx.model import Campaign

__all__ = [
    "CONFIG_NAME",
    "DEFAULT_BANDS",
    "MAX_DECIMALS",
    "MAX_DEPTH",
    "MAX_POINTS",
    "LocatedProblem",
    "config_path",
    "load_campaign",
    "parse_campaign",
]


def load_campaign(campaign: Path | str) -> Campaign:
    """Read ``egov.toml`` of a campaign folder (or the file itself) and check it.

    Raises :class:`CampaignNotFound` when it does not exist and :class:`ConfigError` listing every problem.
    A file saved by Notepad (UTF-8 with a byte-order mark, or UTF-16) loads.
    """
    path = config_path(Path(campaign))
    if not path.is_file():
        raise CampaignNotFound(f"Không tìm thấy tệp cấu hình {path}. Chạy 'egov-xlsx init {path.parent}' để tạo.")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(path, [ConfigProblem("", f"không đọc được tệp: {exc.strerror or exc}")]) from exc
    text = decode(path, raw)
    data = parse_toml(path, text)
    return parse_campaign(data, path=path, sha256=hashlib.sha256(raw).hexdigest(), text=text)
