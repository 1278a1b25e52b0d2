"""Zip files written from parts deflated beforehand, so that the same compressed bytes serve in several files.

A part's raw deflate stream may be the concatenation of chunks compressed apart: a chunk made by a fresh
compressor and ended by a full flush (:func:`chunk`) is byte-aligned and refers to nothing before it; the
last one ends the stream (:func:`last_chunk`). The part's CRC-32 runs over the chunks' contents in turn and its
size is theirs summed. Every entry is stamped 1980-01-01 00:00, deflated, with no extra field and no
attributes: identical parts give identical bytes.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

#: The deflate level: fast (the parts are XML, large and repetitive, and are compressed once).
LEVEL = 1
# MS-DOS date and time of 1980-01-01 00:00.
_DOS_TIME, _DOS_DATE = 0, (1 << 5) | 1
# Sizes and offsets of a zip without its ZIP64 extension (the cards of 10,000 units take ~0.5 GB of XML).
_LIMIT = 0xFFFFFFFF


@dataclass(frozen=True)
class Entry:
    """A zip entry, compressed: its name, the CRC-32 and size of its content, the raw deflate stream."""

    name: bytes
    crc: int
    size: int
    data: bytes


def deflate(name: str, content: bytes) -> Entry:
    """The entry ``name`` holding ``content``, deflated at :data:`LEVEL`."""
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return Entry(name.encode("ascii"), zlib.crc32(content), len(content), packer.compress(content) + packer.flush())


def chunk(content: bytes) -> bytes:
    """``content`` deflated on its own, not ending the stream: chunks and a :func:`last_chunk` concatenated
    are the stream of their contents concatenated."""
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return packer.compress(content) + packer.flush(zlib.Z_FULL_FLUSH)


def last_chunk(content: bytes) -> bytes:
    """``content`` deflated on its own, ending the stream (after any :func:`chunk`)."""
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return packer.compress(content) + packer.flush()


def _local(name: bytes, crc: int, packed: int, size: int) -> bytes:
    if max(packed, size) > _LIMIT:
        raise ValueError(f"zip entry {name.decode('ascii')} too large ({size} bytes)")
    return struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, _DOS_TIME, _DOS_DATE, crc, packed, size, len(name), 0)


def _central(name: bytes, crc: int, packed: int, size: int, offset: int) -> bytes:
    if offset > _LIMIT:
        raise ValueError("zip file too large")
    fields = (20, 20, 0, 8, _DOS_TIME, _DOS_DATE, crc, packed, size, len(name), 0, 0, 0, 0, 0, offset)
    return struct.pack("<4s6H3L5H2L", b"PK\x01\x02", *fields) + name


class ZipWriter:
    """A zip written entry by entry to a seekable binary file; an entry may be written in chunks
    (:meth:`start`, :meth:`write`, :meth:`end`). :meth:`close` writes the central directory."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._central = bytearray()
        self._count = 0
        self._open: tuple[bytes, int, int] | None = None  # the entry being written: name, header, data offsets

    def add(self, entry: Entry) -> int:
        """Write ``entry``; returns where its compressed data start in the file."""
        self.start(entry.name.decode("ascii"))
        at = self.write(entry.data)
        self.end(entry.crc, entry.size)
        return at

    def start(self, name: str) -> None:
        """Begin the entry ``name``: its header, completed by :meth:`end`."""
        if self._open is not None:
            raise ValueError("a zip entry is already being written")
        encoded = name.encode("ascii")
        header = self._out.tell()
        self._out.write(_local(encoded, 0, 0, 0) + encoded)
        self._open = (encoded, header, self._out.tell())

    def write(self, data: bytes) -> int:
        """Write compressed bytes of the entry begun; returns where they start in the file."""
        at = self._out.tell()
        self._out.write(data)
        return at

    def end(self, crc: int, size: int) -> None:
        """End the entry begun: the CRC-32 and size of its (uncompressed) content."""
        if self._open is None:
            raise ValueError("no zip entry is being written")
        name, header, data = self._open
        self._open = None
        after = self._out.tell()
        packed = after - data
        self._out.seek(header)
        self._out.write(_local(name, crc, packed, size))
        self._out.seek(after)
        self._central += _central(name, crc, packed, size, header)
        self._count += 1

    def close(self) -> None:
        """Write the central directory and its end record."""
        start = self._out.tell()
        self._out.write(self._central)
        if start > _LIMIT or self._count > 0xFFFF:
            raise ValueError("zip file too large")
        count, size = self._count, len(self._central)
        self._out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, size, start, 0))


def zip_bytes(entries: Sequence[Entry]) -> bytes:
    """A zip of already compressed entries, in order."""
    out = bytearray()
    central = bytearray()
    for e in entries:
        offset = len(out)
        out += _local(e.name, e.crc, len(e.data), e.size)
        out += e.name + e.data
        central += _central(e.name, e.crc, len(e.data), e.size, offset)
    start = len(out)
    out += central
    out += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), start, 0)
    return bytes(out)
