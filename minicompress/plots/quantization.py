"""Figures of quantization: the staircase, the error distribution, MSE vs bits, accuracy, boundaries."""

from __future__ import annotations

import numpy as np

from ..data import digits_split, make_moons
from ..experiments.budget import FULL, Budget
from ..experiments.teacher import shared_teacher
from ..nn import MLP
from ..optim import Adam
from ..quant import choose_qparams, fake_quantize, quant_error, quantize_model
from ..train import evaluate, fit, predict_logits
from . import figure, pyplot, save


def staircase_data(q: float = 0.25, bits: int = 3):
    """w on [−1.2, 1.2], its fake-quantized value and the error, for one step and bit width."""
    w = np.linspace(-1.2, 1.2, 2001)
    wq = fake_quantize(w, q, bits)
    return w, wq, wq - w


@figure("quant_staircase", "quantization")
def make_quant_staircase(out_dir, budget: Budget = FULL):
    q, bits = 0.25, 3
    w, wq, e = staircase_data(q, bits)
    plt = pyplot()
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(6.5, 5.5), sharex=True, gridspec_kw={"height_ratios": [2, 1]})
    a1.plot(w, w, "--", color="gray", lw=1, label="w (no quantization)")
    a1.plot(w, wq, lw=2, label=f"w̃ = q·clamp(round(w/q)), q = {q}, {bits} bits")
    a1.set_ylabel("w̃")
    a1.legend(loc="upper left")
    a1.set_title("Rounding staircase: codes −4..3 cover [−1.0, 0.75]; beyond, values are clamped")
    a2.plot(w, e, color="C3")
    a2.axhline(q / 2, ls=":", color="k")
    a2.axhline(-q / 2, ls=":", color="k")
    a2.set_ylim(-0.5, 0.5)
    a2.set_xlabel("w")
    a2.set_ylabel("error w̃ − w")
    a2.text(-1.15, 0.3, "inside the range: a sawtooth within ±q/2\noutside: clipping error grows", fontsize=8)
    return save(fig, out_dir, "quant_staircase")


def error_histogram_data(bits: int = 8, n: int = 100_000, seed: int = 0):
    """Errors of N(0, 1) weights quantized symmetrically, and their step q."""
    w = np.random.default_rng(seed).normal(size=n)
    qp = choose_qparams(w, bits, "symmetric")
    return qp.fake_quantize(w) - w, float(qp.q)


@figure("quant_error_histogram", "quantization")
def make_quant_error_histogram(out_dir, budget: Budget = FULL):
    e, q = error_histogram_data()
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    ax.hist(e / q, bins=60, density=True, alpha=0.7, label="measured, 100,000 N(0,1) weights, 8 bits")
    ax.plot([-0.5, -0.5, 0.5, 0.5], [0, 1, 1, 0], "k--", label="uniform(−q/2, q/2)")
    ax.set_xlabel("error / q")
    ax.set_ylabel("density")
    ax.set_title(f"Quantization error is close to uniform (q = {q:.4f}); "
                 f"MSE/(q²/12) = {np.mean(e ** 2) / (q * q / 12):.3f}")
    ax.legend(loc="lower center")
    return save(fig, out_dir, "quant_error_histogram")


def mse_vs_bits_data(bits=range(2, 13), n: int = 50_000, seed: int = 0):
    """Measured MSE and the q²/12 prediction for N(0, 1) weights, symmetric per-tensor."""
    w = np.random.default_rng(seed).normal(size=n)
    rows = []
    for b in bits:
        qp = choose_qparams(w, b, "symmetric")
        err = quant_error(w, qp.q, b, narrow=True)
        rows.append((b, err.mse, err.uniform_model_mse))
    return np.array(rows)


@figure("quant_mse_vs_bits", "quantization")
def make_quant_mse_vs_bits(out_dir, budget: Budget = FULL):
    d = mse_vs_bits_data()
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    ax.semilogy(d[:, 0], d[:, 1], "o-", label="measured MSE")
    ax.semilogy(d[:, 0], d[:, 2], "s--", label="q²/12 (uniform noise model)")
    ax.set_xlabel("bits")
    ax.set_ylabel("MSE")
    ax.set_title("Each extra bit halves q and divides the MSE by 4 (−6 dB per bit)")
    ax.legend()
    return save(fig, out_dir, "quant_mse_vs_bits")


