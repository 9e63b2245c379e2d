"""The tour's picture: every method's size against its test accuracy."""

from __future__ import annotations

from ..experiments.budget import FULL, Budget
from . import figure, pyplot, save

GROUPS = [("float", ("float32", "float16", "bfloat16")), ("integer-only", ("integer-only",)),
          ("QAT / LSQ", ("QAT", "LSQ")), ("post-training", ("weights,", "act,", "mixed precision")),
          ("distillation", ("student", "self-distilled", "on labels")),
          ("Deep Compression", ("pruned", "sharing", "Huffman"))]


def pareto_front(rows) -> list:
    """The rows no other row beats on both counts (fewer bytes and higher accuracy), smallest first."""
    front, best = [], -1.0
    for r in sorted(rows, key=lambda r: (r.nbytes, -r.accuracy)):
        if r.accuracy > best:
            front.append(r)
            best = r.accuracy
    return front


def label_heights(ys, lo: float, hi: float) -> list:
    """Heights for labels of points at ``ys`` (in order): spread evenly over [lo, hi], in the points' order."""
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    out = [0.0] * len(ys)
    for rank, i in enumerate(order):
        out[i] = lo + (hi - lo) * (rank + 0.5) / len(ys)
    return out


@figure("tour_size_vs_accuracy", "tour")
def make_tour_size_vs_accuracy(out_dir, budget: Budget = FULL):
    from ..stats import accuracy_interval
    from ..tour import tour_rows
    rows, f32, _ = tour_rows(budget=budget)
    plt = pyplot()
    fig, (full, zoom) = plt.subplots(1, 2, figsize=(14, 5.8), gridspec_kw={"width_ratios": [1, 1.15]})
    placed, colour = set(), {}
    for gi, (label, keys) in enumerate(GROUPS):
        pts = [r for r in rows if r.method not in placed and any(k in r.method for k in keys)]
        placed.update(r.method for r in pts)
        colour.update({r.method: f"C{gi}" for r in pts})
        if pts:
            lows, highs = zip(*[accuracy_interval(r.correct)[1:] for r in pts])
            full.errorbar([r.nbytes for r in pts], [100 * r.accuracy for r in pts], fmt="o", ms=5, capsize=2,
                          yerr=[[100 * (r.accuracy - lo) for r, lo in zip(pts, lows)],
                                [100 * (hi - r.accuracy) for r, hi in zip(pts, highs)]],
                          label=label, color=f"C{gi}", elinewidth=0.8)
    full.set_ylabel("test accuracy (%)")
    full.set_title(f"all {len(rows)} rows of the tour, by kind")
    full.legend(fontsize=8, loc="lower right")
    # right: only the rows that no smaller row beats, each labelled in a column of its own
    front = pareto_front(rows)
    others = [r for r in rows if r not in front]
    zoom.scatter([r.nbytes for r in others], [100 * r.accuracy for r in others], s=10, color="0.8", zorder=1)
    lo_y = min(100 * r.accuracy for r in front) - 1.5
    for r in front:
        _, lo, hi = accuracy_interval(r.correct)
        zoom.errorbar([r.nbytes], [100 * r.accuracy], yerr=[[100 * (r.accuracy - lo)], [100 * (hi - r.accuracy)]],
                      fmt="o", ms=6, capsize=3, color=colour.get(r.method, "k"), elinewidth=1, zorder=3)
    zoom.plot([r.nbytes for r in front], [100 * r.accuracy for r in front], color="0.4", lw=0.8, ls=":", zorder=2)
    ys = [100 * r.accuracy for r in front]
    for r, y, ly in zip(front, ys, label_heights(ys, lo_y + 0.3, 100.2)):
        zoom.annotate(f"{r.method}  ({r.nbytes:,} B, {100 * r.accuracy:.1f}%)", (r.nbytes, y),
                      xytext=(1.03, ly), textcoords=("axes fraction", "data"), fontsize=7.5, va="center",
                      color=colour.get(r.method, "k"),
                      arrowprops=dict(arrowstyle="-", color="0.6", lw=0.6, shrinkA=0, shrinkB=3))
    zoom.set_ylim(lo_y, 100.5)
    zoom.set_title("the best accuracy for its size (grey: beaten by a smaller row);\noverlapping bars: the differences are within noise", fontsize=9.5)
    for ax in (full, zoom):
        ax.set_xscale("log")
        ax.set_xlabel(f"bytes stored, log scale (float32 teacher: {f32:,})")
    fig.suptitle("The tour: size against accuracy on the 450 test digits (bars: 95% intervals)")
    fig.subplots_adjust(right=0.72, wspace=0.18)
    return save(fig, out_dir, "tour_size_vs_accuracy")
