"""The compressed file: every byte of a pruned, weight-shared, Huffman-coded MLP, counted.

Layout (little-endian), per layer after a small header:

    out, in, k, index_bits, relu        shape and coding parameters
    codebook      k × float32           the shared weight values
    bias          out × float32         biases are kept in full precision
    entries       count of (gap, symbol) pairs, padding entries included
    symbol table  (symbol u16, length u8) per symbol   + Huffman stream of cluster indices
    gap table     (symbol u16, length u8) per gap value + Huffman stream of position gaps

and a CRC-32 of everything at the end, so a damaged or cut file is refused
with a clear error instead of decoding into a wrong model. The CRC catches
accidents (a flipped bit, a cut download), not tampering: anyone can write a
matching checksum. So the decoder also checks every declared count and
shape against the bytes that remain and against ``DecodeLimits`` before it
allocates anything, checks that widths chain and that values are finite,
and raises ``CorruptModelError`` for anything else.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

import numpy as np

from ..nn import Linear, ReLU, Sequential
from . import huffman
from .share import SharedLinear
from .sparse import decode_positions, encode_positions

MAGIC, VERSION = b"MCDC", 1
LAYER_HEAD = "<HHHBBI"                                   # out, in, k, index_bits, relu, entries
FILE_HEADER_BYTES = len(MAGIC) + struct.calcsize("<BH") + 4               # magic, version + layers, CRC-32
LAYER_HEADER_BYTES = struct.calcsize(LAYER_HEAD) + 2 * struct.calcsize("<II")   # + each stream's bits, bytes


class CorruptModelError(ValueError):
    """The bytes are not a complete, undamaged compressed model."""


@dataclass(frozen=True)
class DecodeLimits:
    """The largest model ``decode_model`` will build; raise them to read a bigger file on purpose."""

    weights_per_layer: int = 1 << 24          # 64 MiB of float32 per dense matrix
    weights: int = 1 << 26                    # 256 MiB for the whole model
    layers: int = 64
    max_code_length: int = 32                 # longer Huffman codes than this are never written


@dataclass
class Breakdown:
    """Bytes per part of the file."""

    codebooks: int = 0
    biases: int = 0
    index_streams: int = 0
    position_streams: int = 0
    huffman_tables: int = 0
    headers: int = 0
    padding_entries: int = 0
    per_layer: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.codebooks + self.biases + self.index_streams + self.position_streams + \
            self.huffman_tables + self.headers


def _table(lengths: dict) -> bytes:
    return struct.pack("<H", len(lengths)) + b"".join(struct.pack("<HB", s, l) for s, l in sorted(lengths.items()))


def _stream(symbols) -> tuple:
    lengths = huffman.code_lengths(symbols)
    data, nbits = huffman.encode(symbols, lengths)
    return lengths, _table(lengths), struct.pack("<I", nbits) + struct.pack("<I", len(data)) + data


def encode_model(model: Sequential, index_bits: int = 5) -> tuple:
    """(bytes, Breakdown) of a Sequential of SharedLinear and ReLU layers."""
    layers = [m for m in model if isinstance(m, SharedLinear)]
    if not layers or not all(isinstance(m, (SharedLinear, ReLU)) for m in model):
        raise TypeError("encode_model expects a weight-shared MLP (share_weights of a pruned model)")
    mods = list(model)
    out, b = [MAGIC, struct.pack("<BH", VERSION, len(layers))], Breakdown(headers=FILE_HEADER_BYTES)
    for i, m in enumerate(mods):
        if not isinstance(m, SharedLinear):
            continue
        relu = i + 1 < len(mods) and isinstance(mods[i + 1], ReLU)
        k = m.codebook.data.size
        keep = m.mask.astype(bool)
        gaps, syms = encode_positions(keep, m.idx, index_bits, pad_symbol=k)
        head = struct.pack(LAYER_HEAD, m.out_features, m.in_features, k, index_bits, int(relu), len(syms))
        codebook = m.codebook.data.astype("<f4").tobytes()
        bias = m.bias.data.astype("<f4").tobytes()
        _, sym_table, sym_stream = _stream(syms)
        _, gap_table, gap_stream = _stream(gaps)
        out += [head, codebook, bias, sym_table, sym_stream, gap_table, gap_stream]
        b.headers += LAYER_HEADER_BYTES
        b.codebooks += len(codebook)
        b.biases += len(bias)
        b.huffman_tables += len(sym_table) + len(gap_table)
        b.index_streams += len(sym_stream) - 8
        b.position_streams += len(gap_stream) - 8
        b.padding_entries += int(np.sum(syms == k))
        b.per_layer.append({"weights": keep.size, "kept": int(keep.sum()), "entries": len(syms),
                            "bytes": len(head) + len(codebook) + len(bias) + len(sym_table) + len(sym_stream)
                            + len(gap_table) + len(gap_stream)})
    payload = b"".join(out)
    return payload + struct.pack("<I", zlib.crc32(payload)), b


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise CorruptModelError(f"the file ends at byte {len(self.data)} but {self.pos + n} are needed: "
                                    "it is truncated")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def unpack(self, fmt: str):
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))

    def table(self, limits: DecodeLimits) -> dict:
        """A canonical Huffman table: symbol → length, each length in 1..max, the lengths a prefix code."""
        (n,) = self.unpack("<H")
        if 3 * n > len(self.data) - self.pos:
            raise CorruptModelError(f"a code table declares {n} symbols but only {len(self.data) - self.pos} "
                                    "bytes remain: truncated or corrupted")
        lengths = dict(self.unpack("<HB") for _ in range(n))
        if len(lengths) != n or any(not 1 <= v <= limits.max_code_length for v in lengths.values()):
            raise CorruptModelError(f"a code table repeats a symbol or has a code length outside "
                                    f"1..{limits.max_code_length}: corrupted")
        if sum(2.0 ** -v for v in lengths.values()) > 1.0:
            raise CorruptModelError("a code table's lengths break Kraft's inequality (Σ 2^−length > 1): "
                                    "no prefix code has them, so the table is corrupted")
        return lengths

    def stream(self, count: int, lengths: dict) -> np.ndarray:
        nbits, nbytes = self.unpack("<II")
        if nbytes > len(self.data) - self.pos or nbits > 8 * nbytes:
            raise CorruptModelError(f"a stream declares {nbytes} bytes ({nbits} bits) but only "
                                    f"{len(self.data) - self.pos} bytes remain: truncated or corrupted")
        if count > nbits:                      # every symbol takes at least one bit: check before allocating
            raise CorruptModelError(f"a stream declares {count} symbols in {nbits} bits; each needs at least "
                                    "one: corrupted")
        try:
            return huffman.decode(self.take(nbytes), nbits, count, lengths)
        except huffman.DecodeError as exc:
            raise CorruptModelError(str(exc)) from None


def decode_model(data: bytes, limits: DecodeLimits = DecodeLimits()) -> Sequential:
    """The MLP (Linear and ReLU, float32) that ``encode_model`` stored; refuses damaged bytes.

    Every declared size is checked against the bytes that remain and
    against ``limits`` before anything is allocated, so no file, however
    made, can ask for gigabytes; every problem is a ``CorruptModelError``.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"decode_model reads bytes (open the file with 'rb'), got {type(data).__name__}")
    data = bytes(data)
    if len(data) < FILE_HEADER_BYTES or data[:4] != MAGIC:
        raise CorruptModelError("not a minicompress compressed model (the file does not start with 'MCDC')")
    payload, (crc,) = data[:-4], struct.unpack("<I", data[-4:])
    if zlib.crc32(payload) != crc:
        raise CorruptModelError("the checksum does not match: the file is corrupted or truncated")
    r = _Reader(payload)
    r.take(4)
    version, n_layers = r.unpack("<BH")
    if version != VERSION:
        raise CorruptModelError(f"file version {version}, this minicompress reads version {VERSION}")
    if not 1 <= n_layers <= limits.layers:
        raise CorruptModelError(f"the file declares {n_layers} layers; a model has 1 to {limits.layers}")
    layers, total, width = [], 0, None
    for i in range(n_layers):
        out_f, in_f, k, bits, relu, count = r.unpack(LAYER_HEAD)
        size = out_f * in_f
        total += size
        if out_f < 1 or in_f < 1 or not 1 <= bits <= 16 or relu not in (0, 1):
            raise CorruptModelError(f"layer {i} declares {out_f}×{in_f} weights, {bits}-bit gaps and "
                                    f"relu={relu}: a layer needs at least 1×1 weights, bits 1..16, relu 0 or 1")
        if width is not None and in_f != width:
            raise CorruptModelError(f"layer {i} takes {in_f} inputs but layer {i - 1} gives {width}: "
                                    "the widths do not chain")
        if size > limits.weights_per_layer or total > limits.weights:
            raise CorruptModelError(f"layer {i} declares {out_f}×{in_f} weights ({total:,} so far), more than "
                                    f"DecodeLimits allows ({limits.weights_per_layer:,} per layer, "
                                    f"{limits.weights:,} in all)")
        if count > size:
            raise CorruptModelError(f"layer {i} declares {count} entries for {size} weights: corrupted")
        width = out_f
        codebook = np.frombuffer(r.take(4 * k), dtype="<f4")
        bias = np.frombuffer(r.take(4 * out_f), dtype="<f4")
        if not (np.all(np.isfinite(codebook)) and np.all(np.isfinite(bias))):
            raise CorruptModelError(f"layer {i} holds NaN or infinite shared values or biases")
        syms = r.stream(count, r.table(limits))
        gaps = r.stream(count, r.table(limits))
        try:
            keep, cell = decode_positions(gaps, syms, out_f * in_f, pad_symbol=k)
        except ValueError as exc:
            raise CorruptModelError(str(exc)) from None
        if keep.any() and cell[keep].max() >= k:
            raise CorruptModelError(f"a cluster index {cell[keep].max()} exceeds the codebook of {k}")
        weight = np.zeros(out_f * in_f, dtype=np.float32)
        weight[keep] = codebook[cell[keep]]
        weight = weight.reshape(out_f, in_f)
        lin = Linear(in_f, out_f)
        lin.load_state_dict({"weight": weight, "bias": bias.astype(np.float32)})
        layers.append(lin)
        if relu:
            layers.append(ReLU())
    if r.pos != len(payload):
        raise CorruptModelError(f"{len(payload) - r.pos} unexpected bytes after the last layer")
    return Sequential(*layers)
