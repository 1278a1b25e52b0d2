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
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, ParamSpec, TypeVar

import typer

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from rich.console import Console

    from egov_xlsx.cli.progress import Counted
    from egov_xlsx.errors import ConfigError, EgovError
    from egov_xlsx.model import Finding

from egov_xlsx._version import PROGRAM
from egov_xlsx.cli.frame import ExitCode, UsageProblem, _Command, _Group
from egov_xlsx.cli.options import CampaignArg, DebugOption, JobsOption, OutOption, QuietOption

P = ParamSpec("P")
R = TypeVar("R")


app = typer.Typer(
    name=PROGRAM,
    cls=_Group,
    help="Thu thập, kiểm tra, chấm điểm và xếp hạng (Chính quyền điện tử, chuyển đổi số, cải cách hành chính) từ các biểu Excel của đơn vị.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


_state = {"debug": False}


def _print_version(value: bool) -> None:
    if value:
        from egov_xlsx._version import __version__

        sys.stdout.write(f"{PROGRAM} {__version__}\n")
        raise typer.Exit(int(ExitCode.OK))


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", help="In phiên bản egov-xlsx rồi thoát.", is_eager=True, callback=_print_version),
    ] = False,
) -> None:
    """Thu thập, kiểm tra, chấm điểm và xếp hạng (Chính quyền điện tử, chuyển đổi số, cải cách hành chính) từ các biểu Excel của đơn vị."""


def main() -> None:
    """Entry point of the ``egov-xlsx`` script and of ``python -m egov_xlsx``."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:  # a Windows console or pipe may default to a legacy code page
            reconfigure(encoding="utf-8", errors="replace")
    _stop_like_ctrl_c()
    app(prog_name=PROGRAM)


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
    from egov_xlsx.publish.appraisers import UnknownAppraiser

    codes: tuple[tuple[type[EgovError], ExitCode], ...] = (
        (UnknownAppraiser, ExitCode.USAGE),  # --appraiser names no body: a value out of range
        (ConfigError, ExitCode.CONFIG),
        (TemplateProblem, ExitCode.CONFIG),  # a campaign template is part of the campaign's configuration
        (CampaignNotFound, ExitCode.IO),
        (OutputError, ExitCode.IO),
    )
    return next((code for cls, code in codes if isinstance(exc, cls)), ExitCode.IO)


def _run(func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Call a library function, turning the few "cannot continue" errors into one line and an exit code."""
    from egov_xlsx.collector import fewer_collections
    from egov_xlsx.errors import ConfigError, EgovError

    try:
        with fewer_collections():
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


#: What a campaign id may hold, as every text about one says it (:data:`egov_xlsx.config.scaffold.CAMPAIGN_ID` checks it).
_ID_CHARACTERS = "chữ không dấu, số, dấu chấm, gạch ngang, gạch dưới"


def _invalid_id(value: str) -> str:
    """Why ``value`` is no campaign id, said once for ``--id`` and for the terminal's question."""
    return f"mã đợt '{value}' không hợp lệ: chỉ dùng {_ID_CHARACTERS}."


@app.command(cls=_Command)
def init(
    folder: Annotated[Path, typer.Argument(help="Thư mục đợt đánh giá mới.", metavar="THƯ-MỤC")],
    campaign_id: Annotated[
        str | None,
        typer.Option(
            "--id",
            help=f"Mã đợt đánh giá ({_ID_CHARACTERS}); mặc định lấy từ tên thư mục.",
            show_default=False,
            metavar="MÃ",
        ),
    ] = None,
    debug: DebugOption = False,
) -> None:
    """Tạo thư mục đợt đánh giá mới với tệp egov.toml mẫu (có chú thích) và thư mục inbox/."""
    from egov_xlsx.config.scaffold import CAMPAIGN_ID, campaign_id_from

    _state["debug"] = debug
    if campaign_id is not None and not CAMPAIGN_ID.match(campaign_id):
        raise UsageProblem(_invalid_id(campaign_id))
    if campaign_id is None and campaign_id_from(folder.resolve().name) is None:
        campaign_id = _ask_campaign_id(folder)
    from egov_xlsx.config.scaffold import init_campaign

    path = _run(init_campaign, folder, campaign_id)
    _console().print(f"Đã tạo {path}. Sửa tệp này (tiêu chí, đơn vị), rồi chạy: egov-xlsx forms {folder}")


def _ask_campaign_id(folder: Path) -> str:
    """Ask for the id the folder's name cannot give; without a terminal to ask on, say to use --id."""
    from egov_xlsx.config.scaffold import CAMPAIGN_ID

    if not sys.stdin.isatty():
        raise UsageProblem(
            f"không lấy được mã đợt đánh giá từ tên thư mục '{folder.resolve().name}'; ghi mã bằng --id, "
            "ví dụ --id tinh-x-2025."
        )
    while True:
        answer = input(f"Mã đợt đánh giá ({_ID_CHARACTERS}; ví dụ tinh-x-2025): ").strip()
        if CAMPAIGN_ID.match(answer):
            return answer
        problem = _invalid_id(answer)
        sys.stdout.write(problem[0].upper() + problem[1:] + "\n")


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
        for note in report.campaign.notes:
            _console().print(f"Lưu ý (egov.toml): {note}")
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
    cards: Annotated[
        bool,
        typer.Option(
            "--cards",
            help=(
                "Ghi phiếu kết quả từng đơn vị, và phần kết quả từng đơn vị trên trang kết quả, cả khi đợt đánh "
                "giá có hơn 500 đơn vị."
            ),
        ),
    ] = False,
    jobs: JobsOption = None,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Kiểm tra, chấm điểm, xếp hạng và xuất bảng kết quả, results.json, thông báo, quyết định, phiếu kết quả và
    trang kết quả."""
    from egov_xlsx import pipeline

    _state["debug"] = debug
    with _progress_hook(quiet, then="Đã đọc xong các biểu; đang chấm điểm và ghi kết quả...") as progress:
        outcome = _run(
            pipeline.build,
            campaign,
            output,
            draft=draft,
            previous=previous,
            jobs=_jobs(jobs),
            progress=progress,
            cards=cards,
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
    appraiser: Annotated[
        str | None,
        typer.Option(
            "--appraiser", metavar="MÃ", help="Chỉ tệp appraisal/tham-dinh-MÃ.xlsx của một cơ quan thẩm định."
        ),
    ] = None,
    jobs: JobsOption = None,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Tạo (hoặc cập nhật với --update) tệp appraisal.xlsx để Hội đồng thẩm định nhập điểm thẩm định, điểm cộng/trừ
    (mỗi cơ quan thẩm định một tệp trong appraisal/ khi egov.toml có [[appraisers]])."""
    from datetime import datetime

    from egov_xlsx import pipeline

    _state["debug"] = debug
    with _progress_hook(quiet) as progress:
        make, now = pipeline.make_appraisals, datetime.now()
        written = _run(make, campaign, now=now, update=update, appraiser=appraiser, jobs=_jobs(jobs), progress=progress)
    from egov_xlsx.cli.console import print_appraisals

    print_appraisals(_console(), written)


from egov_xlsx.cli import import_command  # noqa: E402, F401  registers ``import`` on the app
