"""The result cards as files: the printed document (every card) and one file per unit in ``don-vi/``.

The printed document is saved once, reproducibly (:mod:`egov_xlsx.publish.docx_save`); a unit's own file is that
package with the body cut down to the unit's card (between the markers :mod:`egov_xlsx.publish.cards` left) and
only the unit's chart part kept. Files are named as the unit's form ("SKHDT - So Ke hoach va Dau tu.docx",
ASCII-safe), "-du-thao" added on a draft. Identical inputs give identical bytes.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from egov_xlsx.model import Results
from egov_xlsx.publish import docx_save
from egov_xlsx.publish.cards import BEGIN, CARD_TITLE, END, CardLayout
from egov_xlsx.publish.document_texts import _stamp
from egov_xlsx.publish.feedback import _unique
from egov_xlsx.publish.outputs import DRAFT_SUFFIX
from egov_xlsx.publish.unit_summary import UnitSummary
from egov_xlsx.vietnamese import safe_filename

_DOCUMENT = "word/document.xml"
_CHART_PART = re.compile(r"^word/charts/(?:_rels/)?chart(\d+)\.xml(?:\.rels)?$")
_CHART_REL = re.compile(r'<Relationship Id="rIdChart(\d+)"[^>]*/>')
_CHART_OVERRIDE = re.compile(r'<Override PartName="/word/charts/chart(\d+)\.xml"[^>]*/>')
_TITLE = re.compile(r"<dc:title>.*?</dc:title>", re.S)
_LISTS = {"word/_rels/document.xml.rels": _CHART_REL, "[Content_Types].xml": _CHART_OVERRIDE}
#: The parts each card's file has of its own (the others are the printed document's, compressed once).
_OWN = frozenset({_DOCUMENT, "word/_rels/document.xml.rels", "[Content_Types].xml", "docProps/core.xml"})


@dataclass(frozen=True)
class CardFiles:
    """The saved printed document, and each unit's card to cut into a file of its own on demand."""

    printed: Path
    layout: CardLayout
    names: tuple[str, ...]
    titles: tuple[str, ...]

    def unit_files(self) -> Iterator[tuple[str, bytes]]:
        """(file name, bytes) of each unit's card, in the order of the printed document.

        The printed document is read a part at a time: its body (every card) is only scanned for what comes
        before and after the cards, and a unit's chart part is read when its file is made.
        """
        with zipfile.ZipFile(self.printed) as source:
            order = [info.filename for info in source.infolist()]
            small = {n: source.read(n) for n in order if n != _DOCUMENT and not _CHART_PART.match(n)}
            head, tail = _around_cards(source)
            # The parts every card shares are compressed once.
            shared = {name: _deflate(name, data) for name, data in small.items() if name not in _OWN}
            lists = {name: _ChartList(pattern, small[name]) for name, pattern in _LISTS.items()}
            core = small["docProps/core.xml"].decode("utf-8")
            # Where each chart's parts stand among the others: a unit's file has its own chart's only.
            charts: dict[str, list[tuple[int, str]]] = {}
            others: list[tuple[int, str]] = []
            for at, part in enumerate(order):
                chart = _CHART_PART.match(part)
                (charts.setdefault(chart.group(1), []) if chart is not None else others).append((at, part))
            for n, name in enumerate(self.names):
                own = str(n + 1)
                parts: list[_Entry] = []
                for _, part in sorted(others + charts.get(own, [])):
                    if part in shared:
                        parts.append(shared[part])
                    elif part == _DOCUMENT:
                        parts.append(_deflate(part, head + self.layout.card(n, alone=True).encode("utf-8") + tail))
                    elif part in lists:
                        parts.append(_deflate(part, lists[part].keeping(own)))
                    elif part == "docProps/core.xml":  # the unit's own title
                        title = f"<dc:title>{escape(self.titles[n])}</dc:title>"
                        parts.append(_deflate(part, _TITLE.sub(title, core, 1).encode("utf-8")))
                    else:  # the unit's chart
                        parts.append(_deflate(part, source.read(part)))
                yield name, _zip(parts)


