"""Checks of how to round (Nagel et al. 2019, 2020; Frantar et al. 2022) for ``verify``."""

from __future__ import annotations

import numpy as np

from ..quant.uniform import quantize
from . import Outcome, check


def _small_layer():
    """Eight rows of the teacher's first layer on its 12 busiest pixels, and 256 calibration images."""
    from ..data import digits_split
    from ..experiments.teacher import shared_teacher
    split = digits_split()
    pixels = np.argsort(-split.train.X.var(axis=0))[:12]
    W = shared_teacher()[0][0].weight.data.astype(np.float64)[:8][:, pixels]
    X = split.train.X[:256][:, pixels].astype(np.float64)
    return W, X


@check("equalization preserves the function (to 1e-12)", "Nagel et al. 2019, ReLU(x/s) = ReLU(x)/s")
def _equalization_exact():
    """Scaling row i of W₁, b₁,i by 1/s_i and column i of W₂ by s_i changes nothing after a ReLU."""
    from ..data import digits_split
    from ..experiments.teacher import shared_teacher
    from ..quant.equalize import cross_layer_equalization
    from ..train import predict_logits
    t = shared_teacher()[0]
    eq = cross_layer_equalization(t)
    ref = cross_layer_equalization(t, iters=0)             # the same float64 copy, unscaled
    x = digits_split().test.X[:100].astype(np.float64)
    a, b = predict_logits(ref, x), predict_logits(eq, x)
    gap = float(np.max(np.abs(a - b)) / np.max(np.abs(a)))
    return Outcome("≤ 1e-12", f"{gap:.1e}", gap <= 1e-12)


@check("GPTQ with H = I is round-to-nearest", "Frantar et al. 2022: no correlation, no feedback")
def _gptq_identity():
    """With H⁻¹ = I each column's error (w − q·c)/U_ii feeds nothing forward, so the codes are nearest's."""
    from ..quant.gptq import gptq
    W, _ = _small_layer()
    q = np.abs(W).max(axis=1)
    nearest = quantize(W, q, 2, axis=0, narrow=True)
    same = bool(np.array_equal(gptq(W, np.eye(W.shape[1]), q, 2), nearest))
    return Outcome("identical codes", "identical codes" if same else "codes differ", same)


@check("brute force ≤ every rounding rule (2-bit, 8×12 layer)", "exhaustive over 2¹² roundings per row")
def _brute_force():
    """Per row, the best of all 4096 up/down choices has the least output error δᵀXᵀXδ of any rule."""
    from ..quant.adaround import adaround
    from ..quant.gptq import gptq, hessian
    from ..quant.optimal_rounding import best_rounding, output_error
    W, X = _small_layer()
    H = X.T @ X
    q = np.abs(W).max(axis=1) * 0.6                        # a clipped step, so rounding choices matter
    best = sum(best_rounding(W[r], q[r], 2, H)[1] for r in range(len(W)))
    nearest = quantize(W, q, 2, axis=0, narrow=True)
    rules = {"nearest": nearest, "GPTQ": gptq(W, hessian(X), q, 2),
             "AdaRound": adaround(W, q, 2, X, X @ W.T, iters=300, rng=0)}
    errs = {k: float(output_error(q[:, None] * c - W, H).sum()) for k, c in rules.items()}
    ok = all(best <= e + 1e-9 for e in errs.values())
    return Outcome("optimum ≤ each", f"optimum {best:.3g}; " + ", ".join(f"{k} {v:.3g}" for k, v in errs.items()),
                   ok)


@check("AdaRound's h(V) stays in [0, 1]", "Nagel et al. 2020, rectified sigmoid, ζ = 1.1, γ = −0.1")
def _h_range():
    """h = clip(σ(V)(ζ − γ) + γ, 0, 1): exactly 0 below V = −ln 11, exactly 1 above +ln 11."""
    from ..quant.adaround import rectified_sigmoid
    V = np.linspace(-30, 30, 6001)
    h = rectified_sigmoid(V).data
    ends = (float(h.min()), float(h.max()))
    return Outcome("[0.0, 1.0], monotone", f"[{ends[0]}, {ends[1]}]", ends == (0.0, 1.0) and bool(np.all(np.diff(h) >= 0)))
