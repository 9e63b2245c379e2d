"""Integer-only inference of an MLP (Jacob et al. 2018; gemmlowp's quantization notes).

Real numbers and codes are tied by r = S·(q − z) for every tensor. For one
Linear layer with input (S_x, z_x), per-channel weights (S_w[c], z_w = 0) and
output (S_y, z_y), the real equation y = x Wᵀ + b becomes, in codes,

    acc[c] = Σ_k (x_q[k] − z_x)·w_q[c, k] + b_q[c]          int32, b_q = round(b / (S_x·S_w[c]))
    y_q[c] = clamp(z_y + M[c]·acc[c], lo, 127),   M[c] = S_x·S_w[c] / S_y

ReLU costs nothing: real 0 is the code z_y, so ReLU is the lower clamp
lo = z_y. Everything that involves real numbers (choosing S and z, M as
(M0, n), the folded bias) happens once, offline, in ``from_float``; the
forward pass ``forward_codes`` touches only integers, from the int8 input
codes to the int8 logit codes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..kernels.gemm import MAX_K, PackedB, gemm_int8_prepared, prepare_b
from ..kernels.pack import pack
from ..kernels.quantize import quantize_fused
from ..kernels.requant import quantize_multiplier, requantize
from ..nn import Linear, ReLU, Sequential
from ..quant.qparams import choose_qparams, qparams_from_range
from ..quant.rounding import round_half_away
from ..quant.uniform import quantize
from ..train import predict_logits

QMIN, QMAX = -128, 127          # activations: signed int8 with a zero point


@dataclass
class IntLayer:
    """Everything one layer needs at run time: integers only (the scales are kept for explaining)."""

    w_t: np.ndarray          # (in, out) int8 weight codes: x_q (B, in) @ w_t gives (B, out)
    w_packed: PackedB        # w_t in the fast GEMM's packed order (int16 panels), prepared once
    bias: np.ndarray         # (out,) int32: b_q − z_x·Σ_k w_q, the zero-point term folded in offline
    M0: np.ndarray           # (out,) int64 in [2^30, 2^31)
    n: np.ndarray            # (out,) int64 right shifts
    z_in: int
    z_out: int
    lo: int                  # lower clamp: z_out after ReLU, else −128
    relu: bool
    # offline, for inspection only (never used by forward_codes):
    s_in: float
    s_w: np.ndarray
    s_out: float
    b_q: np.ndarray          # (out,) int32 quantized bias before folding
    weight_bits: int


class IntegerMLP:
    """An MLP that runs in int8/int32 arithmetic; build it with :meth:`from_float`."""

    def __init__(self, layers, s_in: float, z_in: int, float_model=None):
        self.layers, self.s_in, self.z_in, self.float_model = layers, s_in, z_in, float_model

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
        calib = np.asarray(calib_data, dtype=np.float64)
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
        s_in, z_in = float(qp_in.scale), int(qp_in.zero_point)
        layers, s_x, z_x = [], s_in, z_in
        for (m, relu), (lo_r, hi_r) in zip(linears, ranges[1:]):
            W, b = m.weight.data.astype(np.float64), m.bias.data.astype(np.float64)
            wqp = choose_qparams(W, weight_bits, "symmetric", axis=0)
            # subtle: a row whose weights are all but zero (a dead ReLU unit after weight
            # decay: max|w| ~ 1e-22 in the teacher) would get a step of ~1e-24, and its bias
            # in units of S_x·S_w would not fit in int32. Floor the step at float32's
            # epsilon (PyTorch's observers do the same) and where the bias needs more;
            # such a row's weights then quantize to 0, which is what they are.
            s_w = np.maximum(np.asarray(wqp.scale, dtype=np.float64),
                             np.maximum(np.finfo(np.float32).eps, np.abs(b) / (s_x * 2.0 ** 30)))
            w_q = quantize(W, s_w, weight_bits, axis=0, narrow=True).astype(np.int8)   # (out, in)
            b_q = round_half_away(b / (s_x * s_w)).astype(np.int64)            # scale S_x·S_w, z = 0
            oqp = qparams_from_range(lo_r, hi_r, 8, "affine", signed=True)
            s_y, z_y = float(oqp.scale), int(oqp.zero_point)
            mult = [quantize_multiplier(float(v)) for v in s_x * s_w / s_y]
            folded = b_q - z_x * w_q.astype(np.int64).sum(axis=1)
            if W.shape[1] > MAX_K or np.abs(folded).max() + W.shape[1] * 128 * 128 > 2 ** 31 - 1:
                raise OverflowError("this layer's int32 accumulator could overflow; use fewer inputs "
                                    "or a coarser bias scale")
            layers.append(IntLayer(
                w_t=np.ascontiguousarray(w_q.T), w_packed=prepare_b(np.ascontiguousarray(w_q.T)),
                bias=folded.astype(np.int32),
                M0=np.array([p[0] for p in mult], np.int64), n=np.array([p[1] for p in mult], np.int64),
                z_in=z_x, z_out=z_y, lo=max(QMIN, z_y) if relu else QMIN, relu=relu,
                s_in=s_x, s_w=s_w, s_out=s_y, b_q=b_q.astype(np.int32), weight_bits=weight_bits))
            s_x, z_x = s_y, z_y
        return cls(layers, s_in, z_in, float_model=model)

    # --- the boundary: real inputs become codes ------------------------------------------------
    def quantize_input(self, X) -> np.ndarray:
        """x_q = clamp(round(x / S_in) + z_in, −128, 127): the one float step on the way in."""
        return quantize_fused(np.asarray(X, dtype=np.float32), self.s_in, self.z_in, QMIN, QMAX)

    # --- runtime: integers only ----------------------------------------------------------------
    def forward_all(self, X) -> list:
        """The int8 codes entering every layer, then the logit codes: [x_q, h1_q, ..., y_q].

        No floating-point arithmetic happens between ``quantize_input`` and the end.
        """
        codes = [self.quantize_input(X)]                                        # (B, in) int8
        for L in self.layers:
            acc = gemm_int8_prepared(codes[-1], L.w_packed)                     # (B, out) int32
            acc += L.bias                                                       # int32 + int32, bounded offline
            codes.append(requantize(acc, L.M0, L.n, L.z_out, L.lo, QMAX))       # (B, out) int8
        return codes

    def forward_codes(self, X) -> np.ndarray:
        """int8 logit codes, computed with integers only."""
        return self.forward_all(X)[-1]

    def predict(self, X) -> np.ndarray:
        """Class indices: argmax of the int8 logit codes (S_out > 0 keeps the order)."""
        return self.forward_codes(X).argmax(axis=1)

    def __call__(self, X) -> np.ndarray:
        """Logits as real numbers: the one float step on the way out, S_out·(y_q − z_out)."""
        last = self.layers[-1]
        return last.s_out * (self.forward_codes(X).astype(np.float64) - last.z_out)

    # --- the same quantization simulated in float64 (fake quant) --------------------------------
    def simulate_codes(self, X) -> np.ndarray:
        """Logit codes from dequantized values in float64: round(y / S_out) with y = x̃·W̃ᵀ + b̃."""
        x_q = quantize(np.asarray(X, dtype=np.float32), self.s_in, 8, zero_point=self.z_in)
        for L in self.layers:
            x_q, _ = simulate_layer(L, x_q)
        return x_q

    # --- bookkeeping ---------------------------------------------------------------------------
    def storage_bytes(self) -> int:
        """Packed weight codes, int32 biases, per-channel M0 (int32) and shift (int8),
        two int8 zero points per layer, and the float32 input and output scales."""
        total = 8
        for L in self.layers:
            bits = L.weight_bits if L.weight_bits in (2, 4) else 8
            codes = L.w_t.size * bits // 8 if bits == 8 else pack(L.w_t.T, bits).size
            total += codes + 4 * L.bias.size + 5 * L.M0.size + 2
        return int(total)

    def num_parameters(self) -> int:
        return int(sum(L.w_t.size + L.bias.size for L in self.layers))

    def accuracy(self, data) -> float:
        return float(np.mean(self.predict(data[0]) == data[1]))

    def float_logits(self, X) -> np.ndarray:
        return predict_logits(self.float_model, np.asarray(X, dtype=np.float32))


def simulate_layer(L: IntLayer, x_q: np.ndarray):
    """One layer of the float64 simulation: (codes, y/S_out before rounding).

    ``y/S_out`` is what the integer path rounds; where it sits exactly halfway
    between two integers, the two paths may round differently.
    """
    x = L.s_in * (x_q.astype(np.float64) - L.z_in)                              # x̃
    W = (L.w_t.astype(np.float64) * L.s_w).T                                    # W̃ (out, in)
    v = (x @ W.T + L.s_in * L.s_w * L.b_q) / L.s_out                            # (x̃·W̃ᵀ + b̃) / S_out
    return np.clip(round_half_away(v) + L.z_out, L.lo, QMAX).astype(np.int64), v

