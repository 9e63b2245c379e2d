# %% [markdown]
# # 9. Checking the seed document, section by section
#
# minicompress implements every formula of the seed article (a Chinese
# overview of quantization and distillation) and recomputes every number it
# prints. The article is not reliable: this tutorial shows, section by
# section, what it says, what the formula really gives, and what its code
# example does.

# %%
import os

import numpy as np

from minicompress.checks import run_checks
from minicompress.distill.seed_losses import seed_model_distillation_loss, seed_parameter_distillation_loss
from minicompress.experiments.seed_example import SEED_CODE_DEFECTS, run_seed_example
from minicompress.plots.seed import make_seed_numbers
from minicompress.quant import quantize, reconstruction_error, seed_quantization_loss
from minicompress.taxonomy import taxonomy_table

# %% [markdown]
# ## §2 Core concepts and the §2.3 diagram
#
# §2.1 names full / low-precision / fractional representations and static /
# dynamic / adaptive quantization; §2.2 names model / parameter distillation,
# single / multi / mixed labels, hard / soft. Each has a function here. The
# §2.3 diagram's edges contradict the text (it hangs distillation under
# quantization, and pairs "static" with "full precision").

# %%
print(taxonomy_table())

# %% [markdown]
# ## §3.2.1 and §4.1: ŵ = round(w / q) and the "quantization loss"

# %%
w = np.array([1.2, 2.5, 3.7])
codes = quantize(w, 0.1)
print(codes)                                                   # [12 25 37]: the seed is right here
print(seed_quantization_loss(codes, np.array([1.0, 2.0, 3.0])))   # 1806.0: the seed prints 197
print(reconstruction_error(w, codes, 0.1))                     # ~5e-32: what the loss should measure

# %% [markdown]
# ## §4.1 and §4.3: the two distillation losses

# %%
y_hat, y_g, y_s = np.array([0.9, 0.1, 0.0]), np.array([0.8, 0.2, 0.1]), np.array([0.6, 0.3, 0.1])
print(round(seed_model_distillation_loss(y_hat, y_g).item(), 12))      # 0.03: the seed prints 0.02
print(round(seed_parameter_distillation_loss(y_hat, y_s).item(), 12))  # 0.14: the seed prints 0.26
print(y_g.sum())                                                        # 1.1: not a probability vector
print("figure:", make_seed_numbers(os.environ.get("MINICOMPRESS_FIGURES", "out/figures")))  # not the repo's figures/

# %% [markdown]
# ## §5.2: the code example
#
# It cannot run (its layer shapes contradict its own weights), and if it
# could, its losses would not involve the teacher.

# %%
for i, (problem, fix) in enumerate(SEED_CODE_DEFECTS, 1):
    print(f"{i:>2}. {problem}\n    minicompress: {fix}")
r = run_seed_example()
print(f"rewritten: KD loss {r['losses'][:10].mean():.3f} → {r['losses'][-10:].mean():.3f}")

# %% [markdown]
# ## Everything at once: `python -m minicompress verify`
#
# Every check that concerns the seed, with its claim and whether it holds.

# %%
for spec, outcome in run_checks():
    if "seed" in spec.source and outcome.claim_ok is not None:
        verdict = "right" if outcome.claim_ok else f"WRONG (it says {spec.claim})"
        print(f"{spec.source:<28} {spec.name:<42} recomputed {outcome.computed!s:<22} the seed is {verdict}")
