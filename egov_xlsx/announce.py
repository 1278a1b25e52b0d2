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

A bare ``{{ decimal }}`` prints like ``so``; printing ``None`` is an error. In Markdown a ``|`` in a printed value
is escaped (``\\|``) so a unit's name cannot break a table. The ``do`` statement is enabled
(``{% do items.append(...) %}``), and ``markdown`` tells a shared template which output it is writing.

Template variables:

``campaign``, ``results``, ``display``, ``title``, ``year``, ``draft``, ``previous_year``
    the campaign (:class:`~egov_xlsx.model.Campaign`), the results, ``campaign.display``, ``campaign.title``,
    ``campaign.year``, ``results.draft`` and the year compared with (or ``None``).
``tiers``
    one ``TierView`` per tier (:mod:`egov_xlsx.announce_views`): ``name``, ``max``, ``criteria`` (top-level ``CriterionView`` s),
    ``criterion(code)``, ``ranked``, ``unranked``, ``excluded`` (``(unit, reason)`` pairs), ``bands``
    (``BandView``), ``leaders``, ``runners_up``, ``lowest`` (``RankGroup``), ``gap``, ``average``,
    ``average_percent``, ``same_max``, ``not_applicable`` (``NotApplicable``), ``tie_notes``, and year over
    year ``moved_up``, ``moved_down``, ``unchanged``, ``previously_unranked`` (``Move``), ``new_units``.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

import egov_xlsx
from egov_xlsx.announce_views import template_context
from egov_xlsx.errors import EgovError
from egov_xlsx.model import (
    Campaign,
    Display,
    Results,
    Unit,
    UnitResult,
)
from egov_xlsx.vietnamese import clean, format_number, format_percent, format_rank_change, join

TEMPLATE_NAMES = {"txt": "thong-bao.txt.j2", "md": "thong-bao.md.j2"}


class TemplateProblem(EgovError, ValueError):
    """A template cannot be rendered (syntax error, undefined variable, bad value); names the file and line."""

    def __init__(self, template: str, line: int | None, reason: str) -> None:
        self.template = template
        self.line = line
        self.reason = reason
        where = f"{template}, dòng {line}" if line else template
        super().__init__(f"Lỗi trong mẫu văn bản {where}: {reason}")


# --------------------------------------------------------------------------- where templates are


