# %% [markdown]
# # 3. Quantizing a trained network: static, dynamic, weight-only
#
# The seed (§2.1) sorts quantization into static, dynamic and adaptive. For a
# trained network the practical meaning is about *activations*:
#
# * **weight-only**: weights are stored in few bits; activations stay float;
# * **static**: activation ranges are fixed before deployment from a few
#   calibration batches (an *observer* watches them);
# * **dynamic**: each batch's activation range is measured at run time.
#
# (Adaptive, learned quantization is tutorial 5.) All of it is simulated
# with fake quantization, so the accuracy can be measured directly.

# %%
import os

from minicompress.bill import storage_bill
from minicompress.data import digits_split
from minicompress.experiments import FULL, QUICK, shared_teacher
from minicompress.plots import show
from minicompress.plots.quantization import make_quant_accuracy_vs_bits, make_quant_decision_boundary
from minicompress.quant import make_observer, quantize_model
from minicompress.quant.model import layer_inputs
from minicompress.stats import format_accuracy, mcnemar
from minicompress.train import correct_matrix, evaluate

budget = QUICK if os.environ.get("MINICOMPRESS_QUICK") == "1" else FULL    # epochs and seeds for every step
if budget is QUICK:
    print("QUICK budget: a smoke test with few epochs and random seeds; its numbers are not the ones in the text")
FIGURES = os.environ.get("MINICOMPRESS_FIGURES", "out/figures")   # never the repo's figures/ unless asked

split = digits_split()
teacher, _ = shared_teacher(epochs=budget.teacher_epochs)
base = evaluate(teacher, split.test)
print(f"float32 teacher: {100 * base:.1f}%")                       # 98.4%

# %% [markdown]
# ## 3.1 Weight-only quantization, per tensor and per channel
#
# One step for a whole layer must cover its largest weight; one step per
# output neuron (per channel) fits each row of W separately.

# %%
for bits in (8, 4, 3, 2):
    right = [correct_matrix([quantize_model(teacher, bits, mode="weight_only", per_channel=pc)], split.test)
             for pc in (False, True)]
    test = mcnemar(right[1], right[0])               # paired, on the images the two disagree on
    print(f"int{bits} weights: per-tensor {format_accuracy(right[0])}, per-channel {format_accuracy(right[1])}; "
          f"per-channel − per-tensor {100 * (right[1].mean() - right[0].mean()):+.1f} points, "
          f"McNemar p = {test.p_value:.2g}" + ("  (within noise)" if test.p_value >= 0.05 else ""))
# int8 and int4: the two are within noise; int3: per-channel keeps 97.3% where per-tensor drops to 93.1%
# (p < 0.001); int2, rounding to nearest with the step max|w|: both collapse (14% / 49%).
show(make_quant_accuracy_vs_bits(FIGURES, budget))

# %% [markdown]
# ## 3.2 What the observers see
#
# The input of the second layer is a ReLU output: non-negative, with a long
# tail. Each observer proposes a range from the same calibration data.

# %%
hidden = layer_inputs(teacher, split.train.X)[1]                      # (1078, 256)
for name in ("minmax", "moving_average", "percentile", "mse"):
    obs = make_observer(name)
    for start in range(0, len(hidden), 64):
        obs.observe(hidden[start:start + 64])
    print(f"{name:>15}: {obs.qparams(4, 'affine')}")
# at 4 bits the MSE observer clips the tail: a smaller q fits the bulk of the values better

# %% [markdown]
# ## 3.3 Static against dynamic activations
#
# int8 per-channel weights with int8 activations, calibrated on the training
# images (static) or measured per batch (dynamic).

# %%
for mode in ("static", "dynamic"):
    q = quantize_model(teacher, 8, 8, mode=mode, calib=split.train.X)
    print(f"int8/int8 {mode:>7}: {100 * evaluate(q, split.test):.1f}%  ({storage_bill(q).total} bytes)")
for act_bits in (4, 3, 2):
    q = quantize_model(teacher, 8, act_bits, mode="static", calib=split.train.X, observer="mse")
    print(f"int8 weights, int{act_bits} static activations (MSE observer): {100 * evaluate(q, split.test):.1f}%")

# %% [markdown]
# ## 3.4 Where the bytes go: one storage bill, whole
#
# Every `bytes` and `ratio` of the tour comes from `storage_bill`, which counts
# every stored part of every model by one set of rules: codes packed at their
# bit width, a float32 step per channel, one byte per zero point, float32
# biases, and for static activations each layer's input step and zero point.
# Add the lines up and divide, and you have the tour's ratio.

# %%
static = quantize_model(teacher, 8, 8, mode="static", calib=split.train.X)
bill = storage_bill(static)
print(bill)
f32 = storage_bill(teacher).total                                   # 4 bytes per parameter: 340008
print(f"ratio = {f32} / {bill.total} = {f32 / bill.total:.2f}x")   # 340008 / 88671 = 3.83x

# %% [markdown]
# ## 3.5 A picture: decision boundaries at 8, 4 and 2 bits
#
# A tiny 2-D MLP makes the damage visible: at 2 bits its boundary no longer
# follows the moons.

# %%
show(make_quant_decision_boundary(FIGURES, budget))

# %% [markdown]
# ## Read the code, then try this
#
# Each call above is a few lines of `minicompress`; these are the ones this
# tutorial leans on, with the file and line to open.
#
# **Try this.** Calibrate the static model on 16 training images instead of all of them
# (`calib=split.train.X[:16]`) and compare its accuracy with the dynamic one; then
# try `observer="percentile"` at 4 bits.

# %%
from minicompress.source import sources  # noqa: E402

print(sources(
    "minicompress.quant.model:quantize_model",
    "minicompress.quant.qparams:choose_qparams",
    "minicompress.quant.observers:PercentileObserver",
    "minicompress.quant.model:ActivationQuantizer",
))
