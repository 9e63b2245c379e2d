"""Relative (gap) encoding of a sparse matrix's non-zero positions (Deep Compression §2).

Instead of absolute positions, store for each kept weight the number of
zeros since the previous one, in ``index_bits`` bits. A run of zeros longer
than the largest gap 2^b − 1 is bridged by a *padding entry*: a gap of
2^b − 1 followed by a stored zero (here the extra symbol k, "no weight").
The paper's example: 3 bits, a gap of 8 zeros needs one padding zero.
"""

from __future__ import annotations

import numpy as np


def encode_positions(keep: np.ndarray, symbols: np.ndarray, index_bits: int, pad_symbol: int) -> tuple:
    """(gaps, symbols) entries for the True cells of ``keep`` (row-major); padding where gaps overflow."""
    if not 1 <= index_bits <= 16:
        raise ValueError(f"index_bits must be 1..16, got {index_bits}")
    max_gap = (1 << index_bits) - 1
    positions = np.flatnonzero(np.asarray(keep).ravel())
    syms = np.asarray(symbols).ravel()[positions]
    gaps, out, prev = [], [], -1
    for p, s in zip(positions, syms):
        gap = p - prev - 1
        while gap > max_gap:                       # bridge a long run of zeros with padding entries
            gaps.append(max_gap)
            out.append(pad_symbol)
            gap -= max_gap + 1
        gaps.append(gap)
        out.append(int(s))
        prev = p
    return np.array(gaps, dtype=np.int64), np.array(out, dtype=np.int64)


def decode_positions(gaps: np.ndarray, symbols: np.ndarray, size: int, pad_symbol: int) -> tuple:
    """(keep mask, symbol per cell) of length ``size`` from the entries; padding entries hold no weight."""
    keep = np.zeros(size, dtype=bool)
    cell = np.zeros(size, dtype=np.int64)
    pos = -1
    for g, s in zip(gaps, symbols):
        pos += int(g) + 1
        if pos >= size:
            raise ValueError(f"position {pos} is beyond the {size} weights of the layer: corrupted data")
        if s != pad_symbol:
            keep[pos], cell[pos] = True, s
    return keep, cell
