"""The Deep Compression pipeline on the digits teacher, stage by stage, over seeds, with the file's bytes."""

from __future__ import annotations

import numpy as np

from ..bill import storage_bill
from ..data import digits_split
from ..prune import compress, sparsity_report
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
    lines = [f"Deep Compression of the teacher ({r0['weights']:,} weights, {f32:,} bytes in float32); "
             f"mean over {len(runs)} seeds",
             f"{'stage':<34}{'test acc':>10}{'bytes':>9}{'ratio':>8}"]
    rows = [("float32 teacher", "teacher_acc", "float32"), ("pruned 92% (global) + retrained", "pruned_acc", "pruned"),
            ("+ 16-way weight sharing", "shared_acc", "shared"), ("+ Huffman coding (the file)", "decoded_acc", "huffman")]
    for name, acc, stage in rows:
        a = np.mean([r[acc] for r in runs])
        size = np.mean([r["bills"][stage].total for r in runs])
        lines.append(f"{name:<34}{100 * a:>9.1f}%{size:>9.0f}{f32 / size:>7.1f}x")
    lines += ["", "sparsity per layer (seed 0): " + ", ".join(
        f"layer {i}: {100 * sp:.1f}% of {n:,}" for i, n, _, sp in sparsity_report(r0["pruned"]))]
    b = r0["breakdown"]
    lines += ["", str(r0["bills"]["huffman"]), f"({b.padding_entries} padding entries; seed 0)",
              f"decoded file gives exactly the same predictions: "
              f"{all(r['same_predictions'] for r in runs)} for every seed"]
    return "\n".join(lines)
