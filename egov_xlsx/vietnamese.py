"""Vietnamese text conventions: numbers, percents, lists, clean names and ASCII-safe file names.

One formatter serves every text output (plain text, Markdown, Word), so a figure reads the same everywhere.
Rounding happens here and only here (:func:`shown_figure`): totals and scores half up, percents truncated, as
published rankings do; and a unit's figure never prints on the wrong side of a band threshold (one more
decimal where the usual figure would).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal
from fractions import Fraction

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
    """Round half up to ``decimals`` places: a figure that belongs to no band (a file size).

    A figure printed with decimals goes through :func:`shown_figure`, which rounds the same way but keeps a
    unit's total or percent inside its band.
    """
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Interval:
    """The values a printed figure may show: from ``low`` to ``high`` (``None``: unbounded on that side).

    A unit's band gives it: a band reached "từ 85%" has an inclusive lower bound, and the band above it starts
    where this one ends (exclusive upper bound); a band reached "trên 85%" would have an exclusive lower bound
    (and the band below it an inclusive upper one). Bounds are on the scale of the figure printed: percents
    for a percent, points for a total (:meth:`scaled`), 0-1 for an index.
    """

    low: Decimal | None = None
    high: Decimal | None = None
    low_inclusive: bool = True
    high_inclusive: bool = False

    def __contains__(self, value: object) -> bool:
        # Decimals, integers and fractions compare exactly with one another: no conversion needed.
        if not isinstance(value, Decimal | Fraction | int):
            return False
        if self.low is not None and (value < self.low or (value == self.low and not self.low_inclusive)):
            return False
        return self.high is None or not (value > self.high or (value == self.high and not self.high_inclusive))

    def scaled(self, factor: Decimal) -> Interval:
        """The same interval with both bounds multiplied by ``factor`` (percent bounds to points: maximum / 100)."""
        low = None if self.low is None else self.low * factor
        high = None if self.high is None else self.high * factor
        return Interval(low, high, self.low_inclusive, self.high_inclusive)


#: Decimals :func:`shown_figure` may add to keep a figure inside its interval before it rounds towards it.
MAX_EXTRA_DECIMALS = 6


def shown_figure(
    value: Decimal | Fraction | int, decimals: int, within: Interval | None = None, *, truncate: bool = False
) -> Decimal:
    """The figure printed for the exact ``value`` with ``decimals`` decimals, kept inside ``within``.

    The usual figure is ``value`` truncated (``truncate``: percents, as published rankings print them) or
    rounded half up (away from zero: totals, and what Excel shows). When that figure falls outside ``within``
    (a unit at 84,975 % would print "85%" beside a band that ends before 85 %; 424,995 points "425,00" where
    the next band starts at 425), one more decimal is printed, then another, up to
    :data:`MAX_EXTRA_DECIMALS`; past those the figure is rounded towards the interval, which always ends it.
    The result has exactly as many decimals as are printed ("84,97" -> ``Decimal("84.97")``), never "-0".
    A :class:`Figure` brings its own interval when ``within`` is not given; an interval that does not hold
    ``value`` itself (inconsistent input) is ignored.
    """
    if within is None and isinstance(value, Figure):
        within = value.within
    exact: Decimal | Fraction = value if isinstance(value, Decimal | Fraction) else Decimal(value)
    if within is not None and exact not in within:
        within = None
    mode = "down" if truncate else "half_up"
    places = max(decimals, 0)
    shown = _round(exact, places, mode)
    if within is None:
        return shown
    for extra in range(1, MAX_EXTRA_DECIMALS + 1):
        if shown in within:
            return shown
        shown = _round(exact, places + extra, mode)
    places += MAX_EXTRA_DECIMALS
    while shown not in within and places < 60:
        below = within.low is not None and shown <= within.low
        shown = _round(exact, places, "ceiling" if below else "floor")
        places += 1
    return shown


#: Decimal rounding for each mode of :func:`_round`; the context is wide enough to hold any figure exactly.
_ROUNDING = {"down": ROUND_DOWN, "half_up": ROUND_HALF_UP, "floor": ROUND_FLOOR, "ceiling": ROUND_CEILING}
_EXACT = Context(prec=200)


def _round(value: Decimal | Fraction, decimals: int, mode: str) -> Decimal:
    """``value`` to ``decimals`` places, exactly: "down" (truncate), "half_up" (away from zero), "floor", "ceiling"."""
    if isinstance(value, Decimal):
        shown = value.quantize(Decimal(1).scaleb(-decimals), rounding=_ROUNDING[mode], context=_EXACT)
        return shown.copy_abs() if shown.is_zero() else shown
    scaled = value * 10**decimals
    if mode == "down":
        whole = math.trunc(scaled)
    elif mode == "floor":
        whole = math.floor(scaled)
    elif mode == "ceiling":
        whole = math.ceil(scaled)
    else:
        whole = math.floor(abs(scaled) + Fraction(1, 2)) * (-1 if scaled < 0 else 1)
    digits = tuple(int(c) for c in str(abs(whole)))
    return Decimal((1 if whole < 0 else 0, digits, -decimals))


class Figure(Decimal):
    """An exact figure that knows the interval its printed form must stay in: a unit's total or percent.

    It is a :class:`~decimal.Decimal` (arithmetic on it gives plain decimals); :func:`format_number` and
    :func:`format_percent` keep it inside ``within`` whatever decimals they are asked for, so a template
    printing ``r.total|tong`` or ``r.percent|phantram`` cannot put a unit on the wrong side of a band.
    """

    __slots__ = ("within",)
    within: Interval

    def __new__(cls, value: Decimal, within: Interval) -> Figure:
        figure = super().__new__(cls, value)
        figure.within = within
        return figure

    # Decimal pickles as (class, (text,)); a Figure needs its interval too.
    def __reduce__(self) -> tuple[type[Figure], tuple[Decimal, Interval]]:  # type: ignore[override]
        return (Figure, (Decimal(self), self.within))


def format_number(
    value: Decimal | int, decimals: int | None = None, *, within: Interval | None = None, truncate: bool = False
) -> str:
    """A number the Vietnamese way: decimal comma, thousands dot.

    With ``decimals`` the value is rounded half up (``truncate``: truncated) and keeps exactly that many
    decimals ("417,30"), or more where ``within`` (or the value's own interval, when it is a :class:`Figure`)
    needs them (:func:`shown_figure`); without, the exact value prints with trailing zeros dropped ("85,5",
    "95", "1.000").
    """
    if decimals is not None:
        d = shown_figure(value, decimals, within, truncate=truncate)
        text = f"{d:,f}"  # as many decimals as shown_figure kept
    else:
        d = Decimal(value).normalize()
        if d == d.to_integral_value():
            d = d.quantize(Decimal(1))
        if d.is_zero():
            d = d.copy_abs()
        text = f"{d:,f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_percent(value: Decimal, decimals: int = 0, *, within: Interval | None = None) -> str:
    """A percent, truncated as published rankings print them: "92%", "84%" for 84,975, "84,9%" with one decimal.

    A unit's percent keeps to its band (``within``, or the value's own when it is a :class:`Figure`): with 0
    decimals, 84,975 % in a band that ends at 85 % is "84%", but 84,9 % in a band that starts at 84,5 % is
    "84,9%" ("84%" would be below the band).
    """
    return format_number(value, decimals, within=within, truncate=True) + "%"


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
