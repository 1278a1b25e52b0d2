"""The options and arguments the commands share, with their Vietnamese help."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