def _around_cards(source: zipfile.ZipFile) -> tuple[bytes, bytes]:
    """What the printed document's body holds before the cards and after them, read a megabyte at a time."""
    begin, end = BEGIN.encode(), END.encode()
    head, tail = bytearray(), bytearray()
    state, carry = "head", b""
    with source.open(_DOCUMENT) as part:
        while chunk := part.read(1 << 20):
            data = carry + chunk
            carry = b""
            if state == "head":
                at = data.find(begin)
                if at < 0:
                    keep = max(len(data) - len(begin), 0)
                    head += data[:keep]
                    carry = data[keep:]
                    continue
                head += data[:at]
                data, state = data[at + len(begin) :], "cards"
            if state == "cards":
                at = data.find(end)
                if at < 0:
                    carry = data[-len(end) :]
                    continue
                data, state = data[at + len(end) :], "tail"
            tail += data
    if state != "tail":
        raise ValueError("the cards' markers are missing from the printed document")
    return bytes(head), bytes(tail)


def make_cards(results: Results, summaries: Sequence[UnitSummary], path: Path) -> CardFiles:
    """Write the printed document of every card to ``path``; the per-unit files come from :meth:`CardFiles.unit_files`."""
    layout = CardLayout(results, summaries)
    title = f"{CARD_TITLE.capitalize()} - {results.campaign.title}"
    # Deflated fast (level 1): the cards' XML is large and repetitive.
    docx_save.save_reproducible(
        layout.document, path, when=_stamp(results.campaign), title=title, rows=[layout.stream], level=1
    )
    return CardFiles(
        printed=path,
        layout=layout,
        names=card_names(results, summaries),
        titles=tuple(f"Phiếu kết quả - {s.name}" for s in summaries),
    )


def card_names(results: Results, summaries: Sequence[UnitSummary]) -> tuple[str, ...]:
    """Each unit's card file name: "CODE - Name.docx" (ASCII-safe, unique ignoring case; "-du-thao" on a draft)."""
    taken: set[str] = set()
    suffix = DRAFT_SUFFIX if results.draft else ""
    return tuple(_unique(safe_filename(f"{s.code} - {s.name}") + suffix, taken, ".docx") for s in summaries)


@dataclass(frozen=True)
class _Entry:
    """A zip entry, compressed: its name, the CRC-32 and size of its content, the raw deflate stream."""

    name: bytes
    crc: int
    size: int
    data: bytes


def _deflate(name: str, content: bytes) -> _Entry:
    packer = zlib.compressobj(1, zlib.DEFLATED, -15)  # fast: a card is small either way
    return _Entry(name.encode("ascii"), zlib.crc32(content), len(content), packer.compress(content) + packer.flush())


# Every entry stamped 1980-01-01 00:00 (MS-DOS date and time), deflated, no extra fields, no attributes.
_DOS_TIME, _DOS_DATE = 0, (1 << 5) | 1


def _zip(entries: Sequence[_Entry]) -> bytes:
    """A zip of already compressed entries (the shared parts of the cards are compressed once, not per card)."""
    out = bytearray()
    central = bytearray()
    for e in entries:
        offset = len(out)
        sizes = (e.crc, len(e.data), e.size, len(e.name))
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, _DOS_TIME, _DOS_DATE, *sizes, 0)
        out += e.name + e.data
        central += struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, _DOS_TIME, _DOS_DATE, *sizes, 0, 0, 0, 0, 0, offset
        )
        central += e.name
    start = len(out)
    out += central
    out += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), start, 0)
    return bytes(out)


class _ChartList:
    """A package's list of parts (relationships, content types) without its chart entries but one's."""

    def __init__(self, pattern: re.Pattern[str], data: bytes) -> None:
        text = data.decode("utf-8")
        self._entries = {m.group(1): m.group(0) for m in pattern.finditer(text)}
        first = pattern.search(text)
        self._at = first.start() if first is not None else len(text)
        self._bare = pattern.sub("", text)

    def keeping(self, own: str) -> bytes:
        """The list with the chart entry ``own`` only, where the chart entries stood."""
        entry = self._entries.get(own, "")
        return (self._bare[: self._at] + entry + self._bare[self._at :]).encode("utf-8")
