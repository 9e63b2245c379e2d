"""The tour's data-aware post-training rows: how the step is chosen, GPTQ, AdaRound, equalization.

All weight-only, per-channel steps unless said otherwise, calibrated on 512
unlabelled training images (no labels anywhere). Where a method has a
choice (GPTQ's step: max, percentile or MSE) the validation images make it;
AdaRound uses the MSE step, its paper's choice, fixed in advance.
"""

from __future__ import annotations

import time

import numpy as np

from ..bill import storage_bill
from ..quant.calibrated import round_weights
from ..train import evaluate, predict_logits
from . import measured, stage
from .teacher import TEACHER

CALIBRATION = 512
STEPS = ("max", "percentile", "mse")


def calibration_images(split, n: int = CALIBRATION, seed: int = 0) -> np.ndarray:
    """``n`` training images drawn with ``seed``: unlabelled, the labels are never read."""
    return split.train.X[np.random.default_rng(seed).permutation(len(split.train))[:n]]


@stage("data-aware post-training rounding", order=12, seconds=10)
def rounding_rows(ctx):
    test, val, t = ctx.split.test, ctx.split.val, ctx.teacher
    calib = calibration_images(ctx.split)
    n = t.num_parameters()

    def row(name, model, note, compare, seconds=None):
        timing = f"; calibration {seconds:.1f} s" if seconds is not None else ""
        return measured(name, [model], test, params=n, nbytes=storage_bill(model).total,
                        note=note + timing, compare=compare)

    rows = []
    for bits in (4, 3, 2):
        for step in ("percentile", "mse"):
            model = round_weights(t, bits, calib, "nearest", step=step)
            rows.append(row(f"int{bits} weights, {step} step", model,
                            "nearest rounding; step " + ("P99.9(|w|)/qmax" if step == "percentile" else
                                                         "minimising Σ(w − ŵ)² per channel"),
                            (f"int{bits} weights, per-channel",)))
    for bits in (3, 2):
        start = time.perf_counter()
        tried = {s: round_weights(t, bits, calib, "gptq", step=s) for s in STEPS}
        best = max(STEPS, key=lambda s: evaluate(tried[s], val))
        seconds = (time.perf_counter() - start) / len(STEPS)
        rows.append(row(f"int{bits} weights, GPTQ", tried[best], f"{CALIBRATION} unlabelled images; step "
                        f"'{best}' chosen on validation", (TEACHER, f"int{bits} weights, per-channel"), seconds))
        start = time.perf_counter()
        ada = round_weights(t, bits, calib, "adaround", step="mse", iters=ctx.budget.adaround_iters)
        rows.append(row(f"int{bits} weights, AdaRound", ada, f"{CALIBRATION} unlabelled images, "
                        f"{ctx.budget.adaround_iters} steps per layer",
                        (TEACHER, f"int{bits} weights, GPTQ"), time.perf_counter() - start))
    reference = predict_logits(t, val.X)
    for bits in (4, 3):
        start = time.perf_counter()
        model = round_weights(t, bits, calib, "cle+bc", step="max", per_channel=False)
        seconds = time.perf_counter() - start
        plain = round_weights(t, bits, calib, "nearest", step="max", per_channel=False)
        drift = [float(np.mean((predict_logits(m, val.X) - reference) ** 2)) for m in (plain, model)]
        rows.append(row(f"int{bits} weights, per-tensor, CLE + bias corr.", model,
                        f"equalized, rounded, bias corrected on {CALIBRATION} unlabelled images; logits' MSE "
                        f"against the float teacher {drift[0]:.2f} → {drift[1]:.2f} (validation images)",
                        (f"int{bits} weights, per-tensor",), seconds))
    return rows
