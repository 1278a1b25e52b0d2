"""The announcement (thông báo kết quả): Jinja templates rendered to plain text and Markdown.

The wording lives in the templates (``templates/thong-bao.txt.j2``, ``thong-bao.md.j2`` and the paragraphs they
share, ``thong-bao-macros.j2``); this module only picks the facts. A campaign rephrases any of them by putting a
file of the same name in its own ``templates/`` folder.

Layout of the output, whatever the template's line breaks: a paragraph may be written over several template
lines and ends at a blank line; its lines are joined with single spaces, runs of spaces collapse and no space is
left before ``, . ; : ! ? )`` or after ``(``. Plain text has one paragraph per line and no blank lines (it pastes
into Word paragraph by paragraph); Markdown separates blocks with one blank line, keeps a block whose lines all
start with ``|`` as a table and a line starting with ``#`` as a heading. The text is NFC, without trailing spaces.

Filters (every figure goes through :mod:`egov_xlsx.vietnamese`, so it reads the same in every output):

``so``
    a number, trailing zeros dropped: ``85,5``, ``95``, ``1.000``; ``x|so(2)`` keeps two decimals.
``tong``
    a total rounded half up to ``display.total_decimals`` decimals: ``417,30``.
``phantram``
    a percent (0-100) truncated to ``display.percent_decimals`` decimals: ``92%`` for 92,7.

A unit's ``total`` and ``percent`` (``r.total``, ``r.percent``) carry its band, and whichever filter prints
them keeps them inside it: one more decimal where the usual figure would sit on a threshold the unit did not
reach (``424,995`` rather than ``425,00``; see :func:`egov_xlsx.vietnamese.shown_figure`).
``ds``
    a list joined the Vietnamese way: ``A, B và C``; ``ds("hoặc")`` changes the last word.
``ten``
    units (or unit results) to their names: ``units|ten|ds``.
``bac``
    a rank change in words (positive = moved up): ``tăng 3 bậc``, ``giảm 1 bậc``, ``giữ nguyên``.
``thuong``
    lowercase the first letter (``Sở, ban, ngành`` -> ``sở, ban, ngành``) except for an acronym or a name
    starting with ``Ủy ban``, written with a capital in administrative texts.

A bare ``{{ decimal }}`` prints like ``so``; printing ``None`` is an error. In Markdown every string that comes
from the config or the forms (names, titles, reasons, notes) is escaped where the template context is made
(:func:`egov_xlsx.publish.announce_views.escape_markdown`): a unit's name prints as text, never as a link, HTML, emphasis
or a table cell break; the plain text keeps it as it is. The ``do`` statement is enabled
(``{% do items.append(...) %}``), and ``markdown`` tells a shared template which output it is writing.

Templates are untrusted (a campaign may copy one from another province): they see plain data only
(:mod:`egov_xlsx.publish.announce_views`), run in Jinja's sandbox bounded in time and size (:class:`RenderLimits`),
and a template file that is a symbolic link is refused. Any problem is a :class:`TemplateProblem`, a
configuration error (exit 3) naming the template file and line.

Template variables:

``campaign``, ``results``, ``display``, ``title``, ``year``, ``draft``, ``previous_year``
    the campaign (``CampaignView``: ``id``, ``title``, ``province``, ``year``, ``authority``,
    ``criteria_decision``, ``display``, ``tiers``), the results (``ResultsView``: ``tiers``, ``submissions``
    with each file's ``name``, ``size`` and ``sha256``, ``draft``, ``previous_year``, ``tool_version``),
    ``campaign.display``, ``campaign.title``, ``campaign.year``, ``results.draft`` and the year compared with
    (or ``None``).
``tiers``
    one ``TierView`` per tier (:mod:`egov_xlsx.publish.announce_views`): ``name``, ``max``, ``criteria`` (top-level ``CriterionView`` s),
    ``criterion(code)``, ``ranked``, ``unranked``, ``excluded`` (``(unit, reason)`` pairs), ``bands``
    (``BandView``), ``leaders``, ``runners_up``, ``lowest`` (``RankGroup``), ``gap``, ``average``,
    ``average_percent``, ``same_max``, ``not_applicable`` (``NotApplicable``), ``tie_notes``, and year over
    year ``moved_up``, ``moved_down``, ``unchanged``, ``previously_unranked`` (``Move``), ``new_units``.
    A unit result (``ResultView``) has ``unit`` (``code``, ``name``, ``unranked_reason`` ...), ``total``,
    ``max``, ``percent``, ``rank``, ``band``, ``shares_rank``, ``tie_note``, ``previous`` and read-only
    ``scores`` by criterion code.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import stat
import string
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from types import MappingProxyType, TracebackType
from typing import Any, Literal

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import Namespace

from egov_xlsx._version import __version__
from egov_xlsx.errors import ConfigError, ConfigProblem
from egov_xlsx.model import Campaign, Results
from egov_xlsx.publish.announce_views import DisplayView, ResultView, UnitView, template_context
from egov_xlsx.vietnamese import clean, format_number, format_percent, format_rank_change, join

TEMPLATE_NAMES = {"txt": "thong-bao.txt.j2", "md": "thong-bao.md.j2"}


class TemplateProblem(ConfigError):
    """A template cannot be rendered (syntax error, undefined variable, bad value, over its budget, a symlink).

    A campaign's templates are part of its configuration: a :class:`~egov_xlsx.errors.ConfigError` (exit 3),
    naming the template file and, where there is one, the line.
    """

    def __init__(self, template: str, line: int | None, reason: str) -> None:
        super().__init__(Path(template), [ConfigProblem(f"dòng {line}" if line else "", reason)])
        self.template = template
        self.line = line
        self.reason = reason
        where = f"{template}, dòng {line}" if line else template
        self.args = (f"Lỗi trong mẫu văn bản {where}: {reason}",)


# --------------------------------------------------------------------------- limits


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


# --------------------------------------------------------------------------- where templates are


def shipped_templates_dir() -> Path:
    """The templates shipped with egov-xlsx.

    Installed (a wheel), they are the package data ``egov_xlsx/templates``, found through
    :mod:`importlib.resources`. In a source checkout (an editable install, the tests) the package has no such
    folder: the one fallback is the repository's top-level ``templates/``, beside the package folder.
    """
    package = resources.files("egov_xlsx")
    packaged = package / "templates"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(str(package)).resolve().parent / "templates"


#: Windows reparse tags of a symbolic link (IO_REPARSE_TAG_SYMLINK) and of a junction (IO_REPARSE_TAG_MOUNT_POINT).
_LINK_TAGS = (0xA000000C, 0xA0000003)


def _is_link(path: Path) -> bool:
    """A symbolic link, or (Windows) a junction or other reparse point."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    # Windows: a symbolic link or a junction, not any reparse point (OneDrive's files on demand are ones).
    tag = getattr(info, "st_reparse_tag", 0)
    return stat.S_ISLNK(info.st_mode) or tag in _LINK_TAGS


