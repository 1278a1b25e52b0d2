"""The ``egov-xlsx`` command line: parse, call one library function, render, exit.

Exit codes (documented in the README):

====  =====================================================================
0     done; no error findings (warnings allowed)
1     error findings: forms to correct (``build`` published nothing unless ``--draft``)
2     wrong usage (unknown option, missing argument)
3     the campaign config (egov.toml) has problems
4     a file or folder cannot be read or written (campaign folder missing, output open in Excel)
5     unexpected internal error (run again with ``--debug`` and report it)
====  =====================================================================
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, ParamSpec, TypeVar

import typer

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from rich.console import Console

    from egov_xlsx.model import Finding
    from egov_xlsx.progress import Counted

P = ParamSpec("P")
R = TypeVar("R")


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1
    USAGE = 2
    CONFIG = 3
    IO = 4
    INTERNAL = 5


app = typer.Typer(
    name="egov-xlsx",
    help="Thu thập, kiểm tra, chấm điểm và xếp hạng mức độ Chính quyền điện tử từ các biểu Excel của đơn vị.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

CampaignArg = Annotated[
    Path,
    typer.Argument(help="Thư mục đợt đánh giá (chứa egov.toml); mặc định là thư mục hiện tại.", show_default=False),
]
OutOption = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Thư mục ghi kết quả (mặc định: output/<tên thư mục đợt đánh giá>/).", show_default=False
    ),
]
JobsOption = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        help="Số tiến trình đọc biểu song song (mặc định: số nhân CPU được dùng; biểu luôn được đọc trong tiến trình riêng).",
        show_default=False,
    ),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Không hiện thanh tiến trình.")]
DebugOption = Annotated[bool, typer.Option("--debug", help="Hiện chi tiết lỗi kỹ thuật (traceback) khi có sự cố.")]

_state = {"debug": False}


def main() -> None:
    """Entry point of the ``egov-xlsx`` script and of ``python -m egov_xlsx``."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:  # a Windows console or pipe may default to a legacy code page
            reconfigure(encoding="utf-8", errors="replace")
    app()


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    # No markup: messages quote the user's text and config keys such as "[[tiers]]" verbatim.
    console = Console(stderr=stderr, highlight=False, markup=False)
    # Redirected to a file or a pipe: whole lines, never wrapped at 80 columns.
    console.soft_wrap = not console.is_terminal
    return console


def _fail(code: ExitCode, message: str) -> NoReturn:
    from rich.text import Text

    _console(stderr=True).print(Text.assemble(("Lỗi: ", "bold red"), message))
    raise typer.Exit(int(code))


def _run(func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Call a library function, turning the few "cannot continue" errors into one line and an exit code."""
    from egov_xlsx.errors import CampaignNotFound, ConfigError, OutputError

    try:
        return func(*args, **kwargs)
    except ConfigError as exc:
        _fail(ExitCode.CONFIG, str(exc))
    except (CampaignNotFound, OutputError) as exc:
        _fail(ExitCode.IO, str(exc))
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
    from egov_xlsx.progress import progress_bar

    return progress_bar(enabled=not quiet, then=then)


def _jobs(jobs: int | None) -> int:
    from egov_xlsx.ingest import default_jobs

    return jobs or default_jobs()


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="Thư mục đợt đánh giá mới.")],
    debug: DebugOption = False,
) -> None:
    """Tạo thư mục đợt đánh giá mới với tệp egov.toml mẫu (có chú thích) và thư mục inbox/."""
    from egov_xlsx.scaffold import init_campaign

    _state["debug"] = debug
    path = _run(init_campaign, folder)
    _console().print(f"Đã tạo {path}. Sửa tệp này (tiêu chí, đơn vị), rồi chạy: egov-xlsx forms {folder}")


@app.command()
def forms(
    campaign: CampaignArg = Path("."),
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Thư mục ghi biểu (mặc định: <thư mục đợt đánh giá>/forms/).", show_default=False
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


@app.command()
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
        from egov_xlsx.serialize import check_dict, dumps

        sys.stdout.write(dumps(check_dict(report)))
    else:
        from egov_xlsx.console import print_check

        print_check(_console(), report)
        for problem in problems:
            _console().print(f"Cảnh báo: {problem.message}")
        if written:
            _console().print(f"Đã ghi {len(written)} bản sao có đánh dấu lỗi vào {written[0].parent}.")
    raise typer.Exit(int(ExitCode.OK if report.valid else ExitCode.FINDINGS))


@app.command()
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
    from egov_xlsx.console import print_build

    print_build(_console(), outcome)
    raise typer.Exit(int(ExitCode.OK if outcome.published else ExitCode.FINDINGS))


@app.command()
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
