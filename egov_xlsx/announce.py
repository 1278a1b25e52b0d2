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
    a total with ``display.total_decimals`` decimals: ``417,30``.
``phantram``
    a percent (0-100) with ``display.percent_decimals`` decimals: ``92%``.
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
    one :class:`TierView` per tier: ``name``, ``max``, ``criteria`` (top-level :class:`CriterionView` s),
    ``criterion(code)``, ``ranked``, ``unranked``, ``excluded`` (``(unit, reason)`` pairs), ``bands``
    (:class:`BandView`), ``leaders``, ``runners_up``, ``lowest`` (:class:`RankGroup`), ``gap``, ``average``,
    ``average_percent``, ``same_max``, ``not_applicable`` (:class:`NotApplicable`), ``tie_notes``, and year over
    year ``moved_up``, ``moved_down``, ``unchanged``, ``previously_unranked`` (:class:`Move`), ``new_units``.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Literal

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

import egov_xlsx
from egov_xlsx.errors import EgovError
from egov_xlsx.model import (
    ZERO,
    Campaign,
    Criterion,
    CriterionFacts,
    Display,
    PreviousStanding,
    Results,
    ScoreGroup,
    Tier,
    TierResult,
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
    return format_percent(Decimal(_number(value, "phantram")), places)


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
        if markdown and isinstance(value, str) and not isinstance(value, Markup):
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


def make_environment(dirs: Sequence[Path], *, markdown: bool = False) -> jinja2.Environment:
    """A Jinja environment over ``dirs`` (first match wins) with the announcement's filters.

    Undefined variables are errors (``StrictUndefined``), nothing is HTML-escaped, block tags take their line
    with them (``trim_blocks``, ``lstrip_blocks``). The environment is sandboxed: a template copied from another
    campaign can read the results but cannot reach Python internals.
    """
    env = SandboxedEnvironment(
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


# --------------------------------------------------------------------------- what templates see


@dataclass(frozen=True)
class CriterionView:
    """The facts of one criterion, sorted into what a sentence says.

    ``highest``, ``second`` and ``lowest`` are ``None`` when they are not worth a clause: ``second`` when it is
    the zero group (``zero`` says it), ``lowest`` when it is the highest, the second or the zero group.
    """

    criterion: Criterion
    facts: CriterionFacts
    #: Ranked units for which the criterion is not applicable.
    not_applicable: tuple[Unit, ...]
    children: tuple[CriterionView, ...]

    @property
    def code(self) -> str:
        return self.criterion.code

    @property
    def name(self) -> str:
        return self.criterion.name

    @property
    def max(self) -> Decimal:
        return self.criterion.max

    @property
    def count(self) -> int:
        return self.facts.count

    @property
    def average(self) -> Decimal | None:
        return self.facts.average

    @property
    def at_max(self) -> tuple[Unit, ...]:
        return self.facts.at_max

    @property
    def zero(self) -> tuple[Unit, ...]:
        return self.facts.at_zero

    @property
    def all_zero(self) -> bool:
        return self.count > 0 and len(self.zero) == self.count

    @property
    def all_at_max(self) -> bool:
        return self.count > 0 and len(self.at_max) == self.count

    @property
    def highest(self) -> ScoreGroup | None:
        return None if self.all_zero else self.facts.highest

    @property
    def second(self) -> ScoreGroup | None:
        second = self.facts.second
        return second if second is not None and second.score > 0 else None

    @property
    def lowest(self) -> ScoreGroup | None:
        low, high, second = self.facts.lowest, self.facts.highest, self.facts.second
        if low is None or low.score == 0 or high is None or low.score == high.score:
            return None
        return None if second is not None and low.score == second.score else low

    @property
    def zero_is_rest(self) -> bool:
        """Every unit not named as highest or second scored 0 ("các đơn vị còn lại đạt 0 điểm")."""
        if not self.zero or self.highest is None:
            return False
        named = len(self.highest.units) + (len(self.second.units) if self.second else 0)
        return named + len(self.zero) == self.count

    @property
    def mostly_zero(self) -> bool:
        """At least two thirds of the units scored 0 and none reached a quarter of the maximum."""
        high = self.highest
        return (
            high is not None and bool(self.zero) and 3 * len(self.zero) >= 2 * self.count and 4 * high.score <= self.max
        )


@dataclass(frozen=True)
class RankGroup:
    """Ranked units sharing one rank, in roster order."""

    rank: int
    results: tuple[UnitResult, ...]

    @property
    def tied(self) -> bool:
        return len(self.results) > 1

    @property
    def units(self) -> tuple[Unit, ...]:
        return tuple(r.unit for r in self.results)

    @property
    def first(self) -> UnitResult:
        return self.results[0]

    @property
    def same_total(self) -> bool:
        """All share one total and one maximum (tied units with different maxima share only the percent)."""
        return len({(r.total, r.max) for r in self.results}) == 1


@dataclass(frozen=True)
class BandView:
    """A band and the ranked units in it, in rank order."""

    band: str
    results: tuple[UnitResult, ...]

    @property
    def units(self) -> tuple[Unit, ...]:
        return tuple(r.unit for r in self.results)


@dataclass(frozen=True)
class NotApplicable:
    """A unit with criteria not applicable to it: the outermost such criteria, and its own maximum."""

    result: UnitResult
    criteria: tuple[Criterion, ...]

    @property
    def unit(self) -> Unit:
        return self.result.unit

    @property
    def max(self) -> Decimal:
        return self.result.max


@dataclass(frozen=True)
class Move:
    """A ranked unit compared with its standing in an earlier year."""

    result: UnitResult
    previous: PreviousStanding

    @property
    def unit(self) -> Unit:
        return self.result.unit

    @property
    def rank(self) -> int | None:
        return self.result.rank

    @property
    def previous_rank(self) -> int | None:
        return self.previous.rank

    @property
    def change(self) -> int | None:
        """Ranks gained (positive) or lost (negative): previous rank minus this rank."""
        if self.result.rank is None or self.previous.rank is None:
            return None
        return self.previous.rank - self.result.rank

    @property
    def total_change(self) -> Decimal:
        return self.result.total - self.previous.total


@dataclass(frozen=True)
class TierView:
    """One tier's results, arranged for the announcement's paragraphs."""

    result: TierResult
    criteria: tuple[CriterionView, ...]
    rank_groups: tuple[RankGroup, ...]
    bands: tuple[BandView, ...]
    not_applicable: tuple[NotApplicable, ...]
    moves: tuple[Move, ...]
    _views: Mapping[str, CriterionView]

    @property
    def tier(self) -> Tier:
        return self.result.tier

    @property
    def name(self) -> str:
        return self.tier.name

    @property
    def max(self) -> Decimal:
        return self.tier.max

    def criterion(self, code: str) -> CriterionView:
        return self._views[code]

    @property
    def ranked(self) -> tuple[UnitResult, ...]:
        return self.result.ranked

    @property
    def unranked(self) -> tuple[UnitResult, ...]:
        return tuple(r for r in self.result.units if r.rank is None)

    @property
    def excluded(self) -> tuple[tuple[Unit, str], ...]:
        return self.result.excluded

    @property
    def leaders(self) -> RankGroup | None:
        return self.rank_groups[0] if self.rank_groups else None

    @property
    def runners_up(self) -> tuple[RankGroup, ...]:
        """The groups ranked 2nd and 3rd (none when the leaders' tie takes those places)."""
        return tuple(g for g in self.rank_groups[1:] if g.rank <= 3)

    @property
    def lowest(self) -> RankGroup | None:
        """The units ranked last, when they are not the leaders."""
        return self.rank_groups[-1] if len(self.rank_groups) > 1 else None

    @property
    def same_max(self) -> bool:
        """Every ranked unit is scored out of the tier's maximum (no criterion was not applicable)."""
        return all(r.max == self.max for r in self.ranked)

    @property
    def gap(self) -> Decimal | None:
        """Highest total minus lowest total of the ranked units."""
        facts = self.result.total_facts
        if facts is None or facts.highest is None or facts.lowest is None:
            return None
        return facts.highest.score - facts.lowest.score

    @property
    def average(self) -> Decimal | None:
        facts = self.result.total_facts
        return facts.average if facts is not None else None

    @property
    def average_percent(self) -> Decimal | None:
        """The mean of the ranked units' percents (each of its own maximum)."""
        ranked = self.ranked
        return sum((r.percent for r in ranked), ZERO) / len(ranked) if ranked else None

    @property
    def tie_notes(self) -> tuple[UnitResult, ...]:
        return tuple(r for r in self.ranked if r.tie_note)

    @property
    def moved_up(self) -> tuple[Move, ...]:
        return tuple(sorted((m for m in self.moves if (m.change or 0) > 0), key=lambda m: -(m.change or 0)))

    @property
    def moved_down(self) -> tuple[Move, ...]:
        return tuple(sorted((m for m in self.moves if (m.change or 0) < 0), key=lambda m: m.change or 0))

    @property
    def unchanged(self) -> tuple[Move, ...]:
        return tuple(m for m in self.moves if m.change == 0)

    @property
    def previously_unranked(self) -> tuple[Move, ...]:
        return tuple(m for m in self.moves if m.previous.rank is None)

    @property
    def new_units(self) -> tuple[UnitResult, ...]:
        """Ranked units with no standing in the earlier year."""
        return tuple(r for r in self.ranked if r.previous is None)


def tier_view(result: TierResult) -> TierView:
    """Arrange one tier's results for the templates."""
    ranked = result.ranked
    views: dict[str, CriterionView] = {}

    def view(node: Criterion) -> CriterionView:
        children = tuple(view(c) for c in node.children)
        na = tuple(r.unit for r in ranked if node.code not in r.scores)
        views[node.code] = CriterionView(node, result.fact(node.code), na, children)
        return views[node.code]

    criteria = tuple(view(c) for c in result.tier.criteria)
    groups: list[RankGroup] = []
    for r in ranked:
        if groups and groups[-1].rank == r.rank:
            groups[-1] = RankGroup(groups[-1].rank, (*groups[-1].results, r))
        elif r.rank is not None:
            groups.append(RankGroup(r.rank, (r,)))
    by_code = {r.unit.code: r for r in ranked}
    bands = tuple(BandView(b.band, tuple(by_code[u.code] for u in b.units if u.code in by_code)) for b in result.bands)
    not_applicable = tuple(
        NotApplicable(r, _outermost_missing(result.tier, r)) for r in result.units if r.not_applicable
    )
    moves = tuple(Move(r, r.previous) for r in ranked if r.previous is not None)
    return TierView(result, criteria, tuple(groups), bands, not_applicable, moves, views)


def _outermost_missing(tier: Tier, result: UnitResult) -> tuple[Criterion, ...]:
    """The criteria without a score for the unit whose parent has one (or which are top-level)."""
    out: list[Criterion] = []

    def visit(node: Criterion) -> None:
        if node.code not in result.scores:
            out.append(node)
            return
        for child in node.children:
            visit(child)

    for top in tier.criteria:
        visit(top)
    return tuple(out)


def template_context(results: Results) -> dict[str, object]:
    """The variables every announcement template sees (documented in this module's docstring)."""
    campaign = results.campaign
    previous_year = results.previous_year
    if previous_year is None:
        previous_year = next((r.previous.year for t in results.tiers for r in t.units if r.previous), None)
    return {
        "campaign": campaign,
        "results": results,
        "display": campaign.display,
        "title": campaign.title,
        "year": campaign.year,
        "draft": results.draft,
        "previous_year": previous_year,
        "tiers": [tier_view(t) for t in results.tiers],
    }


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
