# %% [markdown]
# # 1. Autograd and an MLP on the digits
#
# Before compressing a network we need one. This tutorial builds the pieces
# minicompress's compression methods stand on: a `Tensor` that records how it
# was computed, a backward pass that applies the chain rule, a check of that
# backward pass by central differences, and a small MLP trained on the
# bundled 8x8 digits.
#
# Run it as a plain script (`python tutorials/01_autograd_and_mlp.py`) or open
# it as a notebook with jupytext (percent format).
# Set `MINICOMPRESS_QUICK=1` for a fast smoke run (fewer epochs).

# %%
import os

import numpy as np

import minicompress.functional as F
from minicompress import Tensor, gradcheck
from minicompress.data import digits_split
from minicompress.experiments import FULL, QUICK, train_teacher
from minicompress.nn import MLP
from minicompress.plots import show
from minicompress.plots.training import make_digits_samples, make_teacher_training
from minicompress.stats import format_accuracy
from minicompress.train import correct_matrix, fit

budget = QUICK if os.environ.get("MINICOMPRESS_QUICK") == "1" else FULL    # epochs and seeds for every step
if budget is QUICK:
    print("QUICK budget: a smoke test with few epochs and random seeds; its numbers are not the ones in the text")
FIGURES = os.environ.get("MINICOMPRESS_FIGURES", "out/figures")   # never the repo's figures/ unless asked

# %% [markdown]
# ## 1.1 A Tensor remembers where it came from
#
# `y = Σ (a·b + a)²` for two small vectors. Every operation returns a new
# Tensor that knows its inputs and how to pass a gradient back to them.

# %%
a = Tensor([1.0, -2.0, 3.0], requires_grad=True)
b = Tensor([0.5, 4.0, -1.0], requires_grad=True)
y = ((a * b + a) ** 2).sum()
print("y =", y.item())                   # 102.25 = (1.5)² + (−10)² + 0²
print(y.graph())                         # the ops in the order they ran

# %% [markdown]
# ## 1.2 The backward pass is the chain rule
#
# With `u = a·b + a`: `∂y/∂a = 2u·(b + 1)` and `∂y/∂b = 2u·a`.

# %%
y.backward()
u = a.data * b.data + a.data
print("autograd  ∂y/∂a =", a.grad, "  by hand:", 2 * u * (b.data + 1))   # [4.5 -100. 0.]
print("autograd  ∂y/∂b =", b.grad, "  by hand:", 2 * u * a.data)         # [3. 40. 0.]

# %% [markdown]
# ## 1.3 Checking a backward pass by central differences
#
# `∂f/∂x_i ≈ (f(x + h e_i) − f(x − h e_i)) / 2h`, with an error of order h².
# `gradcheck` does this for every input element, in float64, and reports the
# largest difference and where it was. Here: a linear layer followed by
# cross-entropy, with a batch of 4 and broadcasting of the bias.

# %%
rng = np.random.default_rng(0)
x0, W0, b0 = rng.normal(size=(4, 5)), rng.normal(size=(3, 5)), rng.normal(size=3)
labels = np.array([0, 2, 1, 2])
report = gradcheck(lambda x, W, b: F.cross_entropy(F.linear(x, W, b), labels), x0, W0, b0)
print(report)                            # three "ok" lines, differences around 1e-10
assert report.ok

# %% [markdown]
# ## 1.4 The digits
#
# 1,797 images of 8x8 pixels, each pixel a count from 0 to 16, ten classes.
# They ship inside the package, and a fixed stratified split keeps 25% of
# every class for testing, and 20% of the rest for validation: the images
# every choice (epochs, temperatures, ...) is made on, so the test images
# only ever report.

# %%
split = digits_split()
print(len(split.train), "training,", len(split.val), "validation and", len(split.test), "test images")  # 1078, 269, 450
show(make_digits_samples(FIGURES))

# %% [markdown]
# ## 1.5 Training a small MLP
#
# `fit` is the ordinary loop: shuffle, forward, loss, `zero_grad`, `backward`,
# `step`. A 64-32-10 MLP trained for 15 epochs already reads nearly nine digits in ten.

# %%
small = MLP((64, 32, 10), rng=0)
fit(small, split.train, epochs=min(15, budget.student_epochs), rng=0)
print(f"64-32-10 test accuracy: {format_accuracy(correct_matrix([small], split.test))}")   # about 89% [85, 91]
# 450 test images make one image 0.22 points; the bracket is the 95% (Wilson) interval.

# %% [markdown]
# ## 1.6 The teacher
#
# Every compression method in minicompress starts from the same float
# "teacher": a 64-256-256-10 MLP trained with Adam on the training images and
# copies of them moved by one pixel (a shifted stroke is still the same digit).

# %%
teacher, history = train_teacher(epochs=budget.teacher_epochs)
kept = next(r for r in history if r.get("best"))                               # lowest validation loss
print(f"teacher: epoch {kept['epoch']} of {len(history)} kept, "
      f"test accuracy {format_accuracy(correct_matrix([teacher], split.test))}")   # about 98.4% [96.8, 99.2]
show(make_teacher_training(FIGURES, budget))
