"""A small writer of MS-CFB compound files (version 3, 512-byte sectors), enough for ``vbaProject.bin``.

olefile reads compound files but cannot add streams, so the VBA project is written here. The layout
is fixed and deterministic: header, FAT sectors, directory sectors, mini FAT sectors, the mini stream
(small streams, 64-byte mini sectors), then the large streams. Every storage's children form a
binary search tree in the CFB order (shorter names first, then by upper-case code units) whose
nodes are all black, which MS-CFB 2.6.4 names as the simplest valid red-black tree. Times and
CLSIDs are zero. Files need at most 109 FAT sectors (about 6.8 MB), so there is no DIFAT.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_STREAM_CUTOFF = 4096
HEADER_DIFAT_ENTRIES = 109
SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
FREESECT, ENDOFCHAIN, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF
STORAGE, STREAM, ROOT = 1, 2, 5
BLACK = 1
ENTRY_SIZE = 128
MAX_NAME = 31  # UTF-16 code units, the terminating null aside


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: list[_Entry] = field(default_factory=list)
    index: int = 0
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    start: int = ENDOFCHAIN


def cfb_key(name: str) -> tuple[int, str]:
    """MS-CFB 2.6.4 order of sibling names: by length, then by upper-case UTF-16 code units."""
    return len(name.encode("utf-16-le")), name.upper()


def _check_name(name: str) -> None:
    if not name or len(name.encode("utf-16-le")) // 2 > MAX_NAME or any(c in name for c in "/\\:!"):
        raise ValueError(f"bad compound-file entry name {name!r}")


def _tree(files: Mapping[str, bytes]) -> _Entry:
    """The entries of ``files`` ("VBA/dir" → bytes) under a root entry."""
    root = _Entry("Root Entry", ROOT)
    for path in sorted(files):
        parent = root
        parts = path.split("/")
        for part in parts[:-1]:
            _check_name(part)
            found = next((c for c in parent.children if c.name.upper() == part.upper()), None)
            if found is None:
                found = _Entry(part, STORAGE, start=0)  # a storage has no sectors: start and size are zero
                parent.children.append(found)
            elif found.kind != STORAGE:
                raise ValueError(f"{path}: «{part}» is a stream, not a storage")
            parent = found
        _check_name(parts[-1])
        if any(c.name.upper() == parts[-1].upper() for c in parent.children):
            raise ValueError(f"duplicate compound-file entry {path!r}")
        parent.children.append(_Entry(parts[-1], STREAM, bytes(files[path])))
    return root


def _number(entry: _Entry, order: list[_Entry]) -> None:
    """Directory order: each entry, then its children's subtrees (children sorted in CFB order)."""
    entry.index = len(order)
    order.append(entry)
    entry.children.sort(key=lambda e: cfb_key(e.name))
    for child in entry.children:
        _number(child, order)


def _link(siblings: list[_Entry]) -> int:
    """A balanced binary search tree of ``siblings`` (already sorted); returns its root's index."""
    if not siblings:
        return NOSTREAM
    middle = len(siblings) // 2
    node = siblings[middle]
    node.left = _link(siblings[:middle])
    node.right = _link(siblings[middle + 1:])
    return node.index


