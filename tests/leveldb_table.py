"""A test-side LevelDB table writer, to make the checkpoint indexes other TensorFlow builds wrote.

TensorFlow 2.15 writes ``variables.index`` uncompressed; released builds such
as TF 1.14 and 2.10 wrote Snappy-compressed blocks. This writer follows
LevelDB's ``table_builder.cc`` / ``block_builder.cc`` (prefix-compressed keys,
a restart point every 16 entries, a block trailer of a compression type byte
and a masked CRC32C over the stored bytes and that byte, a 48-byte footer) and
compresses blocks with real Snappy (``cramjam``). Tests hand what it writes to
TensorFlow's own reader (``tf.train.load_checkpoint``), which is the judge.
"""

from __future__ import annotations

import cramjam

from hublint.module import index

MAGIC = 0xDB4775248B80FB57
RESTART_INTERVAL = 16

#: "leveldb": compress a block only when that saves at least 1/8 (LevelDB's rule: real files mix
#: both kinds); "always": every block Snappy-compressed; "never": plain blocks.
COMPRESSION_MODES = ("leveldb", "always", "never")


def snappy(data: bytes) -> bytes:
    """Raw (unframed) Snappy, as LevelDB stores a compressed block."""
    return bytes(cramjam.snappy.compress_raw(data))


def varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def table_entries(data: bytes) -> list[tuple[bytes, bytes]]:
    """The ``(key, value)`` pairs of an index TensorFlow wrote, in order (uncompressed tables)."""
    footer = len(data) - 48
    _, _, pos = index._handle(data, footer, len(data) - 8)
    index_offset, index_size, _ = index._handle(data, pos, len(data) - 8)
    pairs = []
    for _, handle in index._entries(index._block(data, index_offset, index_size, "index"), "index"):
        offset, size, _ = index._handle(handle, 0, len(handle))
        pairs.extend(index._entries(index._block(data, offset, size, "data"), "data"))
    return pairs


def _block(pairs: list[tuple[bytes, bytes]], restart_interval: int) -> bytes:
    out = bytearray()
    restarts = []
    last = b""
    for number, (key, value) in enumerate(pairs):
        shared = 0
        if number % restart_interval == 0:
            restarts.append(len(out))
        else:
            limit = min(len(last), len(key))
            while shared < limit and last[shared] == key[shared]:
                shared += 1
        out += varint(shared) + varint(len(key) - shared) + varint(len(value)) + key[shared:] + value
        last = key
    if not restarts:
        restarts.append(0)
    for restart in restarts:
        out += restart.to_bytes(4, "little")
    out += len(restarts).to_bytes(4, "little")
    return bytes(out)


def write_table(pairs: list[tuple[bytes, bytes]], block_size: int = 4096, compression: str = "leveldb",
                damage=None) -> bytes:
    """A LevelDB table holding ``pairs`` (sorted keys), with blocks of about ``block_size`` bytes.

    ``damage(stored) -> bytes``, when given, changes each stored (maybe compressed) block before
    its CRC is computed: the damage passes the checksum and reaches the block decoders.
    """
    assert compression in COMPRESSION_MODES
    out = bytearray()

    def write_block(raw: bytes) -> bytes:
        kind, stored = 0, raw
        if compression != "never":
            packed = snappy(raw)
            if compression == "always" or len(packed) < len(raw) - len(raw) // 8:
                kind, stored = 1, packed
        if damage is not None:
            stored = damage(stored)
        handle = varint(len(out)) + varint(len(stored))
        out.extend(stored)
        out.append(kind)
        out.extend(index.masked_crc32c(stored + bytes([kind])).to_bytes(4, "little"))
        return handle

    index_pairs = []
    pending: list[tuple[bytes, bytes]] = []
    size = 0
    for key, value in pairs:
        pending.append((key, value))
        size += len(key) + len(value) + 3
        if size >= block_size:
            # The last key of a block is a valid separator: every key of the block is <= it.
            index_pairs.append((key, write_block(_block(pending, RESTART_INTERVAL))))
            pending, size = [], 0
    if pending:
        index_pairs.append((pending[-1][0], write_block(_block(pending, RESTART_INTERVAL))))
    metaindex = write_block(_block([], RESTART_INTERVAL))
    index_handle = write_block(_block(index_pairs, 1))
    footer = (metaindex + index_handle).ljust(40, b"\0") + MAGIC.to_bytes(8, "little")
    return bytes(out) + footer


def compressed_blocks(data: bytes) -> int:
    """How many data blocks of a table are Snappy-compressed (to prove a test made some)."""
    footer = len(data) - 48
    _, _, pos = index._handle(data, footer, len(data) - 8)
    index_offset, index_size, _ = index._handle(data, pos, len(data) - 8)
    index_block = index._block(data, index_offset, index_size, "index")
    count = 0
    for _, handle in index._entries(index_block, "index"):
        offset, size, _ = index._handle(handle, 0, len(handle))
        count += data[offset + size] == 1
    return count
