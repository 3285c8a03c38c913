"""The checkpoint index (``variables/variables.index``) read without TensorFlow.

TensorFlow writes the index of a V2 checkpoint as a LevelDB-format table
(``tensorflow/core/lib/io/table_builder.cc``): data blocks of prefix-compressed
key/value entries with a restart array, an index block pointing at them, a
(empty) metaindex block and a 48-byte footer ending in a magic number.  Every
block is followed by a compression-type byte and a masked CRC32C; a block may
be raw-Snappy-compressed (type 1: released TensorFlow builds wrote such
indexes), and is then decoded here in pure Python.  The key
``""`` holds a ``BundleHeaderProto``; every other key is a variable whose value
is a ``BundleEntryProto`` (dtype, shape, shard, offset and size in the shard).

Only the index is read: the data shards are never opened, so memory does not
depend on the size of the variables.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field

from google.protobuf.message import DecodeError

from hublint.module import proto

_MAGIC = 0xDB4775248B80FB57
_FOOTER_BYTES = 48
_TRAILER_BYTES = 5  # compression type + masked crc32c
_NO_COMPRESSION, _SNAPPY = 0, 1
#: An index this big would describe millions of variables: treat it as damaged.
MAX_INDEX_BYTES = 256 << 20


class CorruptIndex(Exception):
    """The index cannot be read; the message says why in one line."""


@dataclass(frozen=True)
class CheckpointEntry:
    """One variable of the checkpoint, as the index describes it."""

    name: str
    dtype: int
    shape: tuple[int, ...]
    shard_id: int
    offset: int
    size: int
    sliced: bool = False  # a partitioned variable: the data lives in slice entries


@dataclass
class BundleIndex:
    """The decoded index: the header fields and one entry per saved variable."""

    num_shards: int
    endianness: int
    entries: dict[str, CheckpointEntry] = field(default_factory=dict)
    slice_keys: int = 0  # keys of partitioned-variable slices (they start with a NUL byte)


# -- crc32c (Castagnoli), for the block checksums -------------------------------------------

def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC_TABLE = _crc_table()


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    table = _CRC_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """LevelDB's masked form, so that a CRC of data holding CRCs is not degenerate."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


# -- raw Snappy (github.com/google/snappy, format_description.txt), for compressed blocks -----

#: LevelDB blocks are a few KiB (TensorFlow's bundle writer: 4 KiB, bigger only for one big entry);
#: a block declaring more than this uncompressed is damaged, and is refused before any work.
MAX_BLOCK_BYTES = 64 << 20
#: One element of 3 bytes expands to at most 64 bytes: no valid stream expands more than this.
_MAX_SNAPPY_RATIO = 22


