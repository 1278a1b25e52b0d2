"""OLE (compound file) containers: an .xls told from an encrypted workbook or a Word document."""

from __future__ import annotations

import struct

from egov_xlsx import findings
from egov_xlsx.read.containers.common import Sniff, corrupt
from egov_xlsx.read.containers.extent import _TooLarge
from egov_xlsx.read.containers.xls import xls_sheets


def inspect_ole(content: bytes, name: str) -> Sniff:
    """Kind of an OLE compound file (xls, encrypted OOXML, doc ...) from its directory."""
    try:
        ole = _Ole(content)
        streams = ole.entries()
    except (ValueError, IndexError, struct.error):
        return Sniff("ole", corrupt(name, "cấu trúc tệp Excel 97-2003 bị hỏng hoặc tệp bị cắt cụt"))
    # Excel and LibreOffice wrap a password-protected xlsx in an OLE file holding these two streams.
    if "encryptedpackage" in streams or "encryptioninfo" in streams:
        return Sniff("encrypted", findings.make("file-encrypted", file=name))
    book = streams.get("workbook") or streams.get("book")
    if book is not None:
        try:
            if _biff_has_filepass(ole.stream_head(*book)):
                return Sniff("xls", findings.make("file-encrypted", file=name))
            sheets = xls_sheets(ole, book, name)
        except (ValueError, IndexError, struct.error):
            return Sniff("xls", corrupt(name, "cấu trúc tệp Excel 97-2003 bị hỏng hoặc tệp bị cắt cụt"))
        except _TooLarge as exc:
            return Sniff("xls", exc.finding)
        return Sniff("xls", None, sheets=sheets)
    if "worddocument" in streams:
        return Sniff("doc")
    if "powerpoint document" in streams:
        return Sniff("ppt")
    if any(n.startswith("__substg1.0_") for n in streams):
        return Sniff("msg")
    return Sniff("ole")


def _biff_has_filepass(head: bytes) -> bool:
    """True when a BIFF workbook stream is encrypted: a FILEPASS record follows its first BOF."""
    # [MS-XLS] 2.4.117: FilePass, when present, is the record right after the globals' BOF. Scan the
    # few records in the head anyway, for writers that slip one in between.
    pos = 0
    for _ in range(8):
        if pos + 4 > len(head):
            return False
        rtype, rlen = struct.unpack_from("<HH", head, pos)
        if rtype == 0x002F:
            return True
        pos += 4 + rlen
    return False


class _Ole:
    """Just enough of [MS-CFB] to list a compound file's entries and read a stream's first sector.

    Works on the bytes in memory; every chain walk is bounded by the file's sector count, so a crafted
    loop in the allocation table ends in a ``ValueError`` instead of spinning.
    """

    def __init__(self, data: bytes) -> None:
        if len(data) < 512:
            raise ValueError("short header")
        self.data = data
        shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
        if shift not in (9, 12) or mini_shift != 6:
            raise ValueError("bad sector size")
        self.sector_size = size = 1 << shift
        self.sector_count = max(0, (len(data) + size - 1) // size - 1)
        (self.dir_start,) = struct.unpack_from("<I", data, 0x30)
        (self.mini_cutoff,) = struct.unpack_from("<I", data, 0x38)
        difat_start, difat_count = struct.unpack_from("<II", data, 0x44)
        fat = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < _MAXREGSECT]
        sector = difat_start
        for _ in range(min(difat_count, self.sector_count)):
            if sector >= _MAXREGSECT:
                break
            block = self._sector(sector)
            ids = struct.unpack_from(f"<{len(block) // 4}I", block)
            fat.extend(s for s in ids[:-1] if s < _MAXREGSECT)
            sector = ids[-1]
        self.fat_sectors = fat
        self.root_start = _ENDOFCHAIN

    def _sector(self, index: int) -> bytes:
        offset = (index + 1) * self.sector_size
        if index >= _MAXREGSECT or offset >= len(self.data):
            raise ValueError("sector out of range")
        return self.data[offset : offset + self.sector_size]

    def _next(self, index: int) -> int:
        per = self.sector_size // 4
        if index // per >= len(self.fat_sectors):
            raise ValueError("sector beyond the allocation table")
        offset = (self.fat_sectors[index // per] + 1) * self.sector_size + (index % per) * 4
        if offset + 4 > len(self.data):
            raise ValueError("allocation table out of range")
        return int(struct.unpack_from("<I", self.data, offset)[0])

    def _chain(self, start: int, stop_after: int | None = None) -> list[int]:
        chain: list[int] = []
        sector = start
        while sector < _MAXREGSECT and (stop_after is None or len(chain) < stop_after):
            if len(chain) > self.sector_count:
                raise ValueError("allocation chain longer than the file (a loop)")
            chain.append(sector)
            sector = self._next(sector)
        return chain

    def entries(self) -> dict[str, tuple[int, int]]:
        """Every storage and stream but the root, by lowercase name: (start sector, size)."""
        found: dict[str, tuple[int, int]] = {}
        for sector in self._chain(self.dir_start):
            block = self._sector(sector)
            for base in range(0, len(block) - 127, 128):
                name_len, entry_type = struct.unpack_from("<HB", block, base + 64)
                if entry_type not in (1, 2, 5) or not 2 <= name_len <= 64:
                    continue  # an unused slot
                start, size = struct.unpack_from("<IQ", block, base + 116)
                if self.sector_size == 512:
                    size &= 0xFFFFFFFF  # version 3 files leave the high half undefined
                if entry_type == 5:
                    self.root_start = start
                else:
                    name = block[base : base + name_len - 2].decode("utf-16-le", "replace")
                    found.setdefault(name.lower(), (start, size))
        return found

    def stream(self, start: int, size: int) -> bytes:
        """A whole stream's bytes (bounded by the file: every chain walk is)."""
        if size >= self.mini_cutoff:
            chain = self._chain(start)
            return b"".join(self._sector(s) for s in chain)[:size]
        root = b"".join(self._sector(s) for s in self._chain(self.root_start))
        (minifat_start,) = struct.unpack_from("<I", self.data, 0x3C)
        minifat = b"".join(self._sector(s) for s in self._chain(minifat_start))
        entries = len(minifat) // 4
        out: list[bytes] = []
        sector = start
        while sector < _MAXREGSECT and len(out) * 64 < size:
            if sector >= entries or len(out) > entries:
                raise ValueError("mini stream chain out of range")
            out.append(root[sector * 64 : sector * 64 + 64])
            (sector,) = struct.unpack_from("<I", minifat, sector * 4)
        return b"".join(out)[:size]

    def stream_head(self, start: int, size: int) -> bytes:
        """The first (mini) sector of a stream: enough for a BIFF stream's first records."""
        if size >= self.mini_cutoff:
            return self._sector(start)[: min(size, self.sector_size)]
        # Small streams live in 64-byte mini sectors inside the root entry's chain (the mini stream).
        offset = start * 64
        hops = offset // self.sector_size
        root = self._chain(self.root_start, stop_after=hops + 1)
        if hops >= len(root):
            raise ValueError("mini stream out of range")
        within = offset % self.sector_size
        return self._sector(root[hops])[within : within + min(size, 64)]


# Sector ids at or above this are markers (free, end of chain, FAT, DIFAT), not sectors.
_MAXREGSECT = 0xFFFFFFFA
_ENDOFCHAIN = 0xFFFFFFFE
