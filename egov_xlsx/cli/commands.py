"""The ``egov-xlsx`` command line: parse, call one library function, render, exit.

Exit codes (documented in the README):

====  =====================================================================
0     done; no error findings (warnings allowed)
1     error findings: forms to correct (``build`` published nothing unless ``--draft``)
2     wrong usage (unknown option or command, missing argument, a value out of range)
3     the campaign's configuration has problems (egov.toml: ConfigError; a campaign template: TemplateProblem)
4     a file or folder cannot be read or written (CampaignNotFound, OutputError, any other EgovError, OSError)
5     unexpected internal error (run again with ``--debug`` and report it)
====  =====================================================================

Everything printed goes through :func:`egov_xlsx.cli.console.make_console`, which shows control characters in
user text escaped; the frame (help, usage errors, ``--version``) is written here, in Vietnamese.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, ParamSpec, TypeVar

import typer
from typer.core import TyperCommand, TyperGroup

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from rich.console import Console

    from egov_xlsx.cli.progress import Counted
    from egov_xlsx.errors import ConfigError, EgovError
    from egov_xlsx.model import Finding

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


app = typer.Typer(
    name="egov-xlsx",
    cls=_Group,
    help="Thu thập, kiểm tra, chấm điểm và xếp hạng mức độ Chính quyền điện tử từ các biểu Excel của đơn vị.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

CampaignArg = Annotated[
    Path,
    typer.Argument(
        help="Thư mục đợt đánh giá (chứa egov.toml); mặc định là thư mục hiện tại.",
        show_default=False,
        metavar="THƯ-MỤC-ĐỢT",
    ),
]
OutOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Thư mục ghi kết quả (mặc định: output/<tên thư mục đợt đánh giá>/).",
        show_default=False,
        metavar="THƯ-MỤC",
    ),
]
JobsOption = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        help="Số tiến trình đọc biểu song song, từ 1 trở lên (mặc định: số nhân CPU được dùng; biểu luôn được đọc trong tiến trình riêng).",
        show_default=False,
        metavar="N",
    ),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Không hiện thanh tiến trình.")]
DebugOption = Annotated[bool, typer.Option("--debug", help="Hiện chi tiết lỗi kỹ thuật (traceback) khi có sự cố.")]

_state = {"debug": False}


def _print_version(value: bool) -> None:
    if value:
        from egov_xlsx._version import __version__

        sys.stdout.write(f"egov-xlsx {__version__}\n")
        raise typer.Exit(int(ExitCode.OK))


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", help="In phiên bản egov-xlsx rồi thoát.", is_eager=True, callback=_print_version),
    ] = False,
) -> None:
    """Thu thập, kiểm tra, chấm điểm và xếp hạng mức độ Chính quyền điện tử từ các biểu Excel của đơn vị."""


def main() -> None:
    """Entry point of the ``egov-xlsx`` script and of ``python -m egov_xlsx``."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:  # a Windows console or pipe may default to a legacy code page
            reconfigure(encoding="utf-8", errors="replace")
    _stop_like_ctrl_c()
    app(prog_name="egov-xlsx")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _stop_like_ctrl_c() -> None:
    """SIGTERM and SIGHUP (a closed terminal; POSIX only) stop a command as Ctrl+C does.

    The interruption unwinds normally, so staged outputs are rolled back and temporary files removed, instead
    of the process dying with its temporary files left in the output folder.
    """
    import signal

    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            signal.signal(number, _interrupt)


def _console(stderr: bool = False) -> Console:
    from egov_xlsx.cli.console import make_console

    return make_console(stderr=stderr)


def _fail(code: ExitCode, message: str, details: Sequence[str] = ()) -> NoReturn:
    """One "Lỗi: ..." line on stderr, then one line per detail; user text in them is shown escaped."""
    from rich.text import Text

    from egov_xlsx.cli.console import visible

    console = _console(stderr=True)
    console.print(Text.assemble(("Lỗi: ", "bold red"), visible(message)))
    for line in details:
        console.print(line)
    raise typer.Exit(int(code))


def _fail_config(exc: ConfigError) -> NoReturn:
    """The config's problems one per line: a newline inside a quoted value never starts a line of its own."""
    message = str(exc)
    body = "\n".join(f"  - {p}" for p in exc.problems)
    if exc.problems and message.endswith("\n" + body):
        _fail(_exit_code(exc), message[: -len(body) - 1], [f"  - {p}" for p in exc.problems])
    _fail(_exit_code(exc), message)


