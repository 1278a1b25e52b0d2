"""What every container check shares: the readable kinds, the zip limits, the verdict (:class:`Sniff`)."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from egov_xlsx import findings
from egov_xlsx.model import Finding
from egov_xlsx.vietnamese import format_number, quantize

if TYPE_CHECKING:
    from egov_xlsx.read.containers.extent import SheetScan


#: Kinds of content a spreadsheet reader opens (python-calamine reads all five).
READABLE_KINDS = frozenset({"xlsx", "xlsm", "xlsb", "xls", "ods"})

# An xlsx has ~10-20 parts; LibreOffice's ods ~15. Zip bombs of the "many small files" kind need
# thousands of entries, and every entry costs the reader a directory record and an open.
MAX_ZIP_ENTRIES = 2000
# A 2,000-row form is under 1 MB of XML once inflated. 100 MB is 100x that (pictures included) yet keeps
# the worst a reader can be made to inflate, and the cells it builds from it, to a few hundred MB of RAM.
# Declared sizes can be trusted as a ceiling: Python's zipfile and the zip crate under python-calamine
# stop at an entry's declared size ("File is larger than its declared uncompressed size").
MAX_UNCOMPRESSED = 100 * 1024 * 1024
# Spreadsheet XML deflates 5-30:1; a sheet of identical styled empty rows may reach 100:1. Deflate tops
# out at 1032:1, which is what bombs use. The ratio only matters for large entries (RATIO_MIN_BYTES):
# a tiny part compressing 300:1 (a run of spaces) harms no one.
MAX_RATIO = 200
RATIO_MIN_BYTES = 10 * 1024 * 1024
# An XML prolog (declaration, comments, DOCTYPE) precedes the root element; no spreadsheet writer puts
# more than a few hundred bytes there. Reading up to 64 KB of each part finds a DTD wherever a
# legitimate prolog could end, and a longer prolog is itself refused.
XML_PEEK_BYTES = 64 * 1024


@dataclass(frozen=True)
class Sniff:
    """What the content is, and why it cannot be read even if it claims to be a spreadsheet."""

    kind: str
    problem: Finding | None = None
    #: Content only a spreadsheet program writes (SpreadsheetML 2003, an Excel web page).
    spreadsheet_like: bool = False
    #: A readable workbook's sheets as measured before any reader opens it (xlsx, xlsm, ods, xls).
    sheets: tuple[SheetScan, ...] = ()


def corrupt(name: str, detail: str) -> Finding:
    return findings.make("file-corrupt", file=name, detail=detail)


def format_bytes(n: int) -> str:
    """A size the way Windows Explorer shows it (binary units), Vietnamese decimals: "1,5 GB", "20 MB"."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= scale:
            return f"{format_number(quantize(Decimal(n) / scale, 1))} {unit}"
    return f"{n} byte"


def prolog_verdict(data: bytes) -> bool | None:
    """``True`` DTD found, ``False`` root element reached without one, ``None`` need more bytes."""
    text = prolog_text(data)
    pos = 0
    while True:
        start = text.find("<", pos)
        if start < 0 or start + 1 >= len(text):
            return None
        if text.startswith("<?", start):
            end = text.find("?>", start)
        elif text.startswith("<!--", start):
            end = text.find("-->", start)
        else:
            # "<!DOCTYPE" (or a stray "<!ENTITY") is a DTD; any other tag is the root: the prolog is over.
            return text.startswith("<!", start)
        if end < 0:
            return None
        pos = end + 2


def prolog_text(data: bytes) -> str:
    # Markup is ASCII, so latin-1 finds it in UTF-8 and any 8-bit encoding; UTF-16 needs decoding.
    if data.startswith(codecs.BOM_UTF16_LE) or data[1:2] == b"\0":
        return data.decode("utf-16-le", "ignore")
    if data.startswith(codecs.BOM_UTF16_BE) or data[:1] == b"\0":
        return data.decode("utf-16-be", "ignore")
    return data.decode("latin-1")
