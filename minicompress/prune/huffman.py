"""Huffman coding (Huffman 1952) of small non-negative integer symbols, canonical and deterministic.

Frequent symbols get short codes: a code's length is about −log2 of its
symbol's frequency, so the stream approaches the entropy of the symbols.
Deep Compression (§4) Huffman-codes the cluster indices and the sparse
position gaps, whose distributions are far from uniform.

The code is canonical: only the code *lengths* are stored, and codes are
assigned in order of (length, symbol), so encoder and decoder build the same
table. Ties in the tree are broken by symbol value, so the result does not
depend on dictionary order. A lone symbol gets a 1-bit code.
"""

from __future__ import annotations

import heapq

import numpy as np


class DecodeError(ValueError):
    """The bytes are not a valid encoding (corrupted or truncated)."""


def code_lengths(symbols: np.ndarray) -> dict:
    """{symbol: code length in bits} for the symbols' frequencies."""
    values, counts = np.unique(np.asarray(symbols, dtype=np.int64), return_counts=True)
    if values.size == 0:
        return {}
    if values.size == 1:
        return {int(values[0]): 1}
    # heap of (count, smallest symbol in subtree, tie counter, {symbol: depth})
    heap = [(int(c), int(v), i, {int(v): 0}) for i, (v, c) in enumerate(zip(values, counts))]
    heapq.heapify(heap)
    counter = len(heap)
    while len(heap) > 1:
        c1, s1, _, d1 = heapq.heappop(heap)
        c2, s2, _, d2 = heapq.heappop(heap)
        merged = {s: d + 1 for s, d in {**d1, **d2}.items()}
        heapq.heappush(heap, (c1 + c2, min(s1, s2), counter, merged))
        counter += 1
    return heap[0][3]


def canonical_codes(lengths: dict) -> dict:
    """{symbol: (code as int, length)} assigned in (length, symbol) order."""
    codes, code, prev = {}, 0, 0
    for sym, length in sorted(lengths.items(), key=lambda kv: (kv[1], kv[0])):
        code <<= length - prev
        codes[sym] = (code, length)
        code += 1
        prev = length
    return codes


def encode(symbols, lengths: dict) -> tuple:
    """(packed bytes, number of bits) of ``symbols`` with the canonical code of ``lengths``."""
    codes = canonical_codes(lengths)
    bits = []
    for s in np.asarray(symbols, dtype=np.int64).ravel():
        if int(s) not in codes:
            raise ValueError(f"symbol {int(s)} has no code in the table")
        code, length = codes[int(s)]
        bits.extend((code >> (length - 1 - i)) & 1 for i in range(length))
    return np.packbits(np.array(bits, dtype=np.uint8)).tobytes(), len(bits)


def decode(data: bytes, nbits: int, count: int, lengths: dict) -> np.ndarray:
    """The ``count`` symbols in the first ``nbits`` bits of ``data``; DecodeError if they are not there."""
    if nbits > 8 * len(data):
        raise DecodeError(f"the stream claims {nbits} bits but holds only {8 * len(data)}: truncated")
    lookup = {(code, length): sym for sym, (code, length) in canonical_codes(lengths).items()}
    max_len = max((length for _, length in lookup), default=0)
    bits = np.unpackbits(np.frombuffer(data, dtype=np.uint8))[:nbits]
    out = np.empty(count, dtype=np.int64)
    pos = 0
    for i in range(count):
        code, length = 0, 0
        while True:
            if pos >= nbits:
                raise DecodeError(f"the stream ended after {i} of {count} symbols: truncated or corrupted")
            code = (code << 1) | int(bits[pos])
            pos += 1
            length += 1
            if (code, length) in lookup:
                out[i] = lookup[(code, length)]
                break
            if length >= max_len:
                raise DecodeError(f"bits {pos - length}..{pos} match no code: the stream is corrupted")
    if pos != nbits:
        raise DecodeError(f"{nbits - pos} bits left over after {count} symbols: the stream is corrupted")
    return out
