"""Rendering the announcement: the template found, rendered in the sandbox, its problems located, the text laid out."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Literal

import jinja2
from jinja2.exceptions import SecurityError

from egov_xlsx.model import Results
from egov_xlsx.publish.announce.files import template_dirs
from egov_xlsx.publish.announce.limits import RenderLimits, TemplateLimit
from egov_xlsx.publish.announce.problem import TEMPLATE_NAMES, TemplateProblem
from egov_xlsx.publish.announce.sandbox import make_environment
from egov_xlsx.publish.announce_context import template_context
from egov_xlsx.vietnamese import clean, format_number


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
    finally:
        env.release()
    return lay_out(text, markdown=markdown)


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
        text = re.sub(r"egov_xlsx\.publish\.announce_[a-z_]+\.", "", text)  # a view's module: not the user's business
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


def lay_out(text: str, *, markdown: bool = False) -> str:
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
