"""A whole int8 MLP in one kernel call: real inputs in, the input's and every layer's int8 codes out.

    h_0 = x_c = quantize(x),   h_{l+1} = layer_l(h_l)   for each strip of rows, all steps in turn

The per-layer path (``layer.layer_int8``) calls one kernel per layer: each call starts the
threads again, and each layer's output leaves the cache before the next layer reads it.
Here the rows are cut into strips, and each thread takes a strip through quantizing its
inputs and then every layer (``microkernel._network_*``): a strip's activations go from step
to step while in cache, and a forward pass pays for one parallel region. The codes are the same as the per-layer
path's, bit for bit (the tests compare them with ``layer.layer_reference`` layer by layer).

Numba compiles the kernel once per number of layers (the layers travel as a tuple, and a
tuple's length is part of its type): about 4 s for each new depth, then cached on disk.
"""

from __future__ import annotations

import numpy as np
from numba import get_num_threads

from .layer import SERIAL_BELOW, PreparedLayer, input_codes, use_vnni
from .microkernel import (
    MR,
    ROWS_PER_TASK,
    _network_parallel,
    _network_parallel_vnni,
    _network_serial,
    _network_serial_vnni,
)


def check_chain(layers) -> None:
    """Every layer a PreparedLayer, each taking as many inputs as the one before gives outputs."""
    if not layers:
        raise ValueError("network_int8 needs at least one layer")
    for i, L in enumerate(layers):
        if not isinstance(L, PreparedLayer):
            raise TypeError(f"network_int8: layer {i} is a {type(L).__name__}, not a PreparedLayer (prepare_layer)")
        if i and L.packed.k != layers[i - 1].packed.n:
            raise ValueError(f"network_int8: layer {i} takes {L.packed.k} inputs but layer {i - 1} gives "
                             f"{layers[i - 1].packed.n} outputs")


def shares(B: int, threads: int) -> np.ndarray:
    """Row bounds of each thread's share: as equal as whole 4-row tiles allow (450 rows on 2 threads:
    228 and 222, where strips of 64 dealt out in turn give 256 and 194)."""
    tiles = -(-B // MR)
    cut = [min(B, MR * (tiles * p // threads)) for p in range(threads + 1)]
    return np.array(cut, dtype=np.int64)


def network_from_float(X, q_in: float, z_in: int, layers, parallel: bool | None = None,
                       vnni: bool | None = None) -> list:
    """[x_c, h_1, ..., h_L]: the input's codes, then every layer's, for real inputs X (B, K_0), in one call.

    Each strip quantizes its own rows first, x_c = clamp(round_half_away(x / q_in) + z_in, −128, 127),
    with the division in float64 as ``quant.quantize`` does, so the codes are the same bit for bit.
    ``parallel`` and ``vnni`` choose as in :func:`layer.layer_int8` (one thread below ``SERIAL_BELOW``
    rows; the VNNI tile where the processor has it).
    """
    check_chain(layers)
    X = np.ascontiguousarray(X, dtype=np.float32)
    if X.ndim != 2 or X.shape[1] != layers[0].packed.k:
        raise ValueError(f"network_from_float needs X of shape (B, {layers[0].packed.k}), got {X.shape}")
    if not (np.isfinite(q_in) and q_in > 0):
        raise ValueError(f"q_in must be > 0 and finite, got {q_in}: the step size divides x")
    if not -128 <= z_in <= 127:
        raise ValueError(f"z_in must be an int8 code, got {z_in}")
    B = X.shape[0]
    if parallel is None:
        parallel = B >= SERIAL_BELOW
    bounds = shares(B, get_num_threads() if parallel else 1)
    x_c = np.empty(X.shape, np.int8)
    outs = tuple(np.empty((B, L.packed.n), np.int8) for L in layers)
    if use_vnni(vnni):
        kernel = _network_parallel_vnni if parallel else _network_serial_vnni
        bad = kernel(X, np.float64(q_in), np.float64(z_in), x_c, tuple(L.quads for L in layers),
                     tuple(L.epi_vnni for L in layers), outs, bounds, ROWS_PER_TASK)
    else:
        kernel = _network_parallel if parallel else _network_serial
        bad = kernel(X, np.float64(q_in), np.float64(z_in), x_c, tuple(L.packed.panels for L in layers),
                     tuple(L.epi for L in layers), outs, bounds, ROWS_PER_TASK)
    if bad:
        raise ValueError("x contains NaN or inf, which have no quantized code")
    return [x_c, *outs]


def network_int8(x_c: np.ndarray, layers, parallel: bool | None = None, vnni: bool | None = None) -> list:
    """[h_1, ..., h_L]: every layer's int8 codes (B, N_l) for the input codes x_c (B, K_0), in one call.

    The codes go in as real numbers with step 1 and zero point 0, which quantize back to themselves
    exactly (one extra pass over the input, which the integer MLP's own path does not make).
    """
    check_chain(layers)
    x_c = input_codes(x_c, layers[0])
    return network_from_float(x_c.astype(np.float32), 1.0, 0, layers, parallel, vnni)[1:]
