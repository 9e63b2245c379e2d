"""Figures of the integer path: accumulators against the int32 range, requantization error, GEMM speed."""

from __future__ import annotations

import os

import numpy as np

from ..data import digits_split
from ..experiments.budget import FULL, Budget
from ..experiments.teacher import shared_teacher
from . import figure, pyplot, save


def _integer_teacher(budget: Budget):
    from ..integer import IntegerMLP
    split = digits_split()
    return IntegerMLP.from_float(shared_teacher(epochs=budget.teacher_epochs)[0], split.train.X), split


def accumulator_data(budget: Budget = FULL) -> list:
    """Per layer: the int32 accumulators over the test digits, and the worst case K·128·128."""
    from ..kernels.gemm import gemm_int8
    model, split = _integer_teacher(budget)
    codes = model.forward_all(split.test.X)
    return [(gemm_int8(x_q, L.w_t).astype(np.int64) + L.bias, L.w_t.shape[0] * 128 * 128)
            for L, x_q in zip(model.layers, codes[:-1])]


@figure("int_accumulators", "integer")
def make_int_accumulators(out_dir, budget: Budget = FULL):
    data = accumulator_data(budget)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 3.8))
    bins = np.logspace(0, 10, 81)
    for i, (acc, bound) in enumerate(data):
        ax.hist(np.abs(acc).ravel() + 1, bins=bins, histtype="step", lw=1.5,
                label=f"layer {i + 1}: max |acc| = {np.abs(acc).max():,}")
        ax.axvline(bound, ls=":", color=f"C{i}")
    ax.axvline(2 ** 31 - 1, color="k", lw=2, label="int32 limit 2^31 − 1")
    ax.set_xscale("log")
    ax.set_xlabel("|accumulator| + 1 (dotted: worst case K·128·128 of each layer)")
    ax.set_ylabel("count (test digits)")
    ax.set_title("int32 accumulators of the integer-only teacher use a small part of the range")
    ax.legend(fontsize=7, loc="upper left")
    return save(fig, out_dir, "int_accumulators")


def requant_error_data(budget: Budget = FULL) -> list:
    """Per layer: integer code minus the exact z + acc·M (before clamping), on the test digits."""
    from ..integer.mlp import simulate_layer
    model, split = _integer_teacher(budget)
    codes = model.forward_all(split.test.X)
    out = []
    for L, x_q, y_q in zip(model.layers, codes[:-1], codes[1:]):
        _, v = simulate_layer(L, x_q)
        inside = (v + L.z_out > L.lo) & (v + L.z_out < 127)            # skip clamped codes
        out.append((y_q.astype(np.float64) - L.z_out - v)[inside])
    return out


@figure("int_requant_error", "integer")
def make_int_requant_error(out_dir, budget: Budget = FULL):
    data = requant_error_data(budget)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 3.6))
    for i, e in enumerate(data):
        ax.hist(e, bins=np.linspace(-0.6, 0.6, 61), histtype="step", lw=1.5, density=True,
                label=f"layer {i + 1}: {np.sum(np.abs(e) > 0.5):d} of {e.size:,} beyond ±0.5")
    ax.axvline(-0.5, color="k", ls=":")
    ax.axvline(0.5, color="k", ls=":")
    ax.set_xlabel("integer code − exact (z + acc·M)")
    ax.set_ylabel("density")
    ax.set_title("Fixed-point requantization rounds like round(acc·M), except a hair past ±0.5")
    ax.legend(fontsize=7)
    return save(fig, out_dir, "int_requant_error")


def gemm_speed_data(budget: Budget = FULL) -> dict:
    """GEMM GOP/s per kernel and size, measured now on this machine (``bench.measure_gemm``).

    A speed figure is a measurement of the reader's machine, so it is never read from a saved file;
    its bytes change from run to run (the determinism test knows it: ``measured=True``).
    """
    from ..bench import measure_gemm
    return measure_gemm(budget.bench_sizes[:3])


@figure("int_gemm_speed", "integer", measured=True)
def make_int_gemm_speed(out_dir, budget: Budget = FULL):
    data = gemm_speed_data(budget)
    sizes = data["sizes"]
    kernels = [k for k in data if k != "sizes"]
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(9.5, 4.0))
    width = 0.8 / len(kernels)
    for i, k in enumerate(kernels):
        ax.bar(np.arange(len(sizes)) + i * width, data[k], width, label=k)
    ax.set_xticks(np.arange(len(sizes)) + 0.4 - width / 2)
    ax.set_xticklabels([f"{n}³" for n in sizes])
    ax.set_yscale("log")
    top = max(max(v) for k, v in data.items() if k != "sizes")
    packed = data.get("int8 fast, B packed once")
    for i, n in enumerate(sizes):               # the numbers the speed target is about
        text = f"fast / BLAS {data['int8 fast'][i] / data['NumPy float32 @'][i]:.2f}x"
        if packed:
            text += f"\nB packed once {packed[i] / data['NumPy float32 @'][i]:.2f}x"
        ax.text(i + 0.4 - width / 2, top * 1.6, text, ha="center", fontsize=7.5)
    ax.set_ylim(top=top * 6)
    ax.set_ylabel("GOP/s (2·n³ / time)")
    ax.set_title(f"GEMM throughput on this machine, measured when this figure was drawn ({os.cpu_count()} cores)")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    return save(fig, out_dir, "int_gemm_speed")
