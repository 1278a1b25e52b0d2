"""The provenance sheet of the results workbook: every file the results were made from, with its checksum."""

from __future__ import annotations

from collections.abc import Sequence

from xlsxwriter.worksheet import Worksheet

from egov_xlsx.model import Results
from egov_xlsx.publish.sheet_page import fit_row, set_widths, setup_page, write_header_row, write_heading
from egov_xlsx.publish.sheets import Styles, write_text
from egov_xlsx.style import DRAFT_MARK

PROVENANCE_SHEET = "Nguồn dữ liệu"


_PROVENANCE_HEADERS = (
    "STT",
    "Tệp",
    "SHA-256",
    "Dung lượng (byte)",
    "Khối",
    "Mã đơn vị",
    "Tên đơn vị",
    "Phiên bản biểu",
)
_PROVENANCE_WIDTHS = (5.0, 30.0, 58.0, 11.0, 18.0, 11.0, 30.0, 9.0)


def write_provenance(ws: Worksheet, styles: Styles, results: Results) -> None:
    """Where the results come from: the campaign and config hash, the tool version, then every file used.

    The campaign block comes first so it stays in view above a table that may run to thousands of rows.
    """
    campaign = results.campaign
    set_widths(ws, _PROVENANCE_WIDTHS)
    row = write_heading(
        ws,
        styles,
        last_col=len(_PROVENANCE_HEADERS) - 1,
        width=sum(_PROVENANCE_WIDTHS),
        title="NGUỒN DỮ LIỆU",
        subtitles=(campaign.title,),
        draft=results.draft,
    )
    facts: Sequence[tuple[str, str | int]] = (
        ("Mã đợt đánh giá", campaign.id),
        ("SHA-256 của tệp cấu hình (egov.toml)", campaign.config_sha256),
        ("Phiên bản egov-xlsx", results.tool_version),
        ("Trạng thái", "Dự thảo" if results.draft else "Chính thức"),
        ("Số biểu được sử dụng", len(results.submissions)),
    )
    for label, value in facts:
        ws.merge_range(row, 0, row, 1, "", styles.label)
        ws.write_string(row, 0, label, styles.label)
        if isinstance(value, int):
            ws.write_number(row, 2, value, styles.integer)
        else:
            write_text(ws, row, 2, value, styles.mono if label.startswith("SHA") else styles.text)
        row += 1
    header = row + 1
    write_header_row(ws, header, _PROVENANCE_HEADERS, _PROVENANCE_WIDTHS, styles.header)
    row = header + 1
    for i, sub in enumerate(results.submissions, start=1):
        tier = campaign.tier(sub.tier_id)
        unit = tier.unit(sub.unit_code) if tier is not None else None
        ws.write_number(row, 0, i, styles.center)
        write_text(ws, row, 1, sub.source.name, styles.text)
        ws.write_string(row, 2, sub.source.sha256, styles.mono)
        ws.write_number(row, 3, sub.source.size, styles.integer)
        write_text(ws, row, 4, tier.name if tier is not None else sub.tier_id, styles.text)
        write_text(ws, row, 5, sub.unit_code, styles.center)
        write_text(ws, row, 6, unit.name if unit is not None else "", styles.text)
        write_text(ws, row, 7, sub.form_version, styles.center)
        fit_row(ws, row, ((sub.source.name, _PROVENANCE_WIDTHS[1]), (unit.name if unit else "", _PROVENANCE_WIDTHS[6])))
        row += 1
    for i, source in enumerate(results.council_files, start=len(results.submissions) + 1):
        # A table of council values (egov-xlsx import): no unit's form, the criterion's code starts its name.
        what = f"Bảng điểm do Hội đồng chấm, tiêu chí {source.name.split('/', 1)[-1].split(' - ', 1)[0]}"
        ws.write_number(row, 0, i, styles.center)
        write_text(ws, row, 1, source.name, styles.text)
        ws.write_string(row, 2, source.sha256, styles.mono)
        ws.write_number(row, 3, source.size, styles.integer)
        write_text(ws, row, 6, what, styles.text)
        fit_row(ws, row, ((source.name, _PROVENANCE_WIDTHS[1]), (what, _PROVENANCE_WIDTHS[6])))
        row += 1
    ws.freeze_panes(header + 1, 0)
    ws.ignore_errors({"number_stored_as_text": f"A1:H{max(row, header + 1)}"})
    setup_page(
        ws, left=campaign.title, right=DRAFT_MARK if results.draft else PROVENANCE_SHEET, repeat=(header, header)
    )
