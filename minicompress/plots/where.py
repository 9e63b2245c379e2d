"""Figures of where to compress: each layer's sensitivity, and accuracy against bytes for every bit allocation."""

from __future__ import annotations

import numpy as np

from ..experiments.budget import FULL, Budget
from . import figure, pyplot, save

_WHERE = {}


def _where(budget: Budget):
    from ..experiments.where import Where
    if budget not in _WHERE:
        _WHERE[budget] = Where(budget)
    return _WHERE[budget]


@figure("where_sensitivity", "where")
def make_where_sensitivity(out_dir, budget: Budget = FULL):
    from ..experiments.where import SCAN_BITS, SPARSITIES, curvature_table, sensitivity_scan_cached
    w = _where(budget)
    scan = sensitivity_scan_cached(w)
    curv = curvature_table(w)
    plt = pyplot()
    fig, (a1, a2, a3) = plt.subplots(1, 3, figsize=(13, 3.8))
    for i, row in enumerate(scan["bits"]):
        a1.plot(SCAN_BITS, [100 * row[b][0] for b in SCAN_BITS], "o-", label=f"layer {i + 1}")
    for i, row in enumerate(scan["sparsity"]):
        a2.plot([100 * s for s in SPARSITIES], [100 * row[s][0] for s in SPARSITIES], "o-", label=f"layer {i + 1}")
    a1.set_xlabel("bits of this layer alone (GPTQ)")
    a2.set_xlabel("weights of this layer alone pruned (%)")
    for a in (a1, a2):
        a.set_ylabel("validation accuracy (%)")
        a.legend(fontsize=8)
    x = np.arange(len(curv))
    a3.bar(x - 0.2, [c[2] for c in curv], 0.4, label="predicted ½δᵀHδ")
    a3.bar(x + 0.2, [c[3] for c in curv], 0.4, label="measured")
    a3.set_xticks(x)
    a3.set_xticklabels([f"layer {i + 1}\ntr(H) = {c[0]:.1f} ± {c[1]:.1f}" for i, c in enumerate(curv)], fontsize=8)
    a3.set_ylabel("training-loss increase at 2 bits")
    a3.legend(fontsize=8)
    fig.suptitle("Which layer minds compression: each layer alone, the others left in float", fontsize=11)
    return save(fig, out_dir, "where_sensitivity")


@figure("where_mixed_precision", "where")
def make_where_mixed_precision(out_dir, budget: Budget = FULL):
    from ..experiments.where import allocations, uniform_budgets
    w = _where(budget)
    pts = w.mixed()
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 4.4))
    ax.scatter([p[1] for p in pts], [100 * p[2] for p in pts], s=14, color="0.6", label="all 64 assignments")
    order = sorted(pts, key=lambda p: p[1])
    frontier, best = [], -1.0
    for p in order:                                      # the best validation accuracy reachable within each size
        if p[2] > best:
            best = p[2]
            frontier.append(p)
    ax.step([p[1] for p in frontier], [100 * p[2] for p in frontier], where="post", color="k", lw=1,
            label="exhaustive optimum (frontier)")
    marks = {"greedy (measured sensitivity)": ("C1", "s"), "HAWQ (Hessian trace)": ("C2", "^")}
    for b, nbytes in uniform_budgets(w).items():
        ax.axvline(nbytes, color="0.85", lw=0.8)
        ax.text(nbytes, 90, f" uniform {b}-bit", fontsize=7, rotation=90, va="bottom")
        for a in allocations(w, nbytes)[1:]:
            color, marker = marks[a.method]
            ax.plot(a.nbytes, 100 * a.val_acc, marker, color=color, ms=8, mfc="none",
                    label=a.method if b == 2 else None)
    ax.set_xlabel("bytes stored (storage bill)")
    ax.set_ylabel("validation accuracy (%)")
    ax.set_ylim(89, 99.5)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title("Bits per layer from {2, 3, 4, 8}: every assignment, and where the heuristics land", fontsize=10)
    return save(fig, out_dir, "where_mixed_precision")


def neurons_vs_weights_data(budget: Budget = FULL, fractions=(0.25, 0.5, 0.75, 0.875),
                            sparsities=(0.5, 0.75, 0.9, 0.95)):
    """Test accuracy against remaining weights: neuron pruning (norm, fine-tuned) and magnitude pruning
    (global, retrained step by step), seed 0 each."""
    from ..experiments.where import prune_neurons
    from ..prune.pipeline import prune_and_retrain
    from ..train import evaluate
    w = _where(budget)
    neurons = []
    for f in fractions:
        m, _ = prune_neurons(w, "norm", f, "one-shot", 0)
        neurons.append((sum(x.weight.data.size for x in m if hasattr(x, "weight")), evaluate(m, w.split.test)))
    total = sum(x.weight.data.size for x in w.teacher if hasattr(x, "weight"))
    _, accs = prune_and_retrain(w.teacher, w.split, sparsities, epochs=w.budget.prune_epochs)
    weights = [(round(total * (1 - s)), a) for s, a in zip(sparsities, accs)]
    return total, evaluate(w.teacher, w.split.test), neurons, weights


@figure("where_neurons_vs_weights", "where")
def make_where_neurons_vs_weights(out_dir, budget: Budget = FULL):
    total, base, neurons, weights = neurons_vs_weights_data(budget)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.8, 3.9))
    ax.plot(*zip(*[(n, 100 * a) for n, a in neurons]), "o-", label="neurons removed (smaller dense matrices)")
    ax.plot(*zip(*[(n, 100 * a) for n, a in weights]), "s-", label="single weights removed (same shapes, sparse)")
    ax.axhline(100 * base, color="gray", ls="--", label=f"teacher ({100 * base:.1f}%, {total:,} weights)")
    ax.set_xscale("log")
    ax.set_xlabel("weights left")
    ax.set_ylabel("test accuracy (%)")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title("Accuracy against weights left, seed 0: removing neurons against removing single weights\n"
                 "(single weights keep more accuracy per weight; neurons leave dense matrices that run faster)",
                 fontsize=9)
    return save(fig, out_dir, "where_neurons_vs_weights")
