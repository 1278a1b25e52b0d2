"""The command line's frame, in Vietnamese: exit codes, help, usage errors.

Typer and click print their frame ("Usage:", "Options", "Missing argument", "Invalid value for ...") in
English, and the wording changes between typer releases (0.29 vendors its own click and validates with
pydantic). So the command classes here write the help themselves, from each parameter's declaration, and
the group's ``main`` renders every usage error itself, by the error's kind (its class name, the same in
click and in typer's copy) and the parameter it names: nothing of click's English wording reaches the screen.
"""

from __future__ import annotations

import sys
from enum import IntEnum
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from typer.core import TyperCommand, TyperGroup

if TYPE_CHECKING:
    pass

P = ParamSpec("P")
R = TypeVar("R")


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1
    USAGE = 2
    CONFIG = 3
    IO = 4
    INTERNAL = 5


# --- The frame: help, usage errors and --version, in Vietnamese --------------------------------------------
#
# Typer and click print their frame ("Usage:", "Options", "Missing argument", "Invalid value for ...") in
# English, and the wording changes between typer releases (0.29 vendors its own click and validates with
# pydantic). So the command classes below write the help themselves, from each parameter's declaration, and
# the group's ``main`` renders every usage error itself, by the error's kind (its class name, the same in
# click and in typer's copy) and the parameter it names: nothing of click's English wording reaches the screen.

_HELP_OPTION = "Hiện hướng dẫn này rồi thoát."
#: How a bad value of an option is explained, by parameter name (click's own wording is never shown).
_VALUE_RULES = {"jobs": "cần một số nguyên từ 1 trở lên"}


