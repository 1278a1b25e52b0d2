"""How a campaign's results are published: how numbers are shown, and what the Word decision needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Display:
    """How numbers are shown in every text and workbook."""

    total_decimals: int = 2
    percent_decimals: int = 0
    #: "points" (totals and percents) or "index" (total / own maximum, 0-1, as DTI results are published).
    scale: str = "points"
    #: Decimals of a printed index ("0,6975"), rounded half up and kept inside the unit's band.
    index_decimals: int = 4

    @property
    def index(self) -> bool:
        """Whether results are published as an index (total / own maximum) rather than points."""
        return self.scale == "index"


@dataclass(frozen=True)
class DocumentInfo:
    """What the Word decision needs beyond the results (all optional; blanks are printed when empty)."""

    parent_body: str = ""
    issuing_body: str = ""
    number: str = ""
    symbol: str = "QĐ-UBND"
    place: str = ""
    date: date | None = None
    legal_grounds: tuple[str, ...] = ()
    proposal: str = ""
    signer_authority: str = ""
    signer_deputy: str = ""
    signer_title: str = ""
    signer_name: str = ""
    recipients: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
