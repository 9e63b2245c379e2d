"""The Deep Compression pipeline on the digits teacher, stage by stage, over seeds, with the file's bytes."""

from __future__ import annotations

import numpy as np

from ..bill import storage_bill
from ..data import digits_split
from ..prune import compress, sparsity_report
from ..stats import format_accuracy, paired_bootstrap
from ..train import correct_matrix
from .budget import FULL, Budget
from .teacher import shared_teacher

_RUNS = {}


def compress_with_bills(teacher, split, budget: Budget = FULL, seed: int = 0) -> dict:
    """``prune.compress`` with the budget's epochs, plus each stage's bill: ``bills`` maps
    "float32", "pruned", "shared" and "huffman" to a Bill."""
    r = compress(teacher, split, seed=seed, epochs=budget.prune_epochs, share_epochs=budget.share_epochs)
    r["bills"] = {"float32": storage_bill(teacher), "pruned": storage_bill(r["pruned"], r["index_bits"]),
                  "shared": storage_bill(r["shared"], r["index_bits"]),
                  "huffman": storage_bill(r["shared"], r["index_bits"], coding="huffman")}
    return r


def compressed(budget: Budget = FULL, seed: int = 0) -> dict:
    """:func:`compress_with_bills` of the standard teacher, computed once per process."""
    key = (budget, seed)
    if key not in _RUNS:
        teacher, _ = shared_teacher(epochs=budget.teacher_epochs)
        _RUNS[key] = compress_with_bills(teacher, digits_split(), budget, seed)
    return _RUNS[key]


def report(budget: Budget = FULL) -> str:
    runs = [compressed(budget, seed=s) for s in budget.seeds("prune")]
    r0 = runs[0]
    f32 = r0["bills"]["float32"].total
    test = digits_split().test
    teacher, _ = shared_teacher(epochs=budget.teacher_epochs)
    lines = [f"Deep Compression of the teacher ({r0['weights']:,} weights, {f32:,} bytes in float32); "
             f"{len(runs)} seeds",
             "accuracy: mean ± std over seeds [95% interval of the mean]; Δ: paired bootstrap against the teacher",
             f"{'stage':<34}{'test accuracy':>28}{'bytes':>9}{'ratio':>8}   Δ vs teacher"]
    rows = [("float32 teacher", None, "float32"), ("pruned 92% (global) + retrained", "dense", "pruned"),
            ("+ 16-way weight sharing", "shared", "shared"), ("+ Huffman coding (the file)", "decoded", "huffman")]
    reference = correct_matrix([teacher], test)
    for name, model, stage in rows:
        correct = reference if model is None else correct_matrix([r[model] for r in runs], test)
        size = np.mean([r["bills"][stage].total for r in runs])
        d = paired_bootstrap(correct, reference, rng=0)
        delta = "" if model is None else (f"{100 * d.diff:+.1f} [{100 * d.low:+.1f}, {100 * d.high:+.1f}] "
                                          + ("within noise" if d.within_noise else "better" if d.diff > 0 else "worse"))
        lines.append(f"{name:<34}{format_accuracy(correct):>28}{size:>9.0f}{f32 / size:>7.1f}x   {delta}")
    lines += ["", "sparsity per layer (seed 0): " + ", ".join(
        f"layer {i}: {100 * sp:.1f}% of {n:,}" for i, n, _, sp in sparsity_report(r0["pruned"]))]
    b = r0["breakdown"]
    lines += ["", str(r0["bills"]["huffman"]), f"({b.padding_entries} padding entries; seed 0)",
              f"decoded file gives exactly the same predictions: "
              f"{all(r['same_predictions'] for r in runs)} for every seed"]
    return "\n".join(lines)
