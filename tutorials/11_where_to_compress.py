# %% [markdown]
# # 11. Where to compress
#
# One bit width and one sparsity for the whole network is the simplest plan;
# layers differ in how much they mind. This tutorial measures it three ways
# and checks a heuristic allocation against the best possible one:
#
# 1. sensitivity scans: each layer alone quantized or pruned;
# 2. curvature: each layer's Hessian trace (Hutchinson) and the ½δᵀHδ prediction;
# 3. mixed precision: all 64 assignments of {2, 3, 4, 8} bits to the three
#    layers, so the exhaustive optimum under a byte budget is known;
# 4. neuron pruning: remove whole hidden units, so the matrices shrink.

# %%
import os

import numpy as np

from minicompress.experiments import FULL, QUICK
from minicompress.experiments.where import (
    Where,
    allocations,
    curvature_table,
    prune_neurons,
    sensitivity_scan_cached,
    uniform_budgets,
)
from minicompress.nn import Linear, Sequential
from minicompress.plots import show
from minicompress.plots.where import make_where_mixed_precision, make_where_sensitivity
from minicompress.prune.neurons import agp_schedule, keep_top, thin, unit_importance
from minicompress.quant.sensitivity import exact_hessian, hutchinson_trace, softmax_regression_trace
from minicompress.stats import format_accuracy
from minicompress.train import correct_matrix

budget = QUICK if os.environ.get("MINICOMPRESS_QUICK") == "1" else FULL    # epochs and seeds for every step
if budget is QUICK:
    print("QUICK budget: a smoke test with few epochs and random seeds; its numbers are not the ones in the text")
FIGURES = os.environ.get("MINICOMPRESS_FIGURES", "out/figures")   # never the repo's figures/ unless asked
w = Where(budget)

# %% [markdown]
# ## 11.1 One layer at a time

# %%
scan = sensitivity_scan_cached(w)
for i, row in enumerate(scan["bits"]):
    print(f"layer {i + 1}: validation accuracy at 2, 3, 4 bits:",
          [f"{100 * row[b][0]:.1f}%" for b in (2, 3, 4)])
show(make_where_sensitivity(FIGURES, budget))

# %% [markdown]
# ## 11.2 Hutchinson's trace, checked where the answer is known
#
# For a softmax regression z = xWᵀ + b the trace has a closed form,
# (1/N) Σ_n Σ_c p_nc(1 − p_nc)‖x_n‖². Hessian-vector products here are
# finite differences of gradients: the autograd has first derivatives only.

# %%
g = np.random.default_rng(0)
model = Sequential(Linear(5, 3, rng=0, dtype=np.float64))
X, y = g.normal(size=(40, 5)), g.integers(0, 3, 40)
exact = softmax_regression_trace(model[0].weight.data, X, model[0].bias.data)
est = hutchinson_trace(model, model[0], X, y, samples=200, rng=0, eps=1e-5)
print(f"closed form {exact:.4f}; full Hessian {np.trace(exact_hessian(model, model[0], X, y, eps=1e-5)):.4f}; "
      f"Hutchinson {est.estimate:.4f} ± {est.stderr:.4f} (200 samples)")
for i, (tr, se, pred, meas) in enumerate(curvature_table(w)):
    print(f"teacher layer {i + 1}: tr(H) = {tr:.2f} ± {se:.2f}; 2-bit loss increase predicted {pred:.4f}, "
          f"measured {meas:.4f}")

# %% [markdown]
# ## 11.3 Mixed precision against the exhaustive optimum
#
# Try it: lower the budget and see where greedy and HAWQ land.

# %%
for b, nbytes in uniform_budgets(w).items():
    for a in allocations(w, nbytes):
        print(f"≤ {nbytes} bytes (uniform {b}-bit): {a.method:<30} {a.bits}  {a.nbytes:>6} bytes  "
              f"test {format_accuracy(correct_matrix([a.model], w.split.test))}")
show(make_where_mixed_precision(FIGURES, budget))

# %% [markdown]
# ## 11.4 Removing whole neurons
#
# Thinning deletes unit i's row in one layer and its column in the next.

# %%
small = thin(w.teacher, keep_top(unit_importance(w.teacher, "norm"), 0.5))
print("thinned sizes:", [m.weight.data.shape for m in small if isinstance(m, Linear)])
print("AGP schedule to 50% in 4 steps:", [round(s, 3) for s in agp_schedule(0.5, 4)])
tuned, seconds = prune_neurons(w, "norm", 0.5, "one-shot", seed=0)
print(f"fine-tuned in {seconds:.1f} s: {format_accuracy(correct_matrix([tuned], w.split.test))} "
      f"against the teacher's {format_accuracy(correct_matrix([w.teacher], w.split.test))}")
# `python -m minicompress bench neurons` times both side by side: about 2.3x faster here.
# Exercises 16 (`hutchinson`) and 17 (`thin_pair`) ask for the estimator of 11.2 and the thinning above.

# %% [markdown]
# ## Read the code, then try this
#
# Each call above is a few lines of `minicompress`; these are the ones this
# tutorial leans on, with the file and line to open.
#
# **Try this.** Give Hutchinson 8 probe vectors instead of 32: how wide does the interval
# of each trace get, and does HAWQ still choose the same bits?

# %%
from minicompress.source import sources  # noqa: E402

print(sources(
    "minicompress.quant.sensitivity:hutchinson",
    "minicompress.quant.sensitivity:hvp",
    "minicompress.experiments.where:allocations",
    "minicompress.prune.neurons:thin_pair",
))
