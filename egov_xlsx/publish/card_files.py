"""The result cards as files: the printed document (every card) and one file per unit in ``don-vi/``.

The printed document is saved reproducibly, its parts deflated here (:mod:`egov_xlsx.publish.zip_deflated`),
each card's XML on its own. A unit's own file is that package with the body cut down to the unit's card and only
the unit's chart part kept, made of the printed document's compressed bytes: its card, its chart and the parts
every file shares are read back from the printed document as they were stored, not deflated again. Files are
named as the unit's form ("SKHDT - So Ke hoach va Dau tu.docx", ASCII-safe), "-du-thao" added on a draft.
Identical inputs give identical bytes.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

from egov_xlsx.model import Results
from egov_xlsx.publish import docx_save
from egov_xlsx.publish.cards import CARD_TITLE, MARKER, CardLayout
from egov_xlsx.publish.document_texts import _stamp
from egov_xlsx.publish.feedback import _unique
from egov_xlsx.publish.outputs import DRAFT_SUFFIX
from egov_xlsx.publish.unit_summary import UnitSummary
from egov_xlsx.publish.zip_deflated import Entry, ZipWriter, chunk, deflate, last_chunk, zip_bytes
from egov_xlsx.vietnamese import safe_filename

_DOCUMENT = "word/document.xml"
_CORE = "docProps/core.xml"
_CHART_PART = re.compile(r"^word/charts/(?:_rels/)?chart(\d+)\.xml(?:\.rels)?$")
_CHART_REL = re.compile(r'<Relationship Id="rIdChart(\d+)"[^>]*/>')
_CHART_OVERRIDE = re.compile(r'<Override PartName="/word/charts/chart(\d+)\.xml"[^>]*/>')
_TITLE = re.compile(r"<dc:title>.*?</dc:title>", re.S)
_LISTS = {"word/_rels/document.xml.rels": _CHART_REL, "[Content_Types].xml": _CHART_OVERRIDE}
#: The parts each card's file has of its own (the others are the printed document's, compressed once).
_OWN = frozenset({_DOCUMENT, *_LISTS, _CORE})


@dataclass(frozen=True)
class _Stored:
    """Compressed bytes in the printed document (where they start, how many), the size of what they hold, and a
    CRC-32: a chart part's own; for a card, that of a unit file's body from its start to the card's end."""

    at: int
    packed: int
    size: int
    crc: int

    def read(self, source: BinaryIO) -> bytes:
        source.seek(self.at)
        return source.read(self.packed)


@dataclass(frozen=True)
class _Body:
    """A unit file's ``word/document.xml`` but its card: what comes before it, compressed (the document's
    opening and a card's first lines); what comes after it (the document's closing, to end the CRC-32) and
    that compressed, ending the stream; the size of both uncompressed."""

    before_packed: bytes
    after: bytes
    after_packed: bytes
    size: int


@dataclass(frozen=True)
class CardFiles:
    """The saved printed document, and what each unit's file is cut from, on demand."""

    printed: Path
    names: tuple[str, ...]
    titles: tuple[str, ...]
    order: tuple[str, ...]  # the package's parts, in the printed document's order
    own: Mapping[str, bytes]  # the content of the parts each file has of its own (but the body)
    shared: Mapping[str, Entry]  # the parts every file shares, compressed
    charts: Mapping[str, _Stored]  # each chart part, as stored in the printed document
    body: _Body
    cards: tuple[_Stored, ...]

    def unit_files(self) -> Iterator[tuple[str, bytes]]:
        """(file name, bytes) of each unit's card, in the order of the printed document; each card and chart
        is read from the printed document when its unit's file is made."""
        lists = {name: _ChartList(pattern, self.own[name]) for name, pattern in _LISTS.items()}
        core = self.own[_CORE].decode("utf-8")
        # Where each chart's parts stand among the others: a unit's file has its own chart's only.
        charts: dict[str, list[tuple[int, str]]] = {}
        others: list[tuple[int, str]] = []
        for at, part in enumerate(self.order):
            chart = _CHART_PART.match(part)
            (charts.setdefault(chart.group(1), []) if chart is not None else others).append((at, part))
        body = self.body
        with self.printed.open("rb") as source:
            for n, (name, card) in enumerate(zip(self.names, self.cards, strict=True)):
                own = str(n + 1)
                parts: list[Entry] = []
                for _, part in sorted(others + charts.get(own, [])):
                    if part in self.shared:
                        parts.append(self.shared[part])
                    elif part == _DOCUMENT:
                        data = body.before_packed + card.read(source) + body.after_packed
                        crc = zlib.crc32(body.after, card.crc)
                        parts.append(Entry(part.encode("ascii"), crc, body.size + card.size, data))
                    elif part in lists:
                        parts.append(deflate(part, lists[part].keeping(own)))
                    elif part == _CORE:  # the unit's own title
                        title = f"<dc:title>{escape(self.titles[n])}</dc:title>"
                        parts.append(deflate(part, _TITLE.sub(title, core, 1).encode("utf-8")))
                    else:  # the unit's chart
                        stored = self.charts[part]
                        parts.append(Entry(part.encode("ascii"), stored.crc, stored.size, stored.read(source)))
                yield name, zip_bytes(parts)


