"""Figures of quantization-aware training: the STE, accuracy per epoch at 2 bits, LSQ's learned steps."""

from __future__ import annotations

import numpy as np

from ..autograd import Tensor
from ..data import digits_split
from ..experiments.budget import FULL, Budget
from . import figure, pyplot, save

_CURVES = {}


def ste_data(q: float = 0.25, bits: int = 3):
    """x, fake_quantize_ste(x), its STE gradient, and LSQ's step gradient round(x/q) − x/q (clamped: qmin/qmax)."""
    from ..quant import fake_quantize_ste, qrange
    from ..quant.rounding import round_half_away
    qmin, qmax = qrange(bits)
    x = np.linspace(-1.5, 1.5, 1201)
    t = Tensor(x, requires_grad=True)
    y = fake_quantize_ste(t, q, bits)
    y.sum().backward()
    v = x / q
    step_grad = np.where((v >= qmin) & (v <= qmax), round_half_away(v) - v, np.clip(round_half_away(v), qmin, qmax))
    return x, y.data, t.grad, step_grad


@figure("qat_ste", "qat")
def make_qat_ste(out_dir, budget: Budget = FULL):
    x, y, g, sg = ste_data()
    plt = pyplot()
    fig, (a1, a2, a3) = plt.subplots(1, 3, figsize=(12, 3.4))
    a1.plot(x, x, "--", color="gray", lw=1)
    a1.plot(x, y, lw=2)
    a1.set_title("forward: staircase\nx̃ = q·clamp(round(x/q))")
    a2.plot(x, g, color="C2", lw=2)
    a2.set_ylim(-0.2, 1.2)
    a2.set_title("backward (STE):\n1 inside the range, 0 outside")
    a3.plot(x, sg, color="C3")
    a3.set_title("LSQ step gradient ∂x̃/∂q:\nround(x/q) − x/q inside, qmin/qmax outside")
    for a in (a1, a2, a3):
        a.set_xlabel("x  (q = 0.25, codes −4..3)")
    return save(fig, out_dir, "qat_ste")


def _curves(budget: Budget):
    from ..experiments.qat import curves
    if budget not in _CURVES:
        _CURVES[budget] = curves(budget, bits=2)
    return _CURVES[budget]


@figure("qat_accuracy_vs_epoch", "qat")
def make_qat_accuracy_vs_epoch(out_dir, budget: Budget = FULL):
    c = _curves(budget)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    epochs = np.arange(1, len(c["qat"]) + 1)
    from ..stats import wilson_interval
    n = len(digits_split().test)
    for key, marker, label in (("qat", "o", "QAT (steps from max|w|)"), ("lsq", "s", "LSQ (learned steps)")):
        band = np.array([wilson_interval(int(round(a * n)), n) for a in c[key]])
        ax.plot(epochs, 100 * c[key], marker=marker, ms=3, label=label)
        ax.fill_between(epochs, 100 * band[:, 0], 100 * band[:, 1], alpha=0.2)
    ax.axhline(100 * c["ptq"], color="C3", ls="--", label=f"post-training quantization ({100 * c['ptq']:.1f}%)")
    ax.set_xlabel("epoch of training through quantization")
    ax.set_ylabel("test accuracy (%)")
    ax.set_ylim(0, 100)
    ax.set_title("2-bit weights per channel, 8-bit activations, from the digits teacher\n"
                 "(bands: Wilson 95% on the 450 test images; seed 0)", fontsize=10)
    ax.legend(loc="lower right")
    return save(fig, out_dir, "qat_accuracy_vs_epoch")


@figure("qat_lsq_steps", "qat")
def make_qat_lsq_steps(out_dir, budget: Budget = FULL):
    steps = _curves(budget)["lsq_steps"]
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    for i in range(steps.shape[1]):
        ax.plot(np.arange(len(steps)), steps[:, i], marker="o", ms=3, label=f"layer {i + 1}")
    ax.set_xlabel("epoch (0: Esser et al.'s start 2·mean|w|/√Qp)")
    ax.set_ylabel("mean learned weight step")
    ax.set_title("LSQ at 2 bits: the step sizes move during training")
    ax.legend()
    return save(fig, out_dir, "qat_lsq_steps")