def shipped_templates_dir() -> Path:
    """The templates shipped with egov-xlsx: inside the installed package, else the repository's ``templates/``."""
    packaged = Path(egov_xlsx.__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(egov_xlsx.__file__).resolve().parent.parent / "templates"


def template_dirs(campaign: Campaign) -> list[Path]:
    """The campaign's own ``templates/`` folder (when it exists), then the shipped one: the first match wins."""
    own = campaign.folder / "templates"
    return [own, shipped_templates_dir()] if own.is_dir() else [shipped_templates_dir()]


# --------------------------------------------------------------------------- filters


def _number(value: object, name: str) -> Decimal | int:
    if isinstance(value, jinja2.Undefined):
        str(value)  # StrictUndefined raises the usual "is undefined" error
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return value
    raise TypeError(f"bộ lọc '{name}' cần một số, nhận được {value!r}")


def _display(ctx: jinja2.runtime.Context) -> Display:
    display = ctx.get("display")
    return display if isinstance(display, Display) else Display()


def _so(value: object, decimals: int | None = None) -> str:
    return format_number(_number(value, "so"), decimals)


@jinja2.pass_context
def _tong(ctx: jinja2.runtime.Context, value: object, decimals: int | None = None) -> str:
    places = _display(ctx).total_decimals if decimals is None else decimals
    return format_number(_number(value, "tong"), places)


@jinja2.pass_context
def _phantram(ctx: jinja2.runtime.Context, value: object, decimals: int | None = None) -> str:
    places = _display(ctx).percent_decimals if decimals is None else decimals
    number = _number(value, "phantram")
    return format_percent(number if isinstance(number, Decimal) else Decimal(number), places)


def _ds(items: Iterable[object], last: str = "và") -> str:
    if isinstance(items, str):
        raise TypeError(f"bộ lọc 'ds' cần một danh sách, nhận được chuỗi {items!r}")
    return join((str(i) for i in items), last)


def _ten(items: Iterable[object]) -> list[str]:
    names: list[str] = []
    for item in items:
        if isinstance(item, UnitResult):
            item = item.unit
        if isinstance(item, Unit):
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


_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _finalize(markdown: bool) -> Callable[[object], object]:
    def finalize(value: object) -> object:
        if value is None:
            raise ValueError("giá trị rỗng (None) không in được; dùng 'x or \"\"' hoặc kiểm tra bằng {% if %}")
        if isinstance(value, Decimal):
            return format_number(value)
        if markdown and isinstance(value, str) and "|" in value and not isinstance(value, Markup):
            return _UNESCAPED_PIPE.sub(r"\\|", value)
        return value

    return finalize


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates shared by every environment :func:`make_environment` makes, and kept between runs.

    The text and Markdown environments compile to the same code (they differ only in what ``finalize`` does
    at run time), so the macros both import are compiled once per process. Compiling the shipped templates
    takes longer than the rest of a small build's text work, so the code is also kept on disk in Jinja's own
    per-user cache folder (when it can be used); Jinja checks each entry against the template source's
    checksum, so an edited template is compiled again.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}
        self._disk: jinja2.BytecodeCache | None = None
        try:
            self._disk = jinja2.FileSystemBytecodeCache()
        except (OSError, RuntimeError):  # no usable temporary folder: memory only
            self._disk = None

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)
        elif self._disk is not None:
            with contextlib.suppress(OSError, EOFError, ValueError):
                self._disk.load_bytecode(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()
        if self._disk is not None:
            with contextlib.suppress(OSError):
                self._disk.dump_bytecode(bucket)


_COMPILED = _CompiledTemplates()


class _Sandbox(SandboxedEnvironment):
    """Jinja's sandbox, its attribute verdicts remembered per (type, attribute).

    The base verdict (:func:`jinja2.sandbox.is_internal_attribute` and the underscore rule) depends on the
    object's type and the attribute's name only, never on the object itself or the value; a national
    announcement reads 170,000 attributes of a handful of types, and asking once per pair halves its time.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._verdicts: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        key = (type(obj), attr)
        verdict = self._verdicts.get(key)
        if verdict is None:
            verdict = self._verdicts[key] = super().is_safe_attribute(obj, attr, value)
        return verdict


def make_environment(dirs: Sequence[Path], *, markdown: bool = False) -> jinja2.Environment:
    """A Jinja environment over ``dirs`` (first match wins) with the announcement's filters.

    Undefined variables are errors (``StrictUndefined``), nothing is HTML-escaped, block tags take their line
    with them (``trim_blocks``, ``lstrip_blocks``). The environment is sandboxed: a template copied from another
    campaign can read the results but cannot reach Python internals.
    """
    env = _Sandbox(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs], encoding="utf-8"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.do"],
        finalize=_finalize(markdown),
        bytecode_cache=_COMPILED,
    )
    env.filters.update(so=_so, tong=_tong, phantram=_phantram, ds=_ds, ten=_ten, bac=_bac, thuong=_thuong)
    env.globals["markdown"] = markdown
    return env


# --------------------------------------------------------------------------- rendering


def render_announcement(
    results: Results, *, fmt: Literal["txt", "md"] = "txt", dirs: Sequence[Path] | None = None
) -> str:
    """Render the announcement as plain text (one paragraph per line) or Markdown.

    ``dirs`` defaults to :func:`template_dirs` of the campaign. Raises :class:`TemplateProblem` naming the
    template file and line when a template has a syntax error, uses an undefined variable or a bad value.
    """
    if fmt not in TEMPLATE_NAMES:
        raise ValueError(f"định dạng không hỗ trợ: {fmt!r} (chỉ nhận 'txt' hoặc 'md')")
    search = list(dirs) if dirs is not None else template_dirs(results.campaign)
    markdown = fmt == "md"
    env = make_environment(search, markdown=markdown)
    name = TEMPLATE_NAMES[fmt]
    try:
        text = env.get_template(name).render(template_context(results))
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateProblem(exc.filename or exc.name or name, exc.lineno, f"sai cú pháp ({exc.message})") from exc
    except jinja2.TemplateNotFound as exc:
        where = _template_frame(exc.__traceback__)
        missing = f"không tìm thấy mẫu '{exc.name}' trong {', '.join(str(d) for d in search)}"
        raise TemplateProblem(where[0] if where else name, where[1] if where else None, missing) from exc
    except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, LookupError) as exc:
        where = _template_frame(exc.__traceback__)
        raise TemplateProblem(where[0] if where else name, where[1] if where else None, _reason(exc)) from exc
    return layout(text, markdown=markdown)


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