def snappy_decompress(data: bytes, max_bytes: int = MAX_BLOCK_BYTES) -> bytes:
    """Decode one raw (unframed) Snappy stream; raises :class:`CorruptIndex` naming the fault.

    The stream is a varint uncompressed length, then elements: a literal (tag
    ``00``, its length in the tag or in 1-4 following bytes) or a copy of
    earlier output (tags ``01``/``10``/``11``: 1-, 2- or 4-byte offsets). The
    declared length bounds the output, so memory never exceeds it.
    """
    end = len(data)
    length, pos = _snappy_length(data)
    if length > max_bytes:
        raise CorruptIndex(f"it declares {length} uncompressed bytes (limit {max_bytes})")
    if length > (end - pos) * _MAX_SNAPPY_RATIO:
        raise CorruptIndex(f"it declares {length} uncompressed bytes, more than {end - pos} bytes can encode")
    out = bytearray()
    while pos < end:
        tag = data[pos]
        pos += 1
        kind = tag & 3
        if kind == 0:  # literal
            size = tag >> 2
            if size >= 60:
                extra = size - 59
                if pos + extra > end:
                    raise CorruptIndex("a literal's length runs past the end of the data")
                size = int.from_bytes(data[pos : pos + extra], "little")
                pos += extra
            size += 1
            if pos + size > end:
                raise CorruptIndex(f"a literal of {size} bytes runs past the end of the data")
            if len(out) + size > length:
                raise CorruptIndex(f"the data decodes to more than its declared {length} bytes")
            out += data[pos : pos + size]
            pos += size
            continue
        if kind == 1:
            if pos + 1 > end:
                raise CorruptIndex("a copy's offset runs past the end of the data")
            size = 4 + ((tag >> 2) & 7)
            distance = ((tag >> 5) << 8) | data[pos]
            pos += 1
        else:
            width = 2 if kind == 2 else 4
            if pos + width > end:
                raise CorruptIndex("a copy's offset runs past the end of the data")
            size = (tag >> 2) + 1
            distance = int.from_bytes(data[pos : pos + width], "little")
            pos += width
        if distance == 0 or distance > len(out):
            raise CorruptIndex(f"a copy refers {distance} bytes back, outside the {len(out)} bytes decoded so far")
        if len(out) + size > length:
            raise CorruptIndex(f"the data decodes to more than its declared {length} bytes")
        start = len(out) - distance
        if distance >= size:
            out += out[start : start + size]
        else:  # the copy overlaps its own output: the last `distance` bytes repeat
            pattern = out[start:]
            out += (pattern * (size // distance + 1))[:size]
    if len(out) != length:
        raise CorruptIndex(f"the data decodes to {len(out)} bytes, not the declared {length}")
    return bytes(out)


def _snappy_length(data: bytes) -> tuple[int, int]:
    result = shift = pos = 0
    while True:
        if pos >= len(data) or pos >= 5:
            raise CorruptIndex("its uncompressed length is not a valid varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            if result >= 1 << 32:
                raise CorruptIndex("its uncompressed length does not fit in 32 bits")
            return result, pos
        shift += 7


# -- table decoding -------------------------------------------------------------------------

def _varint(data: bytes, pos: int, end: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= end or shift > 63:
            raise CorruptIndex("a varint runs past the end of its block")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _block(data: bytes, offset: int, size: int, what: str) -> bytes:
    if offset < 0 or size < 0 or offset + size + _TRAILER_BYTES > len(data):
        raise CorruptIndex(f"the {what} block (offset {offset}, {size} bytes) lies outside the file")
    contents = data[offset : offset + size]
    kind = data[offset + size]
    stored = int.from_bytes(data[offset + size + 1 : offset + size + 5], "little")
    if stored != masked_crc32c(data[offset : offset + size + 1]):
        raise CorruptIndex(f"the {what} block at offset {offset} fails its CRC32C check")
    if kind == _SNAPPY:
        # Released TensorFlow builds (1.14, 2.10 among them) wrote Snappy-compressed index blocks;
        # the CRC above covers the compressed bytes, as in LevelDB's table format.
        try:
            return snappy_decompress(contents)
        except CorruptIndex as exc:
            raise CorruptIndex(f"the Snappy-compressed {what} block at offset {offset} is damaged: {exc}") from None
    if kind != _NO_COMPRESSION:
        raise CorruptIndex(f"the {what} block has unknown compression type {kind}")
    return contents


def _entries(block: bytes, what: str):
    """Yield ``(key, value)`` pairs of one block, undoing the key prefix compression."""
    if len(block) < 4:
        raise CorruptIndex(f"the {what} block is too short to hold its restart array")
    num_restarts = int.from_bytes(block[-4:], "little")
    limit = len(block) - 4 - 4 * num_restarts
    if num_restarts == 0 or limit < 0:
        raise CorruptIndex(f"the {what} block has an invalid restart count {num_restarts}")
    pos = 0
    key = b""
    while pos < limit:
        shared, pos = _varint(block, pos, limit)
        unshared, pos = _varint(block, pos, limit)
        value_len, pos = _varint(block, pos, limit)
        if shared > len(key) or pos + unshared + value_len > limit:
            raise CorruptIndex(f"an entry of the {what} block is malformed")
        key = key[:shared] + block[pos : pos + unshared]
        pos += unshared
        yield key, block[pos : pos + value_len]
        pos += value_len


def _handle(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
    offset, pos = _varint(data, pos, end)
    size, pos = _varint(data, pos, end)
    return offset, size, pos


def parse_index(data: bytes) -> BundleIndex:
    """Decode the bytes of a ``variables.index`` file; raises :class:`CorruptIndex`."""
    if len(data) < _FOOTER_BYTES:
        raise CorruptIndex(f"{len(data)} bytes is too short for a table footer ({_FOOTER_BYTES} bytes)")
    footer_start = len(data) - _FOOTER_BYTES
    if int.from_bytes(data[-8:], "little") != _MAGIC:
        raise CorruptIndex(
            "the file does not end with the table magic number: it is truncated, or not a checkpoint index"
        )
    _, _, pos = _handle(data, footer_start, len(data) - 8)  # the metaindex block: always empty
    index_offset, index_size, _ = _handle(data, pos, len(data) - 8)
    index_block = _block(data, index_offset, index_size, "index")

    header = None
    result = BundleIndex(num_shards=0, endianness=0)
    decoded = len(index_block)
    for _, handle in _entries(index_block, "index"):
        offset, size, _ = _handle(handle, 0, len(handle))
        block = _block(data, offset, size, "data")
        # Compressed blocks (or handles naming one block many times) could make a small file
        # decode to far more than any real index: stop at the limit of the file itself.
        decoded += len(block)
        if decoded > MAX_INDEX_BYTES:
            raise CorruptIndex(f"its blocks decode to more than {MAX_INDEX_BYTES} bytes, more than any real index")
        for key, value in _entries(block, "data"):
            if key == b"":
                header = _decode(proto.BundleHeaderProto, value, "the header")
                continue
            if key.startswith(b"\x00"):
                result.slice_keys += 1
                continue
            name = key.decode("utf-8", "replace")
            entry = _decode(proto.BundleEntryProto, value, f"the entry of {name!r}")
            result.entries[name] = CheckpointEntry(
                name=name,
                dtype=entry.dtype,
                shape=tuple(dim.size for dim in entry.shape.dim),
                shard_id=entry.shard_id,
                offset=entry.offset,
                size=entry.size,
                sliced=len(entry.slices) > 0,
            )
    if header is None:
        raise CorruptIndex("the index has no header entry (the empty key)")
    result.num_shards = header.num_shards
    result.endianness = header.endianness
    return result


def _decode(message_class, value: bytes, what: str):
    try:
        return message_class.FromString(value)
    except DecodeError as exc:
        raise CorruptIndex(f"{what} is not a valid protobuf message ({exc})") from None


def read_index(path: str, max_bytes: int = MAX_INDEX_BYTES) -> BundleIndex:
    """Read and decode the index file at ``path``; raises :class:`CorruptIndex` or ``OSError``."""
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise CorruptIndex("not a regular file")
    if info.st_size > max_bytes:
        raise CorruptIndex(f"{info.st_size} bytes is larger than any real index (limit {max_bytes})")
    with open(path, "rb") as handle:
        data = handle.read(max_bytes + 1)
    return parse_index(data)


def shard_name(shard_id: int, num_shards: int) -> str:
    """The file name TensorFlow gives data shard ``shard_id`` (``variables.data-00000-of-00001``)."""
    return f"variables.data-{shard_id:05d}-of-{num_shards:05d}"
