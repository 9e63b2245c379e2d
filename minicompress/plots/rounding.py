"""Figures of how to round: the step's error trade-off, each rule against the brute-force optimum,
and accuracy against the number of calibration images."""

from __future__ import annotations

import numpy as np

from ..data import digits_split
from ..experiments.budget import FULL, Budget
from ..experiments.teacher import shared_teacher
from . import figure, pyplot, save


def step_error_data(bits=(2, 3, 4), budget: Budget = FULL):
    """Squared error of one teacher row against the step's ratio r (q = r·max|w|/qmax), per bit width."""
    from ..quant.step_search import step_error
    w = shared_teacher(epochs=budget.teacher_epochs)[0][2].weight.data.astype(np.float64)[:1]
    ratios = np.linspace(0.05, 1.0, 96)
    return ratios, {b: step_error(w, b, ratios)[0] for b in bits}


@figure("rounding_step_error", "rounding")
def make_rounding_step_error(out_dir, budget: Budget = FULL):
    ratios, errs = step_error_data(budget=budget)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    for b, e in errs.items():
        ax.semilogy(ratios, e, label=f"{b} bits")
        k = int(np.argmin(e))
        ax.plot(ratios[k], e[k], "o", color=ax.lines[-1].get_color())
    ax.set_xlabel("step as a share of max|w|/qmax (1 = nothing clips)")
    ax.set_ylabel("Σ (w − ŵ)² over one row")
    ax.set_title("Clipping against rounding: the MSE step (dots) is well below max|w| at 2 bits", fontsize=10)
    ax.legend()
    return save(fig, out_dir, "rounding_step_error")


def optimum_data(budget: Budget = FULL, draws: int = 1000):
    """Output error δᵀHδ of each rule on an 8×12 slice of the teacher's first layer, 2 bits, per row summed."""
    from ..quant.adaround import adaround
    from ..quant.gptq import gptq, hessian, obq_row
    from ..quant.optimal_rounding import best_rounding, output_error, stochastic_roundings
    from ..quant.uniform import quantize
    split = digits_split()
    pixels = np.argsort(-split.train.X.var(axis=0))[:12]
    W = shared_teacher(epochs=budget.teacher_epochs)[0][0].weight.data.astype(np.float64)[:8][:, pixels]
    X = split.train.X[:256][:, pixels].astype(np.float64)
    H = X.T @ X
    q = np.abs(W).max(axis=1) * 0.6
    nearest = quantize(W, q, 2, axis=0, narrow=True)
    codes = {"nearest": nearest, "GPTQ": gptq(W, hessian(X), q, 2),
             "OBQ (greedy order)": np.stack([obq_row(W[r], hessian(X), q[r], 2) for r in range(len(W))]),
             "AdaRound": adaround(W, q, 2, X, X @ W.T, iters=300, rng=0)}
    errs = {k: float(output_error(q[:, None] * c - W, H).sum()) for k, c in codes.items()}
    errs[f"best of {draws} stochastic"] = float(sum(stochastic_roundings(W[r], q[r], 2, H, draws, rng=r)[0]
                                                    for r in range(len(W))))
    best = float(sum(best_rounding(W[r], q[r], 2, H)[1] for r in range(len(W))))
    return errs, best


@figure("rounding_vs_optimum", "rounding")
def make_rounding_vs_optimum(out_dir, budget: Budget = FULL):
    errs, best = optimum_data(budget)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    names = list(errs)
    ax.barh(names, [errs[k] / best for k in names], color=[f"C{i}" for i in range(len(names))])
    ax.axvline(1.0, color="k", lw=1)
    ax.text(1.0, len(names) - 0.5, " brute-force optimum (2¹² choices per row)", fontsize=8, va="center")
    ax.set_xlabel("layer output error ‖XŴᵀ − XWᵀ‖², relative to the optimum")
    ax.set_title("Rounding an 8×12 slice of the teacher's first layer to 2 bits", fontsize=10)
    return save(fig, out_dir, "rounding_vs_optimum")


def calibration_size_data(sizes=(8, 32, 128, 512), budget: Budget = FULL):
    """Test accuracy of 2-bit GPTQ (step max) and nearest with the MSE step against calibration images."""
    from ..quant.calibrated import round_weights
    from ..stats import wilson_interval
    from ..train import evaluate
    split = digits_split()
    t = shared_teacher(epochs=budget.teacher_epochs)[0]
    pool = split.train.X[np.random.default_rng(0).permutation(len(split.train))]
    n = len(split.test)
    rows = []
    for size in sizes:
        acc = evaluate(round_weights(t, 2, pool[:size], "gptq", step="max"), split.test)
        rows.append((size, acc, *wilson_interval(int(round(acc * n)), n)))
    nearest = evaluate(round_weights(t, 2, pool[:8], "nearest", step="mse"), split.test)
    return np.array(rows), nearest


@figure("rounding_calibration_size", "rounding")
def make_rounding_calibration_size(out_dir, budget: Budget = FULL):
    rows, nearest = calibration_size_data(budget=budget)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    acc, low, high = 100 * rows[:, 1], 100 * rows[:, 2], 100 * rows[:, 3]
    ax.errorbar(rows[:, 0], acc, yerr=[acc - low, high - acc], fmt="o-", capsize=3, label="GPTQ, 2-bit, step max")
    ax.axhline(100 * nearest, color="C3", ls="--", label=f"nearest, MSE step (no data): {100 * nearest:.1f}%")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("unlabelled calibration images")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title("How much data GPTQ needs (bars: Wilson 95%)", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    return save(fig, out_dir, "rounding_calibration_size")
