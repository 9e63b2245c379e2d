"""The tour's picture: every method's size against its test accuracy."""

from __future__ import annotations

from ..experiments.budget import FULL, Budget
from . import figure, pyplot, save


@figure("tour_size_vs_accuracy", "tour")
def make_tour_size_vs_accuracy(out_dir, budget: Budget = FULL):
    from ..stats import accuracy_interval
    from ..tour import tour_rows
    rows, f32, _ = tour_rows(budget=budget)
    plt = pyplot()
    fig, (full, zoom) = plt.subplots(1, 2, figsize=(13, 5.5), gridspec_kw={"width_ratios": [1, 1.6]})
    groups = [("float", ("float32", "float16", "bfloat16")), ("integer-only", ("integer-only",)),
              ("QAT / LSQ", ("QAT", "LSQ")), ("post-training", ("weights,", "act,")),
              ("distillation", ("student", "self-distilled", "on labels")),
              ("Deep Compression", ("pruned", "sharing", "Huffman"))]
    placed = set()
    for gi, (label, keys) in enumerate(groups):
        pts = [r for r in rows if r.method not in placed and any(k in r.method for k in keys)]
        placed.update(r.method for r in pts)
        for ax in (full, zoom):
            if pts:
                lows, highs = zip(*[accuracy_interval(r.correct)[1:] for r in pts])
                ax.errorbar([r.nbytes for r in pts], [100 * r.accuracy for r in pts], fmt="o", ms=5, capsize=2,
                            yerr=[[100 * (r.accuracy - lo) for r, lo in zip(pts, lows)],
                                  [100 * (hi - r.accuracy) for r, hi in zip(pts, highs)]],
                            label=label, color=f"C{gi}", elinewidth=0.8)
        for i, r in enumerate(pts):
            if r.accuracy >= 0.9:
                zoom.annotate(r.method, (r.nbytes, 100 * r.accuracy), fontsize=6,
                              xytext=(4, -6 + 5 * (i % 3)), textcoords="offset points")
    for ax in (full, zoom):
        ax.set_xscale("log")
        ax.set_xlabel(f"bytes stored (float32 teacher: {f32:,})")
    full.set_ylabel("test accuracy (%)")
    full.set_title("all methods")
    zoom.set_ylim(90, 99.5)
    zoom.set_title("the ones above 90%")
    zoom.legend(fontsize=8, loc="lower right")
    fig.suptitle("The tour: size against accuracy on the 450 test digits (bars: 95% intervals)")
    return save(fig, out_dir, "tour_size_vs_accuracy")