class UsageProblem(Exception):
    """A usage error the frame raises itself, with its Vietnamese message (exit code 2)."""

    def __init__(self, message: str, ctx: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.ctx = ctx


def _metavar(param: Any) -> str:
    return str(getattr(param, "metavar", None) or ("THƯ-MỤC" if param.param_type_name == "argument" else "GIÁ-TRỊ"))


def _opts(param: Any) -> str:
    """ "-o, --output" (short names first), with the option's value, "-o, --output THƯ-MỤC"."""
    names = sorted(param.opts, key=lambda o: (o.startswith("--"), o)) + list(param.secondary_opts)
    value = "" if getattr(param, "is_flag", False) or getattr(param, "count", False) else f" {_metavar(param)}"
    return ", ".join(names) + value


def _visible_params(command: Any, ctx: Any) -> list[Any]:
    helps = set(ctx.help_option_names)
    return [p for p in command.get_params(ctx) if not getattr(p, "hidden", False) and not helps & set(p.opts)]


def _usage(command: Any, ctx: Any) -> str:
    pieces = [f"Cách dùng: {ctx.command_path} [TÙY CHỌN]"]
    if hasattr(command, "list_commands"):
        pieces.append("LỆNH [ĐỐI SỐ]...")
    for param in _visible_params(command, ctx):
        if param.param_type_name == "argument":
            pieces.append(_metavar(param) if param.required else f"[{_metavar(param)}]")
    return " ".join(pieces)


def _paragraph(text: str) -> str:
    """The first paragraph of a docstring, on one line."""
    return " ".join(text.strip().split("\n\n")[0].split())


def _section(title: str, rows: list[tuple[str, str]], width: int) -> list[str]:
    import textwrap

    first = min(max(len(name) for name, _ in rows) + 2, 28)
    lines = ["", f"{title}:"]
    for name, text in rows:
        wrapped = textwrap.wrap(text, max(width - first - 2, 30)) or [""]
        if len(name) + 2 > first:
            lines.append(f"  {name}")
        else:
            lines.append(f"  {name.ljust(first)}{wrapped.pop(0)}")
        lines.extend(" " * (first + 2) + rest for rest in wrapped)
    return lines


def _help(command: Any, ctx: Any) -> str:
    """The whole help page: usage, description, arguments, options, commands; every word of it Vietnamese."""
    import shutil
    import textwrap

    width = min(max(shutil.get_terminal_size().columns, 60), 110)
    lines = [_usage(command, ctx)]
    if command.help:
        lines.append("")
        for paragraph in command.help.strip().split("\n\n"):
            lines.extend(
                textwrap.wrap(" ".join(paragraph.split()), width - 2, initial_indent="  ", subsequent_indent="  ")
            )
    params = _visible_params(command, ctx)
    arguments = [(_metavar(p), p.help or "") for p in params if p.param_type_name == "argument"]
    options = [(_opts(p), p.help or "") for p in params if p.param_type_name != "argument"]
    options.append((", ".join(ctx.help_option_names), _HELP_OPTION))
    if arguments:
        lines += _section("Đối số", arguments, width)
    lines += _section("Tùy chọn", options, width)
    if hasattr(command, "list_commands"):
        commands = [(name, command.get_command(ctx, name)) for name in command.list_commands(ctx)]
        rows = [(name, _paragraph(cmd.help or "")) for name, cmd in commands if cmd is not None and not cmd.hidden]
        lines += _section("Lệnh", rows, width)
    return "\n".join(lines)


def _problem(exc: BaseException, kinds: set[str]) -> str:
    """Vietnamese for a click usage error, from its kind and the parameter it names (never its English text)."""
    import re

    param = getattr(exc, "param", None)
    message = str(getattr(exc, "message", "") or "")
    if "MissingParameter" in kinds and param is not None:
        if param.param_type_name == "argument":
            return f"thiếu đối số {_metavar(param)}."
        return f"thiếu tùy chọn {_opts(param)}."
    if "NoSuchOption" in kinds:
        text = f"không có tùy chọn {getattr(exc, 'option_name', '')}."
        possibilities = sorted(getattr(exc, "possibilities", None) or ())
        return text + (f" Có phải là {', '.join(possibilities)}?" if possibilities else "")
    if "BadOptionUsage" in kinds:
        name = getattr(exc, "option_name", "")
        if "does not take" in message:
            return f"tùy chọn {name} không nhận giá trị."
        return f"tùy chọn {name} cần một giá trị."
    if "BadParameter" in kinds:
        if param is None:
            return "giá trị không hợp lệ."
        names = ", ".join(sorted(param.opts, key=lambda o: (o.startswith("--"), o)))
        what = f"đối số {_metavar(param)}" if param.param_type_name == "argument" else f"tùy chọn {names}"
        return f"giá trị của {what} không hợp lệ: {_VALUE_RULES.get(param.name, 'xem hướng dẫn')}."
    if match := re.search(r"No such command '(.*?)'", message):
        ctx = getattr(exc, "ctx", None)
        group = getattr(ctx, "command", None)
        names = ", ".join(group.list_commands(ctx)) if group is not None and hasattr(group, "list_commands") else ""
        return f"không có lệnh '{match.group(1)}'." + (f" Các lệnh: {names}." if names else "")
    if match := re.search(r"unexpected extra argument\S*\s*\((.*)\)\s*$", message):
        return f"thừa đối số: {match.group(1)}."
    if "Missing command" in message:
        return "thiếu lệnh."
    return "lệnh chưa đúng cú pháp."


def _frame_error(exc: Exception) -> int:
    """Render a usage error (click's or the frame's own) in Vietnamese on stderr; its exit code."""
    kinds = {cls.__name__ for cls in type(exc).__mro__}
    ctx = getattr(exc, "ctx", None)
    if "NoArgsIsHelpError" in kinds and ctx is not None:
        sys.stdout.write(ctx.get_help() + "\n")
        return int(ExitCode.USAGE)
    if "Abort" in kinds:
        sys.stderr.write("Đã dừng.\n")
        return 1
    if not isinstance(exc, UsageProblem) and "UsageError" not in kinds:
        if "ClickException" in kinds:  # not a usage error: nothing of ours raises one
            sys.stderr.write("Lỗi: không thực hiện được lệnh.\n")
            return int(ExitCode.USAGE)
        raise exc
    from egov_xlsx.cli.console import visible

    message = exc.message if isinstance(exc, UsageProblem) else _problem(exc, kinds)
    lines = []
    if ctx is not None:
        lines += [ctx.get_usage(), f"Xem hướng dẫn: {ctx.command_path} {ctx.help_option_names[0]}", ""]
    lines.append(f"Lỗi: {message}")
    sys.stderr.write("".join(visible(line) + "\n" for line in lines))
    return int(ExitCode.USAGE)


class _Command(TyperCommand):
    def get_usage(self, ctx: Any) -> str:
        return _usage(self, ctx)

    def get_help(self, ctx: Any) -> str:
        return _help(self, ctx)


class _Group(TyperGroup):
    def get_usage(self, ctx: Any) -> str:
        return _usage(self, ctx)

    def get_help(self, ctx: Any) -> str:
        return _help(self, ctx)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run the command; usage errors are rendered by :func:`_frame_error`, never by click."""
        standalone = kwargs.pop("standalone_mode", True)
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except Exception as exc:
            code = _frame_error(exc)
        code = code if isinstance(code, int) else 0
        if standalone:
            sys.exit(code)
        return code
