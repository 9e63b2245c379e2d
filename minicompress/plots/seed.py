"""The seed document's worked numbers against their recomputation."""

from __future__ import annotations

import numpy as np

from ..experiments.budget import FULL, Budget
from . import figure, pyplot, save


def seed_numbers_data():
    """(label, the seed's number, recomputed) for each worked number of seed §4.3."""
    from ..distill.seed_losses import seed_model_distillation_loss, seed_parameter_distillation_loss
    from ..quant import quantize, seed_quantization_loss
    w = np.array([1.2, 2.5, 3.7])
    y_hat, y_g, y_s = np.array([0.9, 0.1, 0.0]), np.array([0.8, 0.2, 0.1]), np.array([0.6, 0.3, 0.1])
    return [("L(ŵ), quantization", 197.0, seed_quantization_loss(quantize(w, 0.1), np.array([1.0, 2.0, 3.0]))),
            ("L_g, model distillation", 0.02, seed_model_distillation_loss(y_hat, y_g).item()),
            ("L_s, parameter distillation", 0.26, seed_parameter_distillation_loss(y_hat, y_s).item())]


@figure("seed_numbers", "seed")
def make_seed_numbers(out_dir, budget: Budget = FULL):
    rows = seed_numbers_data()
    plt = pyplot()
    fig, axes = plt.subplots(1, len(rows), figsize=(10, 3.2))
    for ax, (label, claim, value) in zip(axes, rows):
        ax.bar(["the seed says", "recomputed"], [claim, value], color=["C3", "C0"])
        for i, v in enumerate((claim, value)):
            ax.text(i, v, f"{v:g}", ha="center", va="bottom")
        ax.set_title(label)
        ax.set_ylim(0, max(claim, value) * 1.25)
    fig.suptitle("seed §4.3: its worked examples, recomputed", y=1.03)
    return save(fig, out_dir, "seed_numbers")
