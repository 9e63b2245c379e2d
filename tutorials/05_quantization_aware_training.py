# %% [markdown]
# # 5. Quantization-aware training and learned step sizes
#
# At 2 bits, rounding each weight to the nearest of the codes {−1, 0, 1} with
# the step max|w|/1 breaks the digits teacher (tutorial 3). The seed (§2.1) speaks of *adaptive* quantization, adjusting the
# quantization from the model's performance, and of optimising quantization
# during training. Two concrete ways:
#
# * **QAT**: train with the weights and activations fake-quantized, passing the
#   gradient through the rounding with the straight-through estimator (STE);
# * **LSQ** (Esser et al. 2019): also learn the step q itself (the paper's s), with
#   ∂ŵ/∂q = round(w/q) − w/q inside the range.

# %%
import os

import numpy as np

from minicompress import Tensor
from minicompress.bill import storage_bill
from minicompress.data import digits_split
from minicompress.experiments import FULL, QUICK, shared_teacher
from minicompress.experiments.qat import finetune_float, train_quantized
from minicompress.integer import IntegerMLP
from minicompress.plots import show
from minicompress.plots.qat import make_qat_accuracy_vs_epoch, make_qat_lsq_steps, make_qat_ste
from minicompress.quant import fake_quantize_ste, quantize_model
from minicompress.quant.qat import LSQLinear, to_float_mlp
from minicompress.stats import format_accuracy, mcnemar, paired_bootstrap
from minicompress.train import correct_matrix

budget = QUICK if os.environ.get("MINICOMPRESS_QUICK") == "1" else FULL    # epochs and seeds for every step
if budget is QUICK:
    print("QUICK budget: a smoke test with few epochs and random seeds; its numbers are not the ones in the text")
FIGURES = os.environ.get("MINICOMPRESS_FIGURES", "out/figures")   # never the repo's figures/ unless asked
EPOCHS = budget.qat_epochs

# %% [markdown]
# ## 5.1 The straight-through estimator

# %%
x = Tensor(np.array([-1.2, 0.3, 0.9, -1.4]), requires_grad=True)
y = fake_quantize_ste(x, 0.5, bits=2)    # step 0.5, 2-bit codes −2..1
y.sum().backward()
print(y.data, x.grad)                      # [-1.   0.5  0.5 -1. ] [1. 1. 0. 0.]: clamped values get no gradient
show(make_qat_ste(FIGURES))

# %% [markdown]
# ## 5.2 2-bit weights: PTQ, QAT, LSQ, and the control
#
# QAT and LSQ start from the teacher and train 30 more epochs. More training
# alone can change the accuracy, so the fair comparison is with the float
# teacher fine-tuned by the very same recipe (same epochs, optimizer, seed).
# Each accuracy carries its 95% interval (Wilson, 450 test images), and each
# comparison is McNemar's exact test on the images the two models disagree on.

# %%
split = digits_split()
teacher, _ = shared_teacher(epochs=budget.teacher_epochs)
ptq = quantize_model(teacher, 2, 8, mode="static", calib=split.train.X)
qat, _ = train_quantized(teacher, split, 2, "qat", seed=0, epochs=EPOCHS)
lsq, _ = train_quantized(teacher, split, 2, "lsq", seed=0, epochs=EPOCHS)
control, _ = finetune_float(teacher, split, seed=0, epochs=EPOCHS)
right = {name: correct_matrix([m], split.test)
         for name, m in (("teacher", teacher), ("PTQ 2-bit", ptq), ("QAT 2-bit", qat), ("LSQ 2-bit", lsq),
                         ("float fine-tuned", control))}
for name, c in right.items():
    print(f"{name:<17} {format_accuracy(c)}")
# about: teacher 98.4%, PTQ 49%, QAT 98.4%, LSQ 98.4%, fine-tuned 98.7% (one seed each)
for a, b in (("QAT 2-bit", "PTQ 2-bit"), ("QAT 2-bit", "float fine-tuned"), ("LSQ 2-bit", "float fine-tuned"),
             ("float fine-tuned", "teacher")):
    d, m = paired_bootstrap(right[a], right[b]), mcnemar(right[a], right[b])
    verdict = "within noise" if m.p_value >= 0.05 else ("better" if d.diff > 0 else "worse")
    print(f"{a} − {b}: {100 * d.diff:+.1f} points [{100 * d.low:+.1f}, {100 * d.high:+.1f}], "
          f"McNemar p = {m.p_value:.2g}: {verdict}")
# QAT recovers about 49 points over PTQ (p far below 0.001); against the fine-tuned float
# control, QAT and LSQ are within noise: at 2 bits they lose nothing measurable here.
print("learned weight steps (mean per layer):",
      [round(float(m.w_step.data.mean()), 4) for m in lsq if isinstance(m, LSQLinear)])

# %% [markdown]
# ## 5.3 From the QAT model to integers
#
# The QAT weights already sit on their grid, so the integer-only MLP of
# tutorial 4 reproduces the model with 2-bit codes.

# %%
integer = IntegerMLP.from_float(to_float_mlp(qat), split.train.X, weight_bits=2)
print(f"integer-only from QAT: {100 * integer.accuracy(split.test):.1f}%, {storage_bill(integer).total} bytes")
show(make_qat_accuracy_vs_epoch(FIGURES, budget))
show(make_qat_lsq_steps(FIGURES, budget))

# %% [markdown]
# ## Read the code, then try this
#
# Each call above is a few lines of `minicompress`; these are the ones this
# tutorial leans on, with the file and line to open.
#
# **Try this.** Train QAT at 3 bits instead of 2, or with `act_bits=None` (weights only),
# and set each result beside the fine-tuned control with `mcnemar`.

# %%
from minicompress.source import sources  # noqa: E402

print(sources(
    "minicompress.quant.fake_quant:fake_quantize_ste",
    "minicompress.quant.qat:QATLinear.forward",
    "minicompress.quant.qat:LSQLinear.forward",
    "minicompress.quant.qat:prepare_qat",
))
