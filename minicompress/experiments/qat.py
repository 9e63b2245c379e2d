"""PTQ vs QAT vs LSQ on the digits teacher at 2, 3 and 4 bits (mean over seeds), and their training curves.

Recipe for both QAT and LSQ: start from the trained teacher, calibrate the
activation ranges on the first ``budget.qat_calibration`` training images,
then train ``budget.qat_epochs`` epochs with Adam (lr 3e-4) on the training
images. Weights per channel, activations 8 bits.

The control for both is the float teacher fine-tuned with the very same
recipe (``finetune_float``): same start, epochs, optimizer, learning rate and
batch order. Whatever QAT or LSQ gain over the teacher that the control
gains too is fine-tuning, not quantization. The epochs are fixed in advance
for all three, not chosen on any split.
"""

from __future__ import annotations

import copy

import numpy as np

from ..bill import storage_bill
from ..data import digits_split
from ..optim import Adam
from ..quant import quantize_model
from ..quant.qat import LSQLinear, prepare_qat
from ..stats import format_accuracy, paired_bootstrap
from ..train import correct_matrix, evaluate, fit
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


def finetune_float(teacher, split, seed: int, epochs: int):
    """The control: a float copy of the teacher trained exactly as ``train_quantized`` trains (model, history)."""
    model = copy.deepcopy(teacher)
    history = fit(model, split.train, epochs=epochs, rng=seed, test=split.test,
                  optimizer=Adam(model.parameters(), lr=LR))
    return model, history


def comparison_table(budget: Budget = FULL, bits=(2, 3, 4)) -> list:
    """Rows (bits, method, correct (seeds, images), bytes) for PTQ, QAT and LSQ, and the fine-tuned control."""
    split = digits_split()
    teacher, _ = shared_teacher(epochs=budget.teacher_epochs)
    control = [finetune_float(teacher, split, k, budget.qat_epochs)[0] for k in budget.seeds("qat")]
    rows = [(32, "float teacher", correct_matrix([teacher], split.test), storage_bill(teacher).total),
            (32, "fine-tuned", correct_matrix(control, split.test), storage_bill(teacher).total)]
    for b in bits:
        ptq = quantize_model(teacher, b, 8, mode="static", per_channel=True, calib=split.train.X)
        rows.append((b, "PTQ", correct_matrix([ptq], split.test), storage_bill(ptq).total))
        for method in ("qat", "lsq"):
            models = [train_quantized(teacher, split, b, method, k, budget.qat_epochs, budget.qat_calibration)[0]
                      for k in budget.seeds("qat")]
            rows.append((b, method.upper(), correct_matrix(models, split.test), storage_bill(models[0]).total))
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
    lines = [f"PTQ vs QAT vs LSQ, weights per channel, activations 8 bits; {len(seeds)} seeds for trained rows",
             "accuracy: one model [Wilson 95%], or mean ± std over seeds [95% interval of the mean]",
             f"control: the float teacher fine-tuned with QAT's recipe ({budget.qat_epochs} epochs, Adam {LR:g}); "
             "Δ: paired bootstrap on the test images",
             f"{'bits':>5}  {'method':<14}{'test accuracy':>28}{'bytes':>9}   Δ vs fine-tuned control"]
    rows = comparison_table(budget)
    control = next(c for _, m, c, _ in rows if m == "fine-tuned")
    for b, method, correct, nbytes in rows:
        d = paired_bootstrap(correct, control, rng=0)
        verdict = "within noise" if d.within_noise else ("better" if d.diff > 0 else "worse")
        delta = "" if method == "fine-tuned" else (f"{100 * d.diff:+.1f} [{100 * d.low:+.1f}, {100 * d.high:+.1f}] "
                                                   f"{verdict}")
        lines.append(f"{b if b < 32 else 'float':>5}  {method:<14}{format_accuracy(correct):>28}{nbytes:>9}   {delta}")
    c = curves(budget)
    layers = c["lsq_steps"]
    lines += ["", "LSQ at 2 bits, learned weight steps (mean per layer), start → end of training:"]
    lines += [f"  layer {i + 1}: {layers[0, i]:.4f} → {layers[-1, i]:.4f}" for i in range(layers.shape[1])]
    return "\n".join(lines)
