"""Scaffold a new campaign folder: a commented example ``egov.toml`` and an empty ``inbox/``.

The example shows every part of a real campaign (two tiers, nested and capped criteria, a criterion some
units may mark not applicable, a bonus and a penalty line, an unranked unit, tie-breakers); it passes the
config check as written, and a draft builds from it with an empty inbox. The campaign id is taken from the
folder's name ("Hưng Yên 2025" gives ``hung-yen-2025``), the year from the id's last four digits.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from importlib import resources
from pathlib import Path

from egov_xlsx.atomic import ensure_folder, write_bytes
from egov_xlsx.config.source import CONFIG_NAME
from egov_xlsx.config.values import IDENTIFIER
from egov_xlsx.errors import OutputError

#: What the example says for the id and the year; :func:`init_campaign` puts the new campaign's in their place.
EXAMPLE_ID = "tinh-x-2025"
EXAMPLE_YEAR = 2025
#: A campaign id: the identifiers the config check accepts.
CAMPAIGN_ID = IDENTIFIER


def example_config() -> bytes:
    """The commented example config shipped with the package (UTF-8)."""
    return resources.files("egov_xlsx").joinpath("data", "egov.example.toml").read_bytes()


def campaign_id_from(name: str) -> str | None:
    """A campaign id made from a folder name: diacritics dropped, lower case, other characters as "-".

    ``None`` when nothing usable is left (a name of punctuation only, or of another script).
    """
    text = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^a-z0-9._-]+", "-", text).strip("-._")
    return text if text and CAMPAIGN_ID.match(text) else None


def year_of(campaign_id: str) -> int:
    """The year the id ends with ("tinh-x-2025" → 2025), else the current year."""
    match = re.search(r"(?:^|\D)((?:19|20)\d\d)$", campaign_id)
    return int(match.group(1)) if match else date.today().year


def init_campaign(folder: Path, campaign_id: str | None = None) -> Path:
    """Create ``folder`` with an example ``egov.toml`` and ``inbox/``; never overwrite an existing config.

    ``campaign_id`` defaults to :func:`campaign_id_from` the folder's name; ``ValueError`` when it is given
    invalid or cannot be derived (the command line then asks for it).
    """
    target = folder / CONFIG_NAME
    if target.exists():
        raise OutputError(f"Đã có {target}; không ghi đè. Chọn thư mục khác hoặc sửa trực tiếp tệp này.")
    cid = campaign_id if campaign_id is not None else campaign_id_from(folder.resolve().name)
    if cid is None or not CAMPAIGN_ID.match(cid):
        raise ValueError(cid)
    year = year_of(cid)
    text = example_config().decode("utf-8")
    text = text.replace(f'"{EXAMPLE_ID}"', "\0").replace(str(EXAMPLE_YEAR), str(year)).replace("\0", f'"{cid}"')
    ensure_folder(folder / "inbox")
    write_bytes(target, text.encode("utf-8"))
    return target
