# %% [markdown]
# # 10. How to round
#
# Post-training quantization has two choices per layer: the step q, and, for
# each weight, whether to round up or down. Rounding every weight to the
# nearest code with q = max|w|/qmax is the simplest rule; at 2 bits (codes
# {−1, 0, 1}) it takes the digits teacher from 98.4% to 49%. This tutorial
# shows that the rule, not post-training quantization, is what fails:
#
# 1. the step: a smaller q clips a few large weights but rounds the rest finely;
# 2. the best possible rounding of a small layer, by brute force, is not nearest;
# 3. GPTQ and AdaRound get close to it at scale, with 512 unlabelled images;
# 4. equalizing the layers first rescues one step per tensor.

# %%
import os

import numpy as np

from minicompress.data import digits_split
from minicompress.experiments import FULL, QUICK, shared_teacher
from minicompress.plots import show
from minicompress.plots.rounding import (
    make_rounding_calibration_size,
    make_rounding_step_error,
    make_rounding_vs_optimum,
    optimum_data,
)
from minicompress.quant.adaround import rectified_sigmoid, round_regularizer
from minicompress.quant.calibrated import round_weights
from minicompress.quant.equalize import cross_layer_equalization, equalization_scales
from minicompress.quant.gptq import gptq
from minicompress.quant.optimal_rounding import best_rounding, nearest_error
from minicompress.quant.step_search import weight_step
from minicompress.stats import format_accuracy, mcnemar
from minicompress.train import correct_matrix, predict_logits

budget = QUICK if os.environ.get("MINICOMPRESS_QUICK") == "1" else FULL    # epochs and seeds for every step
if budget is QUICK:
    print("QUICK budget: a smoke test with few epochs and random seeds; its numbers are not the ones in the text")
FIGURES = os.environ.get("MINICOMPRESS_FIGURES", "out/figures")   # never the repo's figures/ unless asked
split = digits_split()
teacher, _ = shared_teacher(epochs=budget.teacher_epochs)

# %% [markdown]
# ## 10.1 The step: clipping against rounding
#
# One large weight and twenty small ones, 2 bits. With q = max|w| the twenty
# all round to 0; with the q that minimises Σ(w − ŵ)², the large one clips
# and the twenty survive.

# %%
w = np.array([[1.0] + [0.3, -0.3] * 10])
for method in ("max", "percentile", "mse"):
    q = float(weight_step(w, 2, method, per_channel=False))
    codes = np.clip(np.round(w / q), -1, 1)
    print(f"{method:<10} q = {q:.3f}   Σ(w − ŵ)² = {((w - q * codes) ** 2).sum():.3f}")
show(make_rounding_step_error(FIGURES, budget))

# %% [markdown]
# ## 10.2 Up or down? The optimum by brute force
#
# For one row w and inputs X the output error of a rounding is δᵀHδ with
# H = XᵀX. Two inputs that always move together: nearest rounds both 0.4s
# down; the best rounding sends one up, and the output barely moves.

# %%
H = np.array([[1.0, 0.9], [0.9, 1.0]])
codes, err = best_rounding(np.array([0.4, 0.4]), 1.0, 4, H)
print("best codes", codes, "error", round(err, 3), "| nearest error", round(nearest_error([0.4, 0.4], 1.0, 4, H), 3))
errs, best = optimum_data(budget)
for name, e in errs.items():
    print(f"{name:<24} {e / best:6.2f} × the optimum")
# On this slice (2 bits, a clipped step): nearest is 2.9× the optimum, GPTQ 1.7×, OBQ 2.4×, and the
# best of 1000 random roundings 1.02×. AdaRound with 300 steps lands at 4.2×, worse than nearest here,
# although on the whole teacher it is the most accurate 2-bit method: a small slice is not the network.
show(make_rounding_vs_optimum(FIGURES, budget))

# %% [markdown]
# ## 10.3 AdaRound's two pieces
#
# h(V) = clip(σ(V)(ζ − γ) + γ, 0, 1) reaches 0 and 1 exactly; the regulariser
# Σ(1 − |2h − 1|^β) is 0 only when every h has chosen. Try writing both:
# `python -m minicompress exercises new class/`, then
# `python -m minicompress check adaround_h class/12_adaround_h.py` (and `adaround_penalty`).