def _sectors(size: int, sector: int) -> int:
    return -(-size // sector)


def _chain(fat: list[int], first: int, count: int) -> None:
    for i in range(count):
        fat[first + i] = first + i + 1 if i < count - 1 else ENDOFCHAIN


@dataclass
class _Layout:
    fat_sectors: int
    directory_start: int
    directory_sectors: int
    minifat_start: int
    minifat_sectors: int
    ministream_start: int
    ministream_sectors: int
    streams_start: int
    total: int  # sectors after the header


def _layout(entries: list[_Entry], mini_sizes: int, big_sectors: int) -> _Layout:
    directory_sectors = _sectors(len(entries) * ENTRY_SIZE, SECTOR)
    minifat_sectors = _sectors(mini_sizes * 4, SECTOR)
    ministream_sectors = _sectors(mini_sizes * MINI_SECTOR, SECTOR)
    others = directory_sectors + minifat_sectors + ministream_sectors + big_sectors
    fat_sectors = 1
    while fat_sectors * (SECTOR // 4) < fat_sectors + others:
        fat_sectors += 1
    if fat_sectors > HEADER_DIFAT_ENTRIES:
        raise ValueError("compound file too large for a header-only DIFAT")
    directory_start = fat_sectors
    minifat_start = directory_start + directory_sectors
    ministream_start = minifat_start + minifat_sectors
    streams_start = ministream_start + ministream_sectors
    return _Layout(fat_sectors, directory_start, directory_sectors, minifat_start, minifat_sectors,
                   ministream_start, ministream_sectors, streams_start, streams_start + big_sectors)


def _entry_bytes(e: _Entry) -> bytes:
    name = e.name.encode("utf-16-le") + b"\x00\x00"
    size = len(e.data) if e.kind in (STREAM, ROOT) else 0  # the root entry's stream is the mini stream
    return struct.pack("<64sHBBIII16sIQQIQ", name, len(name), e.kind, BLACK, e.left, e.right, e.child,
                       bytes(16), 0, 0, 0, e.start, size)


def _header(layout: _Layout, minifat_count: int) -> bytes:
    difat = list(range(layout.fat_sectors)) + [FREESECT] * (HEADER_DIFAT_ENTRIES - layout.fat_sectors)
    head = struct.pack("<8s16sHHHHH6sIIIIIIIII", SIGNATURE, bytes(16), 0x003E, 0x0003, 0xFFFE, 9, 6, bytes(6),
                       0, layout.fat_sectors, layout.directory_start, 0, MINI_STREAM_CUTOFF,
                       layout.minifat_start if minifat_count else ENDOFCHAIN, layout.minifat_sectors,
                       ENDOFCHAIN, 0)
    return head + struct.pack(f"<{HEADER_DIFAT_ENTRIES}I", *difat)


def _pad(data: bytes, size: int) -> bytes:
    return data + bytes(-len(data) % size)


def write_cfb(files: Mapping[str, bytes]) -> bytes:
    """A compound file holding ``files``: paths like ``"PROJECT"`` or ``"VBA/dir"`` mapped to stream bytes."""
    root = _tree(files)
    entries: list[_Entry] = []
    _number(root, entries)
    for e in entries:
        e.child = _link(e.children)
    small = [e for e in entries if e.kind == STREAM and 0 < len(e.data) < MINI_STREAM_CUTOFF]
    big = [e for e in entries if e.kind == STREAM and len(e.data) >= MINI_STREAM_CUTOFF]
    mini_counts = [_sectors(len(e.data), MINI_SECTOR) for e in small]
    big_counts = [_sectors(len(e.data), SECTOR) for e in big]
    layout = _layout(entries, sum(mini_counts), sum(big_counts))

    minifat = [FREESECT] * (layout.minifat_sectors * SECTOR // 4)
    ministream = bytearray()
    for e, count in zip(small, mini_counts):
        e.start = len(ministream) // MINI_SECTOR
        _chain(minifat, e.start, count)
        ministream += _pad(e.data, MINI_SECTOR)
    fat = [FREESECT] * (layout.fat_sectors * SECTOR // 4)
    for i in range(layout.fat_sectors):
        fat[i] = FATSECT
    _chain(fat, layout.directory_start, layout.directory_sectors)
    if layout.minifat_sectors:
        _chain(fat, layout.minifat_start, layout.minifat_sectors)
    if layout.ministream_sectors:
        root.start = layout.ministream_start
        _chain(fat, layout.ministream_start, layout.ministream_sectors)
    next_sector = layout.streams_start
    for e, count in zip(big, big_counts):
        e.start = next_sector
        _chain(fat, next_sector, count)
        next_sector += count
    root.data = bytes(ministream)

    directory = bytearray(_pad(b"".join(_entry_bytes(e) for e in entries), SECTOR))
    for unused in range(len(entries), len(directory) // ENTRY_SIZE):
        struct.pack_into("<III", directory, unused * ENTRY_SIZE + 68, NOSTREAM, NOSTREAM, NOSTREAM)
    parts = [_header(layout, len(small)), struct.pack(f"<{len(fat)}I", *fat), bytes(directory),
             struct.pack(f"<{len(minifat)}I", *minifat), _pad(root.data, SECTOR)]
    parts += [_pad(e.data, SECTOR) for e in big]
    out = b"".join(parts)
    if len(out) != SECTOR * (1 + layout.total):
        raise AssertionError("compound-file layout mismatch")
    return out