def template_dirs(campaign: Campaign) -> list[Path]:
    """The campaign's own ``templates/`` folder (when it exists), then the shipped one: the first match wins.

    A ``templates`` that is a symbolic link (or a Windows junction) is refused: a campaign copied from
    elsewhere must not read files outside its folder.
    """
    own = campaign.folder / "templates"
    if _is_link(own):
        raise TemplateProblem(str(own), None, "thư mục mẫu là liên kết (symlink); hãy chép các tệp mẫu vào thư mục này")
    return [own, shipped_templates_dir()] if own.is_dir() else [shipped_templates_dir()]


class _TemplateFiles(jinja2.FileSystemLoader):
    """Templates from folders (first match wins), refusing links, non-files, large or non-UTF-8 files.

    A template (or a folder between the search folder and it) that is a symbolic link is refused before it
    is read, and the file is opened without following a link (where the system can), so no file outside the
    template folders reaches a template, its output or an error message.
    """

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for folder in self.searchpath:
            base = Path(folder)
            path = base.joinpath(*pieces)
            if not os.path.lexists(path):
                continue
            step = path
            while step != base and base in step.parents:
                if _is_link(step):
                    raise TemplateProblem(str(path), None, "tệp mẫu là liên kết (symlink), không được dùng")
                step = step.parent
            if not path.is_file():
                raise TemplateProblem(str(path), None, "không phải một tệp")
            source = _read_template(path)
            mtime = path.stat().st_mtime

            def uptodate(path: Path = path, mtime: float = mtime) -> bool:
                try:
                    return path.stat().st_mtime == mtime
                except OSError:
                    return False

            return source, str(path), uptodate
        raise jinja2.TemplateNotFound(template)


