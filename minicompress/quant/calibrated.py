"""Post-training weight quantization of a whole MLP that looks at data: layer by layer, no labels.

    nearest    round to nearest, the step from ``step_search`` (max, percentile or MSE)
    gptq       GPTQ with H = 2X̂ᵀX̂ from the calibration images
    adaround   AdaRound's learned up/down choices
    cle+bc     cross-layer equalization, then nearest rounding, then bias correction

Layers are done in order. Each sees X̂, the input the already-quantized
layers before it produce on the calibration images, so it can repair what
they got wrong. The result is a weight-only ``QuantizedMLP`` (float
activations) whose codes are what each method chose; its storage bill is
that of any weight-only model of the same bits.
"""

from __future__ import annotations

import numpy as np

from ..nn import Linear, ReLU
from .adaround import adaround
from .equalize import bias_correction, cross_layer_equalization
from .gptq import gptq, hessian
from .model import QuantizedMLP, QuantLinear, _layers
from .step_search import weight_qparams

METHODS = ("nearest", "gptq", "adaround", "cle+bc")


def _forward(mods, X) -> list:
    """The input of every Linear, and the output, of a list of (Quant)Linear / ReLU modules."""
    inputs, h = [], X
    for m in mods:
        if isinstance(m, ReLU):
            h = np.maximum(h, 0)
        else:
            inputs.append(h)
            h = h @ m.weight.data.astype(np.float64).T + m.bias.data
    return inputs


def round_weights(model, bits, calib, method: str = "gptq", step: str = "mse", per_channel: bool = True,
                  rng=0, **options) -> QuantizedMLP:
    """The MLP with weight-only ``bits``-bit codes chosen by ``method`` on unlabelled images ``calib``.

    ``bits`` is one width for every layer, or one per Linear layer (mixed
    precision, e.g. ``(8, 2, 4)``); a width of ``None`` leaves that layer in float.
    """
    if method not in METHODS:
        raise ValueError(f"unknown rounding method {method!r}; choose one of {METHODS}")
    calib = np.asarray(calib, dtype=np.float64)
    if calib.ndim != 2 or len(calib) == 0:
        raise ValueError(f"calib must be a (images, features) array of calibration inputs, got {calib.shape}")
    mods = _layers(model)
    n_linear = sum(isinstance(m, Linear) for m in mods)
    widths = tuple(bits) if isinstance(bits, (tuple, list)) else (bits,) * n_linear
    if len(widths) != n_linear:
        raise ValueError(f"bits gives {len(widths)} widths for {n_linear} Linear layers: one per layer, or one int")
    if method == "cle+bc":
        mods = list(cross_layer_equalization(model))
    float_inputs = _forward(mods, calib)
    done, k = [], 0
    for m in mods:
        if isinstance(m, ReLU):
            done.append(ReLU())
            continue
        bits = widths[k]
        if bits is None:                                   # this layer stays in float
            done.append(_as_linear(m))
            k += 1
            continue
        W = m.weight.data.astype(np.float64)
        qp = weight_qparams(W, bits, step, per_channel)
        q = qp.q if per_channel else np.full(W.shape[0], float(qp.q[0]))
        X_hat = _forward(done + [m], calib)[-1]              # what the quantized layers so far feed this one
        bias = None
        if method == "gptq":
            codes = gptq(W, hessian(X_hat, options.get("damp", 0.01)), q, bits, options.get("block", 32))
        elif method == "adaround":
            target = float_inputs[k] @ W.T
            codes = adaround(W, q, bits, X_hat, target, iters=options.get("iters", 1000), rng=rng)
        else:
            codes = qp.quantize(W)
        if method == "cle+bc":
            W_hat = qp.dequantize(codes)
            bias = bias_correction(W, W_hat, m.bias.data, X_hat.mean(axis=0))
        done.append(QuantLinear.from_codes(_as_linear(m), qp, codes, bias))
        k += 1
    return QuantizedMLP(*done).eval()


def _as_linear(m) -> Linear:
    if isinstance(m, Linear) and m.weight.data.dtype == np.float32:
        return m
    lin = Linear(m.in_features, m.out_features)
    lin.load_state_dict({"weight": m.weight.data.astype(np.float32), "bias": m.bias.data.astype(np.float32)})
    return lin
