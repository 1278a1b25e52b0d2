"""Zip and OLE (compound file) containers: what is inside, and why it must not be opened.

Modules: ``common`` (the verdict), ``zips``, ``ole``, and the sheet measure: ``extent``, ``xlsx``, ``xlsb``, ``ods``,
``xls``.

The gate (:mod:`egov_xlsx.read.gate`) hands every zip or OLE file here. A zip's central directory is read
without inflating anything, and only the first bytes of the parts a reader will parse are inflated, to
refuse XML that declares a DTD. An OLE file's directory tells an .xls from an encrypted workbook or a Word
document. Nothing here raises for a bad file: a damaged container is ``file-corrupt``.

"""

from __future__ import annotations

from egov_xlsx.read.containers.common import (
    MAX_RATIO,
    MAX_UNCOMPRESSED,
    MAX_ZIP_ENTRIES,
    READABLE_KINDS,
    Sniff,
    corrupt,
    format_bytes,
)
from egov_xlsx.read.containers.extent import (
    MAX_CELLS,
    MAX_ELEMENTS,
    MAX_FORMULAS,
    MAX_SHEET_COLUMNS,
    MAX_SHEET_ROWS,
    MAX_SHEETS,
    SheetScan,
    _column_letters,
)
from egov_xlsx.read.containers.ods import ods_sheets
from egov_xlsx.read.containers.ole import inspect_ole
from egov_xlsx.read.containers.xls import xls_sheets
from egov_xlsx.read.containers.xlsx import xlsx_sheets
from egov_xlsx.read.containers.zips import inspect_zip, zip_hint

__all__ = [
    "MAX_CELLS",
    "MAX_ELEMENTS",
    "MAX_FORMULAS",
    "MAX_RATIO",
    "MAX_SHEETS",
    "MAX_SHEET_COLUMNS",
    "MAX_SHEET_ROWS",
    "MAX_UNCOMPRESSED",
    "MAX_ZIP_ENTRIES",
    "READABLE_KINDS",
    "SheetScan",
    "Sniff",
    "_column_letters",
    "corrupt",
    "format_bytes",
    "inspect_ole",
    "inspect_zip",
    "ods_sheets",
    "xls_sheets",
    "xlsx_sheets",
    "zip_hint",
]