def _read_template(path: Path) -> str:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise TemplateProblem(str(path), None, f"không đọc được ({exc.strerror or exc})") from exc
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(MAX_TEMPLATE_BYTES + 1)
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateProblem(str(path), None, f"tệp mẫu quá lớn (hơn {format_number(MAX_TEMPLATE_BYTES)} byte)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TemplateProblem(str(path), line, "tệp mẫu không phải UTF-8; hãy lưu lại với mã UTF-8") from exc


# --------------------------------------------------------------------------- filters


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
    if not isinstance(env, _Sandbox):
        raise SecurityError("mẫu văn bản chỉ chạy trong môi trường an toàn")
    return env.budget


# --------------------------------------------------------------------------- the sandbox


class _GuardedCode(CodeGenerator):
    """Jinja's code generator, with three hooks the sandbox alone does not give.

    Every ``{% for %}`` iterates through :func:`_loop` (a clock check per step, so nested loops end at the
    time budget); template text is output through ``finalize`` like printed values (so text repeated in a
    loop counts against the size budget); ``~`` joins through :meth:`_Sandbox.checked_concat` (sizes checked before
    anything is made).
    """

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        for loop in list(node.find_all(nodes.For)):
            loop.iter = nodes.Filter(loop.iter, _LOOP_FILTER, [], [], None, None, lineno=loop.iter.lineno)
        for output in list(node.find_all(nodes.Output)):
            output.nodes = [
                nodes.Const(child.data, lineno=child.lineno) if isinstance(child, nodes.TemplateData) else child
                for child in output.nodes
            ]
        super().visit_Template(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.checked_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class _Sandbox(SandboxedEnvironment):
    """Jinja's sandbox, bounded in time and size, its attribute verdicts remembered per (type, attribute).

    Bounds: ``range`` at :data:`MAX_RANGE`; ``*``, ``**``, ``+`` and ``%`` checked before they compute
    (``'x' * 10**10``, ``9**9**9``, ``'%1000000000d' % 1``); ``str.format`` widths; what every call, filter
    and operator returns; a wall-clock deadline checked at each of those and at each loop step
    (:class:`_GuardedCode`); the output's size (:func:`render_announcement`).

    The base attribute verdict (:func:`jinja2.sandbox.is_internal_attribute` and the underscore rule) depends
    on the object's type and the attribute's name only; a national announcement reads 170,000 attributes of a
    handful of types, and asking once per pair halves its time.
    """

    intercepted_binops = frozenset({"+", "*", "/", "//", "%", "**"})
    code_generator_class = _GuardedCode

    def __init__(self, *args: Any, limits: RenderLimits, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.budget = _Budget(limits)
        self._verdicts: dict[tuple[type, str], bool] = {}
        self.globals["range"] = self._range
        self.globals.pop("lipsum", None)

    def _range(self, *args: int) -> range:
        numbers = range(*args)
        if len(numbers) > MAX_RANGE:
            raise TemplateLimit(
                f"range() quá lớn ({format_number(len(numbers))} số, tối đa {format_number(MAX_RANGE)})"
            )
        return numbers

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        key = (type(obj), attr)
        verdict = self._verdicts.get(key)
        if verdict is None:
            verdict = self._verdicts[key] = super().is_safe_attribute(obj, attr, value)
        return verdict

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        self.budget.tick()
        _check_binop(self.budget, operator, left, right)
        result = super().call_binop(context, operator, left, right)
        self.budget.value(result)
        return result

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.budget.tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.budget.tick()
        return super().getitem(obj, argument)

    def checked_concat(self, parts: tuple[Any, ...]) -> str:
        _check_measure(self.budget, *parts)
        text = "".join(map(str, parts))
        self.budget.value(text)
        return text

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        fmt = value.__self__

        def checked(*args: Any, **kwargs: Any) -> str:
            _check_format(fmt)
            _check_measure(self.budget, fmt, args, kwargs)
            return wrapped(*args, **kwargs)

        return functools.update_wrapper(checked, value)

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        budget = __self.budget
        budget.tick()
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        if isinstance(owner, str | bytes):
            args = _pre_str_method(budget, owner, name, args)
        elif isinstance(owner, list | dict | set):
            _check_measure(budget, args, kwargs)
        result = super().call(__context, __obj, *args, **kwargs)
        budget.value(result)
        if isinstance(owner, list | dict | set):
            budget.size(len(owner))
            budget.charge(_measure(args, budget.limits.chars) + 1)
        return result


def _pre_str_method(budget: _Budget, owner: str | bytes, name: str, args: tuple[Any, ...]) -> tuple[Any, ...]:
    """``'x'.center(10**9)``, ``s.replace('x', s)``, ``s.join(...)``: refused before they run."""
    if name in ("center", "ljust", "rjust", "zfill") and args:
        _check_width(args[0])
    elif name == "expandtabs":
        _check_width(args[0] if args else 8)
    elif name == "replace" and len(args) >= 2:
        old, new = args[0], args[1]
        if isinstance(old, str | bytes) and isinstance(new, str | bytes):
            hits = owner.count(old) if old else len(owner) + 1  # type: ignore[arg-type]
            budget.size(len(owner) + hits * max(len(new) - len(old), 0))
    elif name == "join" and args:
        items = list(args[0])
        total = sum(len(i) if isinstance(i, str | bytes) else 0 for i in items)
        budget.size(total + len(owner) * len(items))
        args = (items, *args[1:])
    elif name in ("format", "format_map"):
        pass  # wrap_str_format checks it
    return args


# --------------------------------------------------------------------------- compiled templates


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates shared by every environment :func:`make_environment` makes, and kept between runs.

    The text and Markdown environments compile to the same code, so the macros both import are compiled
    once per process. Compiling the shipped templates costs about 40 ms, some 9 % of building the sample
    campaign from the command line, so the code is also kept on disk, in the user's cache folder
    (``%LOCALAPPDATA%\\egov-xlsx\\cache`` on Windows, ``~/Library/Caches/egov-xlsx`` on macOS,
    ``$XDG_CACHE_HOME/egov-xlsx`` or ``~/.cache/egov-xlsx`` elsewhere), never in the temporary folder. Nothing
    is written before the first template is compiled (importing this module writes nothing). Each entry is
    keyed by the template's name and file, its source's checksum and the code of this module, so an edited
    template, or another version of the sandbox, is compiled again.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}
        self._disk: jinja2.BytecodeCache | None = None
        self._disk_opened = False
        self._salt = ""

    def _open_disk(self) -> jinja2.BytecodeCache | None:
        if not self._disk_opened:
            self._disk_opened = True
            with contextlib.suppress(OSError, RuntimeError):  # no home folder: memory only
                folder = _cache_folder() / "jinja"
                folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                self._disk = jinja2.FileSystemBytecodeCache(str(folder))
        return self._disk

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        if not self._salt:
            try:
                self._salt = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
            except OSError:  # a frozen install: its version says which sandbox compiled the code
                self._salt = f"egov-xlsx {__version__}"
        key = f"{self._salt}|{jinja2.__version__}|{name}|{filename or ''}"
        return hashlib.sha256(key.encode("utf-8")).hexdigest()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)
            return
        disk = self._open_disk()
        if disk is not None:
            with contextlib.suppress(OSError, EOFError, ValueError):
                disk.load_bytecode(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()
        disk = self._open_disk()
        if disk is not None:
            with contextlib.suppress(OSError):
                disk.dump_bytecode(bucket)


def _cache_folder() -> Path:
    """The user's cache folder for egov-xlsx (see :class:`_CompiledTemplates`)."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "egov-xlsx" / "cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "egov-xlsx"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "egov-xlsx"


_COMPILED = _CompiledTemplates()


def make_environment(
    dirs: Sequence[Path], *, markdown: bool = False, limits: RenderLimits | None = None
) -> jinja2.Environment:
    """A Jinja environment over ``dirs`` (first match wins) with the announcement's filters.

    Undefined variables are errors (``StrictUndefined``), nothing is HTML-escaped, block tags take their line
    with them (``trim_blocks``, ``lstrip_blocks``). The environment is sandboxed and bounded (see
    :class:`_Sandbox`): a template copied from another campaign can read the results, but cannot reach
    Python internals or files, and cannot run longer or make more than ``limits`` allow (its clock starts
    here: make one environment per rendering).
    """
    env = _Sandbox(
        loader=_TemplateFiles([str(d) for d in dirs], encoding="utf-8"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.do"],
        finalize=_finalize,
        bytecode_cache=_COMPILED,
        limits=limits or RenderLimits(),
    )
    env.filters.update(so=_so, tong=_tong, phantram=_phantram, ds=_ds, ten=_ten, bac=_bac, thuong=_thuong)
    for name in _REMOVED_FILTERS:
        env.filters.pop(name, None)
    env.filters = {name: _guard_filter(env, name, f) for name, f in env.filters.items()}
    env.filters[_LOOP_FILTER] = _loop
    env.globals["markdown"] = markdown
    return env


# --------------------------------------------------------------------------- rendering


def render_announcement(
    results: Results,
    *,
    fmt: Literal["txt", "md"] = "txt",
    dirs: Sequence[Path] | None = None,
    limits: RenderLimits | None = None,
) -> str:
    """Render the announcement as plain text (one paragraph per line) or Markdown.

    ``dirs`` defaults to :func:`template_dirs` of the campaign; ``limits`` to
    :meth:`RenderLimits.for_results`. Raises :class:`TemplateProblem` (a :class:`~egov_xlsx.errors.ConfigError`)
    naming the template file and line when a template has a syntax error, uses an undefined variable or a
    bad value, is a symbolic link, or goes over its limits; nothing is written by rendering.
    """
    if fmt not in TEMPLATE_NAMES:
        raise ValueError(f"định dạng không hỗ trợ: {fmt!r} (chỉ nhận 'txt' hoặc 'md')")
    search = list(dirs) if dirs is not None else template_dirs(results.campaign)
    markdown = fmt == "md"
    limits = limits or RenderLimits.for_results(results)
    context = template_context(results, markdown=markdown)
    env = make_environment(search, markdown=markdown, limits=limits)
    name = _find(search, TEMPLATE_NAMES[fmt])
    try:
        template = env.get_template(TEMPLATE_NAMES[fmt])
        chunks: list[str] = []
        size = 0
        for chunk in template.generate(context):
            size += len(chunk)
            if size > limits.chars:
                raise TemplateLimit(f"thông báo dài quá {format_number(limits.chars)} ký tự")
            chunks.append(chunk)
        text = "".join(chunks)
    except TemplateProblem:
        raise
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateProblem(exc.filename or exc.name or name, exc.lineno, f"sai cú pháp ({exc.message})") from exc
    except jinja2.TemplateNotFound as exc:
        where = _template_frame(exc.__traceback__)
        missing = f"không tìm thấy mẫu '{exc.name}' trong {', '.join(str(d) for d in search)}"
        raise TemplateProblem(where[0] if where else name, where[1] if where else None, missing) from exc
    except RecursionError as exc:
        where = _template_frame(exc.__traceback__)
        reason = "mẫu văn bản lồng nhau quá sâu (biểu thức, khối lệnh, hoặc macro, include gọi lại chính nó)"
        raise TemplateProblem(where[0] if where else name, where[1] if where else None, reason) from None
    except MemoryError as exc:
        where = _template_frame(exc.__traceback__)
        reason = "mẫu văn bản dùng hết bộ nhớ"
        raise TemplateProblem(where[0] if where else name, where[1] if where else None, reason) from None
    except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
        where = _template_frame(exc.__traceback__)
        raise TemplateProblem(where[0] if where else name, where[1] if where else None, _reason(exc)) from exc
    return layout(text, markdown=markdown)


def _find(search: Sequence[Path], name: str) -> str:
    """The file ``name`` is read from (the first folder that has it), to name it in an error; else ``name``."""
    return next((str(d / name) for d in search if os.path.lexists(d / name)), name)


def _template_frame(tb: TracebackType | None) -> tuple[str, int] | None:
    """The innermost traceback frame in a template (Jinja rewrites frames to the template's file and line)."""
    found: tuple[str, int] | None = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.endswith(".py") and not filename.startswith("<"):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _reason(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc, jinja2.UndefinedError):
        text = text.replace("egov_xlsx.publish.announce_views.", "")
        if m := re.fullmatch(r"'(.+)' is undefined", text):
            return f"biến '{m.group(1)}' không tồn tại"
        if m := re.fullmatch(r"'?(.+?)(?: object)?'? has no attribute '(.+)'", text):
            return f"'{m.group(1)}' không có thuộc tính '{m.group(2)}'"
        if m := re.fullmatch(r"'?(.+?)(?: object)?'? has no element (.+)", text):
            return f"'{m.group(1)}' không có phần tử {m.group(2)}"
        return f"giá trị không xác định ({text})"
    if isinstance(exc, SecurityError):
        return f"mẫu văn bản không được phép dùng thuộc tính nội bộ của Python ({text})"
    return text if re.search(r"[^\x00-\x7f]", text) else f"{type(exc).__name__}: {text}"


_SPACE_BEFORE = re.compile(r" +([,.;:!?)])")
_SPACE_AFTER = re.compile(r"\( +")


def _tidy(paragraph: str) -> str:
    return _SPACE_AFTER.sub("(", _SPACE_BEFORE.sub(r"\1", clean(paragraph)))


def layout(text: str, *, markdown: bool = False) -> str:
    """Lay rendered template text out as paragraphs (see the module docstring); NFC, no trailing spaces."""
    blocks: list[list[str]] = [[]]
    for raw in unicodedata.normalize("NFC", text).splitlines():
        line = raw.strip()
        if not line:
            blocks.append([])
        elif markdown and line.startswith("#"):
            blocks.extend([[line], []])
        else:
            blocks[-1].append(line)
    paragraphs: list[str] = []
    for block in blocks:
        if not block:
            continue
        if markdown and all(line.startswith("|") for line in block):
            paragraphs.append("\n".join(clean(line) for line in block))
        else:
            paragraphs.append(_tidy(" ".join(block)))
    return ("\n\n" if markdown else "\n").join(paragraphs) + "\n"
