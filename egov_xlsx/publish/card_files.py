"""The result cards as files: the printed document (every card) and one file per unit in ``don-vi/``.

The printed document is saved once, reproducibly (:mod:`egov_xlsx.publish.docx_save`); a unit's own file is that
package with the body cut down to the unit's card (between the markers :mod:`egov_xlsx.publish.cards` left) and
only the unit's chart part kept. Files are named as the unit's form ("SKHDT - So Ke hoach va Dau tu.docx",
ASCII-safe), "-du-thao" added on a draft. Identical inputs give identical bytes.
"""

from __future__ import annotations

import io
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

    printed: bytes
    layout: CardLayout
    names: tuple[str, ...]
    titles: tuple[str, ...]

    def unit_files(self) -> Iterator[tuple[str, bytes]]:
        """(file name, bytes) of each unit's card, in the order of the printed document."""
        with zipfile.ZipFile(io.BytesIO(self.printed)) as source:
            entries = [(info.filename, source.read(info.filename)) for info in source.infolist()]
        body = dict(entries)[_DOCUMENT].decode("utf-8")
        head = body[: body.index(BEGIN)]
        tail = body[body.index(END, len(head)) + len(END) :]
        # The parts every card shares are compressed once.
        shared = {
            name: _deflate(name, data) for name, data in entries if name not in _OWN and not _CHART_PART.match(name)
        }
        lists = {name: _ChartList(pattern, dict(entries)[name]) for name, pattern in _LISTS.items()}
        for n, name in enumerate(self.names):
            document = (head + self.layout.card(n, alone=True) + tail).encode("utf-8")
            yield name, _package(entries, shared, lists, document, n, self.titles[n])


def make_cards(results: Results, summaries: Sequence[UnitSummary], path: Path) -> CardFiles:
    """Write the printed document of every card to ``path``; the per-unit files come from :meth:`CardFiles.unit_files`."""
    layout = CardLayout(results, summaries)
    title = f"{CARD_TITLE.capitalize()} - {results.campaign.title}"
    docx_save.save_reproducible(layout.document, path, when=_stamp(results.campaign), title=title, rows=[layout.stream])
    return CardFiles(
        printed=path.read_bytes(),
        layout=layout,
        names=card_names(results, summaries),
        titles=tuple(f"Phiếu kết quả - {s.name}" for s in summaries),
    )


def card_names(results: Results, summaries: Sequence[UnitSummary]) -> tuple[str, ...]:
    """Each unit's card file name: "CODE - Name.docx" (ASCII-safe, unique ignoring case; "-du-thao" on a draft)."""
    taken: set[str] = set()
    suffix = DRAFT_SUFFIX if results.draft else ""
    return tuple(_unique(safe_filename(f"{s.code} - {s.name}") + suffix, taken, ".docx") for s in summaries)


def _package(
    entries: Sequence[tuple[str, bytes]],
    shared: dict[str, _Entry],
    lists: dict[str, _ChartList],
    document: bytes,
    index: int,
    title: str,
) -> bytes:
    own = str(index + 1)
    parts: list[_Entry] = []
    for name, data in entries:
        chart = _CHART_PART.match(name)
        if chart is not None and chart.group(1) != own:
            continue
        if name in shared:
            parts.append(shared[name])
            continue
        content = data
        if name == _DOCUMENT:
            content = document
        elif name in lists:
            content = lists[name].keeping(own)
        elif name == "docProps/core.xml":
            content = _TITLE.sub(f"<dc:title>{escape(title)}</dc:title>", data.decode("utf-8"), 1).encode("utf-8")
        parts.append(_deflate(name, content))
    return _zip(parts)


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
