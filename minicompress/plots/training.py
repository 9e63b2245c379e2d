"""Figures of the tiny deep-learning library: the digits, and the teacher learning them."""

from __future__ import annotations

import numpy as np

from ..data import digits_split
from ..experiments.budget import FULL, Budget
from ..experiments.teacher import shared_teacher
from . import figure, pyplot, save


def digits_samples_data(per_class: int = 8):
    """The first ``per_class`` training images of each digit: (10, per_class, 8, 8) pixels in [0, 1]."""
    train = digits_split().train
    return np.stack([train.X[train.y == c][:per_class].reshape(-1, 8, 8) for c in range(10)])


@figure("digits_samples", "foundation")
def make_digits_samples(out_dir, budget: Budget = FULL):
    images = digits_samples_data()
    plt = pyplot()
    fig, axes = plt.subplots(10, images.shape[1], figsize=(images.shape[1] * 0.6, 6.2))
    for c in range(10):
        for j in range(images.shape[1]):
            ax = axes[c, j]
            ax.imshow(images[c, j], cmap="gray_r", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
        axes[c, 0].set_ylabel(str(c), rotation=0, labelpad=8)
    fig.suptitle("The bundled 8x8 digits (pixel counts 0..16, shown scaled to [0, 1])")
    return save(fig, out_dir, "digits_samples")


def teacher_training_data(epochs: int = 20, seed: int = 0):
    """Per-epoch loss, train and test accuracy of the standard teacher."""
    _, history = shared_teacher(seed=seed, epochs=epochs)
    return {k: np.array([h[k] for h in history]) for k in ("epoch", "loss", "train_acc", "test_acc")}


@figure("teacher_training", "foundation")
def make_teacher_training(out_dir, budget: Budget = FULL):
    d = teacher_training_data(epochs=budget.teacher_epochs)
    plt = pyplot()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.4))
    ax1.plot(d["epoch"], d["loss"], marker="o")
    ax1.set_yscale("log")
    ax1.set_xlabel("epoch")
    ax1.set_ylabel("mean training cross-entropy")
    ax1.set_title("Teacher 64-256-256-10: loss")
    ax2.plot(d["epoch"], 100 * d["train_acc"], marker="o", label="train (with shifted copies)")
    ax2.plot(d["epoch"], 100 * d["test_acc"], marker="s", label="test (450 images)")
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("accuracy (%)")
    ax2.set_title(f"final test accuracy {100 * d['test_acc'][-1]:.1f}%")
    ax2.legend()
    return save(fig, out_dir, "teacher_training")
