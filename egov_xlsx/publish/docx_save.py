"""The reproducible save of a Word document: the same inputs give the same bytes (fixed core properties and zip
timestamps), with streamed table rows put in place.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.pkgwriter import PackageWriter

from egov_xlsx.publish.docx_layout import GENERATOR, ZIP_EPOCH
from egov_xlsx.publish.docx_rows import StreamedRows

# --------------------------------------------------------------------------- reproducible save


def save_reproducible(
    document: Any,
    path: Path,
    *,
    when: datetime,
    title: str,
    rows: Sequence[StreamedRows] = (),
) -> None:
    """Save with fixed core properties and zip timestamps: identical inputs give identical bytes.

    ``rows`` are the document's :class:`StreamedRows`, written into ``word/document.xml`` as it is saved.
    """
    path.write_bytes(_zipped(package_parts(document, when=when, title=title), rows))


def package_parts(document: Any, *, when: datetime, title: str) -> list[tuple[str, bytes]]:
    """Each part's zip name and content, in the order ``document.save`` writes them, with the fixed core
    properties of a reproducible save (for a caller that zips them itself)."""
    props = document.core_properties
    props.author = GENERATOR
    props.last_modified_by = GENERATOR
    props.comments = ""
    props.title = title
    props.language = "vi-VN"
    props.revision = 1
    props.created = when
    props.modified = when
    props.last_printed = when
    # The template's thumbnail shows a blank page: drop it rather than preview the wrong document.
    package_rels = document.part.package.rels
    for rid in [rid for rid, rel in package_rels.items() if rel.reltype == RT.THUMBNAIL]:
        del package_rels[rid]
    return _package_parts(document)


class _Parts:
    """Collects the parts python-docx's package writer writes, in its order, instead of zipping them."""

    def __init__(self) -> None:
        self.parts: list[tuple[str, bytes]] = []

    def write(self, uri: Any, blob: bytes) -> None:
        self.parts.append((uri.membername, blob))


def _package_parts(document: Any) -> list[tuple[str, bytes]]:
    """Each part's zip name and content, in the order ``document.save`` writes them (it would deflate them at
    zlib's default, only to be inflated again here and rewritten reproducibly)."""
    package = document.part.package
    for part in package.parts:
        part.before_marshal()
    collected = _Parts()
    # The steps of python-docx's PackageWriter.write, with the collector for its zip writer (untyped there).
    writer: Any = PackageWriter
    writer._write_content_types_stream(collected, package.parts)
    writer._write_pkg_rels(collected, package.rels)
    writer._write_parts(collected, package.parts)
    return collected.parts


def _zipped(parts: Sequence[tuple[str, bytes]], rows: Sequence[StreamedRows]) -> bytes:
    """A zip of ``parts``, in order, every entry stamped 1980-01-01, deflated at zlib's default level,
    platform-neutral; ``rows`` streamed into ``word/document.xml`` where their markers stand."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, content in parts:
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            if rows and name == "word/document.xml":
                # Written in pieces; deflate's output does not depend on how its input is cut.
                with target.open(info, "w") as part:
                    for piece in _with_rows(content, rows):
                        part.write(piece)
            else:
                target.writestr(info, content)
    return out.getvalue()


def _with_rows(content: bytes, rows: Sequence[StreamedRows]) -> Iterator[bytes]:
    pos = 0
    for stream in rows:
        marker = stream.marker_bytes
        at = content.find(marker, pos)
        if at < 0:
            raise ValueError(f"rows marker {stream.marker!r} not found in the document")
        yield content[pos:at]
        yield from stream.xml_chunks()
        pos = at + len(marker)
    yield content[pos:]
