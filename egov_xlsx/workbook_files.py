"""The xlsxwriter workbooks every writer makes (the forms, the results, the reports), opened and closed one way.

* :data:`WORKBOOK_OPTIONS`: user text stays text, and the file is reproducible.
* :func:`new_workbook`: a workbook with those options and the document properties given (no clock).
* :func:`close_workbook`: written to disk, an error becoming an :class:`~egov_xlsx.errors.OutputError`.
* :func:`discard_workbook`: the temporary row files of a workbook that will not be closed, removed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.workbook import Workbook

from egov_xlsx.atomic import explain
from egov_xlsx.errors import OutputError

#: xlsxwriter's options for every workbook the tool writes. A unit named "=HYPERLINK(...)" or "http://..." or
#: "00123" must stay text exactly as typed; in memory, xlsxwriter stamps every zip entry with a fixed date, so
#: the output is reproducible.
WORKBOOK_OPTIONS: dict[str, Any] = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "in_memory": True,
}


def new_workbook(
    path: Path, properties: Mapping[str, Any], *, streaming: bool = False, tmpdir: Path | None = None
) -> Workbook:
    """A new workbook at ``path`` with :data:`WORKBOOK_OPTIONS` and the document ``properties`` given.

    The properties carry a fixed ``created`` date (never the clock): the same inputs give the same bytes.
    ``streaming`` writes each row to a temporary file as soon as the next one starts (xlsxwriter's
    ``constant_memory``), so a 10,000-unit annex does not hold every cell in memory; rows must then be
    written strictly in order. Its parts are stamped with xlsxwriter's fixed 1980 date: still reproducible.
    ``tmpdir`` is where xlsxwriter puts its temporary files (default: the system's).
    """
    options = {**WORKBOOK_OPTIONS, "in_memory": False, "constant_memory": True} if streaming else WORKBOOK_OPTIONS
    if tmpdir is not None:
        options = {**options, "tmpdir": str(tmpdir)}
    wb = Workbook(str(path), options)
    wb.set_properties(dict(properties))
    return wb


def close_workbook(wb: Workbook, path: Path) -> None:
    """Write the workbook to ``path``; a file that cannot be created becomes an :class:`OutputError`.

    The message says why in Vietnamese (open in Excel, disk full, ...), as for every other output.
    """
    try:
        wb.close()
    except (FileCreateError, OSError) as exc:
        discard_workbook(wb)
        cause = exc.args[0] if isinstance(exc, FileCreateError) and exc.args else exc
        if isinstance(cause, OSError):
            raise explain(path, cause) from exc
        raise OutputError(f"Không ghi được {path}: {cause}.") from exc
    discard_workbook(wb)  # a streaming chart sheet's row file is left open and never removed by xlsxwriter


def discard_workbook(wb: Workbook) -> None:
    """Close and remove the row files of a streaming workbook that will not be closed normally.

    Also closes the part a failed ``close`` was writing (a full disk), so its file can be removed at once.
    """
    for part in (wb, *wb.worksheets()):
        writer = getattr(part, "fh", None)
        if writer is not None and hasattr(writer, "closed") and not writer.closed:
            with contextlib.suppress(OSError):
                writer.close()
    for ws in wb.worksheets():
        handle = getattr(ws, "row_data_fh", None)
        if handle is not None and not handle.closed:
            with contextlib.suppress(OSError):
                handle.close()
        name = getattr(ws, "row_data_filename", None)
        if name:
            Path(name).unlink(missing_ok=True)
