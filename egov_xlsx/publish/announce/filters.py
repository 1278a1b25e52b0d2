"""The Vietnamese filters a template uses (``so``, ``tong``, ``phantram``, ``chiso``, ``ds``, ``ten``, ``bac``, ``thuong``), and
the guards every filter call passes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2.exceptions import SecurityError

from egov_xlsx.publish.announce.limits import (
    TemplateLimit,
    _Budget,
    _check_decimal,
    _check_int,
    _check_measure,
    _check_printf,
    _check_width,
    _measure,
)
from egov_xlsx.publish.announce_results_view import DisplayView
from egov_xlsx.publish.announce_views import ResultView, UnitView
from egov_xlsx.vietnamese import format_number, format_percent, format_rank_change, join

if TYPE_CHECKING:
    from egov_xlsx.publish.announce.sandbox import _Sandbox


def _number(value: object, name: str) -> Decimal | int:
    if isinstance(value, jinja2.Undefined):
        str(value)  # StrictUndefined raises the usual "is undefined" error
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        if isinstance(value, Decimal) and not value.is_finite():
            raise ValueError(f"bộ lọc '{name}' cần một số hữu hạn, nhận được {value}")
        _check_int(value) if isinstance(value, int) else _check_decimal(value)
        return value
    raise TypeError(f"bộ lọc '{name}' cần một số, nhận được {value!r}")


def _places(decimals: int | None, name: str) -> int | None:
    if decimals is not None and (not isinstance(decimals, int) or not 0 <= decimals <= 10):
        raise ValueError(f"bộ lọc '{name}': số chữ số thập phân phải từ 0 đến 10, nhận được {decimals!r}")
    return decimals


def _display(ctx: jinja2.runtime.Context) -> DisplayView:
    display = ctx.get("display")
    return display if isinstance(display, DisplayView) else DisplayView(2, 0)


def _so(value: object, decimals: int | None = None) -> str:
    return format_number(_number(value, "so"), _places(decimals, "so"))


@jinja2.pass_context
def _tong(ctx: jinja2.runtime.Context, value: object, decimals: int | None = None) -> str:
    places = _display(ctx).total_decimals if decimals is None else _places(decimals, "tong")
    return format_number(_number(value, "tong"), places)


@jinja2.pass_context
def _phantram(ctx: jinja2.runtime.Context, value: object, decimals: int | None = None) -> str:
    places = _display(ctx).percent_decimals if decimals is None else _places(decimals, "phantram")
    number = _number(value, "phantram")  # a Figure (a Decimal that knows its band) is kept as it is
    return format_percent(number if isinstance(number, Decimal) else Decimal(number), places or 0)


@jinja2.pass_context
def _chiso(ctx: jinja2.runtime.Context, value: object, decimals: int | None = None) -> str:
    places = _display(ctx).index_decimals if decimals is None else _places(decimals, "chiso")
    return format_number(_number(value, "chiso"), places)  # a unit's index keeps to its band, as a total does


def _ds(items: Iterable[object], last: str = "và") -> str:
    if isinstance(items, str):
        raise TypeError(f"bộ lọc 'ds' cần một danh sách, nhận được chuỗi {items!r}")
    return join((str(i) for i in items), last)


def _ten(items: Iterable[object]) -> list[str]:
    names: list[str] = []
    for item in items:
        if isinstance(item, ResultView):
            item = item.unit
        if isinstance(item, UnitView):
            names.append(item.name)
        elif isinstance(item, str):
            names.append(item)
        else:
            raise TypeError(f"bộ lọc 'ten' cần danh sách đơn vị, nhận được {item!r}")
    return names


def _bac(change: object) -> str:
    if not isinstance(change, int) or isinstance(change, bool):
        raise TypeError(f"bộ lọc 'bac' cần một số nguyên (số bậc thay đổi), nhận được {change!r}")
    return format_rank_change(change)


_KEEP_CAPITAL = ("Ủy ban", "Uỷ ban")


def _thuong(text: object) -> str:
    s = str(text)
    first = s.split(" ", 1)[0]
    if not s or s.startswith(_KEEP_CAPITAL) or (len(first) > 1 and first.isupper()):
        return s
    return s[0].lower() + s[1:]


@jinja2.pass_context
def _finalize(ctx: jinja2.runtime.Context, value: object) -> object:
    """Every printed value and every piece of template text passes here: checked, charged, decimals formatted."""
    budget = _budget(ctx.environment)
    if value is None:
        raise ValueError("giá trị rỗng (None) không in được; dùng 'x or \"\"' hoặc kiểm tra bằng {% if %}")
    if isinstance(value, Decimal):
        _number(value, "so")
        value = format_number(value)
    size = _measure(value, budget.limits.chars)
    budget.size(size, "đoạn văn bản")
    budget.charge(size)
    budget.tick()
    return value


# Filters a template may not use: they print or build markup, or cost what the sandbox cannot bound.
_REMOVED_FILTERS = ("pprint", "tojson", "urlize", "xmlattr")


def _pre_filter(budget: _Budget, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Refuse, before it runs, a filter call whose result would be too large; may materialise ``args[0]``."""
    value = args[0] if args else None
    params = list(args[1:])

    def param(index: int, key: str, default: object = None) -> object:
        return params[index] if len(params) > index else kwargs.get(key, default)

    if value is not None and not isinstance(value, str) and name in ("join", "ds", "ten"):
        value = list(value) if not isinstance(value, list | tuple) else value
        args = (value, *params)
    if value is not None and not isinstance(value, str):
        _check_measure(budget, value)
    text_len = _measure(value, budget.limits.chars)
    if name == "center":
        _check_width(param(0, "width", 80))
    elif name == "indent":
        width = param(0, "width", 4)
        pad = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
        _check_width(pad)
        lines = value.count("\n") + 1 if isinstance(value, str) else 1
        budget.size(text_len + lines * pad)
    elif name == "format":
        if isinstance(value, str):
            _check_printf(value)
        _check_measure(budget, value, params, kwargs)
    elif name == "replace":
        old, new = param(0, "old", ""), param(1, "new", "")
        if isinstance(value, str) and isinstance(old, str) and isinstance(new, str):
            hits = value.count(old) if old else len(value) + 1
            budget.size(text_len + hits * max(len(new) - len(old), 0))
    elif name == "join":
        sep = param(0, "d", "")
        budget.size(text_len + len(str(sep)) * _count(value))
    elif name == "wordwrap":
        wrap = param(2, "wrapstring", None)
        budget.size(text_len + (text_len + 1) * (len(wrap) if isinstance(wrap, str) else 2))
    elif name in ("batch", "slice"):
        _check_width(param(0, "linecount" if name == "batch" else "slices", 1))
    elif name == "sum":
        start = param(1, "start", 0)
        if not isinstance(start, int | float | Decimal):
            raise TemplateLimit("bộ lọc 'sum' chỉ cộng các số")
    return args