def _exit_code(exc: EgovError) -> ExitCode:
    """The exit code of an error the package raises for a user's mistake (README "Exit codes").

    Most specific class first; any other :class:`~egov_xlsx.errors.EgovError` is a file or folder that cannot
    be used (4). tests/test_cli.py lists every EgovError class of the package with its documented code.
    """
    from egov_xlsx.errors import CampaignNotFound, ConfigError, OutputError
    from egov_xlsx.publish.announce import TemplateProblem

    codes: tuple[tuple[type[EgovError], ExitCode], ...] = (
        (ConfigError, ExitCode.CONFIG),
        (TemplateProblem, ExitCode.CONFIG),  # a campaign template is part of the campaign's configuration
        (CampaignNotFound, ExitCode.IO),
        (OutputError, ExitCode.IO),
    )
    return next((code for cls, code in codes if isinstance(exc, cls)), ExitCode.IO)


def _run(func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Call a library function, turning the few "cannot continue" errors into one line and an exit code."""
    from egov_xlsx.errors import ConfigError, EgovError

    try:
        return func(*args, **kwargs)
    except EgovError as exc:
        if isinstance(exc, ConfigError):
            _fail_config(exc)
        _fail(_exit_code(exc), str(exc))
    except OSError as exc:
        _fail(ExitCode.IO, f"không đọc/ghi được {exc.filename or ''}: {exc.strerror or exc}")
    except Exception as exc:
        if _state["debug"]:
            raise
        _fail(
            ExitCode.INTERNAL,
            f"sự cố không mong muốn ({type(exc).__name__}: {exc}). "
            "Chạy lại với --debug và gửi thông báo cho nhóm phát triển.",
        )


def _progress_hook(
    quiet: bool, then: str | None = None
) -> AbstractContextManager[Callable[[Counted, int], None] | None]:
    from egov_xlsx.cli.progress import progress_bar

    return progress_bar(enabled=not quiet, then=then)


def _jobs(jobs: int | None) -> int:
    from egov_xlsx.read.ingest import default_jobs

    return jobs or default_jobs()


@app.command(cls=_Command)
def init(
    folder: Annotated[Path, typer.Argument(help="Thư mục đợt đánh giá mới.", metavar="THƯ-MỤC")],
    campaign_id: Annotated[
        str | None,
        typer.Option(
            "--id",
            help="Mã đợt đánh giá (chữ không dấu, số, dấu chấm, gạch ngang); mặc định lấy từ tên thư mục.",
            show_default=False,
            metavar="MÃ",
        ),
    ] = None,
    debug: DebugOption = False,
) -> None:
    """Tạo thư mục đợt đánh giá mới với tệp egov.toml mẫu (có chú thích) và thư mục inbox/."""
    from egov_xlsx.scaffold import CAMPAIGN_ID, campaign_id_from

    _state["debug"] = debug
    if campaign_id is not None and not CAMPAIGN_ID.match(campaign_id):
        raise UsageProblem(f"mã đợt '{campaign_id}' không hợp lệ: chỉ dùng chữ không dấu, số, '.', '-', '_'.")
    if campaign_id is None and campaign_id_from(folder.resolve().name) is None:
        campaign_id = _ask_campaign_id(folder)
    from egov_xlsx.scaffold import init_campaign

    path = _run(init_campaign, folder, campaign_id)
    _console().print(f"Đã tạo {path}. Sửa tệp này (tiêu chí, đơn vị), rồi chạy: egov-xlsx forms {folder}")


def _ask_campaign_id(folder: Path) -> str:
    """Ask for the id the folder's name cannot give; without a terminal to ask on, say to use --id."""
    from egov_xlsx.scaffold import CAMPAIGN_ID

    if not sys.stdin.isatty():
        raise UsageProblem(
            f"không lấy được mã đợt đánh giá từ tên thư mục '{folder.resolve().name}'; ghi mã bằng --id, "
            "ví dụ --id tinh-x-2025."
        )
    while True:
        answer = input("Mã đợt đánh giá (chữ không dấu, số, gạch ngang; ví dụ tinh-x-2025): ").strip()
        if CAMPAIGN_ID.match(answer):
            return answer
        sys.stdout.write("Mã không hợp lệ: chỉ dùng chữ không dấu, số, '.', '-', '_'.\n")


@app.command(cls=_Command)
def forms(
    campaign: CampaignArg = Path("."),
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Thư mục ghi biểu (mặc định: <thư mục đợt đánh giá>/forms/).",
            show_default=False,
            metavar="THƯ-MỤC",
        ),
    ] = None,
    debug: DebugOption = False,
) -> None:
    """Tạo biểu chấm điểm (.xlsx) cho từng đơn vị trong danh sách, sẵn sàng gửi cho đơn vị."""
    from egov_xlsx.pipeline import make_forms

    _state["debug"] = debug
    paths = _run(make_forms, campaign, output)
    folder = paths[0].parent if paths else output
    _console().print(f"Đã tạo {len(paths)} biểu trong {folder}.")


