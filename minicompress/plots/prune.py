"""Figures of Deep Compression: weight histograms per stage, accuracy against sparsity, bytes per stage."""

from __future__ import annotations

import numpy as np

from ..data import digits_split
from ..experiments.budget import FULL, Budget
from ..experiments.teacher import shared_teacher
from ..train import evaluate
from . import figure, pyplot, save


def _compress(budget: Budget):
    from ..experiments.prune import compressed
    return compressed(budget, seed=0)


def histogram_data(budget: Budget = FULL, layer: int = 1):
    """Layer ``layer``'s weights: original, after pruning (non-zero), after sharing, and the centroids."""
    r = _compress(budget)
    teacher, _ = shared_teacher(epochs=budget.teacher_epochs)
    lin = [m for m in teacher if hasattr(m, "weight")][layer]
    pruned = [m for m in r["pruned"] if hasattr(m, "mask")][layer]
    shared = [m for m in r["shared"] if hasattr(m, "codebook")][layer]
    kept = pruned.mask.astype(bool)
    return (lin.weight.data.ravel(), (pruned.weight.data * pruned.mask)[kept],
            shared.weight_tensor().data[kept], shared.codebook.data)


@figure("prune_weight_histograms", "prune")
def make_prune_weight_histograms(out_dir, budget: Budget = FULL):
    original, pruned, shared, centroids = histogram_data(budget)
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4), sharex=True)
    bins = np.linspace(original.min(), original.max(), 121)
    axes[0].hist(original, bins=bins)
    axes[0].set_title(f"layer 2 before pruning ({original.size:,} weights)")
    axes[1].hist(pruned, bins=bins, color="C1")
    axes[1].set_title(f"after pruning and retraining ({pruned.size:,} kept)")
    axes[2].hist(shared, bins=bins, color="C2")
    for c in centroids:
        axes[2].axvline(c, color="k", lw=0.6, ls=":")
    axes[2].set_title(f"after sharing: {centroids.size} values (dotted)")
    for a in axes:
        a.set_xlabel("weight")
    return save(fig, out_dir, "prune_weight_histograms")


def accuracy_vs_sparsity_data(budget: Budget = FULL, schedule=(0.5, 0.7, 0.8, 0.88, 0.92, 0.95)):
    """Test accuracy at each sparsity: pruning the teacher once (no retraining) vs step by step with retraining."""
    from ..prune.magnitude import prune
    from ..prune.pipeline import prune_and_retrain
    split = digits_split()
    teacher, _ = shared_teacher(epochs=budget.teacher_epochs)
    once = [evaluate(prune(teacher, sp, "global"), split.test) for sp in schedule]
    _, retrained = prune_and_retrain(teacher, split, schedule, epochs=budget.prune_epochs)
    return np.array(schedule), np.array(once), np.array(retrained), evaluate(teacher, split.test)


@figure("prune_accuracy_vs_sparsity", "prune")
def make_prune_accuracy_vs_sparsity(out_dir, budget: Budget = FULL):
    sp, once, retrained, base = accuracy_vs_sparsity_data(budget)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    from ..stats import wilson_interval
    n = len(digits_split().test)
    for acc, marker, label in ((once, "o-", "pruned once, no retraining"),
                               (retrained, "s-", "pruned step by step, retrained (masks fixed)")):
        low, high = np.array([wilson_interval(int(round(a * n)), n) for a in acc]).T
        ax.errorbar(100 * sp, 100 * acc, yerr=[100 * (acc - low), 100 * (high - acc)], fmt=marker, capsize=3,
                    label=label)
    ax.axhline(100 * base, color="gray", ls="--", label=f"float teacher ({100 * base:.1f}%)")
    ax.set_xlabel("weights removed (%), global magnitude threshold")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title("Retraining lets the network route around the pruned weights (bars: Wilson 95%)", fontsize=10)
    ax.legend(loc="lower left")
    return save(fig, out_dir, "prune_accuracy_vs_sparsity")


@figure("prune_bytes_per_stage", "prune")
def make_prune_bytes_per_stage(out_dir, budget: Budget = FULL):
    r = _compress(budget)
    b = r["breakdown"]
    stages = ["float32", "pruned", "+ sharing", "+ Huffman"]
    sizes = [r["bills"][k].total for k in ("float32", "pruned", "shared", "huffman")]
    plt = pyplot()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 3.8))
    a1.bar(stages, sizes, color=["C0", "C1", "C2", "C3"])
    a1.set_yscale("log")
    for i, s in enumerate(sizes):
        a1.text(i, s * 1.1, f"{s:,} B\n{sizes[0] / s:.1f}x", ha="center", fontsize=8)
    a1.set_ylabel("bytes (log scale)")
    a1.set_ylim(1e3, 2e6)
    a1.set_title("Size of the teacher at each stage")
    parts = {"cluster indices": b.index_streams, "positions": b.position_streams, "biases": b.biases,
             "Huffman tables": b.huffman_tables, "codebooks": b.codebooks, "headers": b.headers}
    a2.barh(list(parts), list(parts.values()), color="C3")
    a2.set_xlabel("bytes in the final file")
    a2.set_title(f"Where the {sizes[-1]:,} bytes go")
    return save(fig, out_dir, "prune_bytes_per_stage")
