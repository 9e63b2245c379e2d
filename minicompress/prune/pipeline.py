"""The whole Deep Compression pipeline (Han, Mao & Dally 2015): prune → retrain → share → fine-tune → encode.

Recipe: global magnitude pruning in five steps (50, 70, 80, 88, 92% of the
weights removed), ``epochs`` of retraining after each (Adam, lr 1e-3, masks
fixed); k-means sharing with ``k`` clusters per layer (linear init),
``share_epochs`` of codebook fine-tuning (lr 1e-4); then gap-encoded
positions (``index_bits``-bit gaps) and Huffman coding of cluster indices
and gaps. The bytes of every stage are counted by ``minicompress.bill``.
"""

from __future__ import annotations

import numpy as np

from ..optim import Adam
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


def compress(teacher, split, seed: int = 0, k: int = 16, index_bits: int = 5, epochs: int = 10,
             share_epochs: int = 5) -> dict:
    """Run the pipeline once on ``teacher`` (not modified); the model, its accuracy and the file at every stage."""
    pruned, _ = prune_and_retrain(teacher, split, epochs=epochs, seed=seed)
    shared = share_weights(pruned, k)
    fit(shared, split.train, epochs=share_epochs, rng=seed, optimizer=Adam(shared.parameters(), lr=1e-4))
    data, breakdown = encode_model(shared, index_bits)
    decoded = decode_model(data)
    return {"teacher_acc": evaluate(teacher, split.test), "pruned": pruned, "shared": shared, "decoded": decoded,
            "pruned_acc": evaluate(pruned, split.test), "shared_acc": evaluate(shared, split.test),
            "decoded_acc": evaluate(decoded, split.test),
            "same_predictions": bool(np.array_equal(predict_logits(shared, split.test.X).argmax(1),
                                                    predict_logits(decoded, split.test.X).argmax(1))),
            "breakdown": breakdown, "index_bits": index_bits,
            "kept": sum(r["kept"] for r in breakdown.per_layer),
            "weights": sum(r["weights"] for r in breakdown.per_layer), "bytes": data,
            "dense": to_dense(pruned)}
