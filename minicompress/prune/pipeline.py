"""The whole Deep Compression pipeline on the digits teacher, and its measurements.

Recipe: global magnitude pruning in five steps (50, 70, 80, 88, 92% of the
weights removed), 10 epochs of retraining after each (Adam, lr 1e-3, masks
fixed); k-means sharing with 16 clusters per layer (linear init), 5 epochs of
codebook fine-tuning (lr 1e-4); then gap-encoded positions (5-bit gaps) and
Huffman coding of cluster indices and gaps.
"""

from __future__ import annotations

import numpy as np

from ..data import digits_split
from ..optim import Adam
from ..teacher import shared_teacher
from ..train import evaluate, fit, predict_logits
from .magnitude import prune, to_dense
from .share import share_weights
from .storage import decode_model, encode_model

SCHEDULE = (0.5, 0.7, 0.8, 0.88, 0.92)


def prune_and_retrain(model, split, schedule=SCHEDULE, epochs: int = 10, seed: int = 0, scope: str = "global",
                      retrain: bool = True):
    """Prune step by step (retraining in between when ``retrain``); returns (model, accuracy per step)."""
    accs = []
    for sp in schedule:
        model = prune(model, sp, scope)
        if retrain:
            fit(model, split.train, epochs=epochs, rng=seed, optimizer=Adam(model.parameters(), lr=1e-3))
        accs.append(evaluate(model, split.test))
    return model, accs


def compress(seed: int = 0, k: int = 16, index_bits: int = 5, quick: bool = False) -> dict:
    """Run the pipeline once; accuracy, bytes and the decoded model at every stage."""
    split = digits_split()
    teacher, _ = shared_teacher(epochs=3 if quick else 20)
    epochs = 1 if quick else 10
    pruned, _ = prune_and_retrain(teacher, split, epochs=epochs, seed=seed)
    shared = share_weights(pruned, k)
    fit(shared, split.train, epochs=1 if quick else 5, rng=seed, optimizer=Adam(shared.parameters(), lr=1e-4))
    data, breakdown = encode_model(shared, index_bits)
    decoded = decode_model(data)
    n = teacher.num_parameters()
    kept = sum(r["kept"] for r in breakdown.per_layer)
    entries = sum(r["entries"] for r in breakdown.per_layer)         # kept weights + padding entries
    fixed = breakdown.biases + breakdown.headers
    # The earlier stages stored with fixed-width fields, counted like the file:
    # pruned: a float32 value and an index_bits gap per entry;
    # shared: a ⌈log2(k + 1)⌉-bit cluster index (k clusters + the padding symbol) and a gap per entry.
    pruned_bytes = entries * (32 + index_bits) / 8 + fixed
    shared_bytes = entries * (np.ceil(np.log2(k + 1)) + index_bits) / 8 + breakdown.codebooks + fixed
    return {"teacher_acc": evaluate(teacher, split.test), "pruned": pruned, "shared": shared, "decoded": decoded,
            "pruned_acc": evaluate(pruned, split.test), "shared_acc": evaluate(shared, split.test),
            "decoded_acc": evaluate(decoded, split.test),
            "same_predictions": bool(np.array_equal(predict_logits(shared, split.test.X).argmax(1),
                                                    predict_logits(decoded, split.test.X).argmax(1))),
            "float32_bytes": 4 * n, "pruned_bytes": int(np.ceil(pruned_bytes)),
            "shared_bytes": int(np.ceil(shared_bytes)), "huffman_bytes": len(data), "breakdown": breakdown,
            "kept": kept, "weights": sum(r["weights"] for r in breakdown.per_layer), "bytes": data,
            "dense": to_dense(pruned)}


def report(seeds=range(3), quick: bool = False) -> str:
    runs = [compress(seed=s, quick=quick) for s in (range(1) if quick else seeds)]
    r0 = runs[0]
    f32 = r0["float32_bytes"]
    lines = [f"Deep Compression of the teacher ({r0['weights']:,} weights, {f32:,} bytes in float32); "
             f"mean over {len(runs)} seeds",
             f"{'stage':<34}{'test acc':>10}{'bytes':>9}{'ratio':>8}"]
    rows = [("float32 teacher", "teacher_acc", "float32_bytes"), ("pruned 92% (global) + retrained", "pruned_acc", "pruned_bytes"),
            ("+ 16-way weight sharing", "shared_acc", "shared_bytes"),
            ("+ Huffman coding (the file)", "decoded_acc", "huffman_bytes")]
    for name, acc, nbytes in rows:
        a = np.mean([r[acc] for r in runs])
        size = np.mean([r[nbytes] for r in runs])
        lines.append(f"{name:<34}{100 * a:>9.1f}%{size:>9.0f}{f32 / size:>7.1f}x")
    from .magnitude import sparsity_report
    lines += ["", "sparsity per layer (seed 0): " + ", ".join(
        f"layer {i}: {100 * sp:.1f}% of {n:,}" for i, n, _, sp in sparsity_report(r0["pruned"]))]
    b = r0["breakdown"]
    lines += [f"bytes of the file (seed 0): codebooks {b.codebooks}, biases {b.biases}, cluster indices "
                  f"{b.index_streams}, positions {b.position_streams}, Huffman tables {b.huffman_tables}, "
                  f"headers and checksum {b.headers}; {b.padding_entries} padding entries",
              f"decoded file gives exactly the same predictions: "
              f"{all(r['same_predictions'] for r in runs)} for every seed"]
    return "\n".join(lines)
