"""PTQ vs QAT vs LSQ on the digits teacher at 2, 3 and 4 bits (mean over seeds), and their training curves.

Recipe for both QAT and LSQ: start from the trained teacher, calibrate the
activation ranges on the first ``budget.qat_calibration`` training images,
then train ``budget.qat_epochs`` epochs with Adam (lr 3e-4) on the training
images. Weights per channel, activations 8 bits.
"""

from __future__ import annotations

import numpy as np

from ..bill import storage_bill
from ..data import digits_split
from ..optim import Adam
from ..quant import quantize_model
from ..quant.qat import LSQLinear, prepare_qat
from ..train import evaluate, fit
from .budget import FULL, Budget
from .teacher import shared_teacher

LR = 3e-4


def train_quantized(teacher, split, bits: int, method: str, seed: int, epochs: int, calibration: int = 256,
                    on_epoch=None):
    """``prepare_qat`` then ``fit``: the recipe above for one seed; returns (model, history)."""
    model = prepare_qat(teacher, bits, 8, per_channel=True, method=method, calib=split.train.X[:calibration])
    history = fit(model, split.train, epochs=epochs, rng=seed, test=split.test,
                  optimizer=Adam(model.parameters(), lr=LR), on_epoch=on_epoch)
    return model, history


def comparison_table(budget: Budget = FULL, bits=(2, 3, 4)) -> list:
    """Rows (bits, method, accuracies over seeds, bytes) for PTQ, QAT and LSQ."""
    split = digits_split()
    teacher, _ = shared_teacher(epochs=budget.teacher_epochs)
    rows = []
    for b in bits:
        ptq = quantize_model(teacher, b, 8, mode="static", per_channel=True, calib=split.train.X)
        rows.append((b, "PTQ", [evaluate(ptq, split.test)], storage_bill(ptq).total))
        for method in ("qat", "lsq"):
            models = [train_quantized(teacher, split, b, method, k, budget.qat_epochs, budget.qat_calibration)[0]
                      for k in budget.seeds("qat")]
            rows.append((b, method.upper(), [evaluate(m, split.test) for m in models],
                         storage_bill(models[0]).total))
    return rows


def curves(budget: Budget = FULL, bits: int = 2, seed: int = 0) -> dict:
    """Test accuracy per epoch for QAT and LSQ, and LSQ's learned weight steps per layer and epoch."""
    split = digits_split()
    teacher, _ = shared_teacher(epochs=budget.teacher_epochs)
    out = {"ptq": evaluate(quantize_model(teacher, bits, 8, mode="static", calib=split.train.X), split.test)}
    steps = []

    def mean_steps(model):
        return [float(m.w_step.data.mean()) for m in model if isinstance(m, LSQLinear)]

    for method in ("qat", "lsq"):
        model = prepare_qat(teacher, bits, 8, method=method, calib=split.train.X[:budget.qat_calibration])
        if method == "lsq":
            steps.append(mean_steps(model))
        hist = fit(model, split.train, epochs=budget.qat_epochs, rng=seed, test=split.test,
                   optimizer=Adam(model.parameters(), lr=LR),
                   on_epoch=(lambda epoch, r, m=model: steps.append(mean_steps(m))) if method == "lsq" else None)
        out[method] = np.array([h["test_acc"] for h in hist])
        if method == "lsq":
            out["lsq_model"] = model
    out["lsq_steps"] = np.array(steps)        # (epochs + 1, layers): mean learned step per layer
    return out


def report(budget: Budget = FULL) -> str:
    seeds = budget.seeds("qat")
    lines = [f"PTQ vs QAT vs LSQ, weights per channel, activations 8 bits; mean ± std over {len(seeds)} seeds",
             f"{'bits':>5}  {'method':<6}{'test accuracy':>18}{'bytes':>9}"]
    for b, method, accs, nbytes in comparison_table(budget):
        spread = f" ± {100 * np.std(accs):.1f}" if len(accs) > 1 else " (one run)"
        lines.append(f"{b:>5}  {method:<6}{100 * np.mean(accs):>8.1f}%{spread:<9}{nbytes:>9}")
    c = curves(budget)
    layers = c["lsq_steps"]
    lines += ["", "LSQ at 2 bits, learned weight steps (mean per layer), start → end of training:"]
    lines += [f"  layer {i + 1}: {layers[0, i]:.4f} → {layers[-1, i]:.4f}" for i in range(layers.shape[1])]
    return "\n".join(lines)