def make_cards(results: Results, summaries: Sequence[UnitSummary], path: Path) -> CardFiles:
    """Write the printed document of every card to ``path``; the per-unit files come from :meth:`CardFiles.unit_files`."""
    layout = CardLayout(results, summaries)
    title = f"{CARD_TITLE.capitalize()} - {results.campaign.title}"
    parts = docx_save.package_parts(layout.document, when=_stamp(results.campaign), title=title)
    own: dict[str, bytes] = {}
    shared: dict[str, Entry] = {}
    charts: dict[str, _Stored] = {}
    with path.open("wb") as out:
        writer = ZipWriter(out)
        for name, content in parts:
            if name == _DOCUMENT:
                body, cards = _write_cards(writer, layout, content)
                continue
            entry = deflate(name, content)
            at = writer.add(entry)
            if name in _OWN:
                own[name] = content
            elif _CHART_PART.match(name):
                charts[name] = _Stored(at, len(entry.data), entry.size, entry.crc)
            else:
                shared[name] = entry
        writer.close()
    return CardFiles(
        printed=path,
        names=card_names(results, summaries),
        titles=tuple(f"Phiếu kết quả - {s.name}" for s in summaries),
        order=tuple(name for name, _ in parts),
        own=own,
        shared=shared,
        charts=charts,
        body=body,
        cards=cards,
    )


def _write_cards(writer: ZipWriter, layout: CardLayout, content: bytes) -> tuple[_Body, tuple[_Stored, ...]]:
    """The printed document's body: every card where the marker stands, each deflated on its own.

    The printed body is the document's opening, then each card (its first lines, the same on every card but
    the first, then the rest of it), then the closing. A unit's file has the opening, the first card's first
    lines, its card, the closing: the same compressed chunks.
    """
    opening, found, closing = content.partition(MARKER.encode("utf-8"))
    if not found:
        raise ValueError("the cards' marker is missing from the printed document")
    first, later = layout.head(first=True).encode("utf-8"), layout.head(first=False).encode("utf-8")
    heads = (chunk(first), chunk(later))
    start = chunk(opening)
    body = _Body(start + heads[0], closing, last_chunk(closing), len(opening) + len(first) + len(closing))
    before = zlib.crc32(first, zlib.crc32(opening))  # a unit file's body up to its card
    writer.start(_DOCUMENT)
    writer.write(start)
    crc, size = zlib.crc32(opening), len(opening)
    cards: list[_Stored] = []
    for n in range(len(layout.summaries)):
        head = later if n else first
        writer.write(heads[1] if n else heads[0])
        xml = layout.body(n).encode("utf-8")
        packed = chunk(xml)
        at = writer.write(packed)
        crc = zlib.crc32(xml, zlib.crc32(head, crc))
        size += len(head) + len(xml)
        cards.append(_Stored(at, len(packed), len(xml), zlib.crc32(xml, before)))
    writer.write(body.after_packed)
    writer.end(zlib.crc32(closing, crc), size + len(closing))
    return body, tuple(cards)


def card_names(results: Results, summaries: Sequence[UnitSummary]) -> tuple[str, ...]:
    """Each unit's card file name: "CODE - Name.docx" (ASCII-safe, unique ignoring case; "-du-thao" on a draft)."""
    taken: set[str] = set()
    suffix = DRAFT_SUFFIX if results.draft else ""
    return tuple(_unique(safe_filename(f"{s.code} - {s.name}") + suffix, taken, ".docx") for s in summaries)


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
