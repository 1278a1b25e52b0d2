"""Score cells as exact decimals: a cell's value parsed by its shortest repr (what the user typed), and shown
bounded in messages. Shared by the form rules and the appraisal judging.
"""

from __future__ import annotations

import functools
import math
import re
from datetime import date, datetime, time, timedelta
from decimal import Context, Decimal, InvalidOperation

from egov_xlsx.config import MAX_DECIMALS
from egov_xlsx.model import (
    CellValue,
)
from egov_xlsx.read.spreadsheet import NAN_DATE, NOT_A_NUMBER
from egov_xlsx.vietnamese import format_number

_TEXT_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def parse_score(value: CellValue) -> tuple[Decimal | None, str | None]:
    """Turn a score cell into an exact decimal: (value, None) or (maybe a value, a finding code).

    Numbers become ``Decimal(repr(x))`` (what the user typed, not the binary float). A text cell holding
    one number with at most one separator ("4,72", "4.72") is read as a decimal with the code
    ``score-text-number``. A date is what Excel makes of "4.7" under a Vietnamese locale: ``score-date``.
    Not a number at all (infinity, NaN, NaN under a date format): ``score-not-number``. More than
    :data:`~egov_xlsx.config.MAX_DECIMALS` decimals (``1e-320``): the value with ``score-decimals``. Any
    magnitude is returned as it is: callers compare it with a bound and show it with :func:`show_number`.
    """
    if value is None or value == "":
        return None, "score-missing"
    if isinstance(value, bool):
        return None, "score-not-number"
    if isinstance(value, int):
        return Decimal(value), None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None, "score-not-number"
        number, too_precise = typed_decimal(repr(value))
        return number, ("score-decimals" if too_precise else None)
    if isinstance(value, datetime) and value == NAN_DATE:
        return None, "score-not-number"
    if isinstance(value, datetime | date):
        return None, "score-date"
    if isinstance(value, time | timedelta):
        return None, "score-not-number"
    text = str(value).strip()
    if _TEXT_NUMBER.match(text):
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
            return None, "score-not-number"
        return number, ("score-decimals" if _too_precise(number) else "score-text-number")
    return None, "score-not-number"


_QUANTUM = Decimal(1).scaleb(-MAX_DECIMALS)
#: The smallest positive score the float fast path takes (below it the decimals rule decides).
SMALLEST_FLOAT = float(_QUANTUM)


def _too_precise(number: Decimal) -> bool:
    """More decimals than a score may have (``MAX_DECIMALS``): 0,00001 or the denormal 1e-320.

    Judged on the number as Excel shows it (15 significant digits), so that a sum's binary noise
    (0.30000000000000004) is not taken for decimals the unit typed; the score itself stays exact.
    """
    exponent = number.as_tuple().exponent
    if not isinstance(exponent, int) or exponent >= -MAX_DECIMALS:
        return False
    shown = Decimal(f"{number:.15G}")
    return shown != shown.quantize(_QUANTUM)


@functools.lru_cache(maxsize=1 << 14)
def typed_decimal(text: str) -> tuple[Decimal, bool]:
    """A float's repr as a decimal and whether it has too many decimals.

    Scores repeat across forms (400,000 leaf scores of a few thousand values at 10,000 forms): one Decimal per
    distinct value is parsed once, and a batch of forms sent back from a worker pickles each value once.
    """
    number = Decimal(text)
    return number, _too_precise(number)


#: Beyond these a number is shown in scientific notation ("1E+30", "1E-320"): a message quotes what the
#: cell holds without printing hundreds of digits (and the plain formatter could not round it).
_SHOW_LARGE = Decimal(10) ** 12
_SHOW_SMALL = Decimal(10) ** -MAX_DECIMALS


def show_number(value: Decimal) -> str:
    """A number as quoted in a message, bounded: "85,5", "1.000", "1,5E+30", "1E-320", "#NUM!"."""
    if not value.is_finite():
        return NOT_A_NUMBER
    if value and (abs(value) >= _SHOW_LARGE or abs(value) < _SHOW_SMALL):
        return f"{Context(prec=6).plus(value).normalize():G}".replace(".", ",")
    if len(value.as_tuple().digits) > 17:  # "0,1000...0001" typed as text: as Excel would show it
        return f"{Context(prec=15).plus(value).normalize():G}".replace(".", ",")
    return format_number(value)


def show_value(value: CellValue) -> str:
    """A cell value as quoted in a message: dates as dd/mm/yyyy, numbers with a decimal comma (bounded)."""
    if isinstance(value, datetime) and value == NAN_DATE:
        return NOT_A_NUMBER
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return show_number(Decimal(repr(value))) if math.isfinite(value) else NOT_A_NUMBER
    if isinstance(value, int) and not isinstance(value, bool):
        return show_number(Decimal(value))
    if value is None:
        return ""
    text = str(value)
    return text if len(text) <= _SHOW_TEXT else f"{text[: _SHOW_TEXT - 1]}…"


#: Characters of a cell's text quoted in a message (a pasted page, 5,000 digits: the cell says the rest).
_SHOW_TEXT = 60
