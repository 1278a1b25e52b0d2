"""The results workbook: the annex of the decision, with the details behind it (xlsxwriter).

Sheets, in order: one summary per tier (the annex proper, so the first sheets are the ones to print), one
bar chart of totals per tier, one detail sheet per tier (every criterion), one appraisal sheet per tier that
has appraised scores or bonus/penalty values (each with the council's reason), one statistics sheet per tier,
the findings, and the provenance of the data.

Every figure is a number cell with a number format (the reader's Excel shows its own decimal separator);
Decimal becomes float only when a cell is written. Identical results give a byte-identical file.

The sheets are written by :mod:`egov_xlsx.publish.workbook_summary`, :mod:`egov_xlsx.publish.workbook_chart`,
:mod:`egov_xlsx.publish.breakdown`, :mod:`egov_xlsx.publish.report` and :mod:`egov_xlsx.publish.workbook_provenance`.
"""

from __future__ import annotations

from pathlib import Path

from egov_xlsx.atomic import scratch_folder
from egov_xlsx.model import Results
from egov_xlsx.publish.breakdown import has_appraisal, write_appraisal_sheet, write_detail_sheet, write_statistics_sheet
from egov_xlsx.publish.report import FINDINGS_SHEET, write_findings_sheet
from egov_xlsx.publish.sheets import Styles, open_workbook
from egov_xlsx.publish.workbook_chart import add_chart
from egov_xlsx.publish.workbook_provenance import PROVENANCE_SHEET, write_provenance
from egov_xlsx.publish.workbook_summary import write_summary
from egov_xlsx.sheet_names import SheetNames
from egov_xlsx.workbook_files import close_workbook, discard_workbook


def write_results_workbook(results: Results, path: Path) -> None:
    """Write the results workbook to ``path`` (a plain write: the caller stages it atomically)."""
    # xlsxwriter's streaming row files go to a scratch folder beside the output, removed afterwards (a killed
    # run's are removed by the next run): never into the system's temporary folder.
    with scratch_folder(path) as scratch:
        _write_results_workbook(results, path, scratch)


def _write_results_workbook(results: Results, path: Path, scratch: Path) -> None:
    campaign = results.campaign
    wb = open_workbook(
        path, campaign, title=f"Kết quả đánh giá, xếp hạng {campaign.measured}", streaming=True, tmpdir=scratch
    )
    try:
        styles = Styles(wb, campaign.display)
        names = SheetNames()
        tables = [
            write_summary(wb.add_worksheet(names.add(tr.tier.short_name)), styles, results, tr) for tr in results.tiers
        ]
        for table in tables:
            if table.tier.ranked:
                add_chart(wb, names.add(f"Biểu đồ - {table.tier.tier.short_name}"), styles, results, table)
        for tr in results.tiers:
            write_detail_sheet(wb.add_worksheet(names.add(f"Chi tiết - {tr.tier.short_name}")), styles, results, tr)
        for tr in results.tiers:
            if has_appraisal(tr):
                write_appraisal_sheet(
                    wb.add_worksheet(names.add(f"Thẩm định - {tr.tier.short_name}")), styles, results, tr
                )
        for tr in results.tiers:
            write_statistics_sheet(wb.add_worksheet(names.add(f"Thống kê - {tr.tier.short_name}")), styles, results, tr)
        ws = wb.add_worksheet(names.add(FINDINGS_SHEET))
        write_findings_sheet(ws, styles, campaign, results.findings, draft=results.draft)
        write_provenance(wb.add_worksheet(names.add(PROVENANCE_SHEET)), styles, results)
    except BaseException:
        discard_workbook(wb)
        raise
    close_workbook(wb, path)
