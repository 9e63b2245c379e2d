"""PTQ vs QAT vs LSQ on the digits teacher at 2, 3 and 4 bits (mean over seeds), and their training curves.

Recipe for both QAT and LSQ: start from the trained teacher, calibrate the
activation ranges on 256 training images, then train 30 epochs with Adam
(lr 3e-4) on the training images. Weights per channel, activations 8 bits.
"""

from __future__ import annotations

import numpy as np

from ..data import digits_split
from ..optim import Adam
from ..teacher import shared_teacher
from ..train import evaluate, fit
from .model import quantize_model
from .qat import LSQLinear, prepare_qat, qat_storage_bytes

LR, EPOCHS = 3e-4, 30


def train_quantized(teacher, split, bits: int, method: str, seed: int, epochs: int = EPOCHS, on_epoch=None):
    model = prepare_qat(teacher, bits, 8, per_channel=True, method=method, calib=split.train.X[:256])
    history = fit(model, split.train, epochs=epochs, rng=seed, test=split.test,
                  optimizer=Adam(model.parameters(), lr=LR), on_epoch=on_epoch)
    return model, history


def comparison_table(bits=(2, 3, 4), seeds=range(3), quick: bool = False) -> list:
    """Rows (bits, method, accuracies over seeds, bytes) for PTQ, QAT and LSQ."""
    split = digits_split()
    teacher, _ = shared_teacher(epochs=3 if quick else 20)
    epochs = 2 if quick else EPOCHS
    rows = []
    for b in bits:
        ptq = quantize_model(teacher, b, 8, mode="static", per_channel=True, calib=split.train.X)
        rows.append((b, "PTQ", [evaluate(ptq, split.test)], ptq.storage_bytes()))
        for method in ("qat", "lsq"):
            models = [train_quantized(teacher, split, b, method, k, epochs)[0] for k in seeds]
            rows.append((b, method.upper(), [evaluate(m, split.test) for m in models], qat_storage_bytes(models[0])))
    return rows


def curves(bits: int = 2, seed: int = 0, quick: bool = False) -> dict:
    """Test accuracy per epoch for QAT and LSQ, and LSQ's learned weight steps per layer and epoch."""
    split = digits_split()
    teacher, _ = shared_teacher(epochs=3 if quick else 20)
    epochs = 2 if quick else EPOCHS
    out = {"ptq": evaluate(quantize_model(teacher, bits, 8, mode="static", calib=split.train.X), split.test)}
    steps = []

    def record(model):
        return lambda epoch, r: steps.append([float(m.w_step.data.mean()) for m in model if isinstance(m, LSQLinear)])

    for method in ("qat", "lsq"):
        model = prepare_qat(teacher, bits, 8, method=method, calib=split.train.X[:256])
        if method == "lsq":
            steps.append([float(m.w_step.data.mean()) for m in model if isinstance(m, LSQLinear)])
        hist = fit(model, split.train, epochs=epochs, rng=seed, test=split.test,
                   optimizer=Adam(model.parameters(), lr=LR), on_epoch=record(model) if method == "lsq" else None)
        out[method] = np.array([h["test_acc"] for h in hist])
        if method == "lsq":
            out["lsq_model"] = model
    out["lsq_steps"] = np.array(steps)        # (epochs + 1, layers): mean learned step per layer
    return out


def report(quick: bool = False) -> str:
    seeds = range(2) if quick else range(3)
    lines = [f"PTQ vs QAT vs LSQ, weights per channel, activations 8 bits; mean ± std over {len(seeds)} seeds",
             f"{'bits':>5}  {'method':<6}{'test accuracy':>18}{'bytes':>9}"]
    for b, method, accs, nbytes in comparison_table(seeds=seeds, quick=quick):
        spread = f" ± {100 * np.std(accs):.1f}" if len(accs) > 1 else " (one run)"
        lines.append(f"{b:>5}  {method:<6}{100 * np.mean(accs):>8.1f}%{spread:<9}{nbytes:>9}")
    c = curves(quick=quick)
    layers = c["lsq_steps"]
    lines += ["", "LSQ at 2 bits, learned weight steps (mean per layer), start → end of training:"]
    lines += [f"  layer {i + 1}: {layers[0, i]:.4f} → {layers[-1, i]:.4f}" for i in range(layers.shape[1])]
    return "\n".join(lines)
