"""Integer-only inference of an MLP (Jacob et al. 2018; gemmlowp's quantization notes).

Real numbers and codes are tied by r = q·(r̂ − z) for every tensor: q the
step, r̂ the code, z the zero point (Jacob et al. write S·(q − z)). In code
a tensor's codes carry the suffix ``_c``: x_c, w_c, b_c, y_c. For one Linear
layer with input (q_x, z_x), per-channel weights (q_w[j], z_w = 0) and output
(q_y, z_y), the real equation y = x Wᵀ + b becomes, for output channel j,

    acc[j] = Σ_k (x_c[k] − z_x)·w_c[j, k] + b_c[j]          int32, b_c = round(b / (q_x·q_w[j]))
    y_c[j] = clamp(z_y + M[j]·acc[j], lo, 127),   M[j] = q_x·q_w[j] / q_y

ReLU costs nothing: real 0 is the code z_y, so ReLU is the lower clamp
lo = z_y. Everything that involves real numbers (choosing S and z, M as
(M0, n), the folded bias) happens once, offline, in ``from_float``; the
forward pass ``forward_codes`` touches only integers, from the int8 input
codes to the int8 logit codes.

At run time each layer is one fused kernel (``kernels.layer.layer_int8``):
the int8 GEMM and, on each 4×16 tile of its output while the sums are still
in registers, the folded bias, the multiplier, the zero point and the clamp.
The whole forward pass is one call (``kernels.network.network_from_float``):
each thread takes a strip of rows, quantizes it, and takes it through every
layer. ``forward_unfused`` runs
the same steps one pass at a time, for the benchmark's shares and for
reading; both give the same codes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..kernels.gemm import MAX_K, gemm_int8_prepared
from ..kernels.layer import PreparedLayer, prepare_layer
from ..kernels.network import network_from_float
from ..kernels.quantize import quantize_tensor
from ..kernels.requant import quantize_multiplier, requantize
from ..nn import Linear, ReLU, Sequential
from ..quant.qparams import choose_qparams, qparams_from_range
from ..quant.rounding import round_half_away
from ..quant.uniform import check_finite, quantize
from ..train import predict_logits

QMIN, QMAX = -128, 127          # activations: signed int8 with a zero point


@dataclass
class IntLayer:
    """Everything one layer needs at run time: integers only (the steps are kept for explaining)."""

    w_t: np.ndarray          # (in, out) int8 weight codes: x_c (B, in) @ w_t gives (B, out)
    fused: PreparedLayer     # w_t packed for the register tile, with bias, M0, n and the clamp: one kernel
    bias: np.ndarray         # (out,) int32: b_c − z_x·Σ_k w_c, the zero-point term folded in offline
    M0: np.ndarray           # (out,) int64 in [2^30, 2^31)
    n: np.ndarray            # (out,) int64 right shifts
    z_in: int
    z_out: int
    lo: int                  # lower clamp: z_out after ReLU, else −128
    relu: bool
    # offline, for inspection only (never used by forward_codes):
    q_in: float
    q_w: np.ndarray
    q_out: float
    b_c: np.ndarray          # (out,) int32 bias codes before folding
    weight_bits: int


class IntegerMLP:
    """An MLP that runs in int8/int32 arithmetic; build it with :meth:`from_float`."""

    def __init__(self, layers, q_in: float, z_in: int, float_model=None):
        self.layers, self.q_in, self.z_in, self.float_model = layers, q_in, z_in, float_model

    # --- offline: float code that chooses every integer ---------------------------------------
    @classmethod
    def from_float(cls, model, calib_data, weight_bits: int = 8, act_bits: int = 8):
        """Quantize ``model`` (Linear/ReLU Sequential) using ``calib_data`` to fix activation ranges."""
        if act_bits != 8:
            raise ValueError(f"the integer path uses int8 activations, got act_bits={act_bits}")
        if not 2 <= weight_bits <= 8:
            raise ValueError(f"weight_bits must be 2..8 (codes are stored in int8), got {weight_bits}")
        if calib_data is None or len(calib_data) == 0:
            raise ValueError("IntegerMLP.from_float needs calibration data: activation ranges are "
                             "fixed from it before the integer forward pass")
        mods = list(model) if isinstance(model, Sequential) else None
        if not mods or not all(isinstance(m, (Linear, ReLU)) for m in mods):
            raise TypeError("IntegerMLP.from_float expects a Sequential of Linear and ReLU layers (an MLP)")
        calib = np.asarray(check_finite(calib_data, "calib_data"), dtype=np.float64)
        # Calibration: the float model's input and every layer's output range.
        ranges, h = [(calib.min(), calib.max())], calib
        linears = []
        for i, m in enumerate(mods):
            if isinstance(m, Linear):
                relu = i + 1 < len(mods) and isinstance(mods[i + 1], ReLU)
                h = h @ m.weight.data.astype(np.float64).T + m.bias.data
                h = np.maximum(h, 0) if relu else h
                ranges.append((h.min(), h.max()))
                linears.append((m, relu))
        qp_in = qparams_from_range(*ranges[0], 8, "affine", signed=True)
        q_in, z_in = float(qp_in.q), int(qp_in.zero_point)
        layers, q_x, z_x = [], q_in, z_in
        for (m, relu), (lo_r, hi_r) in zip(linears, ranges[1:]):
            W, b = m.weight.data.astype(np.float64), m.bias.data.astype(np.float64)
            wqp = choose_qparams(W, weight_bits, "symmetric", axis=0)
            # subtle: a row whose weights are all but zero (a dead ReLU unit after weight
            # decay: max|w| ~ 1e-22 in the teacher) gets the floor MIN_STEP as its step,
            # and its weights quantize to 0, which is what they are. Its bias, in units
            # of q_x·q_w, must still fit in int32: where it would not, the step grows.
            q_w = np.maximum(np.asarray(wqp.q, dtype=np.float64), np.abs(b) / (q_x * 2.0 ** 30))
            w_c = quantize(W, q_w, weight_bits, axis=0, narrow=True).astype(np.int8)   # (out, in)
            b_c = round_half_away(b / (q_x * q_w)).astype(np.int64)            # step q_x·q_w, z = 0
            oqp = qparams_from_range(lo_r, hi_r, 8, "affine", signed=True)
            q_y, z_y = float(oqp.q), int(oqp.zero_point)
            mult = [quantize_multiplier(float(v)) for v in q_x * q_w / q_y]
            folded = b_c - z_x * w_c.astype(np.int64).sum(axis=1)
            if W.shape[1] > MAX_K or np.abs(folded).max() + W.shape[1] * 128 * 128 > 2 ** 31 - 1:
                raise OverflowError("this layer's int32 accumulator could overflow; use fewer inputs "
                                    "or a coarser bias step")
            M0 = np.array([p[0] for p in mult], np.int64)
            n = np.array([p[1] for p in mult], np.int64)
            lo = max(QMIN, z_y) if relu else QMIN
            layers.append(IntLayer(
                w_t=np.ascontiguousarray(w_c.T),
                fused=prepare_layer(w_c.T, folded.astype(np.int32), M0, n, z_y, lo, QMAX),
                bias=folded.astype(np.int32),
                M0=M0, n=n, z_in=z_x, z_out=z_y, lo=lo, relu=relu,
                q_in=q_x, q_w=q_w, q_out=q_y, b_c=b_c.astype(np.int32), weight_bits=weight_bits))
            q_x, z_x = q_y, z_y
        return cls(layers, q_in, z_in, float_model=model)

    # --- the boundary: real inputs become codes ------------------------------------------------
    def quantize_input(self, X) -> np.ndarray:
        """x_c = clamp(round(x / q_in) + z_in, −128, 127): the one float step on the way in (one pass)."""
        return quantize_tensor(np.asarray(X, dtype=np.float32), self.q_in, self.z_in, QMIN, QMAX)

    # --- runtime: integers only ----------------------------------------------------------------
    def forward_all(self, X) -> list:
        """The int8 codes entering every layer, then the logit codes: [x_c, h1_c, ..., y_c].

        The one floating-point step is quantizing the input (``quantize_input``'s arithmetic, done
        strip by strip inside the kernel); from the input codes to the logit codes, integers only.
        """
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 2:
            raise ValueError(f"IntegerMLP takes a batch of inputs (B, {self.layers[0].w_t.shape[0]}), got {X.shape}")
        # one kernel: each strip of rows is quantized (quantize_input's arithmetic), then goes through every layer
        return network_from_float(X, self.q_in, self.z_in, [L.fused for L in self.layers])

    def forward_unfused(self, X) -> list:
        """The same codes as ``forward_all``, one pass per step: GEMM, bias add, requantize."""
        codes = [self.quantize_input(X)]
        for L in self.layers:
            acc = gemm_int8_prepared(codes[-1], L.fused.packed)                 # (B, out) int32
            acc += L.bias                                                       # int32 + int32, bounded offline
            codes.append(requantize(acc, L.M0, L.n, L.z_out, L.lo, QMAX))       # (B, out) int8
        return codes

    def forward_codes(self, X) -> np.ndarray:
        """int8 logit codes, computed with integers only."""
        return self.forward_all(X)[-1]

    def predict(self, X) -> np.ndarray:
        """Class indices: argmax of the int8 logit codes (q_out > 0 keeps the order)."""
        return self.forward_codes(X).argmax(axis=1)

    def __call__(self, X) -> np.ndarray:
        """Logits as real numbers: the one float step on the way out, q_out·(y_c − z_out)."""
        last = self.layers[-1]
        return last.q_out * (self.forward_codes(X).astype(np.float64) - last.z_out)

    # --- the same quantization simulated in float64 (fake quant) --------------------------------
    def simulate_codes(self, X) -> np.ndarray:
        """Logit codes from dequantized values in float64: round(y / q_out) with y = x̃·W̃ᵀ + b̃."""
        x_c = quantize(np.asarray(X, dtype=np.float32), self.q_in, 8, zero_point=self.z_in)
        for L in self.layers:
            x_c, _ = simulate_layer(L, x_c)
        return x_c

    # --- bookkeeping (bytes: minicompress.bill) -------------------------------------------------
    def num_parameters(self) -> int:
        return int(sum(L.w_t.size + L.bias.size for L in self.layers))

    def accuracy(self, data) -> float:
        return float(np.mean(self.predict(data[0]) == data[1]))

    def float_logits(self, X) -> np.ndarray:
        return predict_logits(self.float_model, np.asarray(X, dtype=np.float32))


def simulate_layer(L: IntLayer, x_c: np.ndarray):
    """One layer of the float64 simulation: (codes, y/q_out before rounding).

    ``y/q_out`` is what the integer path rounds; where it sits exactly halfway
    between two integers, the two paths may round differently.
    """
    x = L.q_in * (x_c.astype(np.float64) - L.z_in)                              # x̃
    W = (L.w_t.astype(np.float64) * L.q_w).T                                    # W̃ (out, in)
    v = (x @ W.T + L.q_in * L.q_w * L.b_c) / L.q_out                            # (x̃·W̃ᵀ + b̃) / q_out
    return np.clip(round_half_away(v) + L.z_out, L.lo, QMAX).astype(np.int64), v

