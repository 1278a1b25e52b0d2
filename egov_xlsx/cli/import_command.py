"""``egov-xlsx import``: a table of council values (a survey, a measurement) judged and kept in ``imports/``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from egov_xlsx.cli.commands import _console, _run, _state, app
from egov_xlsx.cli.frame import ExitCode, UsageProblem, _Command
from egov_xlsx.cli.options import CampaignArg, DebugOption


@app.command(name="import", cls=_Command)
def import_(
    campaign: CampaignArg,
    file: Annotated[Path, typer.Argument(help="Bảng giá trị cần nhập (.xlsx, .xls, .ods hoặc .csv).", metavar="TỆP")],
    criteria: Annotated[
        list[str] | None,
        typer.Option(
            "--criterion",
            "-c",
            help="Mã tiêu chí do Hội đồng chấm mà bảng cho giá trị (ghi nhiều lần cho nhiều tiêu chí); bỏ trống khi "
            "bảng có mỗi tiêu chí một cột mang mã tiêu chí.",
            show_default=False,
            metavar="MÃ",
        ),
    ] = None,
    debug: DebugOption = False,
) -> None:
    """Nhập điểm các tiêu chí do Hội đồng chấm (điều tra xã hội học, số liệu đo đếm) từ bảng .xlsx/.csv; bản sao
    được giữ trong thư mục imports/ của đợt đánh giá."""
    from egov_xlsx.cli.console import print_findings
    from egov_xlsx.pipeline import as_campaign
    from egov_xlsx.publish.imports import import_table, unknown_criteria

    _state["debug"] = debug
    camp = _run(as_campaign, campaign)
    codes = list(dict.fromkeys(criteria or ()))
    unknown = unknown_criteria(camp, codes)
    if unknown:
        raise UsageProblem(
            f'không có tiêu chí do Hội đồng chấm (source = "council", không có tiêu chí con) mã {", ".join(unknown)}.'
        )
    outcome = _run(import_table, camp, file, codes)
    console = _console()
    print_findings(console, outcome.findings)
    if not outcome.valid:
        what = f"tiêu chí {', '.join(outcome.criteria)}" if outcome.criteria else "bảng"
        console.print(f"Chưa nhập {what}: sửa các lỗi trên rồi nhập lại; thư mục imports/ không thay đổi.")
        raise typer.Exit(int(ExitCode.FINDINGS))
    units = len({v.unit_code for v in outcome.values})
    console.print(
        f"Đã nhập {len(outcome.values)} giá trị của {units} đơn vị cho tiêu chí {', '.join(outcome.criteria)}; "
        f"bản sao: {', '.join(p.name for p in outcome.written)} (thư mục imports/)."
    )
    raise typer.Exit(int(ExitCode.OK))
