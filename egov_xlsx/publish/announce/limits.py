"""What one rendering may cost (time, characters, numbers' sizes), checked as a template runs."""

from __future__ import annotations

import re
import string
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

import jinja2
from jinja2.utils import Namespace

from egov_xlsx.model import Results
from egov_xlsx.vietnamese import format_number


@dataclass(frozen=True)
class RenderLimits:
    """What one rendering may cost: wall-clock time and characters.

    ``chars`` caps the announcement itself and any one value a template makes (a string, a list); ``work``
    caps every character and item a template makes over the whole rendering (macro output, ``set`` blocks,
    concatenations, lists it fills). The defaults of :meth:`for_results` grow with the number of units and
    stay far above what the shipped templates need: at 10,000 units the Markdown announcement is 1.3 million
    characters, its whole work as much, and it renders in about a second, against 7 million, 28 million and
    30 s. At most ``work`` characters are ever held, so memory stays near 100 MB whatever the template does.
    """

    seconds: float = 20.0
    chars: int = 2_000_000
    work: int = 8_000_000

    @classmethod
    def for_results(cls, results: Results) -> RenderLimits:
        units = sum(len(t.units) + len(t.excluded) for t in results.tiers)
        chars = 2_000_000 + 500 * units
        return cls(seconds=20.0 + units // 1000, chars=chars, work=4 * chars)


#: ``range()`` in a template: at most this many numbers (Jinja's own sandbox allows 100,000).
MAX_RANGE = 10_000
#: Widths and precisions in ``%`` and ``format`` specifications, and the filters that pad (``center``).
MAX_WIDTH = 1_000
#: Integers a template computes (``*``, ``**``): at most this many bits.
MAX_INT_BITS = 256
#: Decimals a template computes or prints: at most this power of ten.
MAX_DECIMAL_EXPONENT = 30
#: A template file: at most this many bytes.
MAX_TEMPLATE_BYTES = 1_000_000


class TemplateLimit(jinja2.TemplateRuntimeError):
    """A template went over a limit of its rendering (time, size, a number or a width too large)."""


class _Budget:
    """One rendering's allowance, checked by every hook of :class:`_Sandbox` (and by each loop iteration)."""

    def __init__(self, limits: RenderLimits) -> None:
        self.limits = limits
        self._deadline = time.monotonic() + limits.seconds
        self._work = limits.work

    def tick(self) -> None:
        if time.monotonic() > self._deadline:
            raise TemplateLimit(
                f"mẫu văn bản chạy quá {format_number(Decimal(str(self.limits.seconds)))} giây "
                "(vòng lặp quá dài hoặc lồng nhau quá nhiều)"
            )

    def charge(self, amount: int) -> None:
        self._work -= amount
        if self._work < 0:
            raise TemplateLimit(f"mẫu văn bản tạo ra quá nhiều nội dung (hơn {format_number(self.limits.work)} ký tự)")

    def size(self, amount: int, what: str = "giá trị") -> None:
        if amount > self.limits.chars:
            raise TemplateLimit(
                f"{what} tạo ra quá lớn ({format_number(amount)} ký tự hoặc phần tử, "
                f"tối đa {format_number(self.limits.chars)})"
            )

    def value(self, value: object) -> None:
        """Check and charge what a template operation returned."""
        self.tick()
        if isinstance(value, str | bytes | list | tuple | dict | set | frozenset | MappingProxyType):
            self.size(len(value))
            self.charge(len(value) + 1)
        elif isinstance(value, int) and not isinstance(value, bool):
            _check_int(value)
        elif isinstance(value, Decimal):
            _check_decimal(value)


def _check_int(value: int) -> None:
    if value.bit_length() > MAX_INT_BITS:
        raise TemplateLimit(f"số quá lớn (hơn {MAX_INT_BITS} bit)")


def _check_decimal(value: Decimal) -> None:
    if value.is_finite() and value and value.adjusted() > MAX_DECIMAL_EXPONENT:
        raise TemplateLimit(f"số quá lớn (từ 10^{MAX_DECIMAL_EXPONENT + 1} trở lên)")


def _measure(value: object, limit: int) -> int:
    """How long ``str(value)`` would be, roughly, without making it; stops counting a little past ``limit``."""
    if isinstance(value, str | bytes):
        return len(value)
    if value is None or isinstance(value, int | float | Decimal):
        return 40
    items: Iterable[object]
    if isinstance(value, Mapping):
        items = (x for kv in value.items() for x in kv)
    elif isinstance(value, list | tuple | set | frozenset):
        items = value
    elif isinstance(value, Namespace):
        items = [object.__getattribute__(value, "_Namespace__attrs")]
    else:
        return 80  # views, macros, loop helpers: a short repr
    total = 2
    for item in items:
        total += _measure(item, limit - total) + 2
        if total > limit:
            break
    return total


def _check_measure(budget: _Budget, *values: object) -> None:
    limit = budget.limits.chars
    total = 0
    for v in values:
        total += _measure(v, limit - total)
        if total > limit:
            budget.size(total)


_PRINTF = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(\*|\d+)?(?:\.(\*|\d+))?")
_SPEC_NUMBERS = re.compile(r"\d+")


def _check_printf(fmt: str) -> None:
    """``'%1000000000d' % 1`` and ``'%*d'``: refuse widths and precisions past :data:`MAX_WIDTH`."""
    for width, precision in _PRINTF.findall(fmt):
        for n in (width, precision):
            if n == "*":
                raise TemplateLimit("định dạng '%' với độ rộng '*' không được dùng trong mẫu văn bản")
            if n and int(n) > MAX_WIDTH:
                raise TemplateLimit(f"độ rộng định dạng quá lớn ({n}, tối đa {MAX_WIDTH})")


def _check_format(fmt: str) -> None:
    """``'{:>1000000000}'.format(1)``: the same for ``str.format`` specifications."""
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError:
        return  # str.format itself reports the bad format
    for _, _, spec, _ in fields:
        if not spec:
            continue
        if "{" in spec:
            raise TemplateLimit("định dạng lồng nhau ('{:{...}}') không được dùng trong mẫu văn bản")
        for n in _SPEC_NUMBERS.findall(spec):
            if int(n) > MAX_WIDTH:
                raise TemplateLimit(f"độ rộng định dạng quá lớn ({n}, tối đa {MAX_WIDTH})")


def _check_width(width: object) -> None:
    if isinstance(width, int) and width > MAX_WIDTH:
        raise TemplateLimit(f"độ rộng quá lớn ({width}, tối đa {MAX_WIDTH})")


def _check_binop(budget: _Budget, operator: str, left: object, right: object) -> None:
    """Refuse, before computing it, a result that would be too large: ``'x' * 10**10``, ``9**9**9``."""
    if operator == "*":
        for seq, n in ((left, right), (right, left)):
            if isinstance(seq, str | bytes | list | tuple) and isinstance(n, int):
                budget.size(len(seq) * max(n, 0))
                budget.charge(len(seq) * max(n, 0))
        if (
            isinstance(left, int)
            and isinstance(right, int)
            and left.bit_length() + right.bit_length() > MAX_INT_BITS + 1
        ):
            raise TemplateLimit(f"số quá lớn (hơn {MAX_INT_BITS} bit)")
    elif operator == "**":
        if (
            isinstance(left, int)
            and isinstance(right, int)
            and abs(left) > 1
            and (abs(left).bit_length() - 1) * right > MAX_INT_BITS
        ):
            raise TemplateLimit(f"số quá lớn (lũy thừa hơn {MAX_INT_BITS} bit)")
        if isinstance(left, Decimal | int) and isinstance(right, Decimal | int) and abs(Decimal(right)) > 1000:
            raise TemplateLimit("số mũ quá lớn (tối đa 1000)")
    elif operator == "+":
        if isinstance(left, str | bytes | list | tuple) and isinstance(right, str | bytes | list | tuple):
            budget.size(len(left) + len(right))
    elif operator == "%" and isinstance(left, str):
        _check_printf(left)
        _check_measure(budget, left, right)
