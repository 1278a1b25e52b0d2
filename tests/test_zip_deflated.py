"""Zip entries made of chunks deflated apart: the same compressed bytes serve in several files, and every file
reads back (zipfile checks each entry's CRC-32 and size)."""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

import pytest

from egov_xlsx.publish.zip_deflated import ZipWriter, chunk, deflate, last_chunk, zip_bytes


def test_chunks_deflated_apart_concatenate_into_one_entry(tmp_path: Path) -> None:
    pieces = [b"<head>", b"<card>" + "Sở Nội vụ ".encode() * 900 + b"</card>", b"", b"<card>2</card>" * 50]
    tail = b"</doc>"
    content = b"".join(pieces) + tail
    crc = 0
    for piece in [*pieces, tail]:  # the CRC-32 runs over the pieces in turn
        crc = zlib.crc32(piece, crc)
    assert crc == zlib.crc32(content)
    path = tmp_path / "a.zip"
    with path.open("wb") as out:
        writer = ZipWriter(out)
        writer.add(deflate("first.txt", b"alone"))
        writer.start("word/document.xml")
        at = [writer.write(chunk(p)) for p in pieces]
        writer.write(last_chunk(tail))
        writer.end(crc, len(content))
        writer.close()
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        assert z.namelist() == ["first.txt", "word/document.xml"]
        assert z.read("word/document.xml") == content and z.read("first.txt") == b"alone"
    # Each chunk is where the writer said, as it was compressed: a second file can reuse it.
    data = path.read_bytes()
    card = chunk(pieces[1])
    assert data[at[1] : at[1] + len(card)] == card
    again = zip_bytes([deflate("x.xml", b"<x/>"), deflate("y.xml", b"")])
    with zipfile.ZipFile(io.BytesIO(again)) as z:
        assert z.testzip() is None and z.read("x.xml") == b"<x/>" and z.read("y.xml") == b""
    assert again == zip_bytes([deflate("x.xml", b"<x/>"), deflate("y.xml", b"")])


def test_an_entry_is_ended_before_the_next_begins(tmp_path: Path) -> None:
    with (tmp_path / "b.zip").open("wb") as out:
        writer = ZipWriter(out)
        writer.start("a")
        with pytest.raises(ValueError, match="already"):
            writer.start("b")
        writer.end(0, 0)
        with pytest.raises(ValueError, match="no zip entry"):
            writer.end(0, 0)
