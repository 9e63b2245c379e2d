# %% [markdown]
# # 6. Soft labels and temperature
#
# The seed (§3.2.2) says distillation "normalises the big model's outputs into
# soft labels". The normalisation is a softmax with a temperature T:
#
#     p_i = exp(z_i / T) / Σ_j exp(z_j / T)
#
# T = 1 is the ordinary softmax. A larger T lifts the small probabilities of
# the wrong classes: which wrong classes a digit resembles is the teacher's
# "dark knowledge" (Hinton, Vinyals & Dean 2015).

# %%
import os

import numpy as np

from minicompress.distill import hard_labels, soft_labels
from minicompress.distill.seed_losses import seed_model_distillation_loss, seed_parameter_distillation_loss
from minicompress.experiments import FULL, QUICK
from minicompress.plots import show
from minicompress.plots.distillation import make_kd_gradient_vs_T, make_kd_soft_labels, soft_label_data

budget = QUICK if os.environ.get("MINICOMPRESS_QUICK") == "1" else FULL    # epochs and seeds for every step
if budget is QUICK:
    print("QUICK budget: a smoke test with few epochs and random seeds; its numbers are not the ones in the text")
FIGURES = os.environ.get("MINICOMPRESS_FIGURES", "out/figures")   # never the repo's figures/ unless asked

# %% [markdown]
# ## 6.1 Temperature on three logits

# %%
z = np.array([2.0, 1.0, 0.0])
for T in (0.1, 1, 4, 100):
    print(f"T = {T:>5}: {soft_labels(z, T).round(4)}")
# T = 0.1 is almost one-hot [1, 0, 0]; T = 1 gives [0.6652 0.2447 0.09]; T = 100 is almost uniform
print("hard label:", hard_labels(z))                               # 0
print("stable at |z| = 1e4:", soft_labels(np.array([1e4, 0.0, -1e4]), T=1))   # [1. 0. 0.]

# %% [markdown]
# ## 6.2 A digit's soft labels at five temperatures

# %%
image, label, probs = soft_label_data(budget=budget)
for T, p in probs.items():
    top = np.argsort(-p)[:3]
    print(f"T = {T:>2}: top classes {top.tolist()} with {p[top].round(4).tolist()}")
show(make_kd_soft_labels(FIGURES, budget))

# %% [markdown]
# **Try it.** The digit's soft labels with a slider for T (drag it in Jupyter
# after `%matplotlib widget`, or in a desktop window).

# %%
from minicompress.plots.interactive import soft_labels_explorer  # noqa: E402

explorer = soft_labels_explorer(np.log(probs[1]), T=1.0)      # log p at T = 1 are the logits up to a constant
for T in (1, 4, 20):
    explorer.set(T=T)
    print(f"T = {T:>2}: the top class keeps {100 * explorer.state['probs'].max():.1f}%")

# %% [markdown]
# ## 6.3 The seed's losses, recomputed (§4.3)
#
# The seed writes both distillation losses as sums of squares and works an
# example with ŷ = [0.9, 0.1, 0] (soft label), y_g = [0.8, 0.2, 0.1] (big
# model) and y_s = [0.6, 0.3, 0.1] (small model). It prints 0.02 and 0.26.

# %%
y_hat, y_g, y_s = np.array([0.9, 0.1, 0.0]), np.array([0.8, 0.2, 0.1]), np.array([0.6, 0.3, 0.1])
print("L_g =", round(seed_model_distillation_loss(y_hat, y_g).item(), 12))     # 0.03, not 0.02
print("L_s =", round(seed_parameter_distillation_loss(y_hat, y_s).item(), 12))   # 0.14, not 0.26
print("y_g sums to", y_g.sum())      # 1.1: the "big model output" is not a probability vector

# %% [markdown]
# ## 6.4 Why Hinton's loss has a T² in it
#
# The gradient of KL at temperature T with respect to the student's logits is
# (p_s − p_t)/T: a high temperature would shrink the soft-label term. T² puts
# it back to T·(p_s − p_t), and for large T this approaches (z_s − z_t)/N:
# matching the logits themselves.

# %%
show(make_kd_gradient_vs_T(FIGURES, budget))

# %% [markdown]
# ## Read the code, then try this
#
# Each call above is a few lines of `minicompress`; these are the ones this
# tutorial leans on, with the file and line to open.
#
# **Try this.** For one pair of logits, compute `kd_gradient` at T = 1 and T = 10 and
# compare their sizes: what would the gradient be without the T² factor?

# %%
from minicompress.source import sources  # noqa: E402

print(sources(
    "minicompress.distill.soft_labels:soft_labels",
    "minicompress.distill.kd_loss:kl_divergence",
    "minicompress.distill.kd_loss:kd_loss",
    "minicompress.distill.kd_loss:kd_gradient",
))