@app.command(cls=_Command)
def check(
    campaign: CampaignArg = Path("."),
    json_output: Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON (chỉ JSON trên stdout).")] = False,
    feedback: Annotated[
        bool, typer.Option("--feedback", help="Ghi bản sao biểu có đánh dấu lỗi cho từng đơn vị (thư mục tra-lai/).")
    ] = False,
    output: OutOption = None,
    jobs: JobsOption = None,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Kiểm tra các biểu trong inbox/: đơn vị nào đã nộp, chưa nộp, biểu nào sai và sai ở ô nào."""
    from egov_xlsx import pipeline

    _state["debug"] = debug
    with _progress_hook(quiet or json_output) as progress:
        report = _run(pipeline.check, campaign, jobs=_jobs(jobs), progress=progress)
    written: list[Path] = []
    problems: list[Finding] = []
    if feedback:
        written, problems = _run(
            pipeline.write_feedback, report, pipeline.output_folder(report.campaign, output), jobs=_jobs(jobs)
        )
    if json_output:
        from egov_xlsx.cli.console import json_visible
        from egov_xlsx.publish.serialize import check_dict, dumps

        # The library's JSON, with bidi and C1 characters written as JSON escapes: the same data, safe on a terminal.
        sys.stdout.write(json_visible(dumps(check_dict(report))))
    else:
        from egov_xlsx.cli.console import print_check

        print_check(_console(), report)
        for problem in problems:
            _console().print(f"Cảnh báo: {problem.message}")
        if written:
            _console().print(f"Đã ghi {len(written)} bản sao có đánh dấu lỗi vào {written[0].parent}.")
    raise typer.Exit(int(ExitCode.OK if report.valid else ExitCode.FINDINGS))


@app.command(cls=_Command)
def build(
    campaign: CampaignArg = Path("."),
    output: OutOption = None,
    draft: Annotated[
        bool, typer.Option("--draft", help="Dự thảo: xuất kết quả dù còn lỗi; đơn vị có lỗi không được xếp hạng.")
    ] = False,
    previous: Annotated[
        Path | None,
        typer.Option(
            "--previous",
            help="Kết quả năm trước (thư mục output hoặc tệp results.json) để so sánh.",
            show_default=False,
            metavar="ĐƯỜNG-DẪN",
        ),
    ] = None,
    jobs: JobsOption = None,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Kiểm tra, chấm điểm, xếp hạng và xuất bảng kết quả, results.json, thông báo và quyết định."""
    from egov_xlsx import pipeline

    _state["debug"] = debug
    with _progress_hook(quiet, then="Đã đọc xong các biểu; đang chấm điểm và ghi kết quả...") as progress:
        outcome = _run(
            pipeline.build, campaign, output, draft=draft, previous=previous, jobs=_jobs(jobs), progress=progress
        )
    from egov_xlsx.cli.console import print_build

    print_build(_console(), outcome)
    raise typer.Exit(int(ExitCode.OK if outcome.published else ExitCode.FINDINGS))


@app.command(cls=_Command)
def appraisal(
    campaign: CampaignArg = Path("."),
    update: Annotated[
        bool,
        typer.Option(
            "--update",
            help="Cập nhật tệp đã có: giữ điểm và lý do đã nhập, thêm dòng cho biểu mới, sao lưu tệp cũ.",
        ),
    ] = False,
    jobs: JobsOption = None,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Tạo (hoặc cập nhật với --update) tệp appraisal.xlsx để Hội đồng thẩm định nhập điểm thẩm định, điểm cộng/trừ."""
    from datetime import datetime

    from egov_xlsx import pipeline

    _state["debug"] = debug
    with _progress_hook(quiet) as progress:
        done = _run(
            pipeline.make_appraisal, campaign, now=datetime.now(), update=update, jobs=_jobs(jobs), progress=progress
        )
    console = _console()
    console.print(f"Đã ghi {done.path} ({done.rows} dòng).")
    if done.backup is not None:
        console.print(f"Tệp cũ được sao lưu thành {done.backup.name}; giữ lại {done.kept} giá trị đã nhập.")
    if done.orphans:
        console.print(f'{done.orphans} giá trị không còn dòng tương ứng được giữ ở trang "Dòng không còn dùng".')