# %%
print("h(V) at V = −5, 0, 5:", rectified_sigmoid(np.array([-5.0, 0.0, 5.0])).data.round(3))
for beta in (20, 2):
    print(f"β = {beta:>2}: penalty of h = 0.1, 0.5, 0.9 →",
          [round(round_regularizer(np.array([h]), beta).item(), 3) for h in (0.1, 0.5, 0.9)])

# %% [markdown]
# ## 10.4 GPTQ, one column at a time
#
# Round a column, then move the error onto the columns not yet rounded,
# weighted by the Cholesky factor of H⁻¹. With H = I nothing moves. Exercise 14
# (`gptq_column`) asks for this step, exercise 15 for the equalization scales of 10.6.

# %%
W = np.array([[0.4, 0.4, 0.1]])
H2 = np.array([[1.0, 0.9, 0.0], [0.9, 1.0, 0.0], [0.0, 0.0, 1.0]]) + 1e-3 * np.eye(3)
print("GPTQ codes, correlated H:", gptq(W, H2, np.ones(1), 4), "| H = I:", gptq(W, np.eye(3), np.ones(1), 4))

# %% [markdown]
# ## 10.5 The whole teacher at 2 and 3 bits, no labels
#
# Each accuracy with its Wilson interval; each comparison McNemar's test on
# the same 450 images. The tour runs the same methods, and chooses GPTQ's
# step on the validation images.

# %%
calib = split.train.X[np.random.default_rng(0).permutation(len(split.train))[:512]]
right = {"teacher": correct_matrix([teacher], split.test)}
for bits in (3, 2):
    for name, kw in (("nearest, step max", dict(method="nearest", step="max")),
                     ("nearest, step MSE", dict(method="nearest", step="mse")),
                     ("GPTQ, step max", dict(method="gptq", step="max"))):
        right[f"int{bits} {name}"] = correct_matrix([round_weights(teacher, bits, calib, **kw)], split.test)
for name, c in right.items():
    print(f"{name:<26} {format_accuracy(c)}")
for bits in (3, 2):
    a, b = f"int{bits} GPTQ, step max", f"int{bits} nearest, step max"
    print(f"{a} − {b}: p = {mcnemar(right[a], right[b]).p_value:.2g}")
# 2 bits: nearest with step max 49%, with the MSE step 87%, GPTQ 97%; 3 bits: GPTQ within noise of the teacher.
show(make_rounding_calibration_size(FIGURES, budget))

# %% [markdown]
# ## 10.6 Equalization: one step per tensor, fitted to every channel
#
# ReLU(x/s) = ReLU(x)/s, so scaling a hidden unit's row down and the next
# layer's column up changes nothing; choose s so both ranges meet.

# %%
eq = cross_layer_equalization(teacher)
x = split.test.X[:50].astype(np.float64)
gap = np.abs(predict_logits(eq, x) - predict_logits(cross_layer_equalization(teacher, iters=0), x)).max()
print(f"largest change of any logit after equalizing: {gap:.1e}")          # about 1e-15: exact
s = equalization_scales(teacher[0].weight.data, teacher[2].weight.data)
print(f"first pair's scales before equalizing: 5%, 50%, 95% = {np.percentile(s, [5, 50, 95]).round(2)}; after:",
      f"{np.abs(equalization_scales(eq[0].weight.data, eq[2].weight.data) - 1).max():.1e} from 1")
for bits in (4, 3):
    plain = correct_matrix([round_weights(teacher, bits, calib, "nearest", step="max", per_channel=False)], split.test)
    fixed = correct_matrix([round_weights(teacher, bits, calib, "cle+bc", step="max", per_channel=False)], split.test)
    print(f"int{bits} per tensor: plain {format_accuracy(plain)}, equalized + bias corrected "
          f"{format_accuracy(fixed)}, McNemar p = {mcnemar(fixed, plain).p_value:.2g}")

# %% [markdown]
# ## Read the code, then try this
#
# Each call above is a few lines of `minicompress`; these are the ones this
# tutorial leans on, with the file and line to open.
#
# **Try this.** Run 2-bit GPTQ with 32 calibration images instead of 512 (see the
# calibration-size figure): how many does it need to beat nearest rounding?

# %%
from minicompress.source import sources  # noqa: E402

print(sources(
    "minicompress.quant.step_search:weight_step",
    "minicompress.quant.gptq:gptq_step",
    "minicompress.quant.adaround:h_of_v",
    "minicompress.quant.optimal_rounding:best_rounding",
    "minicompress.quant.equalize:equalization_scales",
))
