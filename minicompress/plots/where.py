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
    fig.suptitle("Which layer minds compression: the first layer, by every measure", fontsize=11)
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
