"""Packing 4-bit and 2-bit codes into bytes, so the stored size is real.

A byte holds 8 // bits codes; code i of a group sits at bit offset
``bits·(i mod per_byte)``, lowest first (little-endian within the byte, as
ONNX's int4 and GGML's formats). Signed codes are stored in two's complement
in their ``bits`` bits and sign-extended when unpacked. The number of codes
is kept beside the bytes, since the last byte may be only partly used.
"""

from __future__ import annotations

import numpy as np
from numba import njit


def code_range(bits: int, signed: bool) -> tuple:
    if bits not in (2, 4):
        raise ValueError(f"packing supports 2 or 4 bits per code, got bits={bits}")
    return (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)


def _check_codes(codes, bits, signed):
    codes = np.asarray(codes)
    if codes.dtype.kind not in "iu":
        raise TypeError(f"codes must be integers, got dtype {codes.dtype}")
    lo, hi = code_range(bits, signed)
    if codes.size and (codes.min() < lo or codes.max() > hi):
        bad = codes[(codes < lo) | (codes > hi)].ravel()[:5].tolist()
        raise ValueError(f"{'signed' if signed else 'unsigned'} {bits}-bit codes must lie in [{lo}, {hi}], "
                         f"found {bad}: packing them would silently wrap")
    return codes.ravel().astype(np.int64)


def pack_reference(codes, bits: int, signed: bool = True) -> np.ndarray:
    """The readable twin: uint8 bytes, ``8 // bits`` codes each, in NumPy."""
    flat = _check_codes(codes, bits, signed)
    per = 8 // bits
    padded = np.zeros(-(-flat.size // per) * per, dtype=np.int64)
    padded[: flat.size] = flat & ((1 << bits) - 1)                 # two's complement in `bits` bits
    groups = padded.reshape(-1, per)
    shifts = bits * np.arange(per)
    return np.bitwise_or.reduce(groups << shifts, axis=1).astype(np.uint8) if groups.size else \
        np.zeros(0, np.uint8)


def unpack_reference(packed, count: int, bits: int, signed: bool = True) -> np.ndarray:
    per = 8 // bits
    packed = np.asarray(packed, dtype=np.uint8).astype(np.int64)
    vals = ((packed[:, None] >> (bits * np.arange(per))) & ((1 << bits) - 1)).ravel()[:count]
    if signed:
        vals = np.where(vals >= 1 << (bits - 1), vals - (1 << bits), vals)   # sign-extend
    return vals.astype(np.int8)


@njit(cache=True)
def _pack(flat, bits, out):
    per = 8 // bits
    mask = (1 << bits) - 1
    for i in range(flat.shape[0]):
        out[i // per] |= np.uint8((flat[i] & mask) << (bits * (i % per)))


@njit(cache=True)
def _unpack(packed, count, bits, signed, out):
    per = 8 // bits
    mask = (1 << bits) - 1
    half = 1 << (bits - 1)
    for i in range(count):
        v = (np.int64(packed[i // per]) >> (bits * (i % per))) & mask
        if signed and v >= half:
            v -= 1 << bits                                        # sign-extend
        out[i] = v


def pack(codes, bits: int, signed: bool = True) -> np.ndarray:
    """Pack integer codes (any shape, flattened in C order) into uint8 bytes."""
    flat = _check_codes(codes, bits, signed)
    out = np.zeros(-(-flat.size // (8 // bits)), dtype=np.uint8)
    _pack(flat, bits, out)
    return out


def unpack(packed, count: int, bits: int, signed: bool = True) -> np.ndarray:
    """The first ``count`` codes of ``packed`` as int8."""
    code_range(bits, signed)
    packed = np.asarray(packed)
    if packed.dtype != np.uint8:
        raise TypeError(f"packed data must be uint8 bytes, got {packed.dtype}")
    if packed.ndim != 1:                      # the kernel is typed for 1-D: refuse before Numba does, in words
        raise ValueError(f"packed data must be a 1-D array of bytes (what pack returns), got shape {packed.shape}")
    if int(count) != count:
        raise TypeError(f"count must be a whole number of codes, got {count!r}")
    per = 8 // bits
    if not 0 <= count <= packed.size * per:
        raise ValueError(f"cannot unpack {count} codes of {bits} bits from {packed.size} bytes "
                         f"(they hold at most {packed.size * per}): the data is truncated")
    out = np.empty(count, dtype=np.int8)
    _unpack(packed, count, bits, signed, out)
    return out