def accuracy_vs_bits_data(bits=(2, 3, 4, 5, 6, 8), budget: Budget = FULL):
    """Rows (bits, per-tensor acc, low, high, per-channel acc, low, high) of weight-only PTQ (Wilson 95%),
    and the teacher's accuracy."""
    from ..stats import accuracy_interval
    from ..train import correct_matrix
    teacher, _ = shared_teacher(epochs=budget.teacher_epochs)
    test = digits_split().test
    rows = [(b, *accuracy_interval(correct_matrix([quantize_model(teacher, b, mode="weight_only",
                                                                  per_channel=False)], test)),
             *accuracy_interval(correct_matrix([quantize_model(teacher, b, mode="weight_only",
                                                               per_channel=True)], test))) for b in bits]
    return np.array(rows), evaluate(teacher, test)


@figure("quant_accuracy_vs_bits", "quantization")
def make_quant_accuracy_vs_bits(out_dir, budget: Budget = FULL):
    d, base = accuracy_vs_bits_data(budget=budget)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    for col, marker, label in ((1, "o-", "per-tensor step"), (4, "s-", "per-channel step (one per output neuron)")):
        acc, low, high = 100 * d[:, col], 100 * d[:, col + 1], 100 * d[:, col + 2]
        ax.errorbar(d[:, 0], acc, yerr=[acc - low, high - acc], fmt=marker, capsize=3, label=label)
    ax.axhline(100 * base, color="gray", ls="--", label=f"float32 ({100 * base:.1f}%)")
    ax.set_xlabel("weight bits (symmetric, weight-only)")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title("Teacher after weight-only PTQ, step max|w|/qmax (bars: Wilson 95%)", fontsize=10)
    ax.legend(loc="lower right")
    return save(fig, out_dir, "quant_accuracy_vs_bits")


def decision_boundary_data(bits=(None, 8, 4, 2), budget: Budget = FULL, grid: int = 150):
    """A 2-32-32-2 MLP on moons; its predicted class on a grid, float and weight-quantized."""
    data = make_moons(300, noise=0.15, rng=0)
    model = MLP((2, 32, 32, 2), rng=0)
    fit(model, data, epochs=budget.toy_epochs, optimizer=Adam(model.parameters(), lr=0.01), rng=0)
    xs, ys = np.linspace(-1.5, 2.5, grid), np.linspace(-1.0, 1.5, grid)
    gx, gy = np.meshgrid(xs, ys)
    points = np.c_[gx.ravel(), gy.ravel()].astype(np.float32)
    panels = []
    for b in bits:
        m = model if b is None else quantize_model(model, b, mode="weight_only", per_channel=True)
        pred = predict_logits(m, points).argmax(axis=1).reshape(gx.shape)
        panels.append((b, pred, evaluate(m, data)))
    return data, (xs, ys), panels


@figure("quant_decision_boundary", "quantization")
def make_quant_decision_boundary(out_dir, budget: Budget = FULL):
    data, (xs, ys), panels = decision_boundary_data(budget=budget)
    plt = pyplot()
    fig, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels), 3.0), sharey=True)
    for ax, (b, pred, acc) in zip(axes, panels):
        ax.contourf(xs, ys, pred, levels=[-0.5, 0.5, 1.5], colors=["#9ecae1", "#fdae6b"], alpha=0.8)
        ax.scatter(data.X[:, 0], data.X[:, 1], c=data.y, cmap="coolwarm", s=6, edgecolors="none")
        ax.set_title(f"{'float32' if b is None else f'{b}-bit weights'}: {100 * acc:.1f}%")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("A 2-32-32-2 MLP on moons, weights quantized per channel after training", y=1.04)
    return save(fig, out_dir, "quant_decision_boundary")
