"""How PyTorch, TFLite and ONNX Runtime choose the step q (their "scale", S) and zero point, beside minicompress.

All of them map reals to codes by q = clamp(round(x / S) + z, qmin, qmax) and
back by S·(q − z), and all widen the range to contain 0. They differ in the
integer range, in how the zero point is derived, and in the tie rule:

* minicompress: weights symmetric [−127, 127], S = max|w|/127; activations
  affine, z = qmin − round(lo/S); ties away from zero (the seed's 四舍五入).
* PyTorch static (MinMaxObserver): activations quint8 [0, 255] (on x86,
  ``reduce_range`` gives [0, 127]), z = qmin − round(lo/S); weights qint8
  symmetric with S = max|w| / ((qmax − qmin)/2) = max|w|/127.5 over the
  full [−128, 127]; ``torch.round`` ties to even.
* PyTorch dynamic (fbgemm's ChooseQuantizationParams, per batch): quint8 with
  ``reduce_range`` [0, 127]; z is computed from whichever end (lo or hi)
  gives the smaller rounding error, then nudged with nearbyint (ties to even).
* TFLite: activations int8 [−128, 127] with the same "smaller error end"
  rule but std::round (ties away from zero); weights per-channel symmetric
  [−127, 127], S = max|w|/127.
* ONNX Runtime's quantizer (QuantizeLinear rounds ties to even): uint8
  [0, 255] or int8; symmetric int8 uses [−127, 127] with S = 2·max|w| / 254;
  z = round(qmin − lo/S).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .rounding import round_half_away, round_half_even


@dataclass
class Convention:
    name: str
    tensor: str          # "activation" or "weight"
    q: float             # the frameworks' "scale"
    zero_point: int
    qmin: int
    qmax: int
    ties: str            # "away" or "even"
    why: str

    def quantize(self, x) -> np.ndarray:
        rnd = round_half_away if self.ties == "away" else round_half_even
        return np.clip(rnd(np.asarray(x, dtype=np.float64) / self.q) + self.zero_point,
                       self.qmin, self.qmax).astype(np.int64)


def _widen(x):
    x = np.asarray(x, dtype=np.float64)
    return min(float(x.min()), 0.0), max(float(x.max()), 0.0)


def _affine_from_min(lo, hi, qmin, qmax, rnd):
    q = (hi - lo) / (qmax - qmin) if hi > lo else 1.0
    return q, int(np.clip(qmin - rnd(np.array(lo / q)), qmin, qmax))


def _affine_smaller_error_end(lo, hi, qmin, qmax, rnd):
    """gemmlowp/fbgemm/TFLite: take z from the end whose arithmetic error is smaller, then nudge."""
    q = (hi - lo) / (qmax - qmin) if hi > lo else 1.0
    from_min, from_max = qmin - lo / q, qmax - hi / q
    err_min, err_max = abs(qmin) + abs(lo / q), abs(qmax) + abs(hi / q)
    z = from_min if err_min < err_max else from_max
    return q, int(np.clip(rnd(np.array(z)), qmin, qmax))


# (name, z rule, qmin, qmax, ties, why) for activations; "min" is z = qmin − round(lo/S),
# "end" takes z from whichever end of the range gives the smaller rounding error.
ACTIVATION_RULES = [
    ("minicompress", "min", -128, 127, "away", "int8 with a zero point; the seed's rounding"),
    ("PyTorch static", "min", 0, 255, "even", "quint8; torch.round ties to even"),
    ("PyTorch static, reduce_range", "min", 0, 127, "even", "x86 fbgemm keeps a spare bit against overflow in vpmaddubsw"),
    ("PyTorch dynamic", "end", 0, 127, "even", "per batch at run time; z from the end with the smaller error"),
    ("TFLite", "end", -128, 127, "away", "same end rule as fbgemm, but std::round"),
    ("ONNX Runtime", "min", 0, 255, "even", "uint8 default; QuantizeLinear ties to even"),
]


def activation_conventions(x) -> list:
    """Scale and zero point that each framework would pick for activations ``x`` (per tensor)."""
    lo, hi = _widen(x)
    rows = []
    for name, rule, qmin, qmax, ties, why in ACTIVATION_RULES:
        choose = _affine_from_min if rule == "min" else _affine_smaller_error_end
        s, z = choose(lo, hi, qmin, qmax, round_half_away if ties == "away" else round_half_even)
        rows.append(Convention(name, "activation", s, z, qmin, qmax, ties, why))
    return rows


def weight_conventions(w) -> list:
    """Per-tensor symmetric weight quantization under each convention."""
    m = float(np.abs(np.asarray(w, dtype=np.float64)).max()) or 1.0
    return [
        Convention("minicompress", "weight", m / 127, 0, -127, 127, "away", "narrow range, symmetric"),
        Convention("PyTorch", "weight", m / 127.5, 0, -128, 127, "even",
                   "full range: S = max / ((127 + 128) / 2), so +max clips to 127"),
        Convention("TFLite", "weight", m / 127, 0, -127, 127, "away", "narrow range, symmetric"),
        Convention("ONNX Runtime", "weight", 2 * m / 254, 0, -127, 127, "even", "symmetric int8 range"),
    ]


def _table(convs, probes) -> list:
    lines = [f"{'convention':<30}{'q (scale)':>12}{'zero pt':>9}{'range':>13}{'ties':>6}  {'codes':<24}why"]
    for c in convs:
        lines.append(f"{c.name:<30}{c.q:>12.6g}{c.zero_point:>9}{f'[{c.qmin}, {c.qmax}]':>13}{c.ties:>6}  "
                     f"{str(c.quantize(probes).tolist()):<24}{c.why}")
    return lines


def conventions_table(x, w) -> str:
    """The side-by-side table for activations ``x`` and weights ``w``, with the codes of a few probes."""
    lo, hi = _widen(x)
    probes = np.array([lo, 0.0, (lo + hi) / 2, hi])
    m = float(np.abs(np.asarray(w)).max())
    wp = np.array([-m, -m / 2, m / 2, m])
    return "\n".join(
        [f"activations: range [{lo:.4g}, {hi:.4g}] (widened to contain 0); codes of {np.round(probes, 4).tolist()}"]
        + _table(activation_conventions(x), probes)
        + ["", f"weights: max|w| = {m:.4g}; codes of {np.round(wp, 4).tolist()}"]
        + _table(weight_conventions(w), wp))
