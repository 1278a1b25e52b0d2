"""Vietnamese text conventions: numbers, percents, lists, clean names and ASCII-safe file names.

One formatter serves every text output (plain text, Markdown, Word), so a figure reads the same everywhere.
Rounding happens here and only here: half up, as Vietnamese documents do.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

_SPACES = re.compile(r"[\s\u00a0\u2007\u202f\u200b\ufeff]+")


def clean(text: object) -> str:
    """NFC-normalise, collapse runs of spaces (non-breaking ones included) and trim."""
    if text is None:
        return ""
    s = text if text.__class__ is str else str(text)
    if not unicodedata.is_normalized("NFC", s):
        s = unicodedata.normalize("NFC", s)
    # The common case, settled in C: no white space but lone plain spaces, nothing invisible (every
    # other space, tab, line break, zero-width or byte-order mark is "not printable").
    if "  " not in s and s.isprintable():
        return s.strip()
    return _SPACES.sub(" ", s).strip()


def quantize(value: Decimal, decimals: int) -> Decimal:
    """Round half up to ``decimals`` places (the only rounding point of the product)."""
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def format_number(value: Decimal | int, decimals: int | None = None) -> str:
    """A number the Vietnamese way: decimal comma, thousands dot.

    With ``decimals`` the value is rounded half up and keeps exactly that many decimals ("417,30");
    without, trailing zeros are dropped ("85,5", "95", "1.000").
    """
    d = Decimal(value)
    if decimals is not None:
        d = quantize(d, decimals)
        text = f"{d:,.{decimals}f}"
    else:
        d = d.normalize()
        if d == d.to_integral_value():
            d = d.quantize(Decimal(1))
        text = f"{d:,f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_percent(value: Decimal, decimals: int = 0) -> str:
    """A percent, rounded half up: "92%", "70%", "84,5%" with one decimal."""
    return format_number(value, decimals) + "%"


def format_rank_change(change: int) -> str:
    """Rank movement in words: "tăng 3 bậc", "giảm 1 bậc", "giữ nguyên" (positive = moved up)."""
    if change > 0:
        return f"tăng {change} bậc"
    if change < 0:
        return f"giảm {-change} bậc"
    return "giữ nguyên"


def join(items: Iterable[str], last: str = "và") -> str:
    """Join a list the Vietnamese way: "A", "A và B", "A, B và C"."""
    parts = [str(i) for i in items]
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {last} {parts[-1]}"


def ascii_fold(text: str) -> str:
    """Strip Vietnamese diacritics ("Sở Kế hoạch" -> "So Ke hoach"; "đ" -> "d")."""
    s = clean(text).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", s)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def safe_filename(text: str, max_length: int = 100) -> str:
    """An ASCII-only file name stem that survives e-mail, zip tools and Windows.

    "SKHDT - Sở Kế hoạch và Đầu tư" -> "SKHDT - So Ke hoach va Dau tu".
    """
    s = ascii_fold(text)
    s = re.sub(r'[<>:"/\\|?*\x00-\x1f]', "-", s)
    s = re.sub(r"[^A-Za-z0-9 ._()&,'+-]", "", s)
    s = re.sub(r"\s+", " ", s).strip(" .")
    s = s[:max_length].rstrip(" .")
    reserved = {
        "CON",
        "PRN",
        "AUX",
        "NUL",
        *(f"COM{i}" for i in range(1, 10)),
        *(f"LPT{i}" for i in range(1, 10)),
    }
    if not s or s.split(".")[0].upper() in reserved:
        s = f"_{s}"
    return s


def slug(text: str) -> str:
    """A lowercase ASCII slug: "Sở Kế hoạch" -> "so-ke-hoach"."""
    s = ascii_fold(text).lower()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")