def _count(value: object) -> int:
    return len(value) if isinstance(value, list | tuple | str) else 0


def _guard_filter(env: _Sandbox, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` checked by the environment's budget: before (amplifying arguments), and its result after."""
    passes = getattr(func, "jinja_pass_arg", None) is not None

    @functools.wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        budget = env.budget
        budget.tick()
        head, rest = (args[:1], args[1:]) if passes else ((), args)
        rest = _pre_filter(budget, name, rest, kwargs)
        result = func(*head, *rest, **kwargs)
        budget.value(result)
        return result

    return guarded


@jinja2.pass_environment
def _loop(env: jinja2.Environment, iterable: Iterable[Any]) -> Iterator[Any]:
    """Every ``{% for %}`` loops through this (the compiler puts it there): each step checks the clock."""
    budget = _budget(env)
    budget.tick()
    for item in iterable:
        budget.tick()
        budget.charge(1)
        yield item


#: The compiler's name for :func:`_loop`; a space makes it impossible to write in a template.
_LOOP_FILTER = "egov loop"


def _budget(env: jinja2.Environment) -> _Budget:
    # Only the sandbox carries a budget: a filter called from any other environment refuses to run.
    budget = getattr(env, "budget", None)
    if not isinstance(budget, _Budget):
        raise SecurityError("mẫu văn bản chỉ chạy trong môi trường an toàn")
    return budget
