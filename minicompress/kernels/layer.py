"""One int8 layer, fused: int8 codes in, int8 codes out, integer arithmetic only.

    acc[i, j] = Σ_k x_c[i, k]·w_c[k, j] + bias[j]                      (int32)
    y_c[i, j] = clamp(z_out + round(acc[i, j]·M_j), lo, hi),   M_j = M0_j·2^(−31−n_j)

``layer_reference`` is the readable twin: the three steps as plain functions
(``gemm_int8_reference``, an int32 add, ``requantize_reference``), each a
value a reader can print. ``layer_int8`` does the same in one kernel
(``microkernel._layer_*``): for each strip of 64 rows, the register-tile GEMM,
then the output pipeline (bias, fixed-point multiplier, zero point, clamp;
ReLU is the lower clamp) on the tile's registers, before anything is stored;
only the rows left over at the bottom of a strip, and layers whose K needs
more than one pass, go through a local int32 block. The unfused path makes
three passes over a (B, N) int32 array in memory: the GEMM writes it, the
bias add reads and writes it, requantize reads it again.

VNNI: where the processor has ``vpdpbusd`` (``cpu.vnni_available``),
the tile multiplies four int8 pairs per lane and instruction instead of two.
Its first factor is unsigned, so x_c + 128 goes in and the bias takes back
128·Σ_k w_c[k, j], computed here, offline (``bias_vnni``). Elsewhere, and with
``MINICOMPRESS_VNNI=0``, the portable tile runs; both give the same codes.

Threads: a parallel region costs a few microseconds to start and fills two
cores only with at least two strips, so batches below ``SERIAL_BELOW`` rows
run on one thread (``bench kernels`` measures both sides of that choice).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numba import get_num_threads as _threads
from numba.core import config

from .cpu import vnni_available
from .gemm import PackedB, check_gemm_inputs, gemm_int8_reference, prepare_b
from .microkernel import MR, ROWS_PER_TASK, _layer_parallel, _layer_parallel_vnni, _layer_serial, _layer_serial_vnni
from .requant import MAX_SHIFT, MIN_SHIFT, requantize_reference
from .twins import NR, epilogue_params, pack_b_quads

# Rows below which one thread runs. Measured with `bench kernels` (the whole network, serial against
# parallel): called back to back, the parallel region pays from about 24 rows (16: 0.017 against
# 0.016 ms; 128: 0.088 against 0.055). But after about 0.3 ms idle the OpenMP threads sleep
# (threads.py), and waking them costs about 0.1 ms, which a batch below about 300 rows does not
# earn back. 128 rows is between the two cases.
SERIAL_BELOW = 128
_JIT_OFF = config.DISABLE_JIT


@dataclass(frozen=True)
class PreparedLayer:
    """Everything one fused layer needs at run time, checked once here (the kernel trusts it)."""

    packed: PackedB           # the weight codes w_c (K, N), packed for the register tile
    bias: np.ndarray          # (N,) int32, in units of the accumulator (zero point of x folded in)
    M0: np.ndarray            # (N,) int64 in [2^30, 2^31)
    n: np.ndarray             # (N,) int64 in [MIN_SHIFT, MAX_SHIFT]
    z_out: int
    lo: int                   # the lower clamp: −128, or z_out after a ReLU
    hi: int
    quads: np.ndarray         # the weight codes packed in k-quads for the VNNI tile (pack_b_quads)
    bias_vnni: np.ndarray     # (N,) int32: bias − 128·Σ_k w_c[k, j], for inputs shifted to x_c + 128
    epi: np.ndarray = field(init=False, repr=False)        # (EPI_ROWS, N') int32: the output pipeline's constants,
                                                           # N' = N padded to whole panels with inert columns
    epi_vnni: np.ndarray = field(init=False, repr=False)   # (twins.epilogue_params), with bias and bias_vnni

    def __post_init__(self):
        N = self.packed.n
        for name, arr, dtype in (("bias", self.bias, np.int32), ("M0", self.M0, np.int64), ("n", self.n, np.int64)):
            if not (isinstance(arr, np.ndarray) and arr.dtype == dtype and arr.shape == (N,)):
                raise ValueError(f"PreparedLayer: {name} must be a ({N},) {np.dtype(dtype).name} array, one per "
                                 f"output column, got {getattr(arr, 'dtype', type(arr).__name__)} "
                                 f"{getattr(arr, 'shape', '')}")
        if N and (self.M0.min() < 2 ** 30 or self.M0.max() >= 2 ** 31):
            raise ValueError("PreparedLayer: M0 must lie in [2^30, 2^31) (a Q31 number in [0.5, 1)); "
                             "use quantize_multiplier")
        if N and (self.n.min() < MIN_SHIFT or self.n.max() > MAX_SHIFT):
            raise ValueError(f"PreparedLayer: shifts must lie in [{MIN_SHIFT}, {MAX_SHIFT}], got "
                             f"{self.n.min()}..{self.n.max()}; quantize_multiplier returns only these")
        if not -128 <= self.lo <= self.hi <= 127:
            raise ValueError(f"PreparedLayer: the clamp [{self.lo}, {self.hi}] must lie within int8 [−128, 127]")
        if not -128 <= self.z_out <= 127:
            raise ValueError(f"PreparedLayer: the output zero point {self.z_out} must be an int8 code")
        bound = int(np.abs(self.bias.astype(np.int64)).max(initial=0)) + self.packed.k * 128 * 128
        if bound > 2 ** 31 - 1:
            raise OverflowError(f"PreparedLayer: |bias| + K·128·128 = {bound} > 2^31 − 1, so the accumulator plus "
                                "bias could leave int32, where the kernel adds them; use a coarser bias step "
                                "or fewer inputs")
        # Derived once, here, so that a run pays for no NumPy work before its one kernel call.
        for name, bias in (("epi", self.bias), ("epi_vnni", self.bias_vnni)):
            object.__setattr__(self, name, epilogue_params(bias, self.M0, self.n, self.z_out, self.lo, self.hi,
                                                           width=-(-N // NR) * NR))


def prepare_layer(w_c, bias, M0, n, z_out: int, lo: int = -128, hi: int = 127) -> PreparedLayer:
    """Pack the weight codes (K, N) once, for both tiles, and check every per-column constant; offline."""
    w_c = np.ascontiguousarray(w_c)
    bias = np.asarray(bias, dtype=np.int32).copy()
    packed = prepare_b(w_c)                                            # checks w_c: int8, 2-D
    if bias.shape != (w_c.shape[1],):
        raise ValueError(f"PreparedLayer: bias must be a ({w_c.shape[1]},) int32 array, one per output column, "
                         f"got shape {bias.shape}")
    # |bias − 128·Σ_k w| ≤ |bias| + 128·128·K, which PreparedLayer bounds below 2^31: int32 holds it
    shifted = bias.astype(np.int64) - 128 * w_c.astype(np.int64).sum(axis=0)
    return PreparedLayer(packed, bias, np.asarray(M0, dtype=np.int64).copy(), np.asarray(n, dtype=np.int64).copy(),
                         int(z_out), int(lo), int(hi), pack_b_quads(w_c), shifted.astype(np.int32))


def layer_reference(x_c, w_c, bias, M0, n, z_out: int, lo: int = -128, hi: int = 127) -> np.ndarray:
    """The readable twin: GEMM, then + bias, then requantize, each a plain function."""
    acc = gemm_int8_reference(x_c, w_c).astype(np.int64) + np.asarray(bias, dtype=np.int64)  # step 1 and 2
    if acc.size and (acc.min() < -(2 ** 31) or acc.max() > 2 ** 31 - 1):
        raise OverflowError("the accumulator plus bias left int32: the layer's bounds were not checked offline")
    return requantize_reference(acc, M0, n, z_out, lo, hi).astype(np.int8)                  # step 3


def input_codes(x_c, layer: PreparedLayer) -> np.ndarray:
    """x_c as the kernels take it (C-contiguous int8, (B, K) for this layer), or a clear error."""
    if not (isinstance(x_c, np.ndarray) and x_c.dtype == np.int8 and x_c.ndim == 2
            and x_c.shape[1] == layer.packed.k):
        check_gemm_inputs(x_c, np.broadcast_to(np.int8(0), (layer.packed.k, layer.packed.n)))   # says what is wrong
    return np.ascontiguousarray(x_c)


def use_vnni(vnni: bool | None) -> bool:
    """None: the VNNI tile where the processor has it. True where it has not: an error (with the JIT
    off, the tile's NumPy twin runs everywhere, which is how CI checks that path)."""
    if vnni is None:
        return vnni_available()
    if vnni and not (_JIT_OFF or vnni_available()):
        raise RuntimeError("vnni=True: this processor has no vpdpbusd (AVX512-VNNI or AVX-VNNI), "
                           "or MINICOMPRESS_VNNI=0; leave vnni=None to use the portable tile")
    return bool(vnni)


def layer_int8(x_c: np.ndarray, layer: PreparedLayer, parallel: bool | None = None,
               vnni: bool | None = None, finish: bool = True) -> np.ndarray:
    """y_c (B, N) int8 from x_c (B, K) int8 in one fused kernel; identical to :func:`layer_reference`.

    ``parallel=None`` chooses by the batch: one thread below ``SERIAL_BELOW`` rows. ``vnni=None`` uses
    the VNNI tile where the processor has it; ``vnni=True`` elsewhere is an error (with the JIT off
    it runs the tile's NumPy twin, which is how CI checks that path everywhere). ``finish=False``
    runs the GEMM alone and returns garbage: ``bench kernels`` times the two halves apart with it.
    """
    if not isinstance(layer, PreparedLayer):
        raise TypeError(f"layer_int8 needs a PreparedLayer (prepare_layer), got {type(layer).__name__}")
    x_c = input_codes(x_c, layer)
    B = x_c.shape[0]
    if parallel is None:
        parallel = B >= SERIAL_BELOW
    rows = max(MR, min(ROWS_PER_TASK, -(-B // (2 * _threads())))) if parallel else ROWS_PER_TASK
    rows = -(-rows // MR) * MR
    out = np.empty((B, layer.packed.n), dtype=np.int8)
    if use_vnni(vnni):
        kernel = _layer_parallel_vnni if parallel else _layer_serial_vnni
        kernel(x_c, layer.quads, layer.epi_vnni, rows, out, finish)
    else:
        kernel = _layer_parallel if parallel else _layer_serial
        kernel(x_c, layer.packed.panels, layer.epi, rows, out, finish)
    return out
