"""MS-OVBA 2.4.1 compression: the LZ77 variant VBA uses for the ``dir`` stream and module source.

A CompressedContainer (2.4.1.1.1) is the signature byte 0x01 followed by chunks; each chunk
(2.4.1.1.4) compresses up to 4096 bytes of the input (a DecompressedChunk) on its own: copy tokens
never reach back across a chunk boundary. A chunk is a 2-byte header (2.4.1.1.5) and token sequences
(2.4.1.1.7): a flag byte, then eight tokens, each a literal byte (flag bit 0) or a 2-byte copy token
(flag bit 1, 2.4.1.1.8) whose split between offset and length bits depends on how far into the chunk
it stands (2.4.1.3.19.1 CopyToken Help).

The output is deterministic: the same input always gives the same bytes. Matches are searched
through a table of 3-byte prefixes instead of the specification's backwards scan over the whole
chunk (2.4.1.3.19.4 Matching); any match the decompressor reproduces is valid.
"""

from __future__ import annotations

from collections import defaultdict

SIGNATURE = 0x01
CHUNK_SIZE = 4096  # bytes of input per chunk (2.4.1.1.3)
MAX_CHUNK_BYTES = 4098  # header included (2.4.1.1.4)
MIN_MATCH = 3
_CHUNK_SIGNATURE = 0b011 << 12
_COMPRESSED_FLAG = 1 << 15
_CANDIDATES = 64  # most recent positions tried per 3-byte prefix: enough for source text, bounded time


def copy_token_help(position: int) -> tuple[int, int, int]:
    """(length mask, bit count, maximum length) for a copy token ``position`` bytes into its chunk (2.4.1.3.19.1)."""
    bit_count = max((position - 1).bit_length(), 4)
    length_mask = 0xFFFF >> bit_count
    return length_mask, bit_count, length_mask + 3


def pack_copy_token(offset: int, length: int, position: int) -> int:
    """2.4.1.3.19.3 Pack CopyToken."""
    _, bit_count, maximum = copy_token_help(position)
    if not (1 <= offset <= position and MIN_MATCH <= length <= maximum):
        raise ValueError(f"copy token out of range: offset {offset}, length {length} at {position}")
    return ((offset - 1) << (16 - bit_count)) | (length - MIN_MATCH)


def unpack_copy_token(token: int, position: int) -> tuple[int, int]:
    """2.4.1.3.19.2 Unpack CopyToken: (offset, length)."""
    length_mask, bit_count, _ = copy_token_help(position)
    return (token >> (16 - bit_count)) + 1, (token & length_mask) + MIN_MATCH


def _match_length(chunk: bytes, candidate: int, current: int, limit: int) -> int:
    length = 0
    while length < limit and chunk[candidate + length] == chunk[current + length]:
        length += 1
    return length


class _Matcher:
    """Longest earlier match inside one chunk, found through the positions of each 3-byte prefix."""

    def __init__(self, chunk: bytes) -> None:
        self.chunk = chunk
        self.positions: dict[bytes, list[int]] = defaultdict(list)

    def add(self, position: int) -> None:
        if position + MIN_MATCH <= len(self.chunk):
            self.positions[self.chunk[position:position + MIN_MATCH]].append(position)

    def best(self, current: int) -> tuple[int, int]:
        """(offset, length) of the longest match at ``current`` (the nearest one among equals), or (0, 0)."""
        if current == 0 or current + MIN_MATCH > len(self.chunk):
            return 0, 0
        _, _, maximum = copy_token_help(current)
        limit = min(maximum, len(self.chunk) - current)
        best_length, best_offset = 0, 0
        for candidate in reversed(self.positions.get(self.chunk[current:current + MIN_MATCH], [])[-_CANDIDATES:]):
            length = _match_length(self.chunk, candidate, current, limit)
            if length > best_length:
                best_length, best_offset = length, current - candidate
                if length == limit:
                    break
        return (best_offset, best_length) if best_length >= MIN_MATCH else (0, 0)


def _compress_tokens(chunk: bytes) -> bytes:
    """The token sequences of one chunk (2.4.1.3.8 Compressing a TokenSequence)."""
    out = bytearray()
    matcher = _Matcher(chunk)
    current = 0
    while current < len(chunk):
        flag_at = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if current >= len(chunk):
                break
            offset, length = matcher.best(current)
            if length:
                out += pack_copy_token(offset, length, current).to_bytes(2, "little")
                flags |= 1 << bit
            else:
                out.append(chunk[current])
                length = 1
            for position in range(current, current + length):
                matcher.add(position)
            current += length
        out[flag_at] = flags
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    """One CompressedChunk: compressed when it fits in 4098 bytes, else a raw chunk (2.4.1.3.7)."""
    tokens = _compress_tokens(chunk)
    if len(tokens) + 2 <= MAX_CHUNK_BYTES:
        header = (len(tokens) + 2 - 3) | _CHUNK_SIGNATURE | _COMPRESSED_FLAG
        return header.to_bytes(2, "little") + tokens
    if len(chunk) < CHUNK_SIZE:
        # a RawChunk always decompresses to 4096 bytes (2.4.1.3.10 pads with 0x00): it cannot hold a short
        # last chunk losslessly. VBA source always compresses; random bytes may not.
        raise ValueError(f"the last {len(chunk)} bytes do not compress into one chunk")
    header = (MAX_CHUNK_BYTES - 3) | _CHUNK_SIGNATURE  # 2.4.1.3.10 Compressing a RawChunk
    return header.to_bytes(2, "little") + chunk


def compress(data: bytes) -> bytes:
    """A CompressedContainer holding ``data`` (2.4.1.3.6 Compression algorithm)."""
    out = bytearray([SIGNATURE])
    for start in range(0, len(data), CHUNK_SIZE):
        out += _compress_chunk(data[start:start + CHUNK_SIZE])
    return bytes(out)


def _decompress_chunk(container: bytes, start: int, end: int, out: bytearray) -> None:
    chunk_start = len(out)
    current = start
    while current < end:
        flags = container[current]
        current += 1
        for bit in range(8):
            if current >= end:
                break
            if not flags >> bit & 1:
                out.append(container[current])
                current += 1
                continue
            token = int.from_bytes(container[current:current + 2], "little")
            offset, length = unpack_copy_token(token, len(out) - chunk_start)
            source = len(out) - offset
            if source < chunk_start:
                raise ValueError("copy token reaches before its chunk")
            for index in range(source, source + length):
                out.append(out[index])
            current += 2


def decompress(container: bytes) -> bytes:
    """The data of a CompressedContainer (2.4.1.3.1 Decompression algorithm)."""
    if not container or container[0] != SIGNATURE:
        raise ValueError("not a CompressedContainer: the first byte must be 0x01")
    out = bytearray()
    current = 1
    while current < len(container):
        header = int.from_bytes(container[current:current + 2], "little")
        if header & 0x7000 != _CHUNK_SIGNATURE:
            raise ValueError(f"bad CompressedChunkSignature at byte {current}")
        size = (header & 0x0FFF) + 3
        end = min(current + size, len(container))
        if header & _COMPRESSED_FLAG:
            _decompress_chunk(container, current + 2, end, out)
        else:
            out += container[current + 2:current + 2 + CHUNK_SIZE]
        current += size
    return bytes(out)
