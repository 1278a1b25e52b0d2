"""Sheet names Excel accepts, handed out once per workbook (every writer's, and the appraisal reader's guess)."""

from __future__ import annotations

import unicodedata

MAX_SHEET_NAME = 31
_FORBIDDEN = str.maketrans({ch: "-" for ch in "[]:*?/\\"})
# Excel reserves "History" for its change-tracking sheet.
_RESERVED = {"history"}


class SheetNames:
    """Hands out sheet names Excel accepts: at most 31 characters, none of ``[]:*?/\\``, unique.

    Uniqueness ignores case, as Excel does. A long name is cut at a word boundary and ends with "…";
    a repeated one gets " (2)", " (3)" ...
    """

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def add(self, wanted: str) -> str:
        base = _clean_sheet_name(wanted)
        name, n = _fit(base, ""), 1
        while name.casefold() in self._taken or name.casefold() in _RESERVED:
            n += 1
            name = _fit(base, f" ({n})")
        self._taken.add(name.casefold())
        return name


def _clean_sheet_name(wanted: str) -> str:
    s = unicodedata.normalize("NFC", wanted).translate(_FORBIDDEN)
    s = " ".join(s.split())
    # Excel refuses a name that starts or ends with an apostrophe.
    s = s.strip("'").strip()
    return s or "Trang"


def _fit(base: str, suffix: str) -> str:
    room = MAX_SHEET_NAME - len(suffix)
    if len(base) <= room:
        return base + suffix
    cut = base[: room - 1]
    space = cut.rfind(" ")
    # Cut at the last word boundary unless that loses more than half the name.
    if base[len(cut)] != " " and space > room // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.-") + "…" + suffix
